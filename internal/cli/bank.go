package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/basira-org/basira/internal/config"
	"github.com/basira-org/basira/internal/hashmatch"
	"github.com/basira-org/basira/internal/video"
	"github.com/basira-org/basira/pdq"
	"github.com/basira-org/basira/pdq/pdqbench"
	"github.com/basira-org/basira/vpdq"
)

func init() {
	Register(&Command{
		Name:    "bank create",
		Summary: "create a bank of known hashes (pdq, md5, sha256 or text)",
		Usage:   "[flags] NAME",
		Run:     runBankCreate,
	})
	Register(&Command{
		Name:    "bank add",
		Summary: "add hashes, texts or files to a bank",
		Usage:   "[flags] NAME VALUE...",
		Run:     runBankAdd,
	})
	Register(&Command{
		Name:    "bank import",
		Summary: "import a hash list (CSV, TSV or Tech Against Terrorism JSON) into a bank",
		Usage:   "[flags] NAME FILE | --tat-url URL NAME",
		Run:     runBankImport,
	})
	Register(&Command{
		Name:    "bank export",
		Summary: "write a bank's entries as CSV, TSV or TAT JSON",
		Usage:   "[flags] NAME",
		Run:     runBankExport,
	})
	Register(&Command{
		Name:    "bank list",
		Summary: "list the banks with their type, size, threshold and safe-list flag",
		Usage:   "[flags]",
		Run:     runBankList,
	})
	Register(&Command{
		Name:    "bank disable",
		Summary: "stop a bank, or some of its entries, from matching",
		Usage:   "[flags] NAME [ENTRY_ID...]",
		Run: func(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
			return runBankEnable(ctx, env, fs, args, false)
		},
	})
	Register(&Command{
		Name:    "bank enable",
		Summary: "let a disabled bank, or disabled entries, match again",
		Usage:   "[flags] NAME [ENTRY_ID...]",
		Run: func(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
			return runBankEnable(ctx, env, fs, args, true)
		},
	})
	Register(&Command{
		Name:    "bank bench",
		Summary: "measure the PDQ index on a synthetic bank, to size a deployment",
		Usage:   "[flags]",
		Run:     runBankBench,
	})
	Register(&Command{
		Name:    "match",
		Summary: "match image or media files (or a text) against the banks",
		Usage:   "[flags] FILE...",
		Run:     runMatch,
	})
}

func bankDirFlag(fs *flag.FlagSet) *string {
	return fs.String("dir", "", "bank folder (default $BASIRA_HOME/banks)")
}

func bankStore(env *Env, dir string, create bool) (*hashmatch.DirStore, error) {
	if dir == "" {
		d, err := Home(env, create, "banks")
		if err != nil {
			return nil, err
		}
		dir = d
	}
	return &hashmatch.DirStore{Dir: dir}, nil
}

func runBankCreate(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	dir := bankDirFlag(fs)
	typ := fs.String("type", "", "signal type: pdq, md5, sha256, sha512, text, video_md5 or vpdq (required)")
	threshold := fs.Float64("threshold", -1, "largest PDQ distance (default 31), smallest text similarity (default 0.5), or for vpdq the percentage of a video's frames that must match (default 80)")
	safe := fs.Bool("safe", false, "make this bank a safe list: its matches suppress flags")
	desc := fs.String("description", "", "what the bank holds and where it comes from")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return Usagef("name one bank to create")
	}
	t, err := hashmatch.ParseSignalType(*typ)
	if err != nil {
		return Usagef("--type: %v", err)
	}
	th := *threshold
	if th < 0 {
		th = hashmatch.DefaultThreshold(t)
	}
	b, err := hashmatch.NewBank(hashmatch.Info{Name: fs.Arg(0), Type: t, Threshold: th, Safe: *safe, Description: *desc})
	if err != nil {
		return Usagef("%v", err)
	}
	st, err := bankStore(env, *dir, true)
	if err != nil {
		return err
	}
	if _, err := st.Load(ctx, fs.Arg(0)); err == nil {
		return fmt.Errorf("bank %q already exists in %s", fs.Arg(0), st.Dir)
	}
	if err := st.Save(ctx, b); err != nil {
		return err
	}
	kind := "bank"
	if *safe {
		kind = "safe list"
	}
	fmt.Fprintf(env.Stderr, "created %s %s (%s, threshold %v) in %s\n", kind, fs.Arg(0), t, th, st.Dir)
	return nil
}

