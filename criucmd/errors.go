package criucmd

import "errors"

// Sentinel errors. They are always wrapped with context naming the input
// that failed; test for them with errors.Is.
var (
	// ErrInvalidOptions means Options failed validation in Args.
	ErrInvalidOptions = errors.New("invalid criu options")
	// ErrUnknownAction means an Action is not one Args builds an argv for: Dump or PreDump.
	ErrUnknownAction = errors.New("unknown criu action")
	// ErrNotFound means the criu binary could not be located.
	ErrNotFound = errors.New("criu binary not found")
	// ErrBadVersion means the output of `criu --version` could not be parsed.
	ErrBadVersion = errors.New("unrecognised criu version output")
	// ErrTimeout means criu did not finish within Options.Timeout.
	ErrTimeout = errors.New("criu timed out")
	// ErrNotSupported is returned by the non-Linux stubs of Run and Probe.
	ErrNotSupported = errors.New("not supported")
)
