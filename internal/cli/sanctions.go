package cli

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/basira-org/basira/internal/sanctions"
	"github.com/basira-org/basira/internal/sanctions/namematch"
)

func init() {
	Register(&Command{
		Name:    "sanctions import",
		Summary: "import a public sanctions list (OFAC, UN, US CSL) into the workspace",
		Usage:   "--format ofac-csv|ofac-xml|un-xml|csl|addresses [--name NAME] [--date YYYY-MM-DD] FILE",
		Help: `Imports a sanctions list into the workspace (BASIRA_HOME/sanctions), replacing
an earlier import of the same list. Formats:
  ofac-csv  OFAC's CSV set: give sdn.csv (or cons_prim.csv), or the folder
            holding it; alt.csv, sdn_comments.csv (cons_alt.csv,
            cons_comments.csv) beside it are read too. Digital currency
            addresses come from the remarks.
  ofac-xml  OFAC's XML exports, ENHANCED_XML (SDN_ENHANCED.XML,
            CONS_ENHANCED.XML) or advanced (sdn_advanced.xml), or a .ZIP holding
            one; "Digital Currency Address" features become wallets.
  un-xml    The UN Security Council consolidated list XML (Arabic-script
            names included).
  csl       The US Consolidated Screening List CSV.
  addresses A folder of sanctioned_addresses_<CUR>.txt files (one address
            per line, currency from the file name), as published daily from
            OFAC's list by public mirrors; wallets only, no names.
The EU consolidated list is not supported yet (no copy was available to test
a parser against).

The list's date is read from the file (UN dateGenerated, OFAC dataAsOf);
CSV files carry none, so give --date, or the file's modification date is
used and marked as such.

Examples:
  basira sanctions import --format un-xml consolidated.xml
  basira sanctions import --format ofac-csv --date 2026-11-20 sdn/sdn.csv
  basira sanctions import --format ofac-csv --name "OFAC Consolidated" cons/cons_prim.csv`,
		Run: runSanctionsImport,
	})
	Register(&Command{
		Name:    "sanctions search",
		Summary: "search imported sanctions lists by name (any script) or wallet address",
		Usage:   "[--min SCORE] [--limit N] [--format table|jsonl] NAME-OR-ADDRESS",
		Help: `Searches the imported lists. A cryptocurrency address matches exactly (EVM
and bech32 without regard to case). A name matches names and aliases
fuzzily, across Arabic script and Latin transliterations (Jaro-Winkler on
normalized tokens and on phonetic keys): محمد finds Mohammed and Muhammad,
Abou finds Abu, el-/al- and ال are ignored.

Examples:
  basira sanctions search "Ayman al-Zawahiri"
  basira sanctions search "أيمن الظواهري"
  basira sanctions search 0x8589427373d6d84e98730d7795d8f6f8731fda16`,
		Run: runSanctionsSearch,
	})
	Register(&Command{
		Name:    "sanctions eval",
		Summary: "measure cross-script name matching on the UN Arabic/Latin pairs",
		Usage:   "[--data DIR]",
		Help: `Builds two indexes from the reference data — the UN consolidated list's Latin
names plus the full 2019 OFAC SDN list as distractors, and the UN list's
Arabic-script names — and searches each with the other script's names of the
366 UN Arabic ↔ Latin pairs. Prints precision and recall of the best result
at several thresholds, for the dev split (even rows, used for tuning) and the
test split (odd rows). A query is correct when the wanted entry is among the
results tied for the best score.

Examples:
  basira sanctions eval
  basira sanctions eval --data ../shared/data`,
		Run: runSanctionsEval,
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

var defaultListNames = map[string]string{
	"ofac-csv":  "OFAC SDN",
	"ofac-xml":  "OFAC SDN",
	"un-xml":    "UN Security Council",
	"csl":       "US Consolidated Screening List",
	"addresses": "OFAC digital currency addresses",
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
	if st, err := os.Stat(path); err == nil && st.IsDir() && *format == "ofac-csv" {
		// A folder of OFAC's CSV set: its main file.
		for _, f := range []string{"sdn.csv", "SDN.CSV", "cons_prim.csv", "CONS_PRIM.CSV"} {
			if _, err := os.Stat(filepath.Join(path, f)); err == nil {
				path = filepath.Join(path, f)
				break
			}
		}
	}
	if _, ok := defaultListNames[*format]; !ok {
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
		l.Name = defaultListNames[*format]
		// OFAC's consolidated (non-SDN) list comes as cons_prim.csv,
		// CONS_ENHANCED.XML or CONS_ADVANCED.XML: it is kept as a list of
		// its own, never over the SDN list.
		if strings.HasPrefix(*format, "ofac-") && strings.HasPrefix(strings.ToLower(filepath.Base(path)), "cons") {
			l.Name = "OFAC Consolidated"
		}
	}
	fileDate := ""
	var err error
	switch *format {
	case "ofac-csv":
		l.Entries, err = importOFACCSV(path)
	case "ofac-xml":
		err = withXML(path, func(r io.Reader) error {
			x, err := sanctions.ParseOFACXMLFile(r)
			l.Entries, fileDate = x.Entries, x.Date
			if *name == "" {
				// What the file says it is wins over its file name.
				l.Name = x.ListName(l.Name)
			}
			return err
		})
	case "un-xml":
		err = withXML(path, func(r io.Reader) (e error) { l.Entries, fileDate, e = sanctions.ParseUNXML(r); return })
	case "csl":
		err = withFile(path, func(r io.Reader) (e error) { l.Entries, e = sanctions.ParseCSL(r); return })
	case "addresses":
		l.Entries, err = importAddressFiles(path)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	switch {
	case *date != "":
		l.Date = *date
	case fileDate != "":
		l.Date = fileDate
	default:
		st, err := os.Stat(path)
		if err != nil {
			return err
		}
		l.Date = st.ModTime().UTC().Format("2006-01-02")
		fmt.Fprintf(env.Stderr, "note: %s carries no date; using the file's modification date %s (give --date to set it)\n", filepath.Base(path), l.Date)
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

func withFile(path string, fn func(io.Reader) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return fn(f)
}

// withXML opens an XML file, or the first .xml inside a .zip.
func withXML(path string, fn func(io.Reader) error) error {
	if !strings.EqualFold(filepath.Ext(path), ".zip") {
		return withFile(path, fn)
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		return err
	}
	defer zr.Close()
	for _, f := range zr.File {
		if strings.EqualFold(filepath.Ext(f.Name), ".xml") {
			if f.UncompressedSize64 > sanctions.MaxInputBytes {
				return fmt.Errorf("%s in the zip is %d MiB, over the %d MiB limit", f.Name, f.UncompressedSize64>>20, sanctions.MaxInputBytes>>20)
			}
			r, err := f.Open()
			if err != nil {
				return err
			}
			defer r.Close()
			return fn(r)
		}
	}
	return fmt.Errorf("no .xml file in the zip")
}

// importOFACCSV reads sdn.csv (or cons_prim.csv) and its companions.
func importOFACCSV(path string) ([]sanctions.Entry, error) {
	dir, base := filepath.Dir(path), strings.ToLower(filepath.Base(path))
	alt, com := "alt.csv", "sdn_comments.csv"
	if strings.HasPrefix(base, "cons") {
		alt, com = "cons_alt.csv", "cons_comments.csv"
	}
	main, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	files := sanctions.OFACFiles{Main: bytes.NewReader(main)}
	if b, err := os.ReadFile(filepath.Join(dir, alt)); err == nil {
		files.Alt = bytes.NewReader(b)
	}
	if b, err := os.ReadFile(filepath.Join(dir, com)); err == nil {
		files.Comments = bytes.NewReader(b)
	}
	return sanctions.ParseOFACCSV(files)
}

// loadSanctionsIndex loads every imported list from dir (or the
// workspace's sanctions folder when dir is ""); it returns nil when no list
// was imported.
func loadSanctionsIndex(env *Env, dir string) (*sanctions.Index, error) {
	st := sanctions.Store{Dir: dir}
	if dir == "" {
		var err error
		if st, err = sanctionsStore(env, false); err != nil {
			return nil, err
		}
	}
	lists, err := st.Load()
	if err != nil {
		return nil, err
	}
	if len(lists) == 0 {
		return nil, nil
	}
	return sanctions.NewIndex(lists), nil
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
	x, err := loadSanctionsIndex(env, "")
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
		enc := json.NewEncoder(env.Stdout)
		enc.SetEscapeHTML(false)
		for _, m := range res {
			if err := enc.Encode(m); err != nil {
				return err
			}
		}
		return nil
	}
	if len(res) == 0 {
		fmt.Fprintf(env.Stdout, "no match at score >= %.2f\n", *minScore)
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCORE\tLIST\tLIST DATE\tENTRY\tMATCHED\tPRIMARY NAME\tPROGRAMS")
	for _, m := range res {
		matched := m.Name
		if m.Wallet != nil {
			matched = m.Wallet.Currency + " " + m.Wallet.Address
		}
		id := m.Entry.ID
		if m.Entry.Ref != "" {
			id += " (" + m.Entry.Ref + ")"
		}
		fmt.Fprintf(tw, "%.3f\t%s\t%s\t%s\t%s\t%s\t%s\n", m.Score, m.List, m.Date, id, matched, m.Entry.Name, strings.Join(m.Entry.Programs, ","))
	}
	return tw.Flush()
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
	tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LIST\tDATE\tFORMAT\tSOURCE\tENTRIES\tWALLETS\tIMPORTED")
	for _, l := range lists {
		w := 0
		for _, e := range l.Entries {
			w += len(e.Wallets)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\n", l.Name, l.Date, l.Format, l.Source, len(l.Entries), w, l.Imported.Format(time.RFC3339))
	}
	return tw.Flush()
}

// importAddressFiles reads every sanctioned_addresses_<CUR>.txt in dir.
func importAddressFiles(dir string) ([]sanctions.Entry, error) {
	files, err := filepath.Glob(filepath.Join(dir, "sanctioned_addresses_*.txt"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no sanctioned_addresses_<CUR>.txt file in %s", dir)
	}
	var out []sanctions.Entry
	for _, f := range files {
		cur := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "sanctioned_addresses_"), ".txt")
		err := withFile(f, func(r io.Reader) (e error) {
			es, e := sanctions.ParseAddressList(r, cur)
			out = append(out, es...)
			return e
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
	}
	return out, nil
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
	fin := filepath.Join(dir, "finance")
	var un []sanctions.Entry
	date := ""
	err = withFile(filepath.Join(fin, "sanctions/watchman/un/UN_consolidated.xml"), func(r io.Reader) (e error) {
		un, date, e = sanctions.ParseUNXML(r)
		return
	})
	if err != nil {
		return err
	}
	sdn, err := importOFACCSV(filepath.Join(fin, "sanctions/watchman/ofac_full/sdn.csv"))
	if err != nil {
		return err
	}
	ar, la, err := sanctions.ReadUNPairs(filepath.Join(fin, "namematch/un_arabic_script_latin_name_pairs.tsv"))
	if err != nil {
		return err
	}
	latinIdx := sanctions.NewIndex([]*sanctions.List{{Name: "UN", Date: date, Entries: sanctions.WithoutScript(un, false)}, {Name: "OFAC SDN", Entries: sdn}})
	arabicIdx := sanctions.NewIndex([]*sanctions.List{{Name: "UN", Date: date, Entries: sanctions.WithoutScript(un, true)}})
	thresholds := []float64{0.75, 0.80, namematch.Threshold, 0.90}
	tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SPLIT\tQUERY → INDEX\tTHRESHOLD\tPRECISION\tRECALL\tANSWERED\tCORRECT\tQUERIES")
	for s, split := range []string{"dev", "test"} {
		for _, run := range []struct {
			name  string
			x     *sanctions.Index
			cases []sanctions.PairCase
		}{
			{"Arabic → Latin (UN + OFAC SDN)", latinIdx, ar[s]},
			{"Latin → Arabic (UN)", arabicIdx, la[s]},
		} {
			for _, p := range sanctions.EvalPairs(run.x, run.cases, thresholds) {
				fmt.Fprintf(tw, "%s\t%s\t%.2f\t%.3f\t%.3f\t%d\t%d\t%d\n", split, run.name, p.Threshold, p.Precision(), p.Recall(), p.Answered, p.Correct, p.Queries)
			}
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	w, err := sanctions.EvalWatchman(filepath.Join(fin, "namematch/watchman_jaro_winkler_cases.tsv"), namematch.Threshold)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "\nwatchman BestPairsJaroWinkler cases: %d of %d within the case's tolerance, largest difference %.3f;\n"+
		"match decisions at %.2f (watchman's score as truth): %d agree positive, %d extra, %d missed\n",
		w.WithinTolerance, w.Cases, w.MaxDiff, w.Threshold, w.TruePos, w.FalsePos, w.Miss)
	return nil
}
