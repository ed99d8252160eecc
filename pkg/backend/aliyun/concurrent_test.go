package aliyun_test

import (
	"context"
	"sync"
	"testing"

	"github.com/ack-expose/ack-expose/simulator"
)

// One backend serves calls from several goroutines at once (status -o json
// asks STS while it reads the cluster; audits read many at once): the SDK's
// client writes its own fields on every request, so this must pass
// go test -race.
func TestConcurrentCalls(t *testing.T) {
	b := fronts(t, nil)["aliyun"]
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				if _, err := b.DescribeCluster(ctx, simulator.ClusterIDFor("demo-basic")); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
