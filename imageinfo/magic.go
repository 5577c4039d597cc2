package imageinfo

import (
	"fmt"
	"sync"

	"github.com/checkpoint-restore/go-criu/v8/crit/images/apparmor"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/autofs"
	binfmt_misc "github.com/checkpoint-restore/go-criu/v8/crit/images/binfmt-misc"
	bpfmap_data "github.com/checkpoint-restore/go-criu/v8/crit/images/bpfmap-data"
	bpfmap_file "github.com/checkpoint-restore/go-criu/v8/crit/images/bpfmap-file"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/cgroup"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/cpuinfo"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/creds"
	criu_core "github.com/checkpoint-restore/go-criu/v8/crit/images/criu-core"
	criu_sa "github.com/checkpoint-restore/go-criu/v8/crit/images/criu-sa"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/eventfd"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/eventpoll"
	ext_file "github.com/checkpoint-restore/go-criu/v8/crit/images/ext-file"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/fdinfo"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/fh"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/fifo"
	file_lock "github.com/checkpoint-restore/go-criu/v8/crit/images/file-lock"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/fs"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/fsnotify"
	ghost_file "github.com/checkpoint-restore/go-criu/v8/crit/images/ghost-file"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/inventory"
	ipc_var "github.com/checkpoint-restore/go-criu/v8/crit/images/ipc-var"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/memfd"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/mm"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/mnt"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/netdev"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/ns"
	packet_sock "github.com/checkpoint-restore/go-criu/v8/crit/images/packet-sock"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/pagemap"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/pidns"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/pipe"
	pipe_data "github.com/checkpoint-restore/go-criu/v8/crit/images/pipe-data"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/pstree"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/regfile"
	remap_file_path "github.com/checkpoint-restore/go-criu/v8/crit/images/remap-file-path"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/rlimit"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/seccomp"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/signalfd"
	sk_inet "github.com/checkpoint-restore/go-criu/v8/crit/images/sk-inet"
	sk_netlink "github.com/checkpoint-restore/go-criu/v8/crit/images/sk-netlink"
	sk_packet "github.com/checkpoint-restore/go-criu/v8/crit/images/sk-packet"
	sk_unix "github.com/checkpoint-restore/go-criu/v8/crit/images/sk-unix"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/stats"
	tcp_stream "github.com/checkpoint-restore/go-criu/v8/crit/images/tcp-stream"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/timens"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/timer"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/timerfd"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/tty"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/tun"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/userns"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/utsns"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/vma"
	"github.com/checkpoint-restore/go-criu/v8/magic"
	"google.golang.org/protobuf/proto"
)

