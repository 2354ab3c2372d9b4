package arabic

import (
	_ "embed"
	"math"
	"strings"
	"sync"
)

// Dialect cue. The model tells MSA (ar), Darija (ary) and other dialects
// (ar-dialect) apart, but its Darija is mostly transliterated Arabizi and
// its other dialects are Egyptian and Gulf tweets: alone, it calls
// Levantine, Tunisian and Algerian text ary. So every Arabic-script text
// is read again for marker words of each group (dialect_markers.txt, written for Basira):
// Moroccan-only words (ديال, دابا, غادي, كنبغي …), words Moroccan shares
// with the other Maghrebi dialects (واش, بزاف, كاين …), Algerian/Tunisian/
// Libyan words (برشا, توا, باهي, درك …) and Egyptian/Gulf/Levantine/Iraqi
// words (ازاي, الحين, بدي, شلون …). The words decide between ary,
// arq-aeb and ar-dialect; without any, text too short to judge is und,
// and the model's reading stands when its lead is wide enough.

// Dialect groups, in dialect_markers.txt order.
const (
	cueMoroccan     = iota // [ary]
	cueMaghreb             // [maghreb]
	cueOtherMaghreb        // [arq-aeb]
	cueMashriq             // [ar-dialect]
	numCues
)

// Language codes of the dialect cue, beside those of langid.go.
const (
	// LangOtherMaghrebi is Algerian, Tunisian or Libyan Arabic in Arabic
	// script (a private tag: Algerian arq and Tunisian aeb are not told
	// apart).
	LangOtherMaghrebi = "arq-aeb"
	// LangOtherDialect is Egyptian, Gulf, Levantine or Iraqi Arabic, or
	// dialect text without Maghrebi marker words. Rules with `lang: [ar]`
	// match it (a prefix of the tag).
	LangOtherDialect = "ar-dialect"
)

// minDialectWords is the number of Arabic-script words below which a text
// without a marker word is und: two or three words are as often MSA as
// any dialect.
const minDialectWords = 3

//go:embed dialect_markers.txt
var dialectMarkersText string

// cueTable maps a folded word's hash (wordHash) to its groups, as bits.
type cueTable struct {
	keys [2048]uint32
	bits [2048]uint8
}

var dialectCues = sync.OnceValue(func() *cueTable {
	t := &cueTable{}
	group := -1
	for _, line := range strings.Split(dialectMarkersText, "\n") {
		switch {
		case strings.HasPrefix(line, "#"):
			continue
		case strings.HasPrefix(line, "[ary]"):
			group = cueMoroccan
			continue
		case strings.HasPrefix(line, "[maghreb]"):
			group = cueMaghreb
			continue
		case strings.HasPrefix(line, "[arq-aeb]"):
			group = cueOtherMaghreb
			continue
		case strings.HasPrefix(line, "[ar-dialect]"):
			group = cueMashriq
			continue
		}
		if group < 0 {
			continue
		}
		for _, w := range strings.Fields(Fold(line)) {
			t.add(wordHash(w), uint8(1)<<group)
		}
	}
	return t
})

func (t *cueTable) add(h uint32, bit uint8) {
	h |= 1 // 0 marks an empty slot
	for i := h >> 21; ; i = (i + 1) & 2047 {
		if t.keys[i] == 0 || t.keys[i] == h {
			t.keys[i] = h
			t.bits[i] |= bit
			return
		}
	}
}

func (t *cueTable) get(h uint32) uint8 {
	h |= 1
	for i := h >> 21; ; i = (i + 1) & 2047 {
		switch t.keys[i] {
		case h:
			return t.bits[i]
		case 0:
			return 0
		}
	}
}

// dialectCounts counts the Arabic-script words of the scanned text and,
// per group, its marker words (a word also counts behind proclitics).
func (s *scanner) dialectCounts(folded string) (words, shapes int, cues [numCues]int) {
	t := dialectCues()
	budget := maxLangRunes
	for i := range s.spans {
		sp := &s.spans[i]
		if sp.flags&fArabic == 0 {
			continue
		}
		if budget <= 0 {
			break
		}
		w := folded[sp.ts:sp.te]
		budget -= len(w) / 2
		words++
		bits := t.get(wordHash(w))
		if bits == 0 {
			// Behind a proclitic only bases of four letters or more: the
			// three-letter ones read as other words (ويلي, ليلي, بانو).
			if b := StripClitics(w); len(b) != len(w) && len(b) >= 8 {
				bits = t.get(wordHash(b))
			}
		}
		if bits == 0 {
			if bits = dialectShape(w); bits == 1<<cueMoroccan {
				shapes++
			}
		}
		for g := range numCues {
			if bits&(1<<g) != 0 {
				cues[g]++
			}
		}
	}
	return words, shapes, cues
}

