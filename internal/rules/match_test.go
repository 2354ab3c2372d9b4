package rules

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/detect"
)

// mustSet parses and compiles a rule file given as text.
func mustSet(tb testing.TB, src string) *Set {
	tb.Helper()
	f, err := Parse("test.yaml", []byte(src))
	if err != nil {
		tb.Fatal(err)
	}
	s, err := Compile(f.Rules)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func fired(s *Set, text, lang string) []string {
	doc := arabic.Analyze(text)
	if lang != "" {
		doc.Lang = lang
	}
	var ids []string
	for _, m := range s.Match(doc) {
		ids = append(ids, m.Rule.ID)
	}
	return ids
}

const condRules = `rules:
  - id: any
    label: incitement
    severity: high
    any: ["اقتلوا", "kill them"]
  - id: all
    label: recruitment
    severity: medium
    all: ["انضم", "الدولة الاسلامية"]
  - id: none
    label: glorification
    severity: medium
    any: ["شهيد"]
    none: ["رحمه الله"]
  - id: near
    label: financing
    severity: medium
    near: {terms: ["تبرع", "المجاهدين"], within: 3}
  - id: regex
    label: violent-extremist-propaganda
    severity: low
    regex: ['t\.me/[a-z0-9_]+']
  - id: regex-and-term
    label: financing
    severity: low
    any: ["wallet"]
    regex: ['\b[13][a-z0-9]{25,34}\b']
  - id: lang
    label: incitement
    severity: low
    any: ["hrig"]
    lang: [ary]
`

func TestConditions(t *testing.T) {
	s := mustSet(t, condRules)
	tests := []struct {
		text, lang string
		want       []string
	}{
		{"اقتلوا الجميع", "", []string{"any"}},
		{"They said KILL them all", "", []string{"any"}},
		{"kill the process then them", "", nil},
		{"انضم الى الدولة الاسلامية اليوم", "", []string{"all"}},
		{"انضم الى الفريق", "", nil},
		{"الدولة الاسلامية في العراق", "", nil},
		{"سقط شهيد في المعركة", "", []string{"none"}},
		{"شهيد رحمه الله وغفر له", "", nil},
		{"تبرع الان لاخوانك المجاهدين", "", []string{"near"}},
		{"تبرع الان من فضلك لكل اخوانك المجاهدين", "", nil},
		{"المجاهدين يحتاجون تبرع", "", []string{"near"}},
		{"follow t.me/some_channel now", "", []string{"regex"}},
		{"follow telegram now", "", nil},
		{"send to wallet 1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "", []string{"regex-and-term"}},
		{"send to 1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "", nil},
		{"my wallet is empty", "", nil},
		{"bghit n hrig", "ary", []string{"lang"}},
		{"bghit n hrig", "ary-Latn", []string{"lang"}},
		{"bghit n hrig", "fr", nil},
	}
	for _, tc := range tests {
		got := fired(s, tc.text, tc.lang)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q (lang %q): fired %v, want %v", tc.text, tc.lang, got, tc.want)
		}
	}
}

func TestEvidenceSpans(t *testing.T) {
	s := mustSet(t, condRules)
	text := "قال: تبرع الآن لإخوانك المجاهدين!"
	doc := arabic.Analyze(text)
	ms := s.Match(doc)
	if len(ms) != 1 {
		t.Fatalf("matches %v", ms)
	}
	ev := Evidence(text, ms[0].Spans)
	if ev != "تبرع … المجاهدين" {
		t.Errorf("evidence %q", ev)
	}
	text = "see T.ME/Chan_1 please"
	ms = s.Match(arabic.Analyze(text))
	if len(ms) != 1 || Evidence(text, ms[0].Spans) != "T.ME/Chan_1" {
		t.Errorf("regex evidence: %v", ms)
	}
}

func TestTermsSharedAcrossRules(t *testing.T) {
	s := mustSet(t, `rules:
  - id: a
    label: incitement
    severity: low
    any: ["حرق", "حرق الكفار"]
  - id: b
    label: incitement
    severity: high
    all: ["حرق الكفار"]
`)
	if got := fired(s, "يجب حرق الكفار", ""); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("fired %v", got)
	}
	if got := fired(s, "حرق الغابات", ""); !slices.Equal(got, []string{"a"}) {
		t.Errorf("fired %v", got)
	}
	st := s.Stats()
	if st.Rules != 2 || st.Terms != 2 {
		t.Errorf("stats %+v", st)
	}
}

func TestCliticsDoNotOverMatch(t *testing.T) {
	s := mustSet(t, `rules:
  - id: book
    label: instructional
    severity: low
    any: ["كتاب"]
  - id: state
    label: recruitment
    severity: low
    any: ["الدولة"]
`)
	tests := []struct {
		text string
		want []string
	}{
		{"كتاب", []string{"book"}},
		{"وكتاب", []string{"book"}},
		{"تاب الى الله", nil},
		{"الدولة", []string{"state"}},
		{"للدولة", []string{"state"}},
		{"والدولة", []string{"state"}},
	}
	for _, tc := range tests {
		if got := fired(s, tc.text, ""); !slices.Equal(got, tc.want) {
			t.Errorf("%q: fired %v, want %v", tc.text, got, tc.want)
		}
	}
}

func TestRegexFoldsLiterals(t *testing.T) {
	s := mustSet(t, `rules:
  - id: r
    label: incitement
    severity: low
    regex: ['إرهاب\s+\S+']
`)
	if got := fired(s, "ارهابُ الدولة", ""); !slices.Equal(got, []string{"r"}) {
		t.Errorf("fired %v", got)
	}
}

func TestRequiredLiterals(t *testing.T) {
	tests := []struct {
		re   string
		want []string
	}{
		{`t\.me/\w+`, []string{"t.me/"}},
		{`(?:paypal|western union)\s+\d+`, []string{"paypal", "western union"}},
		{`\d{16}`, nil},
		{`ab`, nil}, // too short to be selective
		{`(?i)JOIN`, []string{"join"}},
		{`x*(hello)+`, []string{"hello"}},
		{`(foo|\d)`, nil},
	}
	for _, tc := range tests {
		got, err := requiredLiterals(tc.re)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q: %q, want %q", tc.re, got, tc.want)
		}
	}
}

