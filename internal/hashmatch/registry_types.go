package hashmatch

import "errors"

// BankInfo is one hash bank as the API shows it. The first two fields are
// HMA's BankConfig, so HMA's /c/banks can return BankInfo values as they are.
type BankInfo struct {
	Name                 string  `json:"name"`
	MatchingEnabledRatio float64 `json:"matching_enabled_ratio"`
	// Entries counts the bank's contents (omitted on HMA routes).
	Entries int `json:"entries,omitempty"`
}

// IndexMatch is one bank content matched by a lookup.
type IndexMatch struct {
	ContentID int64
	Bank      string
	Distance  int
	// Enabled is false for content disabled in its bank (or until later):
	// /m/lookup leaves it out, /m/raw_lookup (like HMA) does not.
	Enabled bool
	// Exact is set for exact-hash signal types (md5, sha256), whose
	// distance HMA writes "-".
	Exact bool
	// Value is the matched signal as the bank holds it.
	Value string `json:"-"`
}

// IndexStatus is one signal type's index, as HMA's /m/index/status shows it.
type IndexStatus struct {
	Present bool  `json:"present"`
	BuiltTo int64 `json:"built_to"` // Unix seconds of the newest indexed entry, -1 when empty
	Size    int   `json:"size"`
}

// Errors of the Registry (wrapped with detail), so the API can pick its
// error code; the media hasher returns the last one.
var (
	ErrNoSuchBank    = errors.New("no such bank")
	ErrNoSuchContent = errors.New("no such content")

	ErrBankExists         = errors.New("bank exists already")
	ErrInvalidBank        = errors.New("invalid bank")
	ErrInvalidSignal      = errors.New("invalid signal")
	ErrUnknownSignalType  = errors.New("unknown signal type")
	ErrUnsupportedContent = errors.New("unsupported content")
)
