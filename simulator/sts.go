package simulator

import (
	"sort"
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
// AccessKey is an STS one (prefix "STS.": the role AssumeRole named).
func (e *Engine) GetCallerIdentity(accessKeyID string) (Caller, error) {
	var c Caller
	err := e.read("GetCallerIdentity", func(s *State, _ time.Time) error {
		uid := s.AccountID
		if strings.HasPrefix(accessKeyID, stsKeyPrefix) {
			role := "ack-expose-simulator"
			if _, r, ok := parseSTSKey(accessKeyID); ok {
				role = strings.ToLower(r)
			}
			c = Caller{AccountID: uid, IdentityType: "AssumedRoleUser", Arn: "acs:ram::" + uid + ":assumed-role/" + role + "/session",
				PrincipalID: assumedRoleID + ":session", RoleID: assumedRoleID}
			return nil
		}
		c = Caller{AccountID: uid, IdentityType: "RAMUser", Arn: "acs:ram::" + uid + ":user/simulator",
			PrincipalID: "200000000000000001", UserID: "200000000000000001"}
		return nil
	})
	return c, err
}

// baseRegions are regions every simulated account sees (VPC DescribeRegions
// lists the regions of the cloud, not only those with resources).
var baseRegions = []string{"cn-hangzhou", "cn-shanghai", "cn-beijing", "cn-shenzhen"}

// DescribeRegions is VPC DescribeRegions: the base regions and every region
// of the state's clusters and EIPs, sorted.
func (e *Engine) DescribeRegions() ([]string, error) {
	var out []string
	err := e.read("DescribeRegions", func(s *State, _ time.Time) error {
		seen := map[string]bool{}
		add := func(r string) {
			if r != "" && !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
		for _, r := range baseRegions {
			add(r)
		}
		for _, c := range s.Clusters {
			add(c.RegionID)
		}
		for _, x := range s.EIPs {
			add(x.RegionID)
		}
		sort.Strings(out)
		return nil
	})
	return out, err
}
