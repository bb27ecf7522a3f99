package classify

import (
	"math"
	"sort"
)

// DefaultReviewThreshold is the confidence below which a person should confirm the type.
const DefaultReviewThreshold = 0.6

// NeedsReview reports whether a classification is too unsure to file without a person's look.
func NeedsReview(confidence, threshold float64) bool { return confidence < threshold }

const (
	// ruleTemperature turns rule scores into probabilities: a lead of this many points
	// multiplies the odds by e.
	ruleTemperature = 2.0
	// MinModelExamples is how many confirmed documents the model needs before it has a say.
	MinModelExamples = 10
	// maxModelShare caps the model's share of the decision; rules stay the backbone because
	// halls edit them when their forms change.
	maxModelShare = 0.5
)

// Classifier combines a taxonomy's rules with an optional learned model.
type Classifier struct {
	tax   *Taxonomy
	model *Model
}

// New returns a classifier; tax nil means Default(), model may be nil.
func New(tax *Taxonomy, model *Model) *Classifier {
	if tax == nil {
		tax = Default()
	}
	return &Classifier{tax: tax, model: model}
}

// Taxonomy returns the taxonomy the classifier uses.
func (c *Classifier) Taxonomy() *Taxonomy { return c.tax }

// Candidate is one type with its probability.
type Candidate struct {
	Type        string  `json:"type"`
	Probability float64 `json:"probability"`
}

// Classify returns the most likely type of text and a confidence in [0,1].
func (c *Classifier) Classify(text string) (typ string, confidence float64) {
	r := c.Rank(text)
	return r[0].Type, r[0].Probability
}

// Rank returns every type of the taxonomy with its probability, most likely first.
func (c *Classifier) Rank(text string) []Candidate {
	scores := c.tax.Scores(text)
	probs := softmax(scores, ruleTemperature)
	if c.model != nil {
		if n := c.model.Examples(); n >= MinModelExamples {
			if mp := c.model.Predict(text); mp != nil {
				share := math.Min(maxModelShare, float64(n)/float64(n+40))
				for i, ty := range c.tax.Types {
					probs[i] = (1-share)*probs[i] + share*mp[ty.Name]
				}
			}
		}
	}
	out := make([]Candidate, len(probs))
	for i, ty := range c.tax.Types {
		out[i] = Candidate{Type: ty.Name, Probability: probs[i]}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Probability > out[j].Probability })
	return out
}

func softmax(scores []float64, temperature float64) []float64 {
	best := math.Inf(-1)
	for _, s := range scores {
		best = math.Max(best, s)
	}
	out := make([]float64, len(scores))
	sum := 0.0
	for i, s := range scores {
		out[i] = math.Exp((s - best) / temperature)
		sum += out[i]
	}
	for i := range out {
		out[i] /= sum
	}
	return out
}
