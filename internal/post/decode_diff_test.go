package post

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/refdata"
)

// The reference for the differential tests: the decoder of JSONL lines as
// it was before the hand-written scanner (encoding/json into a map of raw
// members), word for word except that it reads the members in a fixed
// order (the known ones in decodeJSON's order, then the others) where it
// used Go's random map order: with several wrong fields it named a random
// one, now always the first in that order.

func refOrder(all map[string]json.RawMessage) []string {
	var keys []string
	for _, k := range []string{"id", "author", "platform", "url", "lang", "text", "posted_at", "media"} {
		if _, ok := all[k]; ok {
			keys = append(keys, k)
		}
	}
	var rest []string
	for k := range all {
		if knownField([]byte(k)) < 0 {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	return append(keys, rest...)
}

func refStringField(field string, raw json.RawMessage) (string, error) {
	if string(raw) == "null" {
		return "", nil
	}
	if len(raw) == 0 || raw[0] != '"' {
		return "", fmt.Errorf("field %q must be string, not %s", field, truncate(string(raw), 40))
	}
	if inner := raw[1 : len(raw)-1]; bytes.IndexByte(inner, '\\') < 0 {
		return string(inner), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("field %q: %v", field, err)
	}
	return s, nil
}

func refScalarString(field string, raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	switch raw[0] {
	case '"':
		return refStringField(field, raw)
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return string(raw), nil
	}
	return "", fmt.Errorf("field %q must be a string or a number, not %s", field, truncate(string(raw), 40))
}

// decodeJSON parses the line once into its top-level members, then reads
// the known ones from their raw values: unknown members are kept as they
// came, without a second parse of the whole line.
func (d *Decoder) refDecodeJSON(line []byte) (*Post, error) {
	if line[0] != '{' {
		return nil, errors.New("not a JSON object (each line must be one post as {\"id\":…, \"text\":…})")
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(line, &all); err != nil {
		return nil, describeJSONError(err)
	}
	p := &Post{}
	var author string
	var err error
	for _, k := range refOrder(all) {
		v := all[k]
		switch k {
		case "id":
			p.ID, err = refScalarString(k, v)
		case "author":
			author, err = refScalarString(k, v)
		case "platform":
			p.Platform, err = refStringField(k, v)
		case "url":
			p.URL, err = refStringField(k, v)
		case "lang":
			p.Lang, err = refStringField(k, v)
		case "text":
			if string(v) == "null" {
				return nil, errors.New(`field "text" must be a string, not null`)
			}
			p.Text, err = refStringField(k, v)
		case "posted_at":
			if string(v) != "null" {
				var ts string
				if ts, err = refScalarString(k, v); err == nil {
					var t time.Time
					if t, err = ParseTime(ts); err != nil {
						err = fmt.Errorf("field \"posted_at\": %w", err)
					} else {
						p.PostedAt = &t
					}
				}
			}
		case "media":
			if string(v) != "null" {
				if err = json.Unmarshal(v, &p.Media); err != nil {
					err = fmt.Errorf(`field "media" must be a list of {"url"} or {"path"} objects: %v`, describeJSONError(err))
				}
			}
		default:
			if p.Extra == nil {
				p.Extra = map[string]json.RawMessage{}
			}
			p.Extra[k] = v
		}
		if err != nil {
			return nil, err
		}
	}
	if _, ok := all["text"]; !ok {
		return nil, errors.New(`missing field "text"`)
	}
	return p, d.finish(p, author)
}

// sameDecoding decodes line with both decoders and fails on any
// difference in the post or the error message.
func sameDecoding(t *testing.T, line []byte) {
	t.Helper()
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return
	}
	for _, opts := range []Options{
		{Pseudonymizer: NewPseudonymizer([]byte("k")), Source: "s", MaxTextBytes: DefaultMaxTextBytes},
		{NoLocalPaths: true, MaxTextBytes: 64},
	} {
		d := &Decoder{format: JSONL, opts: opts}
		got, gerr := d.decodeJSON(bytes.Clone(line), string(line))
		want, werr := d.refDecodeJSON(bytes.Clone(line))
		if (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error() {
			t.Fatalf("line %q:\nerror %v\nwant  %v", line, gerr, werr)
		}
		if gerr != nil {
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("line %q:\npost %+v\nwant %+v", line, got, want)
		}
	}
}

// diffCases are lines that go down every branch of the scanner and of its
// fallback: escapes in keys and values, surrogates, invalid UTF-8, every
// kind of syntax error, duplicates, nesting, numbers at their edges.
var diffCases = []string{
	`{"id":"1","text":"x"}`,
	`{"id":1,"text":"x","likes":12,"retweets":-0.5e+3}`,
	`{ "id" : "1" , "text" : "سلام" , "extra" : { "a" : [ 1 , 2 , { } , [ ] ] } }`,
	`{"id":"1","text":"a\"b\\c\/d\b\f\n\r\t\u00e9\u0627"}`,
	`{"id":"1","text":"\ud83d\ude00 \ud83d x \ude00 \ud83d\u0041"}`,
	`{"id":"1","text":"\u0000nul"}`,
	"{\"id\":\"1\",\"text\":\"bad \xff\xfe utf8\"}",
	"{\"id\":\"1\",\"text\":\"bad \xff utf8 \\n escaped\"}",
	`{"id":"1","t\u0065xt":"escaped key"}`,
	"{\"id\":\"1\",\"text\":\"x\",\"k\xffey\":1}",
	`{"id":"1","text":"x","text":"dup"}`,
	`{"id":"1","text":"x","a":1,"a":2}`,
	`{"id":"1","text":null}`,
	`{"id":"1"}`,
	`{"text":"x"}`,
	`{"id":"","text":"x"}`,
	`{"id":null,"text":"x"}`,
	`{"id":true,"text":"x"}`,
	`{"id":[1],"text":5,"url":7}`,
	`{"id":"1","text":"x","platform":3}`,
	`{"id":"1","text":"x","lang":null,"url":null,"platform":null,"author":null}`,
	`{"id":"1","text":"x","posted_at":"2026-11-01 10:00:00"}`,
	`{"id":"1","text":"x","posted_at":1793527200}`,
	`{"id":"1","text":"x","posted_at":"soon"}`,
	`{"id":"1","text":"x","posted_at":null}`,
	`{"id":"1","text":"x","posted_at":{}}`,
	`{"id":"1","text":"x","media":[{"url":"https://a/b.jpg","type":"image"}]}`,
	`{"id":"1","text":"x","media":[{"path":"/etc/passwd"}]}`,
	`{"id":"1","text":"x","media":{"url":"u"}}`,
	`{"id":"1","text":"x","media":[{}]}`,
	`{"id":"1","text":"x","media":null}`,
	`{"id":"1","text":"x","user":{"screen_name":"bob","followers":3},"user_id":42,"from":null,"sender":""}`,
	`{"id":"1","text":"x","username":"\u0040bob"}`,
	`{"id":"1","text":"x","n":-0,"m":0.0e0,"o":1E9}`,
	`{"id":"1","text":"x","n":01}`,
	`{"id":"1","text":"x","n":-}`,
	`{"id":"1","text":"x","n":1.}`,
	`{"id":"1","text":"x","n":1e}`,
	`{"id":"1","text":"x","n":.5}`,
	`{"id":"1","text":"x","n":+1}`,
	`{"id":"1","text":"x","b":tru}`,
	`{"id":"1","text":"x","b":nul}`,
	`{"id":"1","text":"x","b":falsey}`,
	`{"id":"1","text":"x",}`,
	`{"id":"1","text":"x"}}`,
	`{"id":"1","text":"x"} {}`,
	`{"id":"1","text":"x"`,
	`{"id":"1","text":"x\q"}`,
	`{"id":"1","text":"x\u12"}`,
	`{"id":"1","text":"x\u12G4"}`,
	"{\"id\":\"1\",\"text\":\"tab\tinside\"}",
	`{"id":"1" "text":"x"}`,
	`{"id":"1",:"x"}`,
	`{"id":"1","text":"x","a":[1,]}`,
	`{"id":"1","text":"x","a":[,1]}`,
	`{"id":"1","text":"x","a":{"b"}}`,
	`{"id":"1","text":"x","a":{"b":1,}}`,
	`{1:2}`,
	`{}`,
	`{"id":"1","text":"x","a":` + strings.Repeat("[", 300) + strings.Repeat("]", 300) + `}`,
	`{"id":"1","text":"x","a":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`,
	`{"id":"1","text":"x","a":` + strings.Repeat(`{"b":`, 400) + "1" + strings.Repeat("}", 400) + `}`,
	`{"id":"1\u202e","text":"bidi"}`,
	`{"id":"1","url":"https://u:p@h/","text":"creds"}`,
	`{"id":"` + strings.Repeat("9", 600) + `","text":"long id"}`,
	`{"id":"1","text":"` + strings.Repeat("ا", 40) + `"}`,
	`not json`,
	`[1,2]`,
}

func TestDecodeMatchesEncodingJSON(t *testing.T) {
	for _, c := range diffCases {
		sameDecoding(t, []byte(c))
	}
	// The fast path must really be taken for ordinary posts.
	if _, ok := splitObject([]byte(diffCases[2]), nil); !ok {
		t.Error("splitObject fell back on an ordinary line")
	}
}

// TestDecodeMatchesEncodingJSONRealPosts compares the decoders on real
// tweets and comments of the reference data, written as JSONL both with
// raw UTF-8 and with every non-ASCII character escaped (as Python's
// json.dumps writes by default).
func TestDecodeMatchesEncodingJSONRealPosts(t *testing.T) {
	var texts []string
	for _, f := range []struct {
		rel string
		col int
	}{{"darija/ElecMorocco2016.tsv", 1}, {"checkworthy/CT21-AR-Train-T1-Labels.tsv", 3}} {
		data, err := os.ReadFile(refdata.Path(t, f.rel))
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range strings.Split(string(data), "\n") {
			if fields := strings.Split(l, "\t"); i > 0 && f.col < len(fields) {
				texts = append(texts, fields[f.col])
			}
		}
	}
	n := 0
	for i, text := range texts {
		raw, _ := json.Marshal(map[string]any{"id": fmt.Sprint(i), "platform": "x", "author": fmt.Sprint("u", i%7),
			"text": text, "lang": "ar", "posted_at": time.Unix(int64(1.79e9)+int64(i), 0).UTC(), "likes": i, "user": map[string]any{"screen_name": "s"}})
		sameDecoding(t, raw)
		sameDecoding(t, asciiEscaped(raw))
		n++
	}
	if n < 10000 {
		t.Fatalf("only %d posts compared", n)
	}
}

// asciiEscaped rewrites every non-ASCII character of a JSON text as \uXXXX
// (surrogate pairs beyond the BMP).
func asciiEscaped(b []byte) []byte {
	var out bytes.Buffer
	for _, r := range string(b) {
		switch {
		case r < 0x80:
			out.WriteRune(r)
		case r > 0xFFFF:
			r -= 0x10000
			fmt.Fprintf(&out, "\\u%04x\\u%04x", 0xD800+(r>>10), 0xDC00+(r&0x3FF))
		default:
			fmt.Fprintf(&out, "\\u%04x", r)
		}
	}
	return out.Bytes()
}

// FuzzDecodeJSONLine checks the decoder of one JSONL line against the
// encoding/json reference on the same bytes: same post, same message.
func FuzzDecodeJSONLine(f *testing.F) {
	for _, c := range diffCases {
		if len(c) < 2000 {
			f.Add([]byte(c))
		}
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		sameDecoding(t, line)
	})
}

// FuzzSplitObject checks the scanner alone against encoding/json: it takes
// a line only if encoding/json does, and then finds the same members.
func FuzzSplitObject(f *testing.F) {
	for _, c := range diffCases {
		if len(c) < 2000 {
			f.Add([]byte(c))
		}
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		ms, ok := splitObject(line, nil)
		var all map[string]json.RawMessage
		err := json.Unmarshal(line, &all)
		if !ok {
			return
		}
		if err != nil {
			t.Fatalf("splitObject took %q, encoding/json says %v", line, err)
		}
		got := map[string]json.RawMessage{}
		for _, m := range ms {
			got[string(m.key)] = m.val
		}
		if len(got) != len(all) {
			t.Fatalf("%q: %d members, encoding/json %d", line, len(got), len(all))
		}
		for k, v := range all {
			if !bytes.Equal(got[k], v) {
				t.Fatalf("%q: member %q = %q, encoding/json %q", line, k, got[k], v)
			}
		}
	})
}

// TestDecodeRawInOrder: records read with NextRaw and decoded out of
// order (as scan's workers do) give the posts and line errors Next gives,
// each with its own line number; a zero Raw is refused, not a panic.
func TestDecodeRawInOrder(t *testing.T) {
	input := "{\"id\":\"a\",\"text\":\"x\"}\n\nnot json\n{\"id\":\"b\",\"text\":\"y\",\"k\":[1]}\n{\"id\":\"c\"}\n"
	d := NewDecoder(strings.NewReader(input), JSONL, Options{})
	var raws []Raw
	for {
		r, err := d.NextRaw()
		if err != nil {
			break
		}
		raws = append(raws, r)
	}
	var got []string
	for i := len(raws) - 1; i >= 0; i-- {
		p, err := d.Decode(raws[i])
		if err != nil {
			got = append(got, err.Error())
		} else {
			got = append(got, fmt.Sprintf("%d %s %s", p.Line, p.ID, p.Extra["k"]))
		}
	}
	want := []string{`line 5: missing field "text"`, "4 b [1]", `line 3: not a JSON object (each line must be one post as {"id":…, "text":…})`, "1 a "}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if _, err := d.Decode(Raw{}); err == nil {
		t.Error("a zero Raw decoded without error")
	}
}
