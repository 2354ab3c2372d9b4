package hashmatch

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/basira-org/basira/internal/textsig"
	"github.com/basira-org/basira/pdq"
	"github.com/basira-org/basira/vpdq"
)

// Matcher answers lookups across a set of banks. It holds the banks, not
// copies: entries added to a bank later are matched at once.
type Matcher struct {
	banks []*Bank
}

// NewMatcher returns a matcher over banks.
func NewMatcher(banks ...*Bank) *Matcher { return &Matcher{banks: banks} }

// Banks returns the banks of the matcher.
func (m *Matcher) Banks() []*Bank { return m.banks }

// Has reports whether any enabled bank holds signal type t.
func (m *Matcher) Has(t SignalType) bool {
	for _, b := range m.banks {
		if i := b.Info(); i.Type == t && !i.Disabled {
			return true
		}
	}
	return false
}

// Lookup matches one value of signal type t against every bank of that
// type: a PDQ hash (hex), an MD5 or SHA-256 hash (hex), or a text (or text
// signature). Matches of every bank are returned, safe-list matches
// included; use Verdict to apply safe lists.
func (m *Matcher) Lookup(t SignalType, value string) ([]Match, error) {
	v, err := NormalizeValue(t, value)
	if err != nil {
		return nil, err
	}
	switch t {
	case PDQ:
		h, _ := pdq.ParseHash(v)
		return m.LookupPDQ(h), nil
	case Text:
		sig, err := textSignature(v)
		if err != nil {
			return nil, err
		}
		return m.LookupText(&sig), nil
	case VPDQ:
		fs, err := vpdq.ParseSignal(v)
		if err != nil {
			return nil, err
		}
		return m.LookupVPDQ(fs), nil
	}
	var out []Match
	for _, b := range m.banks {
		out = append(out, b.LookupExact(t, v)...)
	}
	return out, nil
}

// LookupPDQ matches a PDQ hash against every PDQ bank.
func (m *Matcher) LookupPDQ(h pdq.Hash) []Match {
	var out []Match
	for _, b := range m.banks {
		out = append(out, b.LookupPDQ(h)...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Distance < out[j].Distance })
	return out
}

// LookupText matches a text signature against every text bank.
func (m *Matcher) LookupText(sig *textsig.Signature) []Match {
	var out []Match
	for _, b := range m.banks {
		out = append(out, b.LookupText(sig)...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Similarity > out[j].Similarity })
	return out
}

// Verdict applies safe lists to the matches of one item (one image, one
// text): if any match is on a safe list, nothing is flagged and safe holds
// the safe-list matches; otherwise flag holds every match.
func Verdict(matches []Match) (flag, safe []Match) {
	for _, m := range matches {
		if m.Safe {
			safe = append(safe, m)
		}
	}
	if len(safe) > 0 {
		return nil, safe
	}
	return matches, nil
}

// FileHashes are the hashes of one file's bytes and, for an image, its
// PDQ hash.
type FileHashes struct {
	MD5, SHA256, SHA512 string
	// PDQ is nil when the file is not a decodable image; PDQErr says why.
	PDQ    *pdq.Result
	PDQErr error
	// Dihedral holds the PDQ hashes of the 8 rotations and flips (index 0
	// is the image itself), when asked for.
	Dihedral *[8]pdq.Hash
	// VPDQ holds a video's frame hashes (nil for other files).
	VPDQ []vpdq.Feature
}

// MaxFileBytes is the largest file HashFile reads.
const MaxFileBytes = 256 << 20

// HashFile computes the MD5, SHA-256 and (for images) PDQ hash of a file.
// h may be nil; pass one per goroutine to reuse its buffers.
func HashFile(path string, h *pdq.Hasher) (FileHashes, error) { return hashFile(path, h, false) }

func hashFile(path string, h *pdq.Hasher, dihedral bool) (FileHashes, error) {
	f, err := os.Open(path)
	if err != nil {
		return FileHashes{}, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > MaxFileBytes {
		return FileHashes{}, fmt.Errorf("%s: %d bytes is above the %d MiB limit for media", path, st.Size(), MaxFileBytes>>20)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return FileHashes{}, fmt.Errorf("%s: %w", path, err)
	}
	return hashBytes(data, h, dihedral), nil
}

// HashBytes computes the hashes of a file's content.
func HashBytes(data []byte, h *pdq.Hasher) FileHashes { return hashBytes(data, h, false) }

// HashFileDihedral is HashFile that also computes the PDQ hashes of the
// image's rotations and flips, so that LookupFile finds a banked picture
// posted mirrored or turned.
func HashFileDihedral(path string, h *pdq.Hasher) (FileHashes, error) {
	return hashFile(path, h, true)
}

func hashBytes(data []byte, h *pdq.Hasher, dihedral bool) FileHashes {
	m := md5.Sum(data)
	s := sha256.Sum256(data)
	s5 := sha512.Sum512(data)
	fh := FileHashes{MD5: hex.EncodeToString(m[:]), SHA256: hex.EncodeToString(s[:]), SHA512: hex.EncodeToString(s5[:])}
	img, _, err := pdq.DecodeBytes(data)
	if err != nil {
		fh.PDQErr = err
		return fh
	}
	if h == nil {
		h = pdq.NewHasher()
	}
	if dihedral {
		hs, q := h.Dihedral(img)
		fh.PDQ = &pdq.Result{Hash: hs[0], Quality: q}
		fh.Dihedral = &hs
		return fh
	}
	r := h.Hash(img)
	fh.PDQ = &r
	return fh
}

// LookupFile matches a file's hashes against every bank: MD5 (in MD5 and
// video_md5 banks) and SHA-256 exactly, a video's vPDQ frames by match
// percentage, PDQ within each bank's threshold when the hash's quality is at
// least pdq.MinQuality (flat images match everything and prove nothing).
func (m *Matcher) LookupFile(fh FileHashes) []Match {
	var out []Match
	for _, b := range m.banks {
		out = append(out, b.LookupExact(MD5, fh.MD5)...)
		out = append(out, b.LookupExact(VideoMD5, fh.MD5)...)
		out = append(out, b.LookupExact(SHA256, fh.SHA256)...)
		if fh.SHA512 != "" {
			out = append(out, b.LookupExact(SHA512, fh.SHA512)...)
		}
	}
	if len(fh.VPDQ) > 0 {
		out = append(out, m.LookupVPDQ(fh.VPDQ)...)
	}
	if fh.PDQ != nil && fh.PDQ.Quality >= pdq.MinQuality {
		out = append(out, m.LookupPDQ(fh.PDQ.Hash)...)
		if fh.Dihedral != nil {
			out = append(out, m.lookupTransforms(fh.Dihedral, out)...)
		}
	}
	return out
}

// lookupTransforms matches the 7 rotations and flips, keeping for each
// entry not already in have its nearest transform.
func (m *Matcher) lookupTransforms(hs *[8]pdq.Hash, have []Match) []Match {
	type key struct{ bank, id string }
	seen := map[key]int{}
	for _, x := range have {
		seen[key{x.Bank, x.Entry.ID}] = -1
	}
	var out []Match
	for t := 1; t < 8; t++ {
		for _, x := range m.LookupPDQ(hs[t]) {
			k := key{x.Bank, x.Entry.ID}
			i, ok := seen[k]
			switch {
			case ok && i < 0:
				continue
			case ok && out[i].Distance <= x.Distance:
				continue
			}
			x.Transform = pdq.Dihedral[t]
			if ok {
				out[i] = x
			} else {
				seen[k] = len(out)
				out = append(out, x)
			}
		}
	}
	return out
}