func TestByteAC(t *testing.T) {
	lits := []string{"he", "she", "his", "hers", "ابو"}
	a := newByteAC(lits)
	var found []string
	find(a, "ushers and ابوبكر", func(id int32) { found = append(found, lits[id]) })
	slices.Sort(found)
	if strings.Join(found, ",") != "he,hers,she,ابو" {
		t.Errorf("found %v", found)
	}
}

func TestConcurrentMatch(t *testing.T) {
	s := mustSet(t, condRules)
	doc := arabic.Analyze("تبرع الان لاخوانك المجاهدين")
	done := make(chan bool)
	for range 4 {
		go func() {
			for range 200 {
				if len(s.Match(doc)) != 1 {
					done <- false
					return
				}
			}
			done <- true
		}()
	}
	for range 4 {
		if !<-done {
			t.Fatal("concurrent Match lost a result")
		}
	}
}

func TestGroups(t *testing.T) {
	s := mustSet(t, `lists:
  verbs: [انضموا, التحقوا]
rules:
  - id: g
    label: recruitment
    severity: high
    near: {terms: ["@verbs", "المجاهدين|الخلافة"], within: 3}
`)
	tests := []struct {
		text string
		want []string
	}{
		{"انضموا الى المجاهدين", []string{"g"}},
		{"التحقوا بدولة الخلافة", []string{"g"}},
		{"انضموا الى النادي", nil},
		{"الخلافة ... كلام طويل جدا هنا ثم التحقوا", nil},
	}
	for _, tc := range tests {
		if got := fired(s, tc.text, ""); !slices.Equal(got, tc.want) {
			t.Errorf("%q: fired %v, want %v", tc.text, got, tc.want)
		}
	}
}

