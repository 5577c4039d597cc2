package enginetest

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/ckpt/ckpt/engine"
)

// FakeFiles is the file side of Fake: containers' files and changes, and
// images as docker save streams.
type FakeFiles struct {
	// Files of each container, by container name: absolute path → content;
	// a path ending in "/" is a folder.
	Files map[string]map[string]string
	// Diffs are each container's changes against its image, by name.
	Diffs map[string][]engine.Change
	// Saved are `docker save` streams by image reference.
	Saved map[string][]byte
	// Loaded are the streams LoadImage got, in order; OnLoad, if set, is
	// called with each (to add the image to Images).
	Loaded [][]byte
	OnLoad func(b []byte) error
}

func (f *Fake) containerName(id string) (string, error) {
	c := f.find(id)
	if c == nil {
		return "", fmt.Errorf("container %s: %w", id, engine.ErrNotFound)
	}
	return c.Name, nil
}

// Changes returns Diffs of the container.
func (f *Fake) Changes(_ context.Context, id string) ([]engine.Change, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log("changes %s", id)
	name, err := f.containerName(id)
	if err != nil {
		return nil, err
	}
	return f.Diffs[name], nil
}

// CopyFrom returns a tar of p and, for a folder, what is below it, named
// from p's base name as the engine does.
func (f *Fake) CopyFrom(_ context.Context, id, p string) (io.ReadCloser, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log("copyfrom %s %s", id, p)
	name, err := f.containerName(id)
	if err != nil {
		return nil, err
	}
	files := f.Files[name]
	var paths []string
	for fp := range files {
		clean := strings.TrimSuffix(fp, "/")
		if clean == p || strings.HasPrefix(clean, p+"/") {
			paths = append(paths, fp)
		}
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("copy %s from container %s: %w", p, id, engine.ErrNotFound)
	}
	sort.Strings(paths)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	base := path.Dir(p)
	for _, fp := range paths {
		rel := strings.TrimPrefix(strings.TrimPrefix(fp, base), "/")
		h := &tar.Header{Name: rel, Mode: 0o644, Typeflag: tar.TypeReg, Size: int64(len(files[fp]))}
		if strings.HasSuffix(fp, "/") {
			h = &tar.Header{Name: rel, Mode: 0o755, Typeflag: tar.TypeDir}
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write([]byte(files[fp])); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return io.NopCloser(&buf), nil
}

// CopyTo extracts a tar into dir of the container's Files.
func (f *Fake) CopyTo(_ context.Context, id, dir string, content io.Reader) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log("copyto %s %s", id, dir)
	name, err := f.containerName(id)
	if err != nil {
		return err
	}
	if f.Files == nil {
		f.Files = map[string]map[string]string{}
	}
	if f.Files[name] == nil {
		f.Files[name] = map[string]string{}
	}
	tr := tar.NewReader(content)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("copy into %s of %s: %w", dir, id, err)
		}
		p := path.Join(dir, h.Name)
		if h.Typeflag == tar.TypeDir {
			f.Files[name][p+"/"] = ""
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return err
		}
		f.Files[name][p] = string(b)
	}
}

// SaveImage returns Saved[ref].
func (f *Fake) SaveImage(_ context.Context, ref string) (io.ReadCloser, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log("save %s", ref)
	b, ok := f.Saved[ref]
	if !ok {
		return nil, fmt.Errorf("save image %s: %w", ref, engine.ErrNotFound)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

// LoadImage records the stream and calls OnLoad.
func (f *Fake) LoadImage(_ context.Context, r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log("load %d bytes", len(b))
	f.Loaded = append(f.Loaded, b)
	if f.OnLoad != nil {
		return f.OnLoad(b)
	}
	return nil
}
