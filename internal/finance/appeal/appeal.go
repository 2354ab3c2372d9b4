// Package appeal finds donation appeals in a post: words and phrases that
// ask readers to give, send or transfer money, in Modern Standard Arabic,
// Moroccan Darija (Arabic script and Arabizi), French and English; and the
// context words that make an appeal a financing concern (fighters, the
// front, weapons, the camps) or mark a text as reporting on one (news,
// arrests, seizures). It matches folded tokens of the shared text analysis,
// so spelling variants, elongation and clitics are handled once, by the
// arabic package.
package appeal

import (
	"strings"
	"sync"

	"github.com/basira-org/basira/arabic"
)

// Kinds of cue.
const (
	Ask       = "ask"       // an explicit request for money: donate, give zakat, equip a fighter
	AskWeak   = "ask_weak"  // a request that needs a payment channel or context: send, help, support
	Channel   = "channel"   // how to pay: account number, wallet, transfer
	Context   = "context"   // armed-group context: fighters, the front, weapons
	Reporting = "reporting" // text about financing: news, arrests, seizures, warnings
	Benign    = "benign"    // donations that are not money appeals: blood, organs
)

// Cue is one matched phrase.
type Cue struct {
	Kind  string `json:"kind"`
	Term  string `json:"term"`  // the lexicon entry
	Start int    `json:"start"` // byte offsets in the original text
	End   int    `json:"end"`
}

// lexicon lists the cue phrases as written; they are folded with the same
// function as posts when the matcher is built.
var lexicon = map[string][]string{
	Ask: {
		// MSA
		"تبرع", "تبرعوا", "تبرعو", "التبرع", "للتبرع", "تبرعاتكم", "تبرعكم", "ادعموا", "ادعمو", "ادعموا المجاهدين",
		"ساهموا", "ساهمو", "انفقوا", "أنفقوا", "الإنفاق في سبيل الله", "انفق في سبيل الله",
		"جهزوا", "جهز غازيا", "تجهيز الغزاة", "تجهيز المجاهدين", "صدقاتكم", "زكاتكم", "جاهدوا بأموالكم", "الجهاد بالمال",
		// Darija
		"ساهمو معانا", "تبرعو معانا",
		// Arabizi
		"tbr3o", "tbar3o", "tbr3ou", "sa7mo", "sahmo",
		// French
		"faites un don", "faire un don", "dons", "cagnotte",
		// English
		"donate", "donation", "donations", "sadaqah", "zakat", "help fund", "fund the",
	},
	AskWeak: {
		"ادعم", "دعمكم", "ساهم", "المساهمة", "ساعدوا", "أرسلوا", "ارسلوا", "حولوا", "أعينوا", "اعينوا", "لا تبخلوا",
		"انصروا إخوانكم", "نصرة إخوانكم", "بأموالكم", "عاونو", "عاونوا", "صيفطو", "صيفط", "سيفطو", "دعمو", "يعاون", "لي بغا يعاون",
		"3awnou", "3awno", "3awnona", "sifto", "seftou", "y3awn", "ysa7em",
		"donnez", "soutenez", "envoyez", "participez", "contribuez", "contribute", "support the brothers", "send to",
	},
	Benign: {
		"التبرع بالدم", "تبرع بالدم", "التبرع بالأعضاء", "don du sang", "donner son sang", "blood donation", "donate blood", "organ donation",
	},
	Channel: {
		"رقم الحساب", "الحساب البنكي", "حساب بنكي", "المحفظة", "محفظة", "عنوان المحفظة", "تحويل", "حوالة", "ويسترن يونيون", "الرقم",
		"rib", "iban", "virement", "portefeuille", "wallet", "address", "btc", "usdt", "bitcoin", "western union", "cashplus", "wafacash",
		"paypal", "mobile money", "transfer",
	},
	Context: {
		"المجاهدين", "للمجاهدين", "المجاهدون", "مجاهد", "الجهاد", "الغزاة", "غازي", "الخلافة", "دولة الخلافة", "الدولة الإسلامية",
		"الرباط", "المرابطين", "الثغور", "الإخوة في الثغور", "السلاح", "الذخيرة", "العتاد", "الأخوات في المخيمات", "مخيم الهول", "الهول",
		"الأسيرات", "فك الأسرى", "الشهداء", "الانغماسيين",
		"mujahideen", "mujahidin", "jihad", "caliphate", "khilafah", "ribat", "the front", "weapons", "ammunition", "al-hol", "al hol",
		"sisters in the camps", "moudjahidines", "djihad", "califat", "armes", "munitions",
		"moujahidin", "jihad fi sabilillah",
	},
	Reporting: {
		"الشرطة", "اعتقال", "القبض", "حجز", "تمويل الإرهاب", "تفكيك خلية", "المحكمة", "متهم", "وزارة الداخلية", "احذروا", "تحذير",
		"police", "arrested", "arrest", "seized", "court", "charged", "terrorist financing", "terror financing", "warning", "beware",
		"scam", "arnaque", "arrêté", "saisi", "financement du terrorisme", "démantèlement",
	},
}

