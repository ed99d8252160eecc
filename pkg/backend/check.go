package backend

import "github.com/ack-expose/ack-expose/internal/probe"

// The check of an API server endpoint is the probe's (internal/probe), so
// that the probe depends on nothing in pkg/; these names keep the backend's
// domain types in one place for its callers.
type (
	// CheckResult is what a check of an endpoint found (see probe.CheckResult).
	CheckResult = probe.CheckResult
	// CheckTLS is the TLS part of a check.
	CheckTLS = probe.CheckTLS
)

// Check steps, in order.
const (
	CheckStepEndpoint = probe.CheckStepEndpoint
	CheckStepConnect  = probe.CheckStepConnect
	CheckStepTLS      = probe.CheckStepTLS
	CheckStepSAN      = probe.CheckStepSAN
	CheckStepHTTP     = probe.CheckStepHTTP
)

// The failures of a check, in the words the user reads (see probe).
var (
	CheckRefused    = probe.CheckRefused
	CheckRestarting = probe.CheckRestarting
	CheckTimeout    = probe.CheckTimeout
	CheckDropped    = probe.CheckDropped
	CheckUntrusted  = probe.CheckUntrusted
	CheckNoCA       = probe.CheckNoCA
	CheckSANMissing = probe.CheckSANMissing
)
