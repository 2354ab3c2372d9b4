package retrieve

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/claims"
	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/post"
)

// fixtureClaims reads the claims package's test fixtures.
func fixtureClaims(t *testing.T) []claims.Claim {
	t.Helper()
	var all []claims.Claim
	for _, f := range []string{"claimreview_one.json", "claimreview_array.json", "claimreview_graph.jsonld", "claims.jsonl", "claims.csv", "claims.tsv"} {
		b, err := os.ReadFile(filepath.Join("..", "testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		cs, _, err := claims.Decode(bytes.NewReader(b), claims.SniffFormat(f, b), claims.Options{})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, cs...)
	}
	return all
}

func TestMatchAcrossScriptsAndLanguages(t *testing.T) {
	m := NewMatcher(NewIndex(fixtureClaims(t), Options{}), nil)
	for _, tc := range []struct {
		name, text, wantPrefix string
	}{
		{"MSA reworded", "عاجل: اللقاحات ضد كورونا تسبب العقم عند النساء!! شاركوا", "لقاح كورونا يسبب العقم"},
		{"Arabizi", "l9a7 corona kaydir l3o9m", "لقاح كورونا يسبب العقم"},
		{"French", "Les billets de 200 dirhams vont être supprimés par le gouvernement", "Le gouvernement marocain"},
		{"English", "bill gates is putting microchips in vaccines", "Bill Gates wants to microchip"},
		{"title only claim", "المدارس سيتم إغلاقها خبر", "عنوان فقط"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hits, err := m.Match(context.Background(), tc.text, nil, 3)
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) == 0 || !strings.HasPrefix(hits[0].Claim.Text, tc.wantPrefix) {
				t.Fatalf("top hit %v, want the claim starting %q", hits, tc.wantPrefix)
			}
			for i := 1; i < len(hits); i++ {
				if hits[i].Score > hits[i-1].Score {
					t.Errorf("hits not sorted by score: %v", hits)
				}
			}
		})
	}
	hits, err := m.Match(context.Background(), "مباراة اليوم كانت رائعة", nil, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		if h.Prob >= DefaultThreshold {
			t.Errorf("an unrelated post matched %q with %.2f", h.Claim.Text, h.Prob)
		}
	}
}

func TestDetector(t *testing.T) {
	d := NewDetector(NewMatcher(NewIndex(fixtureClaims(t), Options{}), nil))
	run := func(text string) []detect.Signal {
		p := &post.Post{ID: "p", Text: text}
		sigs, err := d.Detect(context.Background(), detect.Analyze(p))
		if err != nil {
			t.Fatal(err)
		}
		return sigs
	}
	sigs := run("لقاح كورونا يسبب العقم للنساء، احذروا")
	if len(sigs) != 1 {
		t.Fatalf("got %d signals, want 1", len(sigs))
	}
	s := sigs[0]
	if s.Detector != "claims" || s.Kind != detect.KindClaim || s.Label != "false-claim" || s.Score < DefaultThreshold ||
		s.Details["rating"] != claims.RatingFalse || !strings.HasPrefix(s.Details["correction"].(string), "لا توجد") ||
		s.Details["url"] != "https://factcheck.example/ar/2021/vaccine-infertility" || s.Details["claim_id"] == "" {
		t.Errorf("signal %+v", s)
	}
	// A claim rated true is not a rumour: no signal.
	if sigs := run("The stadium will host the final in 2030"); len(sigs) != 0 {
		t.Errorf("true claim signalled: %+v", sigs)
	}
	if sigs := run("مباراة اليوم كانت رائعة"); len(sigs) != 0 {
		t.Errorf("unrelated post signalled: %+v", sigs)
	}
}

func TestModelFile(t *testing.T) {
	m := NewModel(nil, nil, "fallbacks")
	var buf bytes.Buffer
	if err := m.WriteModel(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := ReadModel(bytes.NewReader(buf.Bytes()))
	if err != nil || back.Trained != "fallbacks" || len(back.Arabic.Weights) != len(FeatureNames) {
		t.Fatalf("round trip: %v %+v", err, back)
	}
	for _, tc := range []struct{ name, from, to, want string }{
		{"other features", `"first_rel"`, `"renamed"`, "other features"},
		{"other format", modelFormat, "x/1", "retrain"},
		{"not json", "{", "[", "not a claims re-ranker model"},
	} {
		bad := strings.Replace(buf.String(), tc.from, tc.to, 1)
		if _, err := ReadModel(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestTrailingDateAndDateFeature(t *testing.T) {
	d := TrailingDate("Oreo x Lady Gaga packs drop today! — OREO Cookie (@Oreo) January 28, 2021")
	if d == nil || d.Format(time.DateOnly) != "2021-01-28" {
		t.Fatalf("TrailingDate: %v", d)
	}
	if TrailingDate("no date here") != nil {
		t.Error("date found in a text without one")
	}
	cs := fixtureClaims(t)
	ix := NewIndex(cs, Options{})
	cands := ix.Candidates(Analyze("Bill Gates microchip vaccines", d))
	found := false
	for _, c := range cands {
		if c.Claim.ID == "k1" {
			found = true
			if c.Features[xDateKnown] != 1 || c.Features[xDateAfter] != 0 || c.Features[xDateGap] < 5 {
				t.Errorf("date features of a claim checked 9 months before the post: %v", c.Features[xDateKnown:])
			}
		}
	}
	if !found {
		t.Error("claim k1 not among the candidates")
	}
}

// TestMatcherConcurrent runs matches from several goroutines (as scan's
// workers do) and expects the sequential results.
func TestMatcherConcurrent(t *testing.T) {
	m := NewMatcher(NewIndex(fixtureClaims(t), Options{}), nil)
	texts := []string{"لقاح كورونا يسبب العقم", "bill gates microchip", "billets de 200 dirhams", "l9a7 corona", "nothing"}
	want := make([]string, len(texts))
	top := func(s string) string {
		hits, err := m.Match(context.Background(), s, nil, 1)
		if err != nil || len(hits) == 0 {
			return ""
		}
		return hits[0].Claim.ID
	}
	for i, s := range texts {
		want[i] = top(s)
	}
	errs := make(chan string, 100)
	done := make(chan struct{})
	for g := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for k := range 50 {
				i := (g + k) % len(texts)
				if got := top(texts[i]); got != want[i] {
					errs <- texts[i] + ": " + got + " != " + want[i]
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
