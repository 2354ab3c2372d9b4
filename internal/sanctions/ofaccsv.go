package sanctions

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// MaxInputBytes bounds every list file Basira reads: the largest public
// list (OFAC's advanced XML) is about 120 MB.
const MaxInputBytes = 512 << 20

// maxInput is MaxInputBytes; tests lower it.
var maxInput int64 = MaxInputBytes

// readLimited reads all of r up to the input limit.
func readLimited(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > maxInput {
		return nil, fmt.Errorf("input larger than %d bytes (%d MiB): not a sanctions list, or split it", maxInput, maxInput>>20)
	}
	return b, nil
}

// ofacNull is OFAC's CSV marker for an empty field.
func ofacField(s string) string {
	s = strings.TrimSpace(s)
	if s == "-0-" {
		return ""
	}
	return s
}

// csvRecords parses an OFAC CSV file (no header, 0x1A end-of-file byte
// possible) and calls fn with each record and its line number.
func csvRecords(name string, r io.Reader, fn func(line int, rec []string) error) error {
	b, err := readLimited(r)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	b = bytes.TrimRight(b, "\x1a\r\n ")
	cr := csv.NewReader(bytes.NewReader(b))
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return fmt.Errorf("%s line %d: %w", name, line, err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if err := fn(line, rec); err != nil {
			return fmt.Errorf("%s line %d: %w", name, line, err)
		}
	}
}

// OFACFiles are the files of OFAC's CSV set: the main file (sdn.csv or
// cons_prim.csv) and its optional companions.
type OFACFiles struct {
	Main     io.Reader
	Alt      io.Reader // alt.csv: aliases
	Comments io.Reader // sdn_comments.csv: remarks that overflowed
}

// ParseOFACCSV reads OFAC's legacy CSV layout: ent_num, name, type,
// programs, title, call sign, vessel fields, remarks. Aliases come from the
// alt file; remarks cut off in the main file continue in the comments file
// and are joined before digital currency addresses are read from them.
func ParseOFACCSV(f OFACFiles) ([]Entry, error) {
	var entries []Entry
	byID := map[string]int{}
	remarks := map[string]string{}
	err := csvRecords("main file", f.Main, func(line int, rec []string) error {
		if len(rec) < 4 {
			return fmt.Errorf("%d fields, want at least 4 (ent_num, name, type, programs)", len(rec))
		}
		id := ofacField(rec[0])
		if id == "" {
			return errors.New("empty ent_num")
		}
		typ := strings.ToLower(ofacField(rec[2]))
		if typ == "" {
			typ = "entity"
		}
		e := Entry{ID: id, Type: typ, Name: displayName(ofacField(rec[1]), typ), Programs: splitPrograms(ofacField(rec[3]))}
		if len(rec) > 11 {
			remarks[id] = ofacField(rec[11])
		}
		byID[id] = len(entries)
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if f.Comments != nil {
		err := csvRecords("comments file", f.Comments, func(line int, rec []string) error {
			if len(rec) < 2 {
				return fmt.Errorf("%d fields, want ent_num and remarks", len(rec))
			}
			id := ofacField(rec[0])
			if _, ok := byID[id]; !ok && id != "" {
				// The comments file may be of a newer edition than the
				// main file: keep the entry, so its addresses still match.
				byID[id] = len(entries)
				entries = append(entries, Entry{ID: id, Name: "OFAC entry " + id + " (name not in the main file)"})
			}
			remarks[id] += ofacField(rec[1])
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if f.Alt != nil {
		err := csvRecords("alt file", f.Alt, func(line int, rec []string) error {
			if len(rec) < 4 {
				return fmt.Errorf("%d fields, want ent_num, alt_num, alt_type, alt_name", len(rec))
			}
			i, ok := byID[ofacField(rec[0])]
			if !ok {
				return nil
			}
			if a := ofacField(rec[3]); a != "" {
				entries[i].Aliases = append(entries[i].Aliases, displayName(a, entries[i].Type))
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	for i := range entries {
		rm := remarks[entries[i].ID]
		entries[i].Wallets = RemarkWallets(rm)
		for _, a := range remarkAliases(rm) {
			if !contains(entries[i].Aliases, a) {
				entries[i].Aliases = append(entries[i].Aliases, a)
			}
		}
	}
	return entries, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func splitPrograms(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == '[' || r == ']' || r == ';' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// displayName reorders an individual's "LAST, First" to "First LAST".
func displayName(name, typ string) string {
	if typ == "individual" && strings.Count(name, ",") == 1 {
		last, first, _ := strings.Cut(name, ",")
		if f, l := strings.TrimSpace(first), strings.TrimSpace(last); f != "" && l != "" {
			return f + " " + l
		}
	}
	return name
}

var (
	walletRemark = regexp.MustCompile(`Digital Currency Address - ([A-Z0-9]+),?\s+([A-Za-z0-9]+)`)
	akaRemark    = regexp.MustCompile(`a\.k\.a\. '([^']+)'`)
)

// RemarkWallets reads "Digital Currency Address - XBT 1abc…" items from
// OFAC remarks.
func RemarkWallets(remarks string) []Wallet {
	var out []Wallet
	for _, m := range walletRemark.FindAllStringSubmatch(remarks, -1) {
		w := Wallet{Currency: m[1], Address: m[2]}
		dup := false
		for _, x := range out {
			dup = dup || x == w
		}
		if !dup {
			out = append(out, w)
		}
	}
	return out
}

func remarkAliases(remarks string) []string {
	var out []string
	for _, m := range akaRemark.FindAllStringSubmatch(remarks, -1) {
		out = append(out, m[1])
	}
	return out
}
