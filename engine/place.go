package engine

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ckpt/ckpt/store"
)

// PlaceMode says how Place may bring a checkpoint's memory pages to the
// engine.
type PlaceMode int

const (
	// SymlinkPages makes every pages-*.img a relative symbolic link to the
	// stored file and hard-links (or copies) the rest. The engine's tar
	// of the folder keeps the link, so the pages, nearly all of a
	// checkpoint, are never copied. When a link does not lead back to the
	// stored file, Place falls back to LinkPages and says why in
	// Placed.Fallback.
	SymlinkPages PlaceMode = iota
	// LinkPages hard-links every file, or copies it across filesystems.
	LinkPages
)

// Method says how a checkpoint's pages reached the engine's folder.
type Method string

const (
	Symlinked  Method = "symlinked"   // relative symbolic links into the store
	HardLinked Method = "hard-linked" // hard links to the stored files
	Copied     Method = "copied"      // copies (the store is on another filesystem)
)

// upLevels is the least number of "../" a page link starts with. The
// engine does not read the placed folder where Place puts it: Engine 20.10
// tars it into containerd's content store, which unpacks it in a folder of
// its own, and CRIU opens the pages there after it has changed root into
// the container, where an absolute link would resolve inside the
// container's root filesystem. A relative link climbs from wherever it
// was unpacked to the host's "/" ("../" at "/" stays there), then descends
// to the stored file; 32 levels cover any folder an engine unpacks into.
const upLevels = 32

// PlaceIn puts the checkpoint folder src into engineDir/<id>/, the folder
// an engine reads checkpoint id of one container from, as mode says. The
// folder is built under a hidden name and swapped into place (store.Swap);
// a stale checkpoint of the same ID is replaced only then. The caller must
// keep src unchanged until the engine has read it (store.ReadLock).
func PlaceIn(engineDir, src, id string, mode PlaceMode) (Placed, error) {
	if err := store.ValidName("checkpoint ID", id); err != nil {
		return Placed{}, err
	}
	abs, err := filepath.Abs(src)
	if err == nil {
		abs, err = filepath.EvalSymlinks(abs)
	}
	if err != nil {
		return Placed{}, fmt.Errorf("place checkpoint %s: %w", src, err)
	}
	if err := os.MkdirAll(engineDir, 0o700); err != nil {
		return Placed{}, fmt.Errorf("make %s: %w", engineDir, err)
	}
	var fallback string
	for {
		tmp, err := os.MkdirTemp(engineDir, "."+id+".ckpt-")
		if err != nil {
			return Placed{}, fmt.Errorf("make temporary folder in %s: %w", engineDir, err)
		}
		method, err := placeTree(abs, tmp, mode == SymlinkPages)
		var unreachable *unreachableError
		if errors.As(err, &unreachable) {
			os.RemoveAll(tmp)
			fallback = unreachable.Error()
			mode = LinkPages
			continue
		}
		if err != nil {
			os.RemoveAll(tmp)
			return Placed{}, fmt.Errorf("place checkpoint %s in %s: %w", src, engineDir, err)
		}
		dst := filepath.Join(engineDir, id)
		if err := store.Swap(tmp, dst, true); err != nil {
			os.RemoveAll(tmp)
			return Placed{}, fmt.Errorf("place checkpoint %s: %w", src, err)
		}
		return Placed{Dir: dst, Method: method, Fallback: fallback}, nil
	}
}

// unreachableError is a page link that does not lead back to the stored
// file from the placed folder.
type unreachableError struct {
	link, target string
	err          error
}

func (e *unreachableError) Error() string {
	return fmt.Sprintf("a relative link from %s does not reach %s (%v)", filepath.Dir(e.link), e.target, e.err)
}

// IsPages reports whether a checkpoint file holds memory pages.
func IsPages(name string) bool {
	ok, _ := filepath.Match("pages-*.img", filepath.Base(name))
	return ok
}

// relativeLink is the symbolic link's text that reaches the absolute path
// target from a link in folder dir, whatever dir the link ends up in.
func relativeLink(dir, target string) string {
	up := max(upLevels, strings.Count(filepath.Clean(dir), string(filepath.Separator)))
	return strings.Repeat("../", up) + strings.TrimPrefix(target, "/")
}

// placeTree recreates src's folders under dst, symbolic-links its page
// images when symlinkPages is set and hard-links (or, across filesystems,
// copies) its other regular files. restore.log (an earlier restore's) and
// the store's lock file are left out. It says how the pages went.
func placeTree(src, dst string, symlinkPages bool) (Method, error) {
	method := HardLinked
	symlinked := false
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
		case !d.Type().IsRegular() || rel == "restore.log" || rel == store.LockFile:
			return nil
		}
		if symlinkPages && IsPages(p) {
			symlinked = true
			return symlinkChecked(p, target)
		}
		if err := os.Link(p, target); err == nil {
			return nil
		} else if !errors.Is(err, fs.ErrPermission) && !isCrossDevice(err) {
			return fmt.Errorf("link %s: %w", p, err)
		}
		method = Copied
		return copyFile(p, target)
	})
	if symlinked && err == nil {
		method = Symlinked
	}
	return method, err
}

// symlinkChecked links target to the stored file p by a relative path and
// checks that the link leads to p: an unreachableError if it does not (the
// engine then could not read it either).
func symlinkChecked(p, target string) error {
	want, err := os.Stat(p)
	if err != nil {
		return err
	}
	if err := os.Symlink(relativeLink(filepath.Dir(target), p), target); err != nil {
		return &unreachableError{link: target, target: p, err: err}
	}
	got, err := os.Stat(target)
	if err == nil && !os.SameFile(want, got) {
		err = errors.New("it leads to another file")
	}
	if err != nil {
		return &unreachableError{link: target, target: p, err: err}
	}
	return nil
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
