package post

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestValidate is the table of issue 15 item 3: each hostile field is
// refused or repaired, the same way whatever the store.
func TestValidate(t *testing.T) {
	ok := func() *Post { return &Post{ID: "1", Platform: "x", Text: "نص"} }
	for _, c := range []struct {
		name   string
		edit   func(*Post)
		refuse string // "" means accepted
		check  func(*Post) bool
	}{
		{"plain", func(*Post) {}, "", nil},
		{"empty id", func(p *Post) { p.ID = "" }, `missing or empty field "id"`, nil},
		{"NUL in id", func(p *Post) { p.ID = "a\x00b" }, "control characters", nil},
		{"invalid UTF-8 id", func(p *Post) { p.ID = "a\xffb" }, "not valid UTF-8", nil},
		{"1 MiB id", func(p *Post) { p.ID = strings.Repeat("i", 1<<20) }, "over the 512-byte limit", nil},
		{"9 KB platform", func(p *Post) { p.Platform = strings.Repeat("p", 9000) }, "over the 64-byte limit", nil},
		{"NUL in platform", func(p *Post) { p.Platform = "x\x00" }, "control characters", nil},
		{"bidi in platform", func(p *Post) { p.Platform = "x\u202Eevil" }, "bidi", nil},
		{"bidi in url", func(p *Post) { p.URL = "https://e.org/\u202Eelpmaxe.live" }, "bidi", nil},
		{"bidi in media url", func(p *Post) { p.Media = []Media{{URL: "https://e.org/\u2067x.jpg"}} }, "bidi", nil},
		{"bidi marks in text kept", func(p *Post) { p.Text = "\u200Fنص\u202Bx\u202C" }, "", func(p *Post) bool { return strings.Contains(p.Text, "\u202B") }},
		{"NUL in url", func(p *Post) { p.URL = "https://e.org/\x00" }, "control characters", nil},
		{"invalid UTF-8 lang", func(p *Post) { p.Lang = "\xc3" }, "not valid UTF-8", nil},
		{"invalid UTF-8 text", func(p *Post) { p.Text = "\xff" }, "not valid UTF-8", nil},
		{"NUL in text repaired", func(p *Post) { p.Text = "a\x00b" }, "", func(p *Post) bool { return p.Text == "a\uFFFDb" }},
		{"NUL in media url", func(p *Post) { p.Media = []Media{{URL: "http://e.org/\x00"}} }, "media[0]", nil},
		{"credentials in url", func(p *Post) { p.URL = "https://u:S3cret@e.org/p" }, "credentials", nil},
		{"credentials in media url", func(p *Post) { p.Media = []Media{{URL: "https://S3cret@e.org/a.jpg"}} }, "credentials", nil},
		{"@ in a media path is fine", func(p *Post) { p.Media = []Media{{URL: "https://e.org/@user/a.jpg"}} }, "", nil},
		{"bad media hash", func(p *Post) { p.Media = []Media{{URL: "http://e.org/a", SHA256: "zz"}} }, "hex", nil},
		{"65 media", func(p *Post) { p.Media = make([]Media, 65) }, "65 media", nil},
		{"10 MiB extra", func(p *Post) {
			p.Extra = map[string]json.RawMessage{"x": json.RawMessage(`"` + strings.Repeat("a", 10<<20) + `"`)}
		}, "extra fields are", nil},
		{"invalid UTF-8 extra repaired", func(p *Post) { p.Extra = map[string]json.RawMessage{"x": json.RawMessage("\"a\xffb\"")} }, "",
			func(p *Post) bool { return utf8.Valid(p.Extra["x"]) && string(p.Extra["x"]) == "\"a\uFFFDb\"" }},
		{"NUL in extra key", func(p *Post) { p.Extra = map[string]json.RawMessage{"a\x00": json.RawMessage(`1`)} }, "extra field name", nil},
	} {
		p := ok()
		c.edit(p)
		err := Validate(p, 0)
		switch {
		case c.refuse == "" && err != nil:
			t.Errorf("%s: refused: %v", c.name, err)
		case c.refuse != "" && (err == nil || !strings.Contains(err.Error(), c.refuse) || !errors.Is(err, ErrInvalid)):
			t.Errorf("%s: err = %v, want %q", c.name, err, c.refuse)
		case c.check != nil && !c.check(p):
			t.Errorf("%s: not repaired: %+v", c.name, p)
		}
		if err != nil && strings.Contains(err.Error(), "S3cret") {
			t.Errorf("%s: the message repeats the secret: %v", c.name, err)
		}
		if err != nil && len(err.Error()) > 300 {
			t.Errorf("%s: message of %d bytes echoes the input", c.name, len(err.Error()))
		}
	}
}

// TestHandleFieldsPseudonymised reproduces issue 15 item 7: handles in
// fields other than "author" were stored raw and served.
func TestHandleFieldsPseudonymised(t *testing.T) {
	line := `{"id":"1","platform":"twitter","text":"t","author":"@alice","username":"@bob","user":{"screen_name":"carol","followers_count":12,"location":"Rabat"},"in_reply_to_screen_name":"dave","user_id":4242,"retweets":3}` + "\n"
	ps := NewPseudonymizer([]byte("k"))
	p, err := NewDecoder(strings.NewReader(line), JSONL, Options{Pseudonymizer: ps}).Next()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(p)
	for _, leak := range []string{"alice", "bob", "carol", "Rabat", "followers", "dave", "4242"} {
		if strings.Contains(string(b), leak) {
			t.Errorf("%q kept: %s", leak, b)
		}
	}
	if string(p.Extra["username"]) != `"`+ps.Pseudonym("twitter", "bob")+`"` || string(p.Extra["user"]) != `"`+ps.Pseudonym("twitter", "carol")+`"` || string(p.Extra["retweets"]) != "3" {
		t.Errorf("extra = %s", b)
	}
	// Without a key, handles are dropped, never passed on in clear.
	p, _ = NewDecoder(strings.NewReader(line), JSONL, Options{}).Next()
	if b, _ := json.Marshal(p); strings.Contains(string(b), "bob") || strings.Contains(string(b), "carol") || p.Extra["retweets"] == nil {
		t.Errorf("no key: %s", b)
	}
}
