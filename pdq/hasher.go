package pdq

import (
	"image"
	"image/color"
	"math"
)

// Parameters of the reference implementation.
const (
	// downsampleDims: images larger than this on either side are first
	// resized to downsampleDims x downsampleDims by nearest neighbour,
	// ignoring the aspect ratio, as the reference's file hasher does.
	downsampleDims = 512
	// minHashableDim: smaller images get the zero hash and quality 0.
	minHashableDim = 5
)

// Luma weights, as float32 like the reference's constants.
const (
	lumaR float32 = 0.299
	lumaG float32 = 0.587
	lumaB float32 = 0.114
)

// dct is the 16x64 DCT-II matrix of the reference (rows 1..16 of the
// 64-point DCT, skipping the DC row), row-major.
var dct = func() (m [16 * 64]float32) {
	scale := float32(math.Sqrt(2.0 / 64.0))
	for i := range 16 {
		for j := range 64 {
			m[i*64+j] = float32(float64(scale) * math.Cos((math.Pi/2/64)*float64(i+1)*float64(2*j+1)))
		}
	}
	return m
}()

// Result is the hash of one image with its quality (0-100).
type Result struct {
	Hash    Hash
	Quality int
}

// Hasher computes PDQ hashes. It keeps its work buffers between calls so
// that hashing allocates nothing once warm; it is not safe for concurrent
// use (give each goroutine its own Hasher).
type Hasher struct {
	buf1, buf2 []float32
	col        []float32 // per-column running sums for the column passes
	sampled    []float32 // second row pass, kept at the 64 decimation columns
	xs, ys     []int     // source column/row of each luma pixel (resize map)
	xoff       []int32   // per-column plane offsets for YCbCr images
	colsum     []int32   // chroma column sums of one row (4:2:0)
	a64        [64 * 64]float32
	t16        [16 * 64]float32
	b16        [16 * 16]float32
	aux        [16 * 16]float32
	sel        [256]float32
	fullRes    bool // hash at the picture's own size (NewFullResolutionHasher)
}

// NewHasher returns a Hasher that first resizes pictures larger than
// 512 px to 512x512, like the C++ reference's command-line hasher.
func NewHasher() *Hasher { return &Hasher{} }

// MaxFullResolutionPixels bounds full-resolution hashing (it takes 8 bytes
// of work buffers per pixel); larger pictures are resized to 512x512.
const MaxFullResolutionPixels = 40_000_000

// NewFullResolutionHasher returns a Hasher that hashes pictures at their
// own size, as python-threatexchange (and so OpenMediaMatch) does through
// the pdqhash binding. Its hash strings are those OMM stores for the same
// decoded pixels; the 512 px hasher's are usually a few bits away from
// them on large photos (both match within the usual threshold of 31).
func NewFullResolutionHasher() *Hasher { return &Hasher{fullRes: true} }

// Hash returns the PDQ hash and quality of img.
func (h *Hasher) Hash(img image.Image) Result {
	q, ok := h.dct16(img)
	if !ok {
		return Result{}
	}
	return Result{Hash: bitsOf(&h.b16, &h.sel), Quality: q}
}

// Dihedral names the 8 transforms of a square, in the reference's order.
var Dihedral = [8]string{"orig", "rot90", "rot180", "rot270", "flipx", "flipy", "flipp", "flipm"}

