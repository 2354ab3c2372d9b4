package rules

import (
	"bufio"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/refdata"
	"github.com/basira-org/basira/internal/rules/evalset"
	rulepack "github.com/basira-org/basira/rules"
)

func loadJihadist(tb testing.TB) *Set {
	tb.Helper()
	rs, warns, err := LoadPathsWith(nil, Options{Packs: []Pack{{Name: BuiltinPrefix + "rules/jihadist.yaml", Data: rulepack.Jihadist}}})
	if err != nil {
		tb.Fatal(err)
	}
	if len(warns) > 0 {
		tb.Errorf("jihadist pack has warnings: %v", warns)
	}
	s, err := Compile(rs)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// TestJihadistPackExamples runs every rule's match: and no_match: examples
// of the default pack, as `basira rules check` does.
func TestJihadistPackExamples(t *testing.T) {
	s := loadJihadist(t)
	for _, r := range s.Rules() {
		if len(r.Match) == 0 || len(r.NoMatch) == 0 {
			t.Errorf("%s: rule %s has no match/no_match examples", r.Pos(), r.ID)
		}
		fires := func(ex string) bool {
			return slices.ContainsFunc(s.Match(arabic.Analyze(ex)), func(m Match) bool { return m.Rule.ID == r.ID })
		}
		for _, ex := range r.Match {
			if !fires(ex) {
				t.Errorf("%s: %s does not fire on %q", r.Pos(), r.ID, ex)
			}
		}
		for _, ex := range r.NoMatch {
			if fires(ex) {
				t.Errorf("%s: %s fires on no_match %q", r.Pos(), r.ID, ex)
			}
		}
	}
}

// TestJihadistPackVoiceOverMarkers: a news or scripture marker lowers a
// post whose own voice claims an attack or calls to kill, but does not
// hide it; reporting with quotation, or condemnation, does.
func TestJihadistPackVoiceOverMarkers(t *testing.T) {
	s := loadJihadist(t)
	cases := []struct {
		text    string
		rule    string // "" = nothing fires
		lowered int
	}{
		// A "breaking" attack claim: عاجل is the claim's own header.
		{"#عاجل استهداف ثكنة للجيش الصفوي بعبوة ناسفة مما أدى إلى هلاك من فيها ولله الحمد", "jh-claim-enemy", 0},
		// A claim relayed with a source word: lowered, still flagged.
		{"مصادر: تفجير عبوة ناسفة على رتل للمرتدين ولله الحمد", "jh-claim-enemy", 1},
		// A verse turned into a call: quoted, lowered, flagged.
		{"قال تعالى فاقتلوهم حيث ثقفتموهم، فاقتلوا الروافض يا أسود الخلافة", "jh-incite-kill", 1},
		// The verse with its exegesis: religious speech.
		{"قال تعالى فاقتلوا المرتدين، وتفسير الآية عند العلماء أنها نزلت في سياق الحرب", "", 0},
		// Condemnation hides.
		{"ندين استهداف المصلين بعبوة ناسفة، فعل الخوارج الصفويين", "", 0},
	}
	for _, c := range cases {
		ms := s.Match(arabic.Analyze(c.text))
		if c.rule == "" {
			if len(ms) > 0 {
				t.Errorf("%q: fired %s, want nothing", c.text, ms[0].Rule.ID)
			}
			continue
		}
		i := slices.IndexFunc(ms, func(m Match) bool { return m.Rule.ID == c.rule })
		if i < 0 {
			t.Errorf("%q: %s does not fire (fired %d rules)", c.text, c.rule, len(ms))
			continue
		}
		if ms[i].Lowered != c.lowered {
			t.Errorf("%q: %s lowered by %d, want %d", c.text, c.rule, ms[i].Lowered, c.lowered)
		}
	}
}

// TestJihadistPackOnBenignData runs the default pack over the benign text
// of the reference data (Arabic news tweets and fact-checks, Moroccan
// comments, tweets labelled not offensive, Arabizi, English fact-checks).
// Over-enforcement on Arabic is the harm this field is known for: the
// pack must stay under 0.1% on every source. The hits are logged.
func TestJihadistPackOnBenignData(t *testing.T) {
	refdata.Path(t, "claims/ar-ct2021-2a")
	texts, err := evalset.Benign(refdata.Dir())
	if err != nil {
		t.Fatal(err)
	}
	s := loadJihadist(t)
	total, flagged := map[string]int{}, map[string]int{}
	for _, b := range texts {
		total[b.Source]++
		for _, m := range s.Match(arabic.Analyze(b.Text)) {
			flagged[b.Source]++
			t.Logf("%s %s: %s fired on %q", b.Source, b.ID, m.Rule.ID, b.Text)
			break
		}
	}
	for _, src := range EvalSources() {
		rate := float64(flagged[src]) / float64(max(total[src], 1))
		t.Logf("%-18s %6d texts, %3d flagged (%.3f%%)", src, total[src], flagged[src], 100*rate)
		if total[src] > 0 && rate > 0.001 {
			t.Errorf("%s: %d of %d flagged (%.3f%%), more than 0.1%%", src, flagged[src], total[src], 100*rate)
		}
	}
}

// EvalSources lists evalset's benign sources, for the table above.
func EvalSources() []string { return evalset.BenignSources }

// TestJihadistPackRecall measures the default pack on the Arabic
// pro-ISIS tweets of extremism-llm (evaluation only, never shipped) and
// asserts floors a little under the figures in docs/extremism.md.
func TestJihadistPackRecall(t *testing.T) {
	path := refdata.Path(t, "extremism/alfifi-train.jsonl")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := loadJihadist(t)
	var pos, pos8, neg, hit, hit8, fp int
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r struct {
			ID, Text, Label string
			Votes           int `json:"llm_isis_votes"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		got := len(s.Match(arabic.Analyze(r.Text))) > 0
		switch {
		case r.Label == "isis":
			pos++
			if got {
				hit++
			}
			if r.Votes == 8 {
				pos8++
				if got {
					hit8++
				}
			}
		default:
			neg++
			if got {
				fp++
				t.Logf("negative flagged: %s", strings.ReplaceAll(r.Text, "\n", " "))
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	recall, recall8 := float64(hit)/float64(pos), float64(hit8)/float64(pos8)
	t.Logf("recall %.3f (%d/%d), plain from the text (8 votes) %.3f (%d/%d), negatives flagged %d/%d", recall, hit, pos, recall8, hit8, pos8, fp, neg)
	if recall < 0.64 || recall8 < 0.73 {
		t.Errorf("recall %.3f / %.3f (8 votes) fell under 0.64 / 0.73", recall, recall8)
	}
	if fp > 3 {
		t.Errorf("%d random tweets flagged, want at most 3", fp)
	}
}

// TestJihadistPackSamplePosts: on testdata/posts.jsonl, the benign posts
// (news, counter-speech, religious and everyday speech in MSA, Darija,
// Arabizi, French and English) fire nothing, and the evasive extremist
// posts fire, except p29 (a bare channel link: nothing but a link to judge).
func TestJihadistPackSamplePosts(t *testing.T) {
	s := loadJihadist(t)
	f, err := os.Open("../../testdata/posts.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var p struct{ ID, Text string }
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		ms := s.Match(arabic.Analyze(p.Text))
		extremist := p.ID >= "p17" && p.ID != "p29"
		switch {
		case !extremist && len(ms) > 0:
			t.Errorf("%s (benign) fired %s: %s", p.ID, ms[0].Rule.ID, p.Text)
		case extremist && len(ms) == 0:
			t.Errorf("%s not flagged: %s", p.ID, p.Text)
		}
	}
}

// TestJihadistPackProbes runs the team's hand-written probes
// (testdata/extremism_probes.tsv): extremist posts of each pattern the
// pack is meant to catch, and hard negatives (news about terrorism,
// counter-speech, religious speech, Darija daily talk) it must not flag.
func TestJihadistPackProbes(t *testing.T) {
	s := loadJihadist(t)
	data, err := os.ReadFile("../../testdata/extremism_probes.tsv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")[1:]
	if len(lines) < 60 {
		t.Fatalf("%d probes, want at least 60", len(lines))
	}
	for i, line := range lines {
		f := strings.SplitN(line, "\t", 3)
		if len(f) != 3 || (f[1] != "flag" && f[1] != "ok") {
			t.Fatalf("extremism_probes.tsv:%d: want pattern<TAB>flag|ok<TAB>text", i+2)
		}
		ms := s.Match(arabic.Analyze(f[2]))
		if got := len(ms) > 0; got != (f[1] == "flag") {
			var ids []string
			for _, m := range ms {
				ids = append(ids, m.Rule.ID)
			}
			t.Errorf("extremism_probes.tsv:%d (%s, want %s): fired %v: %s", i+2, f[0], f[1], ids, f[2])
		}
	}
}
