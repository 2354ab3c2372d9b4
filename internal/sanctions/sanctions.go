// Package sanctions imports public sanctions lists (OFAC SDN and
// Consolidated in CSV and ENHANCED XML, the UN Security Council
// consolidated list, the US Consolidated Screening List), keeps them in
// the workspace with their publication dates, and matches content against
// them: cryptocurrency addresses exactly (EVM case-insensitively), names
// and aliases of designated persons and entities fuzzily across Arabic
// script and Latin transliterations. It is about designated entities named
// in content; it keeps no records of authors.
package sanctions

import (
	"strings"
	"time"
)

// Entry is one designated person, entity, vessel or aircraft.
type Entry struct {
	// ID is the list's own identifier (OFAC ent_num or entity id, UN
	// DATAID, CSL _id or entity number).
	ID string `json:"id"`
	// Ref is the list's public reference (UN reference number "QDi.006").
	Ref  string `json:"ref,omitempty"`
	Type string `json:"type,omitempty"` // individual, entity, vessel, aircraft
	// Name is the primary name, first names first.
	Name     string   `json:"name"`
	Aliases  []string `json:"aliases,omitempty"`
	Programs []string `json:"programs,omitempty"`
	Wallets  []Wallet `json:"wallets,omitempty"`
	// Listed is the date of designation, when the list gives it.
	Listed string `json:"listed,omitempty"`
}

// Wallet is a cryptocurrency address a list attaches to an entry.
type Wallet struct {
	Currency string `json:"currency"` // OFAC code: XBT, ETH, USDT, TRX, …
	Address  string `json:"address"`
}

// List is one imported sanctions list.
type List struct {
	// Name identifies the list ("OFAC SDN", "UN Security Council"); a new
	// import of the same name replaces the old one.
	Name   string `json:"name"`
	Format string `json:"format"`
	// Source is the file it was imported from.
	Source string `json:"source"`
	// Date is the list's publication date (from the file, or given at
	// import), YYYY-MM-DD.
	Date     string    `json:"date"`
	Imported time.Time `json:"imported"`
	Entries  []Entry   `json:"entries"`
}

// WalletKey normalizes an address for exact matching: EVM addresses
// (0x + 40 hex) compare case-insensitively, bech32 addresses too (their
// case is not significant); base58 addresses are case-sensitive.
func WalletKey(addr string) string {
	addr = strings.TrimSpace(addr)
	if len(addr) == 42 && (strings.HasPrefix(addr, "0x") || strings.HasPrefix(addr, "0X")) {
		return strings.ToLower(addr)
	}
	lower := strings.ToLower(addr)
	for _, hrp := range []string{"bc1", "ltc1", "tb1"} {
		if strings.HasPrefix(lower, hrp) {
			return lower
		}
	}
	return addr
}
