package hma

import (
	"github.com/basira-org/basira/internal/hashmatch"
	"github.com/basira-org/basira/internal/server"
)

// Banks serves the bank registry (hashmatch.Registry, which owns the
// banks shared by the API and the detector) to the API; this package only
// translates HMA's routes and shapes.
type Banks = hashmatch.Registry

var _ server.Banks = (*Banks)(nil)

// NewBanks serves banks (already loaded from store, e.g. with
// hashmatch.LoadAll) and saves changes to store. onChange may be nil.
func NewBanks(store hashmatch.Store, banks []*hashmatch.Bank, onChange func([]*hashmatch.Bank)) *Banks {
	return hashmatch.NewRegistry(store, banks, onChange)
}

// ContentID is the API's integer id of a content: see hashmatch.ContentID.
func ContentID(bank, id string) int64 { return hashmatch.ContentID(bank, id) }
