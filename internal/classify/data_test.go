package classify

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestReadExamples(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		opt     ReadOptions
		want    []Example // Text, Labels, Group, Line compared
		bad     []int     // lines of LineErrors
		wantErr string
	}{
		{
			name: "tsv without header, numbered columns, labels trimmed",
			in:   "يا كلب\t OFF\tHS\nصباح الخير\tNOT_OFF\tNOT_HS\n",
			opt:  ReadOptions{Format: "tsv", TextCol: "1", LabelCol: "2"},
			want: []Example{{Text: "يا كلب", Labels: []string{"OFF"}, Line: 1}, {Text: "صباح الخير", Labels: []string{"NOT_OFF"}, Line: 2}},
		},
		{
			name: "tsv with header by name and group column",
			in:   "topic\ttweet_text\tlabel\nT1\tنص أول\t1\nT2\tنص ثان\t0\n",
			opt:  ReadOptions{Format: "tsv", TextCol: "tweet_text", LabelCol: "label", GroupCol: "topic"},
			want: []Example{{Text: "نص أول", Labels: []string{"1"}, Group: "T1", Line: 2}, {Text: "نص ثان", Labels: []string{"0"}, Group: "T2", Line: 3}},
		},
		{
			name: "tsv quoted field spanning lines (L-HSAB style)",
			in:   "Tweet\tClass\n\"سطر أول\nسطر ثان\"\thate\nعادي\tnormal\n",
			opt:  ReadOptions{Format: "tsv", TextCol: "Tweet", LabelCol: "Class"},
			want: []Example{{Text: "سطر أول\nسطر ثان", Labels: []string{"hate"}, Line: 2}, {Text: "عادي", Labels: []string{"normal"}, Line: 4}},
		},
		{
			name: "tsv quote inside text is kept (OSACT style)",
			in:   "\"يا طاغيه\"☹️ URL\tNOT_OFF\n\"كلام\" قال\tOFF\n",
			opt:  ReadOptions{Format: "tsv", TextCol: "1", LabelCol: "2"},
			want: []Example{{Text: "\"يا طاغيه\"☹️ URL", Labels: []string{"NOT_OFF"}, Line: 1}, {Text: "\"كلام\" قال", Labels: []string{"OFF"}, Line: 2}},
		},
		{
			name: "tsv doubled quotes",
			in:   "text\tlabel\n\"قال \"\"لا\"\"\"\tx\n",
			opt:  ReadOptions{Format: "tsv", TextCol: "text", LabelCol: "label"},
			want: []Example{{Text: "قال \"لا\"", Labels: []string{"x"}, Line: 2}},
		},
		{
			name: "too few fields and empty label are reported per line",
			in:   "a\tA\nonly-one-field\nb\t \nc\tC\n",
			opt:  ReadOptions{Format: "tsv", TextCol: "1", LabelCol: "2"},
			want: []Example{{Text: "a", Labels: []string{"A"}, Line: 1}, {Text: "c", Labels: []string{"C"}, Line: 4}},
			bad:  []int{2, 3},
		},
		{
			name: "csv with header and multi-label separator",
			in:   "id,tweet,sentiment\n1,\"نص, مع فاصلة\",hateful_normal\n2,نص,offensive\n",
			opt:  ReadOptions{Format: "csv", TextCol: "tweet", LabelCol: "sentiment", LabelSep: "_"},
			want: []Example{{Text: "نص, مع فاصلة", Labels: []string{"hateful", "normal"}, Line: 2}, {Text: "نص", Labels: []string{"offensive"}, Line: 3}},
		},
		{
			name: "jsonl string, number, list labels; bad lines reported",
			in:   `{"text":"أ","label":"OFF"}` + "\n" + `{"text":"ب","label":1}` + "\n" + `{"text":"ج","label":["a","b"]}` + "\nnot json\n" + `{"label":"x"}` + "\n",
			opt:  ReadOptions{Format: "jsonl", TextCol: "text", LabelCol: "label"},
			want: []Example{{Text: "أ", Labels: []string{"OFF"}, Line: 1}, {Text: "ب", Labels: []string{"1"}, Line: 2}, {Text: "ج", Labels: []string{"a", "b"}, Line: 3}},
			bad:  []int{4, 5},
		},
		{
			name:    "unknown column names the header",
			in:      "text\tlabel\nx\ty\n",
			opt:     ReadOptions{Format: "tsv", TextCol: "tweet", LabelCol: "label"},
			wantErr: `no column "tweet" in the header row (text, label)`,
		},
		{
			name:    "names without header",
			in:      "x\ty\n",
			opt:     ReadOptions{Format: "tsv", TextCol: "text", LabelCol: "label", Header: "no"},
			wantErr: "without a header row takes column numbers",
		},
		{
			name: "record over the size limit",
			in:   "x\tA\n" + strings.Repeat("y", 100) + "\tB\nz\tC\n",
			opt:  ReadOptions{Format: "tsv", TextCol: "1", LabelCol: "2", MaxRecordBytes: 50},
			want: []Example{{Text: "x", Labels: []string{"A"}, Line: 1}, {Text: "z", Labels: []string{"C"}, Line: 3}},
			bad:  []int{2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, bad, err := ReadExamples(strings.NewReader(tt.in), tt.opt)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("examples:\n got %+v\nwant %+v", got, tt.want)
			}
			var lines []int
			for _, b := range bad {
				lines = append(lines, b.Line)
			}
			if !reflect.DeepEqual(lines, tt.bad) {
				t.Errorf("bad lines = %v (%v), want %v", lines, bad, tt.bad)
			}
		})
	}
}

