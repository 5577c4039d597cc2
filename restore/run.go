package restore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/ckpt/ckpt/engine"
	"github.com/ckpt/ckpt/progress"
	"github.com/ckpt/ckpt/store"
)

// Run restores the checkpoint: it picks it (the newest complete one unless
// named), finds or creates the target container, checks the image and the
// mounts, places the checkpoint where the engine reads it and starts the
// container from it. On failure the target is left stopped (a clone ckpt
// created is removed) and the error quotes CRIU's restore log.
func Run(ctx context.Context, eng engine.Engine, r Request) (*Result, error) {
	began := time.Now()
	if err := r.validate(); err != nil {
		return nil, err
	}
	entry, err := r.pick()
	if err != nil {
		return nil, err
	}
	meta, err := store.ReadMeta(entry.Path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s of %s: %w", entry.Name, r.Container, err)
	}
	meta.Checkpoint = entry.Name
	info, err := eng.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w (is dockerd running?)", err)
	}
	holder, err := needsHolder(meta, info.Caps)
	if err != nil {
		return nil, err
	}
	set := settingsFor(entry, meta)
	if set.NetNS, err = netConversion(entry.Path, meta, holder); err != nil {
		return nil, err
	}
	var res *Result
	var target *engine.Container
	if holder {
		res, target, err = r.runHolder(ctx, eng, entry, meta, set)
	} else {
		res, target, err = r.runDirect(ctx, eng, entry, meta, set)
	}
	if err != nil {
		return nil, err
	}
	res.Clone = r.As != ""
	r.afterStart(ctx, eng, res, target, meta)
	res.Duration = time.Since(began)
	return res, nil
}

// runDirect restores on an engine that gives the container a network of
// its own at restore: the stopped original in place, else a clone created
// from the record (removed again if the start fails).
func (r Request) runDirect(ctx context.Context, eng engine.Engine, entry store.Entry, meta *store.Meta, set Settings) (*Result, *engine.Container, error) {
	var target *engine.Container
	var err error
	if r.As == "" {
		target, err = r.inPlaceTarget(ctx, eng, meta)
	} else {
		target, err = r.createClone(ctx, eng, meta)
	}
	if err != nil {
		return nil, nil, err
	}
	conf := recordedConfig(target).HostConfig.Annotations[criuConfAnnotation]
	res, err := r.startWith(ctx, eng, target.ID, target.Name, conf, entry, set)
	if err != nil {
		if r.As != "" {
			_ = eng.Remove(context.WithoutCancel(ctx), target.ID)
			err = fmt.Errorf("%w\nckpt removed the container %s it had created", err, target.Name)
		}
		return nil, nil, err
	}
	return res, target, nil
}

// afterStart is what every restore does once its container runs, whichever
// way it got there: an in-place restore puts back the restart policy a
// stop-mode dump suspended (the container runs again); a clone reports the
// recorded policy it was created with. A failure here is a warning: the
// container runs.
func (r Request) afterStart(ctx context.Context, eng engine.Engine, res *Result, target *engine.Container, meta *store.Meta) {
	switch {
	case !res.Clone && meta.RestartPolicy != nil:
		if err := engine.ResumeRestart(ctx, eng, res.ID, meta.RestartPolicy); err != nil {
			res.Warnings = append(res.Warnings, err.Error())
		} else {
			res.RestartPolicy = engine.RestartPolicy(*meta.RestartPolicy).String()
		}
	case res.Clone && target.RestartPolicy.Restarts():
		res.RestartPolicy = target.RestartPolicy.String() // created with the recorded one
	}
}

// startWith runs the request's prepare hook, the start of container id
// called name from the checkpoint (with ckpt's CRIU settings in the file
// conf, "" for runc.conf), and its started hook: the one way every restore
// starts its container.
func (r Request) startWith(ctx context.Context, eng engine.Engine, id, name, conf string, entry store.Entry, set Settings) (*Result, error) {
	if r.prepare != nil {
		if err := r.prepare(ctx, id); err != nil {
			return nil, fmt.Errorf("prepare %s: %w", name, err)
		}
	}
	res, err := r.startConf(ctx, eng, id, name, conf, entry, set)
	if err == nil && r.started != nil {
		err = r.started(ctx, id)
	}
	return res, err
}

