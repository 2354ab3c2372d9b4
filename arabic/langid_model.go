package arabic

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"unicode/utf8"
)

// The language model is a multinomial logistic regression over hashed
// features of the folded words: the word itself, character 1-, 2- and
// 3-grams with word boundaries, and flags for Persian/Urdu letters,
// Maghrebi letters and Arabizi digits seen before folding. There is one
// model per script family (Arabic script: ar, ary, ar-dialect, fa — fa
// stands for Persian and Urdu; Latin script: en, fr, ary-Latn), chosen by
// the letters of the text. Weights are int8
// in 2^14 buckets per family (about 115 KB embedded).
//
// The model is rebuilt by `go generate ./arabic` (internal/langidtrain),
// which reads shippable training data only: lingua-go test sentences
// (Apache-2.0) for ar, fa, ur, fr, en; DODa MIT-licensed Arabizi sentences
// for ary-Latn, and for ary their Arabic-script transliteration plus a
// hand-written Darija lexicon; OSACT 2020 train (CC-BY) and MLMA Arabic
// (MIT) tweets, mostly Egyptian, Gulf and Levantine, for ar-dialect. See
// docs/text-engine.md.

//go:generate go run ./internal/langidtrain -out langid_model.bin

//go:embed langid_model.bin
var langModelBin []byte

const (
	familyArabic = 0
	familyLatin  = 1
	langBits     = 14
	maxLangRunes = 600 // longer texts are identified from their first words
)

// Family class lists, in model order.
var familyClasses = [2][]string{
	{LangMSA, LangDarija, LangOtherDialect, "fa"},
	{LangEnglish, LangFrench, LangArabizi},
}

type familyModel struct {
	k    int
	bias []int32
	// weights holds each bucket's class weights side by side (classes past
	// k are 0), so that scoring reads one 4-byte group per feature.
	weights *[1 << langBits][4]int8
	// first3 holds the weights of the first three classes only (ar, ary
	// and ar-dialect in the Arabic-script family), what is read when the
	// text has no Persian or Urdu letters and only those three compete.
	first3 *[1 << langBits][3]int8
}

type langIDModel struct {
	fam [2]familyModel
	err error
}

var langModel = sync.OnceValue(func() *langIDModel {
	m, err := decodeLangModel(langModelBin)
	if err != nil {
		return &langIDModel{err: err}
	}
	return m
})

const langMagic = "BSRLID2\n"

func decodeLangModel(b []byte) (*langIDModel, error) {
	if len(b) < len(langMagic) || string(b[:len(langMagic)]) != langMagic {
		return nil, errors.New("arabic: langid_model.bin is not a Basira language model (rebuild with go generate ./arabic)")
	}
	b = b[len(langMagic):]
	m := &langIDModel{}
	for f := range 2 {
		k := len(familyClasses[f])
		need := 4*k + k<<langBits
		if len(b) < need {
			return nil, fmt.Errorf("arabic: langid_model.bin truncated in family %d", f)
		}
		fm := familyModel{k: k, bias: make([]int32, k), weights: new([1 << langBits][4]int8)}
		for c := range k {
			fm.bias[c] = int32(binary.LittleEndian.Uint32(b[4*c:]))
		}
		b = b[4*k:]
		fm.first3 = new([1 << langBits][3]int8)
		for i := range k << langBits {
			fm.weights[i/k][i%k] = int8(b[i])
			if i%k < 3 {
				fm.first3[i/k][i%k] = int8(b[i])
			}
		}
		b = b[k<<langBits:]
		m.fam[f] = fm
	}
	return m, nil
}

