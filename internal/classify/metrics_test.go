package classify

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestAveragePrecision(t *testing.T) {
	tests := []struct {
		scores []float64
		pos    []bool
		want   float64
	}{
		// Ranked: + - + -> (1/1 + 2/3) / 2
		{[]float64{0.9, 0.8, 0.7, 0.1}, []bool{true, false, true, false}, (1 + 2.0/3) / 2},
		{[]float64{0.1, 0.9}, []bool{true, false}, 0.5},
		{[]float64{0.5, 0.4}, []bool{false, false}, 0},
		{[]float64{0.9, 0.8, 0.7}, []bool{true, true, true}, 1},
	}
	for _, tt := range tests {
		if got := AveragePrecision(tt.scores, tt.pos); !near(got, tt.want) {
			t.Errorf("AP(%v, %v) = %v, want %v", tt.scores, tt.pos, got, tt.want)
		}
	}
}

func TestCalibrationError(t *testing.T) {
	// Bin [0.2,0.3): mean p 0.25, 1 of 4 positive -> gap 0; bin [0.9,1): p
	// 0.95 with both positive -> gap 0.05 on 2 of 6.
	scores := []float64{0.25, 0.25, 0.25, 0.25, 0.95, 0.95}
	pos := []bool{true, false, false, false, true, true}
	if got, want := CalibrationError(scores, pos, 10), 2*0.05/6; !near(got, want) {
		t.Errorf("ECE = %v, want %v", got, want)
	}
	if got := CalibrationError([]float64{1, 0}, []bool{true, false}, 10); !near(got, 0) {
		t.Errorf("perfect ECE = %v", got)
	}
}

func TestThresholdForPrecision(t *testing.T) {
	scores := []float64{0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4}
	pos := []bool{true, true, true, false, true, false, false}
	// Top 3: precision 1; top 5: 4/5 = 0.8; top 4: 3/4.
	tt, p, r := thresholdForPrecision(scores, pos, 0.8, 1)
	if tt != 0.6 || !near(p, 0.8) || !near(r, 1) {
		t.Errorf("target 0.8: t=%v p=%v r=%v, want 0.6 0.8 1", tt, p, r)
	}
	if tt, _, _ := thresholdForPrecision(scores, pos, 1, 1); tt != 0.8 {
		t.Errorf("target 1: t=%v, want 0.8", tt)
	}
	if tt, _, _ := thresholdForPrecision(scores, pos, 1, 4); tt != 2 {
		t.Errorf("target 1 with 4 flagged: t=%v, want 2 (never)", tt)
	}
	pt := PointAt(scores, pos, 0.6)
	if pt.Flagged != 5 || pt.TP != 4 || !near(pt.Precision, 0.8) {
		t.Errorf("PointAt = %+v", pt)
	}
}

func TestEvaluatePredictionsBinary(t *testing.T) {
	meta := &Meta{Mode: Binary, Negative: "NOT", Labels: []LabelInfo{{Name: "OFF", Decision: 0.5, Flag: 0.8}}}
	exs := []Example{
		{Labels: []string{"OFF"}}, {Labels: []string{"OFF"}}, {Labels: []string{"NOT"}}, {Labels: []string{"NOT"}}, {Labels: []string{"NOT"}},
	}
	probs := []float64{0.9, 0.3, 0.6, 0.1, 0.2}
	m := &Model{meta: *meta}
	var preds []Prediction
	for _, p := range probs {
		preds = append(preds, m.decide([]float64{p}))
	}
	r := EvaluatePredictions(meta, exs, preds, 0.99)
	// OFF: tp 1, predicted 2, support 2 -> P .5 R .5 F1 .5.
	// NOT: tp 2, predicted 3, support 3 -> P 2/3 R 2/3 F1 2/3.
	if r.Classes[0].Label != "NOT" || r.Classes[1].Label != "OFF" {
		t.Fatalf("classes %+v", r.Classes)
	}
	if !near(r.Classes[1].F1, 0.5) || !near(r.Classes[0].F1, 2.0/3) {
		t.Errorf("F1 = %v / %v", r.Classes[1].F1, r.Classes[0].F1)
	}
	if !near(r.MacroF1, (0.5+2.0/3)/2) || !near(r.Accuracy, 0.6) {
		t.Errorf("macro %v acc %v", r.MacroF1, r.Accuracy)
	}
	want := [][]int{{2, 1}, {1, 1}}
	for g := range want {
		for p := range want[g] {
			if r.Confusion[g][p] != want[g][p] {
				t.Fatalf("confusion %v, want %v", r.Confusion, want)
			}
		}
	}
	if af := r.Classes[1].AtFlag; af == nil || af.Flagged != 1 || af.TP != 1 {
		t.Errorf("at flag %+v", af)
	}
	if at := r.Classes[1].AtTarget; at == nil || at.Threshold != 0.9 {
		t.Errorf("at target %+v", at)
	}
}

func TestDecideMultiClassPrefersLabelsAboveTheirThreshold(t *testing.T) {
	m := &Model{meta: Meta{Mode: MultiClass, Negative: "normal", Labels: []LabelInfo{
		{Name: "abusive", Decision: 0.4, Flag: 0.9}, {Name: "hate", Decision: 0.2, Flag: 0.5}, {Name: "normal", Decision: 0.5, Flag: 2},
	}}}
	p := m.decide([]float64{0.35, 0.3, 0.45})
	if p.Label != "hate" { // 0.3/0.2 = 1.5 beats 0.35/0.4 and 0.45/0.5
		t.Errorf("label %q, want hate", p.Label)
	}
	if len(p.Flagged) != 0 {
		t.Errorf("flagged %v", p.Flagged)
	}
	p = m.decide([]float64{0.1, 0.6, 0.99})
	if len(p.Flagged) != 1 || p.Flagged[0] != 1 {
		t.Errorf("flagged %v, want [1] (never the negative label)", p.Flagged)
	}
}

func TestPlattFitsSeparableScores(t *testing.T) {
	var dec []float64
	var pos []bool
	for i := range 200 {
		d := float64(i-100) / 25
		dec = append(dec, d)
		pos = append(pos, d > 0)
	}
	a, b := fitPlatt(dec, pos)
	if a >= 0 {
		t.Fatalf("A = %v, want negative (higher decision, higher probability)", a)
	}
	if p := sigmoidPlatt(a, b, 3); p < 0.95 {
		t.Errorf("p(3) = %v", p)
	}
	if p := sigmoidPlatt(a, b, -3); p > 0.05 {
		t.Errorf("p(-3) = %v", p)
	}
}
