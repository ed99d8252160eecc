package expose_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/ack-expose/ack-expose/pkg/backend/simulated"
	"github.com/ack-expose/ack-expose/pkg/expose"
	"github.com/ack-expose/ack-expose/simulator"
)

// The status of a cluster, then its API server exposed on an EIP, against
// the offline simulator (swap in aliyun.New for the real cloud).
func Example() {
	dir, err := os.MkdirTemp("", "ack-expose-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	be := simulated.New(filepath.Join(dir, "simulator.json"))
	world := simulator.DemoWorld()
	world.Timing = simulator.Timing{} // changes finish at once
	if err := be.Engine.Write(world, false); err != nil {
		log.Fatal(err)
	}

	svc := &expose.Service{Backend: be}
	ctx := context.Background()
	target := expose.Target{ClusterID: simulator.ClusterIDFor("demo-basic")}
	st, err := svc.Status(ctx, target)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(st.Cluster.Name, st.Cluster.State, "public endpoint:", st.PublicEndpoint != "")

	eip, err := expose.ParseEIPRef("47.96.1.10")
	if err != nil {
		log.Fatal(err)
	}
	got, err := svc.Run(ctx, target, expose.Request{Action: expose.Associate, EIP: &eip}, expose.ApplyOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.Cluster.State, got.EIP.IPAddress, got.EIP.Status, got.PublicEndpoint)
	// Output:
	// demo-basic running public endpoint: false
	// running 47.96.1.10 InUse https://47.96.1.10:6443
}
