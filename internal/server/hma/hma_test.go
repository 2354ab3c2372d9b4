package hma_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/auth"
	"github.com/basira-org/basira/internal/hashmatch"
	"github.com/basira-org/basira/internal/refdata"
	"github.com/basira-org/basira/internal/server"
	"github.com/basira-org/basira/internal/server/hma"
	"github.com/basira-org/basira/internal/store/sqlite"
	"github.com/basira-org/basira/pdq"
)

// refImage is one row of the ThreatExchange expected-hash table.
type refImage struct {
	path, sha256, pdq string
}

func refImages(t testing.TB) (dir string, imgs map[string]refImage) {
	dir = refdata.Path(t, "pdq")
	f, err := os.Open(filepath.Join(dir, "expected_pdq_hashes.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	imgs = map[string]refImage{}
	for _, r := range recs[1:] {
		imgs[r[0]] = refImage{path: filepath.Join(dir, r[0]), sha256: r[2], pdq: r[3]}
	}
	return dir, imgs
}

const (
	orig       = "pdq/data/bridge-mods/aaa-orig.jpg"
	shrinkLot  = "pdq/data/bridge-mods/shrink-a-lot.jpg"
	otherImage = "pdq/data/misc-images/c.png"
)

type hmaEnv struct {
	t        testing.TB
	ts       *httptest.Server
	tokens   map[auth.Role]string
	bankDir  string
	db       interface{ Close() error }
	auditLog server.AuditLog
	changes  int
}

func newHMAEnv(t testing.TB, fetch *http.Client) *hmaEnv {
	t.Helper()
	dir := t.TempDir()
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "b.db"), sqlite.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	toks, err := auth.OpenFileStore(filepath.Join(dir, "tokens.json"))
	if err != nil {
		t.Fatal(err)
	}
	e := &hmaEnv{t: t, tokens: map[auth.Role]string{}, bankDir: filepath.Join(dir, "banks"), db: db, auditLog: db}
	for _, r := range auth.Roles {
		s, _, err := toks.Create(context.Background(), string(r), r)
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[r] = s
	}
	if err := os.MkdirAll(e.bankDir, 0o750); err != nil {
		t.Fatal(err)
	}
	banks := hma.NewBanks(&hashmatch.DirStore{Dir: e.bankDir}, nil, func([]*hashmatch.Bank) { e.changes++ })
	srv := server.New(server.Config{FetchClient: fetch}, server.Deps{Banks: banks, Hasher: hma.NewHasher(), Tokens: toks, Audit: db, Health: db})
	e.ts = httptest.NewServer(srv)
	t.Cleanup(e.ts.Close)
	return e
}

func (e *hmaEnv) req(role auth.Role, method, path, ct string, body []byte) (int, []byte) {
	e.t.Helper()
	r, _ := http.NewRequest(method, e.ts.URL+path, bytes.NewReader(body))
	if ct != "" {
		r.Header.Set("Content-Type", ct)
	}
	r.Header.Set("Authorization", "Bearer "+e.tokens[role])
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (e *hmaEnv) get(role auth.Role, path string, want int, out any) {
	e.t.Helper()
	code, b := e.req(role, "GET", path, "", nil)
	if code != want {
		e.t.Fatalf("GET %s: %d, want %d: %s", path, code, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("GET %s: %s: %v", path, b, err)
		}
	}
}

func (e *hmaEnv) post(role auth.Role, path string, in any, want int, out any) {
	e.t.Helper()
	body, _ := json.Marshal(in)
	code, b := e.req(role, "POST", path, "application/json", body)
	if code != want {
		e.t.Fatalf("POST %s: %d, want %d: %s", path, code, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("POST %s: %s: %v", path, b, err)
		}
	}
}

// hmaErr checks an HMA route's error: HMA's {"message"} and Basira's {"error"}.
func hmaErr(t testing.TB, b []byte) (code, message string) {
	t.Helper()
	var v struct {
		Error   struct{ Code, Message string }
		Message string
	}
	if err := json.Unmarshal(b, &v); err != nil || v.Message == "" || v.Error.Code == "" || v.Message != v.Error.Message {
		t.Fatalf("HMA error body %s", b)
	}
	return v.Error.Code, v.Message
}

func distance(t testing.TB, a, b string) int {
	ha, err := pdq.ParseHash(a)
	if err != nil {
		t.Fatal(err)
	}
	hb, err := pdq.ParseHash(b)
	if err != nil {
		t.Fatal(err)
	}
	return pdq.Distance(ha, hb)
}

func TestHMACurationAndMatching(t *testing.T) {
	_, imgs := refImages(t)
	e := newHMAEnv(t, nil)

	// Banks: create (HMA's name rule), duplicates, list.
	var bank map[string]any
	e.post(auth.Admin, "/c/banks", map[string]any{"name": "TEST_BANK"}, 201, &bank)
	if bank["name"] != "TEST_BANK" || bank["matching_enabled_ratio"] != 1.0 || len(bank) != 2 {
		t.Fatalf("created bank %v", bank)
	}
	e.post(auth.Admin, "/c/banks", map[string]any{"name": "OFF_BANK", "enabled": false, "comment": "unknown fields are ignored, as HMA does"}, 201, nil)
	// OMM's status codes: 400 for a bad name, 403 for an existing bank,
	// 422 for a body without the required name.
	for _, bad := range []struct {
		body map[string]any
		want int
	}{{map[string]any{"name": "lower"}, 400}, {map[string]any{"name": "TEST_BANK"}, 403}, {map[string]any{}, 422}, {map[string]any{"name": "OVER", "enabled_ratio": 1.5}, 400}} {
		body, _ := json.Marshal(bad.body)
		code, b := e.req(auth.Admin, "POST", "/c/banks", "application/json", body)
		if code != bad.want {
			t.Errorf("create %v: %d, want %d: %s", bad.body, code, bad.want, b)
		}
		hmaErr(t, b)
	}
	var banks []map[string]any
	e.get(auth.Platform, "/c/banks", 200, &banks)
	if len(banks) != 2 || banks[0]["name"] != "OFF_BANK" || banks[0]["matching_enabled_ratio"] != 0.0 || banks[1]["name"] != "TEST_BANK" {
		t.Fatalf("banks %v", banks)
	}

	// Signals: the bridge photo's reference hash, into both banks.
	h := imgs[orig].pdq
	var added struct {
		ID      int64
		Signals map[string]string
	}
	e.post(auth.Admin, "/c/bank/TEST_BANK/signal", map[string]string{"pdq": strings.ToUpper(h)}, 200, &added)
	if added.ID <= 0 || added.Signals["pdq"] != strings.ToUpper(h) {
		t.Fatalf("added %+v", added)
	}
	e.post(auth.Admin, "/c/bank/OFF_BANK/signal", map[string]string{"pdq": h}, 200, nil)
	var withMD5 struct{ ID int64 }
	e.post(auth.Admin, "/c/bank/TEST_BANK/signal", map[string]string{"md5": "d41d8cd98f00b204e9800998ecf8427e", "sha256": imgs[otherImage].sha256}, 200, &withMD5)
	code, b := e.req(auth.Admin, "POST", "/c/bank/NOPE/signal", "application/json", []byte(`{"pdq":"`+h+`"}`))
	if c, msg := hmaErr(t, b); code != 404 || c != "not_found" || !strings.Contains(msg, "NOPE") {
		t.Fatalf("unknown bank: %d %s", code, b)
	}
	for _, bad := range []string{`{"pdq":"abc"}`, `{"vmd5":"x"}`, `{}`, `["pdq"]`} {
		code, b := e.req(auth.Admin, "POST", "/c/bank/TEST_BANK/signal", "application/json", []byte(bad))
		if code != 400 {
			t.Errorf("signal %s: %d %s", bad, code, b)
		}
	}
	if e.changes != 3 { // two banks created, then one md5/sha256 companion pair
		t.Fatalf("bank set changes: %d, want 3", e.changes)
	}

	// raw_lookup: a shrunk copy of the photo matches, another image does not.
	q := imgs[shrinkLot].pdq
	d := distance(t, h, q)
	if d == 0 || d > 31 {
		t.Fatalf("test premise: shrink-a-lot at distance %d", d)
	}
	var raw struct{ Matches []json.RawMessage }
	e.get(auth.Platform, "/m/raw_lookup?signal_type=pdq&signal="+q, 200, &raw)
	if len(raw.Matches) != 2 { // the disabled OFF_BANK's content too, as HMA's raw_lookup returns it (lookup leaves it out)
		t.Fatalf("raw matches %s", raw.Matches)
	}
	var ids []int64
	e.get(auth.Platform, "/m/raw_lookup?signal_type=pdq&signal="+q+"&banks=TEST_BANK", 200, &struct{ Matches *[]int64 }{&ids})
	if len(ids) != 1 || ids[0] != added.ID {
		t.Fatalf("raw_lookup ids %v, want [%d]", ids, added.ID)
	}
	var withDist struct {
		Matches []struct {
			BankContentID int64  `json:"bank_content_id"`
			Distance      string `json:"distance"`
		}
	}
	e.get(auth.Analyst, "/m/raw_lookup?signal_type=pdq&include_distance=true&banks=TEST_BANK&signal="+q, 200, &withDist)
	if len(withDist.Matches) != 1 || withDist.Matches[0].BankContentID != added.ID || withDist.Matches[0].Distance != fmt.Sprint(d) {
		t.Fatalf("raw_lookup with distance %+v, want id %d distance %d", withDist, added.ID, d)
	}
	e.get(auth.Platform, "/m/raw_lookup?signal_type=pdq&signal="+imgs[otherImage].pdq, 200, &raw)
	if len(raw.Matches) != 0 {
		t.Fatalf("an unrelated image matched: %s", raw.Matches)
	}

	// lookup: by bank, disabled bank left out.
	var byBank map[string][]struct {
		BankContentID int64  `json:"bank_content_id"`
		Distance      string `json:"distance"`
	}
	e.get(auth.Platform, "/m/lookup?signal_type=pdq&signal="+q, 200, &byBank)
	if len(byBank) != 1 || len(byBank["TEST_BANK"]) != 1 || byBank["TEST_BANK"][0].BankContentID != added.ID {
		t.Fatalf("lookup %+v", byBank)
	}
	byBank = nil
	e.get(auth.Platform, "/m/lookup?signal_type=pdq&banks=OTHER&signal="+q, 200, &byBank)
	if len(byBank) != 0 {
		t.Fatalf("lookup restricted to another bank %+v", byBank)
	}
	byBank = nil
	e.get(auth.Platform, "/m/lookup?signal_type=md5&signal=D41D8CD98F00B204E9800998ECF8427E", 200, &byBank)
	if len(byBank["TEST_BANK"]) != 1 || byBank["TEST_BANK"][0].BankContentID != withMD5.ID {
		t.Fatalf("md5 lookup %+v (content %d)", byBank, withMD5.ID)
	}
	for _, bad := range []string{"/m/lookup?signal_type=pdq", "/m/lookup?signal_type=vmd5&signal=x", "/m/lookup?signal_type=pdq&signal=zz", "/m/raw_lookup?signal=" + q} {
		code, b := e.req(auth.Platform, "GET", bad, "", nil)
		if code != 400 {
			t.Errorf("%s: %d %s", bad, code, b)
		}
		hmaErr(t, b)
	}

	// compare: distance as HMA's named tuple.
	var cmp map[string][]json.RawMessage
	e.post(auth.Platform, "/m/compare", map[string][]string{"pdq": {h, q}, "md5": {"d41d8cd98f00b204e9800998ecf8427e", "D41D8CD98F00B204E9800998ECF8427E"}}, 200, &cmp)
	if string(cmp["pdq"][0]) != "true" || string(cmp["pdq"][1]) != fmt.Sprintf(`{"distance":%d}`, d) || string(cmp["md5"][0]) != "true" || string(cmp["md5"][1]) != "{}" {
		t.Fatalf("compare %s", mustMarshal(cmp))
	}
	cmp = nil
	e.post(auth.Platform, "/m/compare", map[string][]string{"pdq": {h, imgs[otherImage].pdq}}, 200, &cmp)
	if string(cmp["pdq"][0]) != "false" {
		t.Fatalf("compare of unrelated images %s", mustMarshal(cmp))
	}
	for _, bad := range []string{`{"pdq":["a"]}`, `{"pdq":["` + h + `","zz"]}`, `{"pdq":"x"}`, `[]`} {
		code, b := e.req(auth.Platform, "POST", "/m/compare", "application/json", []byte(bad))
		if code != 400 {
			t.Errorf("compare %s: %d %s", bad, code, b)
		}
	}

	// index status.
	var st map[string]struct {
		Present bool  `json:"present"`
		BuiltTo int64 `json:"built_to"`
		Size    int   `json:"size"`
	}
	e.get(auth.Platform, "/m/index/status", 200, &st)
	if !st["pdq"].Present || st["pdq"].Size != 2 || st["pdq"].BuiltTo <= 0 || st["md5"].Size != 1 || st["sha256"].Size != 1 {
		t.Fatalf("index status %+v", st)
	}
	st = nil
	e.get(auth.Platform, "/m/index/status?signal_type=pdq", 200, &st)
	if len(st) != 1 {
		t.Fatalf("index status for pdq %+v", st)
	}

	// Everything was saved: a fresh load of the bank folder finds it, and
	// content ids are the same after a restart.
	loaded, err := hashmatch.LoadAll(context.Background(), &hashmatch.DirStore{Dir: e.bankDir})
	if err != nil {
		t.Fatal(err)
	}
	b2 := hma.NewBanks(&hashmatch.DirStore{Dir: e.bankDir}, loaded, nil)
	ms, err := b2.Lookup(context.Background(), "pdq", q)
	var inTest []hashmatch.IndexMatch
	for _, m := range ms {
		if m.Bank == "TEST_BANK" {
			inTest = append(inTest, m)
		}
	}
	if err != nil || len(ms) != 2 || len(inTest) != 1 || inTest[0].ContentID != added.ID {
		t.Fatalf("after reload: %+v %v", ms, err)
	}
	list, _ := b2.ListBanks(context.Background())
	if len(list) != 2 || list[1].Entries != 3 {
		t.Fatalf("after reload, banks %+v (companions must fold into TEST_BANK)", list)
	}

	// Bank changes are audited.
	es, err := e.auditLog.AuditEntries(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, en := range es {
		if strings.HasPrefix(en.Object, "bank:") {
			n++
		}
	}
	if n != 5 {
		t.Fatalf("%d bank audit entries, want 5 (2 creations, 3 additions)", n)
	}
}

func multipartBody(t testing.TB, field, filename string, data []byte) (string, []byte) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, err := w.CreateFormFile(field, filename)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	w.Close()
	return w.FormDataContentType(), buf.Bytes()
}

func TestHMAHashing(t *testing.T) {
	_, imgs := refImages(t)
	img, err := os.ReadFile(imgs[orig].path)
	if err != nil {
		t.Fatal(err)
	}
	// A local server plays the media host for the ?url= routes.
	media := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/bridge.jpg":
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(img)
		case "/page.html":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html></html>"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer media.Close()
	e := newHMAEnv(t, media.Client())

	ct, body := multipartBody(t, "photo", "bridge.jpg", img)
	code, b := e.req(auth.Platform, "POST", "/h/hash", ct, body)
	if code != 200 {
		t.Fatalf("hash upload: %d %s", code, b)
	}
	var got map[string]string
	json.Unmarshal(b, &got)
	if len(got) != 1 || distance(t, got["pdq"], imgs[orig].pdq) > 10 {
		t.Fatalf("hash %v, reference %s", got, imgs[orig].pdq)
	}
	code, b = e.req(auth.Platform, "POST", "/h/hash?types=pdq,md5,sha256", ct, body)
	json.Unmarshal(b, &got)
	if code != 200 || got["sha256"] != imgs[orig].sha256 || len(got["md5"]) != 32 {
		t.Fatalf("hash with types: %d %s", code, b)
	}
	for name, c := range map[string]struct {
		field string
		data  []byte
		query string
		want  int
	}{
		"unknown content type": {"audio", img, "", 400},
		"not an image":         {"photo", []byte("hello"), "", 400},
		"unknown signal type":  {"photo", img, "?types=tmk", 400},
	} {
		ct, body := multipartBody(t, c.field, "f", c.data)
		code, b := e.req(auth.Platform, "POST", "/h/hash"+c.query, ct, body)
		if code != c.want {
			t.Errorf("%s: %d, want %d: %s", name, code, c.want, b)
		}
		hmaErr(t, b)
	}
	code, b = e.req(auth.Platform, "POST", "/h/hash", "application/json", []byte("{}"))
	if code != 400 {
		t.Fatalf("no upload: %d %s", code, b)
	}

	// ?url= fetches through the configured client.
	e.get(auth.Platform, "/h/hash?url="+media.URL+"/bridge.jpg", 200, &got)
	if distance(t, got["pdq"], imgs[orig].pdq) > 10 {
		t.Fatalf("hash by url %v", got)
	}
	for path, want := range map[string]int{"/h/hash?url=" + media.URL + "/page.html": 400, "/h/hash?url=" + media.URL + "/missing": 400, "/h/hash?url=file:///etc/passwd": 400, "/h/hash": 400} {
		code, b := e.req(auth.Platform, "GET", path, "", nil)
		if code != want {
			t.Errorf("%s: %d, want %d: %s", path, code, want, b)
		}
	}
	// lookup by url: hash, then match by signal type.
	e.post(auth.Admin, "/c/banks", map[string]any{"name": "B"}, 201, nil)
	e.post(auth.Admin, "/c/bank/B/signal", map[string]string{"pdq": imgs[shrinkLot].pdq}, 200, nil)
	var byType map[string]map[string][]json.RawMessage
	e.get(auth.Platform, "/m/lookup?url="+media.URL+"/bridge.jpg", 200, &byType)
	if len(byType["pdq"]["B"]) != 1 {
		t.Fatalf("lookup by url %+v", byType)
	}

	// Upload lookup, bank read, content added by upload and removed again.
	code, b = e.req(auth.Platform, "POST", "/m/lookup", ct, body)
	var upl map[string]map[string][]struct {
		BankContentID int64 `json:"bank_content_id"`
	}
	if err := json.Unmarshal(b, &upl); code != 200 || err != nil || len(upl["pdq"]["B"]) != 1 {
		t.Fatalf("lookup by upload: %d %s", code, b)
	}
	var bank map[string]any
	e.get(auth.Platform, "/c/bank/B", 200, &bank)
	if bank["name"] != "B" || bank["matching_enabled_ratio"] != 1.0 {
		t.Fatalf("bank %v", bank)
	}
	code, b = e.req(auth.Platform, "GET", "/c/bank/NOPE", "", nil)
	if c, _ := hmaErr(t, b); code != 404 || c != "not_found" {
		t.Fatalf("unknown bank: %d %s", code, b)
	}
	code, b = e.req(auth.Admin, "POST", "/c/bank/B/content", ct, body)
	var content struct {
		ID      int64
		Signals map[string]string
	}
	if err := json.Unmarshal(b, &content); code != 200 || err != nil || content.ID == 0 || distance(t, content.Signals["pdq"], imgs[orig].pdq) > 10 {
		t.Fatalf("add content by upload: %d %s", code, b)
	}
	var raw struct{ Matches []int64 }
	e.get(auth.Platform, "/m/raw_lookup?signal_type=pdq&signal="+imgs[orig].pdq, 200, &raw)
	if len(raw.Matches) != 2 {
		t.Fatalf("after adding by upload: %v", raw.Matches)
	}
	var del map[string]int
	code, b = e.req(auth.Admin, "DELETE", fmt.Sprintf("/c/bank/B/content/%d", content.ID), "", nil)
	if json.Unmarshal(b, &del); code != 200 || del["deleted"] != 1 {
		t.Fatalf("delete content: %d %s", code, b)
	}
	code, b = e.req(auth.Admin, "DELETE", fmt.Sprintf("/c/bank/B/content/%d", content.ID), "", nil)
	if json.Unmarshal(b, &del); code != 200 || del["deleted"] != 0 {
		t.Fatalf("delete again: %d %s", code, b)
	}
	raw.Matches = nil
	e.get(auth.Platform, "/m/raw_lookup?signal_type=pdq&signal="+imgs[orig].pdq, 200, &raw)
	if len(raw.Matches) != 1 {
		t.Fatalf("after removing: %v", raw.Matches)
	}

	// Without a fetch client, ?url= is refused (server-side requests are opt-in).
	off := newHMAEnv(t, nil)
	code, b = off.req(auth.Platform, "GET", "/h/hash?url="+media.URL+"/bridge.jpg", "", nil)
	if c, _ := hmaErr(t, b); code != 501 || c != "not_configured" {
		t.Fatalf("url without fetching: %d %s", code, b)
	}
}

func mustMarshal(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestUploadLimit: an upload over the media limit is refused with 413 and
// a message naming the limit.
func TestUploadLimit(t *testing.T) {
	dir := t.TempDir()
	toks, _ := auth.OpenFileStore(filepath.Join(dir, "tokens.json"))
	secret, _, _ := toks.Create(context.Background(), "p", auth.Platform)
	srv := server.New(server.Config{MaxMediaBytes: 1 << 10}, server.Deps{Hasher: hma.NewHasher(), Tokens: toks})
	ct, body := multipartBody(t, "photo", "big.jpg", bytes.Repeat([]byte{0xff}, 4<<10))
	req := httptest.NewRequest("POST", "/h/hash", bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+secret)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	code, msg := hmaErr(t, rec.Body.Bytes())
	if rec.Code != 413 || code != "body_too_large" || !strings.Contains(msg, "1024") {
		t.Fatalf("big upload: %d %s", rec.Code, rec.Body)
	}
}