// entryTypes maps an image's magic name to a constructor of its entry type.
// PAGEMAP and GHOST_FILE hold a different type in their first entry; see
// newEntry. The IPCNS_SEM, IPCNS_SHM and IPCNS_MSG magics are left out on
// purpose (see the package documentation), as are magics without a protobuf
// entry (KDAT, SIGNAL, CRTOOLS_IMAGES_V1_1).
var entryTypes = map[string]func() proto.Message{
	"APPARMOR":       func() proto.Message { return &apparmor.ApparmorEntry{} },
	"AUTOFS":         func() proto.Message { return &autofs.AutofsEntry{} },
	"BINFMT_MISC":    func() proto.Message { return &binfmt_misc.BinfmtMiscEntry{} },
	"BPFMAP_DATA":    func() proto.Message { return &bpfmap_data.BpfmapDataEntry{} },
	"BPFMAP_FILE":    func() proto.Message { return &bpfmap_file.BpfmapFileEntry{} },
	"CGROUP":         func() proto.Message { return &cgroup.CgroupEntry{} },
	"CORE":           func() proto.Message { return &criu_core.CoreEntry{} },
	"CPUINFO":        func() proto.Message { return &cpuinfo.CpuinfoEntry{} },
	"CREDS":          func() proto.Message { return &creds.CredsEntry{} },
	"EVENTFD_FILE":   func() proto.Message { return &eventfd.EventfdFileEntry{} },
	"EVENTPOLL_FILE": func() proto.Message { return &eventpoll.EventpollFileEntry{} },
	"EVENTPOLL_TFD":  func() proto.Message { return &eventpoll.EventpollTfdEntry{} },
	"EXT_FILES":      func() proto.Message { return &ext_file.ExtFileEntry{} },
	"FANOTIFY_FILE":  func() proto.Message { return &fsnotify.FanotifyFileEntry{} },
	"FANOTIFY_MARK":  func() proto.Message { return &fsnotify.FanotifyMarkEntry{} },
	"FDINFO":         func() proto.Message { return &fdinfo.FdinfoEntry{} },
	"FIFO":           func() proto.Message { return &fifo.FifoEntry{} },
	"FIFO_DATA":      func() proto.Message { return &pipe_data.PipeDataEntry{} },
	"FILES":          func() proto.Message { return &fdinfo.FileEntry{} },
	"FILE_LOCKS":     func() proto.Message { return &file_lock.FileLockEntry{} },
	"FS":             func() proto.Message { return &fs.FsEntry{} },
	"GHOST_FILE":     func() proto.Message { return &ghost_file.GhostChunkEntry{} },
	"IDS":            func() proto.Message { return &criu_core.TaskKobjIdsEntry{} },
	"INETSK":         func() proto.Message { return &sk_inet.InetSkEntry{} },
	"INOTIFY_FILE":   func() proto.Message { return &fsnotify.InotifyFileEntry{} },
	"INOTIFY_WD":     func() proto.Message { return &fsnotify.InotifyWdEntry{} },
	"INVENTORY":      func() proto.Message { return &inventory.InventoryEntry{} },
	"IPC_VAR":        func() proto.Message { return &ipc_var.IpcVarEntry{} },
	"IRMAP_CACHE":    func() proto.Message { return &fh.IrmapCacheEntry{} },
	"ITIMERS":        func() proto.Message { return &timer.ItimerEntry{} },
	"MEMFD_INODE":    func() proto.Message { return &memfd.MemfdInodeEntry{} },
	"MM":             func() proto.Message { return &mm.MmEntry{} },
	"MNTS":           func() proto.Message { return &mnt.MntEntry{} },
	"NETDEV":         func() proto.Message { return &netdev.NetDeviceEntry{} },
	"NETLINK_SK":     func() proto.Message { return &sk_netlink.NetlinkSkEntry{} },
	"NETNS":          func() proto.Message { return &netdev.NetnsEntry{} },
	"NS_FILES":       func() proto.Message { return &ns.NsFileEntry{} },
	"PACKETSK":       func() proto.Message { return &packet_sock.PacketSockEntry{} },
	"PAGEMAP":        func() proto.Message { return &pagemap.PagemapEntry{} },
	"PIDNS":          func() proto.Message { return &pidns.PidnsEntry{} },
	"PIPES":          func() proto.Message { return &pipe.PipeEntry{} },
	"PIPES_DATA":     func() proto.Message { return &pipe_data.PipeDataEntry{} },
	"POSIX_TIMERS":   func() proto.Message { return &timer.PosixTimerEntry{} },
	"PSTREE":         func() proto.Message { return &pstree.PstreeEntry{} },
	"REG_FILES":      func() proto.Message { return &regfile.RegFileEntry{} },
	"REMAP_FPATH":    func() proto.Message { return &remap_file_path.RemapFilePathEntry{} },
	"RLIMIT":         func() proto.Message { return &rlimit.RlimitEntry{} },
	"SECCOMP":        func() proto.Message { return &seccomp.SeccompEntry{} },
	"SIGACT":         func() proto.Message { return &criu_sa.SaEntry{} },
	"SIGNALFD":       func() proto.Message { return &signalfd.SignalfdEntry{} },
	"SK_QUEUES":      func() proto.Message { return &sk_packet.SkPacketEntry{} },
	"STATS":          func() proto.Message { return &stats.StatsEntry{} },
	"TCP_STREAM":     func() proto.Message { return &tcp_stream.TcpStreamEntry{} },
	"TIMENS":         func() proto.Message { return &timens.TimensEntry{} },
	"TIMERFD":        func() proto.Message { return &timerfd.TimerfdEntry{} },
	"TTY_DATA":       func() proto.Message { return &tty.TtyDataEntry{} },
	"TTY_FILES":      func() proto.Message { return &tty.TtyFileEntry{} },
	"TTY_INFO":       func() proto.Message { return &tty.TtyInfoEntry{} },
	"TUNFILE":        func() proto.Message { return &tun.TunfileEntry{} },
	"UNIXSK":         func() proto.Message { return &sk_unix.UnixSkEntry{} },
	"USERNS":         func() proto.Message { return &userns.UsernsEntry{} },
	"UTSNS":          func() proto.Message { return &utsns.UtsnsEntry{} },
	"VMAS":           func() proto.Message { return &vma.VmaEntry{} },
}

// newEntry returns an empty message of the type that entry number index of
// an image with the given magic holds: the first entry of PAGEMAP is a
// pagemap head and the first of GHOST_FILE a ghost file entry; every other
// entry has the magic's one type.
func newEntry(magicName string, index int) (proto.Message, error) {
	if index == 0 {
		switch magicName {
		case "PAGEMAP":
			return &pagemap.PagemapHead{}, nil
		case "GHOST_FILE":
			return &ghost_file.GhostFileEntry{}, nil
		}
	}
	mk, ok := entryTypes[magicName]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnsupportedMagic, magicName)
	}
	return mk(), nil
}

// magicMap is go-criu's table of magic names and numbers, built once.
var magicMap = sync.OnceValue(magic.LoadMagic)

// headerFor returns the 4-byte words that start an image with the given
// magic: CRIU writes IMG_SERVICE before STATS and IRMAP_CACHE, nothing
// before INVENTORY, and IMG_COMMON before every other magic.
func headerFor(magicName string) ([]uint32, error) {
	m := magicMap()
	v, ok := m.ByName[magicName]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownMagic, magicName)
	}
	if _, ok := entryTypes[magicName]; !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnsupportedMagic, magicName)
	}
	switch magicName {
	case "INVENTORY":
		return []uint32{uint32(v)}, nil
	case "STATS", "IRMAP_CACHE":
		return []uint32{uint32(m.ByName["IMG_SERVICE"]), uint32(v)}, nil
	}
	return []uint32{uint32(m.ByName["IMG_COMMON"]), uint32(v)}, nil
}
