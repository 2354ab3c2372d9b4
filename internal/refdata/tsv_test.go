package refdata

import "testing"

func TestReadTSV(t *testing.T) {
	rows := ReadTSV(t, "finance/phone/morocco_phone_examples.tsv")
	if len(rows) != 10 { // 11 lines: the header and 10 numbers
		t.Fatalf("%d rows, want 10", len(rows))
	}
	r := rows[0]
	if r["region"] != "EH" || r["type"] != "FIXED_LINE" || r["e164"] != "+212528812345" || r["national_format_derived"] != "05 28 81 23 45" {
		t.Errorf("first row = %v", r)
	}
	if _, ok := r["nonexistent"]; ok || len(r) != 7 {
		t.Errorf("first row has %d keys, want the 7 header names: %v", len(r), r)
	}
}
