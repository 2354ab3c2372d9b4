package arabic

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/basira-org/basira/internal/refdata"
)

func TestAnalyzeTokens(t *testing.T) {
	type tok struct {
		text, orig, base, translit string
	}
	cases := []struct {
		in   string
		want []tok
		lang string
	}{
		{"داااعش لداعش", []tok{{"داعش", "داااعش", "", ""}, {"لداعش", "لداعش", "داعش", ""}}, ""},
		{"انضموا الى د ا ع ش", []tok{{"انضموا", "انضموا", "", ""}, {"الي", "الى", "", ""}, {"داعش", "د ا ع ش", "", ""}}, ""},
		{"ق.م.ا.ر", []tok{{"قمار", "ق.م.ا.ر", "", ""}}, ""},
		{"دا*عش cas*ino *مهم* 5*3", []tok{{"داعش", "دا*عش", "", ""}, {"casino", "cas*ino", "", ""}, {"مهم", "مهم", "", ""}, {"5", "5", "", ""}, {"3", "3", "", ""}}, ""},
		{"الله*الوطن*الملك", []tok{{"الله", "الله", "", ""}, {"الوطن", "الوطن", "وطن", ""}, {"الملك", "الملك", "ملك", ""}}, ""},
		{"انصروا دولـ ـة الخلافـ ـة", []tok{{"انصروا", "انصروا", "", ""}, {"دوله", "دولـ ـة", "", ""}, {"الخلافه", "الخلافـ ـة", "خلافه", ""}}, ""},
		{"و و و كتاب", []tok{{"و", "و", "", ""}, {"و", "و", "", ""}, {"و", "و", "", ""}, {"كتاب", "كتاب", "", ""}}, ""},
		{"والدولة الإسلامية", []tok{{"والدوله", "والدولة", "دوله", ""}, {"الاسلاميه", "الإسلامية", "اسلاميه", ""}}, ""},
		{"الللله أكبر", []tok{{"الله", "الللله", "", ""}, {"اكبر", "أكبر", "", ""}}, ""},
		{"مر\u200bحبا", []tok{{"مرحبا", "مر\u200bحبا", "", ""}}, ""},
		{"sa2al https://t.co/Ab3x7 @m9adin", []tok{{"sa2al", "sa2al", "", "ساءال"}, {"https", "https", "", ""}, {"t", "t", "", ""}, {"co", "co", "", ""}, {"ab3x7", "Ab3x7", "", ""}, {"m9adin", "m9adin", "", ""}}, ""},
		{"salam 3likom", []tok{{"salam", "salam", "", "سالام"}, {"3likom", "3likom", "", "عليكوم"}}, LangArabizi},
		{"pаypаl", []tok{{"paypal", "pаypаl", "", ""}}, ""},
		{"vraiment la hogra dans ce pays, wach les gens vont accepter", []tok{{"vraiment", "vraiment", "", ""}, {"la", "la", "", ""}, {"hogra", "hogra", "", "هوكرا"}, {"dans", "dans", "", ""}, {"ce", "ce", "", ""}, {"pays", "pays", "", ""}, {"wach", "wach", "", "واش"}, {"les", "les", "", ""}, {"gens", "gens", "", ""}, {"vont", "vont", "", ""}, {"accepter", "accepter", "", ""}}, LangFrench},
		{"٢٠٠٠ درهم 12.5", []tok{{"2000", "٢٠٠٠", "", ""}, {"درهم", "درهم", "", ""}, {"12.5", "12.5", "", ""}}, ""},
		{"۱۲٫۵ 3,500. 7.", []tok{{"12.5", "۱۲٫۵", "", ""}, {"3,500", "3,500", "", ""}, {"7", "7", "", ""}}, ""},
		{"ﷺ!", []tok{{"صلي", "ﷺ", "", ""}, {"الله", "ﷺ", "", ""}, {"عليه", "ﷺ", "", ""}, {"وسلم", "ﷺ", "سلم", ""}}, ""},
		{"  ...  ", nil, LangUnknown},
	}
	for _, c := range cases {
		d := Analyze(c.in)
		if len(d.Tokens) != len(c.want) {
			t.Errorf("Analyze(%q): %d tokens %+v, want %d", c.in, len(d.Tokens), d.Tokens, len(c.want))
			continue
		}
		for i, w := range c.want {
			g := d.Tokens[i]
			if g.Text != w.text || c.in[g.Start:g.End] != w.orig || g.Base != w.base || g.Translit != w.translit {
				t.Errorf("Analyze(%q) token %d = {%q %q base %q translit %q}, want {%q %q base %q translit %q}",
					c.in, i, g.Text, c.in[g.Start:g.End], g.Base, g.Translit, w.text, w.orig, w.base, w.translit)
			}
		}
		if c.lang != "" && d.Lang != c.lang {
			t.Errorf("Analyze(%q).Lang = %s, want %s", c.in, d.Lang, c.lang)
		}
		if d.Folded != Fold(c.in) {
			t.Errorf("Analyze(%q).Folded = %q, Fold = %q", c.in, d.Folded, Fold(c.in))
		}
	}
}

