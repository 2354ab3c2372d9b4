package namematch

import (
	"math"
	"testing"
)

func FuzzScore(f *testing.F) {
	f.Add("أيمن الظواهري", "Ayman al-Zawahiri")
	f.Add("Abd al-Rahman Ould", "عبد الرحمن ولد")
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a) > 1024 || len(b) > 1024 {
			return
		}
		s := Score(Prepare(a), Prepare(b))
		if math.IsNaN(s) || s < 0 || s > 1.0000001 {
			t.Fatalf("Score(%q, %q) = %v", a, b, s)
		}
		if j := JaroWinkler(a, b); j < 0 || j > 1.0000001 {
			t.Fatalf("JaroWinkler = %v", j)
		}
	})
}
