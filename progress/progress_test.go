package progress

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"
)

func TestLine(t *testing.T) {
	for _, tc := range []struct {
		phase       string
		done, total int64
		el          time.Duration
		want        string
	}{
		{"dumping", 412 << 20, 1 << 30, 1200 * time.Millisecond, "dumping  412.0 MiB / 1.0 GiB  40%  1.2s"},
		{"dumping", 2 << 30, 1 << 30, 0, "dumping  2.0 GiB / 1.0 GiB  100%  0.0s"}, // more than expected
		{"placing", 5 << 10, 0, time.Second, "placing  5.0 KiB  1.0s"},
		{"starting", 0, 0, 2500 * time.Millisecond, "starting  2.5s"},
	} {
		if got := Line(tc.phase, tc.done, tc.total, tc.el); got != tc.want {
			t.Errorf("Line = %q, want %q", got, tc.want)
		}
	}
}

// fakeClock advances by step at each reading.
func fakeClock(step time.Duration) func() time.Time {
	t := time.Unix(0, 0)
	return func() time.Time { t = t.Add(step); return t }
}

func TestMeterOnATerminalRedrawsInPlace(t *testing.T) {
	var b bytes.Buffer
	m := newMeter(&b, true, fakeClock(50*time.Millisecond))
	m.Phase("dumping", 100<<20)
	m.Set(10 << 20) // 50 ms after the last draw: skipped
	m.Set(60 << 20) // 100 ms: drawn
	m.Done()
	out := b.String()
	if strings.Contains(out, "\n") || strings.Count(out, "\r") != 4 || strings.Contains(out, "10.0 MiB") || !strings.Contains(out, "60.0 MiB / 100.0 MiB  60%") {
		t.Errorf("terminal output %q: want two draws in place, the second at 60%%, then cleared", out)
	}
	if !strings.HasSuffix(out, "\r"+strings.Repeat(" ", len("dumping  60.0 MiB / 100.0 MiB  60%  0.2s"))+"\r") {
		t.Errorf("the line is not cleared at the end: %q", out)
	}
}

func TestMeterOffATerminalWritesLines(t *testing.T) {
	var b bytes.Buffer
	m := newMeter(&b, false, fakeClock(400*time.Millisecond))
	m.Phase("dumping", 0)
	m.Set(1) // 0.4 s: too soon
	m.Set(2) // 0.8 s
	m.Set(3) // 1.2 s: a line
	m.Phase("writing", 0)
	m.Done()
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "dumping  3 B") || !strings.HasPrefix(lines[2], "writing") || strings.Contains(b.String(), "\r") {
		t.Errorf("lines %q: want the phase, one update a second, the next phase", lines)
	}
}

func TestNilMeterShowsNothing(t *testing.T) {
	var m *Meter
	m.Phase("x", 1)
	m.Set(1)
	m.Watch(time.Millisecond, func() int64 { return 0 })()
	m.Done()
}

func TestReaderAndWriterCountIntoThePhase(t *testing.T) {
	var b bytes.Buffer
	m := newMeter(&b, false, fakeClock(time.Second))
	m.Phase("extracting", 10<<20)
	if _, err := io.Copy(io.Discard, m.Reader(strings.NewReader(strings.Repeat("x", 3<<20)))); err != nil {
		t.Fatal(err)
	}
	var sink bytes.Buffer
	if _, err := m.Writer(&sink).Write(make([]byte, 2<<20)); err != nil {
		t.Fatal(err)
	}
	if sink.Len() != 2<<20 {
		t.Errorf("the writer passed %d bytes on, want %d", sink.Len(), 2<<20)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "extracting  5.0 MiB / 10.0 MiB  50%") {
		t.Errorf("last line %q: want 5 MiB counted of 10 (3 read, 2 written)", last)
	}
	m.Phase("writing", 0)
	m.Add(1 << 10)
	if !strings.Contains(b.String(), "writing  1.0 KiB") {
		t.Errorf("a new phase does not count from zero: %q", b.String())
	}
}

func TestNilMeterPassesReadersAndWritersThrough(t *testing.T) {
	var m *Meter
	r := strings.NewReader("x")
	if m.Reader(r) != io.Reader(r) {
		t.Error("a nil meter wraps the reader")
	}
	var b bytes.Buffer
	if m.Writer(&b) != io.Writer(&b) {
		t.Error("a nil meter wraps the writer")
	}
	m.Add(1)
}
