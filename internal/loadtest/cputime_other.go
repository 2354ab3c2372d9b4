//go:build !unix

package loadtest

import "time"

const (
	rusageSelf     = 0
	rusageChildren = 1
)

// cpuTime is not measured where getrusage does not exist: bench ingest
// then reports wall-clock figures only.
func cpuTime(int) time.Duration { return 0 }
