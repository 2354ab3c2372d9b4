// Package account signs people in to the workspace: accounts with a role
// and a password (argon2id), server-side sessions behind a cookie with a
// CSRF token, one-time sign-in links, and a limit on failed sign-ins.
// API tokens (internal/auth) stay for systems. The store keeps accounts
// and sessions (store.Accounts); this package holds the rules.
package account

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: RFC 9106's second recommended option (64 MiB,
// 3 passes, 4 lanes) costs about 0.1 s a sign-in on one core; it is
// stored with each hash, so raising it later leaves old hashes valid.
var (
	argonTime    uint32 = 3
	argonMemory  uint32 = 64 * 1024 // KiB
	argonThreads uint8  = 4
)

const (
	argonKeyLen = 32
	saltLen     = 16
)

// Password bounds: long enough to resist guessing offline, short enough
// that hashing one costs what the parameters say (argon2 reads it all).
const (
	MinPassword = 12
	MaxPassword = 256
)

// ErrWeakPassword is returned for a password outside the bounds.
var ErrWeakPassword = fmt.Errorf("a password needs %d to %d characters", MinPassword, MaxPassword)

// CheckPassword refuses passwords that are too short or too long.
func CheckPassword(pw string) error {
	// Spaces around a password do not count towards its length.
	n := utf8.RuneCountInString(strings.TrimSpace(pw))
	if n < MinPassword || len(pw) > MaxPassword {
		return ErrWeakPassword
	}
	return nil
}

// HashPassword returns the PHC string of pw:
// $argon2id$v=19$m=65536,t=3,p=4$SALT$HASH (base64 without padding).
func HashPassword(pw string) (string, error) {
	if err := CheckPassword(pw); err != nil {
		return "", err
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var errBadHash = errors.New("not an argon2id hash")

// VerifyPassword reports whether pw matches the PHC string hash, in time
// that does not depend on where they differ.
func VerifyPassword(hash, pw string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false, errBadHash
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || m > 256*1024 || t == 0 || t > 16 || p == 0 {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 64 {
		return false, errBadHash
	}
	if len(pw) > MaxPassword {
		return false, nil
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
