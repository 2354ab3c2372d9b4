// Package classify trains, stores, evaluates and runs Basira's text
// classifiers: linear models (L2-regularised, class-weighted linear SVMs,
// one-vs-rest) over hashed word and character n-grams of the text that the
// arabic package normalizes and folds, with Platt-calibrated probabilities,
// thresholds chosen by measured precision, and explanations that name the
// n-grams that drove a score.
//
// The hot path (Model.Predict) allocates nothing per post beyond a small
// reusable buffer and runs well over 20,000 tweet-length posts per second
// per core; see BENCHMARKS.md.
package classify

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"

	"github.com/basira-org/basira/arabic"
)

// FeatureVersion names the feature extraction below. A model records it;
// a model made with another feature version is refused, because its
// weights would be read against the wrong features.
const FeatureVersion = 2

// FeatureVersionLexicon is version 2 plus the lexicon features
// (FeatureConfig.Lexicon). Builds before it refuse such models rather than
// read them without their lexicon features.
const FeatureVersionLexicon = 3

// FeatureConfig says which features are extracted and how they are hashed.
// It is stored in every model file.
type FeatureConfig struct {
	Version int `json:"version"`
	// Bits is log2 of the hashed feature space (16..22).
	Bits int `json:"bits"`
	// WordNgrams is the longest word n-gram (1 or 2).
	WordNgrams int `json:"word_ngrams"`
	// CharMin and CharMax bound the character n-grams, taken inside each
	// word padded by a boundary mark (so "قتل" gives " ق", "قت", …, "تل ").
	CharMin int `json:"char_min"`
	CharMax int `json:"char_max"`
	// Stems adds each word's form without proclitics as a feature.
	Stems bool `json:"stems"`
	// Emoji adds each emoji and pictograph as a feature.
	Emoji bool `json:"emoji"`
	// Lexicon names the lexicon whose category features are added
	// (LexiconVersion, or a named lexicon of lexicon_darija.go such as
	// darija-abuse-1; "" for none). It needs FeatureVersionLexicon.
	Lexicon string `json:"lexicon,omitempty"`
}

// DefaultFeatures is the configuration the shipped models use.
func DefaultFeatures() FeatureConfig {
	return FeatureConfig{Version: FeatureVersion, Bits: 18, WordNgrams: 2, CharMin: 2, CharMax: 5, Stems: true, Emoji: true}
}

// Validate reports a configuration this build cannot extract.
func (c FeatureConfig) Validate() error {
	switch {
	case c.Version == FeatureVersionLexicon && c.Lexicon != LexiconVersion && lexiconSources[c.Lexicon] == nil:
		return fmt.Errorf("lexicon %q is not one this build has (%s, %s): retrain the model with this version of Basira", c.Lexicon, LexiconVersion, strings.Join(lexiconNames(), ", "))
	case c.Version != FeatureVersion && c.Version != FeatureVersionLexicon:
		return fmt.Errorf("feature version %d is not %d, the one this build extracts: retrain the model with this version of Basira", c.Version, FeatureVersion)
	case c.Version == FeatureVersion && c.Lexicon != "":
		return fmt.Errorf("lexicon features need feature version %d, not %d", FeatureVersionLexicon, c.Version)
	case c.Bits < 12 || c.Bits > 22:
		return fmt.Errorf("hash bits %d out of range 12..22", c.Bits)
	case c.WordNgrams < 0 || c.WordNgrams > 3:
		return fmt.Errorf("word n-grams %d out of range 0..3", c.WordNgrams)
	case c.CharMin < 0 || c.CharMax > 8 || (c.CharMax > 0 && c.CharMin < 1) || c.CharMin > c.CharMax:
		return fmt.Errorf("char n-gram range %d..%d invalid (want 1 <= min <= max <= 8, or 0..0 for none)", c.CharMin, c.CharMax)
	}
	return nil
}

