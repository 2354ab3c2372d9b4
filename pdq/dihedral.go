package pdq

import "image"

// transform is one of the 8 dihedral transforms as a map from the
// transformed picture's pixel (x', y') back to the source pixel: with
// transpose, x' indexes source rows and y' source columns; mirrorX and
// mirrorY reverse the source axis.
type transform struct{ transpose, mirrorX, mirrorY bool }

// transforms are in the order of the Dihedral names, with the meanings of
// the reference's regression images (reg-test-input/dih) and of
// python-threatexchange's PhotoContent: rot90 turns counter-clockwise,
// flipx mirrors top to bottom, flipy left to right, flipp about the main
// diagonal and flipm about the other one.
var transforms = [8]transform{
	{false, false, false}, // orig
	{true, true, false},   // rot90
	{false, true, true},   // rot180
	{true, false, true},   // rot270
	{false, false, true},  // flipx
	{false, true, false},  // flipy
	{true, false, false},  // flipp
	{true, true, true},    // flipm
}

// Dihedral returns the hashes of img and of its 7 rotations and flips, in
// the order of the Dihedral names. Each is the hash of the transformed
// picture, bit for bit what Hash gives for a rotated or mirrored copy of
// the same pixels, so a turned re-upload of a banked image matches at
// distance 0 (DihedralDCT's one-DCT shortcut can be 60-90 bits off). It
// costs 8 hashes; the transforms are applied while sampling luma, with no
// copy of the picture.
func (h *Hasher) Dihedral(img image.Image) ([8]Hash, int) {
	var out [8]Hash
	var q0 int
	for t := range transforms {
		q, ok := h.dct16Transformed(img, transforms[t])
		if !ok {
			return [8]Hash{}, 0
		}
		if t == 0 {
			q0 = q
		}
		out[t] = bitsOf(&h.b16, &h.sel)
	}
	return out, q0
}

// dct16Transformed is dct16 for the picture img transformed by tr.
func (h *Hasher) dct16Transformed(img image.Image, tr transform) (quality int, ok bool) {
	b := img.Bounds()
	w, ht := b.Dx(), b.Dy()
	if tr.transpose {
		w, ht = ht, w
	}
	rows, cols, ok := h.gridSize(w, ht)
	if !ok {
		return 0, false
	}
	// Sampled pixels of the transformed picture, as in resizeMap.
	xs := make([]int, cols)
	ys := make([]int, rows)
	for j := range cols {
		xs[j] = j * w / cols
	}
	for i := range rows {
		ys[i] = i * ht / rows
	}
	mirror := func(v []int, on bool, n, base int) {
		for k := range v {
			if on {
				v[k] = n - 1 - v[k]
			}
			v[k] += base
		}
	}
	n := rows * cols
	h.buf1 = grow(h.buf1, n)
	h.buf2 = grow(h.buf2, n)
	if !tr.transpose {
		mirror(xs, tr.mirrorX, b.Dx(), b.Min.X)
		mirror(ys, tr.mirrorY, b.Dy(), b.Min.Y)
		h.xs, h.ys = xs, ys
		h.luma(img)
	} else {
		// Output row i reads source column ys[i] and output column j
		// source row xs[j]: sample the source in its own orientation
		// (cols x rows) and transpose.
		mirror(ys, tr.mirrorX, b.Dx(), b.Min.X)
		mirror(xs, tr.mirrorY, b.Dy(), b.Min.Y)
		h.xs, h.ys = ys, xs
		h.luma(img)
		src, dst := h.buf1, h.buf2
		for j := range cols {
			row := src[j*rows : (j+1)*rows]
			for i, v := range row {
				dst[i*cols+j] = v
			}
		}
		h.buf1, h.buf2 = dst, src
	}
	h.downsample(rows, cols)
	quality = qualityOf(&h.a64)
	dct64To16(&h.a64, &h.t16, &h.b16)
	return quality, true
}
