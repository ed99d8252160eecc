package cmd

import "github.com/ack-expose/ack-expose/simulator"

// Every simulated read this package's tests make proves it changed nothing
// it did not save (simulator.VerifyReads).
func init() { simulator.VerifyReads = true }
