package entities

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/basira-org/basira/arabic"
)

func builtinSet(t testing.TB) *Set {
	t.Helper()
	s, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestBuiltin checks the shipped file as a reviewer would: every entry has
// a source, the kinds the brief names are all there, every `of` resolves
// (Merge checks it) and the groups the team must know are known.
func TestBuiltin(t *testing.T) {
	s := builtinSet(t)
	kinds := map[Kind]int{}
	for _, e := range s.Entities() {
		kinds[e.Kind]++
		if strings.TrimSpace(e.Source) == "" {
			t.Errorf("%s: entry %q has no source", e.Pos, e.ID)
		}
		if len(e.Aliases)+len(e.Shared) == 0 {
			t.Errorf("%s: entry %q has no names", e.Pos, e.ID)
		}
	}
	for _, k := range Kinds {
		if kinds[k] == 0 {
			t.Errorf("no entry of kind %s", k)
		}
	}
	for _, id := range []string{"isil", "al-qaida", "aqim", "aqap", "jnim", "shabaab", "hts", "iswap", "is-sahel", "iscap", "iskp", "ansar-sharia", "boko-haram", "amaq", "furqan", "hayat", "naba", "dabiq", "rumiyah", "nashir", "sahab", "malahem", "andalus", "zallaqa", "kataib", "itisam", "ajnad", "baqiya"} {
		if s.Entity(id) == nil {
			t.Errorf("no entry %q", id)
		}
	}
	if got := s.Root("amaq"); got != "isil" {
		t.Errorf("Root(amaq) = %q, want isil", got)
	}
	if got := s.Root("zallaqa"); got != "al-qaida" {
		t.Errorf("Root(zallaqa) = %q, want al-qaida (zallaqa → jnim → al-qaida)", got)
	}
}

type wantHit struct {
	entity, text string
	shared       bool
}

func TestFind(t *testing.T) {
	s := builtinSet(t)
	cases := []struct {
		text string
		want []wantHit
	}{
		// Arabic: clitics, hamza and diacritics folded; the longest name wins.
		{"بيان من الدولة الإسلامية في العراق والشام", []wantHit{{"isil", "الدولة الإسلامية في العراق والشام", false}}},
		{"بايعوا للدولة الاسلامية", []wantHit{{"isil", "للدولة الاسلامية", false}}},
		{"جنودُ الخلافةِ في ولاية سيناء", []wantHit{{"isil", "جنودُ الخلافة", false}, {"is-sinai", "ولاية سيناء", false}}},
		{"#ولاية_صلاح_الدين تفجير", []wantHit{{"is-provinces-iraq-syria", "ولاية_صلاح_الدين", false}}},
		{"وكالة أعماق: مقتل 10", []wantHit{{"amaq", "وكالة أعماق", false}}},
		{"الدولة الإسلامية باقية وتتمدد", []wantHit{{"isil", "الدولة الإسلامية", false}, {"baqiya", "باقية وتتمدد", false}}},
		{"داااعش", []wantHit{{"isil", "داااعش", false}}},   // elongation
		{"د ا ع ش", []wantHit{{"isil", "د ا ع ش", false}}}, // spaced-out letters
		{"القاعدة في بلاد المغرب الإسلامي تتبنى", []wantHit{{"aqim", "القاعدة في بلاد المغرب الإسلامي", false}}},
		{"هيئة تحرير الشام وجبهة النصرة", []wantHit{{"hts", "هيئة تحرير الشام", false}, {"hts", "وجبهة النصرة", false}}},
		{"إصدار جديد من مؤسسة الفرقان للإنتاج الإعلامي", []wantHit{{"furqan", "مؤسسة الفرقان للإنتاج الإعلامي", false}}},
		// Latin, English, French, Arabizi, hashtags.
		{"ISIS claims the attack via Amaq Agency", []wantHit{{"isil", "ISIS", false}, {"amaq", "Amaq Agency", false}}},
		{"Al-Qaeda's branch in Yemen, AQAP", []wantHit{{"al-qaida", "Al-Qaeda", false}, {"aqap", "AQAP", false}}},
		{"#AlQaeda #BokoHaram", []wantHit{{"al-qaida", "AlQaeda", false}, {"boko-haram", "BokoHaram", false}}},
		{"Daech a revendiqué l'attentat", []wantHit{{"isil", "Daech", false}}},
		{"l'État islamique au Grand Sahara", []wantHit{{"is-sahel", "État islamique au Grand Sahara", false}}},
		{"da3ech dkhlo", []wantHit{{"isil", "da3ech", false}}},
		{"the Islamic State is remaining and expanding", []wantHit{{"isil", "Islamic State", false}, {"baqiya", "remaining and expanding", false}}},
		{"Wilayat Ninawa: new release", []wantHit{{"is-provinces-iraq-syria", "Wilayat Ninawa", false}}},
		{"a new issue of Dabiq magazine", []wantHit{{"dabiq", "Dabiq magazine", false}}},
		{"JNIM et l'EIGS au Sahel", []wantHit{{"jnim", "JNIM", false}, {"is-sahel", "EIGS", false}}},
		// Shared names: reported, marked weaker.
		{"أمير المؤمنين الملك محمد السادس", []wantHit{{"is-caliph-title", "أمير المؤمنين", true}}},
		{"Amirul Mu'minin", []wantHit{{"is-caliph-title", "Amirul Mu'minin", true}}},
		{"الخلافة على منهاج النبوة", []wantHit{{"khilafa-manhaj", "الخلافة على منهاج النبوة", false}}},
		{"على منهاج النبوة", []wantHit{{"khilafa-manhaj", "على منهاج النبوة", true}}},
		{"الدولة المغربية تدعم القاعدة الاقتصادية", []wantHit{{"al-qaida", "القاعدة", true}}},
		{"أعماق البحر", []wantHit{{"amaq", "أعماق", true}}},
		// A name in several entries gives one hit per entry.
		{"أنصار الشريعة", []wantHit{{"ansar-sharia", "أنصار الشريعة", true}}},
		// Ordinary words that contain or resemble names: nothing.
		{"الدولة المغربية تدعم الاقتصاد", nil},
		{"this is it, the state of the art", nil},
		{"wach nta f dar?", nil},
		{"ولاية الخرطوم وولاية كسلا", nil},
		{"", nil},
		{"#", nil},
	}
	for _, c := range cases {
		hits := s.Find(arabic.Analyze(c.text))
		var got []wantHit
		for _, h := range hits {
			got = append(got, wantHit{h.Entity, c.text[h.Start:h.End], h.Shared})
			if e := s.Entity(h.Entity); e == nil || e.Kind != h.Kind || h.Group != s.Root(h.Entity) {
				t.Errorf("%q: hit %+v disagrees with its entry", c.text, h)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("Find(%q)\n got %v\nwant %v", c.text, got, c.want)
		}
	}
}

// TestFindNamesEveryAlias: every name in the shipped file is found when a
// post consists of it, as the entry it belongs to (or a longer or equal
// name of another entry that shares its words, never nothing).
func TestFindNamesEveryAlias(t *testing.T) {
	s := builtinSet(t)
	for _, e := range s.Entities() {
		for i, al := range slices.Concat(e.Aliases, e.Shared) {
			hits := s.Find(arabic.Analyze(al.Text))
			ok := false
			for _, h := range hits {
				if h.Entity == e.ID && h.Shared == (i >= len(e.Aliases)) {
					ok = true
				}
			}
			if !ok {
				t.Errorf("%s: %s alias %q of %q: Find = %+v", e.Pos, al.Lang, al.Text, e.ID, hits)
			}
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"empty", ``, "x.yaml:1: the file is empty"},
		{"yaml", "version: 1\nentities: [\n", "x.yaml:2: not valid YAML"},
		{"version", "version: 2\nentities: []\n", "x.yaml:1: version must be 1"},
		{"unknown top", "version: 1\nentries: []\n", `x.yaml:2: unknown key "entries"`},
		{"kind", "version: 1\nentities:\n- id: a\n  kind: army\n  name: A\n  source: s\n  aliases: {en: [Abcdef]}\n", `x.yaml:4: kind "army" is not one of`},
		{"missing source", "version: 1\nentities:\n- id: a\n  kind: group\n  name: A\n  aliases: {en: [Abcdef]}\n", "x.yaml:3: entry a: missing source"},
		{"lang", "version: 1\nentities:\n- id: a\n  kind: group\n  name: A\n  source: s\n  aliases:\n    de: [Abcdef]\n", `x.yaml:8: aliases: language "de"`},
		{"short", "version: 1\nentities:\n- id: a\n  kind: group\n  name: A\n  source: s\n  aliases:\n    en: [IS]\n", `x.yaml:8: en "IS": is shorter than 3 letters`},
		{"long", "version: 1\nentities:\n- id: a\n  kind: group\n  name: A\n  source: s\n  aliases:\n    en: [one two three four five six seven eight nine]\n", "has 9 words; an alias has at most 8"},
		{"twice", "version: 1\nentities:\n- id: a\n  kind: group\n  name: A\n  source: s\n  aliases:\n    en: [Daesh]\n  shared:\n    fr: [DAESH]\n", `x.yaml:10: entry "a" lists "DAESH" twice (the same once folded as line 8)`},
		{"dup id", "version: 1\nentities:\n- {id: a, kind: group, name: A, source: s, aliases: {en: [Abcdef]}}\n- {id: a, kind: group, name: B, source: s, aliases: {en: [Ghijkl]}}\n", `x.yaml:4: entry id "a" is already used at line 3`},
		{"un", "version: 1\nentities:\n- {id: a, kind: group, name: A, source: s, un: [QDe115], aliases: {en: [Abcdef]}}\n", `un reference "QDe115"`},
		{"anchor", "version: 1\nentities:\n- &x {id: a, kind: group, name: A, source: s, aliases: {en: [Abcdef]}}\n", "anchors and aliases"},
		{"no names", "version: 1\nentities:\n- {id: a, kind: group, name: A, source: s}\n", `entry "a" has no aliases`},
	}
	for _, c := range cases {
		_, err := Parse("x.yaml", []byte(c.src))
		var el ErrorList
		if !errors.As(err, &el) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
	big := make([]byte, MaxFileBytes+1)
	if _, err := Parse("big.yaml", big); err == nil || !strings.Contains(err.Error(), "more than the limit") {
		t.Errorf("oversized file: %v", err)
	}
}

func TestMerge(t *testing.T) {
	team, err := Parse("team.yaml", []byte(`version: 1
entities:
- id: isil
  kind: group
  name: Islamic State
  un: [QDe.115]
  source: team
  aliases: {en: [ISIS]}
  shared: {ar: [الخلافة]}
- id: amaq
  kind: outlet
  name: Amaq
  of: isil
  source: team
  aliases: {en: [Amaq Agency]}
`))
	if err != nil {
		t.Fatal(err)
	}
	un, err := Parse("un.yaml", []byte(`version: 1
entities:
- id: isil
  kind: group
  name: AL-QAIDA IN IRAQ
  un: [QDe.115]
  source: UN 1267 QDe.115
  aliases: {en: [ISIS, Al-Qaida in Iraq], ar: [الخلافة, القاعدة في العراق]}
`))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Merge(team, un)
	if err != nil {
		t.Fatal(err)
	}
	e := s.Entity("isil")
	if e.Name != "Islamic State" || e.Source != "team; UN 1267 QDe.115" || len(e.Aliases) != 3 || len(e.Shared) != 1 {
		t.Errorf("merged = %+v", e)
	}
	// The team's shared marking wins over the import's plain alias.
	hits := s.Find(arabic.Analyze("الخلافة"))
	if len(hits) != 1 || !hits[0].Shared {
		t.Errorf("Find(الخلافة) = %+v, want one shared hit", hits)
	}
	if hits := s.Find(arabic.Analyze("al-qaida in iraq")); len(hits) != 1 || hits[0].Entity != "isil" {
		t.Errorf("imported alias not found: %+v", hits)
	}

	clash, _ := Parse("c.yaml", []byte("version: 1\nentities:\n- {id: amaq, kind: group, name: A, source: s, aliases: {en: [Abcdef]}}\n"))
	if _, err := Merge(team, clash); err == nil || !strings.Contains(err.Error(), `c.yaml:3: entry "amaq" is a group here but a outlet in team.yaml:10`) {
		t.Errorf("kind clash: %v", err)
	}
	orphan, _ := Parse("o.yaml", []byte("version: 1\nentities:\n- {id: x, kind: outlet, of: nobody, name: A, source: s, aliases: {en: [Abcdef]}}\n"))
	if _, err := Merge(orphan); err == nil || !strings.Contains(err.Error(), `o.yaml:3: entry "x" belongs to "nobody"`) {
		t.Errorf("unknown of: %v", err)
	}
	loop, _ := Parse("l.yaml", []byte("version: 1\nentities:\n- {id: x, kind: outlet, of: y, name: A, source: s, aliases: {en: [Abcdef]}}\n- {id: y, kind: outlet, of: x, name: B, source: s, aliases: {en: [Ghijkl]}}\n"))
	if _, err := Merge(loop); err == nil || !strings.Contains(err.Error(), "loops back") {
		t.Errorf("of loop: %v", err)
	}
}

func TestRuleLists(t *testing.T) {
	s := builtinSet(t)
	lists := s.RuleLists()
	for _, k := range []string{"entity-groups", "entity-outlets", "entity-publications", "entity-provinces", "entity-leaders", "entity-slogans", "entity-names", "entity-shared"} {
		if len(lists[k]) == 0 {
			t.Errorf("list %s is empty", k)
		}
		for _, term := range lists[k] {
			if n := len(arabic.Tokenize(term)); n == 0 || n > MaxAliasWords || strings.Contains(term, "|") || strings.HasPrefix(term, "@") {
				t.Errorf("%s: term %q is not a plain rule term", k, term)
			}
		}
	}
	for list, term := range map[string]string{"entity-groups": "داعش", "entity-outlets": "Amaq Agency", "entity-provinces": "ولاية سيناء", "entity-leaders": "أبو بكر البغدادي", "entity-slogans": "باقية وتتمدد", "entity-shared": "أمير المؤمنين"} {
		if !slices.Contains(lists[list], term) {
			t.Errorf("%s lacks %q", list, term)
		}
	}
	// Shared names stay out of the plain lists.
	if slices.Contains(lists["entity-leaders"], "أمير المؤمنين") || slices.Contains(lists["entity-names"], "القاعدة") {
		t.Error("a shared name is in a plain list")
	}
}
