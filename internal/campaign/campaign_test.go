package campaign

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/store"
	"github.com/basira-org/basira/internal/textsig"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func flagged(key int64, exact, platform, cat, sev string, score float64, seen time.Time) store.Processing {
	prio := map[string]int{"low": 1, "medium": 2, "high": 3}[sev]
	return store.Processing{PostKey: key, ClusterKey: exact, Platform: platform, Category: cat, Severity: sev, Score: score, Priority: prio, Seen: seen}
}

func TestFoldSummary(t *testing.T) {
	posts := []store.Processing{
		flagged(4, "c1", "telegram", "incitement", "medium", 0.7, t0.Add(time.Hour)),
		{PostKey: 5, Platform: "telegram"}, // no signal: no case
		flagged(2, "c1", "telegram", "recruitment", "high", 0.9, t0),
		flagged(9, "c1", "x", "incitement", "low", 0.2, t0.Add(2*time.Hour)),
		flagged(7, "c2", "x", "incitement", "low", 0.2, time.Time{}),
	}
	keys := Resolve(posts, nil, nil)
	if fmt.Sprint(keys) != "[c1  c1 c1 c2]" {
		t.Fatalf("keys %q", keys)
	}
	now := t0.Add(time.Minute)
	got := Fold(posts, keys, now)
	want := []Summary{
		{Key: "c1", Count: 3, FirstSeen: Micro(t0), LastSeen: Micro(t0.Add(2 * time.Hour)), Category: "recruitment", Severity: "high",
			Strength: 3.45, Score: 0.9, Priority: 3, Platforms: []string{"telegram", "x"}, Opener: 2},
		{Key: "c2", Count: 1, FirstSeen: Micro(now), LastSeen: Micro(now), Category: "incitement", Severity: "low",
			Strength: 1.1, Score: 0.2, Priority: 1, Platforms: []string{"x"}, Opener: 4},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Fold:\n got %+v\nwant %+v", got, want)
	}
}

func sigOf(t testing.TB, text string) *textsig.Signature {
	s, err := textsig.Of(text)
	if err != nil {
		t.Fatal(err)
	}
	return &s
}

const (
	textA  = "يا شباب الأمة انفروا إلى ساحات الجهاد ولا تتأخروا عن نصرة إخوانكم"
	textA2 = "يا شباب الأمة انفروا إلى ساحات الجهاد ولا تتأخروا عن نصرة إخوانكم اليوم قبل الغد"
	textB  = "أعلنت وزارة الصحة عن حملة تلقيح جديدة في جميع المدن ابتداء من الأسبوع المقبل"
)

func TestResolveNear(t *testing.T) {
	p := func(key int64, exact, text string) store.Processing {
		x := flagged(key, exact, "x", "incitement", "high", 0.9, t0)
		x.Signature = sigOf(t, text)
		return x
	}
	// Within a batch: A2 joins A (an earlier root in exact-key order), B
	// stays apart; a copy whose exact key is placed follows the placement.
	posts := []store.Processing{p(3, "e-a2", textA2), p(1, "e-a", textA), p(2, "e-b", textB), p(4, "e-old", textB)}
	keys := Resolve(posts, map[string]string{"e-old": "stored-1"}, nil)
	if fmt.Sprint(keys) != "[e-a e-a e-b stored-1]" {
		t.Fatalf("keys %q", keys)
	}
	// Against stored cases: A2 joins the stored A case, not the unrelated one.
	near := [][]Stored{{{ID: 1, Key: "stored-b", Signature: *sigOf(t, textB)}, {ID: 2, Key: "stored-a", Signature: *sigOf(t, textA)}}}
	keys = Resolve([]store.Processing{p(5, "e-a2", textA2)}, nil, near)
	if keys[0] != "stored-a" {
		t.Fatalf("near a stored case: %q", keys)
	}
}

func TestRebase(t *testing.T) {
	posts := []store.Processing{{PostKey: 1, ClusterKey: "r"}, {PostKey: 2, ClusterKey: "f"}, {PostKey: 3, ClusterKey: "lost"}, {PostKey: 4}}
	keys := []string{"r", "r", "lost", ""}
	// Another worker placed r under "other" first; f's row is ours (it
	// says r), lost's row is theirs.
	out, fix := Rebase(posts, keys, map[string]string{"r": "other", "f": "r", "lost": "theirs"})
	if fmt.Sprint(out) != "[other other theirs ]" || !reflect.DeepEqual(fix, map[string]string{"f": "other"}) {
		t.Fatalf("Rebase: %q fix %v", out, fix)
	}
	out, fix = Rebase(posts, keys, map[string]string{"r": "r", "f": "r", "lost": "lost"})
	if !reflect.DeepEqual(out, keys) || fix != nil {
		t.Fatalf("Rebase with every key ours: %q fix %v", out, fix)
	}
}

// fuzzPosts builds a batch from fuzz bytes: small alphabets of exact keys,
// platforms, labels and texts, so keys collide and posts near each other.
func fuzzPosts(data []byte, n int) []store.Processing {
	texts := []string{textA, textA2, textB, textB + " الآن", "Rejoignez les frères au Sham, la hijra est un devoir pour chaque croyant"}
	sevs := []string{"low", "medium", "high"}
	var posts []store.Processing
	for i := 0; i+3 < len(data) && len(posts) < n; i += 4 {
		a, b, c, d := data[i], data[i+1], data[i+2], data[i+3]
		p := store.Processing{PostKey: int64(len(posts)*7%n + 1), Platform: []string{"x", "telegram", "tiktok"}[a%3]}
		if a%5 != 0 {
			p.ClusterKey = fmt.Sprintf("e%d", b%6)
			p.Category = []string{"incitement", "recruitment", "fraud"}[c%3]
			p.Severity = sevs[c/3%3]
			p.Priority = int(c/3%3) + 1
			p.Score = float64(d%5) / 4
			if d%3 != 0 {
				s, _ := textsig.Of(texts[int(b)%len(texts)])
				p.Signature = &s
			}
		}
		if d%7 != 0 {
			p.Seen = t0.Add(time.Duration(d) * time.Minute)
		}
		posts = append(posts, p)
	}
	return posts
}

