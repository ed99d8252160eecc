package simulator

import "testing"

// FuzzDecode: the state-file decoder never panics, and what it accepts it can
// write back and read again unchanged.
func FuzzDecode(f *testing.F) {
	b, _ := Encode(DemoWorld())
	f.Add(b)
	f.Add([]byte(`{"version":1}`))
	f.Add([]byte(`{"version":1,"timing":{"modifyCluster":"1h"},"faults":[{"action":"X","httpStatus":500,"remaining":1}]}`))
	f.Add([]byte(`{"version":2}`))
	f.Add([]byte(`{"version":1,"clusters":[{"id":"c1","eipAllocationId":"e"}]}`))
	f.Add([]byte(`nul`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Decode(data)
		if err != nil {
			return
		}
		out, err := Encode(s)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Decode(out); err != nil {
			t.Fatalf("re-decoding what was accepted: %v\n%s", err, out)
		}
	})
}
