package simulator

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// bigWorld is the demo world grown to n clusters, half of them exposed.
func bigWorld(n int) *State {
	s := DemoWorld()
	for i := range n {
		name := fmt.Sprintf("bench-%04d", i)
		c := Cluster{ID: ClusterIDFor(name), Name: name, RegionID: DemoRegion, ClusterType: "ManagedKubernetes",
			Profile: "Default", ClusterSpec: "ack.pro.small", State: "running", VPCID: "vpc-bench",
			APIServerLoadBalancerID: "lb-" + name, IntranetEndpoint: fmt.Sprintf("https://10.%d.%d.10:6443", i/250, i%250)}
		if i%2 == 0 {
			e := EIP{AllocationID: fmt.Sprintf("eip-bench%06d", i), IPAddress: fmt.Sprintf("47.100.%d.%d", i/250, i%250+1),
				RegionID: DemoRegion, Status: "InUse", InstanceID: c.APIServerLoadBalancerID, InstanceType: "SlbInstance",
				Bandwidth: "5", InternetChargeType: "PayByTraffic", ChargeType: "PostPaid"}
			s.EIPs = append(s.EIPs, e)
			c.EIPAllocationID = e.AllocationID
		}
		s.Clusters = append(s.Clusters, c)
	}
	return s
}

func benchEngine(b *testing.B, n int) *Engine {
	// What is measured is the engine as released: without the tests'
	// proof that reads change nothing (two renderings of the world).
	VerifyReads = false
	b.Cleanup(func() { VerifyReads = true })
	e := New(filepath.Join(b.TempDir(), "state.json"))
	if err := e.Write(bigWorld(n), false); err != nil {
		b.Fatal(err)
	}
	return e
}

// One simulated read: lock, load, advance, count beside the state (and,
// one call in several hundred, fold the counts into it), unlock.
func BenchmarkCallDemoWorld(b *testing.B) {
	e := benchEngine(b, 0)
	id := ClusterIDFor("demo-basic")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.DescribeClusterDetail(id); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCall500Clusters(b *testing.B) {
	e := benchEngine(b, 500)
	id := ClusterIDFor("demo-basic")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.DescribeClusterDetail(id); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode500Clusters(b *testing.B) {
	data, _ := Encode(bigWorld(500))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode500Clusters(b *testing.B) {
	s := bigWorld(500)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(s); err != nil {
			b.Fatal(err)
		}
	}
}

// advance with 1000 finished and running tasks to settle.
func BenchmarkAdvance(b *testing.B) {
	s := bigWorld(500)
	now := time.Now()
	for i := range 1000 {
		s.Tasks = append(s.Tasks, Task{ID: fmt.Sprint(i), ClusterID: s.Clusters[i%len(s.Clusters)].ID, State: "success", FinishAt: now})
	}
	b.ReportAllocs()
	for b.Loop() {
		s.advance(now)
	}
}