type entryFlags struct{ label, source, note *string }

func defineEntryFlags(fs *flag.FlagSet) entryFlags {
	return entryFlags{
		label:  fs.String("label", "", "label (taxonomy category) of the entries"),
		source: fs.String("source", "", "where the entries come from"),
		note:   fs.String("note", "", "free note kept with the entries"),
	}
}

func loadBank(ctx context.Context, env *Env, dir, name string) (*hashmatch.DirStore, *hashmatch.Bank, error) {
	st, err := bankStore(env, dir, false)
	if err != nil {
		return nil, nil, err
	}
	b, err := st.Load(ctx, name)
	if errors.Is(err, hashmatch.ErrNotFound) {
		return nil, nil, fmt.Errorf("%w (create it with 'basira bank create', list them with 'basira bank list')", err)
	}
	return st, b, err
}

func runBankAdd(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	dir := bankDirFlag(fs)
	ef := defineEntryFlags(fs)
	files := fs.Bool("files", false, "values are files to hash, not hashes")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() < 2 {
		return Usagef("name a bank and at least one value")
	}
	st, b, err := loadBank(ctx, env, *dir, fs.Arg(0))
	if err != nil {
		return err
	}
	t := b.Info().Type
	h := pdq.NewHasher()
	added, failed := 0, 0
	for _, v := range fs.Args()[1:] {
		value := v
		if *files {
			value, err = fileValue(ctx, t, v, h)
			if err != nil {
				failed++
				fmt.Fprintf(env.Stderr, "basira bank add: %v\n", err)
				continue
			}
		}
		e, err := b.Add(hashmatch.Entry{Value: value, Label: *ef.label, Source: *ef.source, Note: *ef.note, Enabled: true})
		if err != nil {
			failed++
			fmt.Fprintf(env.Stderr, "basira bank add: %v\n", err)
			continue
		}
		added++
		fmt.Fprintln(env.Stdout, e.ID)
	}
	if added > 0 {
		if err := st.Save(ctx, b); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.Stderr, "added %d entries to %s (%d in all)\n", added, b.Info().Name, b.Len())
	if failed > 0 {
		return ErrFailed
	}
	return nil
}

// fileValue hashes a file for a bank of type t: videos through ffmpeg
// for vPDQ banks, the rest as hashmatch.FileValue does.
func fileValue(ctx context.Context, t hashmatch.SignalType, path string, h *pdq.Hasher) (string, error) {
	if t == hashmatch.VPDQ {
		r, err := video.HashFile(ctx, path, video.Options{})
		if err != nil {
			return "", err
		}
		return vpdq.FormatSignal(r.Features), nil
	}
	return hashmatch.FileValue(t, path, h)
}

