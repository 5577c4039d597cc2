package criucmd

import (
	"bufio"
	"io"
	"regexp"
	"strings"
)

// LogLine is one line picked from a CRIU log: an error, or a line of
// context printed just before one.
type LogLine struct {
	// Num is the 1-based line number in the log.
	Num int
	// Text is the line as CRIU wrote it, without the newline.
	Text string
	// Error is true for an error line and false for context.
	Error bool
	// Source is CRIU's source location of an error, e.g.
	// "criu/mount.c:753"; empty for context lines.
	Source string
	// Message is the text after the timestamp, the PID and, for an error,
	// the "Error (file:line):" prefix, e.g.
	// "mnt: 539:./etc/hosts doesn't have a proper root mount".
	Message string
}

const (
	// contextLines is how many lines before an error are kept, like
	// runc's `grep -B5`, but shorter: CRIU's lines right before an error
	// name the object it was working on.
	contextLines = 3
	// maxLines caps what ParseLog returns: a restore of many tasks can
	// repeat the same error for each of them.
	maxLines = 200
)

// logLineRE splits a CRIU log line into its optional "(SS.UUUUUU)"
// timestamp, optional "PID: " or "pie: PID: " prefix (restore logs, code
// running inside the task) and the rest. It also
// matches lines without a timestamp, as criu prints them on stderr.
var logLineRE = lazyRE(`^(?:\(\s*[\d.]+\)\s?)?(?:\s*(?:pie:\s*)?\d+:\s)?\s*(.*)$`)

// errorRE matches the rest of an error line: "Error (criu/file.c:123): msg"
// as printed by CRIU's pr_err, or a bare "Error: msg"/"Error msg".
var errorRE = lazyRE(`^Error\b\s*(?:\(([^)]*)\))?:?\s*(.*)$`)

// harmlessRE matches errors CRIU logs but recovers from; they are left out
// so that they do not bury the real cause. Each entry was seen in a log of
// a successful run (testdata/logs/container-ok.dump.log).
var harmlessRE = []func() *regexp.Regexp{
	// criu tries to raise its own fd limit and carries on when it may not.
	lazyRE(`rlimit: Can't setup RLIMIT_NOFILE for self`),
}

// ParseLog returns the error lines of a CRIU log, each preceded by up to
// three lines of context that are not already included. Errors CRIU
// recovers from are skipped. It returns at most 200 lines; a read error
// ends the scan and what was read so far is returned.
func ParseLog(r io.Reader) []LogLine {
	var (
		out     []LogLine
		recent  []LogLine // ring of the last contextLines lines
		lastNum int       // line number of the last line appended to out
	)
	br := bufio.NewReader(r)
	for num := 1; len(out) < maxLines; num++ {
		text, err := br.ReadString('\n')
		if text == "" && err != nil {
			break
		}
		text = strings.TrimRight(text, "\r\n")
		line := splitLogLine(num, text)
		if line.Error && !isHarmless(line.Message) {
			for _, c := range recent {
				if c.Num > lastNum {
					out = append(out, c)
				}
			}
			out = append(out, line)
			lastNum = num
			recent = recent[:0]
		} else if strings.TrimSpace(text) != "" {
			recent = append(recent, line)
			if len(recent) > contextLines {
				recent = recent[1:]
			}
		}
		if err != nil {
			break
		}
	}
	if len(out) > maxLines {
		out = out[:maxLines]
	}
	return out
}

// splitLogLine parses one line; Error, Source and Message are filled in
// when it is an error line.
func splitLogLine(num int, text string) LogLine {
	line := LogLine{Num: num, Text: text, Message: text}
	m := logLineRE().FindStringSubmatch(text)
	if m == nil {
		return line
	}
	line.Message = m[1]
	if e := errorRE().FindStringSubmatch(m[1]); e != nil {
		line.Error = true
		line.Source = e[1]
		line.Message = e[2]
	}
	return line
}

// isHarmless reports whether an error message is one CRIU recovers from.
func isHarmless(msg string) bool {
	for _, re := range harmlessRE {
		if re().MatchString(msg) {
			return true
		}
	}
	return false
}

// errorLines returns the error lines among lines, without context.
func errorLines(lines []LogLine) []LogLine {
	var out []LogLine
	for _, l := range lines {
		if l.Error {
			out = append(out, l)
		}
	}
	return out
}
