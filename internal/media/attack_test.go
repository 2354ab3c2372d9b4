package media

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/post"
)

// TestPushedPathNeverRead reproduces issue 15 item 1: a pushed post naming
// a local file (next to a URL) made the worker hash, and with --keep-media
// copy, any file the server could read.
func TestPushedPathNeverRead(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "tokens.json")
	os.WriteFile(secret, []byte(`{"token":"s3cret"}`), 0o600)
	sum := sha256.Sum256([]byte(`{"token":"s3cret"}`))
	keep := t.TempDir()
	f := &Fetcher{Dir: keep, Timeout: time.Second}
	for _, src := range []string{"push:ingest-bot", "file:posts.jsonl", "", "spool:in/x.jsonl"} {
		p := &post.Post{ID: "1", Platform: "x", Source: src, Media: []post.Media{{URL: "x", Path: secret}, {Path: secret}}}
		f.HashPost(context.Background(), p)
		for _, m := range p.Media {
			if m.SHA256 == hex.EncodeToString(sum[:]) {
				t.Fatalf("source %q: the local file was read", src)
			}
		}
	}
	if n := countFiles(t, keep); n != 0 {
		t.Fatalf("%d files kept as evidence", n)
	}
}

// TestExportPathsStayInTheirFolder: a Telegram export may name its own
// photos, never a file outside its folder, a symlink out of it, or a
// device (the /dev/ptmx wedge, item 2).
func TestExportPathsStayInTheirFolder(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "photos"), 0o700)
	photo := filepath.Join(dir, "photos", "a.jpg")
	os.WriteFile(photo, []byte("abc"), 0o600)
	outside := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(outside, []byte("secret"), 0o600)
	os.Symlink(outside, filepath.Join(dir, "photos", "link.jpg"))
	os.Symlink("/dev/ptmx", filepath.Join(dir, "photos", "ptmx.jpg"))
	big := filepath.Join(dir, "photos", "big.jpg")
	os.WriteFile(big, make([]byte, 2048), 0o600)
	src := "telegram:" + filepath.Join(dir, "result.json")
	f := &Fetcher{MaxBytes: 1024, Timeout: time.Second}

	p := &post.Post{ID: "1", Source: src, Media: []post.Media{{Path: photo}}}
	if changed, errs := f.HashPost(context.Background(), p); !changed || len(errs) != 0 || p.Media[0].SHA256 != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("own photo: changed %v errs %v media %+v", changed, errs, p.Media)
	}
	for name, path := range map[string]string{
		"outside": outside, "dotdot": filepath.Join(dir, "photos", "..", "..", filepath.Base(filepath.Dir(outside)), "secret"),
		"symlink out": filepath.Join(dir, "photos", "link.jpg"), "device via symlink": filepath.Join(dir, "photos", "ptmx.jpg"),
		"device": "/dev/ptmx", "over the size limit": big,
	} {
		start := time.Now()
		p := &post.Post{ID: "1", Source: src, Media: []post.Media{{Path: path}}}
		_, errs := f.HashPost(context.Background(), p)
		if len(errs) != 1 || p.Media[0].SHA256 != "" {
			t.Errorf("%s: errs %v, media %+v", name, errs, p.Media)
		}
		if d := time.Since(start); d > 500*time.Millisecond {
			t.Errorf("%s: took %v", name, d)
		}
	}
	// An export rooted at / is no root at all: a connector cannot open
	// the whole disk by pointing at /result.json.
	p = &post.Post{ID: "1", Source: "telegram:/result.json", Media: []post.Media{{Path: "/dev/ptmx"}}}
	if _, errs := f.HashPost(context.Background(), p); len(errs) != 1 {
		t.Errorf("root export: errs %v", errs)
	}
}

// TestLocalReadHasADeadline: a FIFO in the export folder never delivers
// bytes; the read must give up (regular-file check) instead of blocking.
func TestLocalReadRefusesFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "f.jpg")
	if err := mkfifo(fifo); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	done := make(chan []error, 1)
	go func() {
		_, errs := (&Fetcher{Timeout: time.Second}).HashPost(context.Background(), &post.Post{Source: "telegram:" + filepath.Join(dir, "result.json"), Media: []post.Media{{Path: fifo}}})
		done <- errs
	}()
	select {
	case errs := <-done:
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), "regular file") {
			t.Fatalf("errs = %v", errs)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("reading a FIFO blocked")
	}
}

func countFiles(t *testing.T, dir string) int {
	n := 0
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}
