package rules

import (
	"context"
	"sync/atomic"

	"github.com/basira-org/basira/internal/detect"
)

// DetectorName is the name of the rules detector in signals.
const DetectorName = "rules"

// Detector runs a compiled Set as a pipeline detector. The set can be
// replaced while posts are being scanned (a rule reload in `serve`): each
// post is matched against one set, the old or the new.
type Detector struct {
	set atomic.Pointer[Set]
}

var _ detect.Detector = (*Detector)(nil)

// NewDetector returns a detector over set.
func NewDetector(set *Set) *Detector {
	d := &Detector{}
	d.set.Store(set)
	return d
}

// Replace makes the detector use set for the posts it scans from now on.
func (d *Detector) Replace(set *Set) { d.set.Store(set) }

// Set returns the rule set in use.
func (d *Detector) Set() *Set { return d.set.Load() }

// Name is "rules".
func (d *Detector) Name() string { return DetectorName }

// details tells an analyst what the rule is for and where it is written.
func (r *Rule) details() map[string]any {
	d := map[string]any{"source": r.Pos()}
	if r.Description != "" {
		d["description"] = r.Description
	}
	return d
}

// Detect returns one signal per rule that fires on the post, with the
// matched spans of the original text as evidence.
func (d *Detector) Detect(_ context.Context, in *detect.Input) ([]detect.Signal, error) {
	ms := d.set.Load().Match(in.Doc)
	if len(ms) == 0 {
		return nil, nil
	}
	sigs := make([]detect.Signal, len(ms))
	for i, m := range ms {
		score, sev := m.Rule.Lowered(m.Lowered)
		details := m.Rule.details()
		if m.Lowered > 0 {
			// Say why the score is lower: the analyst sees the rule fired
			// despite a news or scripture marker.
			details["lowered_by"] = m.Lowered
		}
		sigs[i] = detect.Signal{
			Detector: DetectorName,
			Kind:     detect.KindRule,
			Rule:     m.Rule.ID,
			Label:    m.Rule.Label,
			Severity: sev,
			Score:    score,
			Evidence: Evidence(in.Doc.Original, m.Spans),
			Spans:    m.Spans,
			Details:  details,
		}
	}
	return sigs, nil
}
