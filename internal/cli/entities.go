package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"go.yaml.in/yaml/v3"

	"github.com/basira-org/basira/internal/entities"
	"github.com/basira-org/basira/internal/sanctions"
)

func init() {
	Register(&Command{
		Name:    "entities import",
		Summary: "refresh designated-entity names from the UN Security Council consolidated list",
		Usage:   "[--out FILE] [--base FILE]... UN-LIST.xml|.zip",
		Help: `Reads the UN Security Council consolidated list (XML, as published at
scsanctions.un.org, or a .zip holding it) and writes an entities file with the
ENTITIES of the ISIL (Da'esh) and Al-Qaida sanctions regime: the entries whose
reference number is QDe.nnn. Individuals (QDi.nnn) are never taken: Basira
knows the names of organisations that content names, it keeps no lists of
people. Other regimes (Taliban, DPRK, …) are left out.

Each entry's source is its UN reference number. An entity that the team's file
(entities/designated.yaml, or the --base files) lists under "un:" takes that
entry's id, so the two merge when loaded: the UN's aliases are added to the
team's entry, and a name the team marked "shared" stays shared. Other entities
get the id un-qde-nnn. Names that are ordinary words or generic phrases
("The Base", "Sirat", "Soldiers of God", single words and short acronyms) are
written as "shared": weaker evidence, never a plain rule-list term.

The file is checked (parsed and merged with the base) before it is written.
Review the diff before committing: a refresh should be a small change.

Examples:
  basira entities import --out entities/un-1267.yaml consolidated.xml
  basira entities import --out /tmp/un.yaml --base my-entities.yaml consolidated.zip`,
		Run: runEntitiesImport,
	})
	Register(&Command{
		Name:    "entities list",
		Summary: "show the designated entities Basira knows, or their names as rule lists",
		Usage:   "[--file FILE]... [--kind KIND] [--format table|jsonl|lists]",
		Help: `Lists the entities of the built-in set (entities/*.yaml, embedded in the
binary), or of the given files merged in order. Formats:
  table  one line per entry: id, kind, the entry it belongs to, counts of
         plain and shared names, UN references, source
  jsonl  one JSON object per entry with every name
  lists  the rule lists (entity-groups, entity-outlets, entity-publications,
         entity-provinces, entity-leaders, entity-slogans, entity-names,
         entity-shared) as the "lists:" YAML of a rule file

A name is evidence, never a verdict: news and counter-speech name these groups
too. Use the lists together with stance terms in a rule (all:, near:).

Examples:
  basira entities list
  basira entities list --kind outlet
  basira entities list --format lists > entity-lists.yaml`,
		Run: runEntitiesList,
	})
	Register(&Command{
		Name:    "entities check",
		Summary: "validate entities files (file:line: reason for every problem)",
		Usage:   "FILE...",
		Help: `Parses the files and merges them in order, as Basira loads them, and reports
every problem as file:line: reason: unknown keys or kinds, missing sources, a
name listed twice, names too short (under 3 letters) or too long (over 8
words) to match, an "of:" that no file defines. Exits 1 on any problem.

Examples:
  basira entities check entities/designated.yaml entities/un-1267.yaml`,
		Run: runEntitiesCheck,
	})
}

func runEntitiesImport(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	out := fs.String("out", "entities/un-1267.yaml", "file to write")
	var bases entityPaths
	fs.Var(&bases, "base", "entities file whose `un:` references give imported entities their ids (repeatable; default: the built-in set)")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if len(fs.Args()) != 1 {
		return Usagef("give exactly one UN consolidated list file (.xml or .zip)")
	}
	path := fs.Args()[0]
	if st, err := os.Stat(filepath.Dir(*out)); err != nil || !st.IsDir() {
		return Usagef("the folder of --out %s does not exist; give --out FILE", *out)
	}
	base, err := loadEntitySet(bases)
	if err != nil {
		return err
	}
	list, date, err := sanctions.ImportFile("un-xml", path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	data, rep, err := entities.UNFile(list, base, date, path, *out)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "wrote %s: %d entities of the UN list of %s (%d merge into entries of the base set), %d plain names, %d shared; skipped %d individuals, %d entries of other regimes, %d names that cannot be matched\n",
		*out, rep.Entities, date, rep.Merged, rep.Aliases, rep.Shared, rep.Individuals, rep.OtherRegime, rep.Dropped)
	return nil
}

