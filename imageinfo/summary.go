package imageinfo

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/checkpoint-restore/go-criu/v8/crit/images/fdinfo"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/mnt"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/stats"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/utsns"
)

// Summary is what `ckpt images show` prints about a checkpoint. One model
// feeds both renderers: WriteTree for people and WriteJSON for scripts,
// whose top-level keys name the sections.
type Summary struct {
	Dir        string         `json:"dir"`
	Container  *Container     `json:"container,omitempty"` // nil unless the caller adds it
	Processes  []Process      `json:"processes"`
	Memory     Memory         `json:"memory"`
	Files      []ProcessFiles `json:"files"`
	Sockets    []Socket       `json:"sockets"`
	Mounts     []Mount        `json:"mounts"`
	Namespaces []Namespace    `json:"namespaces"`
	DumpStats  *DumpStats     `json:"dump_stats,omitempty"` // nil without stats-dump
	Disk       Disk           `json:"disk"`
}

// Memory sums the pagemap images: what was dumped, never what pages-*.img
// holds byte for byte (Show does not read those).
type Memory struct {
	Processes []ProcessMemory `json:"processes"`
	Pages     uint64          `json:"pages_dumped"`
	Bytes     uint64          `json:"bytes_dumped"`
}

// ProcessMemory is the memory of one process.
type ProcessMemory struct {
	PID           uint32 `json:"pid"`
	VMAs          int    `json:"vmas"`
	MappedBytes   uint64 `json:"mapped_bytes"`    // sum of VMA sizes
	PagesDumped   uint64 `json:"pages_dumped"`    // present pages written to pages-*.img
	PagesInParent uint64 `json:"pages_in_parent"` // pages left in a parent checkpoint
	BytesDumped   uint64 `json:"bytes_dumped"`
}

// Socket is one inet socket and the descriptors that hold it.
type Socket struct {
	Owners   []string `json:"owners"` // "pid:fd"
	Proto    string   `json:"proto"`  // tcp, tcp6, udp, ...
	State    string   `json:"state"`
	Local    string   `json:"local"`
	Remote   string   `json:"remote,omitempty"`
	Inode    uint32   `json:"inode"`
	Summary  string   `json:"summary"`
	FileID   uint32   `json:"file_id"`
	Listener bool     `json:"listener"`
}

// Mount is one mount of the checkpoint's mount namespaces.
type Mount struct {
	ID         uint32 `json:"id"`
	ParentID   uint32 `json:"parent_id"`
	Mountpoint string `json:"mountpoint"`
	FSType     string `json:"fstype"`
	Source     string `json:"source"`
	Root       string `json:"root"`
	External   string `json:"external,omitempty"` // the --external key, if any
}

// Namespace is one namespace of the root process.
type Namespace struct {
	Kind   string `json:"kind"`
	ID     uint32 `json:"id"`
	Detail string `json:"detail,omitempty"`
}

// DumpStats is CRIU's stats-dump. Times are in microseconds.
type DumpStats struct {
	FreezingTimeUs     uint32 `json:"freezing_time_us"`
	FrozenTimeUs       uint32 `json:"frozen_time_us"`
	MemdumpTimeUs      uint32 `json:"memdump_time_us"`
	MemwriteTimeUs     uint32 `json:"memwrite_time_us"`
	PagesScanned       uint64 `json:"pages_scanned"`
	PagesSkippedParent uint64 `json:"pages_skipped_parent"`
	PagesWritten       uint64 `json:"pages_written"`
	PagesLazy          uint64 `json:"pages_lazy"`
}

// Disk is the size of the checkpoint folder, from file sizes only.
type Disk struct {
	Files      int    `json:"files"`
	Bytes      int64  `json:"bytes"`
	PagesBytes int64  `json:"pages_bytes"` // of pages-*.img
	Human      string `json:"human"`
}

