package archive

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/ckpt/ckpt/store"
)

// ErrRejected is returned for an archive whose structure ckpt refuses: an
// absolute path, a ".." element, a link or device, a member repeated or
// longer than its header says, a missing required member, or a stream
// that is not a tar.
var ErrRejected = errors.New("archive rejected")

// maxRecord bounds the members ckpt reads into memory (container.json,
// deleted.files).
const maxRecord = 16 << 20

// Manifest is what a checked archive holds.
type Manifest struct {
	Compression Compression
	Meta        *store.Meta // container.json
	Deleted     []string    // deleted.files: paths the container deleted from its image
	Volumes     []string    // names of the volumes/<name>.tar members
	RootfsDiff  bool        // has rootfs-diff.tar
	Image       bool        // has image.tar
	// Size is the sum of the members' sizes, what extracting takes on disk.
	Size int64
	// CheckpointSize is the size of CRIU's images (checkpoint/).
	CheckpointSize int64
	// Podman is config.dump, as podman (and ckpt) write it.
	Podman *PodmanConfig
	names  map[string]bool
}

// memberError is the rejection for a member that could not be read to its
// end: an archive cut short says so.
func memberError(name string, err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return rejected("%s: the archive ends in the middle of this member (cut short?)", name)
	}
	return rejected("%s: %v", name, err)
}

func rejected(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrRejected, fmt.Sprintf(format, args...))
}

// CleanName checks a member's name and returns it without a leading "./"
// or trailing "/": absolute paths, ".." elements and empty names are
// rejected.
func CleanName(name string) (string, error) {
	n, err := cleanName(name)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrRejected, err)
	}
	return n, nil
}

func cleanName(name string) (string, error) {
	n := strings.TrimPrefix(name, "./")
	n = strings.TrimSuffix(n, "/")
	switch {
	case n == "" || n == ".":
		return "", fmt.Errorf("member with an empty name %q", name)
	case strings.HasPrefix(n, "/"):
		return "", fmt.Errorf("absolute path %q", name)
	case strings.ContainsRune(n, 0):
		return "", fmt.Errorf("name with a NUL byte %q", name)
	}
	for _, el := range strings.Split(n, "/") {
		if el == ".." {
			return "", fmt.Errorf("path %q has a '..' element", name)
		}
	}
	return path.Clean(n), nil
}

// linkInside reports whether a symbolic link at name pointing to target
// stays inside the tree it is extracted in. With absRooted, an absolute
// target counts as inside (links in a container's rootfs resolve against
// the container's root).
func linkInside(name, target string, absRooted bool) bool {
	if target == "" {
		return false
	}
	if strings.HasPrefix(target, "/") {
		return absRooted
	}
	depth := strings.Count(name, "/") // folders above name
	for _, el := range strings.Split(target, "/") {
		switch el {
		case "", ".":
		case "..":
			depth--
			if depth < 0 {
				return false
			}
		default:
			depth++
		}
	}
	return true
}

// checkHeader checks one member of the archive itself (not of the tars
// inside it) and returns its clean name.
func checkHeader(h *tar.Header) (string, error) {
	name, err := CleanName(h.Name)
	if err != nil {
		return "", err
	}
	switch h.Typeflag {
	case tar.TypeReg, tar.TypeDir:
	case tar.TypeSymlink, tar.TypeLink:
		if h.Typeflag == tar.TypeLink || !linkInside(name, h.Linkname, false) {
			return "", rejected("%s is a link to %q, outside the archive", name, h.Linkname)
		}
		return "", rejected("%s is a link to %q: a checkpoint archive holds no links", name, h.Linkname)
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		return "", rejected("%s is a device or fifo: a checkpoint archive holds none", name)
	default:
		return "", rejected("%s has entry type %q, which a checkpoint archive does not hold", name, h.Typeflag)
	}
	if h.Size < 0 {
		return "", rejected("%s claims a negative size", name)
	}
	return name, nil
}

// checkNested checks a tar inside the archive (rootfs-diff.tar, a
// volume's tar), which is extracted into a container's root or a volume:
// paths stay inside, symbolic links resolve inside (absolute ones against
// that root), hard links name an earlier entry, and there are no devices
// and no repeated names.
func checkNested(member string, r io.Reader) error {
	tr := tar.NewReader(r)
	seen := map[string]bool{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return rejected("%s: not a readable tar: %v", member, err)
		}
		if h.Typeflag == tar.TypeXGlobalHeader {
			continue
		}
		name, err := cleanName(h.Name)
		if err != nil {
			return rejected("%s: %v", member, err)
		}
		if seen[name] {
			return rejected("%s: %s appears twice", member, name)
		}
		seen[name] = true
		switch h.Typeflag {
		case tar.TypeReg, tar.TypeDir, tar.TypeFifo:
		case tar.TypeSymlink:
			if !linkInside(name, h.Linkname, true) {
				return rejected("%s: %s is a symbolic link to %q, outside the root", member, name, h.Linkname)
			}
		case tar.TypeLink:
			target, err := cleanName(h.Linkname)
			if err != nil || !seen[target] {
				return rejected("%s: %s is a hard link to %q, which is not an earlier entry inside the root", member, name, h.Linkname)
			}
		case tar.TypeChar, tar.TypeBlock:
			return rejected("%s: %s is a device node", member, name)
		default:
			return rejected("%s: %s has entry type %q", member, name, h.Typeflag)
		}
		if n, err := io.Copy(io.Discard, tr); err != nil {
			return rejected("%s: %s: %v after %d bytes", member, name, err, n)
		}
	}
}

