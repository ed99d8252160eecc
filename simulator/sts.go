package simulator

import (
	"strings"
	"time"
)

// Caller is what STS GetCallerIdentity answers.
type Caller struct {
	AccountID    string
	IdentityType string // Account, RAMUser, AssumedRoleUser
	Arn          string
	PrincipalID  string
	UserID       string
	RoleID       string
}

// GetCallerIdentity is STS GetCallerIdentity (no permission needed): the
// account of the state, as a RAM user, or as an assumed role when the
// AccessKey is an STS one (prefix "STS.").
func (e *Engine) GetCallerIdentity(accessKeyID string) (Caller, error) {
	var c Caller
	err := e.Call("GetCallerIdentity", func(s *State, _ time.Time) error {
		uid := s.AccountID
		if strings.HasPrefix(accessKeyID, "STS.") {
			c = Caller{AccountID: uid, IdentityType: "AssumedRoleUser", Arn: "acs:ram::" + uid + ":assumed-role/ack-expose-simulator/session",
				PrincipalID: "300000000000000001:session", RoleID: "300000000000000001"}
			return nil
		}
		c = Caller{AccountID: uid, IdentityType: "RAMUser", Arn: "acs:ram::" + uid + ":user/simulator",
			PrincipalID: "200000000000000001", UserID: "200000000000000001"}
		return nil
	})
	return c, err
}
