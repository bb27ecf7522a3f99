package main

// replaceSchemas rewrites components.schemas of an OpenAPI document and keeps every other key
// where it was, so that a regenerated document differs only where a Go type changed and the
// others who edit its paths by hand find their text as they left it.

import (
	"bytes"
	"encoding/json"
	"io"
	"sort"
	"strings"
)

// node is a JSON value that remembers its keys' order: an object (keys, vals), else raw.
type node struct {
	keys []string
	vals []*node
	arr  []*node
	isA  bool
	raw  json.RawMessage
}

func decodeNode(dec *json.Decoder) (*node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		n := &node{keys: []string{}}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := decodeNode(dec)
			if err != nil {
				return nil, err
			}
			n.keys, n.vals = append(n.keys, k.(string)), append(n.vals, v)
		}
		_, err = dec.Token()
		return n, err
	case json.Delim('['):
		n := &node{isA: true, arr: []*node{}}
		for dec.More() {
			v, err := decodeNode(dec)
			if err != nil {
				return nil, err
			}
			n.arr = append(n.arr, v)
		}
		_, err = dec.Token()
		return n, err
	}
	raw, err := marshalNoEscape(tok)
	return &node{raw: raw}, err
}

func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

func (n *node) get(key string) *node {
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

func (n *node) set(key string, v *node) {
	for i, k := range n.keys {
		if k == key {
			n.vals[i] = v
			return
		}
	}
	n.keys, n.vals = append(n.keys, key), append(n.vals, v)
}

func (n *node) write(w io.Writer, indent string) {
	switch {
	case n.raw != nil:
		w.Write(n.raw)
	case n.isA:
		if len(n.arr) == 0 {
			io.WriteString(w, "[]")
			return
		}
		io.WriteString(w, "[\n")
		for i, v := range n.arr {
			io.WriteString(w, indent+"  ")
			v.write(w, indent+"  ")
			if i < len(n.arr)-1 {
				io.WriteString(w, ",")
			}
			io.WriteString(w, "\n")
		}
		io.WriteString(w, indent+"]")
	default:
		if len(n.keys) == 0 {
			io.WriteString(w, "{}")
			return
		}
		io.WriteString(w, "{\n")
		for i, k := range n.keys {
			kb, _ := marshalNoEscape(k)
			io.WriteString(w, indent+"  "+string(kb)+": ")
			n.vals[i].write(w, indent+"  ")
			if i < len(n.keys)-1 {
				io.WriteString(w, ",")
			}
			io.WriteString(w, "\n")
		}
		io.WriteString(w, indent+"}")
	}
}

// fromValue is v as a node with sorted keys (generated schemas have no order of their own).
func fromValue(v any) *node {
	switch x := v.(type) {
	case map[string]any:
		n := &node{keys: []string{}}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			n.keys, n.vals = append(n.keys, k), append(n.vals, fromValue(x[k]))
		}
		return n
	case []any:
		n := &node{isA: true, arr: []*node{}}
		for _, e := range x {
			n.arr = append(n.arr, fromValue(e))
		}
		return n
	case []string:
		n := &node{isA: true, arr: []*node{}}
		for _, e := range x {
			n.arr = append(n.arr, fromValue(e))
		}
		return n
	}
	raw, _ := marshalNoEscape(v)
	return &node{raw: raw}
}

// replaceSchemas sets the generated schemas in doc, drops generated ones no Go type makes any
// more, and leaves the rest as it was.
func replaceSchemas(doc []byte, gen map[string]any) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	root, err := decodeNode(dec)
	if err != nil {
		return nil, err
	}
	schemas := root.get("components").get("schemas")
	var keys []string
	var vals []*node
	for i, k := range schemas.keys {
		v := schemas.vals[i]
		if _, regen := gen[k]; !regen && v.get("x-go-origin") != nil {
			continue
		}
		keys, vals = append(keys, k), append(vals, v)
	}
	schemas.keys, schemas.vals = keys, vals
	names := make([]string, 0, len(gen))
	for k := range gen {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		schemas.set(k, fromValue(gen[k]))
	}
	var b strings.Builder
	root.write(&b, "")
	b.WriteString("\n")
	return []byte(b.String()), nil
}
