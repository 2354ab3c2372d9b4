package classify

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/basira-org/basira/internal/atomicfile"
)

// A model file is:
//
//	magic    8 bytes  "BSRMODEL"
//	version  uint32   little endian, FormatVersion
//	length   uint64   bytes of payload
//	payload  gzip of: uint32 header length, header (JSON Meta),
//	         then per label: float32 step, (2^bits + 1) int16 weights
//	checksum 32 bytes SHA-256 of everything before it
//
// Weights are stored as int16 multiples of a per-label step: half the
// size of float32 at no measurable loss (figures are measured on the
// quantized weights).
const (
	magic = "BSRMODEL"
	// FormatVersion is the model file format this build writes and reads.
	FormatVersion = 1
	// MaxModelFileBytes bounds a model file.
	MaxModelFileBytes = 256 << 20
	maxHeaderBytes    = 4 << 20
	// maxWeights bounds the weights of a model (64 MiB as float32), so a
	// small file that claims a huge model cannot exhaust memory.
	maxWeights = 1<<24 + 64
)

// Errors of loading a model, for errors.Is.
var (
	ErrNotModel     = errors.New("not a Basira model file")
	ErrCorrupt      = errors.New("model file is damaged")
	ErrIncompatible = errors.New("model file is incompatible with this build")
)

// Save writes the model to path (atomically: a temporary file renamed).
func (m *Model) Save(path string) error {
	var buf bytes.Buffer
	if err := m.Write(&buf); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, buf.Bytes(), 0o644)
}

