package finance

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzExtract checks that extraction never panics, that every span lies in
// the text and holds what Text says, and that Valid identifiers have no
// reason while invalid ones say what they look like.
func FuzzExtract(f *testing.F) {
	for _, s := range []string{
		"تبرعوا على 1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH",
		"bc1q w508 d6qe jxtd g4y5 r3za rvar y0c5 xw7k v8f3 t4",
		"MA64 0115 1900 0001 2050 0053 4921",
		"٠٦٥٠١٢٣٤٥٦ +212 (0) 6 50 12 34 56",
		"paypal[dot]me/x https://www.paypal.me/abc",
		"0x52908400098527886E0F7030069857D2E4169EE7\u200b",
		"011 51900 00012050005349 21",
		"47ewoP19TN7JEEnFKUJHAYhGxkeTRH82sf36giEp9AcNfDBfkAtRLX7A6rZz18bbNHPNV7ex6WYbMN3aKisFRJZ8Ebsmgef",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 1<<16 {
			return
		}
		for _, id := range Extract(text) {
			if id.Span.Start < 0 || id.Span.End > len(text) || id.Span.Start >= id.Span.End {
				t.Fatalf("span %+v out of text of %d bytes", id.Span, len(text))
			}
			if text[id.Span.Start:id.Span.End] != id.Text {
				t.Fatalf("text %q != span %q", id.Text, text[id.Span.Start:id.Span.End])
			}
			if utf8.ValidString(text) && !utf8.ValidString(id.Text) {
				t.Fatalf("span cuts a character: %q", id.Text)
			}
			if id.Valid == (id.Reason != "") || (!id.Valid && !strings.HasPrefix(id.Reason, "looks like")) {
				t.Fatalf("valid/reason mismatch: %+v", id)
			}
		}
	})
}
