package arabic

import (
	"path/filepath"
	"testing"
)

// TestDialectCue: sentences written for this test, one per group, come
// out with their group's tag; MSA news stays ar; a two-word text without
// a marker word is und; the cue's words count behind proclitics.
func TestDialectCue(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"عاجل: مقتل 12 شخصا في انفجار بالعاصمة حسب مصادر امنية", LangMSA},
		{"أعلنت وزارة الداخلية اليوم عن تفكيك خلية إرهابية في مدينة طنجة", LangMSA},
		{"واش نتا غادي تجي معانا دابا ولا لا", LangDarija},
		{"هادشي ديال الحكومة ماشي مزيان بزاف", LangDarija},
		{"كنبغي نمشي للبحر هاد السيمانة مع الدراري", LangDarija},
		{"شنو هاد الشي اللي كيقولو فالتلفزة", LangDarija},
		{"برشا ناس توا يحبو يخدمو في الخارج", LangOtherMaghrebi},
		{"الماتش كان باهي برشا ياسر", LangOtherMaghrebi},
		{"انا بدي روح عالبيت هلق لانو تعبان كتير", LangOtherDialect},
		{"ازاي تعمل كده يا عم ده مش معقول", LangOtherDialect},
		{"ايش تسوي الحين يا خوي عشان نطلع", LangOtherDialect},
		{"شلون صار هيج الوضع بالعراق هسه", LangOtherDialect},
		{"السلام عليكم", LangUnknown},
		{"وديال", LangDarija},                           // a marker word decides even a short text
		{"ماكنعرفش اش بغا يقول", LangDarija},            // Moroccan present inside the negation
		{"الماتش غايكون صعيب بزاف", LangDarija},         // Moroccan future
		{"وصل الرئيس كينيدي إلى ولاية كانساس", LangMSA}, // names shaped like a Darija verb
		{"مابيعرفش شو عم يصير هون", LangOtherDialect},   // the b- present inside the negation
	} {
		if got := DetectLang(c.text); got != c.want {
			t.Errorf("DetectLang(%q) = %s, want %s", c.text, got, c.want)
		}
	}
	if l, conf := DetectLangConf("هادشي ديال الحكومة ماشي مزيان بزاف"); l != LangDarija || conf < 0.9 {
		t.Errorf("three Moroccan words: %s, confidence %.2f; want ary above 0.9", l, conf)
	}
	if l, conf := DetectLangConf("السلام عليكم"); l != LangUnknown || conf != 0 {
		t.Errorf("short text: %s, confidence %.2f; want und, 0", l, conf)
	}
	d := Analyze("واش نتا غادي تجي معانا دابا ولا لا")
	if d.Lang != LangDarija || d.LangConf <= 0 || d.LangConf > 1 {
		t.Errorf("Analyze: %s, %.2f", d.Lang, d.LangConf)
	}
}

// TestMoroccanVerb: the Moroccan present-tense shape, and MSA words of the
// same letters that are not.
func TestMoroccanVerb(t *testing.T) {
	for w, want := range map[string]bool{
		"كانخدم": true, "كيقولو": true, "كتبغي": true, "تانشوف": true, "كيسمع": true,
		"كتاب": false, "كتابات": false, "كيفيه": false, "كانت": false, "كانوا": false, "كنيسه": false, "كي": false, "تاريخ": false,
	} {
		if got := moroccanVerb(Fold(w)); got != want {
			t.Errorf("moroccanVerb(%s) = %v, want %v", w, got, want)
		}
	}
}

// TestDialectEval measures the dialect cue on sets whose dialect is known
// from their source (EvalDialects) and keeps the figures of
// docs/text-engine.md: ary precision against every other group at
// least 0.65 with Moroccan one group in nineteen, F1 at least 0.60.
func TestDialectEval(t *testing.T) {
	dir := filepath.Dir(refdataPath(t, "abuse"))
	e, err := EvalDialects(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", e.Report())
	p, _, f := e.F1(nil, e.equalGroups(19))
	if p < 0.65 || f < 0.60 {
		t.Errorf("ary vs all (1 in 19): precision %.3f, F1 %.3f; want 0.65, 0.60", p, f)
	}
	if p, _, f := e.F1([]string{LangMSA}, e.equalGroups(2)); p < 0.97 || f < 0.73 {
		t.Errorf("ary vs MSA: precision %.3f, F1 %.3f; want 0.97, 0.73", p, f)
	}
	// News is where MSA was misread as Darija (issue 11): at most 2% of
	// each MSA set comes out ary.
	for _, s := range e.Sets {
		if s.Truth == LangMSA && float64(s.Got[LangDarija]) > 0.02*float64(s.N) {
			t.Errorf("%s: %d of %d ary", s.Name, s.Got[LangDarija], s.N)
		}
	}
}