// inPlaceTarget returns the checkpointed container if it exists, is stopped
// and matches the checkpoint's image and mounts.
func (r Request) inPlaceTarget(ctx context.Context, eng engine.Engine, meta *store.Meta) (*engine.Container, error) {
	ins, err := eng.Container(ctx, r.Container)
	switch {
	case errors.Is(err, engine.ErrNotFound):
		return nil, fmt.Errorf("%w: %s is gone; restore its checkpoint %s into a new container with --as NEWNAME", ErrNoContainer, r.Container, meta.Checkpoint)
	case err != nil:
		return nil, fmt.Errorf("%w (is dockerd running?)", err)
	}
	if ins.State.Running && !ins.State.Paused && !pidAlive(ins.State.Pid) {
		// A stop-mode dump killed the processes; the engine notices a
		// moment later.
		ins = engine.WaitStopped(ctx, eng, r.Container, ins)
	}
	if ins.State.Running || ins.State.Paused || ins.State.Restarting {
		return ins, fmt.Errorf("%w: %s is %s; stop it first (docker stop %s), or restore beside it with --as NEWNAME",
			ErrRunning, r.Container, ins.State.Status, r.Container)
	}
	if err := r.checkTarget(ins, meta); err != nil {
		return ins, err
	}
	return ins, nil
}

// checkTarget compares the target's image and mounts with the checkpoint.
func (r Request) checkTarget(ins *engine.Container, meta *store.Meta) error {
	if err := CheckImage(meta, ins.Name, ins.ImageID); err != nil {
		return err
	}
	if err := CheckInit(meta, ins); err != nil {
		return err
	}
	return CheckMounts(meta, ins)
}

// createClone creates the --as container from the recorded configuration.
func (r Request) createClone(ctx context.Context, eng engine.Engine, meta *store.Meta) (*engine.Container, error) {
	none, err := r.asNameFree(ctx, eng)
	if err != nil {
		return none, err
	}
	image, err := imageRef(ctx, eng, meta)
	if err != nil {
		return none, err
	}
	opt := engine.CloneOptions{Name: r.As, Image: image, Runtime: r.runtime}
	if len(r.Publish) > 0 {
		if opt.Publish, opt.Expose, err = ParsePublish(r.Publish); err != nil {
			return none, err
		}
	}
	id, err := eng.Create(ctx, meta.Engine, opt)
	if errors.Is(err, engine.ErrNoRecord) {
		return none, fmt.Errorf("checkpoint %s of %s: %w", meta.Checkpoint, r.Container, err)
	}
	if err != nil {
		return none, fmt.Errorf("create %s from checkpoint %s of %s: %w", r.As, meta.Checkpoint, r.Container, err)
	}
	ins, err := eng.Container(ctx, id)
	if err == nil {
		err = r.checkTarget(ins, meta)
	}
	if err != nil {
		_ = eng.Remove(context.WithoutCancel(ctx), id)
		return none, fmt.Errorf("new container %s (removed again): %w", r.As, err)
	}
	return ins, nil
}

// asNameFree fails if the --as name is taken.
func (r Request) asNameFree(ctx context.Context, eng engine.Engine) (*engine.Container, error) {
	var none *engine.Container
	if _, err := eng.Container(ctx, r.As); err == nil {
		return none, fmt.Errorf("%w: %s exists; choose another --as name, or remove it (docker rm -f %s)", ErrNameTaken, r.As, r.As)
	} else if !errors.Is(err, engine.ErrNotFound) {
		return none, fmt.Errorf("%w (is dockerd running?)", err)
	}
	return none, nil
}

// imageRef is the recorded image name if it still names the checkpointed
// image, else the image ID (the tag moved); an error if the image is gone.
func imageRef(ctx context.Context, eng engine.Engine, meta *store.Meta) (string, error) {
	if meta.Image != "" {
		if img, err := eng.Image(ctx, meta.Image); err == nil && (meta.ImageID == "" || img.ID == meta.ImageID) {
			return meta.Image, nil
		}
	}
	if meta.ImageID == "" {
		return "", fmt.Errorf("%w: the checkpoint records no image for %s", engine.ErrNoRecord, meta.Name)
	}
	if _, err := eng.Image(ctx, meta.ImageID); err != nil {
		return "", fmt.Errorf("%w: image %s (%s) of checkpoint %s is not on this host: %v; load it (docker load) first",
			ErrImageMismatch, meta.Image, short(meta.ImageID), meta.Checkpoint, err)
	}
	return meta.ImageID, nil
}

