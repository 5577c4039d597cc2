package criucmd

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// updateGolden rewrites testdata/*.golden instead of comparing with them.
var updateGolden = os.Getenv("CKPT_UPDATE_GOLDEN") == "1"

// containerDump is a dump as ckpt builds it for a docker container on
// cgroup v1, following what runc passes to criu.
func containerDump() Options {
	return Options{
		Action:        Dump,
		PID:           4242,
		ImagesDir:     "/var/lib/ckpt/web/cp1/images",
		WorkDir:       "/var/lib/ckpt/web/cp1/work",
		Root:          "/var/lib/docker/overlay2/3f2a/merged",
		ManageCgroups: true,
		ExtUnixSk:     true,
		FreezeCgroup:  "/sys/fs/cgroup/freezer/docker/15da5232",
		External: []string{
			"mnt[/etc/hosts]:/etc/hosts",
			"mnt[/etc/resolv.conf]:/etc/resolv.conf",
			"mnt[/sys/fs/cgroup/memory]:/sys/fs/cgroup/memory",
			"net[4026532262]:extRootNetNS",
		},
	}
}

// containerRestore restores what containerDump wrote.
func containerRestore() Options {
	return Options{
		Action:          Restore,
		ImagesDir:       "/var/lib/ckpt/web/cp1/images",
		WorkDir:         "/var/lib/ckpt/web/cp1/restore",
		Root:            "/run/ckpt/web/criu-root",
		ManageCgroups:   true,
		ExtUnixSk:       true,
		EvasiveDevices:  true,
		RestoreDetached: true,
		RestoreSibling:  true,
		PidFile:         "restore.pid",
		External: []string{
			"mnt[/etc/hosts]:/var/lib/docker/containers/15da5232/hosts",
			"mnt[/etc/resolv.conf]:/var/lib/docker/containers/15da5232/resolv.conf",
			"mnt[/sys/fs/cgroup/memory]:/sys/fs/cgroup/memory/docker/15da5232",
		},
		InheritFDs: []InheritFD{{FD: 3, Key: "extRootNetNS"}},
	}
}

func TestArgsGolden(t *testing.T) {
	dumpFull := containerDump()
	dumpFull.ManageCgroupsMode = "strict"
	dumpFull.TCPEstablished = true
	dumpFull.TCPSkipInFlight = true
	dumpFull.FileLocks = true
	dumpFull.LeaveRunning = true
	dumpFull.ShellJob = true
	dumpFull.LinkRemap = true
	dumpFull.AutoDedup = true
	dumpFull.TrackMem = true
	dumpFull.PrevImagesDir = "../pre1"
	dumpFull.EmptyNS = []string{"net"}
	dumpFull.LogLevel = 2
	dumpFull.LogFile = "/var/log/ckpt/web-dump.log"

	preDump := containerDump()
	preDump.Action = PreDump
	preDump.ImagesDir = "/var/lib/ckpt/web/pre1"
	preDump.TrackMem = true
	preDump.External = nil

	restoreFull := containerRestore()
	restoreFull.TCPClose = true
	restoreFull.FileLocks = true
	restoreFull.ShellJob = true
	restoreFull.AutoDedup = true
	restoreFull.EmptyNS = []string{"net"}
	restoreFull.LSMProfile = "apparmor:docker-default"
	restoreFull.LSMMountContext = "system_u:object_r:container_file_t:s0"
	restoreFull.ManageCgroupsMode = "ignore"
	restoreFull.InheritFDs = append(restoreFull.InheritFDs, InheritFD{FD: 4, Key: "pipe:[31337]"})

	minimal := Options{Action: Dump, PID: 1, ImagesDir: "/tmp/imgs"}

	for _, tc := range []struct {
		name string
		o    Options
	}{
		{"dump", containerDump()},
		{"dump-full", dumpFull},
		{"dump-minimal", minimal},
		{"pre-dump", preDump},
		{"restore", containerRestore()},
		{"restore-full", restoreFull},
	} {
		t.Run(tc.name, func(t *testing.T) {
			argv, err := Args(tc.o)
			if err != nil {
				t.Fatalf("Args: %v", err)
			}
			got := strings.Join(argv, "\n") + "\n"
			path := filepath.Join("testdata", tc.name+".golden")
			if updateGolden {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with CKPT_UPDATE_GOLDEN=1 to create it)", err)
			}
			if got != string(want) {
				t.Errorf("argv differs from %s (CKPT_UPDATE_GOLDEN=1 rewrites it)\ngot:\n%s\nwant:\n%s", path, got, want)
			}
		})
	}
}

