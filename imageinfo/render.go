package imageinfo

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// writeJSON writes v as indented JSON followed by a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// WriteJSON writes the summary as JSON.
func (s *Summary) WriteJSON(w io.Writer) error { return writeJSON(w, s) }

// WriteJSON writes the view as JSON.
func (v *PsView) WriteJSON(w io.Writer) error { return writeJSON(w, v) }

// WriteJSON writes the view as JSON.
func (v *FdsView) WriteJSON(w io.Writer) error { return writeJSON(w, v) }

// WriteJSON writes the view as JSON.
func (v *MemsView) WriteJSON(w io.Writer) error { return writeJSON(w, v) }

// WriteJSON writes the view as JSON.
func (v *RssView) WriteJSON(w io.Writer) error { return writeJSON(w, v) }

// usString renders microseconds as a duration.
func usString(us uint32) string {
	return (time.Duration(us) * time.Microsecond).String()
}

// Short is the few-line summary `ckpt dump` prints when it is done:
// processes, memory dumped, size on disk and how long the tasks were frozen.
func (s *Summary) Short() string {
	threads := 0
	for _, p := range s.Processes {
		threads += max(len(p.Threads), 1)
	}
	frozen := "unknown"
	if s.DumpStats != nil {
		frozen = usString(s.DumpStats.FrozenTimeUs)
	}
	return fmt.Sprintf("%s (%s), %s of memory dumped (%s), %s on disk in %s, frozen for %s",
		count(len(s.Processes), "process", "processes"), count(threads, "thread", "threads"),
		humanBytes(s.Memory.Bytes), count(int(s.Memory.Pages), "page", "pages"), s.Disk.Human, count(s.Disk.Files, "file", "files"), frozen)
}

// count says "1 process" or "2 processes".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// writeContainer renders the container's record in a few lines.
func writeContainer(t *treeWriter, c *Container) {
	id := c.ID
	if len(id) > 12 {
		id = id[:12]
	}
	t.line(1, "container: %s (%s), image %s", c.Name, id, c.Image)
	mode := "the container was stopped"
	if c.LeaveRunning {
		mode = "the container kept running"
	}
	t.line(2, "checkpoint %s, made %s by criu %s in %d ms; %s",
		c.Checkpoint, c.Created.Format(time.RFC3339), c.CriuVersion, c.DurationMS, mode)
	t.line(2, "mounts: %d external, %d internal, %d root", c.Mounts.External, c.Mounts.Internal, c.Mounts.Root)
}

// treeWriter writes an indented outline, remembering the first error.
type treeWriter struct {
	w   io.Writer
	err error
}

func (t *treeWriter) line(depth int, format string, args ...any) {
	if t.err != nil {
		return
	}
	_, t.err = fmt.Fprintf(t.w, "%s%s\n", strings.Repeat("  ", depth), fmt.Sprintf(format, args...))
}

