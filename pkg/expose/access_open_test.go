package expose

import "testing"

func TestCoversEveryone(t *testing.T) {
	for _, tc := range []struct {
		cidrs []string
		want  bool
	}{
		{[]string{"0.0.0.0/0"}, true},
		{[]string{"100.104.0.0/16", "0.0.0.0/0"}, true},
		{[]string{"0.0.0.0/1", "128.0.0.0/1"}, true},
		{[]string{"128.0.0.0/1", "0.0.0.0/2", "64.0.0.0/2"}, true},
		{[]string{"0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/2"}, true},
		{[]string{"0.0.0.0/1"}, false},
		{[]string{"0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3"}, false},
		{[]string{"0.0.0.0/1", "128.0.0.1/32", "128.0.0.0/2", "192.0.0.0/2"}, true},
		{[]string{"1.0.0.0/8", "0.0.0.0/8", "2.0.0.0/7"}, false},
		{[]string{"255.255.255.255/32"}, false},
		{nil, false},
		{[]string{"not a block", "::/0"}, false},
	} {
		if got := CoversEveryone(tc.cidrs); got != tc.want {
			t.Errorf("CoversEveryone(%v) = %v, want %v", tc.cidrs, got, tc.want)
		}
	}
}

func TestOpenToInternet(t *testing.T) {
	entries := func(cidrs ...string) []AccessEntry {
		out := []AccessEntry{}
		for _, c := range cidrs {
			out = append(out, AccessEntry{CIDR: c})
		}
		return out
	}
	for _, tc := range []struct {
		name string
		a    AccessControl
		want *bool
	}{
		{"off", AccessControl{Enabled: false, Entries: entries("10.0.0.0/8")}, ptr(true)},
		{"blacklist", AccessControl{Enabled: true, Type: "black", Entries: entries("10.0.0.0/8")}, ptr(true)},
		{"empty whitelist", AccessControl{Enabled: true, Type: "white", Entries: entries()}, ptr(true)},
		{"0.0.0.0/0", AccessControl{Enabled: true, Type: "white", Entries: entries("100.104.0.0/16", "0.0.0.0/0")}, ptr(true)},
		{"covering halves", AccessControl{Enabled: true, Type: "white", Entries: entries("0.0.0.0/1", "128.0.0.0/1")}, ptr(true)},
		{"restricted", AccessControl{Enabled: true, Type: "white", Entries: entries("203.0.113.0/24")}, ptr(false)},
		{"entries not read (audit)", AccessControl{Enabled: true, Type: "white"}, nil},
		{"unreadable", AccessControl{Error: "Throttling"}, nil},
	} {
		a := tc.a
		a.setOpen()
		if (a.OpenToInternet == nil) != (tc.want == nil) || (tc.want != nil && *a.OpenToInternet != *tc.want) {
			t.Errorf("%s: openToInternet %s, want %s", tc.name, show(a.OpenToInternet), show(tc.want))
		}
	}
}

func show(b *bool) string {
	if b == nil {
		return "null"
	}
	if *b {
		return "true"
	}
	return "false"
}
