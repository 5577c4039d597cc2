package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Entry is one complete checkpoint in a store, as `ckpt list` shows it.
type Entry struct {
	Container   string    `json:"container"`
	Name        string    `json:"checkpoint"`
	Path        string    `json:"path"`
	Created     time.Time `json:"created"`
	Size        int64     `json:"size"`
	Processes   int       `json:"processes"` // entries of pstree.img; 0 if it cannot be read
	Stopped     bool      `json:"stopped"`   // the dump stopped the container (--leave-running=false)
	ImageID     string    `json:"image_id"`
	ContainerID string    `json:"container_id"`
	FileLocks   bool      `json:"file_locks"` // dumped with --file-locks: restore must say so too
}

// List returns the complete checkpoints under the store, of one container
// or (container "") of all, oldest first within a container. Hidden folders
// (partial and failed dumps) and folders that are not complete checkpoints
// (no container.json, inventory.img or pstree.img, or an unreadable
// container.json) are skipped: they are not checkpoints. A store that does
// not exist yet holds none.
func (s Store) List(container string) ([]Entry, error) {
	var containers []string
	if container != "" {
		if err := ValidName("container name", container); err != nil {
			return nil, err
		}
		containers = []string{container}
	} else {
		des, err := os.ReadDir(s.Dir)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read checkpoint folder %s: %w", s.Dir, err)
		}
		for _, de := range des {
			if de.IsDir() && !strings.HasPrefix(de.Name(), ".") {
				containers = append(containers, de.Name())
			}
		}
	}
	var out []Entry
	for _, c := range containers {
		es, err := s.listContainer(c)
		if err != nil {
			return nil, err
		}
		out = append(out, es...)
	}
	return out, nil
}

func (s Store) listContainer(container string) ([]Entry, error) {
	parent := filepath.Join(s.Dir, container)
	des, err := os.ReadDir(parent)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read checkpoints of %s in %s: %w", container, parent, err)
	}
	var out []Entry
	for _, de := range des {
		if !de.IsDir() || strings.HasPrefix(de.Name(), ".") {
			continue
		}
		e, ok := readEntry(container, filepath.Join(parent, de.Name()))
		if ok {
			out = append(out, e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// readEntry describes the checkpoint in dir, or reports false when dir is
// not a complete checkpoint.
func readEntry(container, dir string) (Entry, bool) {
	if Complete(dir) != nil {
		return Entry{}, false
	}
	m, err := ReadMeta(dir)
	if err != nil {
		return Entry{}, false
	}
	e := Entry{
		Container: container, Name: filepath.Base(dir), Path: dir,
		Created: m.Timestamp, Stopped: !m.LeaveRunning,
		ImageID: m.ImageID, ContainerID: m.ID, FileLocks: m.FileLocks,
	}
	e.Size, _ = DirSize(dir)
	e.Processes, _ = CountProcesses(filepath.Join(dir, "pstree.img"))
	return e, true
}

// Newest returns the most recent complete checkpoint of container, or an
// error wrapping ErrNotFound that says where it looked.
func (s Store) Newest(container string) (Entry, error) {
	es, err := s.List(container)
	if err != nil {
		return Entry{}, err
	}
	if len(es) == 0 {
		return Entry{}, fmt.Errorf("%w: %s has no complete checkpoint in %s (make one with `ckpt dump %s`, or give --dir)",
			ErrNotFound, container, filepath.Join(s.Dir, container), container)
	}
	return es[len(es)-1], nil
}

// Get returns the named checkpoint of container if it is complete.
func (s Store) Get(container, name string) (Entry, error) {
	if err := ValidName("container name", container); err != nil {
		return Entry{}, err
	}
	if err := ValidName("checkpoint name", name); err != nil {
		return Entry{}, err
	}
	dir := s.Path(container, name)
	if _, err := os.Stat(dir); err != nil {
		return Entry{}, fmt.Errorf("%w: %s of %s (looked in %s; `ckpt list %s` shows what there is)",
			ErrNotFound, name, container, dir, container)
	}
	if err := Complete(dir); err != nil {
		return Entry{}, fmt.Errorf("checkpoint %s of %s: %w", name, container, err)
	}
	e, ok := readEntry(container, dir)
	if !ok {
		return Entry{}, fmt.Errorf("checkpoint %s of %s: %w: %s cannot be read", name, container, ErrIncomplete, filepath.Join(dir, MetaFile))
	}
	return e, nil
}

// Pick returns checkpoint name of container, or with name "" its newest
// complete one.
func (s Store) Pick(container, name string) (Entry, error) {
	if name == "" {
		return s.Newest(container)
	}
	return s.Get(container, name)
}
