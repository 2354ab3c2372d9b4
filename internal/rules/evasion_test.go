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
