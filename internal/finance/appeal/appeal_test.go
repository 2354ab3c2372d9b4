package appeal

import (
	"testing"

	"github.com/basira-org/basira/arabic"
)

func kinds(text string) map[string]bool {
	out := map[string]bool{}
	for _, c := range Find(arabic.Analyze(text)) {
		out[c.Kind] = true
		if text[c.Start:c.End] == "" {
			panic("empty span")
		}
	}
	return out
}

func TestFind(t *testing.T) {
	cases := []struct {
		text string
		want []string
		not  []string
	}{
		{"تبرعوا لتجهيز المجاهدين في الثغور عبر المحفظة", []string{Ask, Context, Channel}, []string{Reporting}},
		{"وتبرعوا بارك الله فيكم", []string{Ask}, nil},
		{"3awnou khwatna, sifto l had rib", []string{AskWeak, Channel}, []string{Ask}},
		{"حملة التبرع بالدم يوم السبت", []string{Benign}, nil},
		{"Faites un don pour les frères, virement sur ce RIB", []string{Ask, Channel}, nil},
		{"Donate to support the brothers on the front, BTC address below", []string{Ask, Context, Channel}, nil},
		{"اعتقال شخص بتهمة تمويل الإرهاب عبر محفظة بيتكوين", []string{Reporting, Channel}, []string{Ask}},
		{"الصلاة خير من النوم", nil, []string{Ask, Context, Channel}},
	}
	for _, c := range cases {
		got := kinds(c.text)
		for _, k := range c.want {
			if !got[k] {
				t.Errorf("%q: no %s cue (got %v)", c.text, k, got)
			}
		}
		for _, k := range c.not {
			if got[k] {
				t.Errorf("%q: unexpected %s cue", c.text, k)
			}
		}
	}
}

func TestAsks(t *testing.T) {
	cases := []struct {
		text string
		want bool
	}{
		{"تبرعوا لإخوانكم", true},
		{"3awnou khwatna, sifto l had rib", true}, // weak ask + channel
		{"ساعدوا المجاهدين", true},                // weak ask + context
		{"ساعدوا جيرانكم في رمضان", false},        // weak ask alone
		{"Send your CV before Friday", false},     // no ask
		{"blood donation campaign on Saturday", false},
		{"Donate to the relief fund", true},
	}
	for _, c := range cases {
		if got := Asks(Find(arabic.Analyze(c.text))); got != c.want {
			t.Errorf("Asks(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}
