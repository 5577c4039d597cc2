package engine

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/ckpt/ckpt/store"
)

// PlaceIn puts the checkpoint folder src into engineDir/<id>/, the folder
// an engine reads checkpoint id of one container from. Files are
// hard-linked when src is on the same filesystem (CRIU only reads the
// images, so sharing them is safe and costs no space), else copied. The
// folder is built under a hidden name and swapped into place
// (store.Swap); a stale checkpoint of the same ID is replaced only then.
func PlaceIn(engineDir, src, id string) (Placed, error) {
	if err := store.ValidName("checkpoint ID", id); err != nil {
		return Placed{}, err
	}
	if err := os.MkdirAll(engineDir, 0o700); err != nil {
		return Placed{}, fmt.Errorf("make %s: %w", engineDir, err)
	}
	tmp, err := os.MkdirTemp(engineDir, "."+id+".ckpt-")
	if err != nil {
		return Placed{}, fmt.Errorf("make temporary folder in %s: %w", engineDir, err)
	}
	linked, err := linkTree(src, tmp)
	if err != nil {
		os.RemoveAll(tmp)
		return Placed{}, fmt.Errorf("place checkpoint %s in %s: %w", src, engineDir, err)
	}
	dst := filepath.Join(engineDir, id)
	if err := store.Swap(tmp, dst, true); err != nil {
		os.RemoveAll(tmp)
		return Placed{}, fmt.Errorf("place checkpoint %s: %w", src, err)
	}
	return Placed{Dir: dst, Linked: linked}, nil
}

// linkTree recreates src's folders under dst and hard-links (or, across
// filesystems, copies) its regular files. restore.log is left out: it
// belongs to an earlier restore.
func linkTree(src, dst string) (bool, error) {
	allLinked := true
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			if rel == "." {
				return nil
			}
			return os.Mkdir(target, 0o700)
		case !d.Type().IsRegular() || rel == "restore.log":
			return nil
		}
		if err := os.Link(p, target); err == nil {
			return nil
		} else if !errors.Is(err, fs.ErrPermission) && !isCrossDevice(err) {
			return fmt.Errorf("link %s: %w", p, err)
		}
		allLinked = false
		return copyFile(p, target)
	})
	return allLinked, err
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return out.Close()
}
