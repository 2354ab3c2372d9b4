package hma_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/auth"
	"github.com/basira-org/basira/internal/hashmatch"
	"github.com/basira-org/basira/internal/media"
	"github.com/basira-org/basira/internal/server"
	"github.com/basira-org/basira/internal/server/hma"
	"github.com/basira-org/basira/internal/store/sqlite"
)

// The tests below port OpenMediaMatch's own API tests (OpenMediaMatch/
// tests/test_api.py, test_api_banks.py) that apply to Basira: the same
// requests, status codes and answers. OMM's tests fetch ThreatExchange's
// images from GitHub; here a local server serves the same files from the
// shared data, reached through the SSRF-safe client's test hook.

// ommImageHash is what OMM answers for bridge-mods/aaa-orig.jpg
// (test_banks_add_content): python-threatexchange's full-resolution PDQ.
const ommImageHash = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"

type ommEnv struct {
	t      *testing.T
	ts     *httptest.Server
	token  string
	images string // base URL of the image host
	dir    string
}

func newOMMEnv(t *testing.T, cfg server.Config) *ommEnv {
	t.Helper()
	dir, _ := refImages(t)
	host := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(host.Close)
	hu, _ := url.Parse(host.URL)
	allowed := netip.MustParseAddrPort(hu.Host)
	cfg.FetchClient = media.NewClient(media.ClientOptions{Timeout: 5 * time.Second, AllowDial: func(ap netip.AddrPort) bool { return ap == allowed }})

	work := t.TempDir()
	db, err := sqlite.Open(context.Background(), filepath.Join(work, "b.db"), sqlite.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	toks, _ := auth.OpenFileStore(filepath.Join(work, "tokens.json"))
	secret, _, _ := toks.Create(context.Background(), "admin", auth.Admin)
	bankDir := filepath.Join(work, "banks")
	os.MkdirAll(bankDir, 0o750)
	banks := hma.NewBanks(&hashmatch.DirStore{Dir: bankDir}, nil, nil)
	srv := server.New(cfg, server.Deps{Banks: banks, Hasher: hma.NewFullResolutionHasher(), Tokens: toks, Audit: db, Health: db})
	e := &ommEnv{t: t, ts: httptest.NewServer(srv), token: secret, images: host.URL, dir: bankDir}
	t.Cleanup(e.ts.Close)
	return e
}

// do sends a request as OMM's Flask test client would, with a token.
func (e *ommEnv) do(method, path string, body any) (int, []byte) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.ts.URL+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if e.token != "" {
		req.Header.Set("Authorization", "Bearer "+e.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (e *ommEnv) want(method, path string, body any, code int) []byte {
	e.t.Helper()
	got, b := e.do(method, path, body)
	if got != code {
		e.t.Fatalf("%s %s: %d, want %d: %s", method, path, got, code, b)
	}
	return b
}

func asJSON(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("not JSON: %s", b)
	}
	return v
}

func same(t *testing.T, got []byte, want string) {
	t.Helper()
	g, _ := json.Marshal(asJSON(t, got))
	w, _ := json.Marshal(asJSON(t, []byte(want)))
	if string(g) != string(w) {
		t.Errorf("got %s, want %s", g, w)
	}
}

func (e *ommEnv) imageURL(path string) string {
	return url.QueryEscape(e.images + "/" + path)
}

// addImage is OMM's add_hash_to_bank helper: the content id it returns.
func (e *ommEnv) addImage(bank, path string) int64 {
	e.t.Helper()
	b := e.want("POST", "/c/bank/"+bank+"/content?url="+e.imageURL(path)+"&content_type=photo", nil, 200)
	var r struct{ ID int64 }
	json.Unmarshal(b, &r)
	return r.ID
}

func TestOMMStatus(t *testing.T) {
	e := newOMMEnv(t, server.Config{})
	e.token = ""
	if b := e.want("GET", "/status", nil, 200); string(b) != "I-AM-ALIVE" {
		t.Errorf("/status: %q", b)
	}
	if b := e.want("GET", "/status/live", nil, 200); string(b) != "OK" {
		t.Errorf("/status/live: %q", b)
	}
	var paths []string
	json.Unmarshal(e.want("GET", "/site-map", nil, 200), &paths)
	for _, p := range []string{"/c/banks", "/c/bank/{name}/content/{id}", "/m/raw_lookup", "/h/hash", "/status"} {
		found := false
		for _, x := range paths {
			found = found || x == p
		}
		if !found {
			t.Errorf("/site-map lacks %s", p)
		}
	}
	var doc struct{ Paths map[string]any }
	json.Unmarshal(e.want("GET", "/openapi/openapi.json", nil, 200), &doc)
	if doc.Paths["/c/bank/{name}/content/{id}"] == nil || doc.Paths["/status"] == nil {
		t.Errorf("/openapi/openapi.json lacks the new routes")
	}
}

func TestOMMBanks(t *testing.T) {
	e := newOMMEnv(t, server.Config{})
	// test_banks_empty_index
	same(t, e.want("GET", "/c/banks", nil, 200), `[]`)
	// test_banks_create
	e.want("POST", "/c/banks", map[string]any{"name": "01_TEST_BANK"}, 400)
	e.want("POST", "/c/banks", map[string]any{"name": "my_test_bank"}, 400)
	created := e.want("POST", "/c/banks", map[string]any{"name": "MY_TEST_BANK_01"}, 201)
	same(t, created, `{"matching_enabled_ratio": 1.0, "name": "MY_TEST_BANK_01"}`)
	same(t, e.want("GET", "/c/banks", nil, 200), `[`+string(created)+`]`)
	// An existing bank: OMM's 403 "Bank already exists".
	b := e.want("POST", "/c/banks", map[string]any{"name": "MY_TEST_BANK_01"}, 403)
	if _, msg := hmaErr(t, b); msg != "Bank already exists" {
		t.Errorf("exists: %s", b)
	}
	// test_banks_update
	e.want("POST", "/c/banks", map[string]any{"name": "MY_TEST_BANK"}, 201)
	e.want("PUT", "/c/bank/MY_TEST_BANK", map[string]any{"name": "1_invalid_name"}, 400)
	id := e.addImage("MY_TEST_BANK", "pdq/data/bridge-mods/aaa-orig.jpg")
	b = e.want("PUT", "/c/bank/MY_TEST_BANK", map[string]any{"name": "MY_TEST_BANK_RENAMED"}, 200)
	same(t, b, `{"name": "MY_TEST_BANK_RENAMED", "matching_enabled_ratio": 1}`)
	same(t, e.want("PUT", "/c/bank/MY_TEST_BANK_RENAMED", map[string]any{"enabled": false}, 200), `{"name": "MY_TEST_BANK_RENAMED", "matching_enabled_ratio": 0}`)
	same(t, e.want("PUT", "/c/bank/MY_TEST_BANK_RENAMED", map[string]any{"enabled_ratio": 0.5}, 200), `{"name": "MY_TEST_BANK_RENAMED", "matching_enabled_ratio": 0.5}`)
	same(t, e.want("GET", "/c/banks", nil, 200), `[{"name": "MY_TEST_BANK_01", "matching_enabled_ratio": 1}, {"name": "MY_TEST_BANK_RENAMED", "matching_enabled_ratio": 0.5}]`)
	e.want("PUT", "/c/bank/MY_TEST_BANK_RENAMED", map[string]any{"name": "MY_TEST_BANK_01"}, 403)
	e.want("PUT", "/c/bank/NOPE", map[string]any{"enabled": true}, 404)
	// The content kept its id through the rename.
	b = e.want("GET", fmt.Sprintf("/c/bank/MY_TEST_BANK_RENAMED/content/%d", id), nil, 200)
	if v := asJSON(t, b).(map[string]any); v["id"] != float64(id) {
		t.Errorf("content after rename: %s", b)
	}
	// test_banks_delete: twice, 200 both times.
	e.want("POST", "/c/banks", map[string]any{"name": "DOOMED"}, 201)
	same(t, e.want("DELETE", "/c/bank/DOOMED", nil, 200), `{"message": "Done"}`)
	e.want("DELETE", "/c/bank/DOOMED", nil, 200)
	e.want("GET", "/c/bank/DOOMED", nil, 404)

	// The ratio survives a restart (kept in the bank's file).
	loaded, err := hashmatch.LoadAll(context.Background(), &hashmatch.DirStore{Dir: e.dir})
	if err != nil {
		t.Fatal(err)
	}
	list, _ := hma.NewBanks(&hashmatch.DirStore{Dir: e.dir}, loaded, nil).ListBanks(context.Background())
	if len(list) != 2 || list[1].Name != "MY_TEST_BANK_RENAMED" || list[1].MatchingEnabledRatio != 0.5 || list[1].Entries != 1 {
		t.Errorf("after reload: %+v", list)
	}
}

func TestOMMContent(t *testing.T) {
	e := newOMMEnv(t, server.Config{})
	// test_bank_get_content_404
	e.want("GET", "/c/bank/TEST_BANK_GET/content/1", nil, 404)
	e.want("POST", "/c/banks", map[string]any{"name": "TEST_BANK_GET"}, 201)
	e.want("GET", "/c/bank/TEST_BANK_GET/content/1", nil, 404)

	// test_banks_add_content: OMM's own hash string, at full resolution.
	b := e.want("POST", "/c/bank/TEST_BANK_GET/content?url="+e.imageURL("pdq/data/bridge-mods/aaa-orig.jpg")+"&content_type=photo", nil, 200)
	var added struct {
		ID      int64
		Signals map[string]string
	}
	json.Unmarshal(b, &added)
	if len(added.Signals) != 1 || distance(t, added.Signals["pdq"], ommImageHash) > 2 {
		t.Errorf("add content: %s (OMM: %s)", b, ommImageHash)
	}
	// test_bank_get_content
	b = e.want("GET", fmt.Sprintf("/c/bank/TEST_BANK_GET/content/%d", added.ID), nil, 200)
	var c map[string]any
	json.Unmarshal(b, &c)
	if c["id"] != float64(added.ID) || c["disable_until_ts"] != 1.0 || c["signals"] != nil {
		t.Errorf("get content: %s", b)
	}
	if bank, _ := c["bank"].(map[string]any); bank["name"] != "TEST_BANK_GET" || bank["matching_enabled_ratio"] != 1.0 {
		t.Errorf("get content bank: %s", b)
	}
	b = e.want("GET", fmt.Sprintf("/c/bank/TEST_BANK_GET/content/%d?include_signals=true", added.ID), nil, 200)
	json.Unmarshal(b, &c)
	if s, _ := c["signals"].(map[string]any); s["pdq"] != added.Signals["pdq"] {
		t.Errorf("include_signals: %s", b)
	}

	// test_bank_update_content: a year ahead is accepted and echoed...
	ts := time.Now().Add(365 * 24 * time.Hour).Unix()
	b = e.want("PUT", fmt.Sprintf("/c/bank/TEST_BANK_GET/content/%d", added.ID), map[string]any{"disable_until_ts": ts}, 200)
	json.Unmarshal(b, &c)
	if c["disable_until_ts"] != float64(ts) {
		t.Errorf("update content: %s", b)
	}
	// ... and the content no longer matches, though raw_lookup still finds it.
	q := added.Signals["pdq"]
	same(t, e.want("GET", "/m/lookup?signal_type=pdq&signal="+q, nil, 200), `{}`)
	same(t, e.want("GET", "/m/raw_lookup?signal_type=pdq&signal="+q, nil, 200), fmt.Sprintf(`{"matches": [%d]}`, added.ID))
	// test_bank_update_content_400: over 5 years ahead, or negative.
	e.want("PUT", fmt.Sprintf("/c/bank/TEST_BANK_GET/content/%d", added.ID), map[string]any{"disable_until_ts": 9999999999}, 400)
	e.want("PUT", fmt.Sprintf("/c/bank/TEST_BANK_GET/content/%d", added.ID), map[string]any{"disable_until_ts": -1}, 400)
	e.want("PUT", "/c/bank/TEST_BANK_GET/content/999", map[string]any{"disable_until_ts": 1}, 404)
	// Enabled again (1), with a note.
	e.want("PUT", fmt.Sprintf("/c/bank/TEST_BANK_GET/content/%d", added.ID), map[string]any{"disable_until_ts": 1, "note": "re-enabled after review"}, 200)
	b = e.want("GET", "/m/lookup?signal_type=pdq&signal="+q, nil, 200)
	if !strings.Contains(string(b), `"distance":"0"`) {
		t.Errorf("lookup after re-enabling: %s", b)
	}

	// test_banks_add_metadata
	post := "/c/bank/TEST_BANK_GET/content?url=" + e.imageURL("pdq/data/misc-images/c.png") + "&content_type=photo"
	e.want("POST", post, map[string]any{"metadata": map[string]any{"invalid_metadata": 5}}, 400)
	b = e.want("POST", post, map[string]any{"metadata": map[string]any{"content_id": "1197433091", "json": map[string]any{"asdf": map[string]any{}}}, "note": "from the ported test"}, 200)
	var withMeta struct{ ID int64 }
	json.Unmarshal(b, &withMeta)
	b = e.want("GET", fmt.Sprintf("/c/bank/TEST_BANK_GET/content/%d", withMeta.ID), nil, 200)
	same(t, b, fmt.Sprintf(`{"id": %d, "disable_until_ts": 1, "collab_metadata": {}, "original_media_uri": null,
		"bank": {"name": "TEST_BANK_GET", "matching_enabled_ratio": 1}, "note": "from the ported test",
		"metadata": {"content_id": "1197433091", "json": {"asdf": {}}}}`, withMeta.ID))

	// test_bank_get_content_signal_validation
	b = e.want("POST", "/c/bank/TEST_BANK_GET/signal", map[string]string{"pdq": strings.Repeat("0", 64)}, 200)
	var zero struct{ ID int64 }
	json.Unmarshal(b, &zero)
	b = e.want("GET", fmt.Sprintf("/c/bank/TEST_BANK_GET/content/%d?signal_type=md5", zero.ID), nil, 200)
	if v := asJSON(t, b).(map[string]any); fmt.Sprint(v["signals"]) != "map[]" {
		t.Errorf("signal_type=md5: %s", b)
	}
	b = e.want("GET", fmt.Sprintf("/c/bank/TEST_BANK_GET/content/%d?signal_type=pdq", zero.ID), nil, 200)
	if v := asJSON(t, b).(map[string]any); fmt.Sprint(v["signals"]) != "map[pdq:"+strings.Repeat("0", 64)+"]" {
		t.Errorf("signal_type=pdq: %s", b)
	}
	b = e.want("GET", fmt.Sprintf("/c/bank/TEST_BANK_GET/content/%d?signal_type=invalid", zero.ID), nil, 400)
	if _, msg := hmaErr(t, b); !strings.Contains(msg, "No such signal type") {
		t.Errorf("invalid signal type: %s", b)
	}

	// Note and metadata are kept on disk.
	loaded, err := hashmatch.LoadAll(context.Background(), &hashmatch.DirStore{Dir: e.dir})
	if err != nil {
		t.Fatal(err)
	}
	ci, err := hma.NewBanks(&hashmatch.DirStore{Dir: e.dir}, loaded, nil).Content(context.Background(), "TEST_BANK_GET", withMeta.ID)
	if err != nil || ci.Note != "from the ported test" || !strings.Contains(ci.Metadata, "1197433091") {
		t.Errorf("after reload: %+v %v", ci, err)
	}

	// test_banks_delete_hash
	same(t, e.want("DELETE", fmt.Sprintf("/c/bank/TEST_BANK_GET/content/%d", added.ID), nil, 200), `{"deleted": 1}`)
	same(t, e.want("GET", "/m/raw_lookup?signal_type=pdq&signal="+q, nil, 200), `{"matches": []}`)
}

// TestOMMIndexAndLookup ports test_banks_add_hash_index and checks the
// lookup answers' shapes: ratios, distances and disabled banks.
func TestOMMIndexAndLookup(t *testing.T) {
	e := newOMMEnv(t, server.Config{})
	e.want("POST", "/c/banks", map[string]any{"name": "NEW_BANK"}, 201)
	e.want("POST", "/c/banks", map[string]any{"name": "NEW_BANK_2"}, 201)
	id1 := e.addImage("NEW_BANK", "pdq/data/bridge-mods/aaa-orig.jpg")
	id2 := e.addImage("NEW_BANK", "pdq/data/misc-images/c.png")
	_, imgs := refImages(t)
	same(t, e.want("GET", "/m/raw_lookup?signal_type=pdq&signal="+imgs[orig].pdq, nil, 200), fmt.Sprintf(`{"matches": [%d]}`, id1))
	same(t, e.want("GET", "/m/raw_lookup?signal_type=pdq&signal="+imgs[otherImage].pdq, nil, 200), fmt.Sprintf(`{"matches": [%d]}`, id2))

	// Exact hashes: distance "-", as OMM's pretty_str.
	b := e.want("POST", "/c/bank/NEW_BANK_2/signal", map[string]string{"md5": "d41d8cd98f00b204e9800998ecf8427e"}, 200)
	var md struct{ ID int64 }
	json.Unmarshal(b, &md)
	same(t, e.want("GET", "/m/raw_lookup?signal_type=md5&include_distance=true&signal=d41d8cd98f00b204e9800998ecf8427e", nil, 200),
		fmt.Sprintf(`{"matches": [{"bank_content_id": %d, "distance": "-"}]}`, md.ID))
	same(t, e.want("GET", "/m/lookup?signal_type=md5&signal=d41d8cd98f00b204e9800998ecf8427e", nil, 200),
		fmt.Sprintf(`{"NEW_BANK_2": [{"bank_content_id": %d, "distance": "-"}]}`, md.ID))

	// A disabled bank: lookup leaves it out, raw_lookup returns its content.
	e.want("PUT", "/c/bank/NEW_BANK", map[string]any{"enabled": false}, 200)
	same(t, e.want("GET", "/m/lookup?signal_type=pdq&signal="+imgs[orig].pdq, nil, 200), `{}`)
	// bypass_coinflip lets every bank through, disabled ones too, as OMM.
	var stored struct{ Signals map[string]string }
	json.Unmarshal(e.want("GET", fmt.Sprintf("/c/bank/NEW_BANK/content/%d?include_signals=true", id1), nil, 200), &stored)
	h1 := stored.Signals["pdq"]
	same(t, e.want("GET", "/m/lookup?signal_type=pdq&bypass_coinflip=true&signal="+imgs[orig].pdq, nil, 200),
		fmt.Sprintf(`{"NEW_BANK": [{"bank_content_id": %d, "distance": "%d"}]}`, id1, distance(t, h1, imgs[orig].pdq)))
	same(t, e.want("GET", "/m/raw_lookup?signal_type=pdq&signal="+imgs[orig].pdq, nil, 200), fmt.Sprintf(`{"matches": [%d]}`, id1))

	// lookup_threshold and lookup_topk (OMM's newer matching routes):
	// the caller's radius decides, whatever the bank's threshold says.
	q := imgs[shrinkLot].pdq
	d := distance(t, q, h1)
	b = e.want("GET", fmt.Sprintf("/m/lookup_threshold?signal_type=pdq&signal=%s&threshold=%d", q, d-1), nil, 200)
	same(t, b, `{"matches": []}`)
	b = e.want("GET", fmt.Sprintf("/m/lookup_threshold?signal_type=pdq&signal=%s&threshold=%d", q, d), nil, 200)
	same(t, b, fmt.Sprintf(`{"matches": [{"bank_content_id": %d, "distance": "%d", "signal": "%s"}]}`, id1, d, h1))
	var top struct {
		Matches []struct {
			BankContentID int64 `json:"bank_content_id"`
			Distance      string
		}
	}
	json.Unmarshal(e.want("GET", "/m/lookup_topk?signal_type=pdq&k=2&signal="+q, nil, 200), &top)
	if len(top.Matches) != 2 || top.Matches[0].BankContentID != id1 || top.Matches[1].BankContentID != id2 {
		t.Errorf("topk: %+v (want %d then %d)", top, id1, id2)
	}
	e.want("GET", "/m/lookup_topk?signal_type=pdq&k=0&signal="+q, nil, 400)
	e.want("GET", "/m/lookup_threshold?signal_type=pdq&signal="+q, nil, 400)

	// A ratio of 0.5: the seeded draw decides, the same way every time,
	// and about half of the seeds let the bank answer.
	e.want("PUT", "/c/bank/NEW_BANK", map[string]any{"enabled_ratio": 0.5}, 200)
	hits := 0
	for i := range 40 {
		p := fmt.Sprintf("/m/lookup?signal_type=pdq&seed=%d&signal=%s", i, imgs[orig].pdq)
		first := string(e.want("GET", p, nil, 200))
		if again := string(e.want("GET", p, nil, 200)); again != first {
			t.Fatalf("seed %d: %s then %s", i, first, again)
		}
		if strings.Contains(first, "NEW_BANK") {
			hits++
		}
	}
	if hits < 8 || hits > 32 {
		t.Errorf("ratio 0.5: %d of 40 seeds matched", hits)
	}

	// Signal type settings: switching pdq off refuses its lookups.
	var sts []map[string]any
	json.Unmarshal(e.want("GET", "/c/signal_type", nil, 200), &sts)
	if len(sts) < 3 || sts[0]["name"] != "pdq" || sts[0]["enabled_ratio"] != 1.0 {
		t.Errorf("signal types %v", sts)
	}
	e.want("PUT", "/c/signal_type/pdq", map[string]any{"enabled_ratio": 0}, 204)
	b = e.want("GET", "/m/raw_lookup?signal_type=pdq&signal="+imgs[orig].pdq, nil, 400)
	if _, msg := hmaErr(t, b); msg != "SignalType 'pdq' is not enabled" {
		t.Errorf("disabled signal type: %s", b)
	}
	e.want("PUT", "/c/signal_type/pdq", map[string]any{"enabled_ratio": 1}, 204)
	e.want("PUT", "/c/signal_type/nope", map[string]any{"enabled_ratio": 1}, 400)
	var idx map[string]map[string]any
	json.Unmarshal(e.want("GET", "/c/signal_type/index", nil, 200), &idx)
	if idx["pdq"]["db_size"] != 2.0 || idx["pdq"]["index_out_of_date"] != false {
		t.Errorf("signal type index %v", idx)
	}
	same(t, e.want("GET", "/c/content_type", nil, 200), `[{"name": "photo", "enabled": true}, {"name": "video", "enabled": true}]`)

	// Exchanges: none, answered as OMM answers for none.
	same(t, e.want("GET", "/c/exchanges", nil, 200), `[]`)
	same(t, e.want("GET", "/c/exchanges/apis", nil, 200), `[]`)
	e.want("GET", "/c/exchange/NOPE", nil, 404)
	e.want("GET", "/c/exchange/NOPE/status", nil, 404)
	e.want("POST", "/c/exchanges", map[string]any{"bank": "X", "api": "fb_threatexchange"}, 400)
	e.want("POST", "/c/exchanges", map[string]any{"bank": "lower", "api": "x"}, 400)
	e.want("GET", "/c/exchanges/api/fb_threatexchange", nil, 400)
	same(t, e.want("DELETE", "/c/exchange/NOPE", nil, 200), `{"message": "Exchange deleted"}`)
}

// TestOMMErrorShapes: every HMA error carries a top-level "message" and
// no array: never a lookup answer's shape ({"BANK": [...]}) nor a
// raw_lookup's ({"matches": [...]}), and never with a 2xx status.
func TestOMMErrorShapes(t *testing.T) {
	e := newOMMEnv(t, server.Config{})
	check := func(name string, code int, b []byte, want int) {
		t.Helper()
		if code != want {
			t.Errorf("%s: %d, want %d: %s", name, code, want, b)
		}
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Errorf("%s: not a JSON object: %s", name, b)
			return
		}
		if m, ok := v["message"].(string); !ok || m == "" {
			t.Errorf("%s: no message: %s", name, b)
		}
		for k, x := range v {
			if _, isList := x.([]any); isList {
				t.Errorf("%s: error body has a list under %q: %s", name, k, b)
			}
		}
	}
	code, b := e.do("GET", "/m/nope", nil)
	check("404", code, b, 404)
	code, b = e.do("DELETE", "/m/lookup", nil)
	check("405", code, b, 405)
	code, b = e.do("GET", "/c/bank/NOPE", nil)
	check("missing bank", code, b, 404)
	code, b = e.do("GET", "/m/lookup?signal_type=pdq&signal=zz", nil)
	check("bad hash", code, b, 400)
	e.token = "bsr_not-a-token"
	code, b = e.do("GET", "/m/lookup?signal_type=pdq&signal="+ommImageHash, nil)
	check("401", code, b, 401)
	e.token = ""
	code, b = e.do("GET", "/m/raw_lookup?signal_type=pdq&signal="+ommImageHash, nil)
	check("no token", code, b, 401)
}

// TestOMMNoAuthLoopback: with HMANoAuth, a client without a token on the
// loopback uses the HMA routes (as OMM's own clients do); Basira's other
// routes still need a token.
func TestOMMNoAuthLoopback(t *testing.T) {
	e := newOMMEnv(t, server.Config{HMANoAuth: true})
	e.token = ""
	e.want("POST", "/c/banks", map[string]any{"name": "OPEN_BANK"}, 201)
	e.want("GET", "/m/raw_lookup?signal_type=pdq&signal="+ommImageHash, nil, 200)
	e.want("GET", "/v1/banks", nil, 401)
	// A browser page (any site) cannot use it: a form posted to the
	// loopback carries Origin or Sec-Fetch-Site.
	for _, h := range [][2]string{{"Origin", "https://evil.example"}, {"Sec-Fetch-Site", "cross-site"}} {
		req, _ := http.NewRequest("POST", e.ts.URL+"/c/banks", strings.NewReader(`{"name":"FROM_PAGE"}`))
		req.Header.Set(h[0], h[1])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Errorf("no-auth request with %s: %d", h[0], resp.StatusCode)
		}
	}
	// A wrong token is still refused: no-auth is for no header at all.
	e.token = "bsr_wrong"
	e.want("GET", "/c/banks", nil, 401)

	// The same request from a non-loopback address needs a token.
	srv := server.New(server.Config{HMANoAuth: true}, server.Deps{Banks: hma.NewBanks(&hashmatch.DirStore{Dir: t.TempDir()}, nil, nil)})
	req := httptest.NewRequest("GET", "/c/banks", nil)
	req.RemoteAddr = "192.0.2.7:4000"
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != 401 {
		t.Errorf("no-auth from 192.0.2.7: %d %s", rec.Code, rec.Body)
	}
}
