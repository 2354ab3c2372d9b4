package loadtest

import (
	"testing"

	"github.com/basira-org/basira/internal/pipeline"
	"github.com/basira-org/basira/internal/textsig"
)

// The two bench workloads: with campaigns 0 no two flagged posts fold
// together (each opens its own case); with a few campaigns, copies fold.
func TestSynthWorkloads(t *testing.T) {
	const n = 300
	var sigs []textsig.Signature
	keys := map[string]bool{}
	for i := range n {
		p := SynthPost(7, i, 0, 1)
		keys[pipeline.ClusterKey(p.Text)] = true
		s, err := textsig.Of(p.Text)
		if err != nil {
			t.Fatalf("post %d %q: %v", i, p.Text, err)
		}
		sigs = append(sigs, s)
	}
	if len(keys) != n {
		t.Errorf("distinct workload: %d cluster keys for %d posts", len(keys), n)
	}
	for i := range sigs {
		for j := range i {
			if sim := textsig.Similarity(&sigs[i], &sigs[j]); sim >= textsig.DefaultThreshold {
				t.Fatalf("distinct posts %d and %d fold (similarity %.2f)", i, j, sim)
			}
		}
	}
	campaign := map[string]bool{}
	for i := range n {
		campaign[pipeline.ClusterKey(SynthPost(7, i, 5, 1).Text)] = true
	}
	if len(campaign) > 5 {
		t.Errorf("campaign workload: %d exact keys, want at most 5", len(campaign))
	}
}
