package main

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/ckpt/ckpt/imageinfo"
	"github.com/ckpt/ckpt/restore"
	"github.com/ckpt/ckpt/store"
)

// workload is a container the bench checkpoints.
type workload struct {
	Name  string   // W0
	Image string   // image to run
	Cmd   []string // its command
	Ready string   // a log line that says it is ready
	Fill  []string // run in the container once it is ready (docker exec); nil for nothing
}

func (w workload) container() string { return "ckpt-bench-" + strings.ToLower(w.Name) }

func workloadsOf(c Config) ([]workload, error) {
	all := map[string]workload{
		"W0": {Image: "ckpt-busybox", Cmd: []string{"sh", "-c", "i=0; while :; do echo $i; i=$((i+1)); sleep 1; done"}, Ready: "1"},
		"W1": {Image: c.Image, Cmd: []string{"/memhog", "-mib", "64"}, Ready: "touched"},
		"W2": {Image: c.Image, Cmd: []string{"/memhog", "-mib", "1024"}, Ready: "touched"},
		// redis-server from Debian holding about 1 GiB of keys: a million
		// of 1000 bytes, made by its own DEBUG POPULATE (local clients only).
		"redis": {Image: "ckpt-debian", Cmd: []string{"redis-server", "--save", "", "--appendonly", "no", "--enable-debug-command", "local"},
			Ready: "Ready to accept connections", Fill: []string{"redis-cli", "DEBUG", "POPULATE", "1000000", "key", "1000"}},
	}
	var out []workload
	for _, n := range c.Workloads {
		w, ok := all[n]
		if !ok {
			return nil, fmt.Errorf("unknown workload %q: W0, W1, W2 or redis", n)
		}
		w.Name = n
		out = append(out, w)
	}
	return out, nil
}

// bench is one run's state.
type bench struct {
	Config
	root    string // the engine's root folder
	version string // the engine's version
	argv    map[string][]string
	freezer map[string]string // freezer.state of each workload's container
	pids    map[string]int    // host PID of each workload's init process
	ids     map[string]string // container IDs by workload
	samples []Sample
	partial string // why the run stopped early, "" if it did not
	// noDockerRestore says why docker start --checkpoint is not run on
	// this engine, "" when it is.
	noDockerRestore string
}

func run(c Config) error {
	wls, err := workloadsOf(c)
	if err != nil {
		return err
	}
	b := &bench{Config: c, argv: map[string][]string{}, ids: map[string]string{}, freezer: map[string]string{}, pids: map[string]int{}}
	info, err := output("docker", "info", "--format", "{{.ServerVersion}} {{.DockerRootDir}}")
	if err != nil {
		return err
	}
	if _, err := fmt.Sscan(info, &b.version, &b.root); err != nil {
		return fmt.Errorf("docker info said %q: %w", info, err)
	}
	if ok, err := dockerRestores(c.DockerRestore, b.version); err != nil {
		return err
	} else if !ok {
		b.noDockerRestore = engineRestoreGap
	}
	for _, d := range []string{b.storeDir(), b.rawDir()} {
		os.RemoveAll(d)
		if err := os.MkdirAll(d, 0o700); err != nil {
			return err
		}
	}
	defer func() {
		for _, w := range wls {
			exec.Command("docker", "rm", "-f", w.container()).Run()
		}
	}()
	for _, w := range wls {
		if err := b.start(w); err != nil {
			return err
		}
	}
	for rep := 1; rep <= c.Reps; rep++ {
		s, err := b.floor(rep)
		if err != nil {
			return err
		}
		b.add(s)
		for _, w := range wls {
			if err := b.repetition(w, rep); err != nil {
				// What was measured is still written, marked partial.
				err = fmt.Errorf("%s, repetition %d: %w", w.Name, rep, err)
				b.partial = err.Error()
				return errors.Join(err, b.write())
			}
		}
	}
	return b.write()
}

func (b *bench) storeDir() string { return filepath.Join(b.Work, "store") }
func (b *bench) rawDir() string   { return filepath.Join(b.Work, "raw") }

func (b *bench) add(s Sample) {
	b.samples = append(b.samples, s)
	fmt.Printf("%-6s %d %-6s %-7s %8.0f ms  frozen %6s ms (criu %6s)  size %7s MiB  rss %5s MiB\n", s.Workload, s.Rep, s.Tool, s.Op,
		s.WallMS, num(s.HeldMS, 0), num(s.FrozenMS, 0), mib(s.SizeBytes), num(s.RSSKiB/1024, 1))
}

