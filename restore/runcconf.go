package restore

import (
	"fmt"
	"strings"

	"github.com/ckpt/ckpt/store"
)

// RuncConf is the CRIU configuration file runc 1.1 hands to CRIU for every
// checkpoint and restore of a container without an org.criu.config
// annotation (Docker 20.10 cannot set annotations), and the lock that
// serialises ckpt restores, which share it. Its settings override the ones
// runc sends over RPC. The zero value is the real file; tests point it
// elsewhere.
type RuncConf struct {
	Path string // "" for /etc/criu/runc.conf
	Lock string // "" for /run/ckpt-runc-conf.lock
}

func (rc RuncConf) paths() (conf, lock string) {
	conf, lock = rc.Path, rc.Lock
	if conf == "" {
		conf = "/etc/criu/runc.conf"
	}
	if lock == "" {
		lock = "/run/ckpt-runc-conf.lock"
	}
	return conf, lock
}

// Settings are what one restore needs beyond what every restore gets:
// CRIU settings, and the form of the placed copy's network namespace.
type Settings struct {
	// FileLocks: the checkpoint was dumped with --file-locks.
	FileLocks bool
	// MntnsCompat makes CRIU rebuild the mounts with its older engine
	// (mntns-compat-mode). For a container run with --init: the engine
	// binds its init from a path that is a symlink on Debian
	// (/usr/bin/docker-init -> tini-static), and CRIU 4.2's mount-v2 opens
	// an external mount's source without following symlinks
	// (open_tree(AT_SYMLINK_NOFOLLOW)), so the restore fails with "Can't
	// remount .../mnt-NNN with MS_PRIVATE: No such file or directory".
	MntnsCompat bool
	// NetNS, if set, is the network namespace form ("empty", "external")
	// the placed checkpoint is converted to for this engine
	// (netConversion); "" places it as dumped.
	NetNS string
}

// settingsFor is what a restore of this checkpoint needs.
func settingsFor(entry store.Entry, meta *store.Meta) Settings {
	return Settings{FileLocks: entry.FileLocks, MntnsCompat: recordedInit(meta)}
}

// with runs start while runc.conf holds ckpt's restore settings.
func (rc RuncConf) with(logPath string, set Settings, start func() error) error {
	return rc.WithLines(restoreLines(logPath, set), start)
}

// runcConfMarker starts the lines ckpt adds; everything before it is the
// file as the administrator wrote it, so a ckpt killed mid-restore leaves a
// file the next restore repairs.
const runcConfMarker = "# ckpt restore: temporary lines, removed when the restore ends"

// restoreConf is what ckpt adds to runc.conf for one restore: tcp-close,
// because the engine restores into a new network namespace where an
// established connection's addresses and peer are gone (CRIU would fail
// with "type NOTIFY errno 0"); the server's listening sockets come back and
// its established connections come back closed, as podman's --tcp-close
// does. log-file puts CRIU's restore log where it outlives a failed start
// (the engine's own copy is deleted with the task). file-locks, for a
// checkpoint dumped with them: CRIU restores file locks only when told to,
// and silently drops them otherwise (the engine never tells it).
// mntns-compat-mode when the settings ask for it (see Settings).
func restoreConf(original, logPath string, set Settings) string {
	return withConf(original, restoreLines(logPath, set))
}

func restoreLines(logPath string, set Settings) []string {
	lines := []string{"tcp-close", "log-file " + logPath}
	if set.FileLocks {
		lines = append(lines, "file-locks")
	}
	if set.MntnsCompat {
		lines = append(lines, "mntns-compat-mode")
	}
	return lines
}

// withConf is original with ckpt's marked block of lines after it.
func withConf(original string, lines []string) string {
	var b strings.Builder
	if original != "" {
		b.WriteString(original)
		if !strings.HasSuffix(original, "\n") {
			b.WriteString("\n")
		}
	}
	fmt.Fprintf(&b, "%s\n", runcConfMarker)
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	return b.String()
}

// stripRestoreConf returns content without the lines a ckpt restore added.
func stripRestoreConf(content string) string {
	if i := strings.Index(content, runcConfMarker); i >= 0 {
		return content[:i]
	}
	return content
}
