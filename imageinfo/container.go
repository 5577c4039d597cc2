package imageinfo

import "time"

// Container is what a summary shows of the container a checkpoint was made
// from: the head of the record ckpt dump keeps beside the images
// (container.json). imageinfo reads CRIU images only; the caller reads
// that record and hands this over (Summary.AddContainer).
type Container struct {
	Name         string    `json:"name"`
	ID           string    `json:"id"`
	Image        string    `json:"image"`
	Checkpoint   string    `json:"checkpoint"` // the checkpoint's name
	Created      time.Time `json:"created"`    // when the dump finished
	CriuVersion  string    `json:"criu_version"`
	DurationMS   int64     `json:"duration_ms"` // of the dump
	LeaveRunning bool      `json:"leave_running"`
	// Mounts counts the container's mounts by what the dump did with
	// them: handed to CRIU as external, left to CRIU, or the root.
	Mounts MountCounts `json:"mounts"`
	// Cmdlines are the command lines of the processes, by pid inside the
	// container (as in the images): CRIU's images keep none. In the
	// summary they go to the processes.
	Cmdlines map[uint32][]string `json:"-"`
}

// MountCounts counts mounts by the dump's decision.
type MountCounts struct {
	External int `json:"external"`
	Internal int `json:"internal"`
	Root     int `json:"root"`
}

// AddContainer puts what the caller knows of the container into the
// summary: c itself, and the command lines of the processes.
func (s *Summary) AddContainer(c *Container) {
	s.Container = c
	if c == nil {
		return
	}
	for i := range s.Processes {
		s.Processes[i].Cmdline = c.Cmdlines[s.Processes[i].PID]
	}
}