func TestReadExamplesTooMany(t *testing.T) {
	_, _, err := ReadExamples(strings.NewReader("a\tA\nb\tB\nc\tC\n"), ReadOptions{Format: "tsv", TextCol: "1", LabelCol: "2", MaxRecords: 2})
	if err == nil || !strings.Contains(err.Error(), "more than 2 records") {
		t.Fatalf("err = %v", err)
	}
}

func TestMapLabels(t *testing.T) {
	in := []Example{{Text: "a", Labels: []string{"hate"}}, {Text: "b", Labels: []string{"HS3"}}, {Text: "c", Labels: []string{"junk"}}}
	got := MapLabels(in, map[string]string{"hate": "abusive", "HS3": "HS", "*": ""})
	if len(got) != 2 || got[0].Labels[0] != "abusive" || got[1].Labels[0] != "HS" {
		t.Fatalf("got %+v", got)
	}
}

// FuzzReadExamples checks that no input makes the reader panic, loop, or
// return an example without a label or with invalid UTF-8.
func FuzzReadExamples(f *testing.F) {
	f.Add("text\tlabel\n\"a\nb\"\tX\nc\tY\n", "tsv")
	f.Add("\"unclosed\tX\n\"\"\t\"\n", "tsv")
	f.Add("id,tweet,sentiment\n1,\"x,y\",a_b\n", "csv")
	f.Add(`{"text":"a","label":["x"]}`+"\n{", "jsonl")
	f.Fuzz(func(t *testing.T, in, format string) {
		if format != "tsv" && format != "csv" && format != "jsonl" {
			return
		}
		cols := [][2]string{{"1", "2"}, {"text", "label"}}
		for _, c := range cols {
			exs, bad, err := ReadExamples(strings.NewReader(in), ReadOptions{Format: format, TextCol: c[0], LabelCol: c[1], LabelSep: "_", MaxRecordBytes: 1 << 12})
			if err != nil && len(exs) > 0 && !strings.Contains(err.Error(), "records") {
				var le *LineError
				if !errors.As(err, &le) {
					continue
				}
			}
			for _, ex := range exs {
				if len(ex.Labels) == 0 {
					t.Fatalf("example without label: %+v", ex)
				}
				if ex.Line < 1 {
					t.Fatalf("example without line: %+v", ex)
				}
			}
			for _, b := range bad {
				if b.Line < 0 {
					t.Fatalf("bad line %d", b.Line)
				}
			}
		}
	})
}

func TestReadTSVOverlongLineInsideOpenQuote(t *testing.T) {
	// An unclosed quote reads ahead; the over-long line it meets must still
	// be reported on its own line, and the lines after it read normally.
	in := "\"open\tA\n" + strings.Repeat("y", 100) + "\tB\nz\tC\n"
	got, bad, err := ReadExamples(strings.NewReader(in), ReadOptions{Format: "tsv", TextCol: "1", LabelCol: "2", MaxRecordBytes: 50})
	if err != nil {
		t.Fatal(err)
	}
	want := []Example{{Text: "\"open", Labels: []string{"A"}, Line: 1}, {Text: "z", Labels: []string{"C"}, Line: 3}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if len(bad) != 1 || bad[0].Line != 2 {
		t.Errorf("bad %v, want line 2", bad)
	}
}
