package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/basira-org/basira/internal/finance/detector"
	"github.com/basira-org/basira/internal/sanctions"
	"github.com/basira-org/basira/internal/sanctions/namematch"
)

func init() {
	Register(&Command{
		Name:    "sanctions import",
		Summary: "import a public sanctions list (OFAC, UN, US CSL) into the workspace",
		Usage:   "--format ofac-csv|ofac-xml|un-xml|csl|addresses [--name NAME] [--date YYYY-MM-DD] FILE",
		Run:     runSanctionsImport,
	})
	Register(&Command{
		Name:    "sanctions search",
		Summary: "search imported sanctions lists by name (any script) or wallet address",
		Usage:   "[--min SCORE] [--limit N] [--format table|jsonl] NAME-OR-ADDRESS",
		Run:     runSanctionsSearch,
	})
	Register(&Command{
		Name:    "sanctions eval",
		Summary: "measure cross-script name matching on the UN Arabic/Latin pairs",
		Usage:   "[--data DIR]",
		Run:     runSanctionsEval,
	})
	Register(&Command{
		Name:    "sanctions list",
		Summary: "show the imported sanctions lists with their dates",
		Usage:   "",
		Run:     runSanctionsList,
	})
}

func sanctionsStore(env *Env, create bool) (sanctions.Store, error) {
	dir, err := Home(env, create, "sanctions")
	return sanctions.Store{Dir: dir}, err
}

func runSanctionsImport(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	format := fs.String("format", "", "list format: ofac-csv, ofac-xml, un-xml, csl or addresses (required)")
	name := fs.String("name", "", "list name (default: from the format and file, e.g. \"OFAC SDN\"); an import replaces the list of the same name")
	date := fs.String("date", "", "publication date of the list, YYYY-MM-DD (default: from the file)")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if len(fs.Args()) != 1 {
		return Usagef("give exactly one FILE to import")
	}
	path := fs.Args()[0]
	path = sanctions.ResolvePath(*format, path)
	if _, ok := sanctions.Formats[*format]; !ok {
		if *format == "eu" {
			return Usagef("the EU list format is not supported yet")
		}
		return Usagef("--format must be ofac-csv, ofac-xml, un-xml, csl or addresses, not %q", *format)
	}
	if *date != "" {
		if _, err := time.Parse("2006-01-02", *date); err != nil {
			return Usagef("--date %q is not YYYY-MM-DD", *date)
		}
	}
	l := &sanctions.List{Name: *name, Format: *format, Source: filepath.Base(path), Imported: time.Now().UTC()}
	if l.Name == "" {
		l.Name = sanctions.DefaultName(*format, path)
	}
	var fileDate string
	var err error
	var fileList string
	l.Entries, fileDate, fileList, err = sanctions.ImportFileNamed(*format, path)
	if *name == "" && fileList != "" {
		// What the file says it is (OFAC's XML names its list) wins over
		// its file name: the consolidated list never replaces the SDN list.
		l.Name = fileList
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if l.Date, err = listDate(env, path, *date, fileDate); err != nil {
		return err
	}
	st, err := sanctionsStore(env, true)
	if err != nil {
		return err
	}
	if err := st.Save(l); err != nil {
		return err
	}
	names, wallets := 0, 0
	for _, e := range l.Entries {
		names += 1 + len(e.Aliases)
		wallets += len(e.Wallets)
	}
	fmt.Fprintf(env.Stdout, "imported %q of %s: %d entries, %d names and aliases, %d wallet addresses\n", l.Name, l.Date, len(l.Entries), names, wallets)
	return nil
}

// listDate is the publication date of an imported list: --date, else the
// file's own, else (with a note) the file's modification date.
func listDate(env *Env, path, flagDate, fileDate string) (string, error) {
	switch {
	case flagDate != "":
		return flagDate, nil
	case fileDate != "":
		return fileDate, nil
	}
	st, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	d := st.ModTime().UTC().Format("2006-01-02")
	fmt.Fprintf(env.Stderr, "note: %s carries no date; using the file's modification date %s (give --date to set it)\n", filepath.Base(path), d)
	return d, nil
}

func runSanctionsSearch(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	minScore := fs.Float64("min", namematch.Threshold, "lowest name score to show (0..1)")
	limit := fs.Int("limit", 10, "most results to show")
	format := fs.String("format", "table", "output: table or jsonl")
	if err := Parse(fs, args); err != nil {
		return err
	}
	q := strings.TrimSpace(strings.Join(fs.Args(), " "))
	if q == "" {
		return Usagef("give a NAME or wallet ADDRESS to search for")
	}
	if *format != "table" && *format != "jsonl" {
		return Usagef("--format must be table or jsonl")
	}
	x, err := detector.LoadSanctions(host(env), "")
	if err != nil {
		return err
	}
	if x == nil {
		return fmt.Errorf("no sanctions list imported yet: run 'basira sanctions import --format … FILE' first")
	}
	res := x.Wallet(q)
	if len(res) == 0 {
		res = x.Search(q, *minScore, *limit)
	}
	if *format == "jsonl" {
		return sanctions.WriteMatchesJSONL(env.Stdout, res)
	}
	if len(res) == 0 {
		fmt.Fprintf(env.Stdout, "no match at score >= %.2f\n", *minScore)
		return nil
	}
	return sanctions.WriteMatchesTable(env.Stdout, res)
}

func runSanctionsList(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	if err := Parse(fs, args); err != nil {
		return err
	}
	st, err := sanctionsStore(env, false)
	if err != nil {
		return err
	}
	lists, err := st.Load()
	if err != nil {
		return err
	}
	if len(lists) == 0 {
		fmt.Fprintf(env.Stdout, "no sanctions list imported (folder %s)\n", st.Dir)
		return nil
	}
	return sanctions.WriteListsTable(env.Stdout, lists)
}

func runSanctionsEval(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	data := dataFlag(fs, "")
	if err := Parse(fs, args); err != nil {
		return err
	}
	dir, err := dataDir(env, *data, true)
	if err != nil {
		return err
	}
	return sanctions.WriteEval(env.Stdout, filepath.Join(dir, "finance"))
}
