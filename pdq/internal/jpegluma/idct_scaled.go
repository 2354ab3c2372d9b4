package jpegluma

import "math"

// zigFor lists, for an n×n reduced transform, the zig-zag indices of the
// coefficients it reads and their natural positions.
var zigFor = func() (z [5][]int32) {
	for _, n := range []int{2, 4} {
		for zig := 0; zig < blockSize; zig++ {
			k := unzig[zig]
			if k%8 < n && k/8 < n {
				z[n] = append(z[n], int32(zig))
			}
		}
	}
	return
}()

// idctScaled dequantizes the n×n lowest frequencies of b (n = 1, 2 or 4)
// and writes their n×n inverse DCT, level-shifted and clipped, to dst: the
// average of each (8/n)×(8/n) square of the full inverse DCT, up to the
// high frequencies it leaves out (libjpeg's jidctred does the same). With
// the orthonormal N-point DCT and coefficients scaled by sqrt(N/8), the
// basis is 0.5·c(u)·cos((2x+1)uπ/2N) whatever N.
func idctScaled(b *block, qt *block, n int, dst []byte, stride int) {
	if n == 1 {
		dst[0] = clip(float32(b[0]*qt[0]) / 8)
		return
	}
	var f [4][4]float32
	ac := false
	for _, zig := range zigFor[n] {
		k := unzig[zig]
		if v := b[k]; v != 0 {
			f[k/8][k%8] = float32(v * qt[zig])
			ac = ac || k != 0
		}
	}
	if !ac { // flat block: every pixel is the mean
		v := clip(f[0][0] / 8)
		for y := 0; y < n; y++ {
			row := dst[y*stride : y*stride+n]
			for x := range row {
				row[x] = v
			}
		}
		return
	}
	t := &basis2
	if n == 4 {
		t = &basis4
	}
	// Rows (over u), then columns (over v).
	var r [4][4]float32
	for v := 0; v < n; v++ {
		fv := &f[v]
		for x := 0; x < n; x++ {
			tx := &t[x]
			r[v][x] = tx[0]*fv[0] + tx[1]*fv[1] + tx[2]*fv[2] + tx[3]*fv[3]
		}
	}
	for y := 0; y < n; y++ {
		ty := &t[y]
		row := dst[y*stride : y*stride+n]
		for x := range row {
			row[x] = clip(ty[0]*r[0][x] + ty[1]*r[1][x] + ty[2]*r[2][x] + ty[3]*r[3][x])
		}
	}
}

// clip level-shifts, rounds and clips one output sample.
func clip(s float32) uint8 {
	switch {
	case s < -128:
		return 0
	case s >= 127.5:
		return 255
	}
	return uint8(s + 128.5) // positive: truncation rounds
}

var basis2, basis4 = basis(2), basis(4)

// basis is the n-point table, zero past n so that 4-term sums serve n = 2.
func basis(n int) (t [4][4]float32) {
	for x := 0; x < n; x++ {
		for u := 0; u < n; u++ {
			c := 1.0
			if u == 0 {
				c = 1 / math.Sqrt2
			}
			t[x][u] = float32(0.5 * c * math.Cos(float64(2*x+1)*float64(u)*math.Pi/float64(2*n)))
		}
	}
	return
}
