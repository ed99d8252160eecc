package kubeconfig

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/ack-expose/ack-expose/internal/backoff"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

// lockName is kubectl's lock for a kubeconfig file (client-go's clientcmd,
// loader.go: lockFile, which is not exported).
func lockName(path string) string { return path + ".lock" }

// kubectlReadGrace is how long an edit keeps the lock after writing.
// kubectl's `config` commands read the kubeconfig before they take the lock,
// then write their change and delete every entry they did not read
// (clientcmd.ModifyConfig): an entry written between kubectl's read and its
// lock would be lost. Holding the lock a little longer than that gap makes
// kubectl fail on the lock instead (and the user run it again).
const kubectlReadGrace = 50 * time.Millisecond

// lockFiles takes kubectl's locks on files the way `kubectl config` does
// (clientcmd.ModifyConfig): every file of the loading precedence, in sorted
// order, each an exclusively created <file>.lock, removed by the returned
// unlock. Unlike kubectl it waits up to wait for a lock that is held, then
// fails with KindConflict naming the lock file. Files whose directory does
// not exist have nothing to protect and are skipped. unlock(wrote) keeps the
// locks kubectlReadGrace longer when a file was written.
func lockFiles(files []string, wait time.Duration) (unlock func(wrote bool), err error) {
	sorted := append([]string(nil), files...)
	sort.Strings(sorted)
	var held []string
	unlock = func(wrote bool) {
		if wrote && len(held) > 0 {
			time.Sleep(kubectlReadGrace)
		}
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
		pauses := backoff.Backoff{Initial: 2 * time.Millisecond, Factor: 2, Max: 50 * time.Millisecond}.Steps()
		for {
			f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL, 0)
			if err == nil {
				_ = f.Close()
				held = append(held, name)
				break
			}
			if !errors.Is(err, fs.ErrExist) {
				unlock(false)
				return nil, &errdefs.Error{Kind: errdefs.KindInvalid, Msg: "cannot take kubectl's lock " + name, Err: err,
					Hint: "kubectl and ack-expose create it beside the kubeconfig while they edit it: make " + filepath.Dir(name) + " writable."}
			}
			if time.Now().After(deadline) {
				unlock(false)
				return nil, errdefs.Errorf(errdefs.KindConflict, "kubeconfig %s is being edited: its lock %s exists", p, name).
					WithHint("kubectl or another ack-expose holds it; try again. If none is running, the lock was left by one that crashed: remove %s.", name)
			}
			time.Sleep(pauses.Step())
		}
	}
	return unlock, nil
}
