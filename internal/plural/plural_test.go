package plural

import "testing"

func TestPlural(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{N(0, "entry", "entries"), "0 entries"},
		{N(1, "entry", "entries"), "1 entry"},
		{N(2, "entry", "entries"), "2 entries"},
		{N(-1, "EIP", "EIPs"), "-1 EIPs"},
		{Of(1, 1, "cluster", "clusters"), "1 of 1 cluster"},
		{Of(1, 3, "cluster", "clusters"), "1 of 3 clusters"},
		{Word(1, "breaks", "break"), "breaks"},
		{Word(2, "breaks", "break"), "break"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
