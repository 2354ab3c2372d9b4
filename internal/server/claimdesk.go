package server

import (
	"errors"
	"net/http"
	"time"

	"github.com/basira-org/basira/internal/store"
)

// ClaimDesk is the rumour desk's store side (store.ClaimClusters): the
// emerging claims internal/claims/desk keeps up to date.
type ClaimDesk = store.ClaimClusters

func (s *Server) listTrending(w http.ResponseWriter, r *http.Request) error {
	if s.deps.ClaimDesk == nil {
		return notConfigured("the rumour desk")
	}
	limit, err := queryInt(r, "limit", 50)
	if err != nil {
		return err
	}
	cs, err := s.deps.ClaimDesk.ListClaimClusters(r.Context(), int(min(max(limit, 1), 1000)))
	if err != nil {
		return err
	}
	unchecked := 0
	for _, c := range cs {
		if c.Debunk == nil {
			unchecked++
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"clusters": cs, "unchecked": unchecked})
	return nil
}

func (s *Server) loadCluster(r *http.Request) (*store.ClaimCluster, error) {
	if s.deps.ClaimDesk == nil {
		return nil, notConfigured("the rumour desk")
	}
	key := r.PathValue("key")
	c, err := s.deps.ClaimDesk.ClaimCluster(r.Context(), key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, Errorf(CodeNotFound, "no emerging claim %q (clusters are recomputed every minute; list them again)", key)
	}
	return c, err
}

func (s *Server) getTrending(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadCluster(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// openTrendingCase opens the review case of an emerging claim: 201 with
// the new case, or 200 with the case opened before.
func (s *Server) openTrendingCase(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadCluster(r)
	if err != nil {
		return err
	}
	cs, created, err := s.deps.ClaimDesk.OpenClaimCase(r.Context(), PrincipalFrom(r.Context()).Actor(), c.Key, time.Now())
	if errors.Is(err, store.ErrNotFound) {
		return Errorf(CodeNotFound, "no emerging claim %q", c.Key)
	}
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, map[string]any{"case": cs, "created": created})
	return nil
}
