package restore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
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
	var target *engine.Container
	if r.As == "" {
		target, err = r.inPlaceTarget(ctx, eng, meta)
	} else {
		target, err = r.createClone(ctx, eng, meta)
	}
	if err != nil {
		return nil, err
	}
	name := target.Name
	res, err := r.start(ctx, eng, target.ID, name, entry)
	if err != nil {
		if r.As != "" {
			_ = eng.Remove(context.WithoutCancel(ctx), target.ID)
			err = fmt.Errorf("%w\nckpt removed the container %s it had created", err, name)
		}
		return nil, err
	}
	res.Clone = r.As != ""
	res.Duration = time.Since(began)
	return res, nil
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
	return CheckMounts(meta, ins.Name, ins.Mounts)
}

// createClone creates the --as container from the recorded configuration.
func (r Request) createClone(ctx context.Context, eng engine.Engine, meta *store.Meta) (*engine.Container, error) {
	var none *engine.Container
	if _, err := eng.Container(ctx, r.As); err == nil {
		return none, fmt.Errorf("%w: %s exists; choose another --as name, or remove it (docker rm -f %s)", ErrNameTaken, r.As, r.As)
	} else if !errors.Is(err, engine.ErrNotFound) {
		return none, fmt.Errorf("%w (is dockerd running?)", err)
	}
	image, err := imageRef(ctx, eng, meta)
	if err != nil {
		return none, err
	}
	opt := engine.CloneOptions{Name: r.As, Image: image}
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

// start places the checkpoint in the engine's folder of the container and
// starts the container from it with ckpt's runc.conf settings. The pages
// are symbolic links into the store, so the checkpoint is read-locked
// until the engine's start returns (CRIU reads the pages inside it). If
// CRIU could not open the linked pages, the checkpoint is placed again by
// hard links or copies and started once more, and Result.Fallback says so.
func (r Request) start(ctx context.Context, eng engine.Engine, id, name string, entry store.Entry) (*Result, error) {
	unlock, err := store.ReadLock(entry.Path)
	if err != nil {
		return nil, fmt.Errorf("restore %s: %w", name, err)
	}
	defer unlock()
	placed, err := r.placeAndStart(ctx, eng, id, entry, engine.SymlinkPages)
	if err != nil && placed.Method == engine.Symlinked && pagesUnreadable(placed.Dir) {
		why := "CRIU could not open the linked pages (" + firstLine(err).Error() + ")"
		if placed, err = r.placeAndStart(ctx, eng, id, entry, engine.LinkPages); err == nil {
			placed.Fallback = why
		}
	}
	if err != nil {
		return nil, restoreFailure(ctx, eng, id, name, entry.Name, filepath.Join(placed.Dir, "restore.log"), err)
	}
	return &Result{Container: name, ID: id, Checkpoint: entry.Name, Source: entry.Path, Placed: placed.Dir,
		Placement: placed.Method, Linked: placed.Method != engine.Copied, Fallback: placed.Fallback}, nil
}

// placeAndStart places the checkpoint as mode says and starts id from it.
// An error from Place comes back with a zero Placed; one from Start with
// where the checkpoint was placed.
func (r Request) placeAndStart(ctx context.Context, eng engine.Engine, id string, entry store.Entry, mode engine.PlaceMode) (engine.Placed, error) {
	total, pages := checkpointSize(entry.Path)
	if mode == engine.SymlinkPages {
		total -= pages // the pages are linked, not copied
	}
	r.Progress.Phase("placing checkpoint "+entry.Name, total)
	placed, err := eng.Place(ctx, id, entry.Path, entry.Name, mode)
	if err != nil {
		return engine.Placed{}, fmt.Errorf("restore %s: %w", id, err)
	}
	r.Progress.Set(total)
	// CRIU reads the pages inside the engine's start, which says nothing
	// until it is done: the line shows what it reads and for how long.
	r.Progress.Phase("restoring "+progress.Bytes(pages)+" of memory", 0)
	stop := r.Progress.Watch(100*time.Millisecond, func() int64 { return 0 })
	defer stop()
	logPath := filepath.Join(placed.Dir, "restore.log")
	return placed, r.RuncConf.with(logPath, entry.FileLocks, func() error {
		return eng.Start(ctx, id, entry.Name)
	})
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

// pagesUnreadable reports whether the restore log in dir says CRIU could
// not open a page image ("No pages-1.img image", "Can't open ...
// pages-1.img").
func pagesUnreadable(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "restore.log"))
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
