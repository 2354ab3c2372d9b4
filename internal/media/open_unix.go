//go:build unix

package media

import "syscall"

// openNoBlock opens without waiting (FIFOs, terminals) and refuses a
// symlink as the last component.
const openNoBlock = syscall.O_NONBLOCK | syscall.O_NOFOLLOW
