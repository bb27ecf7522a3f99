package classify

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"sync"
	"unicode"
)

// Model is a multinomial naive Bayes classifier over character unigrams and bigrams (Chinese
// has no spaces to make words of), trained on documents whose type staff confirmed. It is
// safe for concurrent use. The zero value is not usable; call NewModel.
type Model struct {
	mu     sync.RWMutex
	docs   map[string]int            // documents per type
	counts map[string]map[string]int // n-gram counts per type
	totals map[string]int            // n-grams per type
	vocab  map[string]int            // types an n-gram occurs in
}

// NewModel returns an untrained model.
func NewModel() *Model {
	return &Model{docs: map[string]int{}, counts: map[string]map[string]int{},
		totals: map[string]int{}, vocab: map[string]int{}}
}

// ngrams returns the character unigrams and bigrams of the normalised text. Digits fold to
// 0 and punctuation is dropped: numbers and layout differ between documents of a type.
func ngrams(text string) []string {
	var rs []rune
	for _, r := range normalize(text) {
		switch {
		case unicode.IsDigit(r):
			rs = append(rs, '0')
		case unicode.IsLetter(r):
			rs = append(rs, r)
		}
	}
	out := make([]string, 0, 2*len(rs))
	for i, r := range rs {
		out = append(out, string(r))
		if i+1 < len(rs) {
			out = append(out, string(rs[i:i+2]))
		}
	}
	return out
}

// Train adds one document of a confirmed type.
func (m *Model) Train(text, typ string) {
	grams := ngrams(text)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.docs[typ]++
	c := m.counts[typ]
	if c == nil {
		c = map[string]int{}
		m.counts[typ] = c
	}
	for _, g := range grams {
		if c[g] == 0 {
			m.vocab[g]++
		}
		c[g]++
		m.totals[typ]++
	}
}

// Examples is the number of documents trained on.
func (m *Model) Examples() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	n := 0
	for _, d := range m.docs {
		n += d
	}
	return n
}

// Types lists the types the model has seen, sorted.
func (m *Model) Types() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]string, 0, len(m.docs))
	for t := range m.docs {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// evidenceScale softens naive Bayes, whose independence assumption makes it far too sure of
// itself on long texts: the log-likelihood is divided by the n-gram count over this.
const evidenceScale = 15

// Predict returns the probability of each type the model was trained on; nil when it has not
// been trained on at least two types.
func (m *Model) Predict(text string) map[string]float64 {
	grams := ngrams(text)
	m.mu.RLock()
	defer m.mu.RUnlock()
	if len(m.docs) < 2 {
		return nil
	}
	total := 0
	for _, d := range m.docs {
		total += d
	}
	v := float64(len(m.vocab))
	known := 0
	for _, g := range grams {
		if m.vocab[g] > 0 {
			known++
		}
	}
	scale := math.Max(1, float64(known)/evidenceScale)
	logp := map[string]float64{}
	best := math.Inf(-1)
	for t, d := range m.docs {
		lp := 0.0
		c, tot := m.counts[t], float64(m.totals[t])
		for _, g := range grams {
			if m.vocab[g] == 0 {
				continue
			}
			lp += math.Log((float64(c[g]) + 1) / (tot + v))
		}
		lp = lp/scale + math.Log(float64(d+1)/float64(total+len(m.docs)))
		logp[t] = lp
		best = math.Max(best, lp)
	}
	sum := 0.0
	for t, lp := range logp {
		logp[t] = math.Exp(lp - best)
		sum += logp[t]
	}
	for t := range logp {
		logp[t] /= sum
	}
	return logp
}

type modelJSON struct {
	Version int                       `json:"version"`
	Docs    map[string]int            `json:"docs"`
	Counts  map[string]map[string]int `json:"counts"`
}

// MarshalJSON encodes the model's counts so it can be stored and trained further later.
func (m *Model) MarshalJSON() ([]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return json.Marshal(modelJSON{Version: 1, Docs: m.docs, Counts: m.counts})
}

// UnmarshalJSON replaces the model with an encoded one.
func (m *Model) UnmarshalJSON(data []byte) error {
	var j modelJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	if j.Version != 1 {
		return fmt.Errorf("classify: model version %d not supported", j.Version)
	}
	fresh := NewModel()
	for t, d := range j.Docs {
		if d < 0 {
			return fmt.Errorf("classify: model has negative document count for %q", t)
		}
		fresh.docs[t] = d
	}
	for t, c := range j.Counts {
		cc := map[string]int{}
		for g, n := range c {
			if n <= 0 {
				continue
			}
			cc[g] = n
			fresh.vocab[g]++
			fresh.totals[t] += n
		}
		fresh.counts[t] = cc
		if _, ok := fresh.docs[t]; !ok {
			fresh.docs[t] = 0
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.docs, m.counts, m.totals, m.vocab = fresh.docs, fresh.counts, fresh.totals, fresh.vocab
	return nil
}
