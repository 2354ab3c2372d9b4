package arabic

// Language codes returned by DetectLang and Doc.Lang.
const (
	LangMSA     = "ar"       // Modern Standard Arabic (and other Arabic-script Arabic)
	LangDarija  = "ary"      // Moroccan Darija in Arabic script
	LangArabizi = "ary-Latn" // Arabizi: Arabic (mostly Darija) in Latin letters and digits
	LangFrench  = "fr"
	LangEnglish = "en"
	LangUnknown = "und" // no letters, another script or another language (Persian, Urdu …)
)

// DetectLang identifies the language of text: ar, ary, arq-aeb,
// ar-dialect, ary-Latn, fr, en or und. It is Analyze(text).Lang.
func DetectLang(text string) string {
	l, _ := DetectLangConf(text)
	return l
}

// DetectLangConf is DetectLang with a confidence in [0, 1] (0 for und):
// from the model's margin, or from the marker words that decided a
// dialect (langid_dialect.go).
func DetectLangConf(text string) (string, float32) {
	s := scanners.Get().(*scanner)
	s.reset()
	s.scan(text)
	l, c := s.lang(string(s.buf))
	scanners.Put(s)
	return l, c
}

// lang identifies the language of the scanned text from its folded words,
// with a confidence. Script decides between the Arabic-script and
// Latin-script families; the embedded model (langid_model.bin, see
// langid_model.go) decides inside each family, and the dialect cue
// (langid_dialect.go) between Arabic dialects.
func (s *scanner) lang(folded string) (string, float32) {
	arabic, latin, other, persian := 0, 0, 0, 0
	for _, sp := range s.spans {
		n := sp.te - sp.ts
		switch {
		case sp.flags&fArabic != 0:
			arabic += n / 2
			if sp.flags&fPersian != 0 {
				persian++
			}
		case sp.flags&fLatin != 0:
			latin += n
		case sp.flags&fOther != 0:
			other += n
		}
	}
	switch {
	case arabic == 0 && latin == 0:
		return LangUnknown, 0
	case other > arabic+latin:
		return LangUnknown, 0
	}
	m := langModel()
	if arabic >= latin {
		l, lead, second := m.classify(s, folded, familyArabic)
		if l == LangUnknown {
			return l, 0
		}
		return s.dialect(folded, l, lead, second)
	}
	l, lead, _ := m.classify(s, folded, familyLatin)
	if s.otherLatin(folded) {
		return LangUnknown, 0
	}
	return l, modelConfidence(lead)
}

// HeldOut reports whether line i (0-based, counting non-comment lines) of a
// language-ID training source belongs to the evaluation split. The model is
// trained on the other lines only, and evaluations report the held-out ones.
func HeldOut(i int) bool { return i%5 == 0 }
