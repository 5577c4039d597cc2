package engine

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/docker/docker/api/types/container"
)

// Summary is what other packages read of a recorded inspect view
// (store.Meta.Engine), as plain data, so that only engine/ names Docker's
// types: when the container was created and its network endpoints.
type Summary struct {
	Created   time.Time  // zero when the record does not say
	Endpoints []Endpoint // by network name
}

// Endpoint is the container's place on one network.
type Endpoint struct {
	Network   string
	MAC       string
	IP        string // "" when it had no IPv4 address
	PrefixLen int
	Gateway   string
}

// Summarize reads a recorded inspect view; an empty record gives an empty
// Summary.
func Summarize(recorded json.RawMessage) (Summary, error) {
	var s Summary
	if len(recorded) == 0 {
		return s, nil
	}
	var ins container.InspectResponse
	if err := json.Unmarshal(recorded, &ins); err != nil {
		return s, fmt.Errorf("engine record: %w", err)
	}
	if ins.ContainerJSONBase != nil {
		s.Created, _ = time.Parse(time.RFC3339Nano, ins.Created)
	}
	if ins.NetworkSettings != nil {
		for name, ep := range ins.NetworkSettings.Networks {
			if ep == nil {
				continue
			}
			s.Endpoints = append(s.Endpoints, Endpoint{Network: name, MAC: ep.MacAddress, IP: ep.IPAddress, PrefixLen: ep.IPPrefixLen, Gateway: ep.Gateway})
		}
	}
	sort.Slice(s.Endpoints, func(i, j int) bool { return s.Endpoints[i].Network < s.Endpoints[j].Network })
	return s, nil
}
