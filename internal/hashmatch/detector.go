package hashmatch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/textsig"
	"github.com/basira-org/basira/pdq"
	"github.com/basira-org/basira/vpdq"
)

// Detector is the banks detector family: it matches a post's media files
// and text against hash banks.
// Media entries are matched by the hashes they carry (pdq, md5, sha256,
// as the service fills them after fetching) and, when they point to a
// local file (media[].path), by hashing that file; relative paths are
// taken from baseDir. URLs are not fetched here. Safe lists apply per
// item: an image or text that matches a safe list raises no signal.
type Detector struct {
	// m is swapped whole when the set of banks changes (SetMatcher); the
	// banks themselves take entries in place, under their own locks.
	m       atomic.Pointer[Matcher]
	baseDir string
	hashers sync.Pool
	// Warn, if set, receives problems with one media item (a missing
	// file, a bad hash): they are the post's, so the scan goes on.
	Warn func(msg string)
	// Dihedral also matches local image files rotated and mirrored.
	Dihedral bool
	// Video, if set, computes the vPDQ frames of a local file that is not
	// an image (a video); it returns an error for other files.
	Video func(ctx context.Context, path string) ([]vpdq.Feature, error)
}

// NewDetector returns the banks detector over m.
func NewDetector(m *Matcher, baseDir string) *Detector {
	d := &Detector{baseDir: baseDir, hashers: sync.Pool{New: func() any { return pdq.NewHasher() }}}
	d.m.Store(m)
	return d
}

// Matcher returns the matcher in force.
func (d *Detector) Matcher() *Matcher { return d.m.Load() }

// SetMatcher swaps in m, e.g. over a bank created since: posts already
// being matched finish with the old one.
func (d *Detector) SetMatcher(m *Matcher) { d.m.Store(m) }

// Name implements detect.Detector.
func (d *Detector) Name() string { return "hashmatch" }

// Detect implements detect.Detector.
func (d *Detector) Detect(ctx context.Context, in *detect.Input) ([]detect.Signal, error) {
	m := d.m.Load() // one matcher for the whole post
	var out []detect.Signal
	for i, md := range in.Post.Media {
		ms, err := d.media(ctx, m, md)
		if err != nil {
			if d.Warn != nil {
				d.Warn(fmt.Sprintf("post %q media[%d] not matched: %v", in.Post.ID, i, err))
			}
			continue
		}
		out = append(out, signals(ms, fmt.Sprintf("media[%d]", i))...)
	}
	if m.Has(Text) && in.Post.Text != "" {
		sig, err := textsig.Of(in.Post.Text)
		if err == nil {
			out = append(out, signals(m.LookupText(&sig), "text")...)
		} else if !errors.Is(err, textsig.ErrTooShort) {
			return out, err
		}
	}
	return out, nil
}

func (d *Detector) media(ctx context.Context, m *Matcher, md post.Media) ([]Match, error) {
	fh := FileHashes{MD5: md.MD5, SHA256: md.SHA256}
	if md.VPDQ != "" {
		fs, err := vpdq.ParseSignal(md.VPDQ)
		if err != nil {
			return nil, err
		}
		fh.VPDQ = fs
	}
	if md.PDQ != "" {
		h, err := pdq.ParseHash(md.PDQ)
		if err != nil {
			return nil, err
		}
		fh.PDQ = &pdq.Result{Hash: h, Quality: md.Quality}
		if md.Quality == 0 {
			fh.PDQ.Quality = 100 // a hash given without quality is taken as usable
		}
	}
	if md.Path != "" && (fh.MD5 == "" || fh.SHA256 == "" || fh.PDQ == nil) {
		p := md.Path
		if !filepath.IsAbs(p) && d.baseDir != "" {
			if _, err := os.Stat(p); err != nil {
				p = filepath.Join(d.baseDir, p)
			}
		}
		h := d.hashers.Get().(*pdq.Hasher)
		hashFile := HashFile
		if d.Dihedral {
			hashFile = HashFileDihedral
		}
		got, err := hashFile(p, h)
		d.hashers.Put(h)
		if err != nil {
			return nil, err
		}
		if fh.MD5 == "" {
			fh.MD5 = got.MD5
		}
		if fh.SHA256 == "" {
			fh.SHA256 = got.SHA256
		}
		fh.SHA512 = got.SHA512
		if fh.PDQ == nil {
			fh.PDQ, fh.Dihedral = got.PDQ, got.Dihedral
		}
		if got.PDQ == nil && fh.VPDQ == nil && d.Video != nil && m.Has(VPDQ) {
			if fh.VPDQ, err = d.Video(ctx, p); err != nil && d.Warn != nil {
				d.Warn(fmt.Sprintf("%s: not hashed as a video: %v", md.Path, err))
			}
		}
	}
	return m.LookupFile(fh), nil
}

// signals turns one item's matches into signals, after safe lists.
func signals(ms []Match, item string) []detect.Signal {
	flag, _ := Verdict(ms)
	var out []detect.Signal
	for _, m := range flag {
		score := 1.0
		evidence := fmt.Sprintf("%s matches %s entry %s", item, m.Bank, m.Entry.ID)
		switch m.Type {
		case PDQ:
			score = 1 - float64(m.Distance)/256
			evidence += fmt.Sprintf(" at PDQ distance %d", m.Distance)
			if m.Transform != "" {
				evidence += " (" + m.Transform + " of the image)"
			}
		case Text:
			score = m.Similarity
			evidence += fmt.Sprintf(" with similarity %.2f", m.Similarity)
		case VPDQ:
			if m.Video != nil {
				score = m.Video.QueryPercent / 100
				evidence += fmt.Sprintf(" by vPDQ: %.0f%% of the video's frames found, %.0f%% of the entry's", m.Video.QueryPercent, m.Video.ComparedPercent)
			}
		default:
			evidence += " (exact " + string(m.Type) + ")"
		}
		label := m.Entry.Label
		if label == "" {
			label = "known-content"
		}
		out = append(out, detect.Signal{
			Detector: "hashmatch",
			Kind:     detect.KindHash,
			Label:    label,
			Severity: detect.High,
			Score:    score,
			Evidence: evidence,
			Details: map[string]any{
				"item": item, "bank": m.Bank, "type": string(m.Type), "entry": m.Entry.ID,
				"distance": m.Distance, "similarity": m.Similarity, "source": m.Entry.Source, "transform": m.Transform,
			},
		})
	}
	return out
}
