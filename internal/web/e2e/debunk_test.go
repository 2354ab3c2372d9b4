package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/basira-org/basira/internal/cli"
)

// startDesk runs `basira serve --demo` with two analysts' accounts made
// beforehand: one writes a debunk, the other approves it. It returns
// their passwords.
func startDesk(t *testing.T) (base, writer, approver string) {
	home := t.TempDir()
	getenv := func(k string) string {
		if k == "BASIRA_HOME" {
			return home
		}
		return ""
	}
	account := func(name string) string {
		var out, errb syncBuffer
		if code := cli.Run(context.Background(), &cli.Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""), Getenv: getenv},
			[]string{"account", "add", "--role", "analyst", "--name", name, "--generate"}); code != 0 {
			t.Fatalf("account add: %s", errb.String())
		}
		return strings.TrimSpace(out.String())
	}
	writer, approver = account("writer"), account("approver")
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
	addrRe := regexp.MustCompile(`listening on (\S+)`)
	for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		if m := addrRe.FindStringSubmatch(errb.String()); m != nil {
			return "http://" + m[1], writer, approver
		}
		if time.Since(start) > 30*time.Second {
			t.Fatalf("serve --demo did not start: %s", errb.String())
		}
	}
}

// TestDebunkInChromium: an analyst writes a debunk in the review screen
// (Arabic and French), cannot approve it herself, a second analyst
// approves and publishes it, and a reader opens the public pages in
// Arabic and French on a phone. Screenshots go to $BASIRA_ARTEFACTS.
func TestDebunkInChromium(t *testing.T) {
	bin, artefacts := browserTest(t)
	base, writer, approver := startDesk(t)

	browser := startBrowser(t, bin)

	var mu sync.Mutex
	var problems []string
	// tab opens a tab whose console errors (CSP violations included) fail
	// the test, and returns its steps runner.
	tab := func(name string, width int) (do func(...chromedp.Action[chromedp.Void]), eval func(string) string) {
		// Each analyst in a browser context of her own (her own cookies).
		tb, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
		t.Cleanup(cancel)
		if err := chromedp.Do(tb); err != nil {
			t.Fatal(err)
		}
		messages := chromedp.Console(tb)
		go func() {
			for m, err := range messages {
				if err != nil {
					return
				}
				if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
					mu.Lock()
					problems = append(problems, fmt.Sprintf("%s: %s (%s) %s", name, m.Type, m.Text, m.URL))
					mu.Unlock()
				}
			}
		}()
		ctx, cancelTimeout := context.WithTimeout(tb, 60*time.Second)
		t.Cleanup(cancelTimeout)
		do = func(steps ...chromedp.Action[chromedp.Void]) {
			t.Helper()
			if err := chromedp.Do(ctx, append([]chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(int64(width), 900)}, steps...)...); err != nil {
				if buf, serr := chromedp.Run(tb, chromedp.FullScreenshot(100)); serr == nil {
					os.WriteFile(filepath.Join(artefacts, "debunk-"+name+"-failed.png"), buf, 0o644)
				}
				mu.Lock()
				defer mu.Unlock()
				t.Fatalf("%s: %v\nbrowser console: %v", name, err, problems)
			}
		}
		eval = func(js string) string {
			t.Helper()
			v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
			if err != nil {
				t.Fatalf("%s: %s: %v", name, js, err)
			}
			return v
		}
		return do, eval
	}
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			buf, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(artefacts, "debunk-"+name+".png"), buf, 0o644)
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
	js := func(code string) chromedp.Action[chromedp.Void] {
		return void(chromedp.Evaluate[bool]("(() => {" + code + "; return true})()"))
	}
	set := func(id, value string) chromedp.Action[chromedp.Void] {
		return js(fmt.Sprintf(`const n = document.getElementById(%s); n.value = %s; n.dispatchEvent(new Event("change"))`, jsString(id), jsString(value)))
	}
	signIn := func(do func(...chromedp.Action[chromedp.Void]), lang, name, password string) {
		do(chromedp.Navigate(base+"/ui/"), chromedp.WaitVisible(chromedp.CSS("#login-form")),
			set("lang", lang),
			chromedp.SendKeys(chromedp.CSS("#login-name"), name),
			chromedp.SendKeys(chromedp.CSS("#login-password"), password),
			chromedp.Click(chromedp.CSS(`#login-form button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#nav a[data-page="debunks"]`)),
			chromedp.Click(chromedp.CSS(`#nav a[data-page="debunks"]`)),
			chromedp.WaitVisible(chromedp.CSS("#debunk-new")))
	}

	claimAR := "صورة تظهر انهيار جسر وادي الحراش في العاصمة بعد الأمطار"
	claimFR := "Une photo montre l'effondrement du pont d'Oued El Harrach après les pluies"
	// The writer, in Arabic.
	wdo, weval := tab("writer", 1366)
	signIn(wdo, "ar", "writer", writer)
	wdo(chromedp.Click(chromedp.CSS("#debunk-new")), chromedp.WaitVisible(chromedp.CSS("#debunk-form")),
		set("debunk-rating", "false"),
		set("debunk-ar-claim", claimAR),
		set("debunk-ar-truth", "الصورة قديمة وتعود إلى انهيار جسر في بلد آخر سنة 2018. الجسر في العاصمة سليم ومفتوح."),
		set("debunk-ar-evidence", "بحث عكسي عن الصورة وبيان وزارة الأشغال العمومية."),
		set("debunk-fr-claim", claimFR),
		set("debunk-fr-truth", "La photo date de 2018 et montre un autre pont, dans un autre pays. Le pont d'Alger est intact."),
		set("debunk-sources", "https://example.org/travaux-publics/communique بيان وزارة الأشغال العمومية"),
		shot("1-write-ar"),
		chromedp.Click(chromedp.CSS("#debunk-save")),
		poll(`(document.getElementById("debunk-status")?.textContent || "") === "مسودة"`),
		// Four eyes: the writer is not offered the approval of her draft.
		poll(`!document.getElementById("debunk-approve") && document.getElementById("debunk-four-eyes").textContent.includes("محلل آخر")`),
		shot("2-draft-ar"))
	if got := weval(`String(document.documentElement.scrollWidth)`); got != "1366" {
		t.Errorf("the debunk desk is %s px wide in a 1366 px window: %s", got, weval(`[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > 1366 || e.getBoundingClientRect().left < 0).slice(0, 5).map(e => e.tagName + "#" + e.id + "." + e.className + " " + Math.round(e.getBoundingClientRect().left) + ".." + Math.round(e.getBoundingClientRect().right)).join(", ")`))
	}
	id := weval(`document.querySelector("#debunk-list button").dataset.debunk`)

	// The approver, in French.
	ado, aeval := tab("approver", 1366)
	signIn(ado, "fr", "approver", approver)
	ado(clickWhenThere(`#debunk-list button[data-debunk="`+id+`"]`),
		poll(`(document.getElementById("debunk-status")?.textContent || "") === "brouillon"`),
		chromedp.Click(chromedp.CSS("#debunk-approve")),
		poll(`(document.getElementById("debunk-status")?.textContent || "") === "approuvée"`),
		chromedp.Click(chromedp.CSS("#debunk-publish")),
		poll(`(document.getElementById("debunk-status")?.textContent || "") === "publiée" && !!document.querySelector('#debunk-pages a[hreflang="fr"]')`),
		shot("3-published-fr"))
	pageAR := aeval(`document.querySelector('#debunk-pages a[hreflang="ar"]').href`)
	pageFR := aeval(`document.querySelector('#debunk-pages a[hreflang="fr"]').href`)

	// A reader on a phone: no token, the public pages.
	rdo, reval := tab("reader", 390)
	for _, p := range []struct{ lang, url, dir, claim string }{{"ar", pageAR, "rtl", claimAR}, {"fr", pageFR, "ltr", claimFR}} {
		rdo(chromedp.Navigate(p.url), chromedp.WaitVisible(chromedp.CSS("h1")),
			poll(`document.querySelector("img.card").complete && document.querySelector("img.card").naturalWidth === 1200`),
			shot("4-public-"+p.lang+"-390"))
		if got := reval(`document.documentElement.lang + " " + document.documentElement.dir`); got != p.lang+" "+p.dir {
			t.Errorf("%s page: lang and dir %q", p.lang, got)
		}
		if got := reval(`document.querySelector("blockquote").textContent`); got != p.claim {
			t.Errorf("%s page shows claim %q", p.lang, got)
		}
		if got := reval(`String(document.documentElement.scrollWidth)`); got != "390" {
			t.Errorf("%s page is %s px wide on a 390 px phone: it scrolls sideways", p.lang, got)
		}
		if got := reval(`(() => { const ld = JSON.parse(document.querySelector('script[type="application/ld+json"]').textContent); return ld["@type"] + " " + ld.reviewRating.ratingValue + "/" + ld.reviewRating.bestRating })()`); got != "ClaimReview 1/5" {
			t.Errorf("%s page JSON-LD: %q", p.lang, got)
		}
	}
	rdo(chromedp.Navigate(base+"/truth/?lang=fr"), chromedp.WaitVisible(chromedp.CSS("ul.index")), shot("5-index-fr-390"))
	mu.Lock()
	defer mu.Unlock()
	if len(problems) > 0 {
		t.Fatalf("browser console errors: %v", problems)
	}
}