// TestArgsShape checks properties the golden files only show implicitly.
func TestArgsShape(t *testing.T) {
	o := containerDump()
	o.ManageCgroupsMode = "full"
	argv, err := Args(o)
	if err != nil {
		t.Fatal(err)
	}
	if argv[0] != "dump" {
		t.Errorf("argv[0] = %q, want the action, not a binary path", argv[0])
	}
	// criu reads an optional argument only when joined with "=": a
	// separate "full" would be taken as the next option.
	if !slices.Contains(argv, "--manage-cgroups=full") || slices.Contains(argv, "full") {
		t.Errorf("manage-cgroups mode not joined with '=': %q", argv)
	}
	if got := argv[len(argv)-3:]; !slices.Equal(got, []string{"-v4", "-o", "dump.log"}) {
		t.Errorf("argv ends with %q, want -v4 -o dump.log", got)
	}
	again, _ := Args(o)
	if !slices.Equal(argv, again) {
		t.Errorf("Args is not deterministic:\n%q\n%q", argv, again)
	}

	pre := Options{Action: PreDump, PID: 7, ImagesDir: "/i"}
	argv, err = Args(pre)
	if err != nil {
		t.Fatal(err)
	}
	if got := argv[len(argv)-1]; got != "pre-dump.log" {
		t.Errorf("pre-dump log = %q, want pre-dump.log", got)
	}
}

func TestArgsCgroupModes(t *testing.T) {
	for _, mode := range []string{"", "soft", "full", "strict", "ignore"} {
		o := Options{Action: Dump, PID: 1, ImagesDir: "/i", ManageCgroups: true, ManageCgroupsMode: mode}
		if _, err := Args(o); err != nil {
			t.Errorf("mode %q: %v", mode, err)
		}
	}
}

