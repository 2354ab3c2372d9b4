package entities

import (
	"slices"
	"strings"
)

// RuleLists returns the names of the set as term lists for rule files,
// keyed by the list name a rule refers to with @name:
//
//	entity-groups        groups and affiliates
//	entity-outlets       media outlets and publications
//	entity-publications  publications only
//	entity-provinces     IS provinces (every name that starts with ولاية or wilayat, and province entries)
//	entity-leaders       leaders' names and titles
//	entity-slogans       slogans
//	entity-names         all of the above
//	entity-shared        names that also have an innocent meaning (a
//	                     title, a common word, a family name): combine
//	                     them with other context, never use them alone
//
// Only plain aliases are in the kind lists; shared names are only in
// entity-shared. Terms are as written in the file (the rule engine folds
// them); each list is sorted and without repeats after folding.
func (s *Set) RuleLists() map[string][]string {
	out := map[string][]string{}
	seen := map[string]map[string]bool{}
	add := func(list, term string) {
		if seen[list] == nil {
			seen[list] = map[string]bool{}
		}
		k := foldKey(term)
		if seen[list][k] {
			return
		}
		seen[list][k] = true
		out[list] = append(out[list], term)
	}
	for _, e := range s.entities {
		for _, al := range e.Aliases {
			switch e.Kind {
			case Group:
				add("entity-groups", al.Text)
			case Outlet:
				add("entity-outlets", al.Text)
			case Publication:
				add("entity-outlets", al.Text)
				add("entity-publications", al.Text)
			case Province:
				add("entity-provinces", al.Text)
			case Leader:
				add("entity-leaders", al.Text)
			case Slogan:
				add("entity-slogans", al.Text)
			}
			if e.Kind != Province && isProvinceName(al.Text) {
				add("entity-provinces", al.Text)
			}
			add("entity-names", al.Text)
		}
		for _, al := range e.Shared {
			add("entity-shared", al.Text)
		}
	}
	for _, l := range out {
		slices.Sort(l)
	}
	return out
}

// isProvinceName reports whether a name is written as an IS province
// (ولاية X, Wilayat X).
func isProvinceName(t string) bool {
	f := foldKey(t)
	return strings.HasPrefix(f, "ولايه ") || strings.HasPrefix(f, "wilayat ") || strings.HasPrefix(f, "wilayah ")
}
