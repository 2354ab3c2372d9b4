// Package e2e drives the review screen in a real headless Chromium against
// a real `basira serve --demo` started in the test: sign in, filter the
// queue, claim, decide refer, see the referral sent and the case actioned,
// appeal, sign out — at a desktop and a phone width, in Arabic and in
// French. Any console error or uncaught exception fails the test.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/basira-org/basira/internal/cli"
)

// chromium finds a Chromium or Chrome binary ("" when there is none).
func chromium() string {
	if p := os.Getenv("BASIRA_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// syncBuffer collects the service's stderr while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// demo is a running `basira serve --demo`.
type demo struct {
	base, token, link, password, home string
}

func startDemo(t *testing.T) *demo {
	home := t.TempDir()
	getenv := func(k string) string {
		if k == "BASIRA_HOME" {
			return home
		}
		return ""
	}
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(ctx, &cli.Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""), Getenv: getenv},
			[]string{"serve", "--demo", "--addr", "127.0.0.1:0", "--workers", "2"})
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d: %s", code, errb.String())
		}
	})
	addrRe := regexp.MustCompile(`review screen: (http://\S+)/ui/ — sign in as demo-analyst with the password (\S+)`)
	linkRe := regexp.MustCompile(`sign-in link \([^)]*\): (http://\S+)`)
	tokenRe := regexp.MustCompile(`API token for scripts \(role analyst\): (\S+)`)
	for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		m, l, tk := addrRe.FindStringSubmatch(errb.String()), linkRe.FindStringSubmatch(errb.String()), tokenRe.FindStringSubmatch(errb.String())
		if m != nil && l != nil && tk != nil {
			return &demo{base: m[1], password: m[2], link: l[1], token: tk[1], home: home}
		}
		if time.Since(start) > 30*time.Second {
			t.Fatalf("serve --demo did not print its address and token: %s", errb.String())
		}
	}
}

// waitCases waits until the demo has opened at least n new cases of
// category, and returns the ids of n of them.
func (d *demo) waitCases(t *testing.T, category string, n int) []string {
	for start := time.Now(); ; time.Sleep(100 * time.Millisecond) {
		req, _ := http.NewRequest("GET", d.base+"/v1/cases?status=new&category="+category, nil)
		req.Header.Set("Authorization", "Bearer "+d.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ Cases []struct{ ID json.Number } }
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(body.Cases) >= n {
			ids := make([]string, n)
			for i := range ids {
				ids[i] = body.Cases[i].ID.String()
			}
			return ids
		}
		if time.Since(start) > 30*time.Second {
			t.Fatalf("the demo opened %d new %s cases in 30 s, want %d", len(body.Cases), category, n)
		}
	}
}

