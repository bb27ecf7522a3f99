package extract

import "cmp"

// Uncertain is a code a document holds that no reading settled: the values its readings could
// be chosen as (each validates), filed apart for a reviewer to pick from.
type Uncertain struct {
	Kind       string   `json:"kind"`
	Raw        string   `json:"raw"` // as OCR read it, spaces removed
	Candidates []string `json:"candidates"`
}

// guess keeps value, chosen among the readings of raw, as a candidate.
func (r *Result) guess(kind, value, raw string) {
	for i, u := range r.Uncertain {
		if u.Kind == kind && fold(u.Raw) == fold(raw) {
			r.Uncertain[i].Candidates = appendUnique(u.Candidates, value)
			return
		}
	}
	r.Uncertain = append(r.Uncertain, Uncertain{Kind: kind, Raw: raw, Candidates: []string{value}})
}

// settle drops the candidates of a code the document already holds for certain: a guess
// equal to a value read without a choice elsewhere in it is that value, confirmed.
func (r *Result) settle() {
	kept := r.Uncertain[:0]
	for _, u := range r.Uncertain {
		if !r.holds(u) {
			kept = append(kept, u)
		}
	}
	r.Uncertain = kept
}

// holds reports whether one of u's candidates is among the document's certain values.
func (r *Result) holds(u Uncertain) bool {
	for _, c := range u.Candidates {
		if r.Sources[c] != "" {
			return true
		}
	}
	return false
}

// maxConfirmDistance is how far a near miss may be from a code read elsewhere in the case to
// be taken as that code. An ID number's check character catches every single substitution,
// so one edit never turns one valid ID into another; two could (twins' numbers differ in two
// places), so IDs get one, credit codes two.
var maxConfirmDistance = map[string]int{KindID: 1, KindUSCC: 2}

// Code is an ID number or credit code that validates, with its kind: one filed for the case
// by an earlier batch, say, or typed at the window.
type Code struct {
	Kind  string // KindID or KindUSCC
	Value string
	// Source is what a value it confirms is filed with: SourceWindow for a code the window
	// typed, else ("") SourceConfirmed.
	Source string
}

// Confirm settles what the documents of a case could not settle alone, from what the case
// holds for certain: the codes of docs read without a choice (or read again and agreed), and
// filed (the case's other batches, the window's typing). A candidate equal to one of them, or
// reached from two different readings (two places the code is printed), is filed
// (SourceConfirmed, or SourceWindow when the window typed it); so is the one known code a near
// miss is close to. Candidates nothing confirms stay in Uncertain. A value read for certain
// is never replaced: one that contradicts the window's typing stays as read, for the case
// check to report.
func Confirm(docs []*Result, filed []Code) {
	known := map[string]string{}  // value -> kind
	source := map[string]string{} // value -> what a value it confirms is filed with
	for _, c := range filed {
		if c.Kind == KindID && ValidIDNumber(c.Value) || c.Kind == KindUSCC && ValidUSCC(c.Value) {
			known[c.Value] = c.Kind
			// The window's typing is the more telling confirmation: a reviewer sees where it came from.
			if source[c.Value] != SourceWindow {
				source[c.Value] = cmp.Or(c.Source, SourceConfirmed)
			}
		}
	}
	for _, d := range docs {
		for _, v := range d.IDNumbers {
			known[v] = KindID
		}
		for _, v := range d.USCC {
			known[v] = KindUSCC
		}
	}
	sourceOf := func(v string) string { return cmp.Or(source[v], SourceConfirmed) }
	// The readings each candidate was chosen from: the same wrong value chosen from the same
	// misreading twice proves nothing, from two different ones it is all but impossible.
	readings := map[Code]map[string]bool{}
	for _, d := range docs {
		for _, u := range d.Uncertain {
			for _, c := range u.Candidates {
				k := Code{Kind: u.Kind, Value: c}
				if readings[k] == nil {
					readings[k] = map[string]bool{}
				}
				readings[k][fold(u.Raw)] = true
			}
		}
	}
	for _, d := range docs {
		kept := d.Uncertain[:0]
		for _, u := range d.Uncertain {
			v := ""
			for _, c := range u.Candidates {
				if known[c] == u.Kind || len(readings[Code{Kind: u.Kind, Value: c}]) >= 2 {
					v = c
					break
				}
			}
			if v == "" {
				kept = append(kept, u)
				continue
			}
			d.add(u.Kind, v, sourceOf(v))
		}
		d.Uncertain = kept
		for _, nm := range d.NearMisses {
			if match := closest(known, nm); match != "" {
				d.add(nm.Kind, match, sourceOf(match))
				d.dropUncertain(nm.Kind, nm.Raw)
			}
		}
		d.settle()
	}
}

// closest is the one known code of nm's kind within maxConfirmDistance of nm, or "".
func closest(known map[string]string, nm NearMiss) string {
	match := ""
	for v, kind := range known {
		if kind != nm.Kind || distance(fold(nm.Raw), fold(v)) > maxConfirmDistance[kind] {
			continue
		}
		if match != "" {
			return ""
		}
		match = v
	}
	return match
}

// add files value under kind with its source, unless already there.
func (r *Result) add(kind, value, source string) {
	list := &r.USCC
	if kind == KindID {
		list = &r.IDNumbers
	}
	for _, x := range *list {
		if x == value {
			return
		}
	}
	*list = append(*list, value)
	if r.Sources == nil {
		r.Sources = map[string]string{}
	}
	r.Sources[value] = source
}

// AddReading takes a value read again from the page image where the page's OCR read raw.
// One that two readings at different scales agreed on is filed (SourceReread) in place of the
// near miss and the candidates it accounts for; any other is a candidate of raw unless the
// text already gave it.
func (r *Result) AddReading(kind, raw, value string, agreed bool) {
	if !(kind == KindID && ValidIDNumber(value) || kind == KindUSCC && ValidUSCC(value)) {
		return
	}
	if !agreed {
		if r.Sources[value] == "" {
			r.guess(kind, value, cmp.Or(raw, value))
		}
		return
	}
	r.add(kind, value, SourceReread)
	r.dropNearMiss(kind, value)
	r.dropUncertain(kind, value)
}

// dropNearMiss forgets near misses that value accounts for, so confirmation does not try them.
func (r *Result) dropNearMiss(kind, value string) {
	r.NearMisses = unaccounted(r.NearMisses, kind, value, func(nm NearMiss) (string, string) { return nm.Kind, nm.Raw })
}

// dropUncertain forgets the candidates of readings that value, filed, accounts for.
func (r *Result) dropUncertain(kind, value string) {
	r.Uncertain = unaccounted(r.Uncertain, kind, value, func(u Uncertain) (string, string) { return u.Kind, u.Raw })
}

// unaccounted keeps the readings of list (kind and raw reading by of) that value of kind is
// too far from to be their reading.
func unaccounted[T any](list []T, kind, value string, of func(T) (kind, raw string)) []T {
	kept := list[:0]
	for _, x := range list {
		if k, raw := of(x); k != kind || distance(fold(raw), fold(value)) > 3 {
			kept = append(kept, x)
		}
	}
	return kept
}
