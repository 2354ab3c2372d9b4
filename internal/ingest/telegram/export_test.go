package telegram

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/ingest"
	"github.com/basira-org/basira/internal/post"
)

func TestChannelExport(t *testing.T) {
	src := &Source{Path: "testdata/channel/result.json", Channel: "@demo", Pseudonymizer: post.NewPseudonymizer([]byte("k"))}
	sink := &ingest.Collector{}
	if err := src.Run(context.Background(), sink); err != nil {
		t.Fatal(err)
	}
	posts := sink.Posts()
	if len(posts) != 2 {
		t.Fatalf("got %d posts, want 2 (service message and media-less placeholder skipped)", len(posts))
	}
	if p := posts[0]; p.ID != "1234567890/2" || p.URL != "https://t.me/demo/2" || p.Text != "بيان: ندعو الجميع إلى الهدوء" ||
		p.PostedAt == nil || p.PostedAt.Unix() != 1793527200 || p.Author == "" || strings.Contains(p.Author, "channel") {
		t.Errorf("post 2 = %+v", p)
	}
	p := posts[1]
	if p.Text != "شاهد الفيديو هنا: https://example.org/v" {
		t.Errorf("entity text = %q", p.Text)
	}
	if len(p.Media) != 1 || p.Media[0].Path != filepath.Join("testdata", "channel", "photos", "photo_1@01-11-2026_11-00-00.jpg") {
		t.Errorf("media = %+v", p.Media)
	}
	if fw := string(p.Extra["forward"]); !strings.HasPrefix(fw, `{"author":"a:`) || strings.Contains(fw, "Other") {
		t.Errorf("forward origin not kept pseudonymised: %s", fw)
	}
	if p.Media[0].Type != "image" {
		t.Errorf("photo type = %q", p.Media[0].Type)
	}
}

