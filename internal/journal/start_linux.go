//go:build linux

package journal

import (
	"bytes"
	"os"
	"strconv"
)

// startTime is when process pid started, in clock ticks after boot
// (/proc/<pid>/stat, field 22), and whether it could be read. With the PID
// it names one process: a PID reused after a crash or a reboot has another.
func startTime(pid int) (uint64, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	fields := bytes.Fields(b[i+1:])
	// fields[0] is field 3 (state): field 22 is fields[19].
	if len(fields) < 20 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(fields[19]), 10, 64)
	return n, err == nil
}