func runBankImport(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	dir := bankDirFlag(fs)
	ef := defineEntryFlags(fs)
	format := fs.String("format", "", "csv, tsv or tat (default: from the file name; .json is tat)")
	tatURL := fs.String("tat-url", "", "fetch Tech Against Terrorism's hash list from this API `URL` (…/api/hash-list/v2/all) instead of a FILE")
	fromStart := fs.Bool("tat-from-start", false, "with --tat-url, fetch the whole list, not only what changed since the bank's checkpoint")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if *tatURL != "" {
		if fs.NArg() != 1 {
			return Usagef("with --tat-url, name only the bank")
		}
		return importTAT(ctx, env, *dir, fs.Arg(0), *tatURL, *fromStart, hashmatch.Entry{Label: *ef.label, Source: *ef.source, Note: *ef.note})
	}
	if fs.NArg() != 2 {
		return Usagef("name a bank and one FILE")
	}
	path := fs.Arg(1)
	fmtName, err := hashmatch.ListFormat(*format, path)
	if err != nil {
		return Usagef("%v", err)
	}
	st, b, err := loadBank(ctx, env, *dir, fs.Arg(0))
	if err != nil {
		return err
	}
	var res *hashmatch.ListResult
	err = withInput(env, path, func(r io.Reader) (err error) {
		res, err = hashmatch.ParseList(r, fmtName, b.Info().Type)
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for _, ie := range res.Errors {
		fmt.Fprintf(env.Stderr, "%s: %v\n", path, ie)
	}
	if res.MoreErrors > 0 {
		fmt.Fprintf(env.Stderr, "%s: %d more bad items not shown\n", path, res.MoreErrors)
	}
	c := hashmatch.Import(b, res, hashmatch.Entry{Label: *ef.label, Source: *ef.source, Note: *ef.note})
	for _, err := range c.Errors {
		fmt.Fprintf(env.Stderr, "%s: %v\n", path, err)
	}
	if err := st.Save(ctx, b); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "%s: %d added, %d updated, %d already present, %d withdrawn, %d of other types skipped, %d bad; %s holds %d entries\n",
		path, c.Added, c.Updated, c.Present, c.Removed, res.Skipped, len(res.Errors)+res.MoreErrors, b.Info().Name, b.Len())
	if len(res.Errors) > 0 {
		return ErrFailed
	}
	return nil
}

func runBankExport(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	dir := bankDirFlag(fs)
	format := fs.String("format", "", "csv, tsv or tat (default: from --output's name, else csv)")
	output := fs.String("output", "", "file to write (default stdout)")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return Usagef("name one bank")
	}
	fmtName, err := hashmatch.ListFormat(*format, *output)
	if err != nil {
		return Usagef("%v", err)
	}
	_, b, err := loadBank(ctx, env, *dir, fs.Arg(0))
	if err != nil {
		return err
	}
	return withOutput(env, *output, func(w io.Writer) error { return hashmatch.WriteList(w, fmtName, b) })
}

func runBankList(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	dir := bankDirFlag(fs)
	if err := Parse(fs, args); err != nil {
		return err
	}
	st, err := bankStore(env, *dir, false)
	if err != nil {
		return err
	}
	infos, err := st.List(ctx)
	if err != nil {
		return err
	}
	if len(infos) == 0 {
		fmt.Fprintf(env.Stderr, "no banks in %s (create one with 'basira bank create')\n", st.Dir)
		return nil
	}
	tw := newTable(env.Stdout, "NAME", "TYPE", "ENTRIES", "ENABLED", "THRESHOLD", "SAFE LIST", "STATUS", "DESCRIPTION")
	for _, i := range infos {
		total, on, err := st.Count(ctx, i.Name)
		if err != nil {
			return err
		}
		status := "on"
		if i.Disabled {
			status = "disabled"
		}
		th := "-"
		if i.Type == hashmatch.PDQ || i.Type == hashmatch.Text {
			th = fmt.Sprint(i.Threshold)
		}
		tw.rowf("%s\t%s\t%d\t%d\t%s\t%v\t%s\t%s\n", i.Name, i.Type, total, on, th, i.Safe, status, i.Description)
	}
	return tw.flush()
}

func runBankEnable(ctx context.Context, env *Env, fs *flag.FlagSet, args []string, on bool) error {
	dir := bankDirFlag(fs)
	if err := Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() < 1 {
		return Usagef("name a bank (and optionally entry ids)")
	}
	st, b, err := loadBank(ctx, env, *dir, fs.Arg(0))
	if err != nil {
		return err
	}
	failed := 0
	if fs.NArg() == 1 {
		if err := b.Update(func(i *hashmatch.Info) { i.Disabled = !on }); err != nil {
			return err
		}
	} else {
		for _, id := range fs.Args()[1:] {
			if err := b.SetEnabled(id, on); err != nil {
				fmt.Fprintf(env.Stderr, "basira bank: %v\n", err)
				failed++
			}
		}
	}
	if err := st.Save(ctx, b); err != nil {
		return err
	}
	if failed > 0 {
		return ErrFailed
	}
	return nil
}

