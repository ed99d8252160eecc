// Package clusterlock serialises, on one machine, the ack-expose runs that
// read, plan and change the same cluster's settings: a lock file per cluster
// under ~/.ack-expose/locks (flock, released when the process ends, however
// it ends). Runs on other machines are not serialised by it.
package clusterlock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"

	"github.com/ack-expose/ack-expose/internal/errkind"
)

// DefaultWait is how long a run waits for another run on the same cluster.
const DefaultWait = 2 * time.Minute

// retry paces the attempts while waiting.
const retry = 100 * time.Millisecond

// DefaultDir is ~/.ack-expose/locks.
func DefaultDir() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".ack-expose", "locks"), nil
}

// safeName reports whether s is a non-empty file name of letters, digits,
// ".", "_" and "-" (no regexp: nothing is compiled at start-up).
func safeName(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return s != ""
}

// Path is the lock file of a cluster in dir.
func Path(dir, clusterID string) (string, error) {
	if !safeName(clusterID) || clusterID == "." || clusterID == ".." {
		return "", &errkind.Error{Kind: errkind.Invalid, Msg: fmt.Sprintf("cluster ID %q cannot name a lock file", clusterID)}
	}
	return filepath.Join(dir, clusterID+".lock"), nil
}

// Lock takes the lock of cluster what in dir, waiting at most wait for another
// run to release it; waiting is called once, when the lock is held by another
// run, to say this run waits. The returned func releases it.
func Lock(ctx context.Context, dir, clusterID, what string, wait time.Duration, waiting func(path string)) (func(), error) {
	path, err := Path(dir, clusterID)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, &errkind.Error{Kind: errkind.Invalid, Msg: "creating the lock directory " + dir, Err: err, Hint: "Make that directory writable."}
	}
	l := flock.New(path, flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(0o600))
	ok, err := l.TryLock()
	if err != nil {
		return nil, lockFailed(path, err)
	}
	if !ok {
		if waiting != nil {
			waiting(path)
		}
		wctx, cancel := context.WithTimeout(ctx, wait)
		defer cancel()
		ok, err = l.TryLockContext(wctx, retry)
		if !ok {
			switch {
			case ctx.Err() != nil:
				return nil, &errkind.Error{Kind: errkind.Interrupted, Msg: "interrupted while waiting for another ack-expose run on cluster " + clusterID, Err: ctx.Err()}
			case errors.Is(err, context.DeadlineExceeded):
				return nil, &errkind.Error{Kind: errkind.Conflict, Msg: fmt.Sprintf("another ack-expose run on this machine is still changing %s of cluster %s after %s (it holds %s): nothing was changed", what, clusterID, wait, path),
					Hint: "Wait for that run to finish, then run this again."}
			default:
				return nil, lockFailed(path, err)
			}
		}
	}
	return func() { _ = l.Unlock() }, nil
}

// lockFailed is a lock file that cannot be opened or locked: a problem of
// this machine the user fixes.
func lockFailed(path string, err error) error {
	return &errkind.Error{Kind: errkind.Invalid, Msg: "locking " + path, Err: err, Hint: "Make that file and its directory writable."}
}
