package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestRumourDeskInChromium: the demo's rumours reach the rumour desk page
// (an unchecked one spreading on three platforms, and one that repeats
// the demo's published fact-check, shown with it); an analyst opens the
// unchecked one's case from the desk and lands on it, its category in
// the screen's language. Arabic at 1366 px and French at 390 px; any
// console error fails; screenshots go to $BASIRA_ARTEFACTS.
func TestRumourDeskInChromium(t *testing.T) {
	bin, artefacts := browserTest(t)
	d := startDemo(t)
	msgs := catalogue(t)
	browser := startBrowser(t, bin)
	for i, r := range []struct {
		lang  string
		width int
	}{{"ar", 1366}, {"fr", 390}} {
		t.Run(fmt.Sprintf("%s-%d", r.lang, r.width), func(t *testing.T) {
			deskSession(t, browser, d, msgs[r.lang], r.lang, r.width, i == 0, artefacts)
		})
	}
}

// deskSession signs in, reads the desk, and (when open) opens the
// unchecked claim's case.
func deskSession(t *testing.T, browser context.Context, d *demo, msg map[string]any, lang string, width int, open bool, artefacts string) {
	tab, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	defer cancel()
	if err := chromedp.Do(tab); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var problems []string
	messages := chromedp.Console(tab)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
				mu.Lock()
				problems = append(problems, fmt.Sprintf("%s: %s %s", m.Type, m.Text, m.URL))
				mu.Unlock()
			}
		}
	}()
	ctx, cancelTimeout := context.WithTimeout(tab, 60*time.Second)
	defer cancelTimeout()
	str := func(k string) string { s, _ := msg[k].(string); return s }
	poll := func(js string) chromedp.Action[chromedp.Void] {
		return void(chromedp.Poll[bool](js, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(40*time.Second)))
	}
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			buf, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(artefacts, fmt.Sprintf("desk-%s-%d-%s.png", lang, width, name)), buf, 0o644)
		})
	}
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			if buf, serr := chromedp.Run(tab, chromedp.FullScreenshot(100)); serr == nil {
				os.WriteFile(filepath.Join(artefacts, fmt.Sprintf("desk-%s-%d-failed.png", lang, width)), buf, 0o644)
			}
			mu.Lock()
			defer mu.Unlock()
			t.Fatalf("%v\nbrowser console: %v", err, problems)
		}
	}
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	do(chromedp.EmulateViewport(int64(width), 900),
		chromedp.Navigate(d.base+"/ui/"),
		chromedp.WaitVisible(css("#login-form")),
		void(chromedp.Evaluate[bool](fmt.Sprintf(`(() => { const s = document.querySelector("#lang"); s.value = %s; s.dispatchEvent(new Event("change")); return true })()`, jsString(lang)))),
		chromedp.SendKeys(css("#login-name"), "demo-analyst"),
		chromedp.SendKeys(css("#login-password"), d.password),
		chromedp.Click(css(`#login-form button[type="submit"]`)),
		chromedp.WaitVisible(css("#cases li button")),
		clickWhenThere(`a[data-page="desk"]`),
		// The desk refreshes every 5 s in the demo: reload until both
		// rumours are there.
		poll(`(() => { if (document.querySelectorAll('article.cluster').length < 2) { if (!window.__r || Date.now() - window.__r > 2000) { window.__r = Date.now(); location.hash = "#/desk?t=" + Date.now(); } return false } return true })()`),
		poll(`document.querySelector('article.cluster[data-checked="no"]') !== null && document.querySelector('article.cluster[data-checked="yes"] .debunk-card a[href^="https://"]') !== null`),
		poll(fmt.Sprintf(`document.querySelector('article.cluster[data-checked="no"] .badge.unchecked').textContent === %s`, jsString(str("desk.unchecked")))),
		shot("1-desk"))
	if !open {
		return
	}
	do(chromedp.Click(css(`article.cluster[data-checked="no"] .actions button`)),
		poll(fmt.Sprintf(`(document.querySelector("#case-title")?.textContent || "").includes(%s)`, jsString(str("cat.emerging-claim")))),
		shot("2-case"))
	mu.Lock()
	defer mu.Unlock()
	if len(problems) > 0 {
		t.Errorf("browser console errors: %v", problems)
	}
}
