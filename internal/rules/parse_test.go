package rules

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseValid(t *testing.T) {
	src := `description: test pack
labels: [hate-speech]
rules:
  - id: join-call
    label: recruitment
    severity: high
    description: calls to join
    any: ["انضموا", "join us"]
    all: "داعش"
    none: ["ندين"]
    near: {terms: ["هجرة", "الشام"], within: 3}
    regex: ['\bhttps?://t\.me/\w+']
    lang: [ar, ary, ary-Latn]
    match: ["انضموا إلى داعش"]
    no_match: ["ندين داعش"]
  - id: slur
    label: hate-speech
    severity: low
    any: [x1y2z]
`
	f, err := Parse("r.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rules) != 2 || f.Description != "test pack" || len(f.Labels) != 1 {
		t.Fatalf("got %+v", f)
	}
	r := f.Rules[0]
	if r.ID != "join-call" || r.Line != 4 || r.Severity != High || r.Label != "recruitment" {
		t.Errorf("rule 0: %+v", r)
	}
	if len(r.Any) != 2 || len(r.All) != 1 || len(r.All[0]) != 1 || r.All[0][0] != "داعش" || r.Near == nil || r.Near.Within != 3 || len(r.Near.Terms) != 2 {
		t.Errorf("conditions: %+v near %+v", r, r.Near)
	}
	if len(r.Regex) != 1 || len(r.Lang) != 3 || len(r.Match) != 1 || len(r.NoMatch) != 1 {
		t.Errorf("regex/lang/examples: %+v", r)
	}
	if f.Rules[1].Pos() != "r.yaml:16" {
		t.Errorf("pos = %s", f.Rules[1].Pos())
	}
}