// start runs the workload's container and takes a first, unmeasured ckpt
// dump of it: its container.json gives raw CRIU's argv.
func (b *bench) start(w workload) error {
	exec.Command("docker", "rm", "-f", w.container()).Run()
	args := append([]string{"run", "-d", "--name", w.container(), w.Image}, w.Cmd...)
	id, err := output("docker", args...)
	if err != nil {
		return err
	}
	b.ids[w.Name] = id
	if err := waitLog(w.container(), w.Ready, 3*time.Minute); err != nil {
		return err
	}
	if w.Fill != nil {
		if _, err := output("docker", append([]string{"exec", w.container()}, w.Fill...)...); err != nil {
			return fmt.Errorf("fill %s: %w", w.Name, err)
		}
	}
	if _, err := measure(b.Ckpt, "dump", "--dir", b.storeDir(), "--name", "warm", "--criu", b.Criu, w.container()); err != nil {
		return err
	}
	dir := filepath.Join(b.storeDir(), w.container(), "warm")
	meta, err := store.ReadMeta(dir)
	if err != nil {
		return err
	}
	b.argv[w.Name] = meta.CriuArgs
	b.pids[w.Name] = meta.PID
	for i, a := range meta.CriuArgs {
		if a == "--freeze-cgroup" && i+1 < len(meta.CriuArgs) {
			b.freezer[w.Name] = filepath.Join(meta.CriuArgs[i+1], "freezer.state")
		}
	}
	return os.RemoveAll(dir)
}

// orders are the six orders of the three dumps, one per repetition in
// turn, so that no tool always follows another (Docker's dump leaves a
// gigabyte of writes behind it).
var orders = [][]string{
	{Ckpt, Criu, Docker}, {Criu, Ckpt, Docker}, {Docker, Ckpt, Criu},
	{Docker, Criu, Ckpt}, {Ckpt, Docker, Criu}, {Criu, Docker, Ckpt},
}

// repetition dumps the workload with the three tools, in the repetition's
// order, and restores ckpt's and Docker's dumps into new containers, then
// removes all of them. Dirty pages are written back (sync) before each
// measured run, so that none pays for the one before.
func (b *bench) repetition(w workload, rep int) error {
	name := fmt.Sprintf("r%d", rep)
	for _, tool := range orders[(rep-1)%len(orders)] {
		var s Sample
		var err error
		syscall.Sync()
		held := watchHeld(b.freezer[w.Name], b.pids[w.Name])
		switch tool {
		case Ckpt:
			s, err = b.dumpCkpt(w, name)
		case Criu:
			s, err = b.dumpCriu(w, name)
		case Docker:
			s, err = b.dumpDocker(w, name)
		}
		if err != nil {
			return err
		}
		s.Workload, s.Rep, s.Op = w.Name, rep, Dump
		s.HeldMS = heldMS(held(), s)
		b.add(s)
	}
	restores := []func(workload, string, int) (Sample, error){b.restoreCkpt}
	if b.noDockerRestore == "" {
		restores = append(restores, b.restoreDocker)
		if rep%2 == 0 {
			restores[0], restores[1] = restores[1], restores[0]
		}
	}
	for _, r := range restores {
		syscall.Sync()
		s, err := r(w, name, rep)
		if err != nil {
			return err
		}
		s.Workload, s.Rep, s.Op = w.Name, rep, Restore
		b.add(s)
	}
	os.RemoveAll(filepath.Join(b.storeDir(), w.container(), name))
	os.RemoveAll(filepath.Join(b.rawDir(), w.Name+"-"+name))
	return nil
}

func (b *bench) dumpCkpt(w workload, name string) (Sample, error) {
	m, err := measure(b.Ckpt, "dump", "--dir", b.storeDir(), "--name", name, "--criu", b.Criu, w.container())
	if err != nil {
		return Sample{}, err
	}
	dir := filepath.Join(b.storeDir(), w.container(), name)
	s := withStats(Sample{Tool: Ckpt, WallMS: m.ms(), RSSKiB: m.rssKiB}, dir, dir)
	return s, nil
}

// dumpCriu runs criu with the argv ckpt recorded, its images and work
// folder pointed at a folder of the bench's.
func (b *bench) dumpCriu(w workload, name string) (Sample, error) {
	dir := filepath.Join(b.rawDir(), w.Name+"-"+name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Sample{}, err
	}
	argv := retarget(b.argv[w.Name], dir)
	m, err := measure(b.Criu, argv...)
	if err != nil {
		return Sample{}, err
	}
	return withStats(Sample{Tool: Criu, WallMS: m.ms(), RSSKiB: math.NaN()}, dir, dir), nil
}

