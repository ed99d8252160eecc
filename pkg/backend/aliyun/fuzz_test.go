package aliyun

import "testing"

// Fuzz targets: the decoders must never panic, whatever the cloud (or a proxy
// in between) sends. Seeds live in testdata/fuzz and run in `make test`.

func FuzzParseMasterURL(f *testing.F) {
	f.Add(`{"api_server_endpoint":"https://1.2.3.4:6443","intranet_api_server_endpoint":"https://10.0.0.1:6443"}`)
	f.Add(``)
	f.Add(`{"api_server_endpoint":null}`)
	f.Add(`"nested string"`)
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMasterURL(s)
		if err != nil && (m.APIServerEndpoint != "" || m.IntranetAPIServerEndpoint != "") {
			t.Errorf("error with a result: %+v", m)
		}
	})
}

func FuzzDecodeErrors(f *testing.F) {
	f.Add([]byte(`{"code":"ErrorClusterNotFound","message":"m","requestId":"r","status":404}`))
	f.Add([]byte(`{"RequestId":"r","HostId":"h","Code":"Throttling.User","Message":"m","Recommend":"u"}`))
	f.Add([]byte(`{"code":"X","status":"503"}`))
	f.Add([]byte(`<html>502</html>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if e, ok := DecodeCSError(b); ok && e.Code == "" {
			t.Errorf("CS error without a code: %+v", e)
		}
		if e, ok := DecodeRPCError(b); ok && e.Code == "" {
			t.Errorf("RPC error without a code: %+v", e)
		}
	})
}

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