// WriteTree writes the summary as an outline for people.
func (s *Summary) WriteTree(w io.Writer) error {
	t := &treeWriter{w: w}
	t.line(0, "%s", s.Dir)
	if s.Container != nil {
		writeContainer(t, s.Container)
	}
	t.line(1, "summary: %s", s.Short())
	t.line(1, "processes")
	children := map[uint32][]Process{}
	pids := map[uint32]bool{}
	for _, p := range s.Processes {
		pids[p.PID] = true
	}
	var roots []Process
	for _, p := range s.Processes {
		if pids[p.PPID] && p.PPID != p.PID {
			children[p.PPID] = append(children[p.PPID], p)
		} else {
			roots = append(roots, p)
		}
	}
	seen := map[uint32]bool{}
	var walk func(p Process, depth int)
	walk = func(p Process, depth int) {
		if seen[p.PID] { // a cycle in a corrupt pstree
			return
		}
		seen[p.PID] = true
		cmd := ""
		if len(p.Cmdline) > 0 {
			cmd = ": " + strings.Join(p.Cmdline, " ")
		}
		t.line(depth, "%d %s (ppid %d, pgid %d, sid %d, threads %v)%s", p.PID, p.Comm, p.PPID, p.PGID, p.SID, p.Threads, cmd)
		for _, c := range children[p.PID] {
			walk(c, depth+1)
		}
	}
	for _, r := range roots {
		walk(r, 2)
	}
	t.line(1, "memory: %s dumped (%d pages)", humanBytes(s.Memory.Bytes), s.Memory.Pages)
	for _, m := range s.Memory.Processes {
		t.line(2, "%d: %d VMAs, %s mapped, %s dumped (%d pages, %d in parent)",
			m.PID, m.VMAs, humanBytes(m.MappedBytes), humanBytes(m.BytesDumped), m.PagesDumped, m.PagesInParent)
	}
	t.line(1, "files")
	for _, p := range s.Files {
		t.line(2, "%d", p.PID)
		for _, f := range p.Files {
			t.line(3, "%s: %s", f.FD, f.Path)
		}
	}
	t.line(1, "sockets")
	for _, sk := range s.Sockets {
		t.line(2, "%s (held by %s)", sk.Summary, strings.Join(sk.Owners, ", "))
	}
	t.line(1, "mounts")
	for _, m := range s.Mounts {
		ext := ""
		if m.External != "" {
			ext = " external " + m.External
		}
		t.line(2, "%d %s %s %s%s", m.ID, m.Mountpoint, m.FSType, m.Source, ext)
	}
	t.line(1, "namespaces")
	for _, n := range s.Namespaces {
		t.line(2, "%s %d %s", n.Kind, n.ID, n.Detail)
	}
	if d := s.DumpStats; d != nil {
		t.line(1, "dump stats")
		t.line(2, "freezing %s, frozen %s, memdump %s, memwrite %s",
			usString(d.FreezingTimeUs), usString(d.FrozenTimeUs), usString(d.MemdumpTimeUs), usString(d.MemwriteTimeUs))
		t.line(2, "pages scanned %d, skipped (parent) %d, written %d, lazy %d",
			d.PagesScanned, d.PagesSkippedParent, d.PagesWritten, d.PagesLazy)
	}
	t.line(1, "disk: %s in %d files (%s of pages)", s.Disk.Human, s.Disk.Files, humanBytes(uint64(s.Disk.PagesBytes)))
	return t.err
}

// table writes rows through a tabwriter.
func table(w io.Writer, header string, rows func(tw io.Writer) error) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if _, err := fmt.Fprintln(tw, header); err != nil {
		return err
	}
	if err := rows(tw); err != nil {
		return err
	}
	return tw.Flush()
}

// WriteTable writes the process tree as a table, children indented.
func (v *PsView) WriteTable(w io.Writer) error {
	depth := map[uint32]int{}
	return table(w, "PID\tPPID\tPGID\tSID\tTHREADS\tCOMM", func(tw io.Writer) error {
		for _, p := range v.Processes {
			d := 0
			if pd, ok := depth[p.PPID]; ok {
				d = pd + 1
			}
			depth[p.PID] = d
			if _, err := fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%d\t%s%s\n", p.PID, p.PPID, p.PGID, p.SID,
				len(p.Threads), strings.Repeat("  ", d), p.Comm); err != nil {
				return err
			}
		}
		return nil
	})
}

// WriteTable writes one row per open file.
func (v *FdsView) WriteTable(w io.Writer) error {
	return table(w, "PID\tFD\tTYPE\tPATH", func(tw io.Writer) error {
		for _, p := range v.Processes {
			for _, f := range p.Files {
				if _, err := fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", p.PID, f.FD, f.Type, f.Path); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// WriteTable writes one row per VMA.
func (v *MemsView) WriteTable(w io.Writer) error {
	return table(w, "PID\tSTART\tEND\tPROT\tRESOURCE", func(tw io.Writer) error {
		for _, p := range v.Processes {
			if _, err := fmt.Fprintf(tw, "%d\t\t\t\texe %s\n", p.PID, p.Exe); err != nil {
				return err
			}
			for _, m := range p.VMAs {
				prot := m.Prot
				if m.Shared {
					prot += "s"
				} else {
					prot += "p"
				}
				if _, err := fmt.Fprintf(tw, "%d\t%x\t%x\t%s\t%s\n", p.PID, m.Start, m.End, prot, m.Resource); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// WriteTable writes one row per run of dumped pages.
func (v *RssView) WriteTable(w io.Writer) error {
	return table(w, "PID\tVADDR\tPAGES\tVMAS\tRESOURCE", func(tw io.Writer) error {
		for _, p := range v.Processes {
			for _, r := range p.Runs {
				vmas := make([]string, len(r.VMAs))
				for i, a := range r.VMAs {
					vmas[i] = fmt.Sprintf("%x", a)
				}
				pages := fmt.Sprint(r.Pages)
				if r.InParent {
					pages += " (parent)"
				}
				if _, err := fmt.Fprintf(tw, "%d\t%x\t%s\t%s\t%s\n", p.PID, r.Vaddr, pages, strings.Join(vmas, ","), r.Resource); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