func byKey(ss []Summary) map[string]Summary {
	m := map[string]Summary{}
	for _, s := range ss {
		s.Opener = 0
		m[s.Key] = s
	}
	return m
}

// FuzzFold: folding a batch at once, or in two parts merged in either
// order (two workers committing in either order), gives the same cases.
func FuzzFold(f *testing.F) {
	f.Add([]byte("0123456789abcdefghijklmnopqrstuvwxyz"), uint64(3))
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, uint64(0xffff))
	f.Fuzz(func(t *testing.T, data []byte, split uint64) {
		posts := fuzzPosts(data, 64)
		keys := Resolve(posts, nil, nil)
		now := t0.Add(time.Hour)
		all := byKey(Fold(posts, keys, now))
		var pa, pb []store.Processing
		var ka, kb []string
		for i := range posts {
			if split>>(i%64)&1 == 1 {
				pa, ka = append(pa, posts[i]), append(ka, keys[i])
			} else {
				pb, kb = append(pb, posts[i]), append(kb, keys[i])
			}
		}
		fa, fb := byKey(Fold(pa, ka, now)), byKey(Fold(pb, kb, now))
		n := 0
		for k, s := range all {
			n += s.Count
			x, inA := fa[k]
			y, inB := fb[k]
			var ab, ba Summary
			switch {
			case inA && inB:
				ab, ba = Merge(x, y), Merge(y, x)
			case inA:
				ab, ba = x, x
			default:
				ab, ba = y, y
			}
			if !reflect.DeepEqual(ab, s) || !reflect.DeepEqual(ba, s) {
				t.Fatalf("case %s: at once %+v, merged %+v / %+v", k, s, ab, ba)
			}
		}
		want := 0
		for _, k := range keys {
			if k != "" {
				want++
			}
		}
		if n != want || len(fa)+len(fb) < len(all) {
			t.Fatalf("counts add up to %d, want %d", n, want)
		}
	})
}

// FuzzResolve: copies of one exact key share a case, a post joins a stored
// case only when near it, roots are keyed by a batch post's exact key, and
// the order of the batch changes nothing.
func FuzzResolve(f *testing.F) {
	f.Add([]byte("0123456789abcdefghijklmnopqrstuvwxyz"), uint64(1))
	f.Add([]byte{5, 1, 2, 3, 7, 1, 2, 3, 9, 2, 2, 2, 11, 4, 4, 4}, uint64(42))
	f.Fuzz(func(t *testing.T, data []byte, seed uint64) {
		posts := fuzzPosts(data, 48)
		stored := []Stored{{ID: 1, Key: "s-a", Signature: *sigOf(t, textA)}, {ID: 2, Key: "s-b", Signature: *sigOf(t, textB)}}
		placed := map[string]string{}
		if seed&1 == 1 {
			placed["e0"] = "s-b"
		}
		near := make([][]Stored, len(posts))
		for i := range posts {
			if seed>>(i%60+1)&1 == 1 {
				near[i] = stored
			}
		}
		keys := Resolve(posts, placed, near)
		exacts := map[string]bool{}
		for _, p := range posts {
			exacts[p.ClusterKey] = true
		}
		byExact := map[string]string{}
		for i, p := range posts {
			k := keys[i]
			if (p.ClusterKey == "") != (k == "") {
				t.Fatalf("post %d exact %q got key %q", i, p.ClusterKey, k)
			}
			if k == "" {
				continue
			}
			if prev, ok := byExact[p.ClusterKey]; ok && prev != k {
				t.Fatalf("exact key %s split between %s and %s", p.ClusterKey, prev, k)
			}
			byExact[p.ClusterKey] = k
			if pl, ok := placed[p.ClusterKey]; ok && k != pl {
				t.Fatalf("exact key %s placed on %s, resolved to %s", p.ClusterKey, pl, k)
			}
			switch {
			case k == "s-a" || k == "s-b":
				if _, ok := placed[p.ClusterKey]; !ok && !nearAny(posts, p.ClusterKey, stored[map[string]int{"s-a": 0, "s-b": 1}[k]]) {
					t.Fatalf("post %d joined stored case %s, but no copy of its exact key is near it", i, k)
				}
			case !exacts[k]:
				t.Fatalf("post %d resolved to %q: neither stored nor a batch post's exact key", i, k)
			}
		}
		// The same posts in another order resolve the same way (near lists
		// move with their posts): posts are taken by exact key, then key.
		r := rand.New(rand.NewPCG(seed, 7))
		perm := r.Perm(len(posts))
		pp, nn := make([]store.Processing, len(posts)), make([][]Stored, len(posts))
		for i, j := range perm {
			pp[i], nn[i] = posts[j], near[j]
		}
		kk := Resolve(pp, placed, nn)
		for i, j := range perm {
			if kk[i] != keys[j] {
				t.Fatalf("order changed post %d: %q, was %q", posts[j].PostKey, kk[i], keys[j])
			}
		}
	})
}

// nearAny reports whether a post of exact key e is near stored case c.
func nearAny(posts []store.Processing, e string, c Stored) bool {
	for _, p := range posts {
		if p.ClusterKey == e && p.Signature != nil && textsig.Similarity(p.Signature, &c.Signature) >= textsig.DefaultThreshold {
			return true
		}
	}
	return false
}
