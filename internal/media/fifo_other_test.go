//go:build !unix

package media

import "errors"

func mkfifo(string) error { return errors.New("not supported") }
