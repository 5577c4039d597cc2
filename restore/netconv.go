package restore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ckpt/ckpt/imageinfo"
	"github.com/ckpt/ckpt/store"
)

// Checkpoints move between engines that treat the container's own network
// namespace differently. Engine 20.10 plumbs a new network into a restored
// empty namespace, so ckpt dumps there with --empty-ns net (NetNS
// "empty", no netns image); an engine that restores through a network
// holder (Engine 28 and newer) needs the namespace marked external under
// runc's key extRootNetNS (NetNS "external", a netns image holding only
// that ext_key), so that CRIU puts the processes into the holder's. The
// two differ in that one image only: neither form carries links,
// addresses, routes or firewall rules (CRIU skips them for both), so a
// checkpoint of one form is converted to the other by writing or removing
// the root task's netns image.
//
// The conversion is made on the copy placed for the engine
// (<root>/containers/<id>/checkpoints/<name>), never on the store's
// folder: the stored checkpoint stays as it was dumped, consistent with
// its criu_args, and restorable on both engines, even at once (restores
// share its read lock); nothing has to be put back when a restore fails;
// and an import, which restores from a store folder like any other,
// needs nothing of its own. The placed folder records the converted form
// in its container.json, so it stays self-describing. Its other files are
// hard links into the store, so the two converted files are replaced, not
// written through.

// netNSFor is the form the container's own network namespace must have
// for this engine's restore: external through a network holder, emptied
// otherwise; "" for a checkpoint whose namespace was not its own (joined
// from another container, or the host's), which is restored as dumped.
func netNSFor(meta *store.Meta, holder bool) string {
	switch meta.NetNSForm() {
	case store.NetNSEmpty, store.NetNSExternal:
		if holder {
			return store.NetNSExternal
		}
		return store.NetNSEmpty
	}
	return ""
}

// netConversion decides, before anything is touched, the form the placed
// checkpoint is converted to ("" for none), and checks in the store's
// folder dir that the conversion can be made: the root task's netns image
// must be in one of the two forms ckpt writes, and a namespace emptied
// must be the checkpoint's only one (CRIU empties one namespace, the
// root's).
func netConversion(dir string, meta *store.Meta, holder bool) (string, error) {
	want := netNSFor(meta, holder)
	if want == "" || want == meta.NetNSForm() {
		return "", nil
	}
	name, data, others, err := imageinfo.RootNetns(dir)
	if err == nil && want == store.NetNSEmpty && others > 0 {
		err = fmt.Errorf("%w: its processes use %d more network namespaces, and CRIU empties only one", imageinfo.ErrNetnsForm, others)
	}
	if err == nil {
		_, err = imageinfo.SetNetnsExtKey(data, filepath.Join(dir, name), extKeyFor(want))
	}
	if err != nil {
		return "", fmt.Errorf("%w: checkpoint %s of %s was dumped with its network namespace %s, and this engine needs it %s: ckpt cannot convert it: %w; restore it on an engine of the kind it was made on, or dump the container again on this one",
			ErrNetNS, meta.Checkpoint, meta.Name, meta.NetNSForm(), want, err)
	}
	return want, nil
}

// extKeyFor is the netns image's ext_key for a form: runc's key for a
// namespace it hands CRIU, none for one CRIU makes empty.
func extKeyFor(form string) string {
	if form == store.NetNSExternal {
		return imageinfo.ExtRootNetNS
	}
	return ""
}

// convertPlaced converts the placed checkpoint folder dir to the network
// namespace form want ("" leaves it as it is) and records the form in its
// container.json.
func convertPlaced(dir, want string) error {
	if want == "" {
		return nil
	}
	meta, err := store.ReadMeta(dir)
	if err != nil {
		return err
	}
	if meta.NetNSForm() == want {
		return nil
	}
	name, data, _, err := imageinfo.RootNetns(dir)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, name)
	out, err := imageinfo.SetNetnsExtKey(data, path, extKeyFor(want))
	if err != nil {
		return err
	}
	if err := replaceFile(path, out); err != nil {
		return err
	}
	meta.NetNS = want
	if err := replaceFile(filepath.Join(dir, store.MetaFile), nil); err != nil {
		return err
	}
	return store.WriteMeta(dir, meta)
}

// replaceFile removes path, a hard link into the store maybe, and, unless
// data is nil, writes data as a new file there.
func replaceFile(path string, data []byte) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("replace %s: %w", path, err)
	}
	if data == nil {
		return nil
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
