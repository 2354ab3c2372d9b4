package post

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
)

func decodeAll(t *testing.T, input string, format Format, opts Options) (posts []*Post, rejects []string) {
	t.Helper()
	d := NewDecoder(strings.NewReader(input), format, opts)
	for {
		p, err := d.Next()
		var le *LineError
		switch {
		case errors.As(err, &le):
			rejects = append(rejects, le.Error())
		case errors.Is(err, io.EOF):
			return posts, rejects
		case err != nil:
			t.Fatalf("fatal error: %v", err)
		default:
			posts = append(posts, p)
		}
	}
}

func TestJSONL(t *testing.T) {
	input := "\xEF\xBB\xBF" + `{"id":"a1","platform":"x","url":"https://x.example/a1","author":"@bob","text":"سلام","lang":"ary","posted_at":"2026-11-01T10:00:00Z","media":[{"url":"https://x.example/1.jpg"}],"likes":12}
not json

{"id":42,"text":"numeric id","posted_at":1793527200}
{"id":"b","text":"x","posted_at":"yesterday"}
{"text":"no id"}
{"id":"c"}
{"id":"d","text":5}
{"id":"e","text":"bad media","media":[{}]}
{"id":"f","text":"` + strings.Repeat("ا", 40) + `"}
{"id":"g","text":"trailing"`
	ps := NewPseudonymizer([]byte("key"))
	posts, rejects := decodeAll(t, input, JSONL, Options{Pseudonymizer: ps, MaxTextBytes: 64, Source: "f.jsonl"})
	if len(posts) != 2 {
		t.Fatalf("got %d posts, want 2: %+v", len(posts), posts)
	}
	p := posts[0]
	if p.ID != "a1" || p.Text != "سلام" || p.Lang != "ary" || p.PostedAt.Hour() != 10 || len(p.Media) != 1 || p.Line != 1 || p.Source != "f.jsonl" {
		t.Errorf("post = %+v", p)
	}
	if p.Author != ps.Pseudonym("x", "@bob") || strings.Contains(p.Author, "bob") || !strings.HasPrefix(p.Author, "a:") {
		t.Errorf("author = %q", p.Author)
	}
	if string(p.Extra["likes"]) != "12" {
		t.Errorf("unknown field lost: %v", p.Extra)
	}
	if posts[1].ID != "42" || posts[1].PostedAt.Unix() != 1793527200 || posts[1].Line != 4 {
		t.Errorf("post 2 = %+v", posts[1])
	}
	want := []string{
		"line 2: not a JSON object",
		`line 5: field "posted_at": cannot read time "yesterday"`,
		`line 6: missing or empty field "id"`,
		`line 7: missing field "text"`,
		`line 8: field "text" must be string`,
		`line 9: post "e": media[0] has neither "url" nor "path"`,
		`line 10: post "f": text is 80 bytes, over the 64-byte limit`,
		"line 11: invalid JSON",
	}
	if len(rejects) != len(want) {
		t.Fatalf("rejects:\n%s", strings.Join(rejects, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(rejects[i], want[i]) {
			t.Errorf("reject %d = %q, want prefix %q", i, rejects[i], want[i])
		}
	}
}

func TestLongLineIsSkipped(t *testing.T) {
	input := `{"id":"1","text":"` + strings.Repeat("x", 5000) + "\"}\n" + `{"id":"2","text":"ok"}` + "\n"
	posts, rejects := decodeAll(t, input, JSONL, Options{MaxLineBytes: 1000})
	if len(posts) != 1 || posts[0].ID != "2" || posts[0].Line != 2 {
		t.Fatalf("posts = %+v", posts)
	}
	if len(rejects) != 1 || !strings.Contains(rejects[0], "line 1: line is longer than 1000 bytes") {
		t.Fatalf("rejects = %q", rejects)
	}
}

func TestCSVAndTSV(t *testing.T) {
	csv := "ID,platform,author,text,media,posted_at,shares\n" +
		"1,x,@a,\"سلام، خويا\nسطر ثاني\",https://x.example/1.jpg photos/2.jpg,2026-11-01 10:00:00,3\n" +
		"2,x,,short\n" +
		"3,x,,\"bad \"quote\",,,\n" +
		"4,x,,fine,,,\n"
	posts, rejects := decodeAll(t, csv, CSV, Options{})
	if len(posts) != 2 || posts[0].ID != "1" || posts[1].ID != "4" {
		t.Fatalf("posts = %+v\nrejects = %q", posts, rejects)
	}
	p := posts[0]
	if p.Text != "سلام، خويا\nسطر ثاني" || len(p.Media) != 2 || p.Media[0].URL == "" || p.Media[1].Path != "photos/2.jpg" ||
		p.PostedAt == nil || string(p.Extra["shares"]) != `"3"` || p.Author != "" {
		t.Errorf("post = %+v", p)
	}
	if posts[1].Line != 6 {
		t.Errorf("line of post 4 = %d, want 6", posts[1].Line)
	}
	if len(rejects) != 2 || !strings.HasPrefix(rejects[0], "line 4: record has 4 fields, the header has 7") || !strings.HasPrefix(rejects[1], "line 5:") {
		t.Errorf("rejects = %q", rejects)
	}

	tsv := "id\ttext\n1\tقال \"نعم\" اليوم\n"
	posts, rejects = decodeAll(t, tsv, TSV, Options{})
	if len(posts) != 1 || posts[0].Text != `قال "نعم" اليوم` || len(rejects) != 0 {
		t.Fatalf("tsv posts = %+v rejects = %q", posts, rejects)
	}

	_, err := NewDecoder(strings.NewReader("a,b\n1,2\n"), CSV, Options{}).Next()
	if err == nil || !strings.Contains(err.Error(), `CSV header has no "id" column`) {
		t.Fatalf("header error = %v", err)
	}
}

func TestPseudonymIsKeyed(t *testing.T) {
	a, b := NewPseudonymizer([]byte("k1")), NewPseudonymizer([]byte("k2"))
	if a.Pseudonym("x", "bob") == b.Pseudonym("x", "bob") {
		t.Error("different keys give the same pseudonym")
	}
	if a.Pseudonym("x", "bob") != NewPseudonymizer([]byte("k1")).Pseudonym("x", "bob") || a.Pseudonym("x", "bob") == a.Pseudonym("y", "bob") {
		t.Error("pseudonyms must be stable per key and platform")
	}
	if a.Pseudonym("x", "") != "" {
		t.Error("empty handle should stay empty")
	}
}

func FuzzDecoder(f *testing.F) {
	f.Add([]byte(`{"id":"1","text":"x","media":[{"url":"u"}]}`+"\n{bad\n"), false)
	f.Add([]byte("id,text\n1,\"a\nb\"\n2,c\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, csv bool) {
		format := JSONL
		if csv {
			format = CSV
		}
		d := NewDecoder(strings.NewReader(string(data)), format, Options{MaxLineBytes: 256, MaxTextBytes: 128, Pseudonymizer: NewPseudonymizer(nil)})
		for range 10000 {
			p, err := d.Next()
			var le *LineError
			if errors.As(err, &le) {
				continue
			}
			if err != nil {
				return
			}
			if p.ID == "" || len(p.Text) > 128 {
				t.Fatalf("accepted invalid post %+v", p)
			}
		}
	})
}

// TestPseudonymMatchesHMAC: the pooled HMAC gives exactly HMAC-SHA256 of
// platform NUL handle, call after call (a reused HMAC must be reset).
func TestPseudonymMatchesHMAC(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	p := NewPseudonymizer(key)
	for i, c := range []struct{ platform, handle string }{{"x", "a"}, {"x", "b"}, {"telegram", "قناة"}, {"x", "a"}, {"", "z"}} {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(c.platform + "\x00" + c.handle))
		want := "a:" + hex.EncodeToString(m.Sum(nil)[:8])
		if got := p.Pseudonym(c.platform, c.handle); got != want {
			t.Errorf("%d: Pseudonym(%q, %q) = %s, want %s", i, c.platform, c.handle, got, want)
		}
	}
}
