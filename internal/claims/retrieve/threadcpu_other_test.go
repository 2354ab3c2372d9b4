//go:build !linux

package retrieve

import "time"

// threadCPU is not measured outside Linux; the benchmark then reports
// zero CPU figures and the wall-clock ones.
func threadCPU() time.Duration { return 0 }