func TestFullAccountExport(t *testing.T) {
	chat, err := os.ReadFile("testdata/channel/result.json")
	if err != nil {
		t.Fatal(err)
	}
	full := `{"about":"x","personal_information":{"first_name":"skip me"},"chats":{"about":"y","list":[` + string(chat) + `,{"name":"g","id":7,"messages":[{"id":1,"type":"message","date_unixtime":"1","from_id":"user1","text":"hi"}]}]}}`
	var ids []string
	err = (&Source{Path: "x/result.json"}).Read(strings.NewReader(full), func(p *post.Post) error {
		ids = append(ids, p.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ids, ","); got != "1234567890/2,1234567890/3,7/1" {
		t.Fatalf("ids = %s", got)
	}
}

func TestBadExports(t *testing.T) {
	for name, doc := range map[string]string{
		"array":        `[1,2]`,
		"truncated":    `{"id": 1, "messages": [{"id": 2, "type": "message", "text": "x"`,
		"bad messages": `{"id": 1, "messages": {"id": 2}}`,
	} {
		err := (&Source{}).Read(strings.NewReader(doc), func(*post.Post) error { return nil })
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func FuzzRead(f *testing.F) {
	b, _ := os.ReadFile("testdata/channel/result.json")
	f.Add(b)
	f.Add([]byte(`{"chats":{"list":[{"id":1,"messages":[]}]}}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		(&Source{Path: "r.json"}).Read(strings.NewReader(string(doc)), func(p *post.Post) error {
			for _, m := range p.Media {
				if strings.Contains(m.Path, "..") {
					t.Fatalf("media path escapes the export: %q", m.Path)
				}
			}
			return nil
		})
	})
}

// BenchmarkRead measures streaming a large channel export.
func BenchmarkRead(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"name":"c","type":"public_channel","id":1,"messages":[`)
	for i := range 10000 {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"id":%d,"type":"message","date_unixtime":"1793527200","from":"c","from_id":"channel1","text":["بيان رقم %d: ",{"type":"bold","text":"ندعو الجميع إلى الهدوء"}],"photo":"photos/p%d.jpg"}`, i+1, i, i)
	}
	sb.WriteString(`]}`)
	doc := sb.String()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		(&Source{Path: "r.json"}).Read(strings.NewReader(doc), func(*post.Post) error { n++; return nil })
		if n != 10000 {
			b.Fatal(n)
		}
	}
}

// TestLegacyFullExport replays an export of before 2021 (numeric from_id,
// no date_unixtime, chats without id, left chats): read, not rejected.
func TestLegacyFullExport(t *testing.T) {
	ps := post.NewPseudonymizer([]byte("k"))
	src := &Source{Path: "testdata/legacy_full/result.json", Channel: "wrongchannel", Pseudonymizer: ps}
	sink := &ingest.Collector{}
	if err := src.Run(context.Background(), sink); err != nil {
		t.Fatal(err)
	}
	byID := map[string]*post.Post{}
	var ids []string
	for _, p := range sink.Posts() {
		byID[p.ID] = p
		ids = append(ids, p.ID)
	}
	ahmed := "chat-" + strings.TrimPrefix(ps.Pseudonym("telegram-chat", "personal_chat\x00Ahmed Example"), "a:")
	want := []string{"saved/11", "9876543210/5", "9876543210/6", "9876543210/9", "9876543210/10", ahmed + "/1", "1357924680/3"}
	for _, id := range want {
		if byID[id] == nil {
			t.Errorf("post %s missing; got %v", id, ids)
		}
	}
	if strings.Contains(strings.Join(ids, ","), "Ahmed") {
		t.Errorf("a personal chat's name leaked into ids: %v", ids)
	}
	saved := byID["saved/11"]
	if saved == nil {
		t.FailNow()
	}
	// A bare numeric from_id is the same account as a later "user…" id.
	if saved.Author != ps.Pseudonym("telegram", "user123456789") {
		t.Errorf("numeric from_id pseudonym = %q", saved.Author)
	}
	if saved.PostedAt == nil || saved.PostedAt.Format("2006-01-02 15:04") != "2020-03-14 09:12" {
		t.Errorf("date without date_unixtime = %v", saved.PostedAt)
	}
	for _, p := range sink.Posts() {
		if p.URL != "" {
			t.Errorf("channel: applied to a chat of a full export: %s %s", p.ID, p.URL)
		}
	}
	skipped := sink.Skipped()
	if skipped["malformed message"] != 1 || skipped["service message"] != 1 {
		t.Errorf("skips = %v, want the broken message and the service message counted", skipped)
	}
}

// TestContextKept checks that what carries meaning survives: hidden link
// targets, polls as text, every media kind, replies, forward origins.
func TestContextKept(t *testing.T) {
	ps := post.NewPseudonymizer([]byte("k"))
	src := &Source{Path: "testdata/legacy_full/result.json", Pseudonymizer: ps}
	sink := &ingest.Collector{}
	if err := src.Run(context.Background(), sink); err != nil {
		t.Fatal(err)
	}
	byID := map[string]*post.Post{}
	for _, p := range sink.Posts() {
		byID[p.ID] = p
	}
	get := func(id string) *post.Post {
		t.Helper()
		p := byID[id]
		if p == nil {
			t.Fatalf("post %s missing", id)
		}
		return p
	}
	if p := get("9876543210/5"); p.Text != "اقرأ البيان الكامل وشاهد https://video.example.org/v/5" ||
		string(p.Extra["links"]) != `["https://news.example.org/bayan/5","https://video.example.org/v/5"]` {
		t.Errorf("links: text %q extra %s", p.Text, p.Extra["links"])
	}
	if e := string(get("9876543210/6").Extra["edited_at"]); e != `"2020-05-01T11:05:00Z"` {
		t.Errorf("edited message: edited_at = %s", e)
	}
	if e := get("9876543210/5").Extra["edited_at"]; e != nil {
		t.Errorf("a never-edited message (edited 1970) marked edited: %s", e)
	}
	fw := string(get("9876543210/6").Extra["forward"])
	if want := `{"author":"` + ps.Pseudonym("telegram", "name:Ahmed Example") + `"}`; fw != want || strings.Contains(fw, "Ahmed") {
		t.Errorf("forward = %s, want %s", fw, want)
	}
	if p := get("9876543210/7"); p.Text != "هل تؤيد القرار؟\n- نعم\n- لا" || len(p.Extra["poll"]) == 0 {
		t.Errorf("poll: text %q extra %s", p.Text, p.Extra["poll"])
	}
	if p := get("9876543210/8"); len(p.Media) != 1 || p.Media[0].Type != "audio" || p.Media[0].MIME != "audio/ogg" ||
		!strings.HasSuffix(p.Media[0].Path, filepath.Join("voice_messages", "audio_1@02-05-2020_09-00-00.ogg")) {
		t.Errorf("voice message media = %+v", p.Media)
	}
	p := get("9876543210/9")
	if len(p.Media) != 1 || p.Media[0].Type != "file" || p.Media[0].MIME != "application/pdf" {
		t.Errorf("file media = %+v", p.Media)
	}
	if string(p.Extra["reply_to"]) != `{"id":"9876543210/5"}` {
		t.Errorf("reply_to = %s", p.Extra["reply_to"])
	}
	if p := get("9876543210/10"); len(p.Media) != 0 || string(p.Extra["media_missing"]) != `[{"type":"video","mime":"video/mp4"}]` {
		t.Errorf("missing video: media %+v extra %s", p.Media, p.Extra["media_missing"])
	}
}

func TestForwardFromChannelKeepsChannel(t *testing.T) {
	doc := `{"name":"c","type":"public_channel","id":1,"messages":[{"id":2,"type":"message","date_unixtime":"1700000000","from":"c","from_id":"channel1","forwarded_from":"Public News","forwarded_from_id":"channel777","text":"x"}]}`
	var got *post.Post
	err := (&Source{Pseudonymizer: post.NewPseudonymizer([]byte("k"))}).Read(strings.NewReader(doc), func(p *post.Post) error { got = p; return nil })
	if err != nil || got == nil {
		t.Fatal(err, got)
	}
	if string(got.Extra["forward"]) != `{"channel":"channel777 Public News"}` {
		t.Errorf("forward = %s", got.Extra["forward"])
	}
}