// dumpDocker runs docker checkpoint create --leave-running, with a CRIU
// work folder set in runc.conf for that one dump, so that CRIU's
// statistics are kept (the engine deletes its own work folder).
func (b *bench) dumpDocker(w workload, name string) (Sample, error) {
	work := filepath.Join(b.rawDir(), w.Name+"-"+name+"-docker-work")
	if err := os.MkdirAll(work, 0o700); err != nil {
		return Sample{}, err
	}
	defer os.RemoveAll(work)
	var m measured
	err := restore.RuncConf{}.WithLines([]string{"work-dir " + work}, func() (err error) {
		m, err = measure("docker", "checkpoint", "create", "--leave-running", w.container(), name)
		return err
	})
	if err != nil {
		return Sample{}, err
	}
	dir := filepath.Join(b.root, "containers", b.ids[w.Name], "checkpoints", name)
	return withStats(Sample{Tool: Docker, WallMS: m.ms(), RSSKiB: math.NaN()}, dir, work), nil
}

// restoreCkpt restores ckpt's dump into a new container, and removes it
// with the network holder a restore on Engine 28 and newer makes for it
// (ckpt-net-NAME).
func (b *bench) restoreCkpt(w workload, name string, rep int) (Sample, error) {
	clone := w.container() + "-ckpt-" + name
	defer exec.Command("docker", "rm", "-f", clone, "ckpt-net-"+clone).Run()
	m, err := measure(b.Ckpt, "restore", "--dir", b.storeDir(), "--name", name, "--as", clone, w.container())
	if err != nil {
		return Sample{}, err
	}
	// The restore's floor, while the clone still holds its memory, so
	// that the pages it faults in are as new to this machine as the
	// restore's were.
	fill, err := fillFloor(filepath.Join(b.storeDir(), w.container(), name))
	if err != nil {
		return Sample{}, err
	}
	fill.Workload, fill.Rep = w.Name, rep
	b.add(fill)
	return Sample{Tool: Ckpt, WallMS: m.ms(), RSSKiB: m.rssKiB, SizeBytes: math.NaN()}.noStats(), nil
}

// fillFloor times a restore's floor for the checkpoint in dir (fillPages)
// in a process of its own: the kernel hands a child the peak RSS of the
// process it was forked from, so a gigabyte filled here would show in the
// peak RSS measured of every ckpt run after it.
func fillFloor(dir string) (Sample, error) {
	out, err := exec.Command("/proc/self/exe", "-fill", dir).Output()
	if err != nil {
		return Sample{}, fmt.Errorf("restore's floor for %s: %w", dir, err)
	}
	var ms float64
	var size int64
	if _, err := fmt.Sscan(string(out), &ms, &size); err != nil {
		return Sample{}, fmt.Errorf("restore's floor for %s: %q: %w", dir, out, err)
	}
	s := Sample{Tool: Floor, Op: Restore, WallMS: ms, RSSKiB: math.NaN(), SizeBytes: float64(size)}
	return s.noStats(), nil
}

// fillPages reads a checkpoint's page images from the page cache into new
// anonymous memory, one read per image as CRIU's restorer does, and times
// it: what any restore of that checkpoint must do at the least. On this
// VM new memory is not free: the guest returns freed pages to the host
// (virtio-balloon free page reporting), and the first touch of one costs
// a fault in the host too.
func fillPages(dir string) (ms float64, size int64, err error) {
	paths, err := filepath.Glob(filepath.Join(dir, "pages-*.img"))
	if err != nil {
		return 0, 0, err
	}
	sizes := make([]int64, len(paths))
	for i, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return 0, 0, err
		}
		sizes[i] = fi.Size()
		size += fi.Size()
	}
	if size == 0 {
		return 0, 0, nil
	}
	began := time.Now()
	mem, err := syscall.Mmap(-1, 0, int(size), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS)
	if err != nil {
		return 0, 0, fmt.Errorf("map %d bytes: %w", size, err)
	}
	defer syscall.Munmap(mem)
	off := int64(0)
	for i, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return 0, 0, err
		}
		_, err = f.ReadAt(mem[off:off+sizes[i]], 0)
		f.Close()
		if err != nil {
			return 0, 0, fmt.Errorf("read %s: %w", p, err)
		}
		off += sizes[i]
	}
	return float64(time.Since(began).Microseconds()) / 1000, size, nil
}

