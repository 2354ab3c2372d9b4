package rules

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/basira-org/basira/arabic"
)

// FuzzParse feeds arbitrary bytes to the rule parser. It must never panic;
// every error must name the file; and whatever it accepts must compile and
// scan.
func FuzzParse(f *testing.F) {
	// Not the whole example pack: minimizing a 24 KB input that folds a
	// thousand terms per run starves the fuzzer. Its first rules suffice.
	if pack, err := os.ReadFile(examplePack); err == nil {
		if i := bytes.Index(pack, []byte("  - id: recruit-hijra-caliphate")); i > 0 {
			f.Add(pack[:i])
		}
	}
	f.Add([]byte(condRules))
	f.Add([]byte("rules:\n  - id: a\n    label: incitement\n    severity: low\n    near: {terms: [\"a|b\", c], within: 2}\n"))
	f.Add([]byte("lists:\n  x: [a, b]\nrules:\n  - id: a\n    label: incitement\n    severity: low\n    all: [\"@x\", \"c\"]\n    regex: ['a(b|c)+d']\n"))
	f.Add([]byte("x: &a [b]\nrules: *a\n"))
	f.Add([]byte("defaults: {arabizi: exact}\nrules:\n  - id: a\n    label: incitement\n    severity: low\n    arabizi: loose\n    any: [جهاد]\n    none: [داعش]\n"))
	f.Add([]byte("rules: [{id: a, label: benign, severity: low, any: [\"\\u200b\"]}]"))
	doc := arabic.Analyze("انضموا إلينا في صفوف المجاهدين a b c t.me/khilafa_x join us")
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("fuzz.yaml", data)
		if err != nil {
			var el ErrorList
			if !errors.As(err, &el) || len(el) == 0 {
				t.Fatalf("error %v is not a non-empty ErrorList", err)
			}
			for _, e := range el {
				if !strings.HasPrefix(e.Error(), "fuzz.yaml") {
					t.Fatalf("error does not name the file: %v", e)
				}
			}
			return
		}
		s, err := Compile(file.Rules)
		if err != nil {
			t.Fatalf("Parse accepted what Compile rejects: %v", err)
		}
		for _, m := range s.Match(doc) {
			for _, sp := range m.Spans {
				if sp.Start < 0 || sp.End > len(doc.Original) || sp.Start > sp.End {
					t.Fatalf("span %+v out of the text", sp)
				}
			}
		}
	})
}

// FuzzMatch runs arbitrary post text through the example pack and a
// regex-heavy set: no panic, spans inside the text, regex-text offsets in
// order.
func FuzzMatch(f *testing.F) {
	pack, err := os.ReadFile(examplePack)
	if err != nil {
		f.Skip(err)
	}
	file, err := Parse(examplePack, pack)
	if err != nil {
		f.Fatal(err)
	}
	extra := mustSet(f, condRules)
	set, err := Compile(file.Rules)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"انضموا إلينا في صفوف المجاهدين", "t.me/nashir_news", "د ا ع ش\u200b", "ﺍﺫﺑﺤﻮﻫﻢ", "TUEZ LES MÉCRÉANTS", "sifto lflous l lmjahdin", "\xff\xfe", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		doc := arabic.Analyze(text)
		for _, s := range []*Set{set, extra} {
			for _, m := range s.Match(doc) {
				for _, sp := range m.Spans {
					if sp.Start < 0 || sp.End > len(text) || sp.Start >= sp.End {
						t.Fatalf("rule %s: span %+v outside %d bytes", m.Rule.ID, sp, len(text))
					}
				}
				_ = Evidence(text, m.Spans)
			}
		}
		buf, offs := regexText(text, nil, nil)
		if len(offs) != len(buf)+1 {
			t.Fatalf("%d offsets for %d bytes", len(offs), len(buf))
		}
		for i := 1; i < len(offs); i++ {
			if offs[i] < offs[i-1] || offs[i] > int32(len(text)) {
				t.Fatalf("offset %d = %d after %d", i, offs[i], offs[i-1])
			}
		}
	})
}