// Show reads the checkpoint in dir and summarises it. It reads pstree,
// core, ids, mm, pagemap, fdinfo, fs, files, mountpoints, utsns and
// stats-dump images, and only stats pages-*.img. What ckpt recorded about
// the container is not in the images: see AddContainer.
func Show(dir string) (*Summary, error) {
	c, err := openCheckpoint(dir)
	if err != nil {
		return nil, err
	}
	s := &Summary{Dir: dir, Sockets: []Socket{}, Mounts: []Mount{}, Namespaces: []Namespace{}}
	ps, err := c.ps()
	if err != nil {
		return nil, err
	}
	s.Processes = ps.Processes
	if s.Memory, err = c.memory(ps.Processes); err != nil {
		return nil, err
	}
	fds, err := c.fds()
	if err != nil {
		return nil, err
	}
	s.Files = fds.Processes
	if s.Sockets, err = c.sockets(); err != nil {
		return nil, err
	}
	if s.Mounts, err = c.mounts(); err != nil {
		return nil, err
	}
	if s.Namespaces, err = c.namespaces(ps.Processes[0].PID); err != nil {
		return nil, err
	}
	if s.DumpStats, err = c.dumpStats(); err != nil {
		return nil, err
	}
	if s.Disk, err = diskUsage(dir); err != nil {
		return nil, err
	}
	return s, nil
}

func (c *checkpoint) memory(procs []Process) (Memory, error) {
	m := Memory{Processes: make([]ProcessMemory, 0, len(procs))}
	for _, p := range procs {
		pm := ProcessMemory{PID: p.PID}
		var err error
		if pm.VMAs, pm.MappedBytes, err = c.mmSize(p.PID); err != nil {
			return Memory{}, err
		}
		if pm.PagesDumped, pm.PagesInParent, err = c.pageCounts(p.PID); err != nil {
			return Memory{}, err
		}
		pm.BytesDumped = pm.PagesDumped * pageSize
		m.Pages += pm.PagesDumped
		m.Bytes += pm.BytesDumped
		m.Processes = append(m.Processes, pm)
	}
	return m, nil
}

func (c *checkpoint) sockets() ([]Socket, error) {
	// Find which descriptors hold each socket.
	owners := map[uint32][]string{}
	tree, err := c.pstree()
	if err != nil {
		return nil, err
	}
	for _, p := range tree {
		fds, err := c.fdinfos(p.GetPid())
		if err != nil {
			return nil, err
		}
		for _, fd := range fds {
			owners[fd.GetId()] = append(owners[fd.GetId()], fmt.Sprintf("%d:%d", p.GetPid(), fd.GetFd()))
		}
	}
	out := []Socket{}
	list, err := all[*fdinfo.FileEntry](c, "files.img", "FILES", true)
	if err != nil {
		return nil, err
	}
	for _, f := range list {
		sk := f.GetIsk()
		if sk == nil {
			continue
		}
		s := Socket{
			Owners: owners[f.GetId()], Proto: protoName(sk.GetFamily(), sk.GetType(), sk.GetProto()),
			State: tcpState(sk.GetState()), Local: hostPort(sk.GetSrcAddr(), sk.GetSrcPort()),
			Inode: sk.GetIno(), Summary: describeInet(sk), FileID: f.GetId(), Listener: sk.GetState() == 10,
		}
		if s.Owners == nil {
			s.Owners = []string{}
		}
		if !s.Listener {
			s.Remote = hostPort(sk.GetDstAddr(), sk.GetDstPort())
		}
		out = append(out, s)
	}
	return out, nil
}

func (c *checkpoint) mounts() ([]Mount, error) {
	names, err := filepath.Glob(filepath.Join(c.dir, "mountpoints-*.img"))
	if err != nil {
		return nil, err
	}
	out := []Mount{}
	for _, path := range names {
		list, err := all[*mnt.MntEntry](c, filepath.Base(path), "MNTS", false)
		if err != nil {
			return nil, err
		}
		for _, m := range list {
			fstype := m.GetFsname()
			if fstype == "" {
				fstype = strings.ToLower(mnt.Fstype(m.GetFstype()).String())
			}
			out = append(out, Mount{
				ID: m.GetMntId(), ParentID: m.GetParentMntId(), Mountpoint: m.GetMountpoint(),
				FSType: fstype, Source: m.GetSource(), Root: m.GetRoot(), External: m.GetExtKey(),
			})
		}
	}
	return out, nil
}

