//go:build windows

package journal

import "os"

// Alive reports whether a process with this ID runs on this machine.
func Alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	_ = p.Release()
	return true
}
