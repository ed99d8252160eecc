package aliyun

import "testing"

// Fuzz targets. The wire decoders are fuzzed as round trips against the
// simulator's writers (simulator/openapi/roundtrip_test.go). Seeds live in
// testdata/fuzz and run in `make test`.

func FuzzParseEndpoint(f *testing.F) {
	f.Add("https://cs.cn-hangzhou.aliyuncs.com")
	f.Add("http://127.0.0.1:8080")
	f.Add("http://[::1]:1")
	f.Add("::::")
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseEndpoint("X", s)
		if err == nil && e.Scheme == "HTTP" && !IsLoopback(e.Host) {
			t.Errorf("plain http accepted for %q", e.Host)
		}
	})
}
