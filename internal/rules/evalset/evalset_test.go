package evalset

import (
	"testing"

	"github.com/basira-org/basira/internal/refdata"
)

func TestBenignAndDeleted(t *testing.T) {
	refdata.Path(t, "darija") // skips the test when the data is absent
	dir := refdata.Dir()
	benign, err := Benign(dir)
	if err != nil {
		t.Fatal(err)
	}
	per := map[string]int{}
	for _, b := range benign {
		per[b.Source]++
		if b.ID == "" || b.Text == "" {
			t.Fatalf("empty text or id: %+v", b)
		}
	}
	want := map[string]int{"claims-queries": 597, "verified-claims": 14054, "checkworthy": 4105, "darija": 10254, "osact2022-not-off": 5715, "arabizi": 12001, "en-claims": 44088}
	for src, n := range want {
		if per[src] != n {
			t.Errorf("%s: %d texts, want %d", src, per[src], n)
		}
	}
	del, err := DeletedComments(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(del) != 31692 {
		t.Errorf("%d deleted comments, want 31,692", len(del))
	}
	if _, err := Benign(t.TempDir()); err == nil {
		t.Error("no error on a folder without the data")
	}
}
