package entities

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/sanctions"
)

// UNReport counts what FromUN took and left.
type UNReport struct {
	Entities    int // QDe entities written (after grouping by entry id)
	Merged      int // of which extend an entry of the base set
	Individuals int // QDi entries skipped: Basira keeps no lists of people
	OtherRegime int // entities of other regimes (Taliban, DPRK, …) skipped
	Aliases     int // plain aliases written
	Shared      int // names written as shared
	Dropped     int // names that cannot be matched (too short, too long, other script)
}

// FromUN makes an entities file from the UN Security Council consolidated
// list (as parsed by sanctions.ParseUNXML): the entities of the ISIL
// (Da'esh) and Al-Qaida regime, those whose reference number is QDe.nnn.
// Individuals are never taken. An entity whose reference a base entry
// lists under `un:` takes that entry's id and kind, so the import merges
// into the team's entry; others get the id un-qde-nnn and kind group.
// Names that are ordinary words or generic phrases ("The Base",
// "Al-Hadith", "Soldiers of God") go to shared.
func FromUN(entries []sanctions.Entry, base *Set, date string) (*File, UNReport) {
	var rep UNReport
	byRef := map[string]*Entity{}
	if base != nil {
		for _, e := range base.entities {
			for _, r := range e.UN {
				if _, ok := byRef[r]; !ok {
					byRef[r] = e
				}
			}
		}
	}
	out := map[string]*Entity{}
	seen := map[string]map[string]bool{}
	var order []string
	for _, u := range entries {
		ref := strings.TrimSpace(u.Ref)
		switch {
		case u.Type == "individual" || strings.HasPrefix(ref, "QDi."):
			rep.Individuals++
			continue
		case u.Type != "entity" || !strings.HasPrefix(ref, "QDe.") || !unPattern.MatchString(ref):
			rep.OtherRegime++
			continue
		}
		id, kind := "un-"+strings.ToLower(strings.ReplaceAll(ref, ".", "-")), Group
		if b := byRef[ref]; b != nil {
			id, kind = b.ID, b.Kind
		}
		e := out[id]
		if e == nil {
			e = &Entity{ID: id, Kind: kind, Name: u.Name}
			if byRef[ref] != nil {
				rep.Merged++
			}
			out[id], seen[id] = e, map[string]bool{}
			order = append(order, id)
		} else {
			e.Name += "; " + u.Name
		}
		e.UN = append(e.UN, ref)
		for _, n := range splitUNNames(slices.Concat([]string{u.Name}, u.Aliases)) {
			al, shared, ok := classifyUNName(n)
			if !ok {
				rep.Dropped++
				continue
			}
			k := foldKey(al.Text)
			if seen[id][k] {
				continue
			}
			seen[id][k] = true
			if shared {
				e.Shared = append(e.Shared, al)
				rep.Shared++
			} else {
				e.Aliases = append(e.Aliases, al)
				rep.Aliases++
			}
		}
	}
	f := &File{Name: "un-1267.yaml", Version: FormatVersion, Updated: date}
	for _, id := range order {
		e := out[id]
		if len(e.Aliases)+len(e.Shared) == 0 {
			continue
		}
		e.Name = strings.Join(strings.Fields(e.Name), " ")
		if len(e.Name) > 300 {
			e.Name = e.Name[:max(0, strings.LastIndex(e.Name[:300], ";"))]
		}
		e.Source = "UN Security Council ISIL (Da'esh) and Al-Qaida sanctions list (resolution 1267), " + strings.Join(e.UN, ", ")
		if date != "" {
			e.Source += ", consolidated list of " + date
		}
		f.Entities = append(f.Entities, e)
	}
	rep.Entities = len(f.Entities)
	return f, rep
}

// splitUNNames splits the UN list's compound names ("AL-HARAMAIN
// FOUNDATION (PAKISTAN)", "AL-ITIHAAD AL-ISLAMIYA / AIAI") into names, with
// white space (line breaks inside Arabic names) collapsed.
func splitUNNames(names []string) []string {
	var out []string
	for _, n := range names {
		for _, part := range strings.FieldsFunc(n, func(r rune) bool { return r == '(' || r == ')' || r == ';' || r == '/' }) {
			part = strings.Join(strings.Fields(part), " ")
			if part != "" && !strings.EqualFold(part, "original script") {
				out = append(out, part)
			}
		}
	}
	return out
}

// genericWords are words that name nothing on their own: a UN alias made
// only of them ("The Base", "Islamic Army", "Libyan Society") is shared.
var genericWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`the of in for and on to a an al el ul ud ur at as ash an-
		islamic islam islamiya islamiyya islamiah islamia muslim muslims jihad jihadi holy
		group jamaat jamaa jama jamaah jamiat jamiyat society association organization organisation
		foundation trust welfare relief aid charity charitable international intl humanitarian
		army soldiers soldier brigade brigades battalion battalions regiment movement party front network
		base new sentinels veiled god liberation supporters followers devotees vanguard vanguards
		company co office exchange money currency hawala branch center centre committee heritage revival
		people east west north south eastern western central sham levant cooperation
		army mujahidin mujahideen ansar tawhid sunna sunnah hadith hadid faran kifah wafa
		libyan afghan egyptian pakistan pakistani kurdish global special purpose salvation righteous pure
		medical agency bureau service services peacekeeping truth lies citizens rights education culture building
		is as`) {
		genericWords[w] = true
	}
}

