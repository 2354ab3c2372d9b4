package cli

import (
	"strings"
	"testing"
)

func TestTextCommands(t *testing.T) {
	cases := []struct {
		args  []string
		stdin string
		want  string
	}{
		{[]string{"text", "normalize"}, "أَحْمَدُ مدرسة ١٢٣\nplain\n", "احمد مدرسه 123\nplain\n"},
		{[]string{"text", "normalize", "--keep-teh-marbuta"}, "مدرسة\n", "مدرسة\n"},
		{[]string{"text", "fold"}, "داااعش د ا ع ش pаypаl!\n", "داعش داعش paypal\n"},
		{[]string{"text", "fold", "--tokens"}, "لداعش\n", "لداعش[0:10] base=داعش\n"},
		{[]string{"text", "stem"}, "والكتاب ساهدون\n", "كتاب ساهد\n"},
		{[]string{"text", "stem", "--snowball"}, "ءامنتم\n", "ءامن\n"}, // Snowball output.txt
		{[]string{"text", "translit"}, "salam 3likom\n", "سالام عليكوم\n"},
		{[]string{"text", "lang"}, "واش كاين شي جديد على هاد الموضوع؟\nwach kayn chi jdid 3la had lmawdou3\n\n", "ary\nary-Latn\nund\n"},
		{[]string{"text", "lang", "--conf"}, "انا بدي روح عالبيت هلق لانو تعبان كتير\nبرشا ناس توا يحبو يخدمو في الخارج\nالسلام عليكم\n", "ar-dialect\t1.00\narq-aeb\t0.94\nund\t0.00\n"},
	}
	for _, c := range cases {
		code, out, errOut := run(t, c.stdin, c.args...)
		if code != 0 || out != c.want {
			t.Errorf("basira %s: exit %d, stdout %q (stderr %q), want %q", strings.Join(c.args, " "), code, out, errOut, c.want)
		}
	}
	code, out, _ := run(t, "x\n", "text", "translit", "--k", "3")
	if code != 0 || strings.Count(out, "|") < 1 {
		t.Errorf("translit --k 3: exit %d, %q; want several spellings", code, out)
	}
	if code, _, errOut := run(t, "", "text", "fold", "extra-arg"); code != 2 || !strings.Contains(errOut, "stdin") {
		t.Errorf("text fold with an argument: exit %d, stderr %q; want a usage error", code, errOut)
	}
}

func TestTextEval(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the reference data")
	}
	code, out, errOut := run(t, "", "text", "eval")
	if code != 0 {
		if strings.Contains(errOut, "reference data not found") {
			t.Skip(errOut)
		}
		t.Fatalf("text eval: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"LANGUAGE ID", "ElecMorocco2016", "HaifaCLG", "ARABIZI TRANSLITERATION", "DODa v2 word pairs"} {
		if !strings.Contains(out, want) {
			t.Errorf("text eval output lacks %q", want)
		}
	}
}
