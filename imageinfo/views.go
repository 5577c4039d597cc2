package imageinfo

import (
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/checkpoint-restore/go-criu/v8/crit/images/fdinfo"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/fs"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/mm"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/pagemap"
)

// The views below are those of crit's `x` command, as models that render
// as a table (WriteTable) or JSON (WriteJSON).

// PsView is the process tree, in pstree.img order.
type PsView struct {
	Processes []Process `json:"processes"`
}

// Process is one process of a checkpoint. Command lines are not part of
// CRIU's images (they live in the process's memory, in pages-*.img), so
// they are not shown; Comm is the kernel's short name.
type Process struct {
	PID     uint32   `json:"pid"`
	PPID    uint32   `json:"ppid"`
	PGID    uint32   `json:"pgid"`
	SID     uint32   `json:"sid"`
	Comm    string   `json:"comm"`
	Threads []uint32 `json:"threads"`
	// Cmdline is the command line where it was recorded: CRIU's images
	// keep none, ckpt dump writes them into container.json.
	Cmdline []string `json:"cmdline,omitempty"`
}

// Ps reads the process tree of the checkpoint in dir: pstree.img and the
// core image of each process.
func Ps(dir string) (*PsView, error) { return view(dir, (*checkpoint).ps) }

func (c *checkpoint) ps() (*PsView, error) {
	tree, err := c.pstree()
	if err != nil {
		return nil, err
	}
	v := &PsView{Processes: make([]Process, 0, len(tree))}
	for _, p := range tree {
		comm, err := c.comm(p.GetPid())
		if err != nil {
			return nil, err
		}
		threads := p.GetThreads()
		if threads == nil {
			threads = []uint32{}
		}
		v.Processes = append(v.Processes, Process{
			PID: p.GetPid(), PPID: p.GetPpid(), PGID: p.GetPgid(), SID: p.GetSid(),
			Comm: comm, Threads: threads,
		})
	}
	return v, nil
}

// FdsView lists the open files of each process, plus its cwd and root.
type FdsView struct {
	Processes []ProcessFiles `json:"processes"`
}

// ProcessFiles is the open files of one process.
type ProcessFiles struct {
	PID   uint32 `json:"pid"`
	Files []File `json:"files"`
}

// File is one open file: FD is a number, or "cwd" or "root".
type File struct {
	FD   string `json:"fd"`
	Type string `json:"type"`
	Path string `json:"path"`
}

// Fds reads the open files of every process of the checkpoint in dir.
func Fds(dir string) (*FdsView, error) { return view(dir, (*checkpoint).fds) }

func (c *checkpoint) fds() (*FdsView, error) {
	tree, err := c.pstree()
	if err != nil {
		return nil, err
	}
	files, err := c.files()
	if err != nil {
		return nil, err
	}
	v := &FdsView{Processes: []ProcessFiles{}}
	for _, p := range tree {
		fds, err := c.fdinfos(p.GetPid())
		if err != nil {
			return nil, err
		}
		pf := ProcessFiles{PID: p.GetPid(), Files: make([]File, 0, len(fds)+2)}
		for _, fd := range fds {
			pf.Files = append(pf.Files, File{
				FD:   strconv.FormatUint(uint64(fd.GetFd()), 10),
				Type: fd.GetType().String(),
				Path: describeFile(files, fd.GetId(), fd.GetType()),
			})
		}
		fsEntry, err := single[*fs.FsEntry](c, fmt.Sprintf("fs-%d.img", p.GetPid()), "FS")
		if err != nil {
			return nil, err
		}
		pf.Files = append(pf.Files,
			File{FD: "cwd", Type: "REG", Path: describeFile(files, fsEntry.GetCwdId(), fdinfo.FdTypes_REG)},
			File{FD: "root", Type: "REG", Path: describeFile(files, fsEntry.GetRootId(), fdinfo.FdTypes_REG)})
		v.Processes = append(v.Processes, pf)
	}
	return v, nil
}

// MemsView lists the memory mappings of each process.
type MemsView struct {
	Processes []ProcessMaps `json:"processes"`
}

// ProcessMaps is the executable and the VMAs of one process.
type ProcessMaps struct {
	PID  uint32 `json:"pid"`
	Exe  string `json:"exe"`
	VMAs []VMA  `json:"vmas"`
}

// VMA is one memory mapping. Resource is a file, [stack], [vdso],
// [vsyscall], [heap], shmem[id], or empty for anonymous memory.
type VMA struct {
	Start    uint64 `json:"start"`
	End      uint64 `json:"end"`
	Prot     string `json:"prot"`
	Shared   bool   `json:"shared"`
	Resource string `json:"resource,omitempty"`
}

// VMA status bits (CRIU's VMA_AREA_*, VMA_FILE_*, VMA_ANON_*).
const (
	vmaStack       = 1 << 1
	vmaVsyscall    = 1 << 2
	vmaVdso        = 1 << 3
	vmaHeap        = 1 << 5
	vmaFilePrivate = 1 << 6
	vmaFileShared  = 1 << 7
	vmaAnonShared  = 1 << 8
	vmaVvar        = 1 << 12
)

func vmaResource(files map[uint32]*fdinfo.FileEntry, v interface {
	GetStatus() uint32
	GetFlags() uint32
	GetShmid() uint64
}) string {
	st := v.GetStatus()
	switch {
	case st&(vmaFilePrivate|vmaFileShared) != 0:
		return describeFile(files, uint32(v.GetShmid()), fdinfo.FdTypes_REG)
	case st&vmaVdso != 0:
		return "[vdso]"
	case st&vmaVvar != 0:
		return "[vvar]"
	case st&vmaVsyscall != 0:
		return "[vsyscall]"
	case st&vmaStack != 0:
		return "[stack]"
	case st&vmaHeap != 0:
		return "[heap]"
	case st&vmaAnonShared != 0:
		return fmt.Sprintf("shmem[%d]", v.GetShmid())
	case v.GetFlags()&0x0100 != 0: // MAP_GROWSDOWN
		return "[stack]"
	}
	return ""
}

