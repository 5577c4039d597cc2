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

// Leftover is a hidden folder or file a dump or removal left in the store:
// a partial dump (".NAME.partial-*"), an interrupted removal
// (".NAME.removing-*"), a checkpoint moved aside by --force ("*.old") or a
// failed dump's log (".NAME.failed-*.log"). `ckpt list --all` shows them.
type Leftover struct {
	Container string `json:"container"`
	Path      string `json:"path"`
	Kind      string `json:"kind"`            // partial, removing, replaced, failed-log
	Size      int64  `json:"size"`            // bytes
	Owner     int    `json:"owner,omitempty"` // pid of the ckpt still writing it
	Problem   string `json:"problem,omitempty"`
}

// leftoverKind names what a hidden entry of a container's folder is, or ""
// when it is none of ckpt's.
func leftoverKind(name string) string {
	switch {
	case !strings.HasPrefix(name, "."):
		return ""
	case strings.Contains(name, ".partial-") && strings.HasSuffix(name, ".old"):
		return "replaced"
	case strings.Contains(name, ".partial-"):
		return "partial"
	case strings.Contains(name, ".removing-"):
		return "removing"
	case strings.Contains(name, ".failed-"):
		return "failed-log"
	}
	return ""
}

// Sweep removes the partial dumps in the store whose ckpt is gone (killed
// before it could clean up: its recorded pid runs no more, or is another
// process now), and returns what is left: dumps in progress, failed dumps'
// logs, and anything it could not remove, with why. A partial folder that
// records a freeze (FreezeFile) is handed to heal first, and kept if heal
// fails or is nil. A store that does not exist has nothing left.
func (s Store) Sweep(heal Healer) ([]Leftover, error) {
	return s.sweep(procStart, heal)
}

func (s Store) sweep(start func(int) (uint64, error), heal Healer) ([]Leftover, error) {
	des, err := os.ReadDir(s.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read checkpoint folder %s: %w", s.Dir, err)
	}
	var left []Leftover
	for _, de := range des {
		if !de.IsDir() || strings.HasPrefix(de.Name(), ".") {
			continue
		}
		parent := filepath.Join(s.Dir, de.Name())
		entries, err := os.ReadDir(parent)
		if err != nil {
			left = append(left, Leftover{Container: de.Name(), Path: parent, Kind: "unreadable", Problem: err.Error()})
			continue
		}
		for _, e := range entries {
			kind := leftoverKind(e.Name())
			if kind == "" {
				continue
			}
			l := Leftover{Container: de.Name(), Path: filepath.Join(parent, e.Name()), Kind: kind}
			if kind == "partial" {
				if done := sweepPartial(&l, start, heal); done {
					continue
				}
			}
			l.Size, _ = DirSize(l.Path)
			left = append(left, l)
		}
	}
	sort.SliceStable(left, func(i, j int) bool { return left[i].Path < left[j].Path })
	return left, nil
}

// sweepPartial removes the partial folder l when its owner is gone, after
// healing the freeze it records, and reports true; otherwise it notes in l
// who owns it or why it stays.
func sweepPartial(l *Leftover, start func(int) (uint64, error), heal Healer) bool {
	o, err := readOwner(l.Path)
	if errors.Is(err, fs.ErrNotExist) && justMade(l.Path) {
		return false // a dump writes its owner just after it makes the folder
	}
	if err != nil {
		l.Problem = fmt.Sprintf("no owner recorded (%v): remove it by hand once no ckpt dump runs", err)
		return false
	}
	if o.Alive(start) {
		l.Owner = o.PID
		return false
	}
	if f, err := readFreeze(l.Path); !errors.Is(err, fs.ErrNotExist) {
		switch {
		case err != nil:
			l.Problem = fmt.Sprintf("its ckpt (pid %d) is gone and its record of a frozen cgroup is unreadable (%v): check that the container's freezer.state is THAWED, then remove the folder", o.PID, err)
			return false
		case heal == nil:
			l.Problem = fmt.Sprintf("its ckpt (pid %d) was killed while %s was frozen: run `ckpt list` to thaw it", o.PID, f.Cgroup)
			return false
		}
		if err := heal(f); err != nil {
			l.Problem = fmt.Sprintf("its ckpt (pid %d) was killed while %s was frozen, and it could not be thawed: %v", o.PID, f.Cgroup, err)
			return false
		}
	}
	if err := os.RemoveAll(l.Path); err != nil {
		l.Problem = fmt.Sprintf("its ckpt (pid %d) is gone, but it could not be removed: %v", o.PID, err)
		return false
	}
	return true
}

// justMade reports whether the folder was made in the last few seconds.
func justMade(dir string) bool {
	fi, err := os.Stat(dir)
	return err == nil && time.Since(fi.ModTime()) < 10*time.Second
}
