package simulator

import (
	"errors"
	"strings"
	"testing"
)

// AssumeRole follows the role's trust policy in the role's account, and the
// credentials it gives are served by (and identify as) that account.
func TestAssumeRole(t *testing.T) {
	mgmt := newEngine(t, DemoWorld())
	member := DemoWorld()
	member.AccountID = "2222222222222222"
	other := DemoWorld()
	other.AccountID = "3333333333333333"
	other.Roles = []Role{{Name: DemoAccessRole, TrustedAccounts: []string{"9999999999999999"}}}
	a := &Accounts{Default: mgmt, ByKey: map[string]*Engine{"AK-B": newEngine(t, member), "AK-C": newEngine(t, other)}}

	arn := "acs:ram::2222222222222222:role/" + DemoAccessRole
	r, err := a.AssumeRole("AK-A", arn, "ack-expose-audit", 0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.AccessKeyID, "STS.") || r.AccessKeySecret == "" || r.SecurityToken == "" || r.Expiration.IsZero() {
		t.Fatalf("credentials %+v", r)
	}
	if a.For(r.AccessKeyID) != a.ByKey["AK-B"] {
		t.Fatal("the role's credentials are not served by the role's account")
	}
	c, err := a.For(r.AccessKeyID).GetCallerIdentity(r.AccessKeyID)
	if err != nil || c.AccountID != "2222222222222222" || c.IdentityType != "AssumedRoleUser" {
		t.Fatalf("caller %+v, %v", c, err)
	}

	for _, tc := range []struct{ key, arn, session, code string }{
		{"AK-A", "acs:ram::3333333333333333:role/" + DemoAccessRole, "s1", "NoPermission"},        // not trusted
		{"AK-B", arn, "s1", "NoPermission"},                                                       // the member itself is not trusted
		{"AK-A", "acs:ram::2222222222222222:role/nosuch", "s1", "EntityNotExist.Role"},            // no such role
		{"AK-A", "acs:ram::4444444444444444:role/" + DemoAccessRole, "s1", "EntityNotExist.Role"}, // no such account
		{"AK-A", "arn:bad", "s1", "InvalidParameter.RoleArn"},
		{"AK-A", arn, "x", "InvalidParameter.RoleSessionName"},
	} {
		_, err := a.AssumeRole(tc.key, tc.arn, tc.session, 0)
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.Code != tc.code {
			t.Errorf("AssumeRole(%s, %s): %v, want %s", tc.key, tc.arn, err, tc.code)
		}
	}
	if _, err := a.AssumeRole("AK-A", arn, "s1", 60); err == nil {
		t.Error("DurationSeconds 60 was accepted")
	}
}
