package server

import (
	"context"

	"github.com/basira-org/basira/internal/claims"
	"github.com/basira-org/basira/internal/hashmatch"
	"github.com/basira-org/basira/internal/rules"
)

// The bank types and errors belong to the bank registry
// (hashmatch.Registry); the API names them here for its handlers.
type (
	BankInfo    = hashmatch.BankInfo
	IndexMatch  = hashmatch.IndexMatch
	IndexStatus = hashmatch.IndexStatus
)

// Banks is what the API needs of the hash banks and their index
// (internal/hashmatch through an adapter). Methods return the sentinel
// errors below, wrapped with detail, so the API can pick the error code.
type Banks interface {
	// SignalTypes lists the indexed signal types ("pdq", "md5", …).
	SignalTypes() []string
	ListBanks(ctx context.Context) ([]BankInfo, error)
	Bank(ctx context.Context, name string) (BankInfo, error)
	CreateBank(ctx context.Context, name string, enabledRatio float64) (BankInfo, error)
	// AddSignals adds one content (one or more signals of it) to a bank
	// and returns the content's id. note and label describe it.
	AddSignals(ctx context.Context, bank string, signals map[string]string, label, note string) (int64, error)
	// RemoveContent removes a content (every signal of it) from a bank and
	// returns how many signals were removed (0: no such content).
	RemoveContent(ctx context.Context, bank string, contentID int64) (int, error)
	// Lookup returns the contents within the signal type's match threshold.
	Lookup(ctx context.Context, signalType, value string) ([]IndexMatch, error)
	// Compare says whether two signals of a type match, and their distance.
	Compare(signalType, a, b string) (match bool, distance int, err error)
	IndexStatus(ctx context.Context) (map[string]IndexStatus, error)
}

// Errors a Banks or Hasher returns (wrapped): the registry's.
var (
	ErrNoSuchBank         = hashmatch.ErrNoSuchBank
	ErrBankExists         = hashmatch.ErrBankExists
	ErrInvalidBank        = hashmatch.ErrInvalidBank
	ErrInvalidSignal      = hashmatch.ErrInvalidSignal
	ErrUnknownSignalType  = hashmatch.ErrUnknownSignalType
	ErrUnsupportedContent = hashmatch.ErrUnsupportedContent
)

// Hasher hashes media bytes into signals ({"pdq": …, "md5": …}).
type Hasher interface {
	// ContentTypes lists what can be hashed ("photo").
	ContentTypes() []string
	// Hash returns the signals of data, restricted to types when given.
	Hash(ctx context.Context, contentType string, data []byte, types []string) (map[string]string, error)
}

// RuleReload summarises a rules reload.
type RuleReload struct {
	Rules int      `json:"rules"`
	Files []string `json:"files"`
}

// Rules serves the analyst rules in force and reloads them from their files.
type Rules interface {
	Rules() []*rules.Rule
	Reload(ctx context.Context) (RuleReload, error)
}

// FactChecks is the fact-check store (claims.Store); Changed, when set, is
// called after an import so the claim matcher reloads.
type FactChecks struct {
	Store   claims.Store
	Changed func(ctx context.Context) error
}

// ContentBanks is what Banks may also offer for HMA's bank and content
// curation routes (hashmatch.Registry does); without it those routes
// answer not_configured.
type ContentBanks interface {
	Content(ctx context.Context, bank string, contentID int64) (hashmatch.ContentInfo, error)
	AddContent(ctx context.Context, bank string, signals map[string]string, meta hashmatch.ContentMeta) (int64, error)
	UpdateContent(ctx context.Context, bank string, contentID int64, u hashmatch.ContentUpdate) (hashmatch.ContentInfo, error)
	UpdateBank(ctx context.Context, name string, newName *string, ratio *float64) (BankInfo, error)
	DeleteBank(ctx context.Context, name string) (bool, error)
}

// ErrNoSuchContent is the registry's error for a missing content.
var ErrNoSuchContent = hashmatch.ErrNoSuchContent

// RadiusBanks is what Banks may also offer for HMA's lookup_threshold and
// lookup_topk (hashmatch.Registry does).
type RadiusBanks interface {
	LookupWithin(ctx context.Context, signalType, value string, radius int) ([]IndexMatch, error)
}