// loadEntitySet is the built-in set, or the given files merged.
func loadEntitySet(paths []string) (*entities.Set, error) {
	if len(paths) == 0 {
		return entities.Builtin()
	}
	return entities.Load(paths...)
}

func runEntitiesList(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	var files entityPaths
	fs.Var(&files, "file", "entities file to list instead of the built-in set (repeatable; merged in order)")
	kind := fs.String("kind", "", "only entries of this kind: group, outlet, publication, province, leader, slogan")
	format := fs.String("format", "table", "table, jsonl or lists")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if len(fs.Args()) > 0 {
		return Usagef("unexpected argument %q (give files with --file)", fs.Args()[0])
	}
	if *kind != "" && !containsKind(*kind) {
		return Usagef("--kind %q is not one of group, outlet, publication, province, leader, slogan", *kind)
	}
	set, err := loadEntitySet(files)
	if err != nil {
		return err
	}
	switch *format {
	case "lists":
		lists := set.RuleLists()
		if *kind != "" {
			return Usagef("--kind does not apply to --format lists")
		}
		b, err := yaml.Marshal(map[string]any{"lists": lists})
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "# Designated-entity names as rule lists (basira entities list --format lists).\n# A name is evidence, never a verdict: combine with stance terms.\n%s", b)
		return nil
	case "jsonl":
		enc := json.NewEncoder(env.Stdout)
		enc.SetEscapeHTML(false)
		for _, e := range set.Entities() {
			if *kind != "" && string(e.Kind) != *kind {
				continue
			}
			if err := enc.Encode(entityJSON(e)); err != nil {
				return err
			}
		}
		return nil
	case "table":
		tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tKIND\tOF\tNAMES\tSHARED\tUN\tSOURCE")
		n := 0
		for _, e := range set.Entities() {
			if *kind != "" && string(e.Kind) != *kind {
				continue
			}
			n++
			src := e.Source
			if r := []rune(src); len(r) > 60 {
				src = string(r[:59]) + "…"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\n", e.ID, e.Kind, dash(e.Of), len(e.Aliases), len(e.Shared), dash(strings.Join(e.UN, ",")), src)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "%d entries from %s\n", n, strings.Join(set.Files, ", "))
		return nil
	}
	return Usagef("--format must be table, jsonl or lists, not %q", *format)
}

func containsKind(k string) bool {
	for _, x := range entities.Kinds {
		if string(x) == k {
			return true
		}
	}
	return false
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

type entityOut struct {
	ID      string              `json:"id"`
	Kind    string              `json:"kind"`
	Name    string              `json:"name"`
	Of      string              `json:"of,omitempty"`
	UN      []string            `json:"un,omitempty"`
	Source  string              `json:"source"`
	Aliases map[string][]string `json:"aliases,omitempty"`
	Shared  map[string][]string `json:"shared,omitempty"`
}

func entityJSON(e *entities.Entity) entityOut {
	o := entityOut{ID: e.ID, Kind: string(e.Kind), Name: e.Name, Of: e.Of, UN: e.UN, Source: e.Source}
	group := func(as []entities.Alias) map[string][]string {
		if len(as) == 0 {
			return nil
		}
		m := map[string][]string{}
		for _, a := range as {
			m[a.Lang] = append(m[a.Lang], a.Text)
		}
		return m
	}
	o.Aliases, o.Shared = group(e.Aliases), group(e.Shared)
	return o
}

func runEntitiesCheck(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	if err := Parse(fs, args); err != nil {
		return err
	}
	if len(fs.Args()) == 0 {
		return Usagef("give the entities files to check")
	}
	set, err := entities.Load(fs.Args()...)
	var el entities.ErrorList
	if errors.As(err, &el) {
		for _, e := range el {
			fmt.Fprintln(env.Stderr, e)
		}
		fmt.Fprintf(env.Stderr, "%d problems\n", len(el))
		return ErrFailed
	}
	if err != nil {
		return err
	}
	plain, shared := 0, 0
	for _, e := range set.Entities() {
		plain += len(e.Aliases)
		shared += len(e.Shared)
	}
	fmt.Fprintf(env.Stdout, "ok: %d entries, %d plain names, %d shared names in %s\n", len(set.Entities()), plain, shared, strings.Join(set.Files, ", "))
	return nil
}

// entityPaths is a repeatable file flag.
type entityPaths []string

func (p *entityPaths) String() string { return strings.Join(*p, ",") }

func (p *entityPaths) Set(s string) error {
	*p = append(*p, s)
	return nil
}
