package restore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/ckpt/ckpt/archive"
	"github.com/ckpt/ckpt/engine"
	"github.com/ckpt/ckpt/progress"
	"github.com/ckpt/ckpt/store"
)

// ImportRequest is what `ckpt restore --import` asks for.
type ImportRequest struct {
	// Archive is the archive's stream. When it is a regular file (Seeker),
	// its whole structure is checked in a first pass, before anything is
	// written; a pipe is checked member by member as it is extracted into
	// a hidden folder, which is removed if any member fails.
	Archive io.Reader
	Dir     string   // store folder the checkpoint is extracted into
	As      string   // the new container's name; "" for the recorded one
	Publish []string // --publish values, replacing the recorded port bindings

	RuncConf RuncConf
	Timeout  time.Duration // bound on the engine's start, as Request's
	// Progress shows the check and the extraction (bytes of the archive
	// read, against its size when it is a file), then the restore's
	// phases; nil for none.
	Progress *progress.Meter
}

// Imported is a container restored from an archive.
type Imported struct {
	*Result
	Changed bool     `json:"rootfs_diff"` // a rootfs diff was applied
	Deleted int      `json:"deleted"`     // files deleted again
	Volumes []string `json:"volumes"`     // volumes filled from the archive
	Loaded  bool     `json:"image_loaded"`
}

// Import extracts the archive into the store as a checkpoint of the new
// container, creates that container from the recorded configuration
// (loading the archive's image if the engine lacks it), applies the
// rootfs diff and the volumes, and restores it through Run. A failed
// import leaves no container and no folder behind.
func Import(ctx context.Context, eng engine.Engine, r ImportRequest) (*Imported, error) {
	size := regularSize(r.Archive)
	if err := os.MkdirAll(r.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("make checkpoint folder %s: %w", r.Dir, err)
	}
	room, err := extractRoom(r.Dir)
	if err != nil {
		return nil, err
	}
	if seeker, ok := r.Archive.(io.ReadSeeker); ok && size >= 0 {
		r.Progress.Phase("checking archive", size)
		m, err := archive.Check(r.Progress.Reader(seeker))
		if err != nil {
			return nil, err
		}
		if room > 0 && m.Size > room {
			return nil, fmt.Errorf("%w: it holds %s, and %s has room for %s; free some space there or import into another --dir",
				archive.ErrNoRoom, progress.Bytes(m.Size), r.Dir, progress.Bytes(room))
		}
		if err := r.precheck(ctx, eng, m); err != nil {
			return nil, err
		}
		if _, err := seeker.Seek(0, io.SeekStart); err != nil {
			return nil, fmt.Errorf("read the archive again: %w", err)
		}
	}
	staging, err := os.MkdirTemp(r.Dir, ".import-")
	if err != nil {
		return nil, fmt.Errorf("make a private folder in %s: %w", r.Dir, err)
	}
	defer os.RemoveAll(staging)
	t := archive.Target{Folder: filepath.Join(staging, "checkpoint"), Extras: filepath.Join(staging, "extras"), Limit: room}
	for _, d := range []string{t.Folder, t.Extras} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return nil, fmt.Errorf("make %s: %w", d, err)
		}
	}
	r.Progress.Phase("extracting archive", max(size, 0))
	m, err := archive.Extract(r.Progress.Reader(r.Archive), t)
	if errors.Is(err, archive.ErrNoRoom) {
		return nil, fmt.Errorf("%w (in %s); free some space there or import into another --dir", err, r.Dir)
	}
	if err != nil {
		return nil, err
	}
	if err := r.precheck(ctx, eng, m); err != nil {
		return nil, err
	}
	out := &Imported{}
	id, ok := localImage(ctx, eng, m.Meta)
	if !ok {
		if err := loadImage(ctx, eng, filepath.Join(t.Extras, archive.ImageTar)); err != nil {
			return nil, fmt.Errorf("load the image %s of %s from the archive: %w", m.Meta.Image, m.Meta.Name, err)
		}
		out.Loaded = true
		if id, ok = localImage(ctx, eng, m.Meta); !ok {
			return nil, fmt.Errorf("%w: the engine loaded the archive's image, but no image of it is %s (%s)", ErrImageMismatch, m.Meta.Image, short(m.Meta.ImageID))
		}
	}
	if id != m.Meta.ImageID {
		// The same image under this engine's own ID: the checkpoint is
		// restored against that.
		m.Meta.ImageID = id
		if err := store.WriteMeta(t.Folder, m.Meta); err != nil {
			return nil, err
		}
	}
	rt, err := runtimeHere(ctx, eng, m.Meta.Runtime)
	if err != nil {
		return nil, err
	}
	name := r.target(m.Meta)
	entry, err := adopt(store.Store{Dir: r.Dir}, t.Folder, name, m.Meta.Checkpoint)
	if err != nil {
		return nil, err
	}
	req := Request{
		Container: name, Name: m.Meta.Checkpoint, Dir: r.Dir, As: name, Publish: r.Publish, RuncConf: r.RuncConf, Timeout: r.Timeout, runtime: rt, Progress: r.Progress,
		prepare: func(ctx context.Context, id string) error { return out.apply(ctx, eng, id, t.Extras, m) },
		started: func(ctx context.Context, id string) error { return out.deleteAgain(ctx, eng, id, m.Deleted) },
	}
	res, err := Run(ctx, eng, req)
	if err != nil {
		os.RemoveAll(entry)
		return nil, fmt.Errorf("import %s: %w\nckpt removed the checkpoint it had extracted (%s)", m.Meta.Name, err, entry)
	}
	out.Result = res
	return out, nil
}

