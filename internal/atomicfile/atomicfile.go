// Package atomicfile replaces files atomically on every platform: readers see
// the old content or the new, never a mix, and a crash leaves the old file.
package atomicfile

import (
	"os"
	"path/filepath"
)

// WriteFile writes data to a temp file in path's directory, syncs it, and
// renames it over path (MoveFileEx on Windows, which replaces). The file gets
// mode perm; the directory must exist. The data survives a power loss.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	return write(path, data, perm, true)
}

// Replace is WriteFile without the syncs: still atomic (a crash or kill -9
// leaves the old content or the new, never a mix), but a power loss may lose
// the last write. For files that are cheap to lose and written on every call.
func Replace(path string, data []byte, perm os.FileMode) error {
	return write(path, data, perm, false)
}

func write(path string, data []byte, perm os.FileMode, durable bool) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	// CreateTemp makes the file 0600: change it only when asked for another mode.
	if perm != 0o600 {
		if err = f.Chmod(perm); err != nil && !isWindows() {
			return err
		}
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if durable {
		if err = f.Sync(); err != nil {
			return err
		}
	}
	if err = f.Close(); err != nil {
		return err
	}
	// rename(2) replaces path atomically; MoveFileEx does on Windows.
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	if durable {
		syncDir(dir)
	}
	return nil
}

// syncDir makes the rename durable where the platform allows it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
