package post

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReaderReportsLinesAndGoesOn: a bad line is reported with the file's
// name and its number, counted, and the next line is read; stdin has no
// prefix; an unknown format is refused before anything is read.
func TestReaderReportsLinesAndGoesOn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.jsonl")
	os.WriteFile(path, []byte("{\"id\":\"1\",\"text\":\"a\"}\nnot json\n{\"id\":\"3\",\"text\":\""+strings.Repeat("x", 50)+"\"}\n{\"id\":\"4\",\"text\":\"d\"}\n"), 0o600)
	var msgs []string
	r, err := Open(path, nil, "", Options{MaxTextBytes: 20}, func(m string) { msgs = append(msgs, m) })
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var ids []string
	for {
		p, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	if strings.Join(ids, ",") != "1,4" || r.Rejected != 2 || len(msgs) != 2 ||
		!strings.HasPrefix(msgs[0], path+": line 2:") || !strings.HasPrefix(msgs[1], path+": line 3:") {
		t.Fatalf("ids %v, rejected %d, messages %q", ids, r.Rejected, msgs)
	}
	r2, err := Open("-", strings.NewReader("{\"id\":\"x\",\"text\":\"y\"}\nbad\n"), JSONL, Options{}, func(m string) { msgs = append(msgs, m) })
	if err != nil {
		t.Fatal(err)
	}
	for _, err := r2.Next(); err == nil; _, err = r2.Next() {
	}
	if last := msgs[len(msgs)-1]; !strings.HasPrefix(last, "line 2:") {
		t.Errorf("stdin message %q: want no prefix", last)
	}
	if _, err := Open(path, nil, "xml", Options{}, nil); !errors.Is(err, ErrFormat) {
		t.Errorf("format xml: %v", err)
	}
}
