package restore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ckpt/ckpt/engine"
	"github.com/ckpt/ckpt/store"
)

// ErrNetNS is returned, before anything is touched, for a checkpoint whose
// network namespace this engine cannot give back.
var ErrNetNS = errors.New("checkpoint's network cannot be restored on this engine")

// upstreamBug names the engine bug the network holder works around.
const upstreamBug = "containerd#12141"

// oldSuffix is added to the name of a container an in-place restore
// through a holder replaces, until the new one runs.
const oldSuffix = ".ckpt-old"

// criuConfAnnotation names, on a container, the CRIU configuration file
// runc hands CRIU instead of /etc/criu/runc.conf.
const criuConfAnnotation = "org.criu.config"

// needsHolder decides, from how the checkpoint treated its network
// namespace and what the engine can do, whether the restore goes through a
// network holder: on an engine that cannot restore a container's own
// network (containerd#12141), for a checkpoint of a container that had
// one, whichever engine made it (netConversion converts the placed copy to
// the form this engine needs). It refuses a form this ckpt does not know.
func needsHolder(meta *store.Meta, caps engine.Caps) (bool, error) {
	switch netns := meta.NetNSForm(); netns {
	case store.NetNSEmpty, store.NetNSExternal:
		return caps.NetnsHolder, nil
	case "", store.NetNSJoined, store.NetNSShared:
		return false, nil
	default:
		return false, fmt.Errorf("%w: checkpoint %s of %s records its network namespace as %q, which this ckpt does not know; restore it with the ckpt that made it",
			ErrNetNS, meta.Checkpoint, meta.Name, netns)
	}
}

// holderRun is one restore through a network holder: what was made or
// changed so far, so that a failure puts everything back.
type holderRun struct {
	eng      engine.Engine
	holderID string
	targetID string
	oldID    string // in place: the original, renamed aside
	oldName  string
	undo     []string // what the rollback did, for the error
}

// rollback removes what the restore created and gives the original its
// name back.
func (h *holderRun) rollback(ctx context.Context) string {
	ctx = context.WithoutCancel(ctx)
	if h.targetID != "" {
		if err := h.eng.Remove(ctx, h.targetID); err == nil {
			h.undo = append(h.undo, "removed the new container")
		} else {
			h.undo = append(h.undo, fmt.Sprintf("could not remove the new container %.12s: %v", h.targetID, err))
		}
	}
	if h.holderID != "" {
		if err := h.eng.Remove(ctx, h.holderID); err == nil {
			h.undo = append(h.undo, "removed the network holder")
		} else {
			h.undo = append(h.undo, fmt.Sprintf("could not remove the network holder %.12s: %v", h.holderID, err))
		}
	}
	if h.oldID != "" {
		if err := h.eng.Rename(ctx, h.oldID, h.oldName); err == nil {
			h.undo = append(h.undo, "gave "+h.oldName+" its name back")
		} else {
			h.undo = append(h.undo, fmt.Sprintf("could not rename %.12s back to %s (docker rename %.12s %s): %v", h.oldID, h.oldName, h.oldID, h.oldName, err))
		}
	}
	return "ckpt " + strings.Join(h.undo, ", ")
}

