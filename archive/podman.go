package archive

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/ckpt/ckpt/engine"
	"github.com/ckpt/ckpt/store"
)

// Manager is the io.container.manager annotation of ckpt's spec.dump.
// checkpointctl reads "libpod" archives as podman's (calling the engine
// Podman) and "cri-o" ones as CRI-O's; anything else it reads in
// containerd's form, taking the container's name from the
// io.kubernetes.cri.container-name annotation and listing the annotations
// under Metadata, where this one says that Docker made the container.
const Manager = "docker"

// PodmanConfig is the part of podman's ContainerConfig (config.dump) that
// checkpointctl reads.
type PodmanConfig struct {
	ID              string    `json:"id"`
	Name            string    `json:"name"`
	RootfsImage     string    `json:"rootfsImage,omitempty"`
	RootfsImageRef  string    `json:"rootfsImageRef,omitempty"`
	RootfsImageName string    `json:"rootfsImageName,omitempty"`
	OCIRuntime      string    `json:"runtime,omitempty"`
	CreatedTime     time.Time `json:"createdTime"`
	CheckpointedAt  time.Time `json:"checkpointedTime"`
}

// networkStatus is podman's network.status: per network, per interface.
type networkStatus map[string]netResult

type netResult struct {
	Interfaces map[string]netInterface `json:"interfaces"`
}

type netInterface struct {
	Subnets    []subnet `json:"subnets"`
	MacAddress string   `json:"mac_address,omitempty"`
}

type subnet struct {
	IPNet   string `json:"ipnet"`
	Gateway string `json:"gateway,omitempty"`
}

// Records are the members that tell other tools about the container.
type Records struct {
	Config, Spec, Network []byte
}

// PodmanRecords makes config.dump, spec.dump and network.status from ckpt's
// record of the container and the OCI spec it ran with (nil when the
// bundle is gone: a spec with its mounts is made from the record).
func PodmanRecords(m *store.Meta, ociSpec []byte) (*Records, error) {
	rec, err := engine.Summarize(m.Engine)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", m.Name, err)
	}
	cfg := PodmanConfig{
		ID: m.ID, Name: m.Name, RootfsImage: m.ImageID, RootfsImageRef: m.ImageID,
		RootfsImageName: m.Image, OCIRuntime: m.Runtime, CheckpointedAt: m.Timestamp,
		CreatedTime: rec.Created,
	}
	var sp specs.Spec
	if len(ociSpec) > 0 {
		if err := json.Unmarshal(ociSpec, &sp); err != nil {
			return nil, fmt.Errorf("OCI spec of %s: %w", m.Name, err)
		}
	} else {
		sp.Version = specs.Version
		for _, d := range m.Mounts {
			sp.Mounts = append(sp.Mounts, specs.Mount{Destination: d.Mountpoint, Type: d.FSType, Source: d.Source})
		}
	}
	if sp.Annotations == nil {
		sp.Annotations = map[string]string{}
	}
	sp.Annotations["io.container.manager"] = Manager
	sp.Annotations["io.kubernetes.cri.container-name"] = m.Name
	net := networkStatus{}
	for _, ep := range rec.Endpoints {
		ifc := netInterface{MacAddress: ep.MAC}
		if ep.IP != "" {
			ifc.Subnets = append(ifc.Subnets, subnet{fmt.Sprintf("%s/%d", ep.IP, ep.PrefixLen), ep.Gateway})
		}
		net[ep.Network] = netResult{map[string]netInterface{"eth0": ifc}}
	}
	var r Records
	if r.Config, err = json.MarshalIndent(cfg, "", "  "); err != nil {
		return nil, err
	}
	if r.Spec, err = json.MarshalIndent(sp, "", "  "); err != nil {
		return nil, err
	}
	if r.Network, err = json.MarshalIndent(net, "", "  "); err != nil {
		return nil, err
	}
	return &r, nil
}

// BundleSpec reads the OCI spec (config.json) of the bundle a checkpoint
// recorded; nil when the bundle is gone.
func BundleSpec(m *store.Meta) []byte {
	if m.BundlePath == "" {
		return nil
	}
	b, err := os.ReadFile(filepath.Join(m.BundlePath, "config.json"))
	if err != nil {
		return nil
	}
	return b
}