// dialect refines the model's answer l (lead: its score over the
// runner-up second, in model units) into ar, ary, arq-aeb, ar-dialect
// or und, with a confidence.
func (s *scanner) dialect(folded, l string, lead int32, second string) (string, float32) {
	words, shapes, c := s.dialectCounts(folded)
	mor, shared, other, east := c[cueMoroccan], c[cueMaghreb], c[cueOtherMaghreb], c[cueMashriq]
	if mor == 1 && shapes == 1 && shared == 0 && l == LangMSA {
		// One word shaped like a Darija verb in text the model reads as
		// MSA is as often a name (كينيدي, كاترينا): not enough alone.
		mor = 0
	}
	magh := mor + shared
	switch {
	case east > 0 && east > magh+other:
		return LangOtherDialect, cueConfidence(east - magh - other)
	case other > 0 && other > mor:
		return LangOtherMaghrebi, cueConfidence(other - mor)
	case mor > 0:
		return LangDarija, cueConfidence(mor + shared - other - east)
	case shared > 0:
		// Words Moroccan shares with Algerian: Moroccan, the likelier
		// reading here, with less confidence.
		return LangDarija, 0.5 * cueConfidence(shared-other-east)
	case words < minDialectWords:
		return LangUnknown, 0
	case l == LangDarija && lead < minDarijaLead:
		// Text that the model leans to read as Darija, without a Moroccan
		// word: as often Levantine, Egyptian or MSA. Its runner-up says
		// which.
		if second == LangMSA {
			return LangMSA, 0.5
		}
		return LangOtherDialect, 0.5
	case l == LangOtherDialect && lead < minDialectLead:
		// Without a dialect word, a narrow lead is as often MSA.
		return LangMSA, 0.5
	}
	// Without a marker word, the model's reading.
	return l, modelConfidence(lead)
}

// minDarijaLead is the lead over the other classes, in model units, that
// the model needs to call a text without marker words ary.
var minDarijaLead int32 = 140

// minDialectLead is the same for ar-dialect: below it, a text without
// marker words is ar.
var minDialectLead int32 = 90

// cueConfidence maps the lead of a group's marker words over the others
// to a confidence: 0.75 for one word, 0.94 for two, 0.98 for three.
func cueConfidence(lead int) float32 {
	if lead < 1 {
		lead = 1
	}
	return float32(1 - 0.25*math.Pow(0.25, float64(lead-1)))
}

// modelConfidence maps a score margin of the model (int8 weights summed)
// to a probability-like confidence in [0.5, 1).
func modelConfidence(margin int32) float32 {
	if margin < 0 {
		margin = 0
	}
	return float32(1 / (1 + math.Exp(-float64(margin)/langMarginScale)))
}

// langMarginScale is the margin, in model units, at which the confidence
// is 0.73 (logistic 1).
const langMarginScale = 40

// moroccanVerb reports a word shaped like a Moroccan present-tense verb:
// the aspect prefix كا/كي/كن/كت/تا then a person prefix and a stem of
// three letters or more (كانخدم, كيقولو, كتبغي, تانشوف), minus the MSA
// words of that shape (كتاب, كتيبة, كيفية, كانت …). Other dialects mark
// the present with ب or عم.
func moroccanVerb(w string) bool {
	n := len(w) / 2                            // letters (folded Arabic letters are two bytes)
	if n < 5 || w[0] != 0xD9 || w[1] != 0x83 { // ك
		if n < 5 || !strings.HasPrefix(w, "تا") {
			return false
		}
	}
	var rest string
	switch {
	case strings.HasPrefix(w, "كا"), strings.HasPrefix(w, "تا"):
		rest = w[4:]
		if !strings.HasPrefix(rest, "ن") && !strings.HasPrefix(rest, "ي") && !strings.HasPrefix(rest, "ت") {
			return false
		}
	case strings.HasPrefix(w, "كن"), strings.HasPrefix(w, "كي"), strings.HasPrefix(w, "كت"):
		rest = w[2:]
	default:
		return false
	}
	for _, p := range msaVerbLike {
		if strings.HasPrefix(w, p) {
			return false
		}
	}
	for _, e := range nounEndings {
		if strings.HasSuffix(w, e) {
			return false
		}
	}
	return len(rest) >= 8
}

