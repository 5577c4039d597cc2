package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"path"

	"github.com/docker/docker/api/types/container"
)

// CreateHolder creates the network holder DeriveHolder describes.
func (d *Docker) CreateHolder(ctx context.Context, recorded json.RawMessage, opt HolderOptions) (string, error) {
	spec, err := DeriveHolder(recorded, opt)
	if err != nil {
		return "", err
	}
	created, err := d.cli.ContainerCreate(ctx, spec.Config, spec.HostConfig, spec.Network, nil, spec.Name)
	if err != nil {
		return "", classify(err, "create network holder "+opt.Name)
	}
	return created.ID, nil
}

// Rename renames id.
func (d *Docker) Rename(ctx context.Context, id, name string) error {
	if err := d.cli.ContainerRename(ctx, id, name); err != nil {
		return classify(err, "rename "+id+" to "+name)
	}
	return nil
}

// CopyChanges copies from's writable layer into to through the archive
// API, as docker cp does: each added path with what is under it, and each
// modified path that is not a folder.
// A container with a read-only root filesystem has no layer to carry (and
// the engine refuses copies into one); its tmpfs mounts are skipped with
// its other mounts.
func (d *Docker) CopyChanges(ctx context.Context, from, to string, skip []string) (Carried, error) {
	ins, err := d.cli.ContainerInspect(ctx, from)
	if err != nil {
		return Carried{}, classify(err, "inspect container "+from)
	}
	if hc := ins.HostConfig; hc != nil {
		if hc.ReadonlyRootfs {
			return Carried{}, nil
		}
		for dest := range hc.Tmpfs {
			skip = append(skip, dest)
		}
		for _, m := range hc.Mounts {
			skip = append(skip, m.Target)
		}
	}
	changes, err := d.Changes(ctx, from)
	if err != nil {
		return Carried{}, err
	}
	added, modified, deleted := CarryPlan(changes, skip)
	out := Carried{Deleted: deleted}
	for _, p := range modified {
		st, err := d.cli.ContainerStatPath(ctx, from, p)
		if err != nil {
			return out, classify(err, "stat "+p+" in "+from)
		}
		if !st.Mode.IsDir() {
			added = append(added, p)
		}
	}
	for _, p := range added {
		if err := d.copyPath(ctx, from, to, p); err != nil {
			return out, err
		}
		out.Paths = append(out.Paths, p)
	}
	return out, nil
}

// copyPath copies p (and what is under it) from one container to the same
// place in another, owners and modes kept.
func (d *Docker) copyPath(ctx context.Context, from, to, p string) error {
	rc, _, err := d.cli.CopyFromContainer(ctx, from, p)
	if err != nil {
		return classify(err, "copy "+p+" out of "+from)
	}
	defer rc.Close()
	opt := container.CopyToContainerOptions{CopyUIDGID: true}
	if err := d.cli.CopyToContainer(ctx, to, path.Dir(p), rc, opt); err != nil {
		return classify(err, fmt.Sprintf("copy %s into %s", p, to))
	}
	return nil
}