// classify picks the best class of family f for the scanned text, and
// returns its lead over the runner-up class second: its score minus the
// runner-up's (model units; negative when a Darija marker overrides the
// model's ar).
func (m *langIDModel) classify(s *scanner, folded string, f int) (l string, lead int32, second string) {
	if m.err != nil {
		return heuristicLang(s, folded, f), 0, ""
	}
	fm := &m.fam[f]
	// Persian and Urdu text practically always has one of their own
	// letters (ی ک گ پ چ ے ہ ھ …); without any, only ar, ary and
	// ar-dialect compete.
	only3 := f == familyArabic && !s.persianLetters()
	// Scalar sums rather than an array: they stay in registers, where an
	// array would be read and written back in memory for every feature.
	var s0, s1, s2, s3 int32
	if only3 {
		s0, s1, s2 = s.score3(folded, fm.first3)
	} else {
		s.feats = s.features(folded, s.feats[:0])
		w := fm.weights
		for _, h := range s.feats {
			b := &w[h>>(32-langBits)]
			s0 += int32(b[0])
			s1 += int32(b[1])
			s2 += int32(b[2])
			s3 += int32(b[3])
		}
	}
	var score [4]int32
	copy(score[:], fm.bias)
	score[0] += s0
	score[1] += s1
	score[2] += s2
	score[3] += s3
	k := fm.k
	if only3 {
		k = 3
	}
	best := 0
	for c := 1; c < k; c++ {
		if score[c] > score[best] {
			best = c
		}
	}
	if only3 && best == 0 && s.marker {
		// A word that only Darija writes (ديال, واش, بزاف …) makes the text
		// Darija even inside MSA sentences, as comments mix both.
		return LangDarija, score[1] - score[0], LangMSA
	}
	lead = int32(math.MaxInt32)
	for c := range k {
		if c != best && score[best]-score[c] < lead {
			lead = score[best] - score[c]
			second = familyClasses[f][c]
		}
	}
	l = familyClasses[f][best]
	if l == "fa" {
		return LangUnknown, lead, second
	}
	return l, lead, second
}

// heuristicLang is used only if the embedded model cannot be read.
func heuristicLang(s *scanner, folded string, f int) string {
	if f == familyArabic {
		for _, sp := range s.spans {
			if w := folded[sp.ts:sp.te]; darijaMarkers().has(wordHash(w)) || hasBaseMarker(w, darijaMarkers()) {
				return LangDarija
			}
		}
		return LangMSA
	}
	for _, sp := range s.spans {
		if looksArabizi(folded[sp.ts:sp.te]) {
			return LangArabizi
		}
	}
	return LangEnglish
}

// darijaLexicon lists words that mark Darija, written for Basira (see the
// file). Its words (folded) are a feature of the model, and its lines are
// training samples of ary.
//
//go:embed darija_lexicon.txt
var darijaLexicon string

// markerTable is the set of folded lexicon words as word hashes (the hash
// of the word feature) in an open-addressing table: no string hashing on
// the hot path. A 32-bit collision with another word is possible and
// harmless (about 1 in 10 million words).
type markerTable [1024]uint32

var darijaMarkers = sync.OnceValue(func() *markerTable {
	var t markerTable
	for _, line := range strings.Split(darijaLexicon, "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		for _, w := range strings.Fields(Fold(line)) {
			h := wordHash(w) | 1 // 0 marks an empty slot
			for i := h >> 22; ; i = (i + 1) & 1023 {
				if t[i] == 0 || t[i] == h {
					t[i] = h
					break
				}
			}
		}
	}
	return &t
})

func (t *markerTable) has(h uint32) bool {
	h |= 1
	for i := h >> 22; ; i = (i + 1) & 1023 {
		switch t[i] {
		case h:
			return true
		case 0:
			return false
		}
	}
}

// wordHash is FNV-1a of the word, seeded: the word feature's hash.
func wordHash(w string) uint32 {
	h := uint32(seedWord)
	for i := 0; i < len(w); i++ {
		h = (h ^ uint32(w[i])) * 16777619
	}
	return h
}

// wordHash2 returns wordHash(w) and wordHash(w[off:]), computed in one
// pass: the two multiply chains run side by side.
func wordHash2(w string, off int) (h, hb uint32) {
	h, hb = seedWord, seedWord
	i := 0
	for ; i < off && i < len(w); i++ {
		h = (h ^ uint32(w[i])) * 16777619
	}
	for ; i < len(w); i++ {
		c := uint32(w[i])
		h = (h ^ c) * 16777619
		hb = (hb ^ c) * 16777619
	}
	return h, hb
}

// Feature hashing. Each feature is a 32-bit hash; its top langBits bits
// pick the bucket.
const (
	hashMul  = 0x9E3779B1
	seedWord = 0x5bd1e995
	seedFlag = 0x27d4eb2d
)