// caseOf waits until the demo post (platform, id) is processed and returns
// its case id.
func (d *demo) caseOf(t *testing.T, platform, id string) string {
	for start := time.Now(); ; time.Sleep(100 * time.Millisecond) {
		req, _ := http.NewRequest("GET", d.base+"/v1/posts?platform="+platform+"&platform_post_id="+id, nil)
		req.Header.Set("Authorization", "Bearer "+d.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Posts []struct {
				CaseID json.Number `json:"case_id"`
			}
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(body.Posts) > 0 && body.Posts[0].CaseID != "" && body.Posts[0].CaseID != "0" {
			return body.Posts[0].CaseID.String()
		}
		if time.Since(start) > 30*time.Second {
			t.Fatalf("demo post %s/%s has no case after 30 s", platform, id)
		}
	}
}

// catalogue is the screen's messages.json.
func catalogue(t *testing.T) map[string]map[string]any {
	b, err := os.ReadFile("../static/messages.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestReviewScreenInChromium(t *testing.T) {
	bin, artefacts := browserTest(t)
	started := time.Now()

	d := startDemo(t)
	const category = "recruitment"
	runs := []struct {
		lang  string
		width int
	}{{"ar", 1366}, {"fr", 390}, {"ar", 390}, {"fr", 1366}}
	ids := d.waitCases(t, category, len(runs))

	browser := startBrowser(t, bin)
	msgs := catalogue(t)
	// The walkthroughs run side by side in their own tabs, each on its own
	// case: most of their time is spent waiting for the service.
	t.Run("walkthroughs", func(t *testing.T) {
		for i, r := range runs {
			t.Run(fmt.Sprintf("%s-%d", r.lang, r.width), func(t *testing.T) {
				t.Parallel()
				walkthrough(t, browser, d, msgs[r.lang], r.lang, r.width, category, ids[i], artefacts)
			})
		}
		t.Run("evidence", func(t *testing.T) {
			t.Parallel()
			evidenceCards(t, browser, d, msgs["ar"], artefacts)
		})
		t.Run("audit", func(t *testing.T) {
			t.Parallel()
			auditPage(t, browser, d, msgs["fr"], artefacts)
		})
	})
	t.Logf("browser walkthroughs took %s", time.Since(started).Round(time.Millisecond))
}

// walkthrough is one analyst's session in a fresh tab.
func walkthrough(t *testing.T, browser context.Context, d *demo, msg map[string]any, lang string, width int, category, caseID, artefacts string) {
	// Each session has its own browser context: its own cookie jar, as
	// another analyst's browser would.
	tab, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	defer cancel()
	if err := chromedp.Do(tab); err != nil { // opens the tab; no timeout on this first call
		t.Fatal(err)
	}
	// Everything the page writes to the console is collected; errors fail
	// the test at the end.
	var mu sync.Mutex
	var problems []string
	consoleDone := make(chan struct{})
	messages := chromedp.Console(tab)
	go func() {
		defer close(consoleDone)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
				mu.Lock()
				problems = append(problems, fmt.Sprintf("%s (%s): %s %s", m.Type, m.Source, m.Text, m.URL))
				mu.Unlock()
			}
		}
	}()
	ctx, cancelTimeout := context.WithTimeout(tab, 50*time.Second)
	defer cancelTimeout()

	str := func(k string) string { s, _ := msg[k].(string); return s }
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			buf, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(artefacts, fmt.Sprintf("%s-%d-%s.png", lang, width, name)), buf, 0o644)
		})
	}
	poll := func(js string) chromedp.Action[chromedp.Void] {
		a := void(chromedp.Poll[bool](js, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(25*time.Second)))
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			v, err := a(ctx, tg)
			if err != nil {
				err = fmt.Errorf("waiting for %s: %w", js, err)
			}
			return v, err
		}
	}
	// waitText waits until the element's text contains want.
	waitText := func(sel, want string) chromedp.Action[chromedp.Void] {
		return poll(fmt.Sprintf(`(document.querySelector(%s)?.textContent || "").includes(%s)`, jsString(sel), jsString(want)))
	}
	eval := func(js string) string {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			// The screen as it was when the step failed.
			if buf, serr := chromedp.Run(tab, chromedp.FullScreenshot(100)); serr == nil {
				os.WriteFile(filepath.Join(artefacts, fmt.Sprintf("%s-%d-failed.png", lang, width)), buf, 0o644)
			}
			mu.Lock()
			defer mu.Unlock()
			t.Fatalf("%v\nbrowser console: %v", err, problems)
		}
	}
	choose := func(sel, value string) chromedp.Action[chromedp.Void] {
		return void(chromedp.Evaluate[bool](fmt.Sprintf(`(() => { const s = document.querySelector(%s); s.value = %s; s.dispatchEvent(new Event("change")); return true })()`, jsString(sel), jsString(value))))
	}
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }

	do(chromedp.EmulateViewport(int64(width), 900),
		chromedp.Navigate(d.base+"/"), // "/" leads to the screen
		chromedp.WaitVisible(css("#login-form")),
		choose("#lang", lang))
	// Signed out: nothing of the app shows (hidden beats display:grid).
	if v := eval(`getComputedStyle(document.getElementById("app")).display`); v != "none" {
		t.Fatalf("signed out, the app's display is %q, want none", v)
	}
	// Sign in with the demo account's password.
	do(chromedp.SendKeys(css("#login-name"), "demo-analyst"),
		chromedp.SendKeys(css("#login-password"), d.password),
		chromedp.Click(css(`#login-form button[type="submit"]`)),
		chromedp.WaitVisible(css("#cases li button")),
		// Filter the queue: new cases of one category.
		choose("#status-filter", "new"),
		choose("#category-filter", category),
		poll(`document.querySelectorAll("#cases li button").length > 0 && [...document.querySelectorAll("#cases li strong")].every(s => s.textContent === `+jsString(str("cat."+category))+`)`))
	sevText := eval(`[...document.querySelectorAll("#cases .sev")].map(s => s.textContent).join("|")`)
	item := css(`#cases button[data-case="` + caseID + `"]`)
	if width >= 760 {
		// Keyboard only: j moves down the queue to the case, Enter opens it.
		do(chromedp.WaitVisible(item))
		var at int
		fmt.Sscan(eval(`String([...document.querySelectorAll("#cases li button")].findIndex(b => b.dataset.case === `+jsString(caseID)+`))`), &at)
		if at < 0 {
			t.Fatalf("case %s is not in the filtered queue", caseID)
		}
		for range at + 1 {
			do(chromedp.KeyEvent("j"))
		}
		if got := eval(`document.activeElement?.dataset?.case || ""`); got != caseID {
			t.Fatalf("after %d × j the focus is on case %q, want %s", at+1, got, caseID)
		}
		do(chromedp.KeyEvent("\r"))
	} else {
		do(clickWhenThere(string(item)))
	}
	do(chromedp.WaitVisible(css("#claim-btn")),
		shot("1-case"))
	if width < 760 {
		do(chromedp.Click(css("#claim-btn")))
	} else {
		do(chromedp.KeyEvent("c")) // the keyboard shortcut claims
	}
	do(
		waitText("#case-status", str("status.in_review")),
		chromedp.WaitVisible(css("#decide-btn")))
	// The decision form comes after the evidence.
	if eval(`String(!!(document.querySelector(".post").compareDocumentPosition(document.querySelector("form.decide")) & Node.DOCUMENT_POSITION_FOLLOWING))`) != "true" {
		t.Error("the decision form comes before the evidence")
	}
	postText := eval(`document.querySelector(".post .text").textContent`)
	rationale := "e2e " + lang + ": recruitment call, refer"
	reason := "e2e " + lang + ": the author says this is a quote"
	do(choose("#decision-action", "refer"),
		chromedp.SendKeys(css("#decision-rationale"), rationale),
		shot("2-claimed"),
		chromedp.Click(css("#decide-btn")),
		// The demo platform accepts the referral: sent, case actioned.
		waitText("#referrals", str("ref.sent")),
		waitText("#case-status", str("status.actioned")),
		chromedp.WaitVisible(css("#appeal-reason")),
		shot("3-actioned"),
		chromedp.SendKeys(css("#appeal-reason"), reason),
		chromedp.Click(css("#appeal-btn")),
		waitText("#case-status", str("status.appealed")),
		waitText("#history", reason),
		waitText("#history", str("action.appeal")),
		chromedp.WaitVisible(css("#claim-btn")), // an appealed case is reviewed again
		shot("4-appealed"))
	caseText := eval(`document.getElementById("case").innerText`)
	caseWidth := eval(`String(document.getElementById("case").getBoundingClientRect().width)`)
	inner := eval(`String(window.innerWidth)`)
	scroll := eval(`String(document.documentElement.scrollWidth)`)

	// "All" survives a language switch.
	do(choose("#status-filter", ""), choose("#lang", "en"), choose("#lang", lang))
	if v, l := eval(`document.getElementById("status-filter").value`), eval(`document.documentElement.lang`); v != "" || l != lang {
		t.Errorf("after a language switch the status filter is %q (want all) and the page language %q (want %s)", v, l, lang)
	}
	for _, s := range strings.Split(sevText, "|") {
		if s == "high" || s == "medium" || s == "low" {
			t.Errorf("severity badge %q is not translated to %s", s, lang)
		}
	}
	// The case pane uses the width it has (it was 48 px at 390 px) and
	// nothing overflows sideways.
	var cw, iw, sw float64
	fmt.Sscan(caseWidth, &cw)
	fmt.Sscan(inner, &iw)
	fmt.Sscan(scroll, &sw)
	if width < 760 && cw < 0.9*iw || cw < 300 {
		t.Errorf("at %d px the case pane is %.0f px wide", width, cw)
	}
	if sw > iw+1 {
		t.Errorf("at %d px the page scrolls sideways: %.0f px wide", width, sw)
	}
	// Dates and counts in the UI's language: ar-MA writes Latin digits, and
	// no English word leaks into the Arabic or French screen.
	if strings.ContainsAny(caseText, "٠١٢٣٤٥٦٧٨٩") {
		t.Errorf("%s case shows Arabic-Indic digits; Moroccan analysts read Latin digits", lang)
	}
	for _, w := range []string{" posts", "in_review", "actioned", "appealed", "high", "medium", " AM", " PM", "Dec ", "Refer"} {
		if strings.Contains(caseText, w) {
			t.Errorf("%s case text has the English %q:\n%s", lang, w, caseText)
		}
	}
	// A server error shows as the catalogue's message for its code.
	do(void(chromedp.Evaluate[bool](`(Promise.all([import("/ui/api.js"), import("/ui/dom.js")]).then(([a, d]) => a.api("POST", "/v1/cases/999999999/claim").catch((e) => d.flash(a.errText(e)))), true)`)),
		waitText("#flash", str("err.not_found")))
	// The other pages, in the same shell: the referral per platform, the
	// appeal with its reason, the dashboard's charts.
	nav := func(page string) chromedp.Action[chromedp.Void] {
		return clickWhenThere(`#nav a[data-page="` + page + `"]`)
	}
	do(nav("referrals"),
		poll(`[...document.querySelectorAll("section.platform a")].some(a => a.textContent === "#`+caseID+`")`),
		shot("5-referrals"),
		nav("appeals"),
		waitText("#appeals", reason),
		nav("dashboard"),
		poll(`(() => { const c = document.getElementById("chart-volumes"); return !!c && c.width > 0 && !!window.Chart && Chart.getChart(c) != null })()`),
		poll(`document.querySelectorAll(".charts canvas").length === 5`),
		shot("6-dashboard"))
	if v := eval(`String(document.querySelectorAll('#nav a[data-page="audit"]').length)`); v != "0" {
		t.Errorf("an analyst sees the audit page's link")
	}
	var dsw, diw float64
	fmt.Sscan(eval(`String(document.documentElement.scrollWidth)`), &dsw)
	fmt.Sscan(eval(`String(window.innerWidth)`), &diw)
	if dsw > diw+1 {
		t.Errorf("at %d px the dashboard scrolls sideways: %.0f px wide", width, dsw)
	}

	// Sign out: nothing of the case, the queue or the session stays on
	// screen, in the browser's storage, or on the server.
	do(nav("queue"), chromedp.WaitVisible(css("#cases li button")),
		chromedp.Click(css("#logout")),
		chromedp.WaitVisible(css("#login-form")),
		shot("7-signed-out"))
	after := eval(`document.body.innerText`)
	for _, leak := range []string{d.password, rationale, reason, firstWords(postText, 3), "#" + caseID, "demo-analyst"} {
		if leak != "" && strings.Contains(after, leak) {
			t.Errorf("after sign-out the screen still shows %q", leak)
		}
	}
	if v := eval(`document.getElementById("login-password").value + document.getElementById("login-name").value`); v != "" {
		t.Errorf("after sign-out the sign-in form holds %q", v)
	}
	if v := eval(`JSON.stringify([sessionStorage.length, Object.keys(localStorage).filter(k => k !== "basira.lang" && k !== "basira.digits"), location.hash])`); v != `[0,[],""]` {
		t.Errorf("after sign-out the browser keeps %s", v)
	}
	do(poll(`(window.__s = window.__s || fetch("/v1/session").then(r => r.json()).then(j => { window.__signedIn = j.signed_in; })), window.__signedIn === false`))
	if v := eval(`getComputedStyle(document.getElementById("app")).display`); v != "none" {
		t.Errorf("after sign-out the app's display is %q", v)
	}
	cancelTimeout()
	cancel()
	<-consoleDone
	mu.Lock()
	defer mu.Unlock()
	// The 404 asked for on purpose above is the one network error allowed.
	for _, p := range problems {
		if !strings.Contains(p, "/v1/cases/999999999/claim") && !strings.Contains(p, "404 (Not Found)") {
			t.Errorf("browser console: %s", p)
		}
	}
}

