package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// TestNothingHeavyInInit keeps one-file commands (basira hash) starting in
// a few ms: every package's init, as the runtime reports it
// (GODEBUG=inittrace=1) for the basira binary, which links all of them,
// allocates at most 512 KB. Tables that take more are built on first use
// (sync.OnceValue) or generated. Allocation is counted rather than time,
// which the loaded machine would make flaky.
func TestNothingHeavyInInit(t *testing.T) {
	// The binary users run, built here without the test's flags: under
	// -race every package's init allocates many times more (the race
	// runtime's shadow state), which says nothing about start-up.
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH to build the binary")
	}
	bin := filepath.Join(t.TempDir(), "basira")
	build := exec.Command(goTool, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v: %s", err, out)
	}
	cmd := exec.Command(bin, "version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	line := regexp.MustCompile(`(?m)^init (\S+) @\S+ ms, \S+ ms clock, (\d+) bytes, (\d+) allocs$`)
	ms := line.FindAllSubmatch(out, -1)
	if len(ms) < 50 {
		t.Fatalf("only %d init lines in the trace:\n%s", len(ms), out)
	}
	total := 0
	for _, m := range ms {
		n, _ := strconv.Atoi(string(m[2]))
		total += n
		if n > 512<<10 {
			t.Errorf("init of %s allocates %d bytes: build its tables on first use", m[1], n)
		}
	}
	t.Logf("%d packages, %d bytes allocated by init in all", len(ms), total)
}
