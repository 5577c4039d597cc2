package archive

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ckpt/ckpt/progress"
)

// Target is where Extract puts an archive's members.
type Target struct {
	// Folder receives the checkpoint folder: CRIU's images, container.json
	// and dump.log.
	Folder string
	// Extras receives rootfs-diff.tar, deleted.files, volumes/ and
	// image.tar, which are applied to the new container and then removed.
	Extras string
	// Limit, if above zero, is how many bytes of members Extract may
	// write: a member whose header would take the total past it is
	// refused with ErrNoRoom before a byte of it is written (a member's
	// size is in its header, and the tar reader holds it to that), so
	// that an archive far larger than its stream (a compression bomb), or
	// one the disk has no room for, fills nothing.
	Limit int64
}

// ErrNoRoom is returned for an archive whose members would take more
// than the room Target.Limit gives them.
var ErrNoRoom = errors.New("not enough room to extract the archive")

// Extract reads the archive from r into t, checking each member (and the
// tars inside it) before it is written. Both folders must exist and be
// empty; on an error they may hold part of the archive, and the caller
// removes them (store.Pending.Abort). Podman's own members (config.dump,
// spec.dump, network.status, stats-dump, devshm-checkpoint.tar) are
// checked and left out: ckpt's folder does not use them.
func Extract(r io.Reader, t Target) (*Manifest, error) {
	var written int64
	return scan(r, Required, func(name string, k Kind, arg string, h *tar.Header, body io.Reader) error {
		if t.Limit > 0 && body != nil {
			if written+h.Size > t.Limit {
				return fmt.Errorf("%w: member %s is %s, and with the %s before it that is more than the %s there is room for",
					ErrNoRoom, name, progress.Bytes(h.Size), progress.Bytes(written), progress.Bytes(t.Limit))
			}
			written += h.Size
		}
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
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return memberError(name, err)
		}
		return fmt.Errorf("extract %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("extract %s: %w", name, err)
	}
	return nil
}

// ExtractImages reads an archive of ckpt or of podman from r and writes
// its CRIU images, and container.json or podman's config.dump, into the
// empty folder dir, for reading (ckpt images): nothing else is written,
// and every member is checked as Extract checks it.
func ExtractImages(r io.Reader, dir string) (*Manifest, error) {
	// podman keeps CRIU's statistics at the top only; ckpt under checkpoint/ too.
	topStats := filepath.Join(dir, ".top-"+StatsDumpFile)
	m, err := scan(r, Images, func(name string, k Kind, arg string, h *tar.Header, body io.Reader) error {
		var dst string
		switch {
		case k == KindCheckpoint:
			dst = filepath.Join(dir, filepath.FromSlash(arg))
		case k == KindMeta || k == KindPodmanConfig:
			dst = filepath.Join(dir, name)
		case name == StatsDumpFile:
			dst = topStats
		default:
			return nil
		}
		if body == nil {
			return os.MkdirAll(dst, 0o700)
		}
		return writeMember(dst, name, k, body)
	})
	if err != nil {
		return nil, err
	}
	if stats := filepath.Join(dir, StatsDumpFile); !fileExists(stats) && fileExists(topStats) {
		err = os.Rename(topStats, stats)
	}
	os.Remove(topStats)
	return m, err
}

// IsArchive reports whether path is a file (an archive to read) rather
// than a checkpoint folder.
func IsArchive(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// Unpacked is an archive's CRIU images in a private temporary folder.
type Unpacked struct {
	Dir      string
	Manifest *Manifest
}

// UnpackImages extracts the CRIU images of the archive at path into a new
// private temporary folder (ExtractImages); Remove removes it.
func UnpackImages(path string) (*Unpacked, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dir, err := os.MkdirTemp("", "ckpt-archive-")
	if err != nil {
		return nil, err
	}
	m, err := ExtractImages(f, dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &Unpacked{Dir: dir, Manifest: m}, nil
}

// Remove removes the temporary folder.
func (u *Unpacked) Remove() { os.RemoveAll(u.Dir) }

// ReadPodmanConfig reads config.dump in dir.
func ReadPodmanConfig(dir string) (*PodmanConfig, error) {
	b, err := os.ReadFile(filepath.Join(dir, ConfigDumpFile))
	if err != nil {
		return nil, err
	}
	var c PodmanConfig
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("parse %s: %w", ConfigDumpFile, err)
	}
	return &c, nil
}