// runHolder restores a checkpoint whose network namespace was dumped as
// external on an engine that cannot restore a container's own network
// (containerd#12141): a holder container ckpt-net-NAME is made from the
// recorded configuration and owns the network, addresses and ports; the
// target is created under NAME (in place: the original is renamed aside
// first, and its writable layer copied into the new one) joining the
// holder's network, and starts from the checkpoint with CRIU's settings in
// its own org.criu.config. On success an in-place original is removed; on
// failure all of it is undone.
func (r Request) runHolder(ctx context.Context, eng engine.Engine, entry store.Entry, meta *store.Meta, set Settings) (res *Result, target *engine.Container, err error) {
	name := r.As
	var orig *engine.Container
	if name == "" {
		name = r.Container
		if orig, err = r.inPlaceTarget(ctx, eng, meta); err != nil {
			return nil, nil, err
		}
		if err := nameFree(ctx, eng, name+oldSuffix, ""); err != nil {
			return nil, nil, err
		}
	} else if _, err := r.asNameFree(ctx, eng); err != nil {
		return nil, nil, err
	}
	holder := engine.HolderName(name)
	r.sweepConfs(ctx, eng)
	if err := nameFree(ctx, eng, holder, name); err != nil {
		return nil, nil, err
	}
	image, err := imageRef(ctx, eng, meta)
	if err != nil {
		return nil, nil, err
	}
	hopt := engine.HolderOptions{Name: holder, For: name, Image: image, KeepAddress: r.As == "", Binary: r.HoldBinary}
	copt := engine.CloneOptions{Name: name, Image: image, NetworkFrom: holder, Runtime: r.runtime}
	if len(r.Publish) > 0 {
		if hopt.Publish, hopt.Expose, err = ParsePublish(r.Publish); err != nil {
			return nil, nil, err
		}
	}
	confPath, _ := r.criuConfPaths(name)
	copt.Annotations = map[string]string{criuConfAnnotation: confPath}
	if _, err := engine.DeriveHolder(meta.Engine, hopt); err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %w (the engine cannot restore it itself: %s)", ErrNetNS, meta.Name, err, upstreamBug)
	}

	h := &holderRun{eng: eng}
	defer func() {
		if err != nil {
			err = fmt.Errorf("%w\n%s", err, h.rollback(ctx))
		}
	}()
	if orig != nil {
		if err := eng.Rename(ctx, orig.ID, name+oldSuffix); err != nil {
			return nil, nil, fmt.Errorf("restore %s: move the original aside: %w", name, err)
		}
		h.oldID, h.oldName = orig.ID, name
	}
	if h.holderID, err = eng.CreateHolder(ctx, meta.Engine, hopt); err != nil {
		return nil, nil, fmt.Errorf("restore %s: %w", name, err)
	}
	if err := eng.Start(ctx, h.holderID, ""); err != nil {
		return nil, nil, fmt.Errorf("restore %s: start the network holder %s: %w", name, holder, err)
	}
	if h.targetID, err = eng.Create(ctx, meta.Engine, copt); err != nil {
		return nil, nil, fmt.Errorf("restore %s: create it joining %s: %w", name, holder, err)
	}
	target, err = eng.Container(ctx, h.targetID)
	if err == nil {
		err = r.checkTarget(target, meta)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("new container %s: %w", name, err)
	}
	carried, err := r.carryLayer(ctx, eng, orig, meta, h.targetID)
	if err != nil {
		return nil, nil, fmt.Errorf("restore %s: carry the writable layer across: %w", name, err)
	}
	if res, err = r.startWith(ctx, eng, h.targetID, name, confPath, entry, set); err != nil {
		return nil, nil, err
	}
	res.Holder, res.Carried = holder, len(carried.Paths)
	if orig != nil {
		res.Replaced = orig.ID
		if rerr := eng.Remove(context.WithoutCancel(ctx), orig.ID); rerr != nil {
			res.Warnings = append(res.Warnings, fmt.Sprintf("the original container %.12s is still there as %s: %v; remove it with docker rm %s", orig.ID, name+oldSuffix, rerr, name+oldSuffix))
		}
	}
	if len(carried.Deleted) > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%d files deleted in the original's writable layer are back in the new container (%s)", len(carried.Deleted), strings.Join(carried.Deleted, ", ")))
	}
	return res, target, nil
}

