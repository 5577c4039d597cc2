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
	if err := checkAction(o.Action); err != nil {
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
	add("-t", strconv.Itoa(o.PID))
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
	value("--action-script", o.ActionScript)
	flag(o.TrackMem, "--track-mem")
	flag(o.AutoDedup, "--auto-dedup")
	flag(o.LeaveRunning, "--leave-running")
	flag(o.ShellJob, "--shell-job")
	flag(o.ExtUnixSk, "--ext-unix-sk")
	flag(o.FileLocks, "--file-locks")
	flag(o.TCPEstablished, "--tcp-established")
	flag(o.TCPSkipInFlight, "--skip-in-flight")
	flag(o.TCPClose, "--tcp-close")
	value("--network-lock", string(o.NetworkLock))
	flag(o.LinkRemap, "--link-remap")
	for _, ns := range o.EmptyNS {
		add("--empty-ns", ns)
	}
	for _, e := range o.External {
		add("--external", e)
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

	if o.PID <= 0 {
		bad("PID %d: a dump needs the PID of the tree's root (> 0)", o.PID)
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
	absDir("ActionScript", o.ActionScript, false)

	if err := checkCgroupMode(o.ManageCgroupsMode); err != nil {
		bad("%v", err)
	} else if o.ManageCgroupsMode != "" && !o.ManageCgroups {
		bad("ManageCgroupsMode %q is set but ManageCgroups is false", o.ManageCgroupsMode)
	}

	if err := checkNetworkLock(o.NetworkLock); err != nil {
		bad("%v", err)
	} else if o.NetworkLock != NetworkLockDefault && o.Action != Dump {
		bad("NetworkLock %q is for a dump", string(o.NetworkLock))
	}
	if o.TCPEstablished && o.TCPClose {
		bad("TCPEstablished and TCPClose exclude each other")
	}

	if strings.ContainsAny(o.PrevImagesDir, "\n\x00") {
		bad("PrevImagesDir %q contains a newline or NUL", o.PrevImagesDir)
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
	if o.LogLevel < 0 || o.LogLevel > 4 {
		bad("LogLevel %d: want 1 to 4, or 0 for %d", o.LogLevel, DefaultLogLevel)
	}
	if strings.ContainsAny(o.LogFile, "\n\x00") {
		bad("LogFile %q contains a newline or NUL", o.LogFile)
	}
	return p
}
