package media

import (
	"bytes"
	"sync"

	"github.com/basira-org/basira/pdq"
)

// PDQ is an ImageHasher computing Meta's PDQ hash with Basira's pure-Go
// implementation. It is safe for concurrent use (one pdq.Hasher per
// goroutine, from a pool).
func PDQ() ImageHasher {
	pool := sync.Pool{New: func() any { return pdq.NewHasher() }}
	return func(data []byte) (string, int, error) {
		img, _, err := pdq.Decode(bytes.NewReader(data))
		if err != nil {
			return "", 0, err
		}
		h := pool.Get().(*pdq.Hasher)
		defer pool.Put(h)
		r := h.Hash(img)
		return r.Hash.String(), r.Quality, nil
	}
}