// classifyUNName turns one UN name into an alias: its language, and
// whether it is shared (an ordinary word or a generic phrase). ok is false
// for a name Find could not use.
func classifyUNName(n string) (Alias, bool, bool) {
	n = strings.Trim(strings.TrimSpace(n), `"'“”‘’,.`)
	if n == "" || checkAlias(n) != "" {
		return Alias{}, false, false
	}
	lang := ""
	for _, r := range n {
		switch {
		case unicode.Is(unicode.Arabic, r):
			lang = "ar"
		case unicode.Is(unicode.Latin, r):
			lang = "en"
		case unicode.IsLetter(r):
			return Alias{}, false, false // Cyrillic and other scripts: no alias key for them
		default:
			continue
		}
		break
	}
	if lang == "" {
		return Alias{}, false, false
	}
	toks := arabic.Tokenize(n)
	content := 0
	for _, t := range toks {
		w := t.Text
		if lang == "ar" {
			w = arabic.StripClitics(w)
		}
		if !genericWords[w] && !arabicGeneric()[w] {
			content++
		}
	}
	shared := content == 0
	if len(toks) == 1 {
		// One word is shared: an ordinary word (Sirat, Jamiyat), a short
		// acronym (LET, JUD), or a country from a compound name
		// ("AL-HARAMAYN FOUNDATION (KENYA)"). The acronyms that do name
		// a group (AQIM, JNIM) are plain in the team's file.
		shared = true
	}
	return Alias{Lang: lang, Text: n}, shared, true
}

// arabicGeneric are Arabic words (clitic-stripped, folded) that name
// nothing on their own. Built on first use: folding needs the arabic
// tables, which init would build for every command.
var arabicGeneric = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`في من و اسلامي اسلاميه جماعه جمعيه منظمه مؤسسه موسسه تنظيم حركه جبهه
		جيش كتيبه شبكه مكتب اتحاد جهاد الجهاد انصار مهاجرين اهل سنه دعوه خدمات الخدمات`) {
		m[arabic.Fold(w)] = true
	}
	return m
})

// Marshal writes f as an entities file: one entry per block, names in
// flow lists, in a stable order, so that a refresh shows as a small diff.
func (f *File) Marshal(header string) []byte {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(header, "\n"), "\n") {
		if l == "" {
			b.WriteString("#\n")
		} else {
			b.WriteString("# " + l + "\n")
		}
	}
	fmt.Fprintf(&b, "version: %d\n", f.Version)
	if f.Updated != "" {
		fmt.Fprintf(&b, "updated: %s\n", f.Updated)
	}
	b.WriteString("entities:\n")
	for _, e := range f.Entities {
		fmt.Fprintf(&b, "- id: %s\n  kind: %s\n  name: %s\n", e.ID, e.Kind, quote(e.Name))
		if e.Of != "" {
			fmt.Fprintf(&b, "  of: %s\n", e.Of)
		}
		if len(e.UN) > 0 {
			fmt.Fprintf(&b, "  un: [%s]\n", strings.Join(e.UN, ", "))
		}
		fmt.Fprintf(&b, "  source: %s\n", quote(e.Source))
		writeNames(&b, "aliases", e.Aliases)
		writeNames(&b, "shared", e.Shared)
	}
	return []byte(b.String())
}

func writeNames(b *strings.Builder, key string, names []Alias) {
	if len(names) == 0 {
		return
	}
	fmt.Fprintf(b, "  %s:\n", key)
	for _, lang := range Langs {
		var qs []string
		for _, al := range names {
			if al.Lang == lang {
				qs = append(qs, quote(al.Text))
			}
		}
		if len(qs) > 0 {
			fmt.Fprintf(b, "    %s: [%s]\n", lang, strings.Join(qs, ", "))
		}
	}
}

// quote writes a YAML double-quoted scalar (a JSON string is one).
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r == '\u2028' || r == '\u2029' || r == '\ufeff':
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// UNFile is the entities file `basira entities import` writes from the
// UN consolidated list read from source: FromUN's entities with a header
// saying where they come from, checked to parse as outName and to merge
// with base.
func UNFile(entries []sanctions.Entry, base *Set, date, source, outName string) ([]byte, UNReport, error) {
	f, rep := FromUN(entries, base, date)
	if rep.Entities == 0 {
		return nil, rep, fmt.Errorf("%s: no entity of the ISIL (Da'esh) and Al-Qaida regime (QDe.nnn) found; is it the UN consolidated list?", source)
	}
	data := f.Marshal(fmt.Sprintf(`Written by "basira entities import" from %s (UN Security Council
consolidated list of %s): the entities of the ISIL (Da'esh) and Al-Qaida
sanctions regime (QDe.nnn). Individuals are never imported.
Do not edit by hand; re-run the import. To change how a name counts (plain or
shared) or an entity's kind, give the entity an entry in designated.yaml with
its UN reference under "un:": the team's entry wins when the files merge.`, filepath.Base(source), date))
	// Check what will be written as Basira will read it.
	check, err := Parse(filepath.Base(outName), data)
	if err != nil {
		return nil, rep, fmt.Errorf("the import does not parse (a bug, please report it): %w", err)
	}
	var baseFiles []*File
	for _, e := range base.Entities() {
		baseFiles = append(baseFiles, &File{Name: "base", Version: FormatVersion, Entities: []*Entity{e}})
	}
	if _, err := Merge(append(baseFiles, check)...); err != nil {
		return nil, rep, fmt.Errorf("the import does not merge with the base set: %w", err)
	}
	return data, rep, nil
}