// startConf places the checkpoint in the engine's folder of container id
// called name and starts the container from it, with ckpt's CRIU settings
// in the file conf (its org.criu.config annotation; a container ckpt
// created through a network holder), else in runc.conf for the length of
// the start. The pages are symbolic links into the store, so the
// checkpoint is read-locked until the engine's start returns (CRIU reads
// the pages inside it). If CRIU could not open the linked pages, the
// checkpoint is placed again by hard links or copies and started once
// more, and Result.Fallback says so.
func (r Request) startConf(ctx context.Context, eng engine.Engine, id, name, conf string, entry store.Entry, set Settings) (*Result, error) {
	unlock, err := store.ReadLock(entry.Path)
	if err != nil {
		return nil, fmt.Errorf("restore %s: %w", name, err)
	}
	defer unlock()
	placed, logPath, err := r.placeAndStart(ctx, eng, id, conf, entry, set, engine.SymlinkPages)
	if err != nil && placed.Method == engine.Symlinked && ctx.Err() == nil && !errors.Is(err, ErrTimeout) && pagesUnreadable(logPath) {
		why := "CRIU could not open the linked pages (" + firstLine(err).Error() + ")"
		if placed, logPath, err = r.placeAndStart(ctx, eng, id, conf, entry, set, engine.LinkPages); err == nil {
			placed.Fallback = why
		}
	}
	switch {
	case err != nil && placed.Dir == "":
		return nil, fmt.Errorf("restore %s: %w", name, err)
	case err != nil:
		return nil, restoreFailure(ctx, eng, id, name, entry.Name, logPath, err)
	}
	return &Result{Container: name, ID: id, Checkpoint: entry.Name, Source: entry.Path, Placed: placed.Dir,
		Placement: placed.Method, Linked: placed.Method != engine.Copied, Fallback: placed.Fallback, NetNS: set.NetNS}, nil
}

// placeAndStart places the checkpoint as mode says and starts id from it,
// with ckpt's CRIU settings in the file conf ("" for runc.conf). An error
// from Place comes back with a zero Placed; one from Start with where the
// checkpoint was placed and the path of CRIU's restore log.
func (r Request) placeAndStart(ctx context.Context, eng engine.Engine, id, conf string, entry store.Entry, set Settings, mode engine.PlaceMode) (engine.Placed, string, error) {
	total, pages := checkpointSize(entry.Path)
	if mode == engine.SymlinkPages {
		total -= pages // the pages are linked, not copied
	}
	r.Progress.Phase("placing checkpoint "+entry.Name, total)
	placed, err := eng.Place(ctx, id, entry.Path, entry.Name, mode)
	if err != nil {
		return engine.Placed{}, "", err
	}
	if err := convertPlaced(placed.Dir, set.NetNS); err != nil {
		return engine.Placed{}, "", fmt.Errorf("convert the placed checkpoint's network namespace for this engine: %w", err)
	}
	r.Progress.Set(total)
	// CRIU reads the pages inside the engine's start, which says nothing
	// until it is done: the line shows what it reads and for how long.
	r.Progress.Phase("restoring "+progress.Bytes(pages)+" of memory", 0)
	stop := r.Progress.Watch(100*time.Millisecond, func() int64 { return 0 })
	defer stop()
	logPath := filepath.Join(placed.Dir, "restore.log")
	if conf != "" {
		logPath = strings.TrimSuffix(conf, ".criu.conf") + ".restore.log"
	}
	kill := r.kill
	if kill == nil {
		kill = killRestoreCriu
	}
	start := func() error {
		return guardStart(ctx, r.Timeout, logPath, kill, func(ctx context.Context) error {
			return eng.Start(ctx, id, entry.Name)
		})
	}
	if conf != "" {
		if err = writeCriuConf(conf, logPath, set); err == nil {
			if err = start(); err == nil {
				logPath = keepLog(logPath, placed.Dir)
			}
		}
	} else {
		err = r.RuncConf.with(logPath, set, start)
	}
	return placed, logPath, err
}

// checkpointSize is the size of the checkpoint folder dir and of its page
// images, 0 for what cannot be read.
func checkpointSize(dir string) (total, pages int64) {
	des, _ := os.ReadDir(dir)
	for _, de := range des {
		fi, err := de.Info()
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		total += fi.Size()
		if engine.IsPages(de.Name()) {
			pages += fi.Size()
		}
	}
	return total, pages
}

// pagesUnreadable reports whether CRIU's restore log at logPath says it
// could not open a page image ("No pages-1.img image", "Can't open ...
// pages-1.img").
func pagesUnreadable(logPath string) bool {
	b, err := os.ReadFile(logPath)
	return err == nil && pagesErrorRE.Match(b)
}

var pagesErrorRE = regexp.MustCompile(`(?m)^.*Error.*pages-[0-9]+\.img|No pages-[0-9]+\.img image|[Cc]an't open.*pages-[0-9]+\.img`)

// pidAlive reports whether a process with this host PID exists.
func pidAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	_, err := os.Stat(fmt.Sprintf("/proc/%d", pid))
	return err == nil
}

// recorded is the part of an inspect view ckpt reads back: labels and
// annotations.
type recorded struct {
	Config struct {
		Labels map[string]string
	}
	HostConfig struct {
		Annotations map[string]string
	}
}

// recordedConfig reads the labels and annotations of an inspected
// container; none if its view does not say.
func recordedConfig(c *engine.Container) recorded {
	var v recorded
	if c != nil && len(c.Raw) > 0 {
		_ = json.Unmarshal(c.Raw, &v)
	}
	return v
}
