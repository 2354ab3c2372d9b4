package ingest

import (
	"context"
	"errors"
	"io"
	"strconv"
	"testing"

	"github.com/basira-org/basira/internal/post"
)

// TestBatches: posts come in order in batches of the size, the last one
// short; a read error still hands over what was read before it.
func TestBatches(t *testing.T) {
	boom := errors.New("boom")
	for _, failAt := range []int{0, 7} {
		n := 0
		next := func() (*post.Post, error) {
			n++
			if n == failAt {
				return nil, boom
			}
			if n > 10 {
				return nil, io.EOF
			}
			return &post.Post{ID: strconv.Itoa(n)}, nil
		}
		var sizes []int
		var ids []string
		err := Batches(context.Background(), next, 4, func(b []*post.Post) error {
			sizes = append(sizes, len(b))
			for _, p := range b {
				ids = append(ids, p.ID)
			}
			return nil
		})
		want, wantErr := 10, error(nil)
		if failAt > 0 {
			want, wantErr = failAt-1, boom
		}
		if !errors.Is(err, wantErr) || len(ids) != want || (failAt == 0 && (len(sizes) != 3 || sizes[2] != 2)) {
			t.Errorf("fail at %d: err %v, ids %v, sizes %v", failAt, err, ids, sizes)
		}
		for i, id := range ids {
			if id != strconv.Itoa(i+1) {
				t.Fatalf("fail at %d: out of order: %v", failAt, ids)
			}
		}
	}
}
