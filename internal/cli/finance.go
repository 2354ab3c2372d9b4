package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"

	"github.com/basira-org/basira/internal/finance"
)

func init() {
	Register(&Command{
		Name:    "finance extract",
		Summary: "find wallets, IBANs, RIBs, phone numbers and payment links in text lines",
		Usage:   "[flags] < lines.txt",
		Run:     runFinanceExtract,
	})
}

func runFinanceExtract(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	onlyValid := fs.Bool("only-valid", false, "print only identifiers whose checksum or format holds")
	maxLine := fs.Int("max-line-bytes", 1<<20, "reject input lines longer than this")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if len(fs.Args()) > 0 {
		return Usagef("finance extract reads stdin; it takes no arguments (got %q)", fs.Args()[0])
	}
	out := bufio.NewWriter(env.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	sc := bufio.NewScanner(env.Stdin)
	sc.Buffer(make([]byte, 64<<10), *maxLine)
	line := 0
	type row struct {
		Line int `json:"line"`
		finance.Identifier
	}
	for sc.Scan() {
		line++
		if line%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		for _, id := range finance.Extract(sc.Text()) {
			if *onlyValid && !id.Valid {
				continue
			}
			if err := enc.Encode(row{line, id}); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("stdin line %d: %w (raise --max-line-bytes for longer lines)", line+1, err)
	}
	return out.Flush()
}
