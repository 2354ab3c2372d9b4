package media

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/refdata"
	"github.com/basira-org/basira/pdq"
)

func TestFetchHashKeepPrune(t *testing.T) {
	body := []byte("not really an image, but bytes to hash")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/a.jpg":
			w.Write(body)
		case "/big.jpg":
			w.Write(make([]byte, 2048))
		case "/slow.jpg":
			time.Sleep(300 * time.Millisecond)
			w.Write(body)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	f := &Fetcher{MaxBytes: 1024, Timeout: 100 * time.Millisecond, Dir: dir, AllowPrivate: true,
		PDQ: func(context.Context, []byte) (string, int, error) { return "", 0, errors.New("not an image") }}
	ctx := context.Background()

	m := post.Media{URL: srv.URL + "/a.jpg"}
	if err := f.Hash(ctx, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.SHA256) != 64 || len(m.MD5) != 32 || m.PDQ != "" {
		t.Fatalf("media = %+v", m)
	}
	kept := filepath.Join(dir, m.SHA256[:2], m.SHA256)
	if b, err := os.ReadFile(kept); err != nil || string(b) != string(body) {
		t.Fatalf("evidence not kept: %v", err)
	}

	for path, want := range map[string]string{"/big.jpg": "size limit", "/slow.jpg": "deadline", "/missing.jpg": "404"} {
		err := f.Hash(ctx, &post.Media{URL: srv.URL + path})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", path, err, want)
		}
	}
	if err := f.Hash(ctx, &post.Media{URL: "file:///etc/passwd"}); err == nil {
		t.Error("file:// URL fetched")
	}

	old := time.Now().Add(-48 * time.Hour)
	os.Chtimes(kept, old, old)
	n, err := f.Prune(24 * time.Hour)
	if err != nil || n != 1 {
		t.Fatalf("Prune = %d, %v", n, err)
	}
	if _, err := os.Stat(kept); !os.IsNotExist(err) {
		t.Error("expired evidence still there")
	}
}

func TestLocalPath(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.bin")
	os.WriteFile(p, []byte("abc"), 0o600)
	m := post.Media{Path: p}
	if err := (&Fetcher{}).Hash(context.Background(), &m); !errors.Is(err, ErrLocalPath) {
		t.Fatalf("Hash read a local path: %v", err)
	}
	if err := (&Fetcher{}).HashLocal(context.Background(), &m, filepath.Dir(p)); err != nil {
		t.Fatal(err)
	}
	if m.SHA256 != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" || m.MD5 != "900150983cd24fb0d6963f7d28e17f72" {
		t.Fatalf("hashes of abc = %s %s", m.SHA256, m.MD5)
	}
}

// TestPDQOnReferenceImage fetches a real test image over HTTP and checks
// the PDQ hash against the C++ reference's output for that image.
func TestPDQOnReferenceImage(t *testing.T) {
	img, err := os.ReadFile(refdata.Path(t, "pdq/pdq/data/bridge-mods/aaa-orig.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(img) }))
	defer srv.Close()
	m := post.Media{URL: srv.URL + "/x.jpg"}
	if err := (&Fetcher{PDQ: PDQ(), AllowPrivate: true}).Hash(context.Background(), &m); err != nil {
		t.Fatal(err)
	}
	const reference = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22" // expected_pdq_hashes.csv
	got, _ := pdq.ParseHash(m.PDQ)
	want, _ := pdq.ParseHash(reference)
	if d := pdq.Distance(got, want); d > 10 || m.Quality < 80 {
		t.Fatalf("PDQ %s quality %d: distance %d from the reference", m.PDQ, m.Quality, d)
	}
	if m.SHA256 != "b5b0799616df52d475a3968dc7e54f1d0724c912244ffa6175bc786375dd7298" {
		t.Errorf("sha256 = %s", m.SHA256)
	}
}

// TestRefusesPrivateAddresses: a URL in a pushed post must not make
// Basira fetch from its own network.
func TestRefusesPrivateAddresses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("secret")) }))
	defer srv.Close()
	for _, u := range []string{srv.URL + "/x", "http://[::1]:9/x", "http://10.0.0.1:9/x", "http://169.254.169.254/latest/meta-data/"} {
		err := (&Fetcher{Timeout: time.Second}).Hash(context.Background(), &post.Media{URL: u})
		if !errors.Is(err, ErrPrivateAddress) {
			t.Errorf("%s: err = %v, want ErrPrivateAddress", u, err)
		}
	}
}

// TestFetchErrorsHideCredentials: a media URL's password never reaches a
// message (the workers log these as warnings).
func TestFetchErrorsHideCredentials(t *testing.T) {
	for _, u := range []string{"http://u:S3cret@127.0.0.1:9/x.jpg", "http://u:S3cret@[::1]:9/x", "ftp://u:S3cret@e.org/x", "http://u:S3cret@e.org:bad/x"} {
		err := (&Fetcher{Timeout: time.Second, AllowPrivate: true}).Hash(context.Background(), &post.Media{URL: u})
		if err == nil || strings.Contains(err.Error(), "S3cret") {
			t.Errorf("%s: %v", u, err)
		}
	}
}
