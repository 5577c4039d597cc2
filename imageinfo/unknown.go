package imageinfo

import (
	"encoding/base64"
	"fmt"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// unknownKey is the JSON key that carries, at any level of an entry, the
// protobuf fields that go-criu's definitions do not know, base64-encoded in
// wire format. CRIU 4.2.1 writes several (pagemap's nr_pages, the
// inventory's plugins and run id, new core and socket fields); protojson
// drops them, so without this key an image would not survive
// decode→JSON→encode.
const unknownKey = "_unknown"

// unknownAt is the unknown fields of one message, found at a JSON path.
type unknownAt struct {
	path []pathStep
	raw  []byte
}

// pathStep is a field name and, for repeated fields, an index (else -1).
type pathStep struct {
	field string
	index int
}

// takeUnknown removes every unknownKey from the generic JSON object obj and
// returns where each was.
func takeUnknown(obj map[string]any, path []pathStep, out *[]unknownAt) error {
	if s, ok := obj[unknownKey]; ok {
		str, ok := s.(string)
		if !ok {
			return fmt.Errorf("%s is not a string", unknownKey)
		}
		raw, err := base64.StdEncoding.DecodeString(str)
		if err != nil {
			return fmt.Errorf("%s: %w", unknownKey, err)
		}
		*out = append(*out, unknownAt{path: append([]pathStep(nil), path...), raw: raw})
		delete(obj, unknownKey)
	}
	for k, v := range obj {
		switch v := v.(type) {
		case map[string]any:
			if err := takeUnknown(v, append(path, pathStep{k, -1}), out); err != nil {
				return err
			}
		case []any:
			for i, el := range v {
				if sub, ok := el.(map[string]any); ok {
					if err := takeUnknown(sub, append(path, pathStep{k, i}), out); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// setUnknown puts raw back as the unknown fields of the message at path.
func setUnknown(m protoreflect.Message, path []pathStep, raw []byte) error {
	for _, st := range path {
		fd := m.Descriptor().Fields().ByName(protoreflect.Name(st.field))
		if fd == nil || (fd.Kind() != protoreflect.MessageKind && fd.Kind() != protoreflect.GroupKind) || fd.IsMap() {
			return fmt.Errorf("%s at %q: not a message field", unknownKey, st.field)
		}
		if fd.IsList() != (st.index >= 0) {
			return fmt.Errorf("%s at %q: wrong nesting", unknownKey, st.field)
		}
		if !m.Has(fd) {
			return fmt.Errorf("%s at %q: field not set", unknownKey, st.field)
		}
		if st.index >= 0 {
			list := m.Get(fd).List()
			if st.index >= list.Len() {
				return fmt.Errorf("%s at %q[%d]: no such element", unknownKey, st.field, st.index)
			}
			m = m.Mutable(fd).List().Get(st.index).Message()
		} else {
			m = m.Mutable(fd).Message()
		}
	}
	m.SetUnknown(raw)
	return nil
}
