package media

import (
	"context"
	"sync"

	"github.com/basira-org/basira/pdq"
)

// PDQ is an ImageHasher computing Meta's PDQ hash with Basira's pure-Go
// implementation. It is safe for concurrent use (one pdq.Hasher per
// goroutine, from a pool).
func PDQ() ImageHasher {
	pool := sync.Pool{New: func() any { return pdq.NewHasher() }}
	return func(ctx context.Context, data []byte) (string, int, error) {
		// Under the decode budgets: header checked before decoding, a
		// share of the process's decode memory, the caller's deadline.
		img, _, err := pdq.DecodeForHash(ctx, data)
		if err != nil {
			return "", 0, err
		}
		h := pool.Get().(*pdq.Hasher)
		defer pool.Put(h)
		r := h.Hash(img)
		return r.Hash.String(), r.Quality, nil
	}
}
