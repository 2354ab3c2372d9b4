package trending

import (
	"bufio"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/refdata"
)

// TestLexicalWorthinessDev reports the lexical stand-in's figures on the
// CheckThat! 2021 1A Arabic dev split (AP over the ranking, F1 at 0.5).
// The bar is only "clearly better than chance": the trained classifier
// belongs to internal/classify.
func TestLexicalWorthinessDev(t *testing.T) {
	f, err := os.Open(refdata.Path(t, "checkworthy/CT21-AR-Dev-T1-Labels.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// One tweet per line, tab-separated, quotes not special.
	var rows [][]string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		rows = append(rows, strings.Split(sc.Text(), "\t"))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	type scored struct {
		s   float64
		pos bool
	}
	var ss []scored
	var tp, fp, fn, npos float64
	for _, row := range rows[1:] {
		if len(row) != 6 {
			continue
		}
		s := Lexical{}.Score(arabic.Analyze(row[3]))
		pos := row[5] == "1"
		ss = append(ss, scored{s, pos})
		if pos {
			npos++
		}
		switch {
		case s >= 0.5 && pos:
			tp++
		case s >= 0.5:
			fp++
		case pos:
			fn++
		}
	}
	sort.SliceStable(ss, func(i, j int) bool { return ss[i].s > ss[j].s })
	var hits, ap float64
	for i, x := range ss {
		if x.pos {
			hits++
			ap += hits / float64(i+1)
		}
	}
	ap /= npos
	p, rc := tp/(tp+fp), tp/(tp+fn)
	f1 := 2 * p * rc / (p + rc)
	base := npos / float64(len(ss))
	t.Logf("%d dev tweets, %.0f check-worthy (%.3f): AP %.3f, at 0.5 precision %.3f recall %.3f F1 %.3f", len(ss), npos, base, ap, p, rc, f1)
	if ap < base+0.1 {
		t.Errorf("AP %.3f is not clearly above chance (%.3f)", ap, base)
	}
}