// carryLayer copies the original's writable layer (files a restored
// process may hold open) into the new container: in place the original;
// for a clone the checkpointed container if it is still there, else the
// container now called by its name if it runs the same image (one an
// in-place restore through a holder re-created); nothing if neither.
func (r Request) carryLayer(ctx context.Context, eng engine.Engine, orig *engine.Container, meta *store.Meta, to string) (engine.Carried, error) {
	for _, ref := range []string{meta.ID, r.Container} {
		if orig != nil || ref == "" {
			break
		}
		if c, err := eng.Container(ctx, ref); err == nil && c.ID != to && (meta.ImageID == "" || c.ImageID == meta.ImageID) {
			orig = c
		}
	}
	if orig == nil {
		return engine.Carried{}, nil
	}
	return eng.CopyChanges(ctx, orig.ID, to, orig.Mounts)
}

// nameFree fails unless no container is called name; a network holder
// ckpt made for container owner is in the way only if owner is "", else it
// is stale (its container is gone or being replaced) and is removed.
func nameFree(ctx context.Context, eng engine.Engine, name, owner string) error {
	c, err := eng.Container(ctx, name)
	switch {
	case errors.Is(err, engine.ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("%w (is dockerd running?)", err)
	case owner != "" && holderFor(c) == owner:
		if err := eng.Remove(ctx, c.ID); err != nil {
			return fmt.Errorf("remove the stale network holder %s: %w", name, err)
		}
		return nil
	}
	return fmt.Errorf("%w: %s exists, and ckpt needs the name; remove it (docker rm -f %s) or rename it", ErrNameTaken, name, name)
}

// holderFor is the HolderLabel of an inspected container, "" if none.
func holderFor(c *engine.Container) string {
	return recordedConfig(c).Config.Labels[engine.HolderLabel]
}

// criuConfPaths are the org.criu.config file of a container ckpt creates,
// and the restore log it names, in the store's hidden .restore folder.
func (r Request) criuConfPaths(container string) (conf, log string) {
	dir := filepath.Join(r.Dir, ".restore")
	return filepath.Join(dir, container+".criu.conf"), filepath.Join(dir, container+".restore.log")
}

// writeCriuConf writes ckpt's CRIU restore settings as a container's own
// configuration file (org.criu.config), which stays: the container's
// annotation names it, and the next restore rewrites it.
func writeCriuConf(conf, logPath string, set Settings) error {
	if err := os.MkdirAll(filepath.Dir(conf), 0o700); err != nil {
		return fmt.Errorf("make %s: %w", filepath.Dir(conf), err)
	}
	_ = os.Remove(logPath)
	content := "# ckpt: CRIU's settings for restoring this container (its org.criu.config annotation names this file)\n" +
		strings.TrimPrefix(restoreConf("", logPath, set), runcConfMarker+"\n")
	if err := os.WriteFile(conf, []byte(content), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", conf, err)
	}
	return nil
}

// keepLog moves the restore log of a start that succeeded from the store's
// .restore folder into the placed checkpoint, where the log of a restore
// through runc.conf is too, and which `ckpt rm` removes; it returns where
// the log now is (still logPath if it could not be moved).
func keepLog(logPath, placed string) string {
	to := filepath.Join(placed, "restore.log")
	if err := os.Rename(logPath, to); err == nil {
		return to
	}
	b, err := os.ReadFile(logPath)
	if err == nil {
		err = os.WriteFile(to, b, 0o600)
	}
	if err != nil {
		return logPath
	}
	_ = os.Remove(logPath)
	return to
}

// sweepConfs removes the CRIU settings files (and restore logs) in the
// store's .restore folder of containers the engine no longer has: a
// settings file stays while its container exists, because the container's
// org.criu.config annotation names it for every later checkpoint and
// restore runc makes of it.
func (r Request) sweepConfs(ctx context.Context, eng engine.Engine) {
	confs, _ := filepath.Glob(filepath.Join(r.Dir, ".restore", "*.criu.conf"))
	for _, conf := range confs {
		name := strings.TrimSuffix(filepath.Base(conf), ".criu.conf")
		if _, err := eng.Container(ctx, name); errors.Is(err, engine.ErrNotFound) {
			_ = os.Remove(conf)
			_ = os.Remove(strings.TrimSuffix(conf, ".criu.conf") + ".restore.log")
		}
	}
}
