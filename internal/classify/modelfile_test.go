package classify

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/basira-org/basira/arabic"
)

func smallModel(t testing.TB) *Model {
	t.Helper()
	cues := map[string][]string{"sport": {"مباراة", "هدف"}, "weather": {"مطر", "شمس"}, "normal": {"مرحبا", "شكرا"}}
	f := DefaultFeatures()
	f.Bits = 14
	m, err := Train(synthetic(300, 3, cues, false), TrainOptions{Name: "syn", Version: "7", Features: f, Params: DefaultParams(),
		Data: []DataFile{{Name: "syn.tsv", SHA256: strings.Repeat("ab", 32), Rows: 300, Role: "train"}}, DataLicense: "ours"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestModelFileRoundTrip(t *testing.T) {
	m := smallModel(t)
	path := filepath.Join(t.TempDir(), "syn.model")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Info().Name != "syn" || got.Info().Version != "7" || got.Info().DataLicense != "ours" ||
		len(got.Info().Data) != 1 || got.Info().Data[0].Rows != 300 || got.Info().CV == nil {
		t.Errorf("provenance lost: %+v", got.Info())
	}
	if got.EngineMismatch() {
		t.Error("a model saved by this build reports another text engine")
	}
	for _, text := range []string{"هدف في المباراة", "مطر غزير اليوم", "مرحبا شكرا", "نص لا علاقة له"} {
		d := arabic.Analyze(text)
		a, b := m.Predict(d), got.Predict(d)
		for j := range a.Probs {
			if a.Probs[j] != b.Probs[j] {
				t.Fatalf("%q: probabilities differ after a round trip: %v vs %v", text, a.Probs, b.Probs)
			}
		}
	}
}

// rewrite changes bytes of a model file and fixes up its checksum, to
// build files that pass the checksum but are otherwise wrong.
func rewrite(data []byte, edit func([]byte)) []byte {
	out := bytes.Clone(data)
	edit(out)
	sum := sha256.Sum256(out[:len(out)-32])
	copy(out[len(out)-32:], sum[:])
	return out
}

func TestModelFileRefusals(t *testing.T) {
	var buf bytes.Buffer
	if err := smallModel(t).Write(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 0x40
	tests := []struct {
		name string
		data []byte
		is   error
		msg  string
	}{
		{"not a model", []byte("text\tlabel\nhello\tworld\n" + strings.Repeat("x", 64)), ErrNotModel, "basira train"},
		{"empty", nil, ErrNotModel, ""},
		{"flipped byte", flipped, ErrCorrupt, "checksum mismatch"},
		{"truncated", good[:len(good)-100], ErrCorrupt, "truncated"},
		{"newer format", rewrite(good, func(b []byte) { binary.LittleEndian.PutUint32(b[8:], FormatVersion+1) }), ErrIncompatible, "upgrade Basira"},
		{"older format", rewrite(good, func(b []byte) { binary.LittleEndian.PutUint32(b[8:], 0) }), ErrIncompatible, "retrain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.data)
			if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %v, want %v mentioning %q", err, tt.is, tt.msg)
			}
		})
	}
}

func TestModelFileOtherFeatureVersionRefused(t *testing.T) {
	m := smallModel(t)
	m.meta.Features.Version = FeatureVersion + 1
	var buf bytes.Buffer
	if err := m.Write(&buf); err != nil {
		t.Fatal(err)
	}
	_, err := Decode(buf.Bytes())
	if !errors.Is(err, ErrIncompatible) || !strings.Contains(err.Error(), "retrain") {
		t.Errorf("err = %v", err)
	}
}

func TestLoadONNXExplains(t *testing.T) {
	p := filepath.Join(t.TempDir(), "m.onnx")
	os.WriteFile(p, []byte("onnx"), 0o644)
	_, err := Load(p)
	if !errors.Is(err, ErrIncompatible) || !strings.Contains(err.Error(), "ONNX") {
		t.Errorf("err = %v", err)
	}
	dir := filepath.Dir(p)
	if _, err := LoadDir(dir); err == nil || !strings.Contains(err.Error(), "ONNX") {
		t.Errorf("LoadDir with an .onnx file: %v, want a refusal", err)
	}
}

// FuzzDecode checks that no file makes the loader panic or allocate
// without bound, and that what it accepts can score a text.
func FuzzDecode(f *testing.F) {
	var buf bytes.Buffer
	smallModel(f).Write(&buf)
	f.Add(buf.Bytes())
	f.Add([]byte(magic))
	f.Add(rewrite(buf.Bytes(), func(b []byte) { b[30] ^= 1 }))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Decode(data)
		if err != nil {
			return
		}
		m.Predict(arabic.Analyze("نص للتجربة"))
	})
}