func runBankBench(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	var o pdqbench.Options
	fs.IntVar(&o.Size, "size", 1_000_000, "number of random PDQ hashes in the index")
	fs.IntVar(&o.Queries, "queries", 10_000, "number of lookups to time")
	fs.IntVar(&o.Radius, "radius", pdq.DefaultRadius, "Hamming radius of the lookups (0-255)")
	fs.IntVar(&o.Check, "check", 200, "queries whose answer is compared with a brute-force scan")
	fs.Uint64Var(&o.Seed, "seed", 1, "random seed")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return Usagef("%v", err)
	}
	if env.StderrIsTerminal {
		o.Progress = func(msg string) { fmt.Fprintln(env.Stderr, msg) }
	}
	out, err := pdqbench.Run(ctx, o)
	if out != nil {
		if werr := writeJSON(env.Stdout, out, true); werr != nil {
			return werr
		}
	}
	return err
}

// matchBanks is a matcher over the banks named (default: every bank of
// the folder).
func matchBanks(ctx context.Context, env *Env, dir string, only []string) (*hashmatch.Matcher, error) {
	st, err := bankStore(env, dir, false)
	if err != nil {
		return nil, err
	}
	var banks []*hashmatch.Bank
	if len(only) > 0 {
		for _, name := range only {
			_, b, err := loadBank(ctx, env, dir, name)
			if err != nil {
				return nil, err
			}
			banks = append(banks, b)
		}
	} else if banks, err = hashmatch.LoadAll(ctx, st); err != nil {
		return nil, err
	}
	if len(banks) == 0 {
		return nil, fmt.Errorf("no banks in %s: create one with 'basira bank create'", st.Dir)
	}
	return hashmatch.NewMatcher(banks...), nil
}

func runMatch(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	dir := bankDirFlag(fs)
	var only bankNames
	fs.Var(&only, "bank", "match only against this bank `NAME` (repeatable; default all)")
	text := fs.String("text", "", "match this text against the text banks instead of files")
	format := fs.String("format", "table", "output: table (for a person) or json (one object per match)")
	all := fs.Bool("all", false, "also print files that match nothing")
	dihedral := fs.Bool("dihedral", false, "also match the images' rotations and flips (mirrored or turned copies)")
	vopt := videoFlags(fs)
	if err := Parse(fs, args); err != nil {
		return err
	}
	if *format != "table" && *format != "json" {
		return Usagef("--format must be table or json, not %q", *format)
	}
	if *text == "" && fs.NArg() == 0 {
		return Usagef("name at least one FILE, or give --text")
	}
	m, err := matchBanks(ctx, env, *dir, only)
	if err != nil {
		return err
	}
	out := hashmatch.NewMatchWriter(env.Stdout, *format == "json", *all)
	if *text != "" {
		ms, err := m.Lookup(hashmatch.Text, *text)
		if err != nil {
			return err
		}
		out.Write("text", ms)
	}
	failed, err := matchFiles(ctx, env, m, fs.Args(), *dihedral, *vopt, out)
	_ = out.Flush()
	if err != nil {
		return err
	}
	if failed > 0 {
		return ErrFailed
	}
	return nil
}