// Feature kinds; each is hashed with its own seed so that the word "ab"
// and the character bigram "ab" are different features. For scaling there
// are two groups: word-level features (words, stems, phrases, emoji) and
// character n-grams (version 1 scaled each kind on its own, which gave a
// post's one or two stems as much weight as all its words together).
const (
	groupWord   = 'w'
	groupStem   = 's'
	groupBigram = 'b'
	groupChar   = 'c'
	groupEmoji  = 'e'
	groupBias   = 'z'
	// groupLex seeds the lexicon features (scaled with the word group).
	groupLex = 'l'
	// groupDarija seeds the features of a named lexicon and is their
	// group: scaled apart, a post's one or two hits weigh as much as its
	// words (lexicon_darija.go).
	groupDarija = 'd'
)

// maxWordRunes caps the characters of one word used for char n-grams, so a
// 10 KB run of letters cannot blow up the feature count.
const maxWordRunes = 40

// maxTokens caps the words of one text used for features.
const maxTokens = 512

const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

func fnvByte(h uint32, b byte) uint32 { return (h ^ uint32(b)) * fnvPrime }

func fnvString(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * fnvPrime
	}
	return h
}

// fmix is murmur3's finalizer: FNV's low bits are poorly mixed, and the
// index keeps only the low bits.
func fmix(h uint32) uint32 {
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}

func seed(group byte) uint32 { return fnvByte(fnvOffset, group) }

// hashed is one feature occurrence: its index and its group's weight.
type hashed struct {
	idx   uint32
	group byte
}

// extractor turns a Doc into feature occurrences. It is reused across
// posts to avoid allocation; it is not safe for concurrent use.
type extractor struct {
	cfg   FeatureConfig
	mask  uint32
	named *namedLexicon // a named lexicon (lexicon_darija.go), or nil
	out   []hashed
	offs  []int
	// explain, when set, receives the text of each feature.
	explain func(h hashed, kind, text string)
	// wanted, when set with explain, says which features to spell: the
	// others are not turned into strings.
	wanted func(h hashed) bool
}

func newExtractor(cfg FeatureConfig) *extractor {
	e := &extractor{cfg: cfg, mask: 1<<uint(cfg.Bits) - 1}
	if lexiconSources[cfg.Lexicon] != nil {
		e.named, _ = loadNamedLexicon(cfg.Lexicon)
	}
	return e
}

func (e *extractor) emit(h uint32, group byte, kind, text string) {
	f := hashed{idx: fmix(h) & e.mask, group: group}
	e.out = append(e.out, f)
	if e.explain != nil && (e.wanted == nil || e.wanted(f)) {
		e.explain(f, kind, text)
	}
}

// spell reports whether the text of the feature hashed h must be built.
func (e *extractor) spell(h uint32, group byte) bool {
	if e.explain == nil {
		return false
	}
	return e.wanted == nil || e.wanted(hashed{idx: fmix(h) & e.mask, group: group})
}

// tokenText is the form of a token that features use: an Arabizi word's
// Arabic-script transliteration, so that models trained on Arabic script
// also read Darija written in Latin letters.
func tokenText(t *arabic.Token) string {
	if t.Translit != "" {
		return t.Translit
	}
	return t.Text
}

// extract appends the feature occurrences of doc to e.out (reset first).
func (e *extractor) extract(doc *arabic.Doc) []hashed {
	e.out = e.out[:0]
	toks := doc.Tokens
	if len(toks) > maxTokens {
		toks = toks[:maxTokens]
	}
	c := e.cfg
	for i := range toks {
		w := tokenText(&toks[i])
		if c.WordNgrams >= 1 {
			e.emit(fnvString(seed(groupWord), w), groupWord, "word", w)
		}
		if c.Stems && toks[i].Base != "" {
			e.emit(fnvString(seed(groupStem), toks[i].Base), groupWord, "stem", toks[i].Base)
		}
		for n := 2; n <= c.WordNgrams && i+n <= len(toks); n++ {
			h := seed(groupBigram) + uint32(n)
			h = fnvString(h, w)
			for j := i + 1; j < i+n; j++ {
				h = fnvString(fnvByte(h, ' '), tokenText(&toks[j]))
			}
			var text string
			if e.spell(h, groupWord) {
				parts := make([]string, 0, n)
				for j := i; j < i+n; j++ {
					parts = append(parts, tokenText(&toks[j]))
				}
				text = strings.Join(parts, " ")
			}
			e.emit(h, groupWord, "phrase", text)
		}
		if c.CharMax > 0 {
			e.charNgrams(w)
		}
	}
	switch {
	case e.named != nil:
		e.namedLexiconFeatures(toks)
	case c.Lexicon != "":
		e.lexFeatures(toks)
	}
	if c.Emoji {
		n := 0
		for _, r := range doc.Original {
			if isEmoji(r) {
				h := fnvString(seed(groupEmoji), string(r))
				e.emit(h, groupWord, "emoji", string(r))
				if n++; n >= maxTokens {
					break
				}
			}
		}
	}
	return e.out
}

