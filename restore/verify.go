package restore

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/ckpt/ckpt/mountscan"
	"github.com/ckpt/ckpt/store"
)

var (
	// ErrRunning is returned for an in-place restore of a running container.
	ErrRunning = errors.New("container is running")
	// ErrImageMismatch is returned when the target container was created
	// from another image than the checkpointed one.
	ErrImageMismatch = errors.New("image does not match the checkpoint")
	// ErrMountMismatch is returned when the target container's mounts are
	// not the ones the checkpoint's processes had.
	ErrMountMismatch = errors.New("mounts do not match the checkpoint")
)

// engineProvided reports whether Docker gives every container a mount at
// dest by itself (its /etc files, /dev/shm, the cgroup controllers, and the
// masked /proc and /sys paths), so a target has it without asking.
func engineProvided(dest string) bool {
	switch dest {
	case "/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/dev/shm":
		return true
	}
	return strings.HasPrefix(dest, "/sys/fs/cgroup/") || strings.HasPrefix(dest, "/proc/") || strings.HasPrefix(dest, "/sys/")
}

// CheckImage compares the checkpoint's image with the target container's.
func CheckImage(m *store.Meta, target, targetImageID string) error {
	if m.ImageID == "" || targetImageID == m.ImageID {
		return nil
	}
	return fmt.Errorf("%w: %s runs image %s, the checkpoint %s was made from %s (%s); restore with --as NEWNAME to create a container from the recorded image",
		ErrImageMismatch, target, short(targetImageID), m.Checkpoint, short(m.ImageID), m.Image)
}

// CheckMounts compares the checkpoint's mounts with the volume and bind
// destinations of the target container. Each external mount of the
// checkpoint must be there (runc binds it again under the same key, or CRIU
// fails with "No mapping for ... mountpoint"), unless Docker provides it to
// every container; and each of the target's volumes and binds must have been
// in the checkpoint, or the restored processes would not see it.
func CheckMounts(m *store.Meta, target string, targetDests []string) error {
	have := map[string]bool{}
	for _, d := range targetDests {
		have[d] = true
	}
	had := map[string]bool{}
	var missing, extra []string
	for _, d := range m.Mounts {
		had[d.Mountpoint] = true
		if d.Action == mountscan.ActionExternal && !have[d.Mountpoint] && !engineProvided(d.Mountpoint) {
			missing = append(missing, d.Mountpoint)
		}
	}
	for _, d := range targetDests {
		if !had[d] {
			extra = append(extra, d)
		}
	}
	if len(missing) == 0 && len(extra) == 0 {
		return nil
	}
	sort.Strings(missing)
	sort.Strings(extra)
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, "the checkpoint has external mounts at "+strings.Join(missing, ", ")+" that "+target+" lacks")
	}
	if len(extra) > 0 {
		parts = append(parts, target+" mounts "+strings.Join(extra, ", ")+" that the checkpoint did not have")
	}
	return fmt.Errorf("%w: %s; create the container with the same volumes and binds (or restore with --as NEWNAME, which copies them from the checkpoint)",
		ErrMountMismatch, strings.Join(parts, "; "))
}

func short(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