// Mems reads the memory mappings of every process of the checkpoint in dir.
func Mems(dir string) (*MemsView, error) { return view(dir, (*checkpoint).mems) }

func (c *checkpoint) mems() (*MemsView, error) {
	tree, err := c.pstree()
	if err != nil {
		return nil, err
	}
	files, err := c.files()
	if err != nil {
		return nil, err
	}
	v := &MemsView{Processes: []ProcessMaps{}}
	for _, p := range tree {
		m, err := c.mm(p.GetPid())
		if err != nil {
			return nil, err
		}
		pm := ProcessMaps{PID: p.GetPid(), Exe: describeFile(files, m.GetExeFileId(), fdinfo.FdTypes_REG), VMAs: []VMA{}}
		for _, vma := range m.GetVmas() {
			pm.VMAs = append(pm.VMAs, VMA{
				Start: vma.GetStart(), End: vma.GetEnd(), Prot: protString(vma.GetProt()),
				Shared:   vma.GetFlags()&0x01 != 0, // MAP_SHARED
				Resource: vmaResource(files, vma),
			})
		}
		v.Processes = append(v.Processes, pm)
	}
	return v, nil
}

func (c *checkpoint) mm(pid uint32) (*mm.MmEntry, error) {
	return single[*mm.MmEntry](c, fmt.Sprintf("mm-%d.img", pid), "MM")
}

// pagemap returns the entries of pagemap-PID.img after its head.
func (c *checkpoint) pagemap(pid uint32) ([]*pagemap.PagemapEntry, error) {
	name := fmt.Sprintf("pagemap-%d.img", pid)
	img, err := c.image(name, "PAGEMAP")
	if err != nil {
		return nil, err
	}
	path := filepath.Join(c.dir, name)
	if len(img.Entries) == 0 {
		return nil, &FormatError{Path: path, Offset: -1, Err: fmt.Errorf("%w: no pagemap head", ErrBadEntry)}
	}
	out := make([]*pagemap.PagemapEntry, 0, len(img.Entries)-1)
	for i := 1; i < len(img.Entries); i++ {
		e, err := entryAs[*pagemap.PagemapEntry](img, i, path)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// RssView lists, for each process, the runs of dumped pages and the VMAs
// each run falls in.
type RssView struct {
	Processes []ProcessRss `json:"processes"`
}

// ProcessRss is the dumped pages of one process.
type ProcessRss struct {
	PID  uint32    `json:"pid"`
	Runs []PageRun `json:"runs"`
}

// PageRun is one pagemap entry: Pages pages from Vaddr, and the VMAs that
// overlap it.
type PageRun struct {
	Vaddr    uint64   `json:"vaddr"`
	Pages    uint64   `json:"pages"`
	InParent bool     `json:"in_parent,omitempty"`
	VMAs     []uint64 `json:"vmas"`
	Resource string   `json:"resource,omitempty"`
}

// Rss reads the pagemap and the VMAs of every process of the checkpoint in
// dir. It does not read pages-*.img.
func Rss(dir string) (*RssView, error) { return view(dir, (*checkpoint).rss) }

func (c *checkpoint) rss() (*RssView, error) {
	tree, err := c.pstree()
	if err != nil {
		return nil, err
	}
	files, err := c.files()
	if err != nil {
		return nil, err
	}
	v := &RssView{Processes: []ProcessRss{}}
	for _, p := range tree {
		m, err := c.mm(p.GetPid())
		if err != nil {
			return nil, err
		}
		pm, err := c.pagemap(p.GetPid())
		if err != nil {
			return nil, err
		}
		vmas := m.GetVmas()
		pr := ProcessRss{PID: p.GetPid(), Runs: make([]PageRun, 0, len(pm))}
		for _, e := range pm {
			n := nrPages(e)
			run := PageRun{Vaddr: e.GetVaddr(), Pages: n, InParent: e.GetInParent() || e.GetFlags()&pageInParent != 0, VMAs: []uint64{}}
			end := e.GetVaddr() + n*pageSize
			for _, vma := range vmas {
				if vma.GetStart() < end && vma.GetEnd() > e.GetVaddr() {
					run.VMAs = append(run.VMAs, vma.GetStart())
					if r := vmaResource(files, vma); r != "" {
						run.Resource = r
					}
				}
			}
			pr.Runs = append(pr.Runs, run)
		}
		v.Processes = append(v.Processes, pr)
	}
	return v, nil
}

// view opens the checkpoint in dir and reads one view of it.
func view[V any](dir string, read func(*checkpoint) (V, error)) (V, error) {
	c, err := openCheckpoint(dir)
	if err != nil {
		var zero V
		return zero, err
	}
	return read(c)
}

// fdinfos reads the descriptors of process pid: fdinfo-<files id>.img,
// named by the process's ids image.
func (c *checkpoint) fdinfos(pid uint32) ([]*fdinfo.FdinfoEntry, error) {
	ids, err := c.ids(pid)
	if err != nil {
		return nil, err
	}
	return all[*fdinfo.FdinfoEntry](c, fmt.Sprintf("fdinfo-%d.img", ids.GetFilesId()), "FDINFO", false)
}
