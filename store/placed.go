package store

import (
	"path/filepath"
	"strings"
)

// Placed finds what restores placed of the checkpoint in dir under an
// engine's root folder (<root>/containers/*/checkpoints/*): a folder whose
// container.json records the same container, checkpoint and time, or a
// link that leads into dir. `ckpt rm` removes them with the checkpoint, so
// no copy of the container's memory outlives it. Call it before dir is
// removed: a placed folder of links into dir cannot be read after.
func Placed(engineRoot, dir string) []string {
	want, err := ReadMeta(dir)
	if err != nil || engineRoot == "" {
		return nil
	}
	abs, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil
	}
	cands, _ := filepath.Glob(filepath.Join(engineRoot, "containers", "*", "checkpoints", "*"))
	var out []string
	for _, c := range cands {
		if t, err := filepath.EvalSymlinks(c); err == nil && (t == abs || strings.HasPrefix(t, abs+string(filepath.Separator))) {
			out = append(out, c)
			continue
		}
		m, err := ReadMeta(c)
		if err == nil && m.ID == want.ID && m.Checkpoint == want.Checkpoint && m.Timestamp.Equal(want.Timestamp) {
			out = append(out, c)
		}
	}
	return out
}
