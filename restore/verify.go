package restore

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/ckpt/ckpt/engine"
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

// CheckImage compares the checkpoint's image with the target container's.
func CheckImage(m *store.Meta, target, targetImageID string) error {
	if m.ImageID == "" || targetImageID == m.ImageID {
		return nil
	}
	return fmt.Errorf("%w: %s runs image %s, the checkpoint %s was made from %s (%s); restore with --as NEWNAME to create a container from the recorded image",
		ErrImageMismatch, target, short(targetImageID), m.Checkpoint, short(m.ImageID), m.Image)
}

// CheckInit compares the checkpoint's init with the target's: a container
// run with --init has the engine's docker-init as PID 1 and bound at
// /sbin/docker-init, and a restore must have the same (the checkpointed
// processes include docker-init, or do not).
func CheckInit(m *store.Meta, target *engine.Container) error {
	had := recordedInit(m)
	switch {
	case had == target.Init:
		return nil
	case had:
		return fmt.Errorf("%w: the checkpoint %s is of a container run with --init (docker-init as PID 1, bound at %s), and %s runs without it; create it with --init, or restore with --as NEWNAME, which copies the setting from the checkpoint",
			ErrMountMismatch, m.Checkpoint, engine.InitPath, target.Name)
	default:
		return fmt.Errorf("%w: %s runs with --init (docker-init as PID 1), and the checkpoint %s is of a container without it; create it without --init, or restore with --as NEWNAME",
			ErrMountMismatch, target.Name, m.Checkpoint)
	}
}

// recordedInit says whether the checkpointed container ran with --init, as
// its recorded inspect view says, or, for a checkpoint without one, as its
// mounts show.
func recordedInit(m *store.Meta) bool {
	if rec, err := engine.FromRecord(m.Engine); err == nil {
		return rec.Init
	}
	for _, d := range m.Mounts {
		if d.Mountpoint == engine.InitPath {
			return true
		}
	}
	return false
}

// CheckMounts compares the checkpoint's mounts with the volume and bind
// destinations of the target container. Each external mount of the
// checkpoint must be there (runc binds it again under the same key, or CRIU
// fails with "No mapping for ... mountpoint"), unless the engine mounts it
// by itself at start (target.Provides: its /etc files, /dev/shm, docker-init
// for --init, ...); and each of the target's volumes and binds must have
// been in the checkpoint, or the restored processes would not see it.
func CheckMounts(m *store.Meta, target *engine.Container) error {
	have := map[string]bool{}
	for _, d := range target.Mounts {
		have[d] = true
	}
	had := map[string]bool{}
	var missing, extra []string
	for _, d := range m.Mounts {
		had[d.Mountpoint] = true
		if d.Action == mountscan.ActionExternal && !have[d.Mountpoint] && !target.Provides(d.Mountpoint) {
			missing = append(missing, d.Mountpoint)
		}
	}
	for _, d := range target.Mounts {
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
		parts = append(parts, "the checkpoint has external mounts at "+strings.Join(missing, ", ")+" that "+target.Name+" lacks")
	}
	if len(extra) > 0 {
		parts = append(parts, target.Name+" mounts "+strings.Join(extra, ", ")+" that the checkpoint did not have")
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