// mix spreads a feature hash over the top bits (Fibonacci hashing); the
// bucket is the top langBits bits.
func mix(h uint32) uint32 { return h * 0x9E3779B1 }

// features appends the hash of every feature of the scanned text to out.
func (s *scanner) features(folded string, out []uint32) []uint32 {
	budget := maxLangRunes
	markers := darijaMarkers()
	s.marker = false
	for i := range s.spans {
		if budget <= 0 {
			return out
		}
		sp := &s.spans[i]
		w := folded[sp.ts:sp.te]
		out = spanFeatures(sp, out)
		var h uint32
		var n int
		var marker bool
		out, h, marker = wordFlagFeatures(sp, w, markers, out)
		s.marker = s.marker || marker
		out, n = wordFeatures(w, h, out)
		budget -= n
	}
	return out
}

// spanFeatures appends the features that depend on the original letters
// of span sp rather than on its folded word: Persian/Urdu and Maghrebi
// letters.
func spanFeatures(sp *span, out []uint32) []uint32 {
	if sp.flags&fPersian != 0 {
		out = append(out, mix(seedFlag+1))
	}
	if sp.flags&fMaghreb != 0 {
		out = append(out, mix(seedFlag+2))
	}
	return out
}

// wordFlagFeatures appends the flag features of folded word w (span sp):
// Arabizi digits, Darija marker words (also behind proclitics), verb and
// negation shapes. It returns the word's hash and whether it is a marker.
// They depend only on w and on whether it has Arabic letters.
func wordFlagFeatures(sp *span, w string, markers *markerTable, out []uint32) ([]uint32, uint32, bool) {
	// A word with an Arabic letter never looks like Arabizi.
	if sp.flags&fArabic == 0 && looksArabizi(w) {
		out = append(out, mix(seedFlag+3))
	}
	if sp.base == 0 && sp.flags&fArabic != 0 {
		// Not known yet (DetectLang, training): the proclitics' length.
		sp.base = 1 + len(w) - len(StripClitics(w))
	}
	var h, hb uint32
	if sp.base > 1 {
		h, hb = wordHash2(w, sp.base-1)
	} else {
		h = wordHash(w)
	}
	marker := false
	if sp.flags&fArabic != 0 {
		if markers.has(h) || sp.base > 1 && markers.has(hb) {
			marker = true
			out = append(out, mix(seedFlag+4))
		}
		if darijaVerb(w) {
			out = append(out, mix(seedFlag+5))
		}
		if darijaNegation(w) {
			out = append(out, mix(seedFlag+6))
		}
	}
	return out, h, marker
}

// wordFeatures appends the features of the letters of w — the whole word
// (hash h) and its character 1-, 2- and 3-grams with word boundaries — and
// returns its number of runes.
func wordFeatures(w string, h uint32, out []uint32) ([]uint32, int) {
	out = append(out, mix(h))
	// Character n-grams over <w>: h1, h2, h3 end at the current rune.
	const bow, eow = 0x110000, 0x110001
	h1, h2 := uint32(bow), uint32(0)
	runes := 0
	for i := 0; i < len(w); {
		// Inline decoding: folded words are ASCII or two-byte letters.
		var x uint32
		switch c := w[i]; {
		case c < 0x80:
			x = uint32(c)
			i++
		case c&0xE0 == 0xC0 && i+1 < len(w):
			x = uint32(c&0x1F)<<6 | uint32(w[i+1]&0x3F)
			i += 2
		default:
			r, n := utf8.DecodeRuneInString(w[i:])
			x = uint32(r)
			i += n
		}
		n2 := h1*hashMul + x
		out = append(out, mix(n2*3+2))
		if h2 != 0 {
			out = append(out, mix((h2*hashMul+x)*3+3))
		}
		h2, h1 = n2, x
		runes++
	}
	x := uint32(eow)
	out = append(out, mix((h1*hashMul+x)*3+2))
	if h2 != 0 {
		out = append(out, mix((h2*hashMul+x)*3+3))
	}
	return out, runes
}

