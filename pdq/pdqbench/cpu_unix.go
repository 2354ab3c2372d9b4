//go:build unix

package pdqbench

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time the process has used, so that `bank
// bench` can report lookups per CPU-second beside wall-clock figures on a
// busy machine. ok is false where it cannot be measured.
func processCPU() (d time.Duration, ok bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
