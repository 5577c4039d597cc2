package imageinfo

import (
	"fmt"
	"path/filepath"

	"google.golang.org/protobuf/encoding/protowire"
)

// The summaries need a handful of fields of the core, mm and pagemap
// images, whose generated Go types are costly to decode: a CoreEntry holds
// the registers, FPU and xsave state of the task, and go-protobuf builds the
// decoder of every message type on its first use, which takes longer than
// the rest of `ckpt images show` in a fresh process. The readers below walk
// the wire format of those images with protowire and pick out the fields
// they need, with protobuf's rules (the last value of a scalar wins, a
// field of the wrong wire type is an unknown field). They check the framing
// and the wire format of what they walk, but not the fields they skip
// (CRIU writes valid ones). On anything unexpected (a missing file, bad
// framing, another magic, malformed wire data) they fall back to the full
// decode, so that errors are the ones DecodeFile gives.

// rawEntries returns the protobuf bytes of each entry of the image called
// name, which must have magic magicName and no payloads after its entries
// (CORE, MM, PAGEMAP). ok is false on any error.
func (c *checkpoint) rawEntries(name, magicName string) (entries [][]byte, ok bool) {
	path := filepath.Join(c.dir, name)
	data, err := readImageFile(path)
	if err != nil {
		return nil, false
	}
	s := &scanner{data: data, path: path}
	if got, err := s.readMagic(); err != nil || got != magicName || hasPayload(got) {
		return nil, false
	}
	for s.left() > 0 {
		b, err := s.next()
		if err != nil {
			return nil, false
		}
		entries = append(entries, b)
	}
	return entries, true
}

// wireField is one field of a protobuf message: its varint value or its
// bytes, depending on its wire type.
type wireField struct {
	num    protowire.Number
	typ    protowire.Type
	varint uint64
	bytes  []byte
}

// eachField calls fn for each field of the protobuf message b, in order,
// and reports whether b is well-formed wire data.
func eachField(b []byte, fn func(wireField) bool) bool {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return false
		}
		b = b[n:]
		f := wireField{num: num, typ: typ}
		switch typ {
		case protowire.VarintType:
			f.varint, n = protowire.ConsumeVarint(b)
		case protowire.BytesType:
			f.bytes, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return false
		}
		b = b[n:]
		if !fn(f) {
			return false
		}
	}
	return true
}

// is reports whether f is field num with the given wire type.
func (f wireField) is(num protowire.Number, typ protowire.Type) bool {
	return f.num == num && f.typ == typ
}

// comm returns the command name of thread tid: CoreEntry.tc (field 3),
// TaskCoreEntry.comm (field 6).
func (c *checkpoint) comm(tid uint32) (string, error) {
	if ents, ok := c.rawEntries(fmt.Sprintf("core-%d.img", tid), "CORE"); ok && len(ents) == 1 {
		var comm string
		ok := eachField(ents[0], func(f wireField) bool {
			if !f.is(3, protowire.BytesType) {
				return true
			}
			return eachField(f.bytes, func(g wireField) bool {
				if g.is(6, protowire.BytesType) {
					comm = string(g.bytes)
				}
				return true
			})
		})
		if ok {
			return comm, nil
		}
	}
	core, err := c.core(tid)
	if err != nil {
		return "", err
	}
	return core.GetTc().GetComm(), nil
}

// mmSize returns the number of VMAs of process pid and the sum of their
// sizes: MmEntry.vmas (field 14), VmaEntry.start and end (fields 1 and 2).
func (c *checkpoint) mmSize(pid uint32) (vmas int, mapped uint64, err error) {
	if ents, ok := c.rawEntries(fmt.Sprintf("mm-%d.img", pid), "MM"); ok && len(ents) == 1 {
		vmas, mapped = 0, 0
		ok := eachField(ents[0], func(f wireField) bool {
			if !f.is(14, protowire.BytesType) {
				return true
			}
			var start, end uint64
			vmas++
			ok := eachField(f.bytes, func(g wireField) bool {
				switch {
				case g.is(1, protowire.VarintType):
					start = g.varint
				case g.is(2, protowire.VarintType):
					end = g.varint
				}
				return true
			})
			if end > start {
				mapped += end - start
			}
			return ok
		})
		if ok {
			return vmas, mapped, nil
		}
	}
	m, err := c.mm(pid)
	if err != nil {
		return 0, 0, err
	}
	mapped = 0
	for _, v := range m.GetVmas() {
		if v.GetEnd() > v.GetStart() {
			mapped += v.GetEnd() - v.GetStart()
		}
	}
	return len(m.GetVmas()), mapped, nil
}

// pageCounts returns the pages of process pid dumped in this checkpoint
// and those left in a parent checkpoint, from the entries of its pagemap
// image after the head: PagemapEntry.nr_pages (field 2, or field 5 where
// CRIU 4.x writes it, see nrPages), in_parent (field 3) and flags (field 4).
func (c *checkpoint) pageCounts(pid uint32) (dumped, inParent uint64, err error) {
	if ents, ok := c.rawEntries(fmt.Sprintf("pagemap-%d.img", pid), "PAGEMAP"); ok && len(ents) > 0 {
		dumped, inParent = 0, 0
		ok := eachField(ents[0], func(wireField) bool { return true })
		for _, e := range ents[1:] {
			if !ok {
				break
			}
			var (
				nr32, nr64, flags uint64
				has64, hasFlags   bool
				parent            bool
			)
			ok = eachField(e, func(f wireField) bool {
				switch {
				case f.is(2, protowire.VarintType):
					nr32 = uint64(uint32(f.varint))
				case f.is(3, protowire.VarintType):
					parent = f.varint != 0
				case f.is(4, protowire.VarintType):
					flags, hasFlags = uint64(uint32(f.varint)), true
				case f.is(5, protowire.VarintType):
					nr64, has64 = f.varint, true
				}
				return true
			})
			n := nr32
			if has64 {
				n = nr64
			}
			switch {
			case parent || flags&pageInParent != 0:
				inParent += n
			case flags&pagePresent != 0 || !hasFlags:
				dumped += n
			}
		}
		if ok {
			return dumped, inParent, nil
		}
	}
	entries, err := c.pagemap(pid)
	if err != nil {
		return 0, 0, err
	}
	dumped, inParent = 0, 0
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
