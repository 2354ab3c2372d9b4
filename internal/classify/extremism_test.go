package classify_test

import (
	"testing"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/classify"
	"github.com/basira-org/basira/internal/refdata"
)

func shippedExtremism(t *testing.T) *classify.Model {
	t.Helper()
	for _, m := range shipped(t) {
		if m.Name() == "extremism" {
			return m
		}
	}
	t.Fatal("models/extremism.model is not shipped")
	return nil
}

// TestShippedExtremismModel checks the shipped model on clear cases the
// team wrote for this test (not in its training data): it flags claims,
// glorification, recruitment and threats, and stays silent on prayers,
// news about terrorism and counter-speech that use the same words.
func TestShippedExtremismModel(t *testing.T) {
	m := shippedExtremism(t)
	if f := m.Info().Features; f.Lexicon != classify.LexiconVersion {
		t.Fatalf("shipped extremism model has lexicon %q, want %q", f.Lexicon, classify.LexiconVersion)
	}
	flag := []string{
		"#ولاية_الأنبار جنود الخلافة يفجرون عبوة ناسفة على آلية للجيش الصفوي ويهلكون من فيها ولله الحمد والمنة",
		"تقبل الله الأخ الاستشهادي الذي انغمس في جموع الرافضة المرتدين",
		"Soldiers of the Khilafah ambushed the apostate Sahwat near Raqqah, killing eleven murtaddin, all praise to Allah",
		"Hijrah to the land of the Khilafah is obligatory, renew your bay'ah to Amirul Mu'minin and join the mujahideen",
		"Les soldats du califat ont tué des apostats et des croisés, qu'Allah accepte nos istichhadis",
	}
	silent := []string{
		"اللهم ارحم موتانا وموتى المسلمين واغفر لهم",
		"بسم الله الرحمن الرحيم، الحمد لله رب العالمين",
		"أعلنت وزارة الداخلية تفكيك خلية إرهابية موالية لتنظيم داعش كانت تخطط لتفجيرات",
		"Police said ISIS claimed the attack through its Amaq agency; the death toll rose to nine",
		"داعش لا تمثل الإسلام، والإسلام بريء من قتل الأبرياء، رحم الله الضحايا",
		"I condemn this terrorist attack, ISIS are khawarij and my prayers are with the victims",
		"سير تصلي الجمعة آ خويا وخلي عليك الهضرة",
		"Jumu'a moubaraka à tous, qu'Allah accepte nos prières",
		// A bare name is not propaganda (Meta.MinTokens).
		"the caliphate",
		"dabiq",
	}
	for _, s := range flag {
		if p := m.Predict(arabic.Analyze(s)); len(p.Flagged) == 0 {
			t.Errorf("not flagged (p=%.3f, threshold %.2f): %s", p.Probs[0], m.Info().Labels[0].Flag, s)
		}
	}
	for _, s := range silent {
		if p := m.Predict(arabic.Analyze(s)); len(p.Flagged) > 0 {
			t.Errorf("flagged (p=%.3f): %s", p.Probs[0], s)
		}
	}
	// A flagged claim is explained.
	if ex := m.Explain(arabic.Analyze(flag[0]), classify.ExtremismLabel, 5); len(ex) == 0 {
		t.Error("no explanation for a flagged claim")
	}
}

// TestExtremismRealData measures the shipped model on the real sets
// (docs/models.md has the figures; the floors leave a margin of a few
// points for retraining noise).
func TestExtremismRealData(t *testing.T) {
	dir := refdata.Dir()
	if dir == "" {
		t.Skip("reference data not found: set BASIRA_DATA")
	}
	m := shippedExtremism(t)
	rows, err := classify.EvaluateExtremism(m, dir)
	if err != nil {
		t.Fatal(err)
	}
	type bound struct {
		min, max float64
	}
	want := map[string]bound{
		"alfifi/isis":                    {min: 0.54},
		"alfifi/isis-votes8":             {min: 0.60},
		"alfifi/none":                    {max: 0.01},
		"fifthtribe-labelled/propaganda": {min: 0.38},
		"fifthtribe-labelled/other":      {max: 0.025},
		"basira-benign/religious":        {max: 0.03},
		"basira-benign/news":             {max: 0.04},
		"basira-benign/counter":          {max: 0.07},
		"basira-benign/everyday":         {max: 0.05},
		"checkthat-2a/verified-claims":   {max: 0.005},
		"checkthat-1a/tweets":            {max: 0.005},
		"elecmorocco2016/comments":       {max: 0.005},
	}
	seen := 0
	for _, r := range rows {
		b, ok := want[r.Set]
		if !ok || r.Lang != "all" {
			continue
		}
		seen++
		t.Logf("%s: %d of %d flagged (%.2f%%)", r.Set, r.Flagged, r.N, 100*r.Rate())
		if b.min > 0 && r.Rate() < b.min {
			t.Errorf("%s: recall %.3f below %.2f", r.Set, r.Rate(), b.min)
		}
		if b.max > 0 && r.Rate() > b.max {
			t.Errorf("%s: false flags %.3f above %.3f", r.Set, r.Rate(), b.max)
		}
	}
	if seen < len(want)-4 {
		t.Errorf("only %d of the %d measured sets found under %s", seen, len(want), dir)
	}
}

// TestFifthTribeLabelled checks the hand-labelled sample is whole.
func TestFifthTribeLabelled(t *testing.T) {
	exs := classify.FifthTribeLabelled()
	n := map[string]int{}
	ids := map[string]bool{}
	for _, ex := range exs {
		n[ex.Labels[0]]++
		if ids[ex.Group] {
			t.Errorf("id %s twice", ex.Group)
		}
		ids[ex.Group] = true
	}
	if len(exs) != 400 || n["propaganda"] != 37 || n["other"] != 363 {
		t.Errorf("sample: %d rows, %v; want 400 rows, 37 propaganda, 363 other", len(exs), n)
	}
}
