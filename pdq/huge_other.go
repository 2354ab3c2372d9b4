//go:build !linux

package pdq

func adviseHuge[T any](s []T) {}
