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
		Help: `Reads text on stdin, one post per line, and prints one JSON object per
identifier found:
  {"line":1,"type":"bitcoin","value":"bc1q…","valid":true,"span":{"start":12,"end":54},
   "text":"bc1q w508 …","detail":"main p2wpkh"}

Types: bitcoin, litecoin, dogecoin, dash, tron, evm (Ethereum and EVM chains),
monero, iban, rib (Moroccan), phone, payment_link, payment_handle (a Cash App
$cashtag or a PayPal e-mail address). Usual obfuscations are
undone first: Arabic-Indic digits, zero-width characters, spaces, dots,
dashes and line breaks inside an identifier, "[dot]". span is the byte range
in the line as given. An identifier whose checksum fails is still printed,
with "valid":false and a reason ("looks like a Bitcoin address but …").

Examples:
  echo 'تبرعوا: 06.50.12.34.56' | basira finance extract
  basira finance extract --only-valid < posts.txt`,
		Run: runFinanceExtract,
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
