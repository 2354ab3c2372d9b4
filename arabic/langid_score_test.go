package arabic

import "testing"

// TestScore2MatchesFeatures checks the fast language-ID path (score3, with
// its per-word cache) against the plain one (the feature list of the
// trainer, then one weight lookup per feature) on real tweets, twice over
// so that the second pass reads cached words.
func TestScore2MatchesFeatures(t *testing.T) {
	m := langModel()
	if m.err != nil {
		t.Fatal(m.err)
	}
	w3 := m.fam[familyArabic].first3
	posts := realPosts(t)
	s := &scanner{}
	checked := 0
	for pass := range 2 {
		for i, p := range posts {
			s.reset()
			s.scan(p)
			folded := string(s.buf)
			var want0, want1, want2 int32
			for _, h := range s.features(folded, nil) {
				b := w3[h>>(32-langBits)]
				want0 += int32(b[0])
				want1 += int32(b[1])
				want2 += int32(b[2])
			}
			wantMarker := s.marker
			got0, got1, got2 := s.score3(folded, w3)
			if got0 != want0 || got1 != want1 || got2 != want2 || s.marker != wantMarker {
				t.Fatalf("pass %d, post %d: score3 = %d, %d, %d (marker %v), features give %d, %d, %d (marker %v)\n%s",
					pass, i, got0, got1, got2, s.marker, want0, want1, want2, wantMarker, p)
			}
			checked++
		}
	}
	hits := 0
	for _, e := range s.words {
		if e.n > 0 {
			hits++
		}
	}
	if hits < 100 {
		t.Errorf("word cache holds %d words after %d posts", hits, checked)
	}
}

// TestAnalyzeConcurrent runs Analyze from several goroutines (pooled
// scanners with their word caches) and expects the sequential results;
// run with -race to check the scanners are never shared.
func TestAnalyzeConcurrent(t *testing.T) {
	posts := realPosts(t)
	want := make([]string, len(posts))
	for i, p := range posts {
		d := Analyze(p)
		want[i] = d.Lang + "|" + d.Folded
	}
	errs := make(chan string, 4)
	for g := range 4 {
		go func() {
			bad := ""
			for k := range posts {
				i := (k*7 + g*977) % len(posts)
				d := Analyze(posts[i])
				if got := d.Lang + "|" + d.Folded; got != want[i] && bad == "" {
					bad = posts[i] + ": " + got + ", want " + want[i]
				}
			}
			errs <- bad
		}()
	}
	for range 4 {
		if e := <-errs; e != "" {
			t.Error(e)
		}
	}
}