// frame wraps an uncompressed payload into a model file with a valid
// gzip layer, length and checksum, so the fuzzer reaches the parser.
func frame(inner []byte) []byte {
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(inner)
	zw.Close()
	var out bytes.Buffer
	out.WriteString(magic)
	binary.Write(&out, binary.LittleEndian, uint32(FormatVersion))
	binary.Write(&out, binary.LittleEndian, uint64(z.Len()))
	out.Write(z.Bytes())
	sum := sha256.Sum256(out.Bytes())
	out.Write(sum[:])
	return out.Bytes()
}

// FuzzDecodePayload fuzzes what lies behind the checksum and the gzip
// layer: the header JSON and the weights.
func FuzzDecodePayload(f *testing.F) {
	var buf bytes.Buffer
	smallModel(f).Write(&buf)
	data := buf.Bytes()
	zr, err := gzip.NewReader(bytes.NewReader(data[20 : len(data)-32]))
	if err != nil {
		f.Fatal(err)
	}
	var inner bytes.Buffer
	inner.ReadFrom(zr)
	f.Add(inner.Bytes())
	f.Add(inner.Bytes()[:200])
	f.Add([]byte("\x10\x00\x00\x00{\"mode\":\"binary\"}"))
	f.Fuzz(func(t *testing.T, inner []byte) {
		m, err := Decode(frame(inner))
		if err != nil {
			return
		}
		m.Predict(arabic.Analyze("نص للتجربة"))
		m.Explain(arabic.Analyze("نص للتجربة"), m.Info().Labels[0].Name, 3)
	})
}

func TestDecodeRefusesHugeModel(t *testing.T) {
	hdr := []byte(`{"mode":"multiclass","labels":[` + strings.Repeat(`{"name":"x"},`, 63) + `{"name":"y"}],"features":{"version":` + strconv.Itoa(FeatureVersion) + `,"bits":22,"word_ngrams":1,"char_min":2,"char_max":3}}`)
	inner := binary.LittleEndian.AppendUint32(nil, uint32(len(hdr)))
	inner = append(inner, hdr...)
	_, err := Decode(frame(inner))
	if !errors.Is(err, ErrIncompatible) || !strings.Contains(err.Error(), "weights a model may hold") {
		t.Errorf("err = %v", err)
	}
}

func TestPredictConcurrent(t *testing.T) {
	m := smallModel(t)
	texts := []string{"هدف في المباراة", "مطر غزير اليوم", "مرحبا شكرا", "نص لا علاقة له", "ya 7mar", "😂😂 هههه"}
	want := make([][]float64, len(texts))
	for i, tx := range texts {
		want[i] = m.Predict(arabic.Analyze(tx)).Probs
	}
	done := make(chan error, 8)
	for g := range 8 {
		go func() {
			for r := range 200 {
				i := (g + r) % len(texts)
				got := m.Predict(arabic.Analyze(texts[i])).Probs
				for j := range got {
					if got[j] != want[i][j] {
						done <- fmt.Errorf("%q: concurrent %v, serial %v", texts[i], got, want[i])
						return
					}
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
