package criucmd

import (
	"fmt"
	"strings"
)

// Error is a criu run that failed: it exited non-zero, was killed, or timed
// out. It carries what a person needs to act: CRIU's own error lines, hints
// for the ones ckpt recognises, and where the full log is.
type Error struct {
	// Action is the criu command that failed.
	Action Action
	// Argv is the full command line, criu's path first.
	Argv []string
	// ExitCode is criu's exit status, or -1 if it was killed by a signal.
	ExitCode int
	// LogPath is criu's log file.
	LogPath string
	// Lines are the error lines and their context from the log (or from
	// criu's stderr when the log holds none), as ParseLog returns them.
	Lines []LogLine
	// Stderr is the end of what criu wrote to stderr and stdout.
	Stderr string
	// Err is the underlying cause: an *exec.ExitError, an error wrapping
	// ErrTimeout, or the context's error when the caller cancelled.
	Err error
}

// genericRE matches CRIU's closing lines, which repeat that something
// failed without saying what; Error() prefers any other line.
var genericRE = lazyRE(`FAILED\.?$|failed with -1$|cgroupd: recv req error`)

// Error returns one line: what failed, the most telling CRIU error, and
// the log's path.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "criu %s failed", e.Action)
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if l, ok := e.mainLine(); ok {
		fmt.Fprintf(&b, ": %s", l.Message)
	}
	if e.LogPath != "" {
		fmt.Fprintf(&b, " (log: %s)", e.LogPath)
	}
	return b.String()
}

// Unwrap returns the underlying cause, so that errors.Is(err, ErrTimeout)
// and errors.As(err, **exec.ExitError) work.
func (e *Error) Unwrap() error { return e.Err }

// Hints returns advice for the errors CRIU reported.
func (e *Error) Hints() []string { return Hints(e.Lines) }

// mainLine picks the error to quote in Error(): the first one ckpt has a
// hint for, else the first that is not a generic closing line.
func (e *Error) mainLine() (LogLine, bool) {
	errs := errorLines(e.Lines)
	for _, l := range errs {
		if Hint(l.Message) != "" {
			return l, true
		}
	}
	for _, l := range errs {
		if !genericRE().MatchString(l.Message) {
			return l, true
		}
	}
	if len(errs) > 0 {
		return errs[0], true
	}
	return LogLine{}, false
}

// maxExplainLines caps the log lines Explain quotes.
const maxExplainLines = 40

// Explain renders a multi-line report for a person: what failed, CRIU's
// error lines with context (errors marked with ">"), the hints, the log's
// path and the command to rerun by hand.
func (e *Error) Explain() string {
	var b strings.Builder
	fmt.Fprintf(&b, "criu %s failed", e.Action)
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	b.WriteString("\n")
	switch {
	case len(e.Lines) > 0:
		fmt.Fprintf(&b, "\nCRIU reported:\n")
		for i, l := range e.Lines {
			if i == maxExplainLines {
				fmt.Fprintf(&b, "  ... %d more lines\n", len(e.Lines)-i)
				break
			}
			mark := " "
			if l.Error {
				mark = ">"
			}
			fmt.Fprintf(&b, "%s %5d  %s\n", mark, l.Num, l.Text)
		}
	case strings.TrimSpace(e.Stderr) != "":
		fmt.Fprintf(&b, "\ncriu's output:\n%s\n", indent(strings.TrimSpace(e.Stderr)))
	}
	if hints := e.Hints(); len(hints) > 0 {
		fmt.Fprintf(&b, "\nHints:\n")
		for _, h := range hints {
			fmt.Fprintf(&b, "  - %s\n", h)
		}
	}
	b.WriteString("\n")
	if e.LogPath != "" {
		fmt.Fprintf(&b, "Full log: %s\n", e.LogPath)
	}
	if len(e.Argv) > 0 {
		fmt.Fprintf(&b, "Command:  %s\n", shellJoin(e.Argv))
	}
	return b.String()
}

// indent prefixes every line of s with two spaces.
func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}

// shellSafeRE matches words a POSIX shell reads back unchanged.
var shellSafeRE = lazyRE(`^[A-Za-z0-9_/.:=,@%+-]+$`)

// shellJoin joins argv so that it can be pasted into a shell: words with
// spaces, brackets or quotes are single-quoted.
func shellJoin(argv []string) string {
	words := make([]string, len(argv))
	for i, a := range argv {
		if shellSafeRE().MatchString(a) {
			words[i] = a
			continue
		}
		words[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(words, " ")
}