func TestParseErrors(t *testing.T) {
	head := "rules:\n"
	ok := "  - id: a\n    label: incitement\n    severity: high\n    any: [x]\n"
	tests := []struct {
		name, src, want string
	}{
		{"empty file", "", "r.yaml:1: the file is empty"},
		{"not yaml", "rules: [\n", "r.yaml:1: not valid YAML"},
		{"not mapping", "- a\n- b\n", "r.yaml:1: a rule file is a mapping"},
		{"no rules", "labels: [x]\n", "r.yaml:1: no `rules:` list"},
		{"rules not list", "rules: 3\n", "r.yaml:1: `rules:` must be a list"},
		{"empty rules", "rules: []\n", "r.yaml:1: `rules:` is empty"},
		{"unknown top key", "rule: []\n" + head + ok, "r.yaml:1: unknown key \"rule\""},
		{"unknown rule key", head + ok + "    anny: [y]\n", "r.yaml:6: unknown key \"anny\" in a rule"},
		{"bad severity", head + "  - id: a\n    label: incitement\n    severity: urgent\n    any: [x]\n", "r.yaml:4: rule \"a\": severity \"urgent\" must be low, medium or high"},
		{"missing severity", head + "  - id: a\n    label: incitement\n    any: [x]\n", "r.yaml:2: rule \"a\" has no `severity:`"},
		{"unknown label", head + "  - id: a\n    label: terror\n    severity: low\n    any: [x]\n", "r.yaml:3: rule \"a\": unknown label \"terror\""},
		{"missing id", head + "  - label: incitement\n    severity: low\n    any: [x]\n", "r.yaml:2: rule without an `id:`"},
		{"bad id", head + "  - id: \"a b\"\n    label: incitement\n    severity: low\n    any: [x]\n", "r.yaml:2: rule id \"a b\""},
		{"empty rule", head + "  - id: a\n    label: incitement\n    severity: low\n    none: [x]\n", "r.yaml:2: rule \"a\" states nothing to look for"},
		{"duplicate id", head + ok + ok, "r.yaml:6: duplicate rule id \"a\" (first defined at line 2)"},
		{"bad regex", head + "  - id: a\n    label: incitement\n    severity: low\n    regex: ['(ab']\n", "r.yaml:5: regex \"(ab\": is not valid RE2 syntax: missing closing )"},
		{"perl only regex", head + "  - id: a\n    label: incitement\n    severity: low\n    regex: ['(?=x)']\n", "r.yaml:5: regex \"(?=x)\": is not valid RE2 syntax"},
		{"within zero", head + "  - id: a\n    label: incitement\n    severity: low\n    near: {terms: [a, b], within: 0}\n", "r.yaml:5: near.within \"0\" must be a whole number"},
		{"within text", head + "  - id: a\n    label: incitement\n    severity: low\n    near: {terms: [a, b], within: far}\n", "near.within \"far\""},
		{"near one term", head + "  - id: a\n    label: incitement\n    severity: low\n    near: {terms: [a], within: 2}\n", "r.yaml:5: near needs at least two terms"},
		{"near no within", head + "  - id: a\n    label: incitement\n    severity: low\n    near: {terms: [a, b]}\n", "near needs `within: N`"},
		{"punctuation term", head + "  - id: a\n    label: incitement\n    severity: low\n    any: [\"!!!\"]\n", "r.yaml:5: any: term \"!!!\" has no letters or digits"},
		{"long term", head + "  - id: a\n    label: incitement\n    severity: low\n    any: [\"one two three four five six seven eight nine\"]\n", "is 9 words long"},
		{"empty list", head + "  - id: a\n    label: incitement\n    severity: low\n    any: []\n", "r.yaml:5: any: the list is empty"},
		{"null item", head + "  - id: a\n    label: incitement\n    severity: low\n    any: [~]\n", "each item must be a single string"},
		{"nested list", head + "  - id: a\n    label: incitement\n    severity: low\n    any: [[a]]\n", "each item must be a single string, not a list"},
		{"bad lang", head + "  - id: a\n    label: incitement\n    severity: low\n    any: [a]\n    lang: [Arabic]\n", "lang \"Arabic\""},
		{"alias", "x: &a [b]\n" + head + ok, "anchors and aliases"},
		{"duplicate key", head + "  - id: a\n    label: incitement\n    severity: low\n    any: [a]\n    any: [b]\n", "r.yaml:6: "},
		{"rule not mapping", head + "  - just a string\n", "r.yaml:2: each rule is a mapping"},
		{"bad arabizi", head + "  - id: a\n    label: incitement\n    severity: low\n    arabizi: fuzzy\n    any: [a]\n", "r.yaml:5: arabizi \"fuzzy\" must be exact"},
		{"arabizi list", head + "  - id: a\n    label: incitement\n    severity: low\n    arabizi: [exact]\n    any: [a]\n", "r.yaml:5: arabizi: expected a single value"},
		{"bad default arabizi", "defaults: {arabizi: strict}\n" + head + ok, "r.yaml:1: arabizi \"strict\" must be exact"},
		{"unknown default", "defaults:\n  lang: ar\n" + head + ok, "r.yaml:2: unknown key \"lang\" in defaults"},
		{"defaults not mapping", "defaults: exact\n" + head + ok, "r.yaml:1: defaults: expected a mapping"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("r.yaml", []byte(tc.src))
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			var el ErrorList
			if !errors.As(err, &el) {
				t.Fatalf("error %T is not an ErrorList", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tc.want)
			}
		})
	}
}

func TestParseReportsAllProblems(t *testing.T) {
	src := "rules:\n  - id: a\n    label: nope\n    severity: low\n    any: [x]\n  - id: b\n    label: incitement\n    severity: bad\n    any: [x]\n"
	_, err := Parse("r.yaml", []byte(src))
	var el ErrorList
	if !errors.As(err, &el) || len(el) != 2 || el[0].Line != 3 || el[1].Line != 8 {
		t.Fatalf("want two errors at lines 3 and 8, got %v", err)
	}
}

