package imageinfo

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func mustShow(t *testing.T, dir string) *Summary {
	t.Helper()
	s, err := Show(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestShowTCP checks the sockets of the tcp fixture: a listener on 8080 and
// both ends of a loopback connection on 8081, each with its owner.
func TestShowTCP(t *testing.T) {
	s := mustShow(t, "testdata/tcp")
	var listen, established []Socket
	for _, sk := range s.Sockets {
		switch sk.State {
		case "LISTEN":
			listen = append(listen, sk)
		case "ESTABLISHED":
			established = append(established, sk)
		}
		if len(sk.Owners) != 1 {
			t.Errorf("socket %s: owners %v, want one", sk.Summary, sk.Owners)
		}
	}
	if len(listen) != 1 || !strings.HasSuffix(listen[0].Local, ":8080") {
		t.Errorf("listeners %+v, want one on 8080", listen)
	}
	if len(established) != 2 {
		t.Fatalf("established %+v, want 2", established)
	}
	a, b := established[0], established[1]
	if a.Local != b.Remote || a.Remote != b.Local || !strings.Contains(a.Local+b.Local, "127.0.0.1:8081") {
		t.Errorf("the two ends do not match: %+v %+v", a, b)
	}
}

// TestShowTree checks the process tree fixture: three levels, parents
// before children, comm from the core images.
func TestShowTree(t *testing.T) {
	s := mustShow(t, "testdata/tree")
	if len(s.Processes) != 7 {
		t.Fatalf("%d processes, want 7", len(s.Processes))
	}
	depth := map[uint32]int{}
	maxDepth := 0
	comms := map[string]int{}
	for _, p := range s.Processes {
		depth[p.PID] = 0
		if p.PPID != 0 {
			d, ok := depth[p.PPID]
			if !ok {
				t.Fatalf("process %d comes before its parent %d", p.PID, p.PPID)
			}
			depth[p.PID] = d + 1
			maxDepth = max(maxDepth, d+1)
		}
		comms[p.Comm]++
	}
	if maxDepth != 2 || comms["sleep"] != 4 || comms["sh"] != 3 {
		t.Errorf("depth %d, comms %v; want depth 2, 4 sleep and 3 sh", maxDepth, comms)
	}
}

// TestShowMemoryMatchesStats checks that the pages counted from the
// pagemaps are the pages CRIU says it wrote, for every fixture, and that the
// threads fixture shows its Go runtime threads.
func TestShowMemoryMatchesStats(t *testing.T) {
	for _, fx := range fixtures {
		s := mustShow(t, filepath.Join("testdata", fx))
		if s.DumpStats == nil || s.DumpStats.FrozenTimeUs == 0 {
			t.Fatalf("%s: no dump stats: %+v", fx, s.DumpStats)
		}
		if s.Memory.Pages == 0 || s.Memory.Pages != s.DumpStats.PagesWritten {
			t.Errorf("%s: %d pages from pagemaps, stats-dump wrote %d", fx, s.Memory.Pages, s.DumpStats.PagesWritten)
		}
		if st, err := ReadDumpStats(filepath.Join("testdata", fx)); err != nil || *st != *s.DumpStats {
			t.Errorf("%s: ReadDumpStats = %+v, %v; want Show's %+v", fx, st, err, s.DumpStats)
		}
		if s.Memory.Bytes != s.Memory.Pages*4096 {
			t.Errorf("%s: bytes %d for %d pages", fx, s.Memory.Bytes, s.Memory.Pages)
		}
	}
	s := mustShow(t, "testdata/threads")
	if len(s.Processes) != 1 || len(s.Processes[0].Threads) < 2 || s.Processes[0].Comm != "memhog" {
		t.Errorf("threads fixture: %+v", s.Processes)
	}
	// memhog touched 8 MiB.
	if s.Memory.Bytes < 8<<20 {
		t.Errorf("threads fixture: %d bytes dumped, want at least 8 MiB", s.Memory.Bytes)
	}
}

// TestShowNeedsNoPages copies the busybox fixture without its pages-*.img
// and wants the same summary, disk figures aside.
func TestShowNeedsNoPages(t *testing.T) {
	dir := t.TempDir()
	ents, err := os.ReadDir("testdata/busybox")
	if err != nil {
		t.Fatal(err)
	}
	pages := 0
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "pages-") {
			pages++
			continue
		}
		b, err := os.ReadFile(filepath.Join("testdata/busybox", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if pages == 0 {
		t.Fatal("the busybox fixture should keep its pages-*.img")
	}
	with, without := mustShow(t, "testdata/busybox"), mustShow(t, dir)
	if without.Disk.PagesBytes != 0 || with.Disk.PagesBytes == 0 {
		t.Fatalf("pages bytes %d with, %d without", with.Disk.PagesBytes, without.Disk.PagesBytes)
	}
	with.Dir, with.Disk, without.Dir, without.Disk = "", Disk{}, "", Disk{}
	a, _ := json.Marshal(with)
	b, _ := json.Marshal(without)
	if !bytes.Equal(a, b) {
		t.Errorf("summaries differ:\n%s\n%s", a, b)
	}
}

// TestShowJSON checks the section keys of the JSON form, the frozen time
// and the container the caller adds, and that the tree form mentions each
// section.
func TestShowJSON(t *testing.T) {
	s := mustShow(t, "testdata/tcp")
	s.AddContainer(&Container{
		Name: "ii-fx-tcp", ID: "b9495a31706a0123", Image: "ckpt-busybox", Checkpoint: "fixture",
		Created: time.Date(2026, 11, 29, 15, 32, 42, 0, time.UTC), CriuVersion: "4.2.1", DurationMS: 299,
		LeaveRunning: true, Mounts: MountCounts{External: 12, Internal: 15, Root: 1},
		Cmdlines: map[uint32][]string{7: {"nc", "-l", "-p", "8080"}},
	})
	var buf bytes.Buffer
	if err := s.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &top); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"processes", "memory", "files", "sockets", "mounts", "namespaces", "dump_stats", "container", "disk"} {
		if _, ok := top[k]; !ok {
			t.Errorf("no %q key in %s", k, buf.Bytes())
		}
	}
	var st map[string]uint64
	if err := json.Unmarshal(top["dump_stats"], &st); err != nil || st["frozen_time_us"] == 0 {
		t.Errorf("dump_stats %s: %v", top["dump_stats"], err)
	}
	var ct struct{ Name string }
	if err := json.Unmarshal(top["container"], &ct); err != nil || ct.Name != "ii-fx-tcp" {
		t.Errorf("container %s: %v", top["container"], err)
	}
	buf.Reset()
	if err := s.WriteTree(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"processes", "memory:", "sockets", "127.0.0.1:8081", "mounts", "external /etc/hosts", "namespaces", "hostname", "frozen",
		"  container: ii-fx-tcp (b9495a31706a), image ckpt-busybox\n",
		"    checkpoint fixture, made 2026-11-29T15:32:42Z by criu 4.2.1 in 299 ms; the container kept running\n",
		"    mounts: 12 external, 15 internal, 1 root\n",
		"  7 nc (ppid 1, pgid 1, sid 1, threads [7]): nc -l -p 8080\n", "1 sh (ppid 0, pgid 1, sid 1, threads [1])\n"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("tree lacks %q:\n%s", want, buf.String())
		}
	}
	short := s.Short()
	for _, want := range []string{"7 processes", "112 pages", "frozen for"} {
		if !strings.Contains(short, want) {
			t.Errorf("Short() = %q, lacks %q", short, want)
		}
	}
}

