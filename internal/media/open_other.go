//go:build !unix

package media

const openNoBlock = 0
