package cmd

import (
	"context"
	"fmt"

	"github.com/ack-expose/ack-expose/internal/clusterlock"
)

// lockAccess serialises, on this machine, the runs that read, plan and
// change a cluster's allow list (allow, revoke): a second run waits for the
// first (at most clusterlock.DefaultWait), then plans from the list the first
// left. Runs on other machines are not serialised (see docs/allow-list.md).
func lockAccess(ctx context.Context, o *clusterOptions, clusterID string) (func(), error) {
	dir, err := clusterlock.DefaultDir()
	if err != nil {
		return func() {}, nil // no home directory: nothing to lock in
	}
	return clusterlock.Lock(ctx, dir, clusterID, "the allow list", clusterlock.DefaultWait, func(path string) {
		fmt.Fprintf(o.streams.ErrOut, "Waiting for another ack-expose run on this machine to finish changing the allow list of cluster %s (it holds %s; waiting up to %s)...\n",
			clusterID, path, clusterlock.DefaultWait)
	})
}