// restoreDocker creates a new container like the workload's, moves
// Docker's checkpoint into its checkpoints folder, and times docker start
// --checkpoint (the create is not counted); then removes the container.
func (b *bench) restoreDocker(w workload, name string, _ int) (Sample, error) {
	clone := w.container() + "-docker-" + name
	exec.Command("docker", "rm", "-f", clone).Run()
	defer exec.Command("docker", "rm", "-f", clone).Run()
	args := append([]string{"create", "--name", clone, w.Image}, w.Cmd...)
	id, err := output("docker", args...)
	if err != nil {
		return Sample{}, err
	}
	src := filepath.Join(b.root, "containers", b.ids[w.Name], "checkpoints", name)
	dst := filepath.Join(b.root, "containers", id, "checkpoints", name)
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return Sample{}, err
	}
	if err := os.Rename(src, dst); err != nil {
		return Sample{}, fmt.Errorf("move Docker's checkpoint to the new container: %w", err)
	}
	m, err := measure("docker", "start", "--checkpoint", name, clone)
	if err != nil && strings.Contains(err.Error(), "already exists") {
		// Engine 20.10 refuses a checkpoint whose tar is already in
		// containerd's content store (a small one can come out the same
		// twice) until the store lets go of it: once more, a moment later.
		time.Sleep(2 * time.Second)
		m, err = measure("docker", "start", "--checkpoint", name, clone)
	}
	if err != nil {
		return Sample{}, err
	}
	return Sample{Tool: Docker, WallMS: m.ms(), RSSKiB: math.NaN(), SizeBytes: math.NaN()}.noStats(), nil
}

// floor writes 1 GiB to a file in the store's file system (through the page
// cache, as CRIU writes its images) and times it.
func (b *bench) floor(rep int) (Sample, error) {
	p := filepath.Join(b.Work, "floor")
	defer os.Remove(p)
	buf := bytes.Repeat([]byte{0x5a}, 1<<20)
	syscall.Sync()
	began := time.Now()
	f, err := os.Create(p)
	if err != nil {
		return Sample{}, err
	}
	for i := 0; i < 1024; i++ {
		if _, err := f.Write(buf); err != nil {
			f.Close()
			return Sample{}, fmt.Errorf("write %s: %w", p, err)
		}
	}
	if err := f.Close(); err != nil {
		return Sample{}, err
	}
	s := Sample{Workload: Floor, Rep: rep, Tool: Floor, Op: Write, WallMS: ms(time.Since(began)), RSSKiB: math.NaN(), SizeBytes: 1 << 30}
	return s.noStats(), nil
}

// noStats marks the CRIU statistics as not measured.
func (s Sample) noStats() Sample {
	s.FreezingMS, s.FrozenMS, s.MemdumpMS, s.MemwriteMS, s.PagesWritten, s.HeldMS = math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()
	return s
}

// withStats adds the checkpoint's size in dir and CRIU's statistics from
// stats-dump in work; what is missing stays NaN.
func withStats(s Sample, dir, work string) Sample {
	s = s.noStats()
	s.SizeBytes = math.NaN()
	if n, err := store.DirSize(dir); err == nil {
		s.SizeBytes = float64(n)
	}
	st, err := imageinfo.ReadDumpStats(work)
	if err != nil || st == nil {
		fmt.Fprintf(os.Stderr, "bench: no CRIU statistics in %s: %v\n", work, err)
		return s
	}
	s.FreezingMS, s.FrozenMS = float64(st.FreezingTimeUs)/1000, float64(st.FrozenTimeUs)/1000
	s.MemdumpMS, s.MemwriteMS = float64(st.MemdumpTimeUs)/1000, float64(st.MemwriteTimeUs)/1000
	s.PagesWritten = float64(st.PagesWritten)
	return s
}

