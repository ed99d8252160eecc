//go:build !linux

package atomicfile

import "os"

// swap renames tmp over path (MoveFileEx on Windows, which replaces).
func swap(tmp, path string) error { return os.Rename(tmp, path) }
