package server

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/store"
	"github.com/basira-org/basira/pdq"
)

// Read-only routes the workspace's pages use: dashboard aggregates, the
// audit log's verification, and thumbnails of kept images.

// DashboardReader computes the dashboard (store.Store backends have it).
type DashboardReader = store.DashboardReader

// dashboard is GET /v1/dashboard?days=N (default 30, at most 366).
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Dashboard == nil {
		return notConfigured("dashboard")
	}
	days, err := queryInt(r, "days", 30)
	if err != nil {
		return err
	}
	days = min(max(days, 1), 366)
	now := s.cfg.Now().UTC()
	// Whole UTC days, today included.
	until := now.Truncate(24 * time.Hour).Add(24 * time.Hour)
	since := until.Add(-time.Duration(days) * 24 * time.Hour)
	d, err := s.deps.Dashboard.Dashboard(r.Context(), since, until)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// verifyAudit is GET /v1/audit/verify: the whole chain is read in pages
// and checked entry by entry in constant memory.
func (s *Server) verifyAudit(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Audit == nil {
		return notConfigured("audit log")
	}
	var v audit.Verifier
	var broken *audit.BrokenError
	after := int64(0)
	for broken == nil {
		es, err := s.deps.Audit.AuditEntries(r.Context(), after, 1000)
		if err != nil {
			return err
		}
		for _, e := range es {
			if err := v.Next(e); err != nil {
				if !errors.As(err, &broken) {
					return err
				}
				break
			}
		}
		if len(es) < 1000 {
			break
		}
		after = es[len(es)-1].Seq
	}
	out := map[string]any{"intact": broken == nil, "verified": v.Count(), "checked_at": s.cfg.Now().UTC()}
	if last := v.Last(); last != nil {
		out["last_seq"], out["last_hash"] = last.Seq, last.Hash
	}
	if broken != nil {
		out["broken_at"], out["reason"] = broken.Seq, broken.Reason
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

var sha256Re = regexp.MustCompile(`^[0-9a-f]{64}$`)

// thumbSize is the longest side of a thumbnail: enough to recognise a
// picture, too small to re-share it.
const thumbSize = 160

// mediaThumbnail is GET /v1/media/{sha256}/thumbnail: a small greyscale
// PNG of a kept image. Colour and detail are what make violent imagery
// hurt; the screen also blurs it until the analyst asks to see it.
func (s *Server) mediaThumbnail(w http.ResponseWriter, r *http.Request) error {
	if s.deps.MediaDir == "" {
		return notConfigured("kept media (--keep-media)")
	}
	sum := r.PathValue("sha256")
	if !sha256Re.MatchString(sum) {
		return Errorf(CodeInvalidParameter, "sha256 must be 64 lower-case hex characters")
	}
	f, err := os.Open(filepath.Join(s.deps.MediaDir, sum[:2], sum))
	if errors.Is(err, os.ErrNotExist) {
		return Errorf(CodeNotFound, "no kept media with sha256 %s", sum)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, s.cfg.MaxMediaBytes+1))
	if err != nil {
		return err
	}
	if int64(len(data)) > s.cfg.MaxMediaBytes {
		return Errorf(CodeBodyTooLarge, "kept media %s is over %d bytes", sum, s.cfg.MaxMediaBytes)
	}
	img, _, err := pdq.DecodeContext(r.Context(), data)
	if err != nil {
		return Errorf(CodeUnsupportedMedia, "kept media %s is not an image Basira decodes", sum)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, Thumbnail(img, thumbSize)); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "image/png")
	h.Set("Cache-Control", "private, max-age=300")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'")
	_, err = w.Write(buf.Bytes())
	return err
}

// Thumbnail returns img in grey, its longer side at most size, each pixel
// the mean of the source pixels it covers.
func Thumbnail(img image.Image, size int) *image.Gray {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w == 0 || h == 0 {
		return image.NewGray(image.Rect(0, 0, 1, 1))
	}
	tw, th := w, h
	if w > size || h > size {
		if w >= h {
			tw, th = size, max(1, h*size/w)
		} else {
			tw, th = max(1, w*size/h), size
		}
	}
	out := image.NewGray(image.Rect(0, 0, tw, th))
	for ty := 0; ty < th; ty++ {
		y0, y1 := b.Min.Y+ty*h/th, b.Min.Y+max((ty+1)*h/th, ty*h/th+1)
		for tx := 0; tx < tw; tx++ {
			x0, x1 := b.Min.X+tx*w/tw, b.Min.X+max((tx+1)*w/tw, tx*w/tw+1)
			var sum, n uint64
			for y := y0; y < y1; y++ {
				for x := x0; x < x1; x++ {
					sum += uint64(color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y)
					n++
				}
			}
			out.SetGray(tx, ty, color.Gray{Y: uint8(sum / n)})
		}
	}
	return out
}
