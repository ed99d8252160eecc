package main

import (
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ack-expose/ack-expose/simulator"
)

func init() { scriptCmds["role"] = cmdRole }

// role STATEFILE NAME [TRUSTED-ACCOUNT...]: set the RAM role NAME of the
// account of STATEFILE, trusted by those accounts (none: nobody may assume it).
// `! role STATEFILE NAME` deletes it.
func cmdRole(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: role STATEFILE NAME [TRUSTED-ACCOUNT...]")
	}
	ts.Check(simulator.New(ts.MkAbs(args[0])).Update(func(s *simulator.State) error {
		var roles []simulator.Role
		for _, r := range s.Roles {
			if r.Name != args[1] {
				roles = append(roles, r)
			}
		}
		if !neg {
			roles = append(roles, simulator.Role{Name: args[1], TrustedAccounts: append([]string{}, args[2:]...)})
		}
		s.Roles = roles
		return nil
	}))
}
