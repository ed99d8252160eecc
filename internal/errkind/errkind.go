// Package errkind lets the plumbing under internal/ (and the simulator) give
// the errors a user can see a kind, and so an exit code, without importing
// pkg/errdefs: an error with an ErrorKind method naming a kind is classified
// by errdefs.KindOf as that kind.
package errkind

// The kinds, by the names errdefs.Kind.String gives them.
const (
	Invalid     = "invalid"     // bad input on this machine: a file to fix, a directory to make writable
	Conflict    = "conflict"    // another run holds what this one needs
	Interrupted = "interrupted" // the user stopped it
)

// Error is an error of a kind, with a hint saying what to do about it.
type Error struct {
	Kind string
	Msg  string
	Hint string
	Err  error
}

func (e *Error) Error() string {
	s := e.Msg
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	if e.Hint != "" {
		s += "\n" + e.Hint
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorKind names the kind (errdefs.KindOf reads it).
func (e *Error) ErrorKind() string { return e.Kind }
