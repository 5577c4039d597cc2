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

func TestArgsGolden(t *testing.T) {
	dumpFull := containerDump()
	dumpFull.ManageCgroupsMode = "strict"
	dumpFull.TCPEstablished = true
	dumpFull.TCPSkipInFlight = true
	dumpFull.FileLocks = true
	dumpFull.LeaveRunning = true
	dumpFull.ShellJob = true
	dumpFull.LinkRemap = true
	dumpFull.NetworkLock = NetworkLockNftables
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

	minimal := Options{Action: Dump, PID: 1, ImagesDir: "/tmp/imgs"}

	for _, tc := range []struct {
		name string
		o    Options
	}{
		{"dump", containerDump()},
		{"dump-full", dumpFull},
		{"dump-minimal", minimal},
		{"pre-dump", preDump},
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
	o.ActionScript = "/imgs/.ckpt-freeze"
	if argv, _ := Args(o); !slices.Contains(argv, "--action-script") || argv[slices.Index(argv, "--action-script")+1] != o.ActionScript {
		t.Errorf("action script not passed: %q", argv)
	}
	o.ActionScript = ""
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
		{"no images dir", dump(func(o *Options) { o.ImagesDir = "" }), ErrInvalidOptions, []string{"ImagesDir is empty"}},
		{"relative images dir", dump(func(o *Options) { o.ImagesDir = "imgs" }), ErrInvalidOptions, []string{`ImagesDir "imgs" is not an absolute path`}},
		{"relative work dir", dump(func(o *Options) { o.WorkDir = "./w" }), ErrInvalidOptions, []string{`WorkDir "./w"`}},
		{"relative root", dump(func(o *Options) { o.Root = "merged" }), ErrInvalidOptions, []string{`Root "merged"`}},
		{"relative action script", dump(func(o *Options) { o.ActionScript = "freeze.sh" }), ErrInvalidOptions, []string{`ActionScript "freeze.sh"`}},
		{"relative freeze cgroup", dump(func(o *Options) { o.FreezeCgroup = "docker/x" }), ErrInvalidOptions, []string{`FreezeCgroup "docker/x"`}},
		{"newline in images dir", dump(func(o *Options) { o.ImagesDir = "/a\n-t 1" }), ErrInvalidOptions, []string{"newline"}},
		{"bad cgroup mode", dump(func(o *Options) { o.ManageCgroups = true; o.ManageCgroupsMode = "props" }), ErrInvalidOptions, []string{`ManageCgroupsMode "props"`}},
		{"mode without manage", dump(func(o *Options) { o.ManageCgroupsMode = "soft" }), ErrInvalidOptions, []string{"ManageCgroups is false"}},
		{"tcp established and close", dump(func(o *Options) { o.TCPEstablished = true; o.TCPClose = true }), ErrInvalidOptions, []string{"exclude each other"}},
		{"bad network lock", dump(func(o *Options) { o.NetworkLock = "none" }), ErrInvalidOptions, []string{`NetworkLock "none"`}},
		{"network lock on a pre-dump", dump(func(o *Options) { o.Action = PreDump; o.NetworkLock = NetworkLockSkip }), ErrInvalidOptions, []string{`NetworkLock "skip" is for a dump`}},
		{"empty ns pid", dump(func(o *Options) { o.EmptyNS = []string{"net", "pid"} }), ErrInvalidOptions, []string{`EmptyNS[1] "pid"`}},
		{"empty external", dump(func(o *Options) { o.External = []string{""} }), ErrInvalidOptions, []string{`External[0] ""`}},
		{"unformatted external", dump(func(o *Options) { o.External = []string{"mnt[/a]:/a", "/etc/hosts"} }), ErrInvalidOptions, []string{`External[1] "/etc/hosts"`}},
		{"log level too high", dump(func(o *Options) { o.LogLevel = 5 }), ErrInvalidOptions, []string{"LogLevel 5"}},
		{"log level negative", dump(func(o *Options) { o.LogLevel = -1 }), ErrInvalidOptions, []string{"LogLevel -1"}},
		{"restore", Options{Action: Restore, PID: 1, ImagesDir: "/i"}, ErrUnknownAction, []string{`"restore"`}},
		{"every problem reported", dump(func(o *Options) { o.PID = 0; o.ImagesDir = "rel"; o.LogLevel = 9 }), ErrInvalidOptions,
			[]string{"PID 0", `ImagesDir "rel"`, "LogLevel 9"}},
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

func TestLogPath(t *testing.T) {
	for _, tc := range []struct {
		o    Options
		want string
	}{
		{Options{Action: Dump, ImagesDir: "/i", WorkDir: "/w"}, "/w/dump.log"},
		{Options{Action: PreDump, ImagesDir: "/i"}, "/i/pre-dump.log"},
		{Options{Action: PreDump, ImagesDir: "/i", LogFile: "x.log"}, "/i/x.log"},
		{Options{Action: Dump, ImagesDir: "/i", WorkDir: "/w", LogFile: "/var/log/c.log"}, "/var/log/c.log"},
	} {
		if got := tc.o.LogPath(); got != tc.want {
			t.Errorf("%+v: LogPath() = %q, want %q", tc.o, got, tc.want)
		}
	}
}
