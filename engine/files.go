package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/docker/docker/api/types/container"
)

// ChangeKind is how a path of a container's filesystem differs from its
// image (docker diff).
type ChangeKind int

const (
	Modified ChangeKind = iota
	Added
	Deleted
)

// Change is one path the container changed, added or deleted against its
// image, absolute inside the container.
type Change struct {
	Path string
	Kind ChangeKind
}

// Volume is a named volume mounted in a container.
type Volume struct {
	Name        string
	Destination string
}

// Files is what ckpt needs of an engine to move a container's files: its
// filesystem changes, its files as tar streams both ways (through the
// engine, so on any storage driver or snapshotter, running or stopped),
// and its image as `docker save` writes it.
type Files interface {
	// Changes lists the container's filesystem changes against its image.
	Changes(ctx context.Context, id string) ([]Change, error)
	// CopyFrom returns a tar of path in container id, whose first entry
	// is path itself under its base name.
	CopyFrom(ctx context.Context, id, path string) (io.ReadCloser, error)
	// CopyTo extracts the tar content into folder dir of container id,
	// keeping owners, replacing what is there.
	CopyTo(ctx context.Context, id, dir string, content io.Reader) error
	// SaveImage streams image ref as `docker save` writes it.
	SaveImage(ctx context.Context, ref string) (io.ReadCloser, error)
	// LoadImage loads images from a `docker save` stream.
	LoadImage(ctx context.Context, r io.Reader) error
}

// Changes asks the engine for id's filesystem changes (docker diff).
func (d *Docker) Changes(ctx context.Context, id string) ([]Change, error) {
	cs, err := d.cli.ContainerDiff(ctx, id)
	if err != nil {
		return nil, classify(err, "changes of container "+id)
	}
	out := make([]Change, 0, len(cs))
	for _, c := range cs {
		k := Modified
		switch c.Kind {
		case container.ChangeAdd:
			k = Added
		case container.ChangeDelete:
			k = Deleted
		}
		out = append(out, Change{Path: c.Path, Kind: k})
	}
	return out, nil
}

// CopyFrom reads path of id through the engine's archive API.
func (d *Docker) CopyFrom(ctx context.Context, id, path string) (io.ReadCloser, error) {
	rc, _, err := d.cli.CopyFromContainer(ctx, id, path)
	if err != nil {
		return nil, classify(err, fmt.Sprintf("copy %s from container %s", path, id))
	}
	return rc, nil
}

// CopyTo extracts content into dir of id through the engine's archive API.
func (d *Docker) CopyTo(ctx context.Context, id, dir string, content io.Reader) error {
	err := d.cli.CopyToContainer(ctx, id, dir, content, container.CopyToContainerOptions{CopyUIDGID: true})
	if err != nil {
		return classify(err, fmt.Sprintf("copy into %s of container %s", dir, id))
	}
	return nil
}

// SaveImage streams ref in `docker save` form.
func (d *Docker) SaveImage(ctx context.Context, ref string) (io.ReadCloser, error) {
	rc, err := d.cli.ImageSave(ctx, []string{ref})
	if err != nil {
		return nil, classify(err, "save image "+ref)
	}
	return rc, nil
}

// LoadImage loads a `docker save` stream and reads the engine's answer
// to its end, returning the error it reports.
func (d *Docker) LoadImage(ctx context.Context, r io.Reader) error {
	resp, err := d.cli.ImageLoad(ctx, r)
	if err != nil {
		return classify(err, "load image")
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	for {
		var msg struct {
			Error  string `json:"error"`
			Stream string `json:"stream"`
		}
		if err := dec.Decode(&msg); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("load image: read the engine's answer: %w", err)
		}
		if msg.Error != "" {
			return fmt.Errorf("load image: %s", strings.TrimSpace(msg.Error))
		}
	}
}
