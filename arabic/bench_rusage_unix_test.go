//go:build unix

package arabic

import "syscall"

// cpuTime is the user + system CPU time of the process so far, in
// nanoseconds: on a loaded machine it measures the benchmark's own work,
// where wall-clock time also counts the time other processes ran.
func cpuTime() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
