// Package errdefs defines the error kinds every layer of ack-expose reports, and
// the one mapping from Alibaba Cloud error codes to them. Both backends (the
// real cloud and the simulator) classify errors here; the command layer maps
// each kind to one exit code.
//
// A Go program imports it to tell errors of the other packages apart by kind
// (KindOf: not found, conflict, throttled...) without matching messages, or
// to give its own Backend's errors those kinds.
package errdefs

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Kind classifies an error by what the user can do about it. The command
// layer maps each kind to one exit code (pkg/cmd/exit.go); nothing else does.
type Kind int

const (
	KindInternal    Kind = iota // unexpected, or a cloud error with no better kind
	KindInvalid                 // bad usage or input
	KindUnsupported             // not supported for this cluster
	KindConflict                // busy, EIP in use, wrong current state
	KindNotFound                // context, cluster, EIP
	KindTimeout                 // timed out waiting; the operation continues
	KindRefused                 // refused by the lockout guard
	KindInterrupted             // interrupted by the user
	KindThrottled               // the cloud asked us to slow down (retryable)
	KindUnavailable             // the cloud failed on its side, 5xx (retryable)
	KindForbidden               // permission denied
	KindPolicy                  // the audit found what status --fail-if forbids
)

func (k Kind) String() string {
	return [...]string{"internal", "invalid", "unsupported", "conflict", "not found",
		"timeout", "refused", "interrupted", "throttled", "unavailable", "forbidden", "policy"}[k]
}

// Error is an error of a known kind, optionally carrying what the cloud said.
type Error struct {
	Kind       Kind
	Msg        string
	Code       string // the cloud's error code, if any
	RequestID  string // the cloud's request ID, if any
	HTTPStatus int
	Hint       string // what to do about it
	Err        error
}

func (e *Error) Error() string {
	s := e.Msg
	if s == "" && e.Err != nil {
		s = e.Err.Error()
	} else if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	if e.Code != "" || e.RequestID != "" {
		s += " ("
		if e.Code != "" {
			s += "code " + e.Code
		}
		if e.RequestID != "" {
			if e.Code != "" {
				s += ", "
			}
			s += "request ID " + e.RequestID
		}
		s += ")"
	}
	if e.Hint != "" {
		s += "\n" + e.Hint
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an Error of a kind.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// WithHint returns e with a hint saying what to do.
func (e *Error) WithHint(format string, args ...any) *Error {
	e.Hint = fmt.Sprintf(format, args...)
	return e
}

// KindOf returns the kind of err, KindInternal when it has none. Besides an
// *Error, it recognizes an error with an ErrorKind method that names a kind
// (Kind.String): the errors of internal/ and the simulator, which import
// nothing from pkg/ (internal/errkind).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	var k interface{ ErrorKind() string }
	if errors.As(err, &k) {
		name := k.ErrorKind()
		for kind := KindInternal; kind <= KindForbidden; kind++ {
			if kind.String() == name {
				return kind
			}
		}
	}
	return KindInternal
}

// Retryable reports whether an error is worth retrying after a pause.
func Retryable(err error) bool {
	k := KindOf(err)
	return k == KindThrottled || k == KindUnavailable
}

// KindForCloudCode classifies an error code and HTTP status of either Alibaba
// Cloud API (CS or VPC) and of the simulator, which speaks the same codes.
func KindForCloudCode(code string, status int) Kind {
	// Every flavour of flow control the two APIs answer (Throttling,
	// Throttling.User, Throttling.Api, Throttling.ConcurrentLimitExceeded, QPS
	// Limit Exceeded, ServiceUnavailable, ServiceUnavailable.Busy...) asks
	// us to come back later.
	switch {
	case strings.Contains(code, "ServiceUnavailable"):
		return KindUnavailable
	case strings.Contains(code, "Throttling"), strings.Contains(code, "QPS Limit Exceeded"):
		return KindThrottled
	}
	switch code {
	case "ServiceUnavailable", "SystemBusy", "InternalError", "ServiceTimeout", "UnknownError":
		return KindUnavailable
	case "QPS Limit Exceeded", "OperationConflict", "TaskConflict", "LastTokenProcessing":
		return KindThrottled
	case "ErrorClusterNotFound", "InvalidAllocationId.NotFound", "ErrorTaskNotFound", "InvalidRegionId.NotFound":
		return KindNotFound
	case "ErrorCheckAcl", "Forbidden.RAM", "Forbidden", "NoPermission", "Forbidden.RiskControl":
		return KindForbidden
	case "ErrorNotSupported":
		return KindUnsupported
	case "IncorrectEipStatus", "InvalidAssociation.Duplicated", "InvalidParameter.Mismatch", "ErrorClusterState", "IncorrectStatus",
		"Forbidden.ChargeTypeIsPrepaid", "ErrorPublicEndpointNotFound":
		return KindConflict
	case "SimulatorStateInvalid":
		// The simulator's OpenAPI server cannot use its own state file: bad
		// input on this machine, not a cloud failure worth retrying.
		return KindInvalid
	case "MissingParameter", "InvalidParameter", "InvalidBandwidth.Malformed", "InvalidRegion.NotSupport", "MissingRegionId",
		"InvalidName.Malformed", "InvalidDescription.Malformed":
		return KindInvalid
	}
	switch {
	case strings.Contains(code, "Throttling"): // Throttling, Throttling.User, Throttling.Api, Rejected.Throttling, ...
		return KindThrottled
	case status == 429:
		return KindThrottled
	case status >= 500:
		return KindUnavailable
	case status == 403:
		return KindForbidden
	case status == 404:
		return KindNotFound
	}
	return KindInternal
}

// Ambiguous reports whether a failed request may nonetheless have been carried
// out: its answer was lost (timeout, reset, interrupt) or the cloud failed on
// its side (5xx). A mutating request that failed so must be resolved by
// reading the resource again, never assumed to have failed.
func Ambiguous(err error) bool {
	if err == nil {
		return false
	}
	var e *Error
	if !errors.As(err, &e) {
		return true // context ended, or a transport error we cannot classify
	}
	switch {
	case e.HTTPStatus >= 500:
		return true
	case e.HTTPStatus > 0:
		return false // the cloud answered and refused
	}
	return e.Kind == KindUnavailable || e.Kind == KindInternal || e.Kind == KindTimeout || e.Kind == KindInterrupted
}

// FirstLine is the first line of err's message: the error without its hint,
// for a table cell or a log line.
func FirstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// Printable is s with every rune that is not printable (a control character,
// a terminal escape, a newline, a line separator) escaped as in a Go string
// literal, so that text from outside (a cloud error message, a comment written
// in the console) cannot drive the terminal or fake a line of output; s
// itself when it has none.
func Printable(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) < 0 {
		return s
	}
	q := strconv.QuoteToGraphic(s)
	return q[1 : len(q)-1]
}
