package archive

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Target is where Extract puts an archive's members.
type Target struct {
	// Folder receives the checkpoint folder: CRIU's images, container.json
	// and dump.log.
	Folder string
	// Extras receives rootfs-diff.tar, deleted.files, volumes/ and
	// image.tar, which are applied to the new container and then removed.
	Extras string
}

// Extract reads the archive from r into t, checking each member (and the
// tars inside it) before it is written. Both folders must exist and be
// empty; on an error they may hold part of the archive, and the caller
// removes them (store.Pending.Abort). Podman's own members (config.dump,
// spec.dump, network.status, stats-dump, devshm-checkpoint.tar) are
// checked and left out: ckpt's folder does not use them.
func Extract(r io.Reader, t Target) (*Manifest, error) {
	return scan(r, func(name string, k Kind, arg string, h *tar.Header, body io.Reader) error {
		var dst string
		switch k {
		case KindCheckpoint:
			dst = filepath.Join(t.Folder, filepath.FromSlash(arg))
		case KindMeta, KindDumpLog:
			dst = filepath.Join(t.Folder, name)
		case KindRootfsDiff, KindDeleted, KindVolume, KindImage:
			dst = filepath.Join(t.Extras, filepath.FromSlash(name))
		default:
			return nil
		}
		if body == nil { // a folder
			return os.MkdirAll(dst, 0o700)
		}
		return writeMember(dst, name, k, body)
	})
}

// writeMember writes one member to dst, a new file private to root,
// checking the tars it holds as they go by.
func writeMember(dst, name string, k Kind, body io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return fmt.Errorf("extract %s: %w", name, err)
	}
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("extract %s: %w", name, err)
	}
	var w io.Writer = f
	if k == KindRootfsDiff || k == KindVolume {
		tee := io.TeeReader(body, f)
		if err := checkNested(name, tee); err != nil {
			f.Close()
			return err
		}
		body, w = tee, io.Discard // the rest, past the tar's end, goes to f through tee
	}
	if _, err := io.Copy(w, body); err != nil {
		f.Close()
		return fmt.Errorf("extract %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("extract %s: %w", name, err)
	}
	return nil
}
