package retrieve

import (
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/basira-org/basira/arabic"
)

// Darija and Arabizi rewordings of Arabic claims share few words with the
// claim as a fact-checker wrote it in MSA: "غدا غادي يقطعو الانترنيت على
// المغرب كامل سيمانة" against "الحكومة ستقطع الإنترنت عن المغرب كله لمدة
// أسبوع". The words below are added (never substituted) to a text's words
// and stems, on claims and posts alike, so that such pairs meet.

// darijaMSA maps everyday Darija words (as written in Arabic script, or as
// the engine transliterates their Arabizi spelling) to their MSA
// equivalents. Written for Basira; keys are folded at start-up.
var darijaMSA = map[string]string{
	"سيمانة": "أسبوع", "سيمانا": "أسبوع", "السيمانة": "الأسبوع", "سمانة": "أسبوع",
	"كامل": "كل", "كاملين": "كل", "كولشي": "كل", "كلشي": "كل",
	"بزاف": "كثير", "دابا": "الآن", "البارح": "أمس", "لبارح": "أمس", "غدوة": "غدا",
	"لفلوس": "الأموال", "الفلوس": "الأموال", "فلوس": "أموال", "دراهم": "درهم",
	"الخدمة": "العمل", "خدمة": "عمل", "خدامين": "عمال",
	"البوليس": "الشرطة", "بوليس": "شرطة", "لبوليس": "الشرطة", "المخزن": "السلطات",
	"الدراري": "الأطفال", "دراري": "أطفال", "الولاد": "الأبناء", "بنادم": "الإنسان",
	"الطوموبيل": "السيارة", "طوموبيل": "سيارة", "الكار": "الحافلة", "الطاكسي": "سيارة",
	"الضو": "الكهرباء", "ضو": "كهرباء", "الما": "الماء",
	"التيليفون": "الهاتف", "تيليفون": "هاتف", "البورطابل": "الهاتف", "بورطابل": "هاتف",
	"الانترنيت": "الإنترنت", "انترنيت": "إنترنت", "لانترنيت": "الإنترنت", "لنترنت": "الإنترنت", "الكونيكسيون": "الإنترنت",
	"السبيطار": "المستشفى", "سبيطار": "مستشفى", "صبيطار": "مستشفى", "الصبيطار": "المستشفى",
	"الجلبة": "اللقاح", "جلبة": "لقاح", "الفاكسان": "اللقاح", "فاكسان": "لقاح",
	"ليكول": "المدرسة", "لقراية": "الدراسة", "القراية": "الدراسة",
	"الماطيشة": "الطماطم", "ماطيشة": "طماطم", "المازوط": "الوقود", "ليصانص": "البنزين", "البنزين": "الوقود",
	"غالي": "مرتفع", "غلات": "ارتفعت", "غلا": "ارتفع", "رخيص": "منخفض",
	"مات": "توفي", "ماتو": "توفوا", "قتلو": "قتلوا", "شدو": "اعتقلوا", "شدات": "اعتقلت", "حبسو": "سجنوا",
	"قالو": "قالوا", "كيقولو": "يقولون", "شاف": "رأى", "بغا": "أراد", "بغاو": "أرادوا",
	"كاين": "يوجد", "كاينة": "توجد", "كاينين": "يوجد", "ماكاينش": "لا يوجد", "والو": "لا شيء",
	"لحكومة": "الحكومة", "لمغريب": "المغرب", "لماغريب": "المغرب",
	"كازا": "الدار البيضاء", "كازابلانكا": "الدار البيضاء", "كاسا": "الدار البيضاء",
}

// darijaFolded is built on first use: it analyses text, which needs the
// arabic tables, and init would pay for them in every command.
var darijaFolded = sync.OnceValue(func() map[string][]string {
	m := make(map[string][]string, len(darijaMSA))
	for k, v := range darijaMSA {
		kd := arabic.Analyze(k)
		if len(kd.Tokens) != 1 {
			continue
		}
		var vs []string
		for _, t := range arabic.Analyze(v).Tokens {
			vs = append(vs, t.Text)
		}
		m[kd.Tokens[0].Text] = vs
	}
	return m
})

// darijaVariants returns the MSA forms to add for the folded Arabic-script
// word w: its lexicon equivalents, and for a verb the MSA spelling of its
// Darija inflection (the present markers كي/كا/تا and the future غا
// dropped, the plural ending و written وا).
func darijaVariants(w string) []string {
	out := darijaFolded()[w]
	if utf8.RuneCountInString(w) < 4 {
		return out
	}
	v := w
	for _, p := range []string{"كي", "كا", "تا", "كن", "كت", "غاي", "غان", "غات"} {
		if strings.HasPrefix(v, p) && utf8.RuneCountInString(v) >= 5 {
			switch p {
			case "كي", "غاي":
				v = "ي" + v[len(p):]
			case "كن", "غان":
				v = "ن" + v[len(p):]
			case "كت", "غات":
				v = "ت" + v[len(p):]
			default:
				v = v[len(p):]
			}
			break
		}
	}
	if strings.HasSuffix(v, "و") && !strings.HasSuffix(v, "وو") {
		v += "ا"
	}
	if v != w {
		out = append(out, v)
	}
	return out
}

// verbCore strips the imperfect and future prefixes (س، ي، ت، ن) and the
// plural endings from a verb-like stem, so that ستقطع, يقطعو and تقطع
// share a term. Only words of four or more letters that start with such a
// prefix are touched; the result is an extra stem, never a replacement.
func verbCore(s string) string {
	n := utf8.RuneCountInString(s)
	if n < 4 {
		return ""
	}
	v := s
	if strings.HasPrefix(v, "س") && n >= 5 {
		v = v[len("س"):]
	}
	r, size := utf8.DecodeRuneInString(v)
	switch r {
	case 'ي', 'ت', 'ن':
		v = v[size:]
	default:
		return ""
	}
	for _, suf := range []string{"ون", "وا", "ين", "و"} {
		if strings.HasSuffix(v, suf) && utf8.RuneCountInString(v) > 3 {
			v = v[:len(v)-len(suf)]
			break
		}
	}
	if utf8.RuneCountInString(v) < 3 {
		return ""
	}
	return v
}

// skeleton drops the long vowels (ا و ي) inside a word: an Arabizi
// spelling writes vowels that MSA leaves out (lmaghrib → لماغريب, MSA
// المغرب). Used on transliterations only.
func skeleton(w string) string {
	rs := []rune(w)
	if len(rs) < 4 {
		return ""
	}
	out := []rune{rs[0]}
	for _, r := range rs[1 : len(rs)-1] {
		if r != 'ا' && r != 'و' && r != 'ي' {
			out = append(out, r)
		}
	}
	out = append(out, rs[len(rs)-1])
	if len(out) == len(rs) || len(out) < 3 {
		return ""
	}
	return string(out)
}

// arabiziVariants returns more Arabic-script forms of a transliterated
// Arabizi word a: its Darija equivalents, its spelling without the long
// vowels Arabizi writes, and with "l" read as the article (lmaghrib →
// المغرب).
func arabiziVariants(a string) []string {
	out := darijaVariants(a)
	if sk := skeleton(a); sk != "" {
		out = append(out, sk)
	}
	if strings.HasPrefix(a, "ل") && !strings.HasPrefix(a, "ال") && utf8.RuneCountInString(a) >= 4 {
		def := "ا" + a
		out = append(out, def)
		if sk := skeleton(def); sk != "" {
			out = append(out, sk)
		}
		out = append(out, darijaFolded()[def]...)
	}
	return out
}