// evidenceCards opens, read-only, the cases of three demo posts whose
// evidence used to be unreadable: a fact-check match, an image hash match
// and a donation appeal with a wallet, at 360 px in Arabic.
func evidenceCards(t *testing.T, browser context.Context, d *demo, msg map[string]any, artefacts string) {
	tab, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	defer cancel()
	if err := chromedp.Do(tab); err != nil {
		t.Fatal(err)
	}
	ctx, cancelTimeout := context.WithTimeout(tab, 50*time.Second)
	defer cancelTimeout()
	str := func(k string) string { s, _ := msg[k].(string); return s }
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	// This session signs in with the one-time link serve --demo prints.
	// At 360 px, the narrowest phone the screen is made for.
	err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 900),
		chromedp.Navigate(d.link),
		chromedp.WaitVisible(css("#cases")),
		void(chromedp.Evaluate[bool](`(() => { const s = document.getElementById("lang"); s.value = "ar"; s.dispatchEvent(new Event("change")); return true })()`)),
		void(chromedp.Evaluate[bool](`(() => { const s = document.getElementById("status-filter"); s.value = ""; s.dispatchEvent(new Event("change")); return true })()`)))
	if err != nil {
		t.Fatal(err)
	}
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || strings.Contains(loc, "#link=") {
		t.Errorf("after the sign-in link the address bar still holds it: %q (%v)", loc, err)
	}
	for _, c := range []struct {
		platform, id, card string
		want               []string
	}{
		{"x", "d07", ".card.factcheck", []string{str("rating"), str("correction"), str("read_factcheck")}},
		{"telegram", "d04", ".card.hash", []string{str("bank"), strings.Split(str("distance_bits"), "{n}")[1], str("reveal_image")}},
		{"telegram", "d11", ".card.finance", []string{"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", str("id.bitcoin"), "✓ " + str("valid")}},
	} {
		id := d.caseOf(t, c.platform, c.id)
		item := css(`#cases button[data-case="` + id + `"]`)
		text, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) (string, error) {
			// The queue on screen may predate the case: refresh it.
			if _, err := chromedp.Steps(chromedp.Click(css("#refresh")), clickWhenThere(string(item)), chromedp.WaitVisible(css(c.card)))(ctx, tg); err != nil {
				return "", err
			}
			buf, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return "", err
			}
			if err := os.WriteFile(filepath.Join(artefacts, "evidence-"+c.id+".png"), buf, 0o644); err != nil {
				return "", err
			}
			return chromedp.Evaluate[string](fmt.Sprintf(`[...document.querySelectorAll(%s)].map(e => e.innerText).join("\n")`, jsString(c.card)))(ctx, tg)
		})
		if err != nil {
			t.Fatalf("case %s of %s: %v", id, c.id, err)
		}
		for _, w := range c.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s card of %s lacks %q:\n%s", c.card, c.id, w, text)
			}
		}
		// Long identifiers wrap inside their card (a wallet once ran off it).
		if fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`[...document.querySelectorAll(".card, .post")].every(c => c.scrollWidth <= c.clientWidth + 1)`)); err != nil || !fits {
			t.Errorf("case of %s: a card's content is wider than the card (%v)", c.id, err)
		}
		if c.id == "d04" {
			// The matched image comes blurred and grey; a click reveals it.
			reveal, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) (string, error) {
				if _, err := chromedp.Poll[bool](`(() => { const i = document.querySelector(".card.hash .thumb img"); return !!i && i.complete && i.naturalWidth > 0 })()`,
					chromedp.WithPollingTimeout(10*time.Second))(ctx, tg); err != nil {
					return "", err
				}
				before, err := chromedp.Evaluate[string](`getComputedStyle(document.querySelector(".card.hash .thumb img")).filter`)(ctx, tg)
				if err != nil {
					return "", err
				}
				if _, err := chromedp.Steps(chromedp.Click(css(".card.hash .thumb")))(ctx, tg); err != nil {
					return "", err
				}
				buf, err := chromedp.FullScreenshot(100)(ctx, tg)
				if err == nil {
					os.WriteFile(filepath.Join(artefacts, "evidence-d04-revealed.png"), buf, 0o644)
				}
				after, err := chromedp.Evaluate[string](`getComputedStyle(document.querySelector(".card.hash .thumb img")).filter + "|" + document.querySelector(".card.hash .thumb").getAttribute("aria-pressed")`)(ctx, tg)
				return before + " → " + after, err
			})
			if err != nil || !strings.Contains(reveal, "blur") || !strings.HasSuffix(reveal, "|true") || strings.Contains(strings.Split(reveal, "→")[1], "blur") {
				t.Errorf("revealing the image: %q (%v)", reveal, err)
			}
		}
		if c.id == "d07" {
			if href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(".card.factcheck a")?.href || ""`)); err != nil || !strings.HasPrefix(href, "https://") {
				t.Errorf("the fact-check card links to %q (%v)", href, err)
			}
		}
		// No raw key=value dump, no similarity of 0 beside a distance.
		if strings.Contains(text, "=") || strings.Contains(text, "similarity") || strings.Contains(text, str("similarity")+"\n0") {
			t.Errorf("%s card of %s is a raw dump:\n%s", c.card, c.id, text)
		}
	}
}

// auditPage: an administrator, added with the CLI while the service runs,
// signs in and sees the audit log's chain verified and its latest entries.
func auditPage(t *testing.T, browser context.Context, d *demo, msg map[string]any, artefacts string) {
	var out, errb syncBuffer
	env := &cli.Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""), Getenv: func(k string) string {
		if k == "BASIRA_HOME" {
			return d.home
		}
		return ""
	}}
	if code := cli.Run(context.Background(), env, []string{"account", "add", "--name", "ops", "--role", "admin", "--generate"}); code != 0 {
		t.Fatalf("account add: %s", errb.String())
	}
	password := strings.TrimSpace(out.String())
	tab, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	defer cancel()
	if err := chromedp.Do(tab); err != nil {
		t.Fatal(err)
	}
	ctx, cancelTimeout := context.WithTimeout(tab, 50*time.Second)
	defer cancelTimeout()
	str := func(k string) string { s, _ := msg[k].(string); return s }
	intact := strings.Split(str("audit_intact"), "{n}")[0]
	err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 900),
		chromedp.Navigate(d.base+"/ui/"),
		chromedp.WaitVisible(chromedp.CSS("#login-form")),
		void(chromedp.Evaluate[bool](`(() => { const s = document.getElementById("lang"); s.value = "fr"; s.dispatchEvent(new Event("change")); return true })()`)),
		chromedp.SendKeys(chromedp.CSS("#login-name"), "ops"),
		chromedp.SendKeys(chromedp.CSS("#login-password"), password),
		chromedp.Click(chromedp.CSS(`#login-form button[type="submit"]`)),
		clickWhenThere(`#nav a[data-page="audit"]`),
		void(chromedp.Poll[bool](`(document.getElementById("audit-status")?.textContent || "").includes(`+jsString(intact)+`) && document.querySelectorAll("#audit tbody tr").length > 10`,
			chromedp.WithPollingTimeout(20*time.Second))))
	if err != nil {
		t.Fatalf("audit page: %v", err)
	}
	if buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		os.WriteFile(filepath.Join(artefacts, "audit-fr-1366.png"), buf, 0o644)
	}
	// The account's creation by the CLI is in the log the page shows.
	if text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("audit").innerText`)); err != nil || !strings.Contains(text, "account:ops") {
		t.Errorf("the audit page lacks the account's creation: %v\n%.500s", err, text)
	}
}

// clickWhenThere clicks the element as soon as it exists, in one step in
// the page: the queue is re-rendered by each answer, so a node found by one
// protocol call may be gone by the next.
func clickWhenThere(sel string) chromedp.Action[chromedp.Void] {
	return void(chromedp.Poll[bool](fmt.Sprintf(`(() => { const b = document.querySelector(%s); if (!b) return false; b.click(); return true })()`, jsString(sel)),
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(25*time.Second)))
}

// void drops an action's value, to run it among other steps.
func void[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := a(ctx, t)
		return chromedp.Void{}, err
	}
}

func firstWords(s string, n int) string {
	f := strings.Fields(s)
	return strings.Join(f[:min(n, len(f))], " ")
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// browserTest skips a browser test in -short runs and where chromium is
// missing (failing instead under CI=true), and returns chromium's path
// and the folder screenshots go to ($BASIRA_ARTEFACTS, else a temporary
// folder kept after the test).
func browserTest(t *testing.T) (bin, artefacts string) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts the service and a browser")
	}
	bin = chromium()
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI=true but no chromium binary: .ci/run installs Debian's chromium")
		}
		t.Skip("no chromium binary on PATH (apt-get install chromium, or set BASIRA_CHROMIUM): browser tests skipped")
	}
	artefacts = os.Getenv("BASIRA_ARTEFACTS")
	if artefacts == "" {
		var err error
		if artefacts, err = os.MkdirTemp("", "basira-e2e-"); err != nil {
			t.Fatal(err)
		}
	} else if err := os.MkdirAll(artefacts, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", artefacts)
	return bin, artefacts
}

// startBrowser starts headless chromium for the test; it stops with it.
func startBrowser(t *testing.T, bin string) context.Context {
	t.Helper()
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()))...)
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	return browser
}