func (c *checkpoint) namespaces(pid uint32) ([]Namespace, error) {
	ids, err := c.ids(pid)
	if err != nil {
		return nil, err
	}
	out := []Namespace{}
	add := func(kind string, has bool, id uint32, detail string) {
		if has {
			out = append(out, Namespace{Kind: kind, ID: id, Detail: detail})
		}
	}
	var hostname string
	if ids.UtsNsId != nil {
		u, err := all[*utsns.UtsnsEntry](c, fmt.Sprintf("utsns-%d.img", ids.GetUtsNsId()), "UTSNS", true)
		if err != nil {
			return nil, err
		}
		if len(u) > 0 {
			hostname = "hostname " + u[0].GetNodename()
		}
	}
	add("pid", (ids.PidNsId != nil), ids.GetPidNsId(), "")
	add("net", (ids.NetNsId != nil), ids.GetNetNsId(), "")
	add("ipc", (ids.IpcNsId != nil), ids.GetIpcNsId(), "")
	add("uts", (ids.UtsNsId != nil), ids.GetUtsNsId(), hostname)
	add("mnt", (ids.MntNsId != nil), ids.GetMntNsId(), "")
	add("user", (ids.UserNsId != nil), ids.GetUserNsId(), "")
	add("cgroup", (ids.CgroupNsId != nil), ids.GetCgroupNsId(), "")
	add("time", (ids.TimeNsId != nil), ids.GetTimeNsId(), "")
	return out, nil
}

// ReadDumpStats reads CRIU's stats-dump from dir, which may be a dump's
// work folder rather than a whole checkpoint; nil if there is none.
func ReadDumpStats(dir string) (*DumpStats, error) {
	c := &checkpoint{dir: dir, imgs: map[string]*Image{}}
	return c.dumpStats()
}

func (c *checkpoint) dumpStats() (*DumpStats, error) {
	img, err := c.optional("stats-dump", "STATS")
	if err != nil || img == nil || len(img.Entries) == 0 {
		return nil, err
	}
	st, err := entryAs[*stats.StatsEntry](img, 0, filepath.Join(c.dir, "stats-dump"))
	if err != nil || st.GetDump() == nil {
		return nil, err
	}
	d := st.GetDump()
	return &DumpStats{
		FreezingTimeUs: d.GetFreezingTime(), FrozenTimeUs: d.GetFrozenTime(),
		MemdumpTimeUs: d.GetMemdumpTime(), MemwriteTimeUs: d.GetMemwriteTime(),
		PagesScanned: d.GetPagesScanned(), PagesSkippedParent: d.GetPagesSkippedParent(),
		PagesWritten: d.GetPagesWritten(), PagesLazy: d.GetPagesLazy(),
	}, nil
}

// diskUsage sums the sizes of the files in dir, without opening them.
func diskUsage(dir string) (Disk, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return Disk{}, fmt.Errorf("reading checkpoint: %w", err)
	}
	var d Disk
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return Disk{}, fmt.Errorf("reading checkpoint: %w", err)
		}
		d.Files++
		d.Bytes += info.Size()
		if strings.HasPrefix(e.Name(), "pages-") {
			d.PagesBytes += info.Size()
		}
	}
	d.Human = humanBytes(uint64(d.Bytes))
	return d, nil
}

// comm returns the command name of thread tid, from its core image.
func (c *checkpoint) comm(tid uint32) (string, error) {
	core, err := c.core(tid)
	if err != nil {
		return "", err
	}
	return core.GetTc().GetComm(), nil
}

// mmSize returns the number of VMAs of process pid and the sum of their
// sizes.
func (c *checkpoint) mmSize(pid uint32) (vmas int, mapped uint64, err error) {
	m, err := c.mm(pid)
	if err != nil {
		return 0, 0, err
	}
	for _, v := range m.GetVmas() {
		if v.GetEnd() > v.GetStart() {
			mapped += v.GetEnd() - v.GetStart()
		}
	}
	return len(m.GetVmas()), mapped, nil
}

// pageCounts returns the pages of process pid dumped in this checkpoint
// and those left in a parent checkpoint, from its pagemap image.
func (c *checkpoint) pageCounts(pid uint32) (dumped, inParent uint64, err error) {
	entries, err := c.pagemap(pid)
	if err != nil {
		return 0, 0, err
	}
	for _, e := range entries {
		n := nrPages(e)
		switch {
		case e.GetInParent() || e.GetFlags()&pageInParent != 0:
			inParent += n
		case e.GetFlags()&pagePresent != 0 || e.Flags == nil:
			dumped += n
		}
	}
	return dumped, inParent, nil
}