// charNgrams emits the character n-grams of one word padded with a
// boundary mark at both ends. It hashes the word's bytes in place: rune
// i spans w[offs[i]:offs[i+1]], and the marks are virtual spaces.
func (e *extractor) charNgrams(w string) {
	offs := e.offs[:0]
	offs = append(offs, 0) // the leading mark
	for i := range w {
		if len(offs) > maxWordRunes {
			w = w[:i]
			break
		}
		offs = append(offs, i)
	}
	offs = append(offs, len(w)) // the trailing mark starts at len(w)
	e.offs = offs
	n := len(offs) // runes: marks + letters
	base := seed(groupChar)
	cmin, cmax := e.cfg.CharMin, e.cfg.CharMax
	for i := 0; i < n; i++ {
		h := base
		for j := i; j < n && j-i < cmax; j++ {
			switch {
			case j == 0 || j == n-1:
				h = fnvByte(h, ' ')
			default:
				h = fnvString(h, w[offs[j]:offs[j+1]])
			}
			size := j - i + 1
			if size < cmin || (size == 1 && (j == 0 || j == n-1)) {
				continue
			}
			var text string
			if e.spell(h+uint32(size), groupChar) {
				text = e.ngramText(w, offs, i, j)
			}
			e.emit(h+uint32(size), groupChar, "chars", text)
		}
	}
}

// ngramText spells the runes i..j of a padded word, marks as spaces.
func (e *extractor) ngramText(w string, offs []int, i, j int) string {
	n := len(offs)
	var b strings.Builder
	for k := i; k <= j; k++ {
		if k == 0 || k == n-1 {
			b.WriteByte(' ')
			continue
		}
		b.WriteString(w[offs[k]:offs[k+1]])
	}
	return b.String()
}

// isEmoji reports pictographs and symbols that carry tone in posts.
func isEmoji(r rune) bool {
	if r < 0x2000 {
		return false
	}
	return (r >= 0x1F300 && r <= 0x1FAFF) || (r >= 0x2600 && r <= 0x27BF) || (r != 0xFE0F && unicode.Is(unicode.So, r) && r > 0x2000)
}

// groupScales returns, for each group, 1/sqrt(occurrences): word-level
// and character features are normalized apart so that the many char
// n-grams do not drown the words, and long texts do not outweigh short.
func groupScales(fs []hashed) (scale [256]float32) {
	var count [256]int
	for _, f := range fs {
		count[f.group]++
	}
	for g, n := range count {
		if n > 0 {
			scale[g] = float32(1 / math.Sqrt(float64(n)))
		}
	}
	return scale
}

// sparse is a merged feature vector (sorted unique indices) for training.
type sparse struct {
	idx []uint32
	val []float32
}

// vectorize merges the occurrences of one doc into a sparse vector with the
// bias feature last; the values match what Predict sums occurrence by
// occurrence.
func vectorize(fs []hashed, dim uint32) sparse {
	scale := groupScales(fs)
	tmp := make([]hashed, len(fs))
	copy(tmp, fs)
	sort.Slice(tmp, func(i, j int) bool { return tmp[i].idx < tmp[j].idx })
	var v sparse
	v.idx = make([]uint32, 0, len(tmp)+1)
	v.val = make([]float32, 0, len(tmp)+1)
	for _, f := range tmp {
		s := scale[f.group]
		if n := len(v.idx); n > 0 && v.idx[n-1] == f.idx {
			v.val[n-1] += s
			continue
		}
		v.idx = append(v.idx, f.idx)
		v.val = append(v.val, s)
	}
	v.idx = append(v.idx, dim) // bias
	v.val = append(v.val, 1)
	return v
}