// DihedralDCT returns the hashes of img and of its 7 rotations and flips,
// in the order of the Dihedral names, computed from one DCT as the C++
// reference does (bit-identical to its output). They are only an
// approximation of hashing the transformed picture: for images that are
// not resized to 512x512 first they can be 60-90 bits away from it, so
// matching uses Dihedral instead.
func (h *Hasher) DihedralDCT(img image.Image) ([8]Hash, int) {
	var out [8]Hash
	q, ok := h.dct16(img)
	if !ok {
		return out, 0
	}
	a, b := &h.b16, &h.aux
	out[0] = bitsOf(a, &h.sel)
	for t := 1; t < 8; t++ {
		for i := range 16 {
			for j := range 16 {
				v := a[i*16+j]
				switch t {
				case 1: // rotate 90
					if j&1 == 0 {
						v = -v
					}
					b[j*16+i] = v
				case 2: // rotate 180
					if (i+j)&1 == 1 {
						v = -v
					}
					b[i*16+j] = v
				case 3: // rotate 270
					if i&1 == 0 {
						v = -v
					}
					b[j*16+i] = v
				case 4: // flip x
					if i&1 == 0 {
						v = -v
					}
					b[i*16+j] = v
				case 5: // flip y
					if j&1 == 0 {
						v = -v
					}
					b[i*16+j] = v
				case 6: // flip about the main diagonal
					b[j*16+i] = v
				case 7: // flip about the anti-diagonal
					if (i+j)&1 == 1 {
						v = -v
					}
					b[j*16+i] = v
				}
			}
		}
		out[t] = bitsOf(b, &h.sel)
	}
	return out, q
}

// dct16 fills h.b16 with the 16x16 low-frequency DCT block of img and
// returns the quality. ok is false for images too small to hash.
func (h *Hasher) dct16(img image.Image) (quality int, ok bool) {
	b := img.Bounds()
	w, ht := b.Dx(), b.Dy()
	if w <= 0 || ht <= 0 {
		return 0, false
	}
	rows, cols, ok := h.gridSize(w, ht)
	if !ok {
		return 0, false
	}
	h.resizeMap(b, rows, cols)
	n := rows * cols
	h.buf1 = grow(h.buf1, n)
	h.buf2 = grow(h.buf2, n)
	h.luma(img)
	h.downsample(rows, cols)
	quality = qualityOf(&h.a64)
	dct64To16(&h.a64, &h.t16, &h.b16)
	return quality, true
}

// gridSize is the size of the luma grid hashed for a w x ht picture: the
// picture itself, or 512x512 when either side is larger unless the Hasher
// hashes at full resolution. ok is false for pictures too small to hash.
func (h *Hasher) gridSize(w, ht int) (rows, cols int, ok bool) {
	rows, cols = ht, w
	if (w > downsampleDims || ht > downsampleDims) && !(h.fullRes && w*ht <= MaxFullResolutionPixels) {
		rows, cols = downsampleDims, downsampleDims
	}
	return rows, cols, rows >= minHashableDim && cols >= minHashableDim
}

