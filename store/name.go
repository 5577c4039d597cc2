package store

import (
	"errors"
	"fmt"
	"strings"
)

// ErrBadName is returned for a container or checkpoint name that is not one
// plain path element.
var ErrBadName = errors.New("bad name")

// ValidName checks that s can be used as one element of a path under the
// checkpoint folder: not empty, not "." or "..", no slash, no NUL or other
// control character, and not
// hidden (ckpt keeps its partial dumps in hidden folders). kind names the
// thing in the error ("checkpoint name", "container name").
func ValidName(kind, s string) error {
	switch {
	case s == "":
		return fmt.Errorf("%w: %s is empty", ErrBadName, kind)
	case s == "." || s == "..":
		return fmt.Errorf("%w: %s %q is not allowed", ErrBadName, kind, s)
	case strings.ContainsAny(s, "/\x00"):
		return fmt.Errorf("%w: %s %q must be one path element (no '/')", ErrBadName, kind, s)
	case strings.IndexFunc(s, isControl) >= 0:
		return fmt.Errorf("%w: %s %q must not hold control characters", ErrBadName, kind, s)
	case strings.HasPrefix(s, "."):
		return fmt.Errorf("%w: %s %q must not start with '.'", ErrBadName, kind, s)
	case len(s) > 200:
		return fmt.Errorf("%w: %s is longer than 200 bytes", ErrBadName, kind)
	}
	return nil
}

// isControl is a C0 control character or DEL: a name holding one prints
// as something else in a terminal.
func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
