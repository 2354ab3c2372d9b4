package retrieve

import (
	"context"

	"github.com/basira-org/basira/internal/detect"
)

// Detector turns claim matches into signals: a post that repeats a
// debunked claim gets a "claim" signal naming the claim, its rating and
// its correction. Matches to claims rated true or satire give no signal.
type Detector struct {
	m *Matcher
	// Threshold is the least Prob that makes a signal.
	Threshold float64
	// Top is how many claims a post may be matched to (best first).
	Top int
}

var _ detect.Detector = (*Detector)(nil)

// DefaultThreshold is the Prob above which a match becomes a signal.
const DefaultThreshold = 0.5

// NewDetector returns a detector over m with the default threshold and one
// signal per post at most.
func NewDetector(m *Matcher) *Detector {
	return &Detector{m: m, Threshold: DefaultThreshold, Top: 1}
}

// Name implements detect.Detector.
func (d *Detector) Name() string { return "claims" }

// Detect implements detect.Detector.
func (d *Detector) Detect(ctx context.Context, in *detect.Input) ([]detect.Signal, error) {
	t := AnalyzeDoc(in.Doc, in.Post.PostedAt)
	hits, err := d.m.MatchText(ctx, in.Post.Text, t, max(d.Top, 1)*3)
	if err != nil {
		return nil, err
	}
	var sigs []detect.Signal
	for _, h := range hits {
		if h.Prob < d.Threshold || !h.Claim.IsDebunk() {
			continue
		}
		c := h.Claim
		details := map[string]any{"claim_id": c.ID, "claim": c.Text}
		for k, v := range map[string]string{"rating": c.Rating, "rating_text": c.RatingText, "correction": c.Correction, "url": c.URL, "publisher": c.Publisher} {
			if v != "" {
				details[k] = v
			}
		}
		sigs = append(sigs, detect.Signal{
			Detector: "claims",
			Kind:     detect.KindClaim,
			Label:    "false-claim",
			Score:    h.Prob,
			Evidence: c.Text,
			Details:  details,
		})
		if len(sigs) == max(d.Top, 1) {
			break
		}
	}
	return sigs, nil
}
