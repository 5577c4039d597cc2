package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// UnmarshalJSON reads container.json as this release writes it, and as
// ckpt's first release wrote it: "bundle" for bundle_path, "created" for
// timestamp, and namespaces as a list of {"type", "path"} objects.
func (m *Meta) UnmarshalJSON(b []byte) error {
	type plain Meta // without this method
	var v struct {
		plain
		Namespaces json.RawMessage `json:"namespaces"`
		Bundle     string          `json:"bundle"`
		Created    time.Time       `json:"created"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*m = Meta(v.plain)
	if m.BundlePath == "" {
		m.BundlePath = v.Bundle
	}
	if m.Timestamp.IsZero() {
		m.Timestamp = v.Created
	}
	ns, err := readNamespaces(v.Namespaces)
	if err != nil {
		return err
	}
	m.Namespaces = ns
	return nil
}

// readNamespaces reads the namespaces key: an object of type → path, or
// the first release's list of {"type", "path"}.
func readNamespaces(raw json.RawMessage) (map[string]string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	if raw[0] != '[' {
		var ns map[string]string
		if err := json.Unmarshal(raw, &ns); err != nil {
			return nil, fmt.Errorf("namespaces: %w", err)
		}
		return ns, nil
	}
	var list []struct {
		Type string `json:"type"`
		Path string `json:"path"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("namespaces: %w", err)
	}
	ns := make(map[string]string, len(list))
	for _, n := range list {
		ns[n.Type] = n.Path
	}
	return ns, nil
}