// nounEndings end nouns and names that the verb shape would otherwise take
// (كتعويضات, كتغطيه, كينيا, كاترين, كنعان, كانساس): plural and nisba
// endings, and the endings of foreign names, which a Darija verb never has.
var nounEndings = []string{"ات", "يه", "يا", "ين", "ون", "ان", "اس"}

// msaVerbLike are the beginnings of MSA words shaped like a Moroccan verb.
var msaVerbLike = []string{"كتاب", "كتبت", "كتبه", "كتبها", "كتبوا", "كتبنا", "كتبهم", "كتبكم", "كتيب", "كتل", "كتف", "كتم", "كتان", "كيف", "كيان", "كيم", "كيل",
	"كنت", "كنا", "كنيس", "كنز", "كنوز", "كنف", "كنائس", "كناي", "كانت", "كانو", "كاني", "كاتب", "كاتي", "كنايه", "كنتم",
	"تاني", "تانك", "تاتي", "تايل", "تاين", "تاتو", "تايو", "كايد", "كتايب", "كتاف", "كتير"}

// dialectShape returns the group bits of a word by its shape rather than
// by a list: a Moroccan present or future verb, bare (كيقولو, غانمشي),
// behind a proclitic (وكنبغي, لكيتفرجو) or inside the negation ما…ش
// (ماكنعرفش, مكيحشموش); and the ب present of the other dialects inside
// the same negation (مابيعرفش, مابحبش), which Moroccan never writes.
func dialectShape(w string) uint8 {
	if len(w) < 10 {
		// Every shape has five letters or more (folded Arabic letters are
		// two bytes): most words stop here.
		return 0
	}
	if moroccanVerb(w) || moroccanFuture(w) {
		return 1 << cueMoroccan
	}
	for _, p := range [...]string{"و", "ف", "ل"} {
		if r, ok := strings.CutPrefix(w, p); ok && (moroccanVerb(r) || moroccanFuture(r)) {
			return 1 << cueMoroccan
		}
	}
	inner, ok := negated(w)
	if !ok {
		return 0
	}
	switch {
	case moroccanVerb(inner), moroccanFuture(inner):
		return 1 << cueMoroccan
	case strings.HasPrefix(inner, "بي") || strings.HasPrefix(inner, "بن") || strings.HasPrefix(inner, "بت"):
		if len(inner) >= 8 {
			return 1 << cueMashriq
		}
	}
	// A bare negation (مبقاش, ماعرفتش) is Egyptian as much as Maghrebi.
	return 0
}

// negated returns the verb inside the dialect negation ما…ش or م…ش
// (ماكنعرفش → كنعرف); ok is false for a word not of that shape.
func negated(w string) (string, bool) {
	r, ok := strings.CutSuffix(w, "ش")
	if !ok {
		return "", false
	}
	if x, ok := strings.CutPrefix(r, "ما"); ok {
		return x, len(x) >= 6
	}
	if x, ok := strings.CutPrefix(r, "م"); ok {
		return x, len(x) >= 8
	}
	return "", false
}

// moroccanFuture reports a word shaped like a Moroccan future verb: غا
// then a person prefix and a stem of three letters or more (غانمشي,
// غايكون, غاتندم), minus the MSA words of that shape (غاية, غانم, غانية …).
func moroccanFuture(w string) bool {
	rest, ok := strings.CutPrefix(w, "غا")
	if !ok || len(rest) < 8 {
		return false
	}
	if !strings.HasPrefix(rest, "ن") && !strings.HasPrefix(rest, "ي") && !strings.HasPrefix(rest, "ت") {
		return false
	}
	for _, p := range msaFutureLike {
		if strings.HasPrefix(w, p) {
			return false
		}
	}
	return true
}

// msaFutureLike are the beginnings of MSA words shaped like a Moroccan
// future verb.
var msaFutureLike = []string{"غايت", "غايات", "غاني", "غانم", "غانا", "غاتو", "غايظ", "غايب"}