func TestArgsInvalid(t *testing.T) {
	dump := func(f func(*Options)) Options {
		o := Options{Action: Dump, PID: 10, ImagesDir: "/imgs"}
		f(&o)
		return o
	}
	restore := func(f func(*Options)) Options {
		o := Options{Action: Restore, ImagesDir: "/imgs"}
		f(&o)
		return o
	}
	for _, tc := range []struct {
		name string
		o    Options
		is   error
		want []string
	}{
		{"unknown action", Options{Action: "checkpoint", PID: 1, ImagesDir: "/i"}, ErrUnknownAction, []string{`"checkpoint"`}},
		{"empty action", Options{PID: 1, ImagesDir: "/i"}, ErrUnknownAction, []string{`""`}},
		{"dump without pid", dump(func(o *Options) { o.PID = 0 }), ErrInvalidOptions, []string{"PID 0"}},
		{"dump negative pid", dump(func(o *Options) { o.PID = -3 }), ErrInvalidOptions, []string{"PID -3"}},
		{"restore with pid", restore(func(o *Options) { o.PID = 5 }), ErrInvalidOptions, []string{"PID 5: restore takes no PID"}},
		{"no images dir", dump(func(o *Options) { o.ImagesDir = "" }), ErrInvalidOptions, []string{"ImagesDir is empty"}},
		{"relative images dir", dump(func(o *Options) { o.ImagesDir = "imgs" }), ErrInvalidOptions, []string{`ImagesDir "imgs" is not an absolute path`}},
		{"relative work dir", dump(func(o *Options) { o.WorkDir = "./w" }), ErrInvalidOptions, []string{`WorkDir "./w"`}},
		{"relative root", dump(func(o *Options) { o.Root = "merged" }), ErrInvalidOptions, []string{`Root "merged"`}},
		{"relative freeze cgroup", dump(func(o *Options) { o.FreezeCgroup = "docker/x" }), ErrInvalidOptions, []string{`FreezeCgroup "docker/x"`}},
		{"newline in images dir", dump(func(o *Options) { o.ImagesDir = "/a\n-t 1" }), ErrInvalidOptions, []string{"newline"}},
		{"bad cgroup mode", dump(func(o *Options) { o.ManageCgroups = true; o.ManageCgroupsMode = "props" }), ErrInvalidOptions, []string{`ManageCgroupsMode "props"`}},
		{"mode without manage", dump(func(o *Options) { o.ManageCgroupsMode = "soft" }), ErrInvalidOptions, []string{"ManageCgroups is false"}},
		{"tcp established and close", dump(func(o *Options) { o.TCPEstablished = true; o.TCPClose = true }), ErrInvalidOptions, []string{"exclude each other"}},
		{"restore leave running", restore(func(o *Options) { o.LeaveRunning = true }), ErrInvalidOptions, []string{"LeaveRunning applies to dump and pre-dump, not restore"}},
		{"restore freeze cgroup", restore(func(o *Options) { o.FreezeCgroup = "/sys/fs/cgroup/freezer/x" }), ErrInvalidOptions, []string{"FreezeCgroup applies to dump"}},
		{"restore track mem", restore(func(o *Options) { o.TrackMem = true }), ErrInvalidOptions, []string{"TrackMem applies to dump"}},
		{"restore prev images", restore(func(o *Options) { o.PrevImagesDir = "../pre" }), ErrInvalidOptions, []string{"PrevImagesDir applies to dump"}},
		{"dump detached", dump(func(o *Options) { o.RestoreDetached = true }), ErrInvalidOptions, []string{"RestoreDetached applies to restore, not dump"}},
		{"dump inherit fd", dump(func(o *Options) { o.InheritFDs = []InheritFD{{3, "k"}} }), ErrInvalidOptions, []string{"InheritFDs applies to restore"}},
		{"pre-dump pidfile", dump(func(o *Options) { o.Action = PreDump; o.PidFile = "p" }), ErrInvalidOptions, []string{"PidFile applies to restore, not pre-dump"}},
		{"lsm profile without type", restore(func(o *Options) { o.LSMProfile = "docker-default" }), ErrInvalidOptions, []string{`LSMProfile "docker-default"`}},
		{"empty ns pid", dump(func(o *Options) { o.EmptyNS = []string{"net", "pid"} }), ErrInvalidOptions, []string{`EmptyNS[1] "pid"`}},
		{"empty external", dump(func(o *Options) { o.External = []string{""} }), ErrInvalidOptions, []string{`External[0] ""`}},
		{"unformatted external", dump(func(o *Options) { o.External = []string{"mnt[/a]:/a", "/etc/hosts"} }), ErrInvalidOptions, []string{`External[1] "/etc/hosts"`}},
		{"negative inherit fd", restore(func(o *Options) { o.InheritFDs = []InheritFD{{-1, "k"}} }), ErrInvalidOptions, []string{"fd -1 is negative"}},
		{"empty inherit key", restore(func(o *Options) { o.InheritFDs = []InheritFD{{3, ""}} }), ErrInvalidOptions, []string{`key ""`}},
		{"inherit key with space", restore(func(o *Options) { o.InheritFDs = []InheritFD{{3, "a b"}} }), ErrInvalidOptions, []string{`key "a b"`}},
		{"log level too high", dump(func(o *Options) { o.LogLevel = 5 }), ErrInvalidOptions, []string{"LogLevel 5"}},
		{"log level negative", dump(func(o *Options) { o.LogLevel = -1 }), ErrInvalidOptions, []string{"LogLevel -1"}},
		{"every problem reported", dump(func(o *Options) { o.PID = 0; o.ImagesDir = "rel"; o.RestoreSibling = true }), ErrInvalidOptions,
			[]string{"PID 0", `ImagesDir "rel"`, "RestoreSibling applies to restore"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			argv, err := Args(tc.o)
			if err == nil {
				t.Fatalf("Args succeeded with %q, want an error", argv)
			}
			if argv != nil {
				t.Errorf("argv = %q alongside an error, want nil", argv)
			}
			if !errors.Is(err, tc.is) {
				t.Errorf("error %q is not %v", err, tc.is)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestParseAction(t *testing.T) {
	for _, s := range []string{"dump", "pre-dump", "restore"} {
		a, err := ParseAction(s)
		if err != nil || string(a) != s {
			t.Errorf("ParseAction(%q) = %q, %v", s, a, err)
		}
	}
	for _, s := range []string{"", "Dump", "predump", "check"} {
		if _, err := ParseAction(s); !errors.Is(err, ErrUnknownAction) {
			t.Errorf("ParseAction(%q) error = %v, want ErrUnknownAction", s, err)
		}
	}
}

func TestLogPath(t *testing.T) {
	for _, tc := range []struct {
		o    Options
		want string
	}{
		{Options{Action: Dump, ImagesDir: "/i", WorkDir: "/w"}, "/w/dump.log"},
		{Options{Action: Restore, ImagesDir: "/i"}, "/i/restore.log"},
		{Options{Action: PreDump, ImagesDir: "/i", LogFile: "x.log"}, "/i/x.log"},
		{Options{Action: Dump, ImagesDir: "/i", WorkDir: "/w", LogFile: "/var/log/c.log"}, "/var/log/c.log"},
	} {
		if got := tc.o.LogPath(); got != tc.want {
			t.Errorf("%+v: LogPath() = %q, want %q", tc.o, got, tc.want)
		}
	}
}