// scan reads the whole archive from r, checking every member, and calls
// visit with each member's clean name, kind and content (visit must read
// body to its end or not at all). The manifest is returned only when the
// whole archive passed.
func scan(r io.Reader, required []string, visit func(name string, k Kind, arg string, h *tar.Header, body io.Reader) error) (*Manifest, error) {
	dec, comp, err := decompressor(r)
	if err != nil {
		return nil, rejected("%v", err)
	}
	defer dec.Close()
	m := &Manifest{Compression: comp, names: map[string]bool{}}
	tr := tar.NewReader(dec)
	last := "the start"
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, rejected("not a readable tar after %s (a member longer than its header says, a truncated or a corrupt stream): %v", last, err)
		}
		if h.Typeflag == tar.TypeXGlobalHeader {
			continue
		}
		name, err := checkHeader(h)
		if err != nil {
			return nil, err
		}
		if m.names[name] {
			return nil, rejected("%s appears twice", name)
		}
		m.names[name] = true
		last = name
		if h.Typeflag == tar.TypeDir {
			if err := visit(name, KindIgnored, "", h, nil); err != nil {
				return nil, err
			}
			continue
		}
		m.Size += h.Size
		k, arg := Classify(name)
		body := &counter{r: tr}
		var rec bytes.Buffer
		var src io.Reader = body
		switch k {
		case KindMeta, KindDeleted, KindPodmanConfig:
			if h.Size > maxRecord {
				return nil, rejected("%s claims %d bytes, more than a record of ckpt holds", name, h.Size)
			}
			src = io.TeeReader(body, &rec)
		case KindCheckpoint:
			m.CheckpointSize += h.Size
		case KindRootfsDiff:
			m.RootfsDiff = true
		case KindVolume:
			m.Volumes = append(m.Volumes, arg)
		case KindImage:
			m.Image = true
		}
		if err := visit(name, k, arg, h, src); err != nil {
			return nil, err
		}
		if _, err := io.Copy(io.Discard, src); err != nil {
			return nil, memberError(name, err)
		}
		if body.n != h.Size {
			return nil, rejected("%s: %d bytes where its header claims %d", name, body.n, h.Size)
		}
		if err := m.record(k, name, rec.Bytes()); err != nil {
			return nil, err
		}
	}
	return m, m.complete(required)
}

// record parses container.json and deleted.files.
func (m *Manifest) record(k Kind, name string, b []byte) error {
	switch k {
	case KindMeta:
		var meta store.Meta
		if err := json.Unmarshal(b, &meta); err != nil {
			return rejected("%s: %v", name, err)
		}
		if err := store.ValidName("container name", meta.Name); err != nil {
			return rejected("%s: %v", name, err)
		}
		m.Meta = &meta
	case KindDeleted:
		var paths []string
		if err := json.Unmarshal(b, &paths); err != nil {
			return rejected("%s: want a JSON list of paths: %v", name, err)
		}
		for _, p := range paths {
			if _, err := cleanName(strings.TrimPrefix(p, "/")); err != nil {
				return rejected("%s: %v", name, err)
			}
		}
		m.Deleted = paths
	case KindPodmanConfig:
		var c PodmanConfig
		if err := json.Unmarshal(b, &c); err != nil {
			return rejected("%s: %v", name, err)
		}
		m.Podman = &c
	}
	return nil
}

// complete checks that every required member is there.
func (m *Manifest) complete(required []string) error {
	for _, r := range required {
		if !m.names[r] {
			if r == MetaFile {
				return rejected("no %s: not a checkpoint archive of ckpt", r)
			}
			return rejected("no %s: not a checkpoint archive", r)
		}
	}
	return nil
}

type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// Check reads the whole archive from r and checks its structure, the
// tars inside it included, writing nothing.
func Check(r io.Reader) (*Manifest, error) {
	return scan(r, Required, func(name string, k Kind, _ string, _ *tar.Header, body io.Reader) error {
		if k == KindRootfsDiff || k == KindVolume {
			return checkNested(name, body)
		}
		return nil
	})
}
