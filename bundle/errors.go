package bundle

import "errors"

// Sentinel errors of Find, testable with errors.Is. The messages Find
// returns name the container and say what to do; these only classify.
var (
	ErrNoContainer = errors.New("no such container")
	ErrNotRunning  = errors.New("container not running")
	ErrPaused      = errors.New("container paused")
	ErrRestarting  = errors.New("container restarting")
	ErrNoDaemon    = errors.New("docker daemon unreachable")
	ErrNoBundle    = errors.New("OCI bundle not found")
	ErrBadSpec     = errors.New("invalid OCI spec")
)

// findError carries a message for people and the sentinel (and the cause,
// if any) for errors.Is and errors.As.
type findError struct {
	msg   string
	kind  error
	cause error
}

func (e *findError) Error() string {
	if e.cause != nil {
		return e.msg + ": " + e.cause.Error()
	}
	return e.msg
}

func (e *findError) Unwrap() []error {
	if e.cause != nil {
		return []error{e.kind, e.cause}
	}
	return []error{e.kind}
}