// Write encodes the model.
func (m *Model) Write(w io.Writer) error {
	hdr, err := json.Marshal(&m.meta)
	if err != nil {
		return err
	}
	var payload bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&payload, gzip.BestCompression)
	bw := bufio.NewWriter(zw)
	binary.Write(bw, binary.LittleEndian, uint32(len(hdr)))
	bw.Write(hdr)
	K := len(m.meta.Labels)
	var b2 [2]byte
	for k := range K {
		binary.Write(bw, binary.LittleEndian, math.Float32bits(m.step[k]))
		for i := k; i < len(m.q); i += K {
			binary.LittleEndian.PutUint16(b2[:], uint16(m.q[i]))
			bw.Write(b2[:])
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	var out bytes.Buffer
	out.WriteString(magic)
	binary.Write(&out, binary.LittleEndian, uint32(FormatVersion))
	binary.Write(&out, binary.LittleEndian, uint64(payload.Len()))
	out.Write(payload.Bytes())
	sum := sha256.Sum256(out.Bytes())
	out.Write(sum[:])
	_, err = w.Write(out.Bytes())
	return err
}

// Load reads a model file. It refuses, with a message saying what to do,
// a file that is not a model, is damaged, or comes from an incompatible
// version.
func Load(path string) (*Model, error) {
	if strings.EqualFold(filepath.Ext(path), ".onnx") {
		return nil, fmt.Errorf("%s: %w: ONNX models need an ONNX runtime, which this build does not include (see docs/models.md, \"Other model runtimes\")", path, ErrIncompatible)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > MaxModelFileBytes {
		return nil, fmt.Errorf("%s: %d bytes, over the %d-byte limit of a model file", path, st.Size(), MaxModelFileBytes)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	m, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Decode reads a model from the bytes of a model file.
func Decode(data []byte) (*Model, error) {
	if len(data) > MaxModelFileBytes {
		return nil, fmt.Errorf("%d bytes, over the %d-byte limit of a model file", len(data), MaxModelFileBytes)
	}
	if len(data) < len(magic)+12+32 || string(data[:len(magic)]) != magic {
		return nil, fmt.Errorf("%w (no BSRMODEL header): give a file written by `basira train`", ErrNotModel)
	}
	ver := binary.LittleEndian.Uint32(data[8:12])
	if ver != FormatVersion {
		if ver > FormatVersion {
			return nil, fmt.Errorf("%w: format version %d is newer than the version %d this build reads: upgrade Basira", ErrIncompatible, ver, FormatVersion)
		}
		return nil, fmt.Errorf("%w: format version %d is older than the version %d this build reads: retrain the model", ErrIncompatible, ver, FormatVersion)
	}
	n := binary.LittleEndian.Uint64(data[12:20])
	if n != uint64(len(data)-20-32) {
		return nil, fmt.Errorf("%w: it is truncated or has bytes appended (payload %d bytes, file holds %d): copy it again or retrain", ErrCorrupt, n, len(data)-52)
	}
	body := data[:len(data)-32]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], data[len(data)-32:]) {
		return nil, fmt.Errorf("%w: checksum mismatch: copy it again or retrain", ErrCorrupt)
	}
	zr, err := gzip.NewReader(bytes.NewReader(body[20:]))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	br := bufio.NewReader(zr)
	var hl uint32
	if err := binary.Read(br, binary.LittleEndian, &hl); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if hl > maxHeaderBytes {
		return nil, fmt.Errorf("%w: header of %d bytes", ErrCorrupt, hl)
	}
	hdr := make([]byte, hl)
	if _, err := io.ReadFull(br, hdr); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrCorrupt, err)
	}
	m := &Model{}
	if err := json.Unmarshal(hdr, &m.meta); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrCorrupt, err)
	}
	if err := m.meta.Features.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrIncompatible, err)
	}
	if err := m.meta.validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	m.dim = 1 << uint(m.meta.Features.Bits)
	K := len(m.meta.Labels)
	if (m.dim+1)*K > maxWeights {
		return nil, fmt.Errorf("%w: %d labels x 2^%d features is over the %d weights a model may hold", ErrIncompatible, K, m.meta.Features.Bits, maxWeights)
	}
	m.q = make([]int16, (m.dim+1)*K)
	m.step = make([]float32, K)
	raw := make([]byte, 2*(m.dim+1))
	for k := range K {
		var sb uint32
		if err := binary.Read(br, binary.LittleEndian, &sb); err != nil {
			return nil, fmt.Errorf("%w: weights: %v", ErrCorrupt, err)
		}
		s := math.Float32frombits(sb)
		if math.IsNaN(float64(s)) || math.IsInf(float64(s), 0) || s < 0 {
			return nil, fmt.Errorf("%w: weight step is not a number", ErrCorrupt)
		}
		if _, err := io.ReadFull(br, raw); err != nil {
			return nil, fmt.Errorf("%w: weights: %v", ErrCorrupt, err)
		}
		m.step[k] = s
		for i := 0; i <= m.dim; i++ {
			m.q[i*K+k] = int16(binary.LittleEndian.Uint16(raw[2*i:]))
		}
	}
	if _, err := br.ReadByte(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the weights", ErrCorrupt)
	}
	return m, nil
}

// validate checks a decoded header for what Predict relies on.
func (meta *Meta) validate() error {
	K := len(meta.Labels)
	if K == 0 || K > 64 {
		return fmt.Errorf("%d labels", K)
	}
	switch meta.Mode {
	case Binary:
		if K != 1 || meta.Negative == "" {
			return errors.New("binary model without one scored label and a negative label")
		}
	case MultiClass, MultiLabel:
	default:
		return fmt.Errorf("unknown mode %q", meta.Mode)
	}
	for _, l := range meta.Labels {
		for _, v := range []float64{l.PlattA, l.PlattB, l.Decision, l.Flag} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("label %q has a non-finite parameter", l.Name)
			}
		}
	}
	return nil
}

// EngineMismatch reports whether the model was trained with a text engine
// that analyses text differently from this build's: it still works, but
// its scores drift from its measured figures until it is retrained.
func (m *Model) EngineMismatch() bool { return m.meta.TextEngine != TextEngineFingerprint() }
