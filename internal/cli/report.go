package cli

import (
	"context"
	"flag"
	"time"

	"github.com/basira-org/basira/internal/app"
	"github.com/basira-org/basira/internal/config"
	"github.com/basira-org/basira/internal/report"
)

func init() {
	Register(&Command{
		Name:    "report",
		Summary: "write a transparency report: cases, decisions, dismiss rates, time to decision, appeals",
		Usage:   "[--from DATE] [--to DATE] [--format html|json|csv] [--store …]",
		Run:     runReport,
	})
}

func runReport(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	from := fs.String("from", "", "first day of the period, YYYY-MM-DD (default: 30 days before --to)")
	to := fs.String("to", "", "day after the period, YYYY-MM-DD (default: tomorrow)")
	format := fs.String("format", "html", "html, json or csv")
	var cfg config.Config
	cfg.DefineStore(fs, false)
	if err := Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return Usagef("unexpected argument %q", fs.Arg(0))
	}
	end := time.Now().UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	if *to != "" {
		t, err := time.Parse(time.DateOnly, *to)
		if err != nil {
			return Usagef("--to %q: want a date like 2026-11-01", *to)
		}
		end = t
	}
	start := end.AddDate(0, 0, -30)
	if *from != "" {
		t, err := time.Parse(time.DateOnly, *from)
		if err != nil {
			return Usagef("--from %q: want a date like 2026-10-01", *from)
		}
		start = t
	}
	write := map[string]func(*report.Report) error{
		"html": func(r *report.Report) error { return report.WriteHTML(env.Stdout, r) },
		"json": func(r *report.Report) error { return report.WriteJSON(env.Stdout, r) },
		"csv":  func(r *report.Report) error { return report.WriteCSV(env.Stdout, r) },
	}[*format]
	if write == nil {
		return Usagef("--format must be html, json or csv, not %q", *format)
	}
	st, err := openConfigStore(ctx, env, &cfg, app.OpenExisting)
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := report.Build(ctx, st, start, end)
	if err != nil {
		return err
	}
	return write(r)
}
