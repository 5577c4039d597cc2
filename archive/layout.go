// Package archive is the one owner of ckpt's checkpoint archive: one tar
// file, compressed with zstd or gzip or not at all, laid out as podman and
// CRI-O lay out theirs (the member names of checkpointctl's metadata
// package), so that checkpointctl and the rest of that ecosystem read it,
// plus ckpt's own container.json. It writes an archive from a checkpoint
// folder as a stream (Writer, Export), checks an archive's whole structure
// against hostile input (Check) and extracts it into a checkpoint folder
// (Extract). What the layout means is here and nowhere else.
//
//	container.json          ckpt's record of the container (store.Meta)
//	config.dump             podman's ContainerConfig, for checkpointctl
//	spec.dump               the OCI runtime spec of the container
//	network.status          podman's network status of the container
//	stats-dump, dump.log    CRIU's statistics and log of the dump
//	checkpoint/             CRIU's images
//	rootfs-diff.tar         files the container changed or added in its rootfs
//	deleted.files           JSON list of the files it deleted from its image
//	devshm-checkpoint.tar   /dev/shm (podman's; ckpt does not write it)
//	volumes/<name>.tar      the contents of each named volume
//	image.tar               the container's image, as docker save writes it (ckpt's)
package archive

import (
	"path"
	"regexp"
	"strings"

	"github.com/ckpt/ckpt/store"
)

// Member names of the archive.
const (
	ConfigDumpFile      = "config.dump"
	SpecDumpFile        = "spec.dump"
	NetworkStatusFile   = "network.status"
	StatsDumpFile       = "stats-dump"
	DumpLogFile         = "dump.log"
	CheckpointDirectory = "checkpoint"
	RootfsDiffTar       = "rootfs-diff.tar"
	DeletedFilesFile    = "deleted.files"
	DevShmTar           = "devshm-checkpoint.tar"
	VolumesDirectory    = "volumes"
	ImageTar            = "image.tar" // ckpt's: docker save of the container's image
	MetaFile            = store.MetaFile
)

// Kind says what one archive member is to ckpt.
type Kind int

const (
	KindIgnored      Kind = iota // read and checked, not extracted (podman's own files)
	KindCheckpoint               // a file of CRIU's images: checkpoint/<name>
	KindMeta                     // container.json
	KindDumpLog                  // dump.log
	KindRootfsDiff               // rootfs-diff.tar
	KindDeleted                  // deleted.files
	KindVolume                   // volumes/<name>.tar
	KindImage                    // image.tar
	KindPodmanConfig             // config.dump, which podman's archives have in place of container.json
)

// volumeNameRE is Docker's rule for volume names.
var volumeNameRE = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`)

// Classify says what the member name (clean, relative) is, and for a
// volume its name.
func Classify(name string) (Kind, string) {
	switch name {
	case MetaFile:
		return KindMeta, ""
	case DumpLogFile:
		return KindDumpLog, ""
	case RootfsDiffTar:
		return KindRootfsDiff, ""
	case DeletedFilesFile:
		return KindDeleted, ""
	case ImageTar:
		return KindImage, ""
	case ConfigDumpFile:
		return KindPodmanConfig, ""
	}
	if rest, ok := strings.CutPrefix(name, CheckpointDirectory+"/"); ok && rest != "" {
		return KindCheckpoint, rest
	}
	if rest, ok := strings.CutPrefix(name, VolumesDirectory+"/"); ok {
		if v, ok := strings.CutSuffix(rest, ".tar"); ok && volumeNameRE.MatchString(v) {
			return KindVolume, v
		}
	}
	return KindIgnored, ""
}

// FolderName is the archive member for a file of a checkpoint folder (rel
// is its path in the folder, slash-separated): the folder's own records
// keep their names, everything else is CRIU's and goes under checkpoint/.
// ok is false for what an archive leaves out (restore.log of an earlier
// restore).
func FolderName(rel string) (name string, ok bool) {
	switch rel {
	case MetaFile, DumpLogFile:
		return rel, true
	case "restore.log":
		return "", false
	}
	return path.Join(CheckpointDirectory, rel), true
}

// VolumeMember is the member holding volume name's contents.
func VolumeMember(name string) string { return path.Join(VolumesDirectory, name+".tar") }

// Required are the members without which an archive is no checkpoint ckpt
// can restore; Images those without which it holds no CRIU images to read.
var (
	Images   = []string{CheckpointDirectory + "/inventory.img", CheckpointDirectory + "/pstree.img"}
	Required = append([]string{MetaFile}, Images...)
)