// score3 sums the weights of the first three classes (ar, ary,
// ar-dialect) over the features of the scanned text: the same sums as
// features followed by a lookup of each. The features that depend only on a word's spelling are
// summed once per spelling and kept in the scanner's word cache, as
// tweets repeat their frequent words.
func (s *scanner) score3(folded string, w3 *[1 << langBits][3]int8) (s0, s1, s2 int32) {
	budget := maxLangRunes
	markers := darijaMarkers()
	s.marker = false
	if s.words == nil {
		s.words = new(wordCache)
	}
	tmp := s.feats[:0]
	for i := range s.spans {
		if budget <= 0 {
			break
		}
		sp := &s.spans[i]
		w := folded[sp.ts:sp.te]
		if sp.flags&(fPersian|fMaghreb) != 0 {
			for _, f := range spanFeatures(sp, tmp[:0]) {
				b := &w3[f>>(32-langBits)]
				s0 += int32(b[0])
				s1 += int32(b[1])
				s2 += int32(b[2])
			}
		}
		arabic := sp.flags & fArabic
		var e *wordEntry
		if len(w) <= len(e.word) {
			e = &s.words[wordSlot(w)]
			if int(e.n) == len(w) && e.arabic == arabic && string(e.word[:e.n]) == w {
				s0 += e.s0
				s1 += e.s1
				s2 += e.s2
				budget -= int(e.runes)
				s.marker = s.marker || e.marker
				continue
			}
		}
		var h uint32
		var n int
		var marker bool
		tmp, h, marker = wordFlagFeatures(sp, w, markers, tmp[:0])
		tmp, n = wordFeatures(w, h, tmp)
		var a0, a1, a2 int32
		for _, f := range tmp {
			b := &w3[f>>(32-langBits)]
			a0 += int32(b[0])
			a1 += int32(b[1])
			a2 += int32(b[2])
		}
		s0 += a0
		s1 += a1
		s2 += a2
		budget -= n
		s.marker = s.marker || marker
		if e != nil {
			*e = wordEntry{s0: a0, s1: a1, s2: a2, n: uint8(len(w)), runes: uint8(n), arabic: arabic, marker: marker}
			copy(e.word[:], w)
		}
	}
	s.feats = tmp
	return s0, s1, s2
}

// wordCacheBits sizes the word cache (1024 entries of 36 bytes).
const wordCacheBits = 10

// wordCache maps a word spelling, checked byte for byte, to the sums of
// the first three class weights over its spelling-only features.
type wordCache [1 << wordCacheBits]wordEntry

type wordEntry struct {
	s0, s1, s2 int32
	n          uint8 // byte length of word (0: empty slot)
	runes      uint8
	arabic     uint8 // the span's fArabic flag
	marker     bool  // a Darija marker word
	word       [20]byte
}

// wordSlot picks the cache slot of a non-empty word of at most 20 bytes
// from its length and its first and last eight bytes (no byte-serial hash).
func wordSlot(w string) uint32 {
	n := len(w)
	var a, b uint64
	if n >= 8 {
		a = le64s(w)
		b = le64s(w[n-8:])
	} else {
		for i := 0; i < n; i++ {
			a = a<<8 | uint64(w[i])
		}
		b = a
	}
	x := (a*0x9E3779B97F4A7C15 ^ b*0xC2B2AE3D27D4EB4F) + uint64(n)
	x ^= x >> 29
	return uint32((x * 0xBF58476D1CE4E5B9) >> (64 - wordCacheBits))
}

func le64s(w string) uint64 {
	_ = w[7]
	return uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
		uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
}

// LangSample is one labelled text for TrainLangID.
type LangSample struct {
	Text string
	Lang string // ar, ary, ar-dialect, fa, ur (trained as fa), en, fr or ary-Latn
	// Weight is the sample's share within its language (0 means 1): every
	// language gets the same total weight.
	Weight float32
}