// precheck refuses an archive whose container cannot be made here, before
// anything is created: a name in use, or an image the engine lacks and the
// archive does not carry.
func (r ImportRequest) precheck(ctx context.Context, eng engine.Engine, m *archive.Manifest) error {
	name := r.target(m.Meta)
	if err := ValidContainerName(name); err != nil {
		return err
	}
	if err := store.ValidName("checkpoint name", m.Meta.Checkpoint); err != nil {
		return fmt.Errorf("%w: %w", archive.ErrRejected, err)
	}
	if _, err := eng.Container(ctx, name); err == nil {
		return fmt.Errorf("%w: %s exists; import under another name with --as NEWNAME, or remove it (docker rm -f %s)", ErrNameTaken, name, name)
	} else if !errors.Is(err, engine.ErrNotFound) {
		return fmt.Errorf("%w (is dockerd running?)", err)
	}
	if _, ok := localImage(ctx, eng, m.Meta); !ok && !m.Image {
		return fmt.Errorf("%w: image %s (%s) of %s is not on this engine and the archive does not carry it; load it (docker load) first, or export with --with-image",
			ErrImageMismatch, m.Meta.Image, short(m.Meta.ImageID), m.Meta.Name)
	}
	return nil
}

// runtimeHere returns "" when this engine knows the recorded OCI runtime,
// else "runc" if it has that: engines name their runtimes as they are
// configured (Engine 29 here calls its runc "runc-1.3"), and CRIU's images
// do not depend on the runc that made them.
func runtimeHere(ctx context.Context, eng engine.Engine, recorded string) (string, error) {
	info, err := eng.Info(ctx)
	if err != nil {
		return "", err
	}
	switch {
	case recorded == "" || len(info.Runtimes) == 0 || slices.Contains(info.Runtimes, recorded):
		return "", nil
	case slices.Contains(info.Runtimes, "runc"):
		return "runc", nil
	}
	return "", fmt.Errorf("the checkpoint ran under OCI runtime %s, which this engine does not have (it has %v)", recorded, info.Runtimes)
}

func (r ImportRequest) target(m *store.Meta) string {
	if r.As != "" {
		return r.As
	}
	return m.Name
}

