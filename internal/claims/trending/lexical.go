package trending

import (
	"math"
	"strings"
	"sync"
	"unicode"

	"github.com/basira-org/basira/arabic"
)

// Lexical is a simple check-worthiness stand-in, used when no trained
// classifier is supplied: a post scores higher when it states something
// checkable (numbers, reporting and "breaking" words, claims about deaths,
// money, officials, videos) and lower when it is short, a question, or
// mostly greetings and prayers. It is a documented fallback, not a model:
// docs/claims.md gives its figures on the CheckThat! 2021 1A dev split.
type Lexical struct{}

var _ Worthiness = Lexical{}

// worthCues are cue words, folded as the arabic engine folds them; built on
// first use, since folding needs the arabic tables and init would pay for
// them in every command.
var worthCues = sync.OnceValue(func() map[string]float64 {
	worthCues := map[string]float64{}
	for _, w := range []string{
		// Arabic: news, officials, numbers of people, death, money, proof
		"عاجل", "رسميا", "رسمي", "خبر", "اعلن", "اعلنت", "تعلن", "يعلن", "قرار", "وزاره", "وزير", "الوزير", "الحكومه",
		"حكومه", "مليون", "مليار", "الف", "وفاه", "وفيات", "اصابه", "اصابات", "حالات", "حالة", "قتل", "مقتل", "وفاة",
		"فيديو", "صوره", "شاهد", "بالفيديو", "تم", "اول", "منظمه", "الصحه", "دراسه", "تؤكد", "يؤكد", "اكد", "اكدت",
		"لقاح", "كورونا", "فيروس", "دولار", "درهم", "ريال", "بالمئه", "نسبه",
		// Attribution: who said what (reported speech is what gets checked).
		"قال", "قالت", "يقول", "تقول", "صرح", "تصريح", "بيان", "مصادر", "مصدر", "تقرير", "نقلا", "وفق", "حسب",
		"حذر", "يحذر", "اتهم", "يتهم", "كشف", "تكشف", "يكشف", "نفى", "تنفي", "اعترف",
		// Institutions and office holders.
		"الخارجيه", "وزاره", "وزير", "هيئه", "مجلس", "الرئيس", "رئيس", "عضو", "الجيش", "الشرطه", "المحكمه", "السفير", "سفير",
		// English / French
		"breaking", "confirmed", "official", "officially", "announced", "million", "billion", "died", "dead", "killed",
		"cases", "deaths", "video", "shows", "study", "government", "minister", "percent", "vaccine", "urgent",
		"officiel", "annonce", "morts", "décès", "vidéo", "ministre", "gouvernement", "milliards", "millions",
	} {
		worthCues[arabic.Fold(w)] = 1
	}
	for _, w := range []string{"اللهم", "صباح", "مساء", "الخير", "يارب", "رحمه", "ان شاء", "الحمد", "lol", "thanks", "merci"} {
		worthCues[arabic.Fold(w)] = -1
	}
	return worthCues
})

// Score implements Worthiness.
func (Lexical) Score(doc *arabic.Doc) float64 {
	x := -1.5
	n := len(doc.Tokens)
	if n >= 8 {
		x += 0.8
	}
	digits := false
	worthCues := worthCues()
	for _, t := range doc.Tokens {
		w := t.Text
		if b := t.Base; b != "" {
			if v, ok := worthCues[b]; ok {
				x += 0.6 * v
				continue
			}
		}
		x += 0.6 * worthCues[w]
		if !digits && strings.IndexFunc(w, unicode.IsDigit) >= 0 {
			digits = true
			x += 0.8
		}
	}
	if strings.Contains(doc.Original, "?") || strings.Contains(doc.Original, "؟") {
		x -= 0.5
	}
	// Reported speech: "name: …" or a quotation.
	if strings.ContainsAny(doc.Original, ":«\"") {
		x += 0.3
	}
	return 1 / (1 + math.Exp(-x))
}
