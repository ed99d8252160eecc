package simulated_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/backend/simulated"
	"github.com/ack-expose/ack-expose/simulator"
)

// A backend.Backend over a simulator state file: write a world, then call
// the cloud as the lifecycle does.
func Example() {
	dir, err := os.MkdirTemp("", "ack-expose-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	var be backend.Backend = simulated.New(filepath.Join(dir, "simulator.json"))
	if err := be.(*simulated.Backend).Engine.Write(simulator.DemoWorld(), false); err != nil {
		log.Fatal(err)
	}
	c, err := be.DescribeCluster(context.Background(), simulator.ClusterIDFor("demo-pro"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.Name, c.State, c.PublicEndpoint)
	// Output: demo-pro running https://47.96.1.20:6443
}
