package cli

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/basira-org/basira/arabic"
)

// maxTextLine bounds one input line of the text commands.
const maxTextLine = 1 << 20

func init() {
	lineCmd := func(name, summary string, setup func(fs *flag.FlagSet) func(string) string) {
		Register(&Command{
			Name:    "text " + name,
			Summary: summary,
			Usage:   "[flags] < lines",
			Run: func(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
				fn := setup(fs)
				if err := Parse(fs, args); err != nil {
					return err
				}
				if fs.NArg() > 0 {
					return Usagef("text %s reads lines on stdin and takes no arguments (got %q)", name, fs.Arg(0))
				}
				return eachLine(ctx, env, fn)
			},
		})
	}
	lineCmd("normalize", "normalize Arabic text, one result per input line", normalizeLines)
	lineCmd("fold", "fold text for matching (evasion defence), one result per line", foldLines)
	lineCmd("stem", "stem each word (light stemmer, or Snowball), one line per input line", stemLines)
	lineCmd("translit", "transliterate Arabizi (Latin-script Darija) to Arabic script", translitLines)
	lineCmd("lang", "identify the language of each line (ar, ary, arq-aeb, ar-dialect, ary-Latn, fr, en, und)", langLines)

	Register(&Command{
		Name:    "text eval",
		Summary: "measure language ID and Arabizi transliteration on the reference data",
		Usage:   "[--data DIR]",
		Run:     runTextEval,
	})
}

func isArabicRune(r rune) bool { return r >= 0x0600 && r <= 0x06FF }

// eachLine applies fn to every line of stdin and writes one result per line.
func eachLine(ctx context.Context, env *Env, fn func(string) string) error {
	sc := bufio.NewScanner(env.Stdin)
	sc.Buffer(make([]byte, 64*1024), maxTextLine)
	w := bufio.NewWriter(env.Stdout)
	defer w.Flush()
	n := 0
	for sc.Scan() {
		n++
		if n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		io.WriteString(w, fn(sc.Text()))
		w.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("stdin line %d: %w (lines are limited to %d bytes)", n+1, err, maxTextLine)
	}
	return nil
}

func runTextEval(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	data := dataFlag(fs, "")
	if err := Parse(fs, args); err != nil {
		return err
	}
	dir, err := dataDir(env, *data, true)
	if err != nil {
		return err
	}
	progress := func(string) {}
	if env.StderrIsTerminal {
		progress = func(msg string) { fmt.Fprintln(env.Stderr, msg) }
	}
	return arabic.WriteEvalReport(env.Stdout, dir, progress)
}

// normalizeLines defines the flags of text normalize and returns its line function.
func normalizeLines(fs *flag.FlagSet) func(string) string {
	var o arabic.NormalizeOptions
	fs.BoolVar(&o.KeepTehMarbuta, "keep-teh-marbuta", false, "keep ة instead of mapping it to ه")
	fs.BoolVar(&o.KeepAlefMaqsura, "keep-alef-maqsura", false, "keep ى instead of mapping it to ي")
	fs.BoolVar(&o.KeepHamzaSeats, "keep-hamza-seats", false, "keep ؤ and ئ")
	fs.BoolVar(&o.KeepLetterVariants, "keep-letter-variants", false, "keep Persian/Urdu/Maghrebi letters (ی ک ڭ …)")
	fs.BoolVar(&o.KeepDigits, "keep-digits", false, "keep Arabic-Indic digits")
	return func(s string) string { return arabic.NormalizeWith(s, o) }
}

// foldLines defines the flags of text fold and returns its line function.
func foldLines(fs *flag.FlagSet) func(string) string {
	tokens := fs.Bool("tokens", false, "list tokens with their byte offsets, base and transliteration")
	return func(s string) string {
		if !*tokens {
			return arabic.Fold(s)
		}
		var b strings.Builder
		for i, t := range arabic.Analyze(s).Tokens {
			if i > 0 {
				b.WriteString("\t")
			}
			fmt.Fprintf(&b, "%s[%d:%d]", t.Text, t.Start, t.End)
			if t.Base != "" {
				fmt.Fprintf(&b, " base=%s", t.Base)
			}
			if t.Translit != "" {
				fmt.Fprintf(&b, " translit=%s", t.Translit)
			}
		}
		return b.String()
	}
}

// stemLines defines the flags of text stem and returns its line function.
func stemLines(fs *flag.FlagSet) func(string) string {
	snow := fs.Bool("snowball", false, "use the Snowball Arabic stemmer")
	return func(s string) string {
		var out []string
		if *snow {
			for _, w := range strings.Fields(s) {
				out = append(out, arabic.SnowballStem(w))
			}
			return strings.Join(out, " ")
		}
		for _, w := range strings.Fields(arabic.Fold(s)) {
			out = append(out, arabic.Stem(w))
		}
		return strings.Join(out, " ")
	}
}

// translitLines defines the flags of text translit and returns its line function.
func translitLines(fs *flag.FlagSet) func(string) string {
	k := fs.Int("k", 1, "spellings per word (1 = best only)")
	return func(s string) string {
		if *k <= 1 {
			return arabic.Translit(s)
		}
		var out []string
		for _, t := range arabic.Analyze(s).Tokens {
			w := s[t.Start:t.End]
			if len(w) != len(t.Text) {
				w = t.Text // folding changed it: use the folded spelling
			}
			if c := arabic.TranslitCandidates(w, *k); len(c) > 0 && !strings.ContainsFunc(t.Text, isArabicRune) {
				out = append(out, strings.Join(c, "|"))
			} else {
				out = append(out, t.Text)
			}
		}
		return strings.Join(out, " ")
	}
}

// langLines defines the flags of text lang and returns its line function.
func langLines(fs *flag.FlagSet) func(string) string {
	conf := fs.Bool("conf", false, "also print the confidence")
	return func(s string) string {
		l, c := arabic.DetectLangConf(s)
		if *conf {
			return fmt.Sprintf("%s\t%.2f", l, c)
		}
		return l
	}
}