// matchFiles hashes each file and prints its matches; it returns how many
// files could not be hashed.
func matchFiles(ctx context.Context, env *Env, m *hashmatch.Matcher, paths []string, dihedral bool, vopt video.Options, out *hashmatch.MatchWriter) (int, error) {
	failed := 0
	h := pdq.NewHasher()
	videos := m.Has(hashmatch.VPDQ)
	if videos {
		if err := video.Check(); err != nil {
			fmt.Fprintf(env.Stderr, "basira match: videos are matched by MD5 and SHA-256 only: %v\n", err)
			videos = false
		}
	}
	for _, path := range paths {
		if ctx.Err() != nil {
			return failed, ctx.Err()
		}
		hashFile := hashmatch.HashFile
		if dihedral {
			hashFile = hashmatch.HashFileDihedral
		}
		fh, err := hashFile(path, h)
		if err != nil {
			failed++
			fmt.Fprintf(env.Stderr, "basira match: %v\n", err)
			continue
		}
		if videos && fh.PDQ == nil && isVideoFile(path) {
			r, err := video.HashFile(ctx, path, sampling(vopt))
			if err != nil {
				failed++
				fmt.Fprintf(env.Stderr, "basira match: %v\n", err)
				continue
			}
			fh.VPDQ = r.Features
		}
		if fh.PDQ != nil && fh.PDQ.Quality < pdq.MinQuality && m.Has(hashmatch.PDQ) {
			fmt.Fprintf(env.Stderr, "basira match: %s: PDQ quality %d is below %d, PDQ not matched\n", path, fh.PDQ.Quality, pdq.MinQuality)
		}
		out.Write(path, m.LookupFile(fh))
	}
	return failed, nil
}

type bankNames []string

func (b *bankNames) String() string { return strings.Join(*b, ",") }
func (b *bankNames) Set(v string) error {
	*b = append(*b, v)
	return nil
}

// importTAT fetches Tech Against Terrorism's hash list into a bank, from
// the bank's checkpoint on, saving the bank and its checkpoint after each
// page: an interrupted fetch resumes where it stopped.
func importTAT(ctx context.Context, env *Env, dir, name, endpoint string, fromStart bool, defaults hashmatch.Entry) error {
	token, err := config.Lookup(env.Getenv, "BASIRA_TAT_TOKEN")
	if err != nil {
		return err
	}
	if token == "" {
		return Usagef("set BASIRA_TAT_TOKEN (or BASIRA_TAT_TOKEN_FILE) to the TCAP API token")
	}
	st, b, err := loadBank(ctx, env, dir, name)
	if err != nil {
		return err
	}
	after := b.Info().TATCheckpoint
	if fromStart {
		after = ""
	}
	// The URL is the operator's, not a caller's: a plain client with a
	// deadline per page.
	f := hashmatch.TATFetch{Client: &http.Client{Timeout: 2 * time.Minute}, Endpoint: endpoint, Token: strings.TrimSpace(token)}
	var total hashmatch.ImportCounts
	pages, skipped, bad := 0, 0, 0
	cp, err := f.Pages(ctx, b.Info().Type, after, func(res *hashmatch.ListResult, page *hashmatch.TATPage) error {
		pages++
		for _, ie := range res.Errors {
			fmt.Fprintf(env.Stderr, "%s page %d: %v\n", endpoint, pages, ie)
		}
		skipped += res.Skipped
		bad += len(res.Errors) + res.MoreErrors
		c := hashmatch.Import(b, res, defaults)
		total.Added += c.Added
		total.Updated += c.Updated
		total.Present += c.Present
		for _, err := range c.Errors {
			fmt.Fprintf(env.Stderr, "%s page %d: %v\n", endpoint, pages, err)
		}
		if page.Checkpoint != "" {
			cp := page.Checkpoint
			if err := b.Update(func(i *hashmatch.Info) { i.TATCheckpoint = cp }); err != nil {
				return err
			}
		}
		return st.Save(ctx, b)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "%s: %d pages, %d added, %d updated, %d already present, %d of other types skipped, %d bad; %s holds %d entries; checkpoint %q\n",
		endpoint, pages, total.Added, total.Updated, total.Present, skipped, bad, b.Info().Name, b.Len(), cp)
	return nil
}
