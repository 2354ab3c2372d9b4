package ingest

// SeenSet remembers the last n identifiers a source handed on, so a
// polling source does not re-send unchanged items on every poll. The store
// is idempotent anyway; this only saves work.
type SeenSet struct {
	ids  map[string]struct{}
	ring []string
	next int
}

// NewSeenSet returns a set that keeps at most n identifiers.
func NewSeenSet(n int) *SeenSet {
	return &SeenSet{ids: make(map[string]struct{}, n), ring: make([]string, n)}
}

// Has reports whether id was added and not yet evicted.
func (s *SeenSet) Has(id string) bool { _, ok := s.ids[id]; return ok }

// Add records id, evicting the oldest when full.
func (s *SeenSet) Add(id string) {
	if s.Has(id) || len(s.ring) == 0 {
		return
	}
	if old := s.ring[s.next]; old != "" {
		delete(s.ids, old)
	}
	s.ring[s.next] = id
	s.ids[id] = struct{}{}
	s.next = (s.next + 1) % len(s.ring)
}