// TrainLangID trains the language model on samples and returns it in the
// embedded format (langid_model.bin). Classes are weighted to equal total
// weight. The training is deterministic for a given seed.
func TrainLangID(samples []LangSample, epochs int, seed uint64) ([]byte, error) {
	type ex struct {
		feats []uint32
		class int
		w     float32
	}
	var data [2][]ex
	weight := func(sm LangSample) float32 {
		if sm.Weight == 0 {
			return 1
		}
		return sm.Weight
	}
	counts := map[string]float32{}
	for i := range samples {
		if samples[i].Lang == "ur" {
			samples[i].Lang = "fa" // one class: both are und
		}
		counts[samples[i].Lang] += weight(samples[i])
	}
	for _, sm := range samples {
		f, c := -1, -1
		for fi, cl := range familyClasses {
			for ci, name := range cl {
				if name == sm.Lang {
					f, c = fi, ci
				}
			}
		}
		if f < 0 {
			return nil, fmt.Errorf("arabic: unknown training language %q", sm.Lang)
		}
		s := &scanner{}
		s.scan(sm.Text)
		feats := s.features(string(s.buf), nil)
		for i := range feats {
			feats[i] >>= 32 - langBits
		}
		if len(feats) == 0 {
			continue
		}
		data[f] = append(data[f], ex{feats, c, 1000 * weight(sm) / counts[sm.Lang]})
	}
	out := []byte(langMagic)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for f := range 2 {
		k := len(familyClasses[f])
		if len(data[f]) == 0 {
			return nil, fmt.Errorf("arabic: no training samples for %v", familyClasses[f])
		}
		W := make([]float32, k<<langBits)
		avg := make([]float32, k<<langBits)
		bias := make([]float32, k)
		avgBias := make([]float32, k)
		lr := float32(0.05)
		for ep := range epochs {
			rng.Shuffle(len(data[f]), func(i, j int) { data[f][i], data[f][j] = data[f][j], data[f][i] })
			rate := lr / float32(1+ep)
			for _, e := range data[f] {
				var z [4]float32
				copy(z[:], bias)
				for _, b := range e.feats {
					for c := range k {
						z[c] += W[int(b)*k+c]
					}
				}
				mx := z[0]
				for c := 1; c < k; c++ {
					mx = max(mx, z[c])
				}
				var sum float32
				var p [4]float32
				for c := range k {
					p[c] = float32(math.Exp(float64(z[c] - mx)))
					sum += p[c]
				}
				scale := rate * e.w / float32(math.Sqrt(float64(len(e.feats))))
				for c := range k {
					g := p[c] / sum
					if c == e.class {
						g -= 1
					}
					g *= scale
					bias[c] -= g
					for _, b := range e.feats {
						W[int(b)*k+c] -= g
					}
				}
			}
			for i := range W {
				avg[i] += W[i]
			}
			for c := range k {
				avgBias[c] += bias[c]
			}
		}
		// Average over epochs, then quantize to int8.
		var mx float32
		for i := range avg {
			avg[i] /= float32(epochs)
			mx = max(mx, float32(math.Abs(float64(avg[i]))))
		}
		q := mx / 127
		if q == 0 {
			q = 1
		}
		var buf [4]byte
		for c := range k {
			binary.LittleEndian.PutUint32(buf[:], uint32(int32(math.Round(float64(avgBias[c]/float32(epochs)/q)))))
			out = append(out, buf[:]...)
		}
		for _, v := range avg {
			x := math.Round(float64(v / q))
			x = max(-127, min(127, x))
			out = append(out, byte(int8(x)))
		}
	}
	return out, nil
}

func (s *scanner) persianLetters() bool {
	for _, sp := range s.spans {
		if sp.flags&fPersian != 0 {
			return true
		}
	}
	return false
}

// darijaVerb reports a word shaped like a Darija present-tense verb: the
// aspect prefix ك/ت + person prefix (كنمشي, كيقول, تيخدم, كتبغي). Some MSA
// words share the shape (كتاب): the model weighs the feature from data.
func darijaVerb(w string) bool {
	if len(w) < 10 { // at least five Arabic letters
		return false
	}
	switch w[:4] {
	case "كن", "كي", "كت", "تن", "تي":
		return true
	}
	return false
}

// darijaNegation reports the Darija negation circumfix ما…ش / م…ش
// (ماعندناش, مكليتش, منعرفش).
func darijaNegation(w string) bool {
	return len(w) >= 10 && strings.HasPrefix(w, "م") && strings.HasSuffix(w, "ش")
}

// hasBaseMarker reports a lexicon word behind proclitics (وفين, لفين).
func hasBaseMarker(w string, t *markerTable) bool {
	b := StripClitics(w)
	return len(b) != len(w) && t.has(wordHash(b))
}
