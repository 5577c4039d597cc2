package archive

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/ckpt/ckpt/engine"
	"github.com/ckpt/ckpt/progress"
	"github.com/ckpt/ckpt/store"
)

// ExportOptions says what goes into an archive besides the checkpoint.
type ExportOptions struct {
	Folder       string      // the checkpoint folder
	Compression  Compression // zstd, gzip or none
	IgnoreRootfs bool        // leave out the container's filesystem changes
	WithVolumes  bool        // add the contents of its volumes
	WithImage    bool        // add its image (docker save)
	TmpDir       string      // where the tars made from the engine's answers are spooled; "" for the system's
	// Progress shows each part's phase and the bytes written of it, the
	// checkpoint's against its size on disk; nil for none.
	Progress *progress.Meter
}

// Exported says what an export wrote.
type Exported struct {
	Bytes      int64    `json:"bytes"`      // the archive's size as written
	Changed    int      `json:"changed"`    // files and folders in rootfs-diff.tar
	Deleted    int      `json:"deleted"`    // paths in deleted.files
	Volumes    []string `json:"volumes"`    // volumes added
	Image      string   `json:"image"`      // image added, "" if none
	Checkpoint int64    `json:"checkpoint"` // bytes of CRIU's images
}

// Export writes the checkpoint folder o.Folder as one archive to out. The
// container's filesystem changes (unless IgnoreRootfs) and volumes are read
// from the engine now, so the container must still exist for them.
func Export(ctx context.Context, eng engine.Engine, out io.Writer, o ExportOptions) (*Exported, error) {
	if err := store.Complete(o.Folder); err != nil {
		return nil, err
	}
	meta, err := store.ReadMeta(o.Folder)
	if err != nil {
		return nil, err
	}
	var ctr *engine.Container
	if !o.IgnoreRootfs || o.WithVolumes {
		if ctr, err = eng.Container(ctx, meta.ID); errors.Is(err, engine.ErrNotFound) {
			return nil, fmt.Errorf("container %s (%.12s) of checkpoint %s is gone, so its filesystem changes and volumes cannot be read; export with --ignore-rootfs (and without --with-volumes): %w",
				meta.Name, meta.ID, o.Folder, err)
		} else if err != nil {
			return nil, err
		}
	}
	recs, err := PodmanRecords(meta, BundleSpec(meta))
	if err != nil {
		return nil, err
	}
	record, err := withLayers(ctx, eng, meta)
	if err != nil {
		return nil, err
	}
	cw := &countingWriter{w: out}
	w, err := newWriter(cw, o.Compression, o.Progress)
	if err != nil {
		return nil, err
	}
	res := &Exported{}
	size, err := store.DirSize(o.Folder)
	if err != nil {
		return nil, fmt.Errorf("size of checkpoint %s: %w", o.Folder, err)
	}
	steps := []func() error{
		o.phase("exporting checkpoint "+meta.Checkpoint, size),
		func() error { return w.AddBytes(ConfigDumpFile, recs.Config) },
		func() error { return w.AddBytes(SpecDumpFile, recs.Spec) },
		func() error { return w.AddBytes(NetworkStatusFile, recs.Network) },
		func() error { return w.AddFolder(o.Folder, map[string][]byte{MetaFile: record}) },
	}
	if !o.IgnoreRootfs {
		steps = append(steps, o.phase("exporting filesystem changes", 0), func() error { return addRootfs(ctx, eng, w, ctr, o.TmpDir, res) })
	}
	if o.WithVolumes {
		steps = append(steps, o.phase("exporting volumes", 0), func() error { return addVolumes(ctx, eng, w, ctr, o.TmpDir, res) })
	}
	if o.WithImage {
		steps = append(steps, o.phase("exporting image "+meta.Image, 0), func() error { return addImage(ctx, eng, w, meta, o.TmpDir, res) })
	}
	steps = append(steps, w.Close)
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	res.Bytes = cw.n
	res.Checkpoint = size
	return res, nil
}

// phase is a step that starts a phase of the export's progress.
func (o ExportOptions) phase(name string, total int64) func() error {
	return func() error {
		o.Progress.Phase(name, total)
		return nil
	}
}

// withLayers is container.json as the archive carries it: with the
// image's layer digests, by which another engine finds the image under its
// own ID. An image the engine no longer has leaves them out.
func withLayers(ctx context.Context, eng engine.Engine, m *store.Meta) ([]byte, error) {
	if len(m.ImageLayers) == 0 && m.ImageID != "" {
		if img, err := eng.Image(ctx, m.ImageID); err == nil {
			m.ImageLayers = img.Layers
		}
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", MetaFile, err)
	}
	return append(b, '\n'), nil
}

