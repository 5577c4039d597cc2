package bundle

import (
	"fmt"

	"github.com/ckpt/ckpt/engine"
)

// checkState refuses a container ckpt cannot checkpoint: one that is not
// running, is paused (CRIU would freeze an already frozen cgroup and the
// pause state would be lost) or is restarting (its pid is about to change).
func checkState(name string, st engine.State) error {
	switch {
	case st.Restarting:
		return &findError{msg: fmt.Sprintf("%s is restarting: wait until `docker ps` shows it up, then retry", name), kind: ErrRestarting}
	case st.Paused:
		return &findError{msg: fmt.Sprintf("%s is paused: resume it with `docker unpause %s` first", name, name), kind: ErrPaused}
	case !st.Running:
		status := st.Status
		if status == "" {
			status = "stopped"
		}
		return &findError{msg: fmt.Sprintf("%s is not running (%s): start it with `docker start %s` first", name, status, name), kind: ErrNotRunning}
	case st.Pid <= 0:
		return &findError{msg: fmt.Sprintf("%s is running but docker reports no pid (%d)", name, st.Pid), kind: ErrNotRunning}
	}
	return nil
}
