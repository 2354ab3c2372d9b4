package main

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
)

// TestNothingHeavyInInit keeps one-file commands (basira hash) starting in
// a few ms: every package's init, as the runtime reports it
// (GODEBUG=inittrace=1) for this test binary, which links all of them,
// allocates at most 512 KB. Tables that take more are built on first use
// (sync.OnceValue) or generated. Allocation is counted rather than time,
// which the loaded machine would make flaky.
func TestNothingHeavyInInit(t *testing.T) {
	if os.Getenv("BASIRA_INITTRACE_CHILD") != "" {
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1", "BASIRA_INITTRACE_CHILD=1")
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
