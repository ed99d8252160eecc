package kubeconfig

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

// lockName is kubectl's lock for a kubeconfig file (client-go's clientcmd,
// loader.go: lockFile, which is not exported).
func lockName(path string) string { return path + ".lock" }

// lockFiles takes kubectl's locks on files the way `kubectl config` does
// (clientcmd.ModifyConfig): every file of the loading precedence, in sorted
// order, each an exclusively created <file>.lock, removed by the returned
// unlock. Unlike kubectl it waits up to wait for a lock that is held, then
// fails with KindConflict naming the lock file. Files whose directory does
// not exist have nothing to protect and are skipped.
func lockFiles(files []string, wait time.Duration) (unlock func(), err error) {
	sorted := append([]string(nil), files...)
	sort.Strings(sorted)
	var held []string
	unlock = func() {
		for i := len(held) - 1; i >= 0; i-- {
			_ = os.Remove(held[i])
		}
	}
	deadline := time.Now().Add(wait)
	for i, p := range sorted {
		if i > 0 && p == sorted[i-1] {
			continue
		}
		if _, err := os.Stat(filepath.Dir(p)); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		name := lockName(p)
		for pause := 2 * time.Millisecond; ; pause = min(pause*2, 50*time.Millisecond) {
			f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL, 0)
			if err == nil {
				_ = f.Close()
				held = append(held, name)
				break
			}
			if !errors.Is(err, fs.ErrExist) {
				unlock()
				return nil, &errdefs.Error{Kind: errdefs.KindInvalid, Msg: "cannot take kubectl's lock " + name, Err: err,
					Hint: "kubectl and ack-expose create it beside the kubeconfig while they edit it: make " + filepath.Dir(name) + " writable."}
			}
			if time.Now().After(deadline) {
				unlock()
				return nil, errdefs.Errorf(errdefs.KindConflict, "kubeconfig %s is being edited: its lock %s exists", p, name).
					WithHint("kubectl or another ack-expose holds it; try again. If none is running, the lock was left by one that crashed: remove %s.", name)
			}
			time.Sleep(pause)
		}
	}
	return unlock, nil
}
