package vpdq

import "github.com/basira-org/basira/pdq"

// Options sets how two videos are compared.
type Options struct {
	// Quality: frames below it are left out of both videos (default
	// DefaultQuality; -1 keeps every frame).
	Quality int
	// Distance: frames at most this far apart match (default
	// DefaultDistance).
	Distance int
	// Reference selects the C++ vpdq tool's variant: frames match below
	// Distance (not at it) and repeated hashes are counted each time.
	// Off, it is python-threatexchange's (OMM's): at most Distance, each
	// distinct hash counted once.
	Reference bool
}

func (o Options) quality() int {
	if o.Quality == 0 {
		return DefaultQuality
	}
	return max(o.Quality, 0)
}

func (o Options) distance() int {
	if o.Distance == 0 {
		return DefaultDistance
	}
	return o.Distance
}

// Result is the outcome of comparing a query video with another.
type Result struct {
	QueryPercent    float64 `json:"query_match_percent"`    // share of the query's frames found in the other video
	ComparedPercent float64 `json:"compared_match_percent"` // share of the other video's frames found in the query
}

// IsMatch applies python-threatexchange's decision: the query's share at
// least queryPct and the compared share at least comparedPct.
func (r Result) IsMatch(queryPct, comparedPct float64) bool {
	return r.QueryPercent >= queryPct && r.ComparedPercent >= comparedPct
}

// Match compares query with compared by brute force (every pair of kept
// frames), as both references do. Either list empty after filtering gives
// 0 and 0.
func Match(query, compared []Feature, o Options) Result {
	q := filter(query, o)
	c := filter(compared, o)
	if len(q) == 0 || len(c) == 0 {
		return Result{}
	}
	lim := o.distance()
	if o.Reference {
		lim-- // the C++ tool compares with <
	}
	return Result{
		QueryPercent:    float64(countIn(q, c, lim)) * 100 / float64(len(q)),
		ComparedPercent: float64(countIn(c, q, lim)) * 100 / float64(len(c)),
	}
}

func filter(fs []Feature, o Options) []pdq.Hash {
	minQ := o.quality()
	out := make([]pdq.Hash, 0, len(fs))
	var seen map[pdq.Hash]bool
	if !o.Reference {
		seen = make(map[pdq.Hash]bool, len(fs))
	}
	for _, f := range fs {
		if f.Quality < minQ {
			continue
		}
		if seen != nil {
			if seen[f.Hash] {
				continue
			}
			seen[f.Hash] = true
		}
		out = append(out, f.Hash)
	}
	return out
}

// countIn counts the hashes of a with at least one hash of b within lim.
func countIn(a, b []pdq.Hash, lim int) int {
	n := 0
	for _, x := range a {
		for _, y := range b {
			if pdq.Distance(x, y) <= lim {
				n++
				break
			}
		}
	}
	return n
}

// Compact returns the frames matching uses (quality at least
// DefaultQuality, each distinct hash once, as python-threatexchange
// prepares a signal), in order: the same match results in less room.
func Compact(fs []Feature) []Feature {
	out := make([]Feature, 0, len(fs))
	seen := make(map[pdq.Hash]bool, len(fs))
	for _, f := range fs {
		if f.Quality < DefaultQuality || seen[f.Hash] {
			continue
		}
		seen[f.Hash] = true
		out = append(out, f)
	}
	return out
}
