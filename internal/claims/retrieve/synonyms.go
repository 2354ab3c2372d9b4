package retrieve

import (
	"sync"

	"github.com/basira-org/basira/arabic"
)

// newsSynonyms are groups of MSA words that news headlines use for the same
// thing, so a rumour reworded with the other word still meets the claim
// (ANS pairs "سقوط" with "مصرع", "قوات" with "مقاتلين"), and capitals used
// for their country. Written for Basira from general usage, not from any
// evaluation set. Each word's stem is mapped to the group's first stem,
// added (never substituted) to the text's stems.
var newsSynonyms = [][]string{
	{"قتلى", "مصرع", "مقتل", "وفاة", "وفيات", "ضحايا", "قتيل", "سقوط"},
	{"تحطم", "سقوط", "انهيار"},
	{"قوات", "جنود", "مقاتلين", "مقاتلون", "عسكريين", "الجيش"},
	{"ارتفاع", "صعود", "زيادة", "ارتفع", "صعد", "زاد", "قفز"},
	{"انخفاض", "تراجع", "هبوط", "انخفض", "تراجع", "هبط", "تدهور"},
	{"هجوم", "اعتداء", "غارة", "ضربة", "قصف"},
	{"انفجار", "تفجير"},
	{"اعتقال", "توقيف", "القبض", "احتجاز"},
	{"جرحى", "مصابين", "إصابة", "إصابات", "جريح"},
	{"اتفاق", "اتفاقية", "صفقة"},
	{"محادثات", "مفاوضات", "مباحثات"},
	{"احتجاجات", "مظاهرات", "تظاهرات", "احتجاج", "مظاهرة"},
	{"يحذر", "حذر", "تحذير", "تحذر"},
	{"أمريكا", "واشنطن", "الولايات المتحدة", "الأمريكية", "الأمريكي", "الأميركية", "الأميركي"},
	{"روسيا", "موسكو", "الروسية", "الروسي"},
	{"إيران", "طهران", "الإيرانية", "الإيراني"},
	{"تركيا", "أنقرة", "التركية", "التركي"},
	{"السعودية", "الرياض"},
	{"مصر", "القاهرة", "المصرية", "المصري"},
	{"سوريا", "دمشق", "السورية", "السوري"},
	{"العراق", "بغداد", "العراقية", "العراقي"},
	{"فرنسا", "باريس", "الفرنسية", "الفرنسي"},
	{"بريطانيا", "لندن", "البريطانية", "البريطاني"},
	{"الصين", "بكين", "الصينية", "الصيني"},
	{"المغرب", "الرباط", "المغربية", "المغربي"},
	{"النفط", "الخام", "البترول"},
	{"أعلى", "أكبر", "ذروة", "قياسي"},
	{"أدنى", "أقل"},
	{"رئيس", "زعيم"},
}

// synonymStem maps a stem to the stems of the groups it belongs to.
// synonymStem is built on first use (see darijaFolded).
var synonymStem = sync.OnceValue(func() map[string][]string {
	m := map[string][]string{}
	for _, g := range newsSynonyms {
		var head string
		for _, w := range g {
			d := arabic.Analyze(w)
			if len(d.Tokens) == 0 {
				continue
			}
			// A multi-word member ("الولايات المتحدة") counts by its
			// last word.
			st := arabic.SnowballStem(d.Tokens[len(d.Tokens)-1].Text)
			if head == "" {
				head = "≈" + st
			}
			if !contains(m[st], head) {
				m[st] = append(m[st], head)
			}
		}
	}
	return m
})

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// synonymsOn switches the news synonyms (for experiments on the training
// splits).
var synonymsOn = true
