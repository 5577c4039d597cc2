package checkpoint

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Place puts the checkpoint src where the engine reads checkpoints of a
// container (Engine 20.10 refuses any other folder): engineDir/<name>/,
// engineDir being /var/lib/docker/containers/<id>/checkpoints. Files are
// hard-linked when src is on the same filesystem (CRIU only reads the
// images, so sharing them is safe and costs no space), else copied. The
// folder is built under a hidden name and renamed into place; a stale
// checkpoint of the same name is replaced only then. It reports whether
// every file was linked.
func Place(src, engineDir, name string) (dst string, linked bool, err error) {
	if err := ValidName("checkpoint name", name); err != nil {
		return "", false, err
	}
	if err := os.MkdirAll(engineDir, 0o700); err != nil {
		return "", false, fmt.Errorf("make %s: %w", engineDir, err)
	}
	tmp, err := os.MkdirTemp(engineDir, "."+name+".ckpt-")
	if err != nil {
		return "", false, fmt.Errorf("make temporary folder in %s: %w", engineDir, err)
	}
	linked, err = linkTree(src, tmp)
	if err != nil {
		os.RemoveAll(tmp)
		return "", false, fmt.Errorf("place checkpoint %s in %s: %w", src, engineDir, err)
	}
	dst = filepath.Join(engineDir, name)
	var old string
	if _, err := os.Lstat(dst); err == nil {
		old = tmp + ".old"
		if err := os.Rename(dst, old); err != nil {
			os.RemoveAll(tmp)
			return "", false, fmt.Errorf("move stale checkpoint %s aside: %w", dst, err)
		}
	}
	if err := renameNoReplace(tmp, dst); err != nil {
		os.RemoveAll(tmp)
		if old != "" {
			_ = os.Rename(old, dst)
		}
		return "", false, fmt.Errorf("move checkpoint into %s: %w", dst, err)
	}
	if old != "" {
		_ = os.RemoveAll(old)
	}
	return dst, linked, nil
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
