package sanctions

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/basira-org/basira/internal/sanctions/namematch"
)

// Formats names each list format ImportFile reads with the list name an
// import takes by default.
var Formats = map[string]string{
	"ofac-csv":  "OFAC SDN",
	"ofac-xml":  "OFAC SDN",
	"un-xml":    "UN Security Council",
	"csl":       "US Consolidated Screening List",
	"addresses": "OFAC digital currency addresses",
}

// DefaultName is the name of a list imported from path in format.
func DefaultName(format, path string) string {
	// OFAC's consolidated (non-SDN) list comes as cons_prim.csv,
	// CONS_ENHANCED.XML or CONS_ADVANCED.XML: a list of its own, never
	// kept over the SDN list.
	if strings.HasPrefix(format, "ofac-") && strings.HasPrefix(strings.ToLower(filepath.Base(path)), "cons") {
		return "OFAC Consolidated"
	}
	return Formats[format]
}

// ResolvePath returns the file to import for path: for ofac-csv, a folder
// of OFAC's CSV set means its main file.
func ResolvePath(format, path string) string {
	if st, err := os.Stat(path); err == nil && st.IsDir() && format == "ofac-csv" {
		for _, f := range []string{"sdn.csv", "SDN.CSV", "cons_prim.csv", "CONS_PRIM.CSV"} {
			if _, err := os.Stat(filepath.Join(path, f)); err == nil {
				return filepath.Join(path, f)
			}
		}
	}
	return path
}

// ImportFile reads a list file in one of Formats: an OFAC CSV set, an
// OFAC or UN XML file (or a .zip holding one), the US Consolidated
// Screening List or a folder of OFAC's address files. fileDate is the
// publication date the file carries, or "".
func ImportFile(format, path string) (entries []Entry, fileDate string, err error) {
	entries, fileDate, _, err = ImportFileNamed(format, path)
	return entries, fileDate, err
}

// ImportFileNamed is ImportFile that also returns the name the list
// should be kept under when the file says what it is (OFAC's XML names
// its list: "OFAC SDN", "OFAC Consolidated"), else "".
func ImportFileNamed(format, path string) (entries []Entry, fileDate, name string, err error) {
	switch format {
	case "ofac-csv":
		entries, err = importOFACCSV(path)
	case "ofac-xml":
		err = withXML(path, func(r io.Reader) error {
			x, err := ParseOFACXMLFile(r)
			entries, fileDate, name = x.Entries, x.Date, x.ListName("")
			return err
		})
	case "un-xml":
		err = withXML(path, func(r io.Reader) (e error) { entries, fileDate, e = ParseUNXML(r); return })
	case "csl":
		err = withFile(path, func(r io.Reader) (e error) { entries, e = ParseCSL(r); return })
	case "addresses":
		entries, err = importAddressFiles(path)
	default:
		err = fmt.Errorf("unknown list format %q", format)
	}
	return entries, fileDate, name, err
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
			if f.UncompressedSize64 > MaxInputBytes {
				return fmt.Errorf("%s in the zip is %d MiB, over the %d MiB limit", f.Name, f.UncompressedSize64>>20, MaxInputBytes>>20)
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
func importOFACCSV(path string) ([]Entry, error) {
	dir, base := filepath.Dir(path), strings.ToLower(filepath.Base(path))
	alt, com := "alt.csv", "sdn_comments.csv"
	if strings.HasPrefix(base, "cons") {
		alt, com = "cons_alt.csv", "cons_comments.csv"
	}
	main, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	files := OFACFiles{Main: bytes.NewReader(main)}
	if b, err := os.ReadFile(filepath.Join(dir, alt)); err == nil {
		files.Alt = bytes.NewReader(b)
	}
	if b, err := os.ReadFile(filepath.Join(dir, com)); err == nil {
		files.Comments = bytes.NewReader(b)
	}
	return ParseOFACCSV(files)
}

// importAddressFiles reads every sanctioned_addresses_<CUR>.txt in dir.
func importAddressFiles(dir string) ([]Entry, error) {
	files, err := filepath.Glob(filepath.Join(dir, "sanctioned_addresses_*.txt"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no sanctioned_addresses_<CUR>.txt file in %s", dir)
	}
	var out []Entry
	for _, f := range files {
		cur := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "sanctioned_addresses_"), ".txt")
		err := withFile(f, func(r io.Reader) (e error) {
			es, e := ParseAddressList(r, cur)
			out = append(out, es...)
			return e
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
	}
	return out, nil
}

// WriteEval measures cross-script name matching on the reference data's
// finance folder and writes the report of `basira sanctions eval`:
// precision and recall of Arabic → Latin and Latin → Arabic queries on
// the UN name pairs at several thresholds, then agreement with
// watchman's Jaro-Winkler cases.
func WriteEval(w io.Writer, fin string) error {
	var un []Entry
	date := ""
	err := withFile(filepath.Join(fin, "sanctions/watchman/un/UN_consolidated.xml"), func(r io.Reader) (e error) {
		un, date, e = ParseUNXML(r)
		return
	})
	if err != nil {
		return err
	}
	sdn, err := importOFACCSV(filepath.Join(fin, "sanctions/watchman/ofac_full/sdn.csv"))
	if err != nil {
		return err
	}
	ar, la, err := ReadUNPairs(filepath.Join(fin, "namematch/un_arabic_script_latin_name_pairs.tsv"))
	if err != nil {
		return err
	}
	latinIdx := NewIndex([]*List{{Name: "UN", Date: date, Entries: WithoutScript(un, false)}, {Name: "OFAC SDN", Entries: sdn}})
	arabicIdx := NewIndex([]*List{{Name: "UN", Date: date, Entries: WithoutScript(un, true)}})
	thresholds := []float64{0.75, 0.80, namematch.Threshold, 0.90}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SPLIT\tQUERY → INDEX\tTHRESHOLD\tPRECISION\tRECALL\tANSWERED\tCORRECT\tQUERIES")
	for s, split := range []string{"dev", "test"} {
		for _, run := range []struct {
			name  string
			x     *Index
			cases []PairCase
		}{
			{"Arabic → Latin (UN + OFAC SDN)", latinIdx, ar[s]},
			{"Latin → Arabic (UN)", arabicIdx, la[s]},
		} {
			for _, p := range EvalPairs(run.x, run.cases, thresholds) {
				fmt.Fprintf(tw, "%s\t%s\t%.2f\t%.3f\t%.3f\t%d\t%d\t%d\n", split, run.name, p.Threshold, p.Precision(), p.Recall(), p.Answered, p.Correct, p.Queries)
			}
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	wm, err := EvalWatchman(filepath.Join(fin, "namematch/watchman_jaro_winkler_cases.tsv"), namematch.Threshold)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nwatchman BestPairsJaroWinkler cases: %d of %d within the case's tolerance, largest difference %.3f;\n"+
		"match decisions at %.2f (watchman's score as truth): %d agree positive, %d extra, %d missed\n",
		wm.WithinTolerance, wm.Cases, wm.MaxDiff, wm.Threshold, wm.TruePos, wm.FalsePos, wm.Miss)
	return nil
}
