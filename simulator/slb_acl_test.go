package simulator

import (
	"errors"
	"path/filepath"
	"testing"
)

// As the SLB API reference and the cloud say: ACL names are unique in a
// region (AclNameExist), AclName filters DescribeAccessControlLists by
// fuzzy match, and an ACL a listener uses cannot be deleted (AclInUsed).
func TestACLNamesAndDeletion(t *testing.T) {
	e := New(filepath.Join(t.TempDir(), "state.json"))
	if err := e.Write(DemoWorld(), false); err != nil {
		t.Fatal(err)
	}
	code := func(err error) string {
		var a *APIError
		if errors.As(err, &a) {
			return a.Code
		}
		return ""
	}
	id, err := e.CreateAccessControlList(DemoRegion, "ack-expose-x", "ipv4")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.CreateAccessControlList(DemoRegion, "ack-expose-x", "ipv4"); code(err) != "AclNameExist" {
		t.Errorf("second ACL of the same name: %v, want AclNameExist", err)
	}
	list, total, err := e.DescribeAccessControlLists(DemoRegion, "expose-x", 1, 50)
	if err != nil || total != 1 || len(list) != 1 || list[0].ID != id {
		t.Errorf("AclName fuzzy filter: %v %d %v", list, total, err)
	}
	if _, total, _ := e.DescribeAccessControlLists(DemoRegion, "", 1, 50); total < 2 {
		t.Errorf("no filter: %d ACLs", total)
	}
	// The demo's shared ACL is used by listeners: not deletable.
	if err := e.DeleteAccessControlList(DemoRegion, "acl-bp1demoshared0000000"); code(err) != "AclInUsed" {
		t.Errorf("deleting an ACL in use: %v, want AclInUsed", err)
	}
	if err := e.DeleteAccessControlList(DemoRegion, id); err != nil {
		t.Fatal(err)
	}
	if err := e.DeleteAccessControlList(DemoRegion, id); code(err) != "AclNotExist" {
		t.Errorf("deleting it again: %v, want AclNotExist", err)
	}
}
