package pdq

import (
	"syscall"
	"unsafe"
)

// adviseHuge asks the kernel to back a large array with 2 MiB pages. An
// index lookup touches a few hundred random places in hundreds of
// megabytes; with 4 KiB pages nearly every one of them also misses the
// TLB, which doubles its cost. Errors are ignored: it is only advice.
func adviseHuge[T any](s []T) {
	n := uintptr(cap(s)) * unsafe.Sizeof(*new(T))
	if n < 4<<20 {
		return
	}
	const huge = 2 << 20
	p := unsafe.Pointer(unsafe.SliceData(s))
	start := uintptr(p)
	lo := (start + huge - 1) &^ (huge - 1)
	hi := (start + n) &^ (huge - 1)
	if hi <= lo {
		return
	}
	b := unsafe.Slice((*byte)(unsafe.Add(p, lo-start)), hi-lo)
	_ = syscall.Madvise(b, 14) // MADV_HUGEPAGE
}