func TestParseSizeLimit(t *testing.T) {
	big := make([]byte, MaxFileBytes+1)
	_, err := Parse("big.yaml", big)
	if err == nil || !strings.Contains(err.Error(), "more than the limit of 8 MiB") {
		t.Fatalf("err = %v", err)
	}
	p := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(p, big, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = LoadPaths([]string{p})
	if err == nil || !strings.Contains(err.Error(), "more than the limit of 8 MiB") {
		t.Fatalf("LoadPaths err = %v", err)
	}
}

func TestParseWarnsRegexWithoutLiteral(t *testing.T) {
	src := "rules:\n  - id: digits\n    label: financing\n    severity: low\n    regex: ['\\d{16}']\n"
	f, err := Parse("r.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Warnings) != 1 || !strings.Contains(f.Warnings[0].Error(), "r.yaml:2: rule \"digits\": no regex has a literal") {
		t.Errorf("warnings = %v", f.Warnings)
	}
}

func TestLoadPaths(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.yaml", "rules:\n  - id: one\n    label: incitement\n    severity: low\n    any: [x]\n")
	write("b.yml", "rules:\n  - id: two\n    label: incitement\n    severity: low\n    any: [y]\n")
	write("notes.txt", "not a rule file")
	rules, _, err := LoadPaths([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 2 || rules[0].ID != "one" || rules[1].ID != "two" {
		t.Fatalf("rules = %v", rules)
	}
	write("c.yaml", "rules:\n  - id: one\n    label: incitement\n    severity: low\n    any: [z]\n")
	_, _, err = LoadPaths([]string{dir})
	if err == nil || !strings.Contains(err.Error(), "c.yaml:2: duplicate rule id \"one\" (first defined at "+filepath.Join(dir, "a.yaml")+":2)") {
		t.Fatalf("err = %v", err)
	}
	_, _, err = LoadPaths([]string{filepath.Join(dir, "missing.yaml")})
	if err == nil || !strings.Contains(err.Error(), "missing.yaml: cannot read rule file") {
		t.Fatalf("err = %v", err)
	}
	empty := t.TempDir()
	_, _, err = LoadPaths([]string{empty})
	if err == nil || !strings.Contains(err.Error(), "folder has no *.yaml") {
		t.Fatalf("err = %v", err)
	}
}

func TestParseListsAndAlternatives(t *testing.T) {
	src := `lists:
  verbs: [انضموا, التحقوا]
  groups: ["الدولة الاسلامية", داعش]
rules:
  - id: a
    label: recruitment
    severity: high
    all: ["@verbs", "@groups|المجاهدين"]
    near: {terms: ["@verbs", "صفوف|ركب"], within: 2}
    none: ["@groups"]
    any: ["x|y"]
`
	f, err := Parse("r.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	r := f.Rules[0]
	if len(r.All) != 2 || strings.Join(r.All[0], ",") != "انضموا,التحقوا" || strings.Join(r.All[1], ",") != "الدولة الاسلامية,داعش,المجاهدين" {
		t.Errorf("all = %q", r.All)
	}
	if len(r.Near.Terms) != 2 || strings.Join(r.Near.Terms[1], ",") != "صفوف,ركب" {
		t.Errorf("near = %q", r.Near.Terms)
	}
	if strings.Join(r.None, ",") != "الدولة الاسلامية,داعش" || strings.Join(r.Any, ",") != "x,y" {
		t.Errorf("none = %q any = %q", r.None, r.Any)
	}
	bad := []struct{ src, want string }{
		{"rules:\n  - id: a\n    label: recruitment\n    severity: high\n    any: [\"@nope\"]\n", "r.yaml:5: any: unknown list \"@nope\""},
		{"rules:\n  - id: a\n    label: recruitment\n    severity: high\n    any: [@nope]\n", "quote values that start with @"},
		{"rules:\n  - id: a\n    label: recruitment\n    severity: high\n    any: [\"a||b\"]\n", "empty alternative"},
		{"lists:\n  x: [\"a|b\"]\nrules:\n  - id: a\n    label: recruitment\n    severity: high\n    any: [a]\n", "a list holds plain terms"},
		{"lists:\n  Bad Name: [a]\nrules:\n  - id: a\n    label: recruitment\n    severity: high\n    any: [a]\n", "list name \"Bad Name\""},
	}
	for _, tc := range bad {
		_, err := Parse("r.yaml", []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("err = %v, want %q", err, tc.want)
		}
	}
}

func TestParseExpansionLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("lists:\n  big: [")
	for i := range 20000 {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "w%d", i)
	}
	b.WriteString("]\nrules:\n")
	for i := range 60 {
		fmt.Fprintf(&b, "  - id: r%d\n    label: benign\n    severity: low\n    any: [\"@big\"]\n", i)
	}
	_, err := Parse("r.yaml", []byte(b.String()))
	var el ErrorList
	if !errors.As(err, &el) || !strings.Contains(err.Error(), "expand to more than 1000000 terms") {
		t.Fatalf("err = %v", err)
	}
	if len(el) > maxErrors+1 {
		t.Errorf("%d errors reported", len(el))
	}
}
