package rules

import (
	"slices"
	"testing"

	"github.com/basira-org/basira/arabic"
)

// TestEvasionsDefeated checks that each way of hiding a term from a naive
// matcher still fires the rule, and that the evidence is the original
// (evasive) text, not the folded form.
func TestEvasionsDefeated(t *testing.T) {
	s := mustSet(t, `rules:
  - id: daesh
    label: violent-extremist-propaganda
    severity: low
    any: ["داعش", "الدولة الإسلامية"]
  - id: kuffar
    label: incitement
    severity: high
    any: ["اقتلوا الكفار", "kill the kuffar"]
  - id: pay
    label: financing
    severity: low
    any: ["paypal"]
`)
	tests := []struct {
		name, text, rule, evidence string
	}{
		{"plain", "بيان داعش اليوم", "daesh", "داعش"},
		{"diacritics", "بيان دَاعِشُ اليوم", "daesh", "دَاعِشُ"},
		{"tatweel", "بيان داعـــــش اليوم", "daesh", "داعـــــش"},
		{"elongation", "بيان داااااعش اليوم", "daesh", "داااااعش"},
		{"spaced letters", "بيان د ا ع ش اليوم", "daesh", "د ا ع ش"},
		{"zero-width space", "بيان دا\u200bعش اليوم", "daesh", "دا\u200bعش"},
		{"zero-width non-joiner", "بيان دا\u200cعش اليوم", "daesh", "دا\u200cعش"},
		{"zero-width joiner", "بيان د\u200dاعش اليوم", "daesh", "د\u200dاعش"},
		{"bidi controls", "بيان \u202bداعش\u202c اليوم", "daesh", "داعش"},
		{"presentation forms", "بيان \ufea9\ufe8d\ufecb\ufeb6 اليوم", "daesh", "\ufea9\ufe8d\ufecb\ufeb6"},
		{"hamza forms", "الدولة الاسلامية", "daesh", "الدولة الاسلامية"},
		{"persian yeh", "الدولة الإسلامیة", "daesh", "الدولة الإسلامیة"},
		{"keheh", "اقتلوا الکفار", "kuffar", "اقتلوا الکفار"},
		{"clitic li-", "بيعة لداعش", "daesh", "لداعش"},
		{"clitic wa-", "القاعدة وداعش", "daesh", "وداعش"},
		{"clitic bi-al- in a phrase", "التحق بالدولة الإسلامية", "daesh", "بالدولة الإسلامية"},
		{"clitic fa- in a phrase", "فاقتلوا الكفار", "kuffar", "فاقتلوا الكفار"},
		{"arabizi", "bay3a l da3ech", "daesh", "da3ech"},
		{"upper case", "KILL THE KUFFAR", "kuffar", "KILL THE KUFFAR"},
		{"cyrillic look-alikes", "send it by p\u0430yp\u0430l", "pay", "p\u0430yp\u0430l"},
		{"fullwidth letters", "send it by ｐａｙｐａｌ", "pay", "ｐａｙｐａｌ"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ms := s.Match(arabic.Analyze(tc.text))
			i := slices.IndexFunc(ms, func(m Match) bool { return m.Rule.ID == tc.rule })
			if i < 0 {
				t.Fatalf("%q: rule %s did not fire (folded %q)", tc.text, tc.rule, arabic.Analyze(tc.text).Folded)
			}
			if ev := Evidence(tc.text, ms[i].Spans); ev != tc.evidence {
				t.Errorf("evidence %q, want %q", ev, tc.evidence)
			}
		})
	}
}

// TestNoFalseFriends checks near misses that must not fire.
func TestNoFalseFriends(t *testing.T) {
	s := mustSet(t, `rules:
  - id: daesh
    label: violent-extremist-propaganda
    severity: low
    any: ["داعش", "kill the kuffar"]
`)
	for _, text := range []string{
		"دا عش",               // two real words, not spaced letters
		"kill the kuffarless", // longer word
		"kill kuffar",         // phrase words missing
		"the kuffar kill",     // phrase order
	} {
		if ms := s.Match(arabic.Analyze(text)); len(ms) > 0 {
			t.Errorf("%q fired %s", text, ms[0].Rule.ID)
		}
	}
}

// TestRegexPrefilterEvasions checks that a regex-only rule, prefiltered on
// the words of its literals in the folded text, still fires when the text
// hides those words: the prefilter must never drop what the regex matches.
func TestRegexPrefilterEvasions(t *testing.T) {
	s := mustSet(t, `rules:
  - id: channel
    label: violent-extremist-propaganda
    severity: medium
    regex: ['t\.me/\w*(?:khilafa|nashir)\w*']
`)
	if s.wordLits == nil {
		t.Fatal("the rule should be prefiltered on the folded text")
	}
	checked := 0
	for _, text := range []string{
		"join t.me/khilafa_news",
		"JOIN T.ME/KHILAFA_NEWS",
		"t.me/khil\u200bafa_news",
		"t.me/khil\u200cafa_news",
		"t.me/khiiiilafa",
		"ｔ.ｍｅ/ｎａｓｈｉｒ",
		"t.me/nashir24",
		"t.me/24nashir",
		"t.me/اnashir",
	} {
		if !regexFires(s, text) {
			t.Logf("%q: the regex itself does not match", text)
			continue
		}
		checked++
		if len(s.Match(arabic.Analyze(text))) == 0 {
			t.Errorf("%q: the regex matches but the prefilter dropped it (folded %q)", text, arabic.Analyze(text).Folded)
		}
	}
	if checked < 7 {
		t.Errorf("the regex matched only %d of the texts: the test checks too little", checked)
	}
}

// regexFires runs the set's regexes on the regex text directly, without
// the prefilter.
func regexFires(s *Set, text string) bool {
	buf, _ := regexText(text, nil, nil)
	for _, c := range s.rules {
		for _, re := range c.regex {
			if re.Match(buf) {
				return true
			}
		}
	}
	return false
}