func TestStripClitics(t *testing.T) {
	cases := map[string]string{
		"لداعش": "داعش", "والداعشي": "داعشي", "بالجهاد": "جهاد", "للاخر": "اخر",
		"وبالسلاح": "سلاح", "دالمغرب": "مغرب", "لله": "لله", "الله": "الله", "كتب": "كتب", "كتاب": "كتاب", "كالحسن": "حسن",
		"casino": "casino", "": "",
	}
	for in, want := range cases {
		if got := StripClitics(in); got != want {
			t.Errorf("StripClitics(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTranslit(t *testing.T) {
	cases := map[string]string{
		"salam 3likom":    "سالام عليكوم",
		"7na m9adin":      "حنا مقادين",
		"wach kayn chi":   "واش كاين شي",
		"khouya dial lma": "خويا ديال لما",
		"ana مغربي":       "انا مغربي",
	}
	for in, want := range cases {
		if got := Translit(in); got != want {
			t.Errorf("Translit(%q) = %q, want %q", in, got, want)
		}
	}
	c := TranslitCandidates("kalb", 5)
	if len(c) < 2 || c[0] != "كالب" || !contains(c, "كلب") {
		t.Errorf("TranslitCandidates(kalb) = %q, want كالب first and كلب among them", c)
	}
	if TranslitCandidates("", 3) != nil || TranslitCandidates("مرحبا", 3) != nil {
		t.Error("TranslitCandidates of a word without Latin letters should be nil")
	}
}

func contains(s []string, w string) bool {
	for _, x := range s {
		if x == w {
			return true
		}
	}
	return false
}

func TestDetectLang(t *testing.T) {
	cases := map[string]string{
		"":                  LangUnknown,
		"12345 !!!":         LangUnknown,
		"Привет, как дела?": LangUnknown,
		"أعلنت وزارة الداخلية عن إجراءات جديدة لتنظيم حركة المرور":                             LangMSA,
		"واش كاين شي جديد على هاد الموضوع؟":                                                    LangDarija,
		"wach kayn chi jdid 3la had lmawdou3":                                                  LangArabizi,
		"The government announced new measures on Monday":                                      LangEnglish,
		"Le gouvernement a annoncé de nouvelles mesures lundi":                                 LangFrench,
		"El gobierno anunció nuevas medidas para los ciudadanos y las empresas":                LangUnknown,
		"Die Regierung hat neue Maßnahmen für die Bürger angekündigt und sie ist nicht allein": LangUnknown,
		"Il governo ha annunciato che non ci sono nuove misure per le imprese":                 LangUnknown,
		"O governo anunciou que não há novas medidas para as empresas":                         LangUnknown,
		"Hükümet bu yıl için yeni bir karar ve çok önemli adımlar açıkladı":                    LangUnknown,
		"این یک متن فارسی است که برای آزمایش نوشته شده":                                        LangUnknown,
		"زه په کابل کې اوسېږم او ښوونځي ته ځم":                                                 LangUnknown,
		"ئەم نووسینە بە زمانی کوردی نووسراوە":                                                  LangUnknown,
	}
	for in, want := range cases {
		if got := DetectLang(in); got != want {
			t.Errorf("DetectLang(%q) = %s, want %s", in, got, want)
		}
	}
}

// checkDoc asserts the invariants every Doc must keep.
func checkDoc(t *testing.T, in string, d *Doc) {
	t.Helper()
	if d.Original != in {
		t.Fatalf("Original changed")
	}
	if d.Folded != Fold(in) {
		t.Fatalf("Folded %q != Fold %q", d.Folded, Fold(in))
	}
	var texts []string
	prevStart, prevEnd := 0, 0
	for i, tk := range d.Tokens {
		if tk.Start < 0 || tk.End > len(in) || tk.Start >= tk.End {
			t.Fatalf("token %d %+v: bad offsets for input of %d bytes", i, tk, len(in))
		}
		if i > 0 && !(tk.Start >= prevEnd || tk.Start == prevStart && tk.End == prevEnd) {
			t.Fatalf("token %d %+v overlaps the previous one [%d:%d]", i, tk, prevStart, prevEnd)
		}
		if !utf8.ValidString(in[tk.Start:tk.End]) && utf8.ValidString(in) {
			t.Fatalf("token %d splits a rune", i)
		}
		if tk.Text == "" || strings.ContainsRune(tk.Text, ' ') {
			t.Fatalf("token %d has text %q", i, tk.Text)
		}
		if tk.Base != "" && !strings.HasSuffix(tk.Text, tk.Base) {
			t.Fatalf("token %d base %q is not a suffix of %q", i, tk.Base, tk.Text)
		}
		prevStart, prevEnd = tk.Start, tk.End
		texts = append(texts, tk.Text)
	}
	if j := strings.Join(texts, " "); j != d.Folded {
		t.Fatalf("tokens %q do not make Folded %q", j, d.Folded)
	}
	switch d.Lang {
	case LangMSA, LangDarija, LangOtherMaghrebi, LangOtherDialect, LangArabizi, LangFrench, LangEnglish, LangUnknown:
	default:
		t.Fatalf("unknown language %q", d.Lang)
	}
}

func TestAnalyzeInvariantsOnPosts(t *testing.T) {
	for _, in := range realPosts(t) {
		checkDoc(t, in, Analyze(in))
	}
}

func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{"", "داااعش د ا ع ش", "pаypаl casهnه", "ﷺﷺ x ﷽", "sa3333ida 1.000,5", "\xff\xfe", "ـ ـ ـ", "ق ـ ـم", "12.", ".5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkDoc(t, in, Analyze(in))
		_ = Normalize(in)
		_ = Translit(in)
		_ = TranslitCandidates(in, 3)
	})
}

// realPosts reads tweets from the CheckThat! check-worthiness training set.
func realPosts(tb testing.TB) []string {
	tb.Helper()
	rows, err := readTSV(refdata.Path(tb, "checkworthy/CT21-AR-Train-T1-Labels.tsv"))
	if err != nil {
		tb.Fatal(err)
	}
	var posts []string
	for _, r := range rows[1:] {
		if len(r) >= 4 {
			posts = append(posts, r[3])
		}
	}
	if len(posts) < 1000 {
		tb.Fatalf("only %d posts", len(posts))
	}
	return posts
}