// resizeMap sets the source pixel of each output row and column: the
// identity, or CImg's nearest-neighbour resize (floor(x*W/512)).
func (h *Hasher) resizeMap(b image.Rectangle, rows, cols int) {
	w, ht := b.Dx(), b.Dy()
	h.xs = grow(h.xs, cols)
	h.ys = grow(h.ys, rows)
	for j := range cols {
		h.xs[j] = b.Min.X + j*w/cols
	}
	for i := range rows {
		h.ys[i] = b.Min.Y + i*ht/rows
	}
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// lumaOf is the reference's luminance of an 8-bit RGB pixel. The explicit
// conversions keep each product rounded to float32, as in C, so the
// compiler may not fuse them into multiply-adds.
func lumaOf(r, g, b uint8) float32 {
	return lumR[r] + lumG[g] + lumB[b]
}

// lumR, lumG, lumB hold the three rounded products of lumaOf, so that it
// costs two float additions (in the reference's order) and no multiply.
var lumR, lumG, lumB = func() (r, g, b [256]float32) {
	for v := range 256 {
		r[v] = float32(lumaR * float32(v))
		g[v] = float32(lumaG * float32(v))
		b[v] = float32(lumaB * float32(v))
	}
	return
}()

// luma fills buf1 with the luminance of the sampled pixels of img.
func (h *Hasher) luma(img image.Image) {
	out := h.buf1
	cols := len(h.xs)
	switch m := img.(type) {
	case *image.YCbCr:
		h.lumaYCbCr(m)
	case *image.NYCbCrA:
		h.lumaYCbCr(&m.YCbCr)
	case *image.Gray:
		for i, y := range h.ys {
			row := m.Pix[(y-m.Rect.Min.Y)*m.Stride:]
			o := out[i*cols : (i+1)*cols]
			for j, x := range h.xs {
				v := row[x-m.Rect.Min.X]
				o[j] = lumaOf(v, v, v)
			}
		}
	case *image.RGBA:
		h.lumaRGBA(m.Pix, m.Stride, m.Rect)
	case *image.NRGBA:
		h.lumaRGBA(m.Pix, m.Stride, m.Rect)
	case *image.Paletted:
		var pal [256]float32
		for i, c := range m.Palette {
			r, g, b := rgb8(c)
			pal[i] = lumaOf(r, g, b)
		}
		for i, y := range h.ys {
			row := m.Pix[(y-m.Rect.Min.Y)*m.Stride:]
			o := out[i*cols : (i+1)*cols]
			for j, x := range h.xs {
				o[j] = pal[row[x-m.Rect.Min.X]]
			}
		}
	default:
		for i, y := range h.ys {
			o := out[i*cols : (i+1)*cols]
			for j, x := range h.xs {
				r, g, b := rgb8(img.At(x, y))
				o[j] = lumaOf(r, g, b)
			}
		}
	}
}

// rgb8 returns the 8-bit colour channels of c without premultiplying by
// alpha where the colour keeps them apart, as image tools do when they drop
// an alpha channel.
func rgb8(c color.Color) (r, g, b uint8) {
	switch c := c.(type) {
	case color.NRGBA:
		return c.R, c.G, c.B
	case color.NRGBA64:
		return uint8(c.R >> 8), uint8(c.G >> 8), uint8(c.B >> 8)
	case color.Gray:
		return c.Y, c.Y, c.Y
	case color.Gray16:
		return uint8(c.Y >> 8), uint8(c.Y >> 8), uint8(c.Y >> 8)
	}
	r32, g32, b32, _ := c.RGBA()
	return uint8(r32 >> 8), uint8(g32 >> 8), uint8(b32 >> 8)
}

func (h *Hasher) lumaRGBA(pix []uint8, stride int, rect image.Rectangle) {
	cols := len(h.xs)
	for i, y := range h.ys {
		row := pix[(y-rect.Min.Y)*stride:]
		o := h.buf1[i*cols : (i+1)*cols]
		for j, x := range h.xs {
			x = (x - rect.Min.X) * 4
			p := row[x : x+3 : x+3]
			o[j] = lumaOf(p[0], p[1], p[2])
		}
	}
}

// lumaYCbCr converts the sampled pixels of a YCbCr image (a decoded JPEG
// or WebP) to luminance. For 4:2:0 and 4:2:2 chroma it upsamples the way
// libjpeg does by default ("fancy" triangular interpolation, its rounding
// included) and converts with libjpeg's fixed-point tables, as the
// reference's decoder does; Go's own conversion repeats chroma samples
// and rounds differently, which moves a few hash bits.
func (h *Hasher) lumaYCbCr(m *image.YCbCr) {
	switch m.SubsampleRatio {
	case image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio422:
		h.lumaYCbCrFancy(m)
		return
	}
	cols := len(h.xs)
	h.xoff = grow(h.xoff, 2*cols)
	yx, cx := h.xoff[:cols], h.xoff[cols:]
	for j, x := range h.xs {
		yx[j] = int32(m.YOffset(x, m.Rect.Min.Y))
		cx[j] = int32(m.COffset(x, m.Rect.Min.Y))
	}
	for i, y := range h.ys {
		o := h.buf1[i*cols : (i+1)*cols]
		// Offsets of row y relative to the first row.
		dy := m.YOffset(m.Rect.Min.X, y) - m.YOffset(m.Rect.Min.X, m.Rect.Min.Y)
		dc := m.COffset(m.Rect.Min.X, y) - m.COffset(m.Rect.Min.X, m.Rect.Min.Y)
		Y, Cb, Cr := m.Y[dy:], m.Cb[dc:], m.Cr[dc:]
		for j := range o {
			o[j] = jpegLuma(Y[yx[j]], Cb[cx[j]], Cr[cx[j]])
		}
	}
}

// lumaYCbCrFancy handles chroma halved horizontally (4:2:2) or in both
// directions (4:2:0), interpolating it like libjpeg's h2v1/h2v2 fancy
// upsampling: each output sample weighs the nearest chroma sample 3/4
// and the next one out 1/4 along each halved axis, edges replicated.
func (h *Hasher) lumaYCbCrFancy(m *image.YCbCr) {
	v2 := m.SubsampleRatio == image.YCbCrSubsampleRatio420
	x0, y0 := m.Rect.Min.X, m.Rect.Min.Y
	// Chroma plane size (Go's decoder rounds up, like libjpeg).
	cw := (m.Rect.Max.X+1)/2 - x0/2
	chh := m.Rect.Dy()
	if v2 {
		chh = (m.Rect.Max.Y+1)/2 - y0/2
	}
	cols := len(h.xs)
	// Per sampled column: its luma offset, its chroma column and the
	// neighbouring one, and the rounding bias of its parity.
	h.xoff = grow(h.xoff, 4*cols)
	lx, cxs, nxs, bias := h.xoff[:cols], h.xoff[cols:2*cols], h.xoff[2*cols:3*cols], h.xoff[3*cols:]
	for j, x := range h.xs {
		cx := x/2 - x0/2
		nx, b := cx-1, int32(8)
		if x&1 == 1 {
			nx, b = cx+1, 7
		}
		if !v2 {
			b = 1 + int32(x&1) // 4:2:2 rounds with 1 (even) and 2 (odd)
		}
		lx[j], cxs[j], nxs[j], bias[j] = int32(x-x0), int32(cx), int32(min(max(nx, 0), cw-1)), b
	}
	// Without resizing every pixel is converted, and the chroma column
	// sums can be shared by the two pixels of each chroma column.
	// (Dihedral mirrors the maps: the first column must be the first.)
	identity := cols == m.Rect.Dx() && h.xs[0] == x0 && x0&1 == 0 && fancyRows
	for i, y := range h.ys {
		o := h.buf1[i*cols : (i+1)*cols]
		yrow := m.Y[(y-y0)*m.YStride:]
		// near and far chroma rows (vertical 3:1 weights in 4:2:0).
		cy := y - y0
		far := cy
		if v2 {
			cy = y/2 - y0/2
			far = cy - 1
			if y&1 == 1 {
				far = cy + 1
			}
			far = min(max(far, 0), chh-1)
		}
		cbN, cbF := m.Cb[cy*m.CStride:], m.Cb[far*m.CStride:]
		crN, crF := m.Cr[cy*m.CStride:], m.Cr[far*m.CStride:]
		if v2 && identity {
			h.fancyRow420(o, yrow[:m.Rect.Dx()], cbN[:cw], cbF[:cw], crN[:cw], crF[:cw])
			continue
		}
		if v2 {
			for j := range o {
				cx, nx := cxs[j], nxs[j]
				// Column sums of 3*near + far, then 3:1 across columns.
				cb := (3*(3*int32(cbN[cx])+int32(cbF[cx])) + 3*int32(cbN[nx]) + int32(cbF[nx]) + bias[j]) >> 4
				cr := (3*(3*int32(crN[cx])+int32(crF[cx])) + 3*int32(crN[nx]) + int32(crF[nx]) + bias[j]) >> 4
				o[j] = jpegLuma(yrow[lx[j]], uint8(cb), uint8(cr))
			}
			continue
		}
		for j := range o {
			cx, nx := cxs[j], nxs[j]
			cb := (3*int32(cbN[cx]) + int32(cbN[nx]) + bias[j]) >> 2
			cr := (3*int32(crN[cx]) + int32(crN[nx]) + bias[j]) >> 2
			o[j] = jpegLuma(yrow[lx[j]], uint8(cb), uint8(cr))
		}
	}
}

// fancyRows enables the shared-column-sum path (tests turn it off to check
// that both paths agree).
var fancyRows = true

// fancyRow420 converts one full row of a 4:2:0 image whose chroma rows
// (near and far) are given: the column sums 3*near+far are computed once
// per chroma column and shared by its two pixels.
func (h *Hasher) fancyRow420(o []float32, y []uint8, cbN, cbF, crN, crF []uint8) {
	n := len(cbN)
	h.colsum = grow(h.colsum, 2*n)
	cbs, crs := h.colsum[:n], h.colsum[n:2*n]
	cbF, crN, crF = cbF[:n], crN[:n], crF[:n]
	for c := range cbs {
		cbs[c] = 3*int32(cbN[c]) + int32(cbF[c])
		crs[c] = 3*int32(crN[c]) + int32(crF[c])
	}
	o = o[:len(y)]
	for c := range n {
		prev, next := max(c-1, 0), min(c+1, n-1)
		tb, tr := 3*cbs[c], 3*crs[c]
		x := 2 * c
		o[x] = jpegLuma(y[x], uint8((tb+cbs[prev]+8)>>4), uint8((tr+crs[prev]+8)>>4))
		if x+1 < len(y) {
			o[x+1] = jpegLuma(y[x+1], uint8((tb+cbs[next]+7)>>4), uint8((tr+crs[next]+7)>>4))
		}
	}
}

// libjpeg's YCbCr to RGB conversion (jdcolor.c): 16-bit fixed-point
// tables, rounded as libjpeg rounds them, and a range-limit table.
var (
	tabCrR, tabCbB, tabCrG, tabCbG [256]int32
	rangeLimit                     [1024]uint8 // index v+384 -> clamp(v, 0, 255)
)

func init() {
	const scale, half = 16, 1 << 15
	fix := func(x float64) int32 { return int32(x*(1<<scale) + 0.5) }
	for i := range 256 {
		x := int32(i) - 128
		tabCrR[i] = (fix(1.40200)*x + half) >> scale
		tabCbB[i] = (fix(1.77200)*x + half) >> scale
		tabCrG[i] = -fix(0.71414) * x
		tabCbG[i] = -fix(0.34414)*x + half
	}
	for i := range rangeLimit {
		rangeLimit[i] = uint8(min(max(i-384, 0), 255))
	}
}

func jpegLuma(y, cb, cr uint8) float32 {
	yy := int32(y) + 384
	r := rangeLimit[(yy+tabCrR[cr])&1023]
	g := rangeLimit[(yy+(tabCbG[cb]+tabCrG[cr])>>16)&1023]
	b := rangeLimit[(yy+tabCbB[cb])&1023]
	return lumR[r] + lumG[g] + lumB[b]
}

// downsample blurs buf1 (rows x cols) with the reference's Jarosz tent
// filter and decimates it to h.a64. It does the same float32 operations in
// the same order as the reference, so the result is bit-identical, but
// skips the divisions whose results decimation throws away.
func (h *Hasher) downsample(rows, cols int) {
	wr := windowSize(cols)
	wc := windowSize(rows)
	var xi, yi [64]int
	for k := range 64 {
		yi[k] = int((float64(k) + 0.5) * float64(rows) / 64)
		xi[k] = int((float64(k) + 0.5) * float64(cols) / 64)
	}
	// Pass 1: rows then columns, full outputs.
	boxRows(h.buf1, h.buf2, rows, cols, wr)
	h.col = grow(h.col, max(cols, 64))
	boxCols(h.buf2, h.buf1, rows, cols, wc, h.col)
	// Pass 2: rows, keeping only the 64 decimation columns (h.col, free
	// until the column pass, is scratch).
	h.sampled = grow(h.sampled, rows*64)
	boxRowsSampled(h.buf1, h.sampled, rows, cols, wr, &xi, h.col)
	// Pass 2: columns, only at the 64 decimation rows.
	boxColsSampled(h.sampled, &h.a64, rows, wc, &yi, h.col[:64])
}

func windowSize(old int) int { return (old + 2*64 - 1) / (2 * 64) }

// Each 1-D box filter runs in four phases, like the reference: a window
// that grows at the start, slides, and shrinks at the end. half is the
// number of inputs summed before the first output.

// boxRows filters every row of in into out. Each row's running sum is a
// chain of dependent float additions, so rows are filtered four at a time
// (boxRows4) for the processor to run four chains side by side; each row
// still sees exactly the reference's operations in the reference's order.
func boxRows(in, out []float32, rows, cols, win int) {
	r := 0
	for ; r+4 <= rows; r += 4 {
		boxRows4(in[r*cols:(r+4)*cols], out[r*cols:(r+4)*cols], cols, win)
	}
	boxRows1(in[r*cols:], out[r*cols:], rows-r, cols, win)
}

// boxRows4 filters 4 consecutive rows.
func boxRows4(in, out []float32, cols, win int) {
	half := (win + 2) / 2
	i0, i1, i2, i3 := in[:cols], in[cols:2*cols], in[2*cols:3*cols], in[3*cols:4*cols]
	o0, o1, o2, o3 := out[:cols], out[cols:2*cols], out[2*cols:3*cols], out[3*cols:4*cols]
	var s0, s1, s2, s3 float32
	n := 0
	ri, li, oi := 0, 0, 0
	for range half - 1 {
		s0 += i0[ri]
		s1 += i1[ri]
		s2 += i2[ri]
		s3 += i3[ri]
		n++
		ri++
	}
	for range win - half + 1 {
		s0 += i0[ri]
		s1 += i1[ri]
		s2 += i2[ri]
		s3 += i3[ri]
		n++
		fn := float32(n)
		o0[oi], o1[oi], o2[oi], o3[oi] = s0/fn, s1/fn, s2/fn, s3/fn
		ri++
		oi++
	}
	fn := float32(n)
	for range cols - win {
		s0 += i0[ri]
		s1 += i1[ri]
		s2 += i2[ri]
		s3 += i3[ri]
		s0 -= i0[li]
		s1 -= i1[li]
		s2 -= i2[li]
		s3 -= i3[li]
		o0[oi], o1[oi], o2[oi], o3[oi] = s0/fn, s1/fn, s2/fn, s3/fn
		li++
		ri++
		oi++
	}
	for range half - 1 {
		s0 -= i0[li]
		s1 -= i1[li]
		s2 -= i2[li]
		s3 -= i3[li]
		n--
		fn := float32(n)
		o0[oi], o1[oi], o2[oi], o3[oi] = s0/fn, s1/fn, s2/fn, s3/fn
		li++
		oi++
	}
}

// boxRows1 filters rows one at a time.
func boxRows1(in, out []float32, rows, cols, win int) {
	half := (win + 2) / 2
	for r := range rows {
		iv := in[r*cols : (r+1)*cols]
		ov := out[r*cols : (r+1)*cols]
		var sum float32
		n := 0
		ri, li, oi := 0, 0, 0
		for range half - 1 {
			sum += iv[ri]
			n++
			ri++
		}
		for range win - half + 1 {
			sum += iv[ri]
			n++
			ov[oi] = sum / float32(n)
			ri++
			oi++
		}
		fn := float32(n)
		for range cols - win {
			sum += iv[ri]
			sum -= iv[li]
			ov[oi] = sum / fn
			li++
			ri++
			oi++
		}
		for range half - 1 {
			sum -= iv[li]
			n--
			ov[oi] = sum / float32(n)
			li++
			oi++
		}
	}
}

// boxRowsSampled is boxRows that writes only columns xi into out (rows x
// 64), four rows at a time like boxRows; row is scratch of cols floats.
func boxRowsSampled(in, out []float32, rows, cols, win int, xi *[64]int, row []float32) {
	r := 0
	for ; r+4 <= rows; r += 4 {
		boxRowsSampled4(in[r*cols:(r+4)*cols], out[r*64:(r+4)*64], cols, win, xi)
	}
	boxRowsSampled1(in[r*cols:], out[r*64:], rows-r, cols, win, xi, row)
}

func boxRowsSampled4(in, out []float32, cols, win int, xi *[64]int) {
	half := (win + 2) / 2
	i0, i1, i2, i3 := in[:cols], in[cols:2*cols], in[2*cols:3*cols], in[3*cols:4*cols]
	o0, o1, o2, o3 := out[:64], out[64:128], out[128:192], out[192:256]
	var s0, s1, s2, s3 float32
	n := 0
	ri, li, oi := 0, 0, 0
	k := 0 // next decimation slot
	emit := func() {
		for k < 64 && xi[k] == oi {
			fn := float32(n)
			o0[k], o1[k], o2[k], o3[k] = s0/fn, s1/fn, s2/fn, s3/fn
			k++
		}
	}
	for range half - 1 {
		s0 += i0[ri]
		s1 += i1[ri]
		s2 += i2[ri]
		s3 += i3[ri]
		n++
		ri++
	}
	for range win - half + 1 {
		s0 += i0[ri]
		s1 += i1[ri]
		s2 += i2[ri]
		s3 += i3[ri]
		n++
		emit()
		ri++
		oi++
	}
	for range cols - win {
		s0 += i0[ri]
		s1 += i1[ri]
		s2 += i2[ri]
		s3 += i3[ri]
		s0 -= i0[li]
		s1 -= i1[li]
		s2 -= i2[li]
		s3 -= i3[li]
		if k < 64 && xi[k] == oi {
			emit()
		}
		li++
		ri++
		oi++
	}
	for range half - 1 {
		s0 -= i0[li]
		s1 -= i1[li]
		s2 -= i2[li]
		s3 -= i3[li]
		n--
		emit()
		li++
		oi++
	}
}

// boxRowsSampled1 filters the rows (fewer than four) that boxRowsSampled
// leaves over: in full with boxRows1 into row, a scratch row of cols, then
// keeping columns xi; boxRows1 computes each output with the same
// operations as a sampled filter would.
func boxRowsSampled1(in, out []float32, rows, cols, win int, xi *[64]int, row []float32) {
	row = row[:cols]
	for r := range rows {
		boxRows1(in[r*cols:(r+1)*cols], row, 1, cols, win)
		ov := out[r*64 : (r+1)*64]
		for k, x := range xi {
			ov[k] = row[x]
		}
	}
}

// boxCols filters every column of in into out, walking rows so that memory
// is read in order; sums[j] is column j's running sum.
func boxCols(in, out []float32, rows, cols, win int, sums []float32) {
	half := (win + 2) / 2
	clear(sums)
	ri, li, oi := 0, 0, 0
	n := 0
	add := func(r int) {
		s := sums[:cols]
		v := in[r*cols : r*cols+cols]
		for j := range s {
			s[j] += v[j]
		}
	}
	for range half - 1 {
		add(ri)
		n++
		ri++
	}
	for range win - half + 1 {
		add(ri)
		n++
		divRow(out[oi*cols:oi*cols+cols], sums[:cols], float32(n))
		ri++
		oi++
	}
	for range rows - win {
		s := sums[:cols]
		a := in[ri*cols : ri*cols+cols]
		d := in[li*cols : li*cols+cols]
		o := out[oi*cols : oi*cols+cols]
		fn := float32(n)
		for j := range s {
			t := s[j] + a[j]
			t -= d[j]
			s[j] = t
			o[j] = t / fn
		}
		li++
		ri++
		oi++
	}
	for range half - 1 {
		s := sums[:cols]
		d := in[li*cols : li*cols+cols]
		for j := range s {
			s[j] -= d[j]
		}
		n--
		divRow(out[oi*cols:oi*cols+cols], sums[:cols], float32(n))
		li++
		oi++
	}
}

func divRow(o, s []float32, n float32) {
	o = o[:len(s)]
	for j, v := range s {
		o[j] = v / n
	}
}

// boxColsSampled filters the 64 columns of in (rows x 64) and writes only
// rows yi into a64.
func boxColsSampled(in []float32, a64 *[64 * 64]float32, rows, win int, yi *[64]int, sums []float32) {
	half := (win + 2) / 2
	clear(sums)
	ri, li, oi := 0, 0, 0
	n := 0
	k := 0
	emit := func() {
		for k < 64 && yi[k] == oi {
			divRow(a64[k*64:k*64+64], sums, float32(n))
			k++
		}
	}
	add := func(r int, sign float32) {
		v := in[r*64 : r*64+64]
		s := sums[:64]
		if sign > 0 {
			for j := range s {
				s[j] += v[j]
			}
		} else {
			for j := range s {
				s[j] -= v[j]
			}
		}
	}
	for range half - 1 {
		add(ri, 1)
		n++
		ri++
	}
	for range win - half + 1 {
		add(ri, 1)
		n++
		emit()
		ri++
		oi++
	}
	for range rows - win {
		add(ri, 1)
		add(li, -1)
		emit()
		li++
		ri++
		oi++
	}
	for range half - 1 {
		add(li, -1)
		n--
		emit()
		li++
		oi++
	}
}

// qualityOf is the reference's image-domain quality metric: the sum of
// quantized gradients of the 64x64 downsample, scaled to 0-100.
func qualityOf(a *[64 * 64]float32) int {
	sum := 0
	for i := range 63 {
		for j := range 64 {
			d := int(float32(a[i*64+j]-a[(i+1)*64+j]) * 100 / 255)
			sum += abs(d)
		}
	}
	for i := range 64 {
		for j := range 63 {
			d := int(float32(a[i*64+j]-a[i*64+j+1]) * 100 / 255)
			sum += abs(d)
		}
	}
	return min(sum/90, 100)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// dct64To16 computes B = D A Dᵀ for the 16 lowest non-DC frequencies. Each
// output is accumulated over k in increasing order with float32 rounding
// after every multiply and add, as the reference does.
func dct64To16(a *[64 * 64]float32, t *[16 * 64]float32, b *[16 * 16]float32) {
	for i := range 16 {
		ti := t[i*64 : i*64+64]
		clear(ti)
		d := dct[i*64 : i*64+64]
		for k := range 64 {
			dk := d[k]
			ak := a[k*64 : k*64+64]
			for j := range ti {
				ti[j] += float32(dk * ak[j])
			}
		}
	}
	for i := range 16 {
		ti := t[i*64 : i*64+64]
		for j := range 16 {
			d := dct[j*64 : j*64+64]
			var s float32
			for k := range 64 {
				s += float32(ti[k] * d[k])
			}
			b[i*16+j] = s
		}
	}
}

// bitsOf sets each bit whose coefficient is above the median of the 256
// (the lower median, the 128th smallest, as the reference's Torben median).
func bitsOf(b *[256]float32, scratch *[256]float32) Hash {
	*scratch = *b
	med := selectK(scratch[:], 127)
	var h Hash
	for k, v := range b {
		if v > med {
			h.setBit(k)
		}
	}
	return h
}

// selectK returns the k-th smallest element (0-based) of s, reordering s.
func selectK(s []float32, k int) float32 {
	lo, hi := 0, len(s)-1
	for lo < hi {
		p := s[(lo+hi)/2]
		i, j := lo, hi
		for i <= j {
			for s[i] < p {
				i++
			}
			for s[j] > p {
				j--
			}
			if i <= j {
				s[i], s[j] = s[j], s[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return s[k]
		}
	}
	return s[k]
}
