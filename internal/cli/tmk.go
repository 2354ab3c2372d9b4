package cli

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/basira-org/basira/tmk"
)

func init() {
	Register(&Command{
		Name:    "tmk-compare",
		Summary: "compare two TMK+PDQF video hashes (.tmk files)",
		Usage:   "[flags] A.tmk B.tmk",
		Help: `Reads two .tmk files made by Meta's tmk-hash-video and compares them as the
reference does: level 1 is the cosine similarity of the videos' average frame
features, level 2 the best time-aligned score (computed when level 1 passes).
Prints LEVEL1,LEVEL2,VERDICT (match or no-match).
Basira reads TMK files but does not compute them (use vPDQ: 'basira hash').

Example:
  basira tmk-compare known.tmk upload.tmk`,
		Run: runTMKCompare,
	})
}

func runTMKCompare(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	c1 := fs.Float64("c1", tmk.DefaultLevel1, "level-1 threshold")
	c2 := fs.Float64("c2", tmk.DefaultLevel2, "level-2 threshold")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return Usagef("name two .tmk files")
	}
	var fv [2]*tmk.Features
	for i, p := range fs.Args() {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		fv[i], err = tmk.Parse(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
	}
	l1, l2, ok, err := tmk.Match(fv[0], fv[1], *c1, *c2)
	if err != nil {
		return err
	}
	verdict := "no-match"
	if ok {
		verdict = "match"
	}
	_, err = fmt.Fprintf(env.Stdout, "%.6f,%.6f,%s\n", l1, l2, verdict)
	return err
}