// watchHeld samples, every millisecond until the returned function is
// called, whether the container is held: its freezer cgroup not THAWED
// (freezer.state at freezer) or its init process (pid) stopped under
// ptrace, as CRIU holds a tree once it has seized it and thawed the cgroup.
// The function returns for how many milliseconds it was held, NaN if
// neither file can be read.
func watchHeld(freezer string, pid int) func() float64 {
	fz, ferr := os.Open(freezer)
	st, serr := os.Open(fmt.Sprintf("/proc/%d/stat", pid))
	if ferr != nil && serr != nil {
		return func() float64 { return math.NaN() }
	}
	stop, total := make(chan struct{}), make(chan time.Duration)
	go func() {
		defer fz.Close()
		defer st.Close()
		var held time.Duration
		var since time.Time
		buf := make([]byte, 512)
		for {
			now := time.Now()
			h := false
			if n, _ := fz.ReadAt(buf, 0); n > 0 && !bytes.HasPrefix(buf[:n], []byte("THAWED")) {
				h = true
			}
			if n, _ := st.ReadAt(buf, 0); n > 0 {
				// pid (comm) STATE ...: the state follows the last ')'.
				if i := bytes.LastIndexByte(buf[:n], ')'); i >= 0 && i+2 < n && (buf[i+2] == 't' || buf[i+2] == 'T') {
					h = true
				}
			}
			switch {
			case h && since.IsZero():
				since = now
			case !h && !since.IsZero():
				held += now.Sub(since)
				since = time.Time{}
			}
			select {
			case <-stop:
				if !since.IsZero() {
					held += now.Sub(since)
				}
				total <- held
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	return func() float64 {
		close(stop)
		return ms(<-total)
	}
}

// heldMS is how long the container was held, at least: what was seen from
// outside, or CRIU's window from the start of its freeze to the end
// (freezing + frozen), which the outside misses while CRIU's parasite runs
// in the tasks. For Docker the outside sees more: the engine's pause
// around the whole checkpoint.
func heldMS(seen float64, s Sample) float64 {
	if crit := s.FreezingMS + s.FrozenMS; !math.IsNaN(crit) && (math.IsNaN(seen) || crit > seen) {
		return crit
	}
	return seen
}

// measured is one timed command.
type measured struct {
	wall   time.Duration
	rssKiB float64 // the command's own peak RSS, its children aside
}

func (m measured) ms() float64 { return ms(m.wall) }

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// measure runs name with args and times it; its peak RSS comes from
// wait4's rusage, which counts that process only.
func measure(name string, args ...string) (measured, error) {
	cmd := exec.Command(name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	began := time.Now()
	err := cmd.Run()
	m := measured{wall: time.Since(began), rssKiB: math.NaN()}
	if err != nil {
		return m, fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out.Bytes())
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.rssKiB = float64(ru.Maxrss)
	}
	return m, nil
}

// output runs a command and returns its trimmed standard output.
func output(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		return "", fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, bytes.TrimSpace(stderr))
	}
	return strings.TrimSpace(string(out)), nil
}

// waitLog waits until the container's log has a line containing want.
func waitLog(container, want string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		out, _ := exec.Command("docker", "logs", container).CombinedOutput()
		for _, l := range strings.Split(string(out), "\n") {
			if strings.Contains(l, want) {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("%s did not log %q within %s", container, want, limit)
}

// write puts the tables in Out: speed-engine-<version>.md, .csv (medians
// and paired ratios) and -runs.csv (every sample).
func (b *bench) write() error {
	if err := os.MkdirAll(b.Out, 0o755); err != nil {
		return err
	}
	r := Results{Samples: b.samples, NoDockerRestore: b.noDockerRestore}
	base := filepath.Join(b.Out, "speed-engine-"+engineTag(b.version))
	var md bytes.Buffer
	fmt.Fprintf(&md, "%s, %s, Engine %s, %s; %d repetitions, interleaved.\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"), machine(), b.version, criuVersion(b.Criu), b.Reps)
	if b.partial != "" {
		fmt.Fprintf(&md, "**Partial run**, stopped at %s.\n\n", b.partial)
	}
	r.Markdown(&md)
	var csvs, runs bytes.Buffer
	if err := r.CSV(&csvs); err != nil {
		return err
	}
	if err := RunsCSV(&runs, b.samples); err != nil {
		return err
	}
	for path, body := range map[string][]byte{base + ".md": md.Bytes(), base + ".csv": csvs.Bytes(), base + "-runs.csv": runs.Bytes()} {
		if err := os.WriteFile(path, body, 0o644); err != nil {
			return err
		}
	}
	os.Stdout.Write(md.Bytes())
	return nil
}

// machine says what the bench ran on: cores, memory and kernel.
func machine() string {
	var u syscall.Utsname
	syscall.Uname(&u)
	var si syscall.Sysinfo_t
	syscall.Sysinfo(&si)
	release := make([]byte, 0, len(u.Release))
	for _, c := range u.Release {
		if c == 0 {
			break
		}
		release = append(release, byte(c))
	}
	cpus, _ := output("nproc")
	return fmt.Sprintf("%s cores, %d GiB, Linux %s", cpus, (uint64(si.Totalram)*uint64(si.Unit)+(1<<29))>>30, release)
}

func criuVersion(criu string) string {
	out, _ := output(criu, "--version")
	if l := strings.SplitN(out, "\n", 2); l[0] != "" {
		return "CRIU " + strings.TrimPrefix(l[0], "Version: ")
	}
	return "CRIU ?"
}
