// Package enginetest has Fake, an engine.Engine kept in memory, for the
// unit tests of the packages that talk to an engine. It places checkpoints
// for real (engine.PlaceIn under Root), so a test can look at what an
// engine would read.
package enginetest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/ckpt/ckpt/engine"
)

// Fake is an engine with the containers and images a test gives it. Its
// zero value has none; Info returns EngineInfo (with RootDir set to Root).
type Fake struct {
	// Root is the engine's root folder, where Place puts checkpoints.
	Root string
	// EngineInfo is what Info returns; InfoErr, if set, is returned instead.
	EngineInfo engine.Info
	InfoErr    error
	// Containers by name; Container also finds them by ID or ID prefix.
	Containers map[string]*engine.Container
	// Images by reference and by ID.
	Images map[string]*engine.Image
	// StartFunc, if set, decides how Start goes (nil error: it runs).
	StartFunc func(c *engine.Container, checkpoint string) error
	// Calls logs each call as "method arg ...", in order.
	Calls []string

	mu     sync.Mutex
	nextID int
	// Created has the options of each Create, in order.
	Created []engine.CloneOptions
}

var _ engine.Engine = (*Fake)(nil)

func (f *Fake) log(format string, args ...any) {
	f.Calls = append(f.Calls, fmt.Sprintf(format, args...))
}

// Info returns EngineInfo.
func (f *Fake) Info(context.Context) (engine.Info, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log("info")
	if f.InfoErr != nil {
		return engine.Info{}, f.InfoErr
	}
	i := f.EngineInfo
	if i.RootDir == "" {
		i.RootDir = f.Root
	}
	return i, nil
}

func (f *Fake) find(ref string) *engine.Container {
	if c, ok := f.Containers[ref]; ok {
		return c
	}
	for _, c := range f.Containers {
		if ref != "" && strings.HasPrefix(c.ID, ref) {
			return c
		}
	}
	return nil
}

// Container returns a copy of the container named or identified by ref.
func (f *Fake) Container(_ context.Context, ref string) (*engine.Container, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log("inspect %s", ref)
	c := f.find(ref)
	if c == nil {
		return nil, fmt.Errorf("inspect container %s: %w", ref, engine.ErrNotFound)
	}
	cp := *c
	return &cp, nil
}

// Image returns the image named or identified by ref.
func (f *Fake) Image(_ context.Context, ref string) (*engine.Image, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log("image %s", ref)
	if img, ok := f.Images[ref]; ok {
		return img, nil
	}
	for _, img := range f.Images {
		if img.ID == ref {
			return img, nil
		}
	}
	return nil, fmt.Errorf("inspect image %s: %w", ref, engine.ErrNotFound)
}

// Create checks the recorded view as the real engine does
// (engine.DeriveClone), then adds a stopped container of the new name,
// with the recorded mounts, created from opt.Image.
func (f *Fake) Create(_ context.Context, recorded json.RawMessage, opt engine.CloneOptions) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log("create %s from %s", opt.Name, opt.Image)
	spec, err := engine.DeriveClone(recorded, opt)
	if err != nil {
		return "", err
	}
	if f.find(opt.Name) != nil {
		return "", fmt.Errorf("create container %s: name in use", opt.Name)
	}
	var view struct {
		Mounts []struct{ Destination string }
	}
	if err := json.Unmarshal(recorded, &view); err != nil {
		return "", err
	}
	f.nextID++
	c := &engine.Container{
		ID:    fmt.Sprintf("%064x", 0xc10e0000+f.nextID),
		Name:  opt.Name,
		Image: spec.Config.Image,
		State: engine.State{Status: "created"},
		Raw:   recorded,
	}
	if img := f.Images[spec.Config.Image]; img != nil {
		c.ImageID = img.ID
	} else {
		c.ImageID = spec.Config.Image
	}
	for _, m := range view.Mounts {
		c.Mounts = append(c.Mounts, m.Destination)
	}
	if f.Containers == nil {
		f.Containers = map[string]*engine.Container{}
	}
	f.Containers[c.Name] = c
	f.Created = append(f.Created, opt)
	return c.ID, nil
}

// Place puts src under Root as a Docker engine would read it.
func (f *Fake) Place(_ context.Context, id, src, name string, mode engine.PlaceMode) (engine.Placed, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log("place %s %s %d", name, id, mode)
	if f.Root == "" {
		return engine.Placed{}, fmt.Errorf("enginetest: Fake.Root is not set")
	}
	return engine.PlaceIn(engine.CheckpointsDir(f.Root, id), src, engine.CheckpointID(name), mode)
}

// Start runs StartFunc, and marks the container running if it succeeds.
func (f *Fake) Start(_ context.Context, id, checkpoint string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log("start %s %s", id, checkpoint)
	c := f.find(id)
	if c == nil {
		return fmt.Errorf("start %s: %w", id, engine.ErrNotFound)
	}
	if f.StartFunc != nil {
		if err := f.StartFunc(c, checkpoint); err != nil {
			return err
		}
	}
	c.State = engine.State{Status: "running", Running: true, Pid: 4242}
	return nil
}

// Stop marks the container exited.
func (f *Fake) Stop(_ context.Context, id string) error {
	return f.change("stop", id, func(c *engine.Container) { c.State = engine.State{Status: "exited"} })
}

// Remove deletes the container.
func (f *Fake) Remove(_ context.Context, id string) error {
	return f.change("remove", id, func(c *engine.Container) { delete(f.Containers, c.Name) })
}

// change logs the call and applies fn to the container id names.
func (f *Fake) change(method, id string, fn func(*engine.Container)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log("%s %s", method, id)
	c := f.find(id)
	if c == nil {
		return fmt.Errorf("%s %s: %w", method, id, engine.ErrNotFound)
	}
	fn(c)
	return nil
}

// Close does nothing.
func (f *Fake) Close() error { return nil }
