//go:build !unix

package arabic

// cpuTime is not measured on this system; benchmarks then report no CPU
// figures.
func cpuTime() int64 { return 0 }
