package main

import (
	"errors"
	"io/fs"

	"github.com/ckpt/ckpt/archive"
	"github.com/ckpt/ckpt/imageinfo"
	"github.com/ckpt/ckpt/mountscan"
	"github.com/ckpt/ckpt/store"
)

// containerRecord reads what ckpt dump recorded about the container beside
// the images (container.json) for the summary, or what podman did
// (config.dump, in podman's archives): nil when there is neither, as in a
// checkpoint made by CRIU alone.
func containerRecord(dir string) (*imageinfo.Container, error) {
	m, err := store.ReadMeta(dir)
	if errors.Is(err, fs.ErrNotExist) {
		p, err := archive.ReadPodmanConfig(dir)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return &imageinfo.Container{Name: p.Name, ID: p.ID, Image: p.RootfsImageName, Created: p.CheckpointedAt}, nil
	}
	if err != nil {
		return nil, err
	}
	c := &imageinfo.Container{
		Name: m.Name, ID: m.ID, Image: m.Image, Checkpoint: m.Checkpoint, Created: m.Timestamp,
		CriuVersion: m.CriuVersion, DurationMS: m.DurationMS, LeaveRunning: m.LeaveRunning,
		Cmdlines: make(map[uint32][]string, len(m.Processes)),
	}
	for _, d := range m.Mounts {
		switch d.Action {
		case mountscan.ActionExternal:
			c.Mounts.External++
		case mountscan.ActionInternal:
			c.Mounts.Internal++
		case mountscan.ActionRoot:
			c.Mounts.Root++
		}
	}
	for _, p := range m.Processes {
		c.Cmdlines[uint32(p.PID)] = p.Cmdline
	}
	return c, nil
}
