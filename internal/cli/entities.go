package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/basira-org/basira/internal/entities"
	"github.com/basira-org/basira/internal/sanctions"
)

func init() {
	Register(&Command{
		Name:    "entities import",
		Summary: "refresh designated-entity names from the UN Security Council consolidated list",
		Usage:   "[--out FILE] [--base FILE]... UN-LIST.xml|.zip",
		Run:     runEntitiesImport,
	})
	Register(&Command{
		Name:    "entities list",
		Summary: "show the designated entities Basira knows, or their names as rule lists",
		Usage:   "[--file FILE]... [--kind KIND] [--format table|jsonl|lists]",
		Run:     runEntitiesList,
	})
	Register(&Command{
		Name:    "entities check",
		Summary: "validate entities files (file:line: reason for every problem)",
		Usage:   "FILE...",
		Run:     runEntitiesCheck,
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
		if *kind != "" {
			return Usagef("--kind does not apply to --format lists")
		}
		return set.WriteLists(env.Stdout)
	case "jsonl":
		return set.WriteJSONL(env.Stdout, entities.Kind(*kind))
	case "table":
		n, err := set.WriteTable(env.Stdout, entities.Kind(*kind))
		if err != nil {
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
