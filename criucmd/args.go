package criucmd

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// Args validates o and returns the arguments for criu, without the binary
// itself, e.g.
//
//	dump -t 1234 -D /imgs -W /work --root /merged --manage-cgroups
//	     --ext-unix-sk --external mnt[/etc/hosts]:/etc/hosts -v4 -o dump.log
//
// The order is fixed so that the same options always give the same argv.
// Every problem found is reported in one error wrapping ErrInvalidOptions
// (or ErrUnknownAction for a bad Action).
func Args(o Options) ([]string, error) {
	if _, err := ParseAction(string(o.Action)); err != nil {
		return nil, fmt.Errorf("criu options: %w", err)
	}
	if problems := validate(o); len(problems) > 0 {
		return nil, fmt.Errorf("%w for criu %s: %s", ErrInvalidOptions, o.Action, strings.Join(problems, "; "))
	}

	argv := []string{string(o.Action)}
	add := func(args ...string) { argv = append(argv, args...) }
	// value adds "name value" when value is set.
	value := func(name, v string) {
		if v != "" {
			add(name, v)
		}
	}
	flag := func(on bool, name string) {
		if on {
			add(name)
		}
	}
	if o.Action.dumps() {
		add("-t", strconv.Itoa(o.PID))
	}
	add("-D", o.ImagesDir)
	value("-W", o.WorkDir)
	value("--prev-images-dir", o.PrevImagesDir)
	value("--root", o.Root)
	if o.ManageCgroups {
		// The mode is an optional argument: criu only takes it joined
		// with "=", a separate word is read as the next option.
		if o.ManageCgroupsMode == "" {
			add("--manage-cgroups")
		} else {
			add("--manage-cgroups=" + o.ManageCgroupsMode)
		}
	}
	value("--freeze-cgroup", o.FreezeCgroup)
	flag(o.TrackMem, "--track-mem")
	flag(o.AutoDedup, "--auto-dedup")
	flag(o.LeaveRunning, "--leave-running")
	flag(o.ShellJob, "--shell-job")
	flag(o.ExtUnixSk, "--ext-unix-sk")
	flag(o.FileLocks, "--file-locks")
	flag(o.TCPEstablished, "--tcp-established")
	flag(o.TCPSkipInFlight, "--skip-in-flight")
	flag(o.TCPClose, "--tcp-close")
	flag(o.LinkRemap, "--link-remap")
	flag(o.EvasiveDevices, "--evasive-devices")
	flag(o.RestoreDetached, "--restore-detached")
	flag(o.RestoreSibling, "--restore-sibling")
	value("--pidfile", o.PidFile)
	value("--lsm-profile", o.LSMProfile)
	value("--lsm-mount-context", o.LSMMountContext)
	for _, ns := range o.EmptyNS {
		add("--empty-ns", ns)
	}
	for _, e := range o.External {
		add("--external", e)
	}
	for _, f := range o.InheritFDs {
		add("--inherit-fd", fmt.Sprintf("fd[%d]:%s", f.FD, f.Key))
	}
	level := o.LogLevel
	if level == 0 {
		level = DefaultLogLevel
	}
	add("-v"+strconv.Itoa(level), "-o", o.logFile())
	return argv, nil
}

// externalRE matches the shape shared by every --external form CRIU knows:
// a lower-case kind followed by a bracketed id, e.g. mnt[/data]:/data,
// tty[88000:3d], net[4026531993]:extRootNetNS, unix[1234], mnt[].
var externalRE = lazyRE(`^[a-z]+\[[^\n]*\]`)

