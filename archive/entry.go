package archive

import (
	"os"
	"path/filepath"
	"time"

	"github.com/ckpt/ckpt/store"
)

// Entry describes the archive at path as `ckpt list` shows a checkpoint
// folder, from its container.json or, in podman's archives, config.dump.
func Entry(path string) (store.Entry, error) {
	u, err := UnpackImages(path)
	if err != nil {
		return store.Entry{}, err
	}
	defer u.Remove()
	e := store.Entry{Path: path}
	var made time.Time
	if st, err := os.Stat(path); err == nil {
		e.Size, made = st.Size(), st.ModTime()
	}
	e.Processes, _ = store.CountProcesses(filepath.Join(u.Dir, "pstree.img"))
	switch m := u.Manifest; {
	case m.Meta != nil:
		e.Container, e.Name, e.Created = m.Meta.Name, m.Meta.Checkpoint, m.Meta.Timestamp
		e.Stopped, e.ImageID, e.ContainerID, e.FileLocks = !m.Meta.LeaveRunning, m.Meta.ImageID, m.Meta.ID, m.Meta.FileLocks
	case m.Podman != nil:
		e.Container, e.Name, e.Created = m.Podman.Name, filepath.Base(path), m.Podman.CheckpointedAt
		e.ImageID, e.ContainerID = m.Podman.RootfsImage, m.Podman.ID
		if e.Created.IsZero() {
			e.Created = made // podman 4.3 records no checkpoint time
		}
	}
	return e, nil
}