func TestLongPhraseDoesNotBlowUp(t *testing.T) {
	// Eight words with a clitic and an Arabizi spelling each would make 4^8
	// trie paths without the cap.
	s := mustSet(t, `rules:
  - id: long
    label: incitement
    severity: low
    any: ["wal9tal wal9tal wal9tal wal9tal wal9tal wal9tal wal9tal wal9tal", "والكتاب والكتاب والكتاب والكتاب والكتاب والكتاب والكتاب والكتاب"]
`)
	if st := s.Stats(); st.Nodes > 2*8*maxPaths {
		t.Errorf("%d trie nodes for two phrases", st.Nodes)
	}
	if got := fired(s, "والكتاب والكتاب والكتاب والكتاب والكتاب والكتاب والكتاب والكتاب", ""); len(got) != 1 {
		t.Errorf("phrase as written did not fire: %v", got)
	}
}

func TestRegexText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"JOIN t.me/Khilafa_X", "join t.me/khilafa_x"},
		{"joiiiiin us", "join us"},
		{"jooin 1000", "jooin 1000"},
		{"دَاااعش\u200b!", "داعش!"},
		{"a\u00a0b", "a b"},
		{"ﺩﺍﻋﺶ", "داعش"},
		{"a\xff\xfeb", "a\ufffd\ufffdb"}, // invalid UTF-8 (found by FuzzMatch)
	}
	for _, tc := range tests {
		buf, offs := regexText(tc.in, nil, nil)
		if string(buf) != tc.want {
			t.Errorf("regexText(%q) = %q, want %q", tc.in, buf, tc.want)
		}
		if len(offs) != len(buf)+1 || offs[len(buf)] != int32(len(tc.in)) {
			t.Errorf("regexText(%q): %d offsets for %d bytes", tc.in, len(offs), len(buf))
		}
		for i := 1; i < len(offs); i++ {
			if offs[i] < offs[i-1] {
				t.Errorf("regexText(%q): offsets go back at %d", tc.in, i)
			}
		}
	}
}

func TestByteACLarge(t *testing.T) {
	// More states than the dense table allows: the map-based path.
	var lits []string
	for i := range 400 {
		lits = append(lits, fmt.Sprintf("w%03d%03dx", i, 999-i))
	}
	a := newByteAC(lits)
	if a.dfa != nil {
		t.Fatalf("%d states should not get a dense table", len(a.fail))
	}
	var found []int32
	find(a, "a w007992x and w123876xw399600x", func(id int32) { found = append(found, id) })
	if !slices.Equal(found, []int32{7, 123, 399}) {
		t.Errorf("found %v", found)
	}
	small := newByteAC(lits[:3])
	if small.dfa == nil {
		t.Fatal("small automaton has no dense table")
	}
	found = found[:0]
	find(small, "w001998xw002997x", func(id int32) { found = append(found, id) })
	if !slices.Equal(found, []int32{1, 2}) {
		t.Errorf("dense: found %v", found)
	}
}

func TestDetectorReplace(t *testing.T) {
	a := mustSet(t, "rules:\n  - id: a\n    label: incitement\n    severity: low\n    any: [alpha]\n")
	b := mustSet(t, "rules:\n  - id: b\n    label: recruitment\n    severity: high\n    any: [beta]\n")
	d := NewDetector(a)
	in := &detect.Input{Doc: arabic.Analyze("alpha beta")}
	sigs, _ := d.Detect(context.Background(), in)
	if len(sigs) != 1 || sigs[0].Rule != "a" || sigs[0].Evidence != "alpha" || sigs[0].Kind != detect.KindRule || sigs[0].Detector != "rules" || sigs[0].Details["source"] != "test.yaml:2" {
		t.Fatalf("before: %+v", sigs)
	}
	d.Replace(b)
	sigs, _ = d.Detect(context.Background(), in)
	if len(sigs) != 1 || sigs[0].Rule != "b" || sigs[0].Severity != "high" || d.Set() != b {
		t.Fatalf("after: %+v", sigs)
	}
}