// validate returns one message per problem in o, naming the field and the
// value at fault. o.Action is known to be valid.
func validate(o Options) []string {
	var p []string
	bad := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }

	dumps := o.Action.dumps()
	if dumps && o.PID <= 0 {
		bad("PID %d: a dump needs the PID of the tree's root (> 0)", o.PID)
	}
	if !dumps && o.PID != 0 {
		bad("PID %d: restore takes no PID", o.PID)
	}

	absDir := func(field, path string, required bool) {
		switch {
		case path == "" && required:
			bad("%s is empty", field)
		case path != "" && !filepath.IsAbs(path):
			bad("%s %q is not an absolute path", field, path)
		case strings.ContainsAny(path, "\n\x00"):
			bad("%s %q contains a newline or NUL", field, path)
		}
	}
	absDir("ImagesDir", o.ImagesDir, true)
	absDir("WorkDir", o.WorkDir, false)
	absDir("Root", o.Root, false)
	absDir("FreezeCgroup", o.FreezeCgroup, false)

	if err := checkCgroupMode(o.ManageCgroupsMode); err != nil {
		bad("%v", err)
	} else if o.ManageCgroupsMode != "" && !o.ManageCgroups {
		bad("ManageCgroupsMode %q is set but ManageCgroups is false", o.ManageCgroupsMode)
	}

	if o.TCPEstablished && o.TCPClose {
		bad("TCPEstablished and TCPClose exclude each other")
	}

	// Options that only make sense on one side of a checkpoint.
	type use struct {
		field string
		set   bool
	}
	if !dumps {
		for _, u := range []use{
			{"PrevImagesDir", o.PrevImagesDir != ""},
			{"FreezeCgroup", o.FreezeCgroup != ""},
			{"TrackMem", o.TrackMem},
			{"LeaveRunning", o.LeaveRunning},
			{"TCPSkipInFlight", o.TCPSkipInFlight},
			{"LinkRemap", o.LinkRemap},
		} {
			if u.set {
				bad("%s applies to dump and pre-dump, not %s", u.field, o.Action)
			}
		}
	} else {
		for _, u := range []use{
			{"EvasiveDevices", o.EvasiveDevices},
			{"RestoreDetached", o.RestoreDetached},
			{"RestoreSibling", o.RestoreSibling},
			{"PidFile", o.PidFile != ""},
			{"LSMProfile", o.LSMProfile != ""},
			{"LSMMountContext", o.LSMMountContext != ""},
			{"InheritFDs", len(o.InheritFDs) > 0},
		} {
			if u.set {
				bad("%s applies to restore, not %s", u.field, o.Action)
			}
		}
	}

	if strings.ContainsAny(o.PrevImagesDir, "\n\x00") {
		bad("PrevImagesDir %q contains a newline or NUL", o.PrevImagesDir)
	}
	if o.LSMProfile != "" && !strings.HasPrefix(o.LSMProfile, "apparmor:") && !strings.HasPrefix(o.LSMProfile, "selinux:") {
		bad("LSMProfile %q: want apparmor:NAME or selinux:CONTEXT", o.LSMProfile)
	}
	for i, ns := range o.EmptyNS {
		if ns != "net" {
			bad("EmptyNS[%d] %q: criu supports only \"net\"", i, ns)
		}
	}
	for i, e := range o.External {
		if !externalRE().MatchString(e) {
			bad("External[%d] %q: want KIND[ID] or KIND[ID]:VALUE, e.g. mnt[/data]:/data", i, e)
		}
	}
	for i, f := range o.InheritFDs {
		if f.FD < 0 {
			bad("InheritFDs[%d] fd %d is negative", i, f.FD)
		}
		if f.Key == "" || strings.ContainsAny(f.Key, " \t\n\x00") {
			bad("InheritFDs[%d] key %q is empty or contains whitespace", i, f.Key)
		}
	}
	if o.LogLevel < 0 || o.LogLevel > 4 {
		bad("LogLevel %d: want 1 to 4, or 0 for %d", o.LogLevel, DefaultLogLevel)
	}
	if strings.ContainsAny(o.LogFile, "\n\x00") {
		bad("LogFile %q contains a newline or NUL", o.LogFile)
	}
	if strings.ContainsAny(o.PidFile, "\n\x00") {
		bad("PidFile %q contains a newline or NUL", o.PidFile)
	}
	return p
}
