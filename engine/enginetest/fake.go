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
	// Networks are the engine's network records by name.
	Networks map[string]json.RawMessage
	// PauseErr fails Pause of the containers it names.
	PauseErr map[string]error
	// SetRestartErr, if set, fails SetRestartPolicy.
	SetRestartErr error
	// StartFunc, if set, decides how Start goes (nil error: it runs).
	StartFunc func(c *engine.Container, checkpoint string) error
	// Calls logs each call as "method arg ...", in order.
	Calls []string
	// Fail makes the first call of a method ("create", "holder", "rename",
	// "copy", "start", "remove") fail with its error, once.
	Fail map[string]error
	// Carried is what CopyChanges reports as carried.
	Carried engine.Carried

	FakeFiles

	mu     sync.Mutex
	nextID int
	// Created has the options of each Create, in order; Holders those of
	// each CreateHolder.
	Created []engine.CloneOptions
	Holders []engine.HolderOptions
}

// failing returns the injected error of method, once.
func (f *Fake) failing(method string) error {
	err := f.Fail[method]
	if err != nil {
		delete(f.Fail, method)
	}
	return err
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
	i.Caps = engine.CapsOf(i)
	return i, nil
}

// Caps returns the capabilities of EngineInfo.
func (f *Fake) Caps(ctx context.Context) (engine.Caps, error) {
	i, err := f.Info(ctx)
	return i.Caps, err
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
	if err := f.failing("create"); err != nil {
		return "", err
	}
	spec, err := engine.DeriveClone(recorded, opt)
	if err != nil {
		return "", err
	}
	c, err := f.add(spec, recorded)
	if err != nil {
		return "", err
	}
	f.Created = append(f.Created, opt)
	return c.ID, nil
}

// CreateHolder checks the recorded view as the real engine does
// (engine.DeriveHolder), then adds a stopped container of the holder's
// name, without mounts.
func (f *Fake) CreateHolder(_ context.Context, recorded json.RawMessage, opt engine.HolderOptions) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log("holder %s for %s", opt.Name, opt.For)
	if err := f.failing("holder"); err != nil {
		return "", err
	}
	spec, err := engine.DeriveHolder(recorded, opt)
	if err != nil {
		return "", err
	}
	c, err := f.add(spec, nil)
	if err != nil {
		return "", err
	}
	f.Holders = append(f.Holders, opt)
	return c.ID, nil
}

// Rename renames the container.
func (f *Fake) Rename(_ context.Context, id, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log("rename %s %s", id, name)
	if err := f.failing("rename"); err != nil {
		return err
	}
	c := f.find(id)
	if c == nil {
		return fmt.Errorf("rename %s: %w", id, engine.ErrNotFound)
	}
	if other := f.Containers[name]; other != nil && other != c {
		return fmt.Errorf("rename %s to %s: name in use", id, name)
	}
	delete(f.Containers, c.Name)
	c.Name = name
	f.Containers[name] = c
	return nil
}

// CopyChanges logs the copy and returns Changes.
func (f *Fake) CopyChanges(_ context.Context, from, to string, skip []string) (engine.Carried, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log("copy %s %s", from, to)
	if err := f.failing("copy"); err != nil {
		return engine.Carried{}, err
	}
	if f.find(from) == nil || f.find(to) == nil {
		return engine.Carried{}, fmt.Errorf("copy %s to %s: %w", from, to, engine.ErrNotFound)
	}
	return f.Carried, nil
}

// add adds a stopped container made from spec, with the mounts of the
// recorded view.
func (f *Fake) add(spec *engine.CloneSpec, recorded json.RawMessage) (*engine.Container, error) {
	if f.find(spec.Name) != nil {
		return nil, fmt.Errorf("create container %s: name in use", spec.Name)
	}
	var view struct {
		Mounts []struct{ Destination string }
	}
	if recorded != nil {
		if err := json.Unmarshal(recorded, &view); err != nil {
			return nil, err
		}
	}
	raw, err := json.Marshal(map[string]any{"Name": "/" + spec.Name, "Config": spec.Config, "HostConfig": spec.HostConfig})
	if err != nil {
		return nil, err
	}
	f.nextID++
	c := &engine.Container{
		ID:    fmt.Sprintf("%064x", 0xc10e0000+f.nextID),
		Name:  spec.Name,
		Image: spec.Config.Image,
		State: engine.State{Status: "created"},
		Raw:   raw,
		Init:  spec.HostConfig.Init != nil && *spec.HostConfig.Init,
		RestartPolicy: engine.RestartPolicy{
			Name: string(spec.HostConfig.RestartPolicy.Name), MaximumRetryCount: spec.HostConfig.RestartPolicy.MaximumRetryCount,
		},
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
	return c, nil
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
	if err := f.failing("start"); err != nil {
		return err
	}
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

// SetRestartPolicy changes the container's policy; SetRestartErr, if set,
// is returned instead.
func (f *Fake) SetRestartPolicy(_ context.Context, id string, p engine.RestartPolicy) error {
	if f.SetRestartErr != nil {
		f.mu.Lock()
		f.log("restart-policy %s %s", id, p)
		f.mu.Unlock()
		return f.SetRestartErr
	}
	return f.change("restart-policy", id, func(c *engine.Container) { c.RestartPolicy = p }, p)
}

// Stop marks the container exited.
func (f *Fake) Stop(_ context.Context, id string) error {
	return f.change("stop", id, func(c *engine.Container) { c.State = engine.State{Status: "exited"} })
}

// Remove deletes the container.
func (f *Fake) Remove(_ context.Context, id string) error {
	return f.change("remove", id, func(c *engine.Container) { delete(f.Containers, c.Name) })
}

// change logs the call (with extra arguments) and applies fn to the
// container id names.
func (f *Fake) change(method, id string, fn func(*engine.Container), extra ...any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log("%s %s%s", method, id, strings.TrimRight(" "+fmt.Sprintln(extra...), " \n"))
	if err := f.failing(method); err != nil {
		return err
	}
	c := f.find(id)
	if c == nil {
		return fmt.Errorf("%s %s: %w", method, id, engine.ErrNotFound)
	}
	fn(c)
	return nil
}

// Close does nothing.
func (f *Fake) Close() error { return nil }