// localImage finds the checkpoint's image on this engine, by its recorded
// name or ID, and returns the ID the engine knows it by: the recorded ID,
// or on an engine whose image store names images otherwise (Engine 29's
// containerd store) the ID of the image with the recorded layers.
func localImage(ctx context.Context, eng engine.Engine, m *store.Meta) (string, bool) {
	for _, ref := range []string{m.Image, m.ImageID} {
		if ref == "" {
			continue
		}
		img, err := eng.Image(ctx, ref)
		if err != nil {
			continue
		}
		if img.ID == m.ImageID || (len(m.ImageLayers) > 0 && slices.Equal(img.Layers, m.ImageLayers)) {
			return img.ID, true
		}
	}
	return "", false
}

// adopt moves the extracted folder into the store as checkpoint name of
// container, through the store's own commit, and returns its path.
func adopt(s store.Store, folder, container, name string) (string, error) {
	p, err := s.Begin(container, name, false)
	if err != nil {
		return "", err
	}
	// The extracted folder takes the pending folder's place, with its
	// owner record, so that a ckpt killed here leaves a partial folder the
	// next command sweeps.
	err = os.Rename(filepath.Join(p.Dir, store.OwnerFile), filepath.Join(folder, store.OwnerFile))
	if err == nil {
		err = os.Remove(p.Dir)
	}
	if err == nil {
		err = os.Rename(folder, p.Dir)
	}
	if err == nil {
		err = store.Complete(p.Dir)
	}
	if err == nil {
		err = p.Commit()
	}
	if err != nil {
		p.Abort()
		return "", fmt.Errorf("put the imported checkpoint in %s: %w", s.Dir, err)
	}
	return p.Final(), nil
}

// apply fills the new, stopped container: the rootfs diff at its root and
// each volume at its mount point, through the engine.
func (out *Imported) apply(ctx context.Context, eng engine.Engine, id, extras string, m *archive.Manifest) error {
	if m.RootfsDiff {
		if err := copyInto(ctx, eng, id, "/", filepath.Join(extras, archive.RootfsDiffTar)); err != nil {
			return fmt.Errorf("apply the rootfs diff: %w", err)
		}
		out.Changed = true
	}
	if len(m.Volumes) == 0 {
		return nil
	}
	c, err := eng.Container(ctx, id)
	if err != nil {
		return err
	}
	for _, v := range m.Volumes {
		dest := ""
		for _, cv := range c.Volumes {
			if cv.Name == v {
				dest = cv.Destination
			}
		}
		if dest == "" {
			return fmt.Errorf("the archive carries volume %s, which the new container does not mount", v)
		}
		if err := copyInto(ctx, eng, id, dest, filepath.Join(extras, filepath.FromSlash(archive.VolumeMember(v)))); err != nil {
			return fmt.Errorf("fill volume %s at %s: %w", v, dest, err)
		}
		out.Volumes = append(out.Volumes, v)
	}
	return nil
}

func copyInto(ctx context.Context, eng engine.Engine, id, dir, tarPath string) error {
	f, err := os.Open(tarPath)
	if err != nil {
		return err
	}
	defer f.Close()
	return eng.CopyTo(ctx, id, dir, f)
}

// deleteAgain removes, in the restored container's root, the image's files
// that the container had deleted.
func (out *Imported) deleteAgain(ctx context.Context, eng engine.Engine, id string, paths []string) error {
	if len(paths) == 0 {
		return nil
	}
	c, err := eng.Container(ctx, id)
	if err != nil {
		return err
	}
	n, err := archive.RemoveIn(c.State.Pid, paths)
	out.Deleted = n
	if err != nil {
		return fmt.Errorf("delete the files the container had deleted: %w", err)
	}
	return nil
}

// regularSize is the size of r when it is a regular file, else -1 (a
// pipe, standard input from one, or not a file).
func regularSize(r io.Reader) int64 {
	f, ok := r.(*os.File)
	if !ok {
		return -1
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return -1
	}
	return st.Size()
}

func loadImage(ctx context.Context, eng engine.Engine, p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	return eng.LoadImage(ctx, f)
}