// addRootfs writes deleted.files and rootfs-diff.tar from the engine's
// list of changes of the container's writable layer (not its mount
// points), reading each changed path through its archive API.
func addRootfs(ctx context.Context, eng engine.Engine, w *Writer, ctr *engine.Container, tmp string, res *Exported) error {
	id := ctr.ID
	changes, err := eng.Changes(ctx, id)
	if err != nil {
		return fmt.Errorf("rootfs diff: %w", err)
	}
	deleted, changed := SplitChanges(engine.LayerChanges(changes, ctr.Mounts))
	b, err := json.Marshal(deleted)
	if err != nil {
		return err
	}
	if err := w.AddBytes(DeletedFilesFile, b); err != nil {
		return err
	}
	res.Deleted = len(deleted)
	return w.AddSpooled(RootfsDiffTar, tmp, func(f io.Writer) error {
		tw := tar.NewWriter(f)
		for _, p := range changed {
			ok, err := copyEntry(ctx, eng, tw, id, p)
			if err != nil {
				return err
			}
			if ok {
				res.Changed++
			}
		}
		return tw.Close()
	})
}

// SplitChanges returns the deleted paths and the changed or added ones,
// each sorted (a folder before what is in it).
func SplitChanges(changes []engine.Change) (deleted, changed []string) {
	deleted, changed = []string{}, []string{}
	for _, c := range changes {
		if c.Kind == engine.Deleted {
			deleted = append(deleted, c.Path)
		} else {
			changed = append(changed, c.Path)
		}
	}
	sort.Strings(deleted)
	sort.Strings(changed)
	return deleted, changed
}

// copyEntry adds path p of the container, itself and not what is below
// it, to tw under its path without the leading slash. A path gone since
// the engine listed it is skipped (false); so are devices, which a
// checkpoint archive does not carry.
func copyEntry(ctx context.Context, eng engine.Engine, tw *tar.Writer, id, p string) (bool, error) {
	rc, err := eng.CopyFrom(ctx, id, p)
	if errors.Is(err, engine.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("rootfs diff: %w", err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	h, err := tr.Next()
	if err != nil {
		return false, fmt.Errorf("rootfs diff: read %s of %s: %w", p, id, err)
	}
	switch h.Typeflag {
	case tar.TypeChar, tar.TypeBlock:
		return false, nil
	case tar.TypeDir:
		h.Size = 0
	}
	h.Name = strings.TrimPrefix(path.Clean(p), "/")
	if h.Typeflag == tar.TypeDir {
		h.Name += "/"
	}
	if err := tw.WriteHeader(h); err != nil {
		return false, fmt.Errorf("rootfs diff: %s: %w", p, err)
	}
	if h.Typeflag == tar.TypeReg {
		if _, err := io.Copy(tw, tr); err != nil {
			return false, fmt.Errorf("rootfs diff: %s: %w", p, err)
		}
	}
	return true, nil
}

// addVolumes writes volumes/<name>.tar for each volume of the container,
// its entries relative to the volume's root.
func addVolumes(ctx context.Context, eng engine.Engine, w *Writer, c *engine.Container, tmp string, res *Exported) error {
	for _, v := range c.Volumes {
		err := w.AddSpooled(VolumeMember(v.Name), tmp, func(f io.Writer) error {
			rc, err := eng.CopyFrom(ctx, c.ID, v.Destination)
			if err != nil {
				return err
			}
			defer rc.Close()
			return reroot(tar.NewReader(rc), tar.NewWriter(f), path.Base(v.Destination))
		})
		if err != nil {
			return fmt.Errorf("volume %s at %s: %w", v.Name, v.Destination, err)
		}
		res.Volumes = append(res.Volumes, v.Name)
	}
	return nil
}

// reroot copies a tar whose entries sit under top/ to tw with top/ cut
// off, leaving out top itself.
func reroot(tr *tar.Reader, tw *tar.Writer, top string) error {
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return tw.Close()
		}
		if err != nil {
			return err
		}
		rest, ok := strings.CutPrefix(strings.TrimPrefix(h.Name, "./"), top+"/")
		if !ok || rest == "" {
			continue
		}
		h.Name = rest
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if _, err := io.Copy(tw, tr); err != nil {
			return err
		}
	}
}

// addImage writes image.tar: the image by its recorded name when that
// still names it (docker load then tags it again), else by ID.
func addImage(ctx context.Context, eng engine.Engine, w *Writer, m *store.Meta, tmp string, res *Exported) error {
	ref := m.ImageID
	if img, err := eng.Image(ctx, m.Image); err == nil && (m.ImageID == "" || img.ID == m.ImageID) {
		ref = m.Image
	}
	err := w.AddSpooled(ImageTar, tmp, func(f io.Writer) error {
		rc, err := eng.SaveImage(ctx, ref)
		if err != nil {
			return err
		}
		defer rc.Close()
		_, err = io.Copy(f, rc)
		return err
	})
	if err != nil {
		return fmt.Errorf("image %s: %w", ref, err)
	}
	res.Image = ref
	return nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
