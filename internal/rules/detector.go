package rules

import (
	"context"

	"github.com/basira-org/basira/internal/detect"
)

// DetectorName is the name of the rules detector in signals.
const DetectorName = "rules"

// Detector runs a compiled Set as a pipeline detector.
type Detector struct {
	set *Set
}

var _ detect.Detector = (*Detector)(nil)

// NewDetector returns a detector over set.
func NewDetector(set *Set) *Detector { return &Detector{set: set} }

// Name is "rules".
func (d *Detector) Name() string { return DetectorName }

// Detect returns one signal per rule that fires on the post, with the
// matched spans of the original text as evidence.
func (d *Detector) Detect(_ context.Context, in *detect.Input) ([]detect.Signal, error) {
	ms := d.set.Match(in.Doc)
	if len(ms) == 0 {
		return nil, nil
	}
	sigs := make([]detect.Signal, len(ms))
	for i, m := range ms {
		sigs[i] = detect.Signal{
			Detector: DetectorName,
			Kind:     detect.KindRule,
			Rule:     m.Rule.ID,
			Label:    m.Rule.Label,
			Severity: m.Rule.Severity,
			Score:    m.Rule.Score(),
			Evidence: Evidence(in.Doc.Original, m.Spans),
			Spans:    m.Spans,
		}
	}
	return sigs, nil
}
