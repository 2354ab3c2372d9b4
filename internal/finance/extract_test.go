package finance

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/refdata"
)

type want struct {
	typ, value, text string
	valid            bool
}

func TestExtract(t *testing.T) {
	cases := []struct {
		name string
		text string
		want []want
	}{
		{"btc p2pkh in Arabic", "تبرعوا للمجاهدين على 1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH جزاكم الله",
			[]want{{"bitcoin", "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", true}}},
		{"btc bad checksum", "send to 1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMJ please",
			[]want{{"bitcoin", "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMJ", "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMJ", false}}},
		{"bech32 split in groups", "BTC: bc1q w508 d6qe jxtd g4y5 r3za rvar y0c5 xw7k v8f3 t4 merci",
			[]want{{"bitcoin", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "bc1q w508 d6qe jxtd g4y5 r3za rvar y0c5 xw7k v8f3 t4", true}}},
		{"bech32 zero-width inside", "bc1qw508d6qejx\u200btdg4y5r3zarvary0c5xw7kv8f3t4",
			[]want{{"bitcoin", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "bc1qw508d6qejx\u200btdg4y5r3zarvary0c5xw7kv8f3t4", true}}},
		{"bech32 line break", "wallet:\nbc1qw508d6qejxtdg4y5r3za\nrvary0c5xw7kv8f3t4\nshukran",
			[]want{{"bitcoin", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "bc1qw508d6qejxtdg4y5r3za\nrvary0c5xw7kv8f3t4", true}}},
		{"evm lower", "USDT (ERC20) 0x52908400098527886e0f7030069857d2e4169ee7 !",
			[]want{{"evm", "0x52908400098527886E0F7030069857D2E4169EE7", "0x52908400098527886e0f7030069857d2e4169ee7", true}}},
		{"evm bad checksum", "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
			[]want{{"evm", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", false}}},
		{"tron", "TRC20: TJRyWwFs9wTFGZg3JbrVriFbNfCug5tDeC",
			[]want{{"tron", "TJRyWwFs9wTFGZg3JbrVriFbNfCug5tDeC", "TJRyWwFs9wTFGZg3JbrVriFbNfCug5tDeC", true}}},
		// Spelled out one character at a time (issue 10): spaces, dots
		// or dashes, inside Arabic text, with a label before it.
		{"tron spelled", "تبرعوا USDT TRC20: T J R y W w F s 9 w T F G Z g 3 J b r V r i F b N f C u g 5 t D e C جزاكم الله",
			[]want{{"tron", "TJRyWwFs9wTFGZg3JbrVriFbNfCug5tDeC", "T J R y W w F s 9 w T F G Z g 3 J b r V r i F b N f C u g 5 t D e C", true}}},
		{"tron spelled dots", "T.J.R.y.W.w.F.s.9.w.T.F.G.Z.g.3.J.b.r.V.r.i.F.b.N.f.C.u.g.5.t.D.e.C",
			[]want{{"tron", "TJRyWwFs9wTFGZg3JbrVriFbNfCug5tDeC", "T.J.R.y.W.w.F.s.9.w.T.F.G.Z.g.3.J.b.r.V.r.i.F.b.N.f.C.u.g.5.t.D.e.C", true}}},
		{"bech32 spelled past 40 tokens", "b c 1 q w 5 0 8 d 6 q e j x t d g 4 y 5 r 3 z a r v a r y 0 c 5 x w 7 k v 8 f 3 t 4",
			[]want{{"bitcoin", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "b c 1 q w 5 0 8 d 6 q e j x t d g 4 y 5 r 3 z a r v a r y 0 c 5 x w 7 k v 8 f 3 t 4", true}}},
		// A spelled run whose checksum fails is not an address.
		{"tron spelled bad checksum", "T J R y W w F s 9 w T F G Z g 3 J b r V r i F b N f C u g 5 t D e D", nil},
		// Spaced-out ordinary words pass the prefilter and yield nothing.
		{"spaced words", "J O I N   U S   N O W   T H E   C A R A V A N   I S   L E A V I N G", nil},
		{"monero", "XMR 47ewoP19TN7JEEnFKUJHAYhGxkeTRH82sf36giEp9AcNfDBfkAtRLX7A6rZz18bbNHPNV7ex6WYbMN3aKisFRJZ8Ebsmgef.",
			[]want{{"monero", "47ewoP19TN7JEEnFKUJHAYhGxkeTRH82sf36giEp9AcNfDBfkAtRLX7A6rZz18bbNHPNV7ex6WYbMN3aKisFRJZ8Ebsmgef", "47ewoP19TN7JEEnFKUJHAYhGxkeTRH82sf36giEp9AcNfDBfkAtRLX7A6rZz18bbNHPNV7ex6WYbMN3aKisFRJZ8Ebsmgef", true}}},
		{"iban printed", "RIB/IBAN: MA64 0115 1900 0001 2050 0053 4921 (CIH)",
			[]want{{"iban", "MA64011519000001205000534921", "MA64 0115 1900 0001 2050 0053 4921", true}}},
		{"iban glued label", "IBANMA64011519000001205000534921",
			[]want{{"iban", "MA64011519000001205000534921", "MA64011519000001205000534921", true}}},
		{"iban wrong digits", "MA65 0115 1900 0001 2050 0053 4921",
			[]want{{"iban", "MA65011519000001205000534921", "MA65 0115 1900 0001 2050 0053 4921", false}}},
		{"rib", "الحساب 011 51900 00012050005349 21 البنك الشعبي",
			[]want{{"rib", "011519000001205000534921", "011 51900 00012050005349 21", true}}},
		{"rib arabic digits", "رقم الحساب ٠١١٥١٩٠٠٠٠٠١٢٠٥٠٠٠٥٣٤٩٢١",
			[]want{{"rib", "011519000001205000534921", "٠١١٥١٩٠٠٠٠٠١٢٠٥٠٠٠٥٣٤٩٢١", true}}},
		{"phone national dotted", "واتساب 06.50.12.34.56 للتبرع",
			[]want{{"phone", "+212650123456", "06.50.12.34.56", true}}},
		{"phone intl trunk", "call +212 (0) 6 50 12 34 56 now",
			[]want{{"phone", "+212650123456", "+212 (0) 6 50 12 34 56", true}}},
		{"phone arabic digits", "٠٦٥٠١٢٣٤٥٦", []want{{"phone", "+212650123456", "٠٦٥٠١٢٣٤٥٦", true}}},
		{"phone 00", "00212 7 00 12 34 56", []want{{"phone", "+212700123456", "00212 7 00 12 34 56", true}}},
		{"paypal", "donate: PayPal[dot]me/SomeHandle.", []want{{"payment_link", "paypal.me/SomeHandle", "PayPal[dot]me/SomeHandle", true}}},
		{"paypal https", "https://www.paypal.me/abc_1", []want{{"payment_link", "paypal.me/abc_1", "https://www.paypal.me/abc_1", true}}},
		{"cashtag", "Cash App: $SupportBrothers99 thanks", []want{{"payment_handle", "$SupportBrothers99", "$SupportBrothers99", true}}},
		{"price is no cashtag", "cash app costs $5 and $10", nil},
		{"paypal email", "تبرعوا عبر باي بال: donate.fund@example.org", []want{{"payment_handle", "donate.fund@example.org", "donate.fund@example.org", true}}},
		{"mention is no handle", "@USER شكرا لك على PayPal", nil},
		{"two phones", "0650123456 / 0661234567",
			[]want{{"phone", "+212650123456", "0650123456", true}, {"phone", "+212661234567", "0661234567", true}}},
		// Text that must yield nothing.
		{"arabizi", "sa7bi 3andi 9lil dyal l flous, 3la 7sab lah", nil},
		{"date and price", "le 12/05/2024 à 18h30, prix 250 dh", nil},
		{"word", "Internationalization-and-localization-are-hard", nil},
		{"url id", "https://drive.google.com/file/d/1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMJ/view", nil},
		{"tx hash", "tx 0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060", nil},
		{"year list", "1948 1967 1973 2023 2024", nil},
		// Country codes followed by digits in ordinary English (bills,
		// slugs): words end a printed IBAN.
		{"bill number", "H.R. 1233 was meant to improve the law", nil},
		{"code and words", "FO32 could be the largest one", nil},
		{"slug", "see cv19-vaccine-patented and it39s-only-a-strawberry-moon", nil},
		{"glued link", "GE19pic.twitter.com/hv9mk4xrNJ", nil},
		{"date and time", "le 05/06/2023 10:30, rendez-vous", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Extract(c.text)
			if len(got) != len(c.want) {
				t.Fatalf("Extract(%q) = %+v; want %d identifiers", c.text, got, len(c.want))
			}
			for i, w := range c.want {
				g := got[i]
				if g.Type != w.typ || g.Value != w.value || g.Valid != w.valid || g.Text != w.text || c.text[g.Span.Start:g.Span.End] != g.Text {
					t.Errorf("identifier %d = %+v; want %+v", i, g, w)
				}
				if !g.Valid && !strings.HasPrefix(g.Reason, "looks like") {
					t.Errorf("invalid identifier without a 'looks like' reason: %+v", g)
				}
			}
		})
	}
}

// TestExtractOFACAddresses embeds every real OFAC-listed address of a
// supported chain in an appeal, plain and obfuscated, and expects it back.
func TestExtractOFACAddresses(t *testing.T) {
	n := 0
	for _, ca := range validOFACAddresses(t, "XBT", "ETH", "USDT", "LTC", "TRX", "XMR", "USDC", "DASH") {
		chain, addr := ca[0], ca[1]
		n++
		for _, form := range []string{addr, spaced(addr, 4), spaced(addr, 1), zeroWidth(addr)} {
			text := "ادعموا إخوانكم، المحفظة: " + form + " بارك الله فيكم"
			ids := Extract(text)
			if len(ids) != 1 || !ids[0].Valid || !strings.EqualFold(ids[0].Value, addr) || ids[0].Text != form {
				t.Errorf("%s %q: Extract = %+v", chain, form, ids)
			}
		}
	}
	if n < 600 {
		t.Fatalf("only %d addresses", n)
	}
}

// validOFACAddresses returns the (chain, address) pairs of the OFAC list's
// addresses on the given chains that its validation marks valid, in the
// list's order.
func validOFACAddresses(t *testing.T, chains ...string) [][2]string {
	t.Helper()
	f, err := os.Open(refdata.Path(t, "finance/sanctions/ofac_crypto_addresses_validated.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	var out [][2]string
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		if slices.Contains(chains, c[0]) && c[3] == "true" {
			out = append(out, [2]string{c[0], c[1]})
		}
	}
	return out
}

func spaced(s string, n int) string { return split(s, n, " ") }

func split(s string, n int, sep string) string {
	var b strings.Builder
	for i := 0; i < len(s); i += n {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(s[i:min(i+n, len(s))])
	}
	return b.String()
}

// TestExtractSplitAddresses splits every valid OFAC address of a supported
// chain into groups of 3 to 17 characters with spaces, line breaks, hyphens
// or ". " between them: all must be found (the prefilter included).
func TestExtractSplitAddresses(t *testing.T) {
	var addrs []string
	for _, ca := range validOFACAddresses(t, "XBT", "ETH", "USDT", "LTC", "TRX", "XMR") {
		addrs = append(addrs, ca[1])
	}
	for _, g := range []int{3, 4, 5, 8, 17} {
		for _, sep := range []string{" ", "\n", "-", ". "} {
			missed := 0
			for _, a := range addrs {
				ids := Extract("تبرعوا: " + split(a, g, sep) + " شكرا")
				if len(ids) != 1 || !ids[0].Valid || !strings.EqualFold(ids[0].Value, a) {
					missed++
				}
			}
			if missed > 0 {
				t.Errorf("groups of %d joined by %q: %d of %d addresses missed", g, sep, missed, len(addrs))
			}
		}
	}
}

func zeroWidth(s string) string { return s[:len(s)/2] + "\u200b" + s[len(s)/2:] }

func TestExtractIBANExamples(t *testing.T) {
	f, err := os.Open(refdata.Path(t, "finance/iban/php-iban_example_ibans.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	n, found := 0, 0
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		if c[3] != "valid" {
			continue
		}
		n++
		ids := Extract("virement sur " + c[1] + " merci")
		for _, id := range ids {
			if id.Type == TypeIBAN && id.Valid && id.Value == c[2] {
				found++
				break
			}
		}
	}
	// Every IBAN written with spaces, dots or hyphens must be found.
	if found != n {
		t.Errorf("found %d of %d real-world IBANs", found, n)
	}
}
