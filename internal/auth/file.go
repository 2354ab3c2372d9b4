package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/basira-org/basira/internal/atomicfile"
)

// FileStore keeps tokens in one JSON file (hashes only). It rereads the file
// when it changes on disk, so `basira token create` and `token revoke`
// take effect on a running server within a second, without a restart.
// Writes go to a temporary file renamed over the old one (atomic).
type FileStore struct {
	path string

	mu      sync.Mutex
	tokens  []Token
	byHash  map[string]int
	modTime time.Time
	size    int64
	checked time.Time
}

type tokenFile struct {
	Version int     `json:"version"`
	Tokens  []Token `json:"tokens"`
}

// OpenFileStore opens (or prepares to create) the token file at path.
func OpenFileStore(path string) (*FileStore, error) {
	s := &FileStore{path: path, byHash: map[string]int{}}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reloadLocked(true); err != nil {
		return nil, err
	}
	return s, nil
}

// Path returns the file's path.
func (s *FileStore) Path() string { return s.path }

// reloadLocked rereads the file if it changed (or when force is set).
func (s *FileStore) reloadLocked(force bool) error {
	now := time.Now()
	if !force && now.Sub(s.checked) < time.Second {
		return nil
	}
	s.checked = now
	st, err := os.Stat(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		s.tokens, s.byHash = nil, map[string]int{}
		return nil
	}
	if err != nil {
		return fmt.Errorf("token file: %w", err)
	}
	if !force && st.ModTime().Equal(s.modTime) && st.Size() == s.size {
		return nil
	}
	b, err := os.ReadFile(s.path)
	if err != nil {
		return fmt.Errorf("token file: %w", err)
	}
	var f tokenFile
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("token file %s is damaged (%v): restore it from a backup or delete it and create new tokens", s.path, err)
	}
	s.tokens = f.Tokens
	s.byHash = make(map[string]int, len(f.Tokens))
	for i, t := range f.Tokens {
		s.byHash[t.Hash] = i
	}
	s.modTime, s.size = st.ModTime(), st.Size()
	return nil
}

func (s *FileStore) writeLocked() error {
	if err := os.MkdirAll(filepath.Dir(s.path), 0o750); err != nil {
		return fmt.Errorf("token file: %w", err)
	}
	b, err := json.MarshalIndent(tokenFile{Version: 1, Tokens: s.tokens}, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(s.path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("token file: %w", err)
	}
	s.byHash = make(map[string]int, len(s.tokens))
	for i, t := range s.tokens {
		s.byHash[t.Hash] = i
	}
	if st, err := os.Stat(s.path); err == nil {
		s.modTime, s.size = st.ModTime(), st.Size()
	}
	return nil
}

// Create implements Store.
func (s *FileStore) Create(_ context.Context, name string, role Role) (string, Token, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", Token{}, errors.New("a token needs a name (who or what uses it, e.g. --name alice)")
	}
	if _, err := ParseRole(string(role)); err != nil {
		return "", Token{}, err
	}
	secret, err := NewSecret()
	if err != nil {
		return "", Token{}, err
	}
	h := HashSecret(secret)
	t := Token{ID: h[:12], Name: name, Role: role, Hash: h, CreatedAt: time.Now().UTC().Truncate(time.Second)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reloadLocked(true); err != nil {
		return "", Token{}, err
	}
	s.tokens = append(s.tokens, t)
	if err := s.writeLocked(); err != nil {
		s.tokens = s.tokens[:len(s.tokens)-1]
		return "", Token{}, err
	}
	return secret, t, nil
}

// Lookup implements Store.
func (s *FileStore) Lookup(_ context.Context, hash string) (Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reloadLocked(false); err != nil {
		return Token{}, err
	}
	i, ok := s.byHash[hash]
	if !ok {
		return Token{}, ErrNotFound
	}
	t := s.tokens[i]
	if !t.Active() {
		return t, ErrRevoked
	}
	return t, nil
}

// List implements Store.
func (s *FileStore) List(_ context.Context) ([]Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reloadLocked(true); err != nil {
		return nil, err
	}
	out := append([]Token(nil), s.tokens...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	return out, nil
}

// Revoke implements Store.
func (s *FileStore) Revoke(_ context.Context, idOrName string) (Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reloadLocked(true); err != nil {
		return Token{}, err
	}
	i, err := findToken(s.tokens, idOrName)
	if err != nil {
		return Token{}, err
	}
	if s.tokens[i].RevokedAt != nil {
		return s.tokens[i], nil
	}
	now := time.Now().UTC().Truncate(time.Second)
	s.tokens[i].RevokedAt = &now
	if err := s.writeLocked(); err != nil {
		s.tokens[i].RevokedAt = nil
		return Token{}, err
	}
	return s.tokens[i], nil
}

// findToken resolves an id prefix (>= 6 hex characters) or a unique name
// among active tokens first, then all.
func findToken(tokens []Token, key string) (int, error) {
	key = strings.TrimSpace(key)
	if key == "" {
		return -1, errors.New("name the token to revoke by its id or name (see 'basira token list')")
	}
	var hits []int
	for i, t := range tokens {
		if (len(key) >= 6 && strings.HasPrefix(t.Hash, strings.ToLower(key))) || t.Name == key {
			hits = append(hits, i)
		}
	}
	if len(hits) > 1 {
		var active []int
		for _, i := range hits {
			if tokens[i].Active() {
				active = append(active, i)
			}
		}
		hits = active
	}
	switch len(hits) {
	case 0:
		return -1, fmt.Errorf("%w: %q (see 'basira token list')", ErrNotFound, key)
	case 1:
		return hits[0], nil
	}
	return -1, fmt.Errorf("%q names %d active tokens: give the id instead (see 'basira token list')", key, len(hits))
}

// ForceReload makes the next Lookup reread the file whatever the time since
// the last check (tests, and a SIGHUP handler).
func (s *FileStore) ForceReload() {
	s.mu.Lock()
	s.checked = time.Time{}
	s.mu.Unlock()
}
