package postgres

import (
	"context"
	"testing"

	"github.com/basira-org/basira/internal/store/storetest"
)

// BenchmarkRecordProcessing: messages of 512 flagged posts, all opening
// their own case (distinct) or folding into 8 campaigns, recorded by 4
// concurrent workers (as two 'basira worker' processes would).
func BenchmarkRecordProcessing(b *testing.B) {
	for _, w := range []string{storetest.Distinct, storetest.Campaigns} {
		b.Run(w, func(b *testing.B) {
			db, err := Open(context.Background(), testDSN(b), Options{Create: true})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			storetest.BenchRecordProcessing(b, db, w, 4)
		})
	}
}
