// Package progress shows how far a long piece of work is: its phase and
// the bytes done against the bytes expected. On a terminal one line is
// redrawn in place; elsewhere, when asked for, a plain line is written at
// each phase and at most once a second. A nil *Meter shows nothing, so
// callers need no checks.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// Meter reports the progress of one command.
type Meter struct {
	w    io.Writer
	tty  bool
	now  func() time.Time
	mu   sync.Mutex
	ph   string
	done int64
	tot  int64
	// began is when the phase began; drawn when the last line was written.
	began, drawn time.Time
	width        int // of the last line drawn in place
}

// New returns a Meter writing to w, or nil when there is nothing to show:
// w is not a terminal and always is false. always (--progress) asks for
// plain lines off a terminal.
func New(w io.Writer, always bool) *Meter {
	f, ok := w.(*os.File)
	tty := ok && IsTerminal(f)
	if !tty && !always {
		return nil
	}
	return newMeter(w, tty, time.Now)
}

func newMeter(w io.Writer, tty bool, now func() time.Time) *Meter {
	return &Meter{w: w, tty: tty, now: now}
}

// Phase starts a phase of the work, expecting total bytes (0 if unknown).
func (m *Meter) Phase(name string, total int64) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ph, m.tot, m.done = name, total, 0
	m.began = m.now()
	m.draw(true)
}

// Set records the bytes done in the current phase.
func (m *Meter) Set(done int64) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.done = done
	m.draw(false)
}

// Add counts n more bytes done in the current phase.
func (m *Meter) Add(n int64) {
	if m == nil || n == 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.done += n
	m.draw(false)
}

// Reader returns r, counting the bytes read through it as done in the
// current phase; r itself when m is nil.
func (m *Meter) Reader(r io.Reader) io.Reader {
	if m == nil {
		return r
	}
	return &counted{m: m, r: r}
}

// Writer returns w, counting the bytes written through it as done in the
// current phase; w itself when m is nil.
func (m *Meter) Writer(w io.Writer) io.Writer {
	if m == nil {
		return w
	}
	return &counted{m: m, w: w}
}

// counted passes reads or writes through and adds their bytes to m.
type counted struct {
	m *Meter
	r io.Reader
	w io.Writer
}

func (c *counted) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.m.Add(int64(n))
	return n, err
}

func (c *counted) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.m.Add(int64(n))
	return n, err
}

// Done ends the work: the line drawn in place is cleared.
func (m *Meter) Done() {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tty && m.width > 0 {
		fmt.Fprintf(m.w, "\r%s\r", strings.Repeat(" ", m.width))
		m.width = 0
	}
}

// Watch calls Set with what done returns every interval until the
// returned function is called.
func (m *Meter) Watch(interval time.Duration, done func() int64) (stop func()) {
	if m == nil {
		return func() {}
	}
	quit, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				m.Set(done())
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() { close(quit); <-finished })
	}
}

// draw writes the line: in place on a terminal at most ten times a second,
// else a line of its own at each phase and at most once a second.
func (m *Meter) draw(newPhase bool) {
	now := m.now()
	every := time.Second
	if m.tty {
		every = 100 * time.Millisecond
	}
	if !newPhase && now.Sub(m.drawn) < every {
		return
	}
	m.drawn = now
	line := Line(m.ph, m.done, m.tot, now.Sub(m.began))
	if !m.tty {
		fmt.Fprintln(m.w, line)
		return
	}
	pad := ""
	if n := m.width - len(line); n > 0 {
		pad = strings.Repeat(" ", n)
	}
	fmt.Fprintf(m.w, "\r%s%s", line, pad)
	m.width = len(line)
}

// Line renders one report: "dumping  412.0 MiB / 1.0 GiB  40%  1.2s".
func Line(phase string, done, total int64, elapsed time.Duration) string {
	var b strings.Builder
	b.WriteString(phase)
	switch {
	case total > 0:
		pct := min(100, done*100/total)
		fmt.Fprintf(&b, "  %s / %s  %d%%", Bytes(done), Bytes(total), pct)
	case done > 0:
		fmt.Fprintf(&b, "  %s", Bytes(done))
	}
	fmt.Fprintf(&b, "  %.1fs", elapsed.Seconds())
	return b.String()
}

// Bytes renders n as B, KiB, MiB or GiB.
func Bytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 2; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMG"[exp])
}
