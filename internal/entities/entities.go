// Package entities knows designated violent-extremist entities (groups,
// their media outlets and publications, IS provinces, leaders as
// propaganda names them, slogans) and the names that point at them in
// Arabic script, Latin transliteration, Arabizi, English and French.
//
// Naming an entity is evidence, never a verdict: news, research and
// counter-speech name these groups all the time. Find reports where a
// post names one; detectors weigh that with the post's own stance. The
// knowledge is data (entities/*.yaml, embedded), versioned and reviewed
// like code, each entry with a public source.
//
// The package is about names in content. It holds no records of people:
// leaders appear only under the names propaganda glorifies them by, and
// the UN import takes entities, never individuals.
package entities

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Kind is what an entry is.
type Kind string

// The kinds of entries.
const (
	Group       Kind = "group"
	Outlet      Kind = "outlet"
	Publication Kind = "publication"
	Province    Kind = "province"
	Leader      Kind = "leader"
	Slogan      Kind = "slogan"
)

// Kinds lists the kinds in the order files and lists use.
var Kinds = []Kind{Group, Outlet, Publication, Province, Leader, Slogan}

// Langs are the alias keys a file may use: Arabic script (MSA and
// Darija), Latin transliteration of Arabic, Arabizi, English, French.
var Langs = []string{"ar", "ary", "ar-Latn", "ary-Latn", "en", "fr"}

// Entity is one entry of an entities file.
type Entity struct {
	ID   string
	Kind Kind
	// Name is the canonical name shown in evidence.
	Name string
	// Of is the id of the entity this one belongs to (an affiliate's
	// parent, an outlet's group), or "".
	Of string
	// UN are UN Security Council 1267 reference numbers (QDe.115).
	UN []string
	// Source is the public reference of the entry.
	Source string
	// Aliases name the entity in ordinary use; Shared names also have an
	// innocent meaning (a title, a common word, a family name).
	Aliases []Alias
	Shared  []Alias
	// Pos is where the entry was read ("designated.yaml:42").
	Pos string
}

// Alias is one name of an entity, as written in the file.
type Alias struct {
	Lang string
	Text string
}

// Hit is one place where a text names an entity.
type Hit struct {
	Kind   Kind
	Entity string // entry id
	// Group is the top-level entity the entry belongs to (following Of),
	// the entry itself for a top-level group.
	Group string
	// Alias is the name as written in the entities file.
	Alias string
	// Shared is true when the name also has an innocent meaning: weaker
	// evidence than a plain alias.
	Shared bool
	// Start and End are byte offsets in the original text.
	Start, End int
}

// Set is a merged, compiled collection of entries. It is safe for
// concurrent use.
type Set struct {
	entities []*Entity
	byID     map[string]int
	// Version and Updated come from the first file.
	Version int
	Updated string
	// Files are the files the set was read from.
	Files []string

	m *matcher
}

// Entities returns the entries, in file order.
func (s *Set) Entities() []*Entity { return s.entities }

// Entity returns the entry with the given id, or nil.
func (s *Set) Entity(id string) *Entity {
	if i, ok := s.byID[id]; ok {
		return s.entities[i]
	}
	return nil
}

// Root returns the top-level entity id of id, following Of.
func (s *Set) Root(id string) string {
	for range 16 { // Of chains are checked acyclic; the bound is a belt
		e := s.Entity(id)
		if e == nil || e.Of == "" {
			return id
		}
		id = e.Of
	}
	return id
}

// Merge combines files into one Set: entries with the same id (a team's
// entry and the UN import of the same entity) are one entity whose
// aliases, UN references and sources are united; the first file's name
// and kind win, and a kind that differs is an error. References (Of) must
// resolve in the merged set.
func Merge(files ...*File) (*Set, error) {
	s := &Set{byID: map[string]int{}}
	var errs ErrorList
	for i, f := range files {
		if i == 0 {
			s.Version, s.Updated = f.Version, f.Updated
		}
		s.Files = append(s.Files, f.Name)
		for _, e := range f.Entities {
			j, ok := s.byID[e.ID]
			if !ok {
				c := *e
				c.UN, c.Aliases, c.Shared = slices.Clone(e.UN), slices.Clone(e.Aliases), slices.Clone(e.Shared)
				s.byID[e.ID] = len(s.entities)
				s.entities = append(s.entities, &c)
				continue
			}
			old := s.entities[j]
			if old.Kind != e.Kind {
				errs = append(errs, posError(e.Pos, fmt.Sprintf("entry %q is a %s here but a %s in %s", e.ID, e.Kind, old.Kind, old.Pos)))
				continue
			}
			mergeInto(old, e)
		}
	}
	for _, e := range s.entities {
		if e.Of == "" {
			continue
		}
		if _, ok := s.byID[e.Of]; !ok {
			errs = append(errs, posError(e.Pos, fmt.Sprintf("entry %q belongs to %q (of:), which no file defines", e.ID, e.Of)))
		} else if s.cycle(e.ID) {
			errs = append(errs, posError(e.Pos, fmt.Sprintf("entry %q: its of: chain loops back to itself", e.ID)))
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	s.m = compile(s)
	return s, nil
}

func (s *Set) cycle(id string) bool {
	seen := map[string]bool{}
	for id != "" {
		if seen[id] {
			return true
		}
		seen[id] = true
		e := s.Entity(id)
		if e == nil {
			return false
		}
		id = e.Of
	}
	return false
}

// mergeInto adds b's aliases, references and source to a; a name already
// present (after folding) in either list of a is not added again, so a
// name the team marked shared stays shared.
func mergeInto(a, b *Entity) {
	have := map[string]bool{}
	for _, al := range slices.Concat(a.Aliases, a.Shared) {
		have[foldKey(al.Text)] = true
	}
	add := func(dst []Alias, src []Alias) []Alias {
		for _, al := range src {
			if k := foldKey(al.Text); !have[k] {
				have[k] = true
				dst = append(dst, al)
			}
		}
		return dst
	}
	a.Aliases = add(a.Aliases, b.Aliases)
	a.Shared = add(a.Shared, b.Shared)
	for _, r := range b.UN {
		if !slices.Contains(a.UN, r) {
			a.UN = append(a.UN, r)
		}
	}
	if b.Source != "" && !strings.Contains(a.Source, b.Source) {
		a.Source += "; " + b.Source
	}
	if a.Of == "" {
		a.Of = b.Of
	}
}

var builtin = sync.OnceValues(func() (*Set, error) { return loadFS() })

// Builtin returns the set shipped in the binary (entities/*.yaml). It is
// parsed once; the result is shared.
func Builtin() (*Set, error) { return builtin() }