type phrase struct {
	kind, term string
	words      []string
}

type matcher struct {
	byFirst map[string][]phrase
}

var (
	once sync.Once
	m    *matcher
)

func build() *matcher {
	mm := &matcher{byFirst: map[string][]phrase{}}
	for kind, terms := range lexicon {
		for _, t := range terms {
			words := strings.Fields(arabic.Fold(t))
			if len(words) == 0 {
				continue
			}
			mm.byFirst[words[0]] = append(mm.byFirst[words[0]], phrase{kind, t, words})
			// A word with a clitic (وتبرعوا, للمجاهدين) is found through
			// the token's Base as well.
		}
	}
	return mm
}

func tokenForms(t arabic.Token) []string {
	forms := []string{t.Text}
	if t.Base != "" {
		forms = append(forms, t.Base)
	}
	if t.Translit != "" {
		forms = append(forms, t.Translit)
	}
	return forms
}

// Find returns the cues in an analysed text, in text order.
func Find(doc *arabic.Doc) []Cue {
	once.Do(func() { m = build() })
	var out []Cue
	toks := doc.Tokens
	for i := 0; i < len(toks); i++ {
		for _, f := range tokenForms(toks[i]) {
			for _, p := range m.byFirst[f] {
				if i+len(p.words) > len(toks) {
					continue
				}
				ok := true
				for k := 1; k < len(p.words); k++ {
					if !hasForm(toks[i+k], p.words[k]) {
						ok = false
						break
					}
				}
				if ok {
					out = append(out, Cue{Kind: p.kind, Term: p.term, Start: toks[i].Start, End: toks[i+len(p.words)-1].End})
				}
			}
		}
	}
	return dedupe(out)
}

func hasForm(t arabic.Token, w string) bool {
	for _, f := range tokenForms(t) {
		if f == w {
			return true
		}
	}
	return false
}

// dedupe keeps one cue per kind and start (the longest).
func dedupe(cs []Cue) []Cue {
	out := cs[:0]
	for _, c := range cs {
		dup := false
		for j := range out {
			if out[j].Kind == c.Kind && out[j].Start == c.Start {
				if c.End > out[j].End {
					out[j] = c
				}
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, c)
		}
	}
	return out
}

// Has reports whether cs holds a cue of kind.
func Has(cs []Cue, kind string) bool {
	for _, c := range cs {
		if c.Kind == kind {
			return true
		}
	}
	return false
}

// Asks reports whether the cues make a money appeal: an explicit ask, or
// a weak one together with a payment channel or armed-group context; a
// benign donation (blood, organs) is none.
func Asks(cs []Cue) bool {
	if Has(cs, Benign) {
		return false
	}
	return Has(cs, Ask) || Has(cs, AskWeak) && (Has(cs, Channel) || Has(cs, Context))
}
