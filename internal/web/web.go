// Package web is the analyst's workspace at /ui/: ES modules, CSS, the
// message catalogue and the vendored Chart.js, embedded in the binary
// (docs/workspace.md). It holds no logic of its own: authentication,
// roles, the case workflow and the audit log are the API's, so the
// workspace and any other client obey the same rules.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"net/http"
	"strings"
	"sync"
)

//go:embed static
var static embed.FS

// Handler serves the review screen under prefix (e.g. "/ui/").
func Handler(prefix string) http.Handler {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded tree is part of the binary
	}
	etag := contentHash(sub)
	files := http.StripPrefix(strings.TrimSuffix(prefix, "/"), http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// Post text is hostile input: no inline script, no framing, no
		// third-party anything. The page only talks to its own origin.
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("ETag", etag)
		h.Set("Cache-Control", "no-cache")
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		files.ServeHTTP(w, r)
	})
}

// contentHash names the embedded assets' version, so browsers revalidate
// cheaply and always get the assets of the running binary.
func contentHash(fsys fs.FS) string {
	h := sha256.New()
	fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := fs.ReadFile(fsys, path)
			h.Write([]byte(path))
			h.Write(b)
		}
		return nil
	})
	return `"` + hex.EncodeToString(h.Sum(nil)[:8]) + `"`
}

var (
	catalogueOnce sync.Once
	catalogue     map[string]map[string]any
)

// Message returns the screen's message for key in lang (ar, fr, en), from
// the one catalogue static/messages.json, falling back to English and then
// to def. Server-rendered pages (the transparency report) use it so they
// name things as the screen does.
func Message(lang, key, def string) string {
	catalogueOnce.Do(func() {
		b, err := static.ReadFile("static/messages.json")
		if err == nil {
			err = json.Unmarshal(b, &catalogue)
		}
		if err != nil {
			panic("web: messages.json: " + err.Error()) // part of the binary; a test parses it
		}
	})
	for _, l := range []string{lang, "en"} {
		if s, ok := catalogue[l][key].(string); ok {
			return s
		}
	}
	return def
}