// TestShowWithoutContainer wants no container and no command lines in a
// summary the caller adds none to (a checkpoint made by CRIU alone).
func TestShowWithoutContainer(t *testing.T) {
	s := mustShow(t, "testdata/tcp")
	s.AddContainer(nil)
	var buf bytes.Buffer
	if err := s.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), `"container"`) || strings.Contains(buf.String(), `"cmdline"`) {
		t.Errorf("container or cmdline in %s", buf.Bytes())
	}
	buf.Reset()
	if err := s.WriteTree(&buf); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "container:") || strings.Contains(buf.String(), "): ") {
		t.Errorf("container or command line in:\n%s", buf.String())
	}
}

// TestViews runs the crit-like views over every fixture, in both forms.
func TestViews(t *testing.T) {
	for _, fx := range fixtures {
		dir := filepath.Join("testdata", fx)
		ps, err := Ps(dir)
		if err != nil {
			t.Fatal(err)
		}
		fds, err := Fds(dir)
		if err != nil {
			t.Fatal(err)
		}
		mems, err := Mems(dir)
		if err != nil {
			t.Fatal(err)
		}
		rss, err := Rss(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []interface {
			WriteTable(io.Writer) error
			WriteJSON(io.Writer) error
		}{ps, fds, mems, rss} {
			var a, b bytes.Buffer
			if err := v.WriteTable(&a); err != nil || a.Len() == 0 {
				t.Errorf("%s %T table: %v", fx, v, err)
			}
			if err := v.WriteJSON(&b); err != nil || !json.Valid(b.Bytes()) {
				t.Errorf("%s %T JSON: %v", fx, v, err)
			}
		}
		for _, p := range fds.Processes {
			if n := len(p.Files); n < 3 || p.Files[n-1].FD != "root" || p.Files[n-1].Path != "/" {
				t.Errorf("%s: pid %d files %+v", fx, p.PID, p.Files)
			}
		}
		for _, p := range mems.Processes {
			want := "/bin/busybox"
			if fx == "threads" {
				want = "/memhog"
			}
			if p.Exe != want || len(p.VMAs) == 0 {
				t.Errorf("%s: pid %d exe %q, %d VMAs", fx, p.PID, p.Exe, len(p.VMAs))
			}
		}
		for _, p := range rss.Processes {
			for _, r := range p.Runs {
				if r.Pages == 0 || len(r.VMAs) == 0 {
					t.Errorf("%s: pid %d run %+v has no pages or no VMA", fx, p.PID, r)
				}
			}
		}
	}
}

// TestNotCheckpoint wants ErrNotCheckpoint for folders that are not
// checkpoints, and an error naming the file for a checkpoint with a
// corrupt image.
func TestNotCheckpoint(t *testing.T) {
	for _, dir := range []string{t.TempDir(), "testdata/tcp/pstree.img", "testdata/nope"} {
		if _, err := Show(dir); err == nil || !strings.Contains(err.Error(), dir) {
			t.Errorf("Show(%s) = %v", dir, err)
		}
	}
	if _, err := Show(t.TempDir()); !errors.Is(err, ErrNotCheckpoint) {
		t.Errorf("empty folder: %v", err)
	}
	dir := t.TempDir()
	for _, name := range []string{"inventory.img", "pstree.img"} {
		b, err := os.ReadFile(filepath.Join("testdata/tree", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// core-1.img is cut short.
	b, _ := os.ReadFile("testdata/tree/core-1.img")
	if err := os.WriteFile(filepath.Join(dir, "core-1.img"), b[:50], 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Show(dir)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "core-1.img") {
		t.Errorf("corrupt core: %v", err)
	}
}
