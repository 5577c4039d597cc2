package imageinfo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	criu_core "github.com/checkpoint-restore/go-criu/v8/crit/images/criu-core"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/fdinfo"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/pstree"
	"google.golang.org/protobuf/proto"
)

// checkpoint reads the images of one checkpoint folder, each at most once.
type checkpoint struct {
	dir  string
	imgs map[string]*Image
}

// openCheckpoint checks that dir looks like a CRIU checkpoint: a folder
// with inventory.img and pstree.img.
func openCheckpoint(dir string) (*checkpoint, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("reading checkpoint: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s: %w: not a folder", dir, ErrNotCheckpoint)
	}
	for _, name := range []string{"inventory.img", "pstree.img"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return nil, fmt.Errorf("%s: %w: %w", dir, ErrNotCheckpoint, err)
		}
	}
	return &checkpoint{dir: dir, imgs: map[string]*Image{}}, nil
}

// image decodes the image called name, and checks its magic.
func (c *checkpoint) image(name, magicName string) (*Image, error) {
	if img, ok := c.imgs[name]; ok {
		return img, nil
	}
	path := filepath.Join(c.dir, name)
	img, err := DecodeFile(path)
	if err != nil {
		return nil, err
	}
	if img.Magic != magicName {
		return nil, &FormatError{Path: path, Offset: -1, Err: fmt.Errorf("magic %s, want %s", img.Magic, magicName)}
	}
	c.imgs[name] = img
	return img, nil
}

// optional is image for images a checkpoint may lack: a missing file gives
// nil and no error.
func (c *checkpoint) optional(name, magicName string) (*Image, error) {
	img, err := c.image(name, magicName)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return img, err
}

// single returns the one entry of an image that must hold exactly one
// (core, mm, ids, fs), as type T.
func single[T proto.Message](c *checkpoint, name, magicName string) (T, error) {
	var zero T
	img, err := c.image(name, magicName)
	if err != nil {
		return zero, err
	}
	path := filepath.Join(c.dir, name)
	if len(img.Entries) != 1 {
		return zero, &FormatError{Path: path, Offset: -1, Err: fmt.Errorf("%d entries, want 1", len(img.Entries))}
	}
	return entryAs[T](img, 0, path)
}

// entryAs returns entry i of img as type T, or an error naming path.
func entryAs[T proto.Message](img *Image, i int, path string) (T, error) {
	v, ok := img.Entries[i].Message.(T)
	if !ok {
		var zero T
		return zero, &FormatError{Path: path, Offset: -1, Err: fmt.Errorf("entry %d is %T, want %T", i, img.Entries[i].Message, zero)}
	}
	return v, nil
}

// all returns every entry of an image as type T.
func all[T proto.Message](c *checkpoint, name, magicName string, optional bool) ([]T, error) {
	var img *Image
	var err error
	if optional {
		img, err = c.optional(name, magicName)
	} else {
		img, err = c.image(name, magicName)
	}
	if err != nil || img == nil {
		return nil, err
	}
	out := make([]T, 0, len(img.Entries))
	for i := range img.Entries {
		v, err := entryAs[T](img, i, filepath.Join(c.dir, name))
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (c *checkpoint) pstree() ([]*pstree.PstreeEntry, error) {
	ps, err := all[*pstree.PstreeEntry](c, "pstree.img", "PSTREE", false)
	if err == nil && len(ps) == 0 {
		err = fmt.Errorf("%s: %w: no processes", filepath.Join(c.dir, "pstree.img"), ErrNotCheckpoint)
	}
	return ps, err
}

func (c *checkpoint) core(tid uint32) (*criu_core.CoreEntry, error) {
	return single[*criu_core.CoreEntry](c, fmt.Sprintf("core-%d.img", tid), "CORE")
}

func (c *checkpoint) ids(pid uint32) (*criu_core.TaskKobjIdsEntry, error) {
	return single[*criu_core.TaskKobjIdsEntry](c, fmt.Sprintf("ids-%d.img", pid), "IDS")
}

// files returns files.img indexed by file id.
func (c *checkpoint) files() (map[uint32]*fdinfo.FileEntry, error) {
	list, err := all[*fdinfo.FileEntry](c, "files.img", "FILES", true)
	if err != nil {
		return nil, err
	}
	out := make(map[uint32]*fdinfo.FileEntry, len(list))
	for _, f := range list {
		out[f.GetId()] = f
	}
	return out, nil
}