func TestNeverFiresWarning(t *testing.T) {
	s := mustSet(t, `rules:
  - id: dead
    label: incitement
    severity: low
    any: ["داعش"]
    none: ["دَاعِش"]
  - id: dead-all
    label: incitement
    severity: low
    all: ["a|b", "c"]
    none: ["a", "b"]
  - id: alive
    label: incitement
    severity: low
    any: ["a", "d"]
    none: ["a"]
`)
	w := s.Warnings()
	if len(w) != 2 || !strings.Contains(w[0], `test.yaml:2: rule "dead" can never fire: every `+"`any`"+` term is also in`) || !strings.Contains(w[1], `rule "dead-all" can never fire: an `+"`all`") {
		t.Errorf("warnings = %q", w)
	}
}

func TestLowerWeighsExceptions(t *testing.T) {
	s := mustSet(t, `rules:
  - id: call
    label: incitement
    severity: high
    any: [اقتلوا]
    none: [ندين]
    lower: ["مصادر|حسب", "قال تعالى"]
`)
	cases := []struct {
		text    string
		fires   bool
		lowered int
	}{
		{"اقتلوا الكفار", true, 0},
		{"حسب مصادر: اقتلوا الكفار", true, 1}, // two terms of one item count once
		{"قال تعالى اقتلوا", true, 1},
		{"مصادر: قال تعالى اقتلوا", false, 0}, // two items: about the words, not in their voice
		{"ندين من قال اقتلوا", false, 0},
	}
	d := NewDetector(s)
	for _, c := range cases {
		ms := s.Match(arabic.Analyze(c.text))
		if (len(ms) > 0) != c.fires {
			t.Errorf("%q: fired %v, want %v", c.text, len(ms) > 0, c.fires)
			continue
		}
		if !c.fires {
			continue
		}
		if ms[0].Lowered != c.lowered {
			t.Errorf("%q: lowered %d, want %d", c.text, ms[0].Lowered, c.lowered)
		}
		sigs, _ := d.Detect(context.Background(), &detect.Input{Doc: arabic.Analyze(c.text)})
		wantScore, wantSev := 1.0, High
		if c.lowered == 1 {
			wantScore, wantSev = 0.5, Medium
		}
		if sigs[0].Score != wantScore || sigs[0].Severity != wantSev {
			t.Errorf("%q: score %v severity %s, want %v %s", c.text, sigs[0].Score, sigs[0].Severity, wantScore, wantSev)
		}
	}
}

func TestPredeclaredLists(t *testing.T) {
	opt := Options{Lists: map[string][]string{"entity-groups": {"داعش", "daesh"}}}
	f, err := ParseWith("p.yaml", []byte("rules:\n  - id: g\n    label: violent-extremist-propaganda\n    severity: low\n    any: [\"@entity-groups\"]\n"), opt)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Rules[0].Any; !slices.Equal(got, []string{"داعش", "daesh"}) {
		t.Errorf("any = %v", got)
	}
	_, err = ParseWith("p.yaml", []byte("lists:\n  entity-groups: [x]\nrules:\n  - id: g\n    label: benign\n    severity: low\n    any: [x]\n"), opt)
	if err == nil || !strings.Contains(err.Error(), "p.yaml:2:") || !strings.Contains(err.Error(), "predeclared") {
		t.Errorf("redefining a predeclared list: err = %v, want p.yaml:2: … predeclared", err)
	}
	// Without the option the list is unknown, with a file:line.
	_, err = Parse("p.yaml", []byte("rules:\n  - id: g\n    label: benign\n    severity: low\n    any: [\"@entity-groups\"]\n"))
	if err == nil || !strings.Contains(err.Error(), "unknown list") {
		t.Errorf("unknown list: err = %v", err)
	}
}
