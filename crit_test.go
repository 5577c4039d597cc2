package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/quotedprintable"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/checkpoint-restore/go-criu/v8/crit/images/opts"
	"github.com/ckpt/ckpt/imageinfo"
	"github.com/rogpeppe/go-internal/testscript"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// critWorks reports whether CRIU's Python crit runs (scripts/setup.sh
// installs it as crit, from the CRIU source tree it builds criu from).
func critWorks() (bool, string) { return commandRuns("crit", "--version") }

// critagree DIR...: `ckpt images decode` and CRIU's `crit decode` give the
// same JSON, field for field, for every image of each checkpoint folder
// except the raw ones (pages-*.img, tmpfs-*.tar.gz.img, ...), which hold no
// protobuf entries. The two are compared after the normalisations of
// critValue, each a difference of notation only.
func cmdCritAgree(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: critagree DIR...")
	}
	for _, dir := range args {
		paths, err := checkpointImages(dir)
		ts.Check(err)
		errs := make([]error, len(paths))
		var wg sync.WaitGroup
		// crit is a Python start-up per image: one per core, so that the
		// scripts that run beside this one keep their timing.
		sem := make(chan struct{}, runtime.NumCPU())
		for i, path := range paths {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				errs[i] = critAgrees(path)
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			ts.Fatalf("%s: ckpt and crit disagree:\n%v", dir, err)
		}
		ts.Logf("%s: %d images agree with crit", dir, len(paths))
	}
}

// checkpointImages lists the protobuf images of a checkpoint folder: the
// *.img files and stats-*, minus the raw images imageinfo refuses.
func checkpointImages(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasSuffix(name, ".img") && !strings.HasPrefix(name, "stats-") {
			continue
		}
		path := filepath.Join(dir, name)
		if _, err := imageinfo.DecodeFile(path); errors.Is(err, imageinfo.ErrRawImage) {
			continue
		}
		out = append(out, path)
	}
	if len(out) < 10 {
		return nil, fmt.Errorf("%s: only %d images", dir, len(out))
	}
	return out, nil
}

// critAgrees compares the output of `ckpt images decode PATH` (through
// the command's own function) with that of `crit decode -i PATH`.
func critAgrees(path string) error {
	var mine bytes.Buffer
	if err := imagesDecode(&mine, path, false); err != nil {
		return err
	}
	theirs, err := exec.Command("crit", "decode", "-i", path).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = fmt.Errorf("%w: %s", err, tail(string(ee.Stderr), 5))
		}
		return fmt.Errorf("%s: crit decode: %w", path, err)
	}
	img, err := imageinfo.DecodeFile(path) // for the entries' types
	if err != nil {
		return err
	}
	a, err := canonicalImage(img, mine.Bytes(), false)
	if err != nil {
		return fmt.Errorf("%s: ckpt's JSON: %w", path, err)
	}
	b, err := canonicalImage(img, theirs, true)
	if err != nil {
		return fmt.Errorf("%s: crit's JSON: %w", path, err)
	}
	if d := jsonDiff("", a, b); d != "" {
		return fmt.Errorf("%s (ckpt, then crit):\n%s", path, d)
	}
	return nil
}

// canonicalImage parses the JSON form of img, as ckpt or as crit writes
// it, into plain values in which notations are made the same.
func canonicalImage(img *imageinfo.Image, data []byte, crit bool) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var top struct {
		Magic   string           `json:"magic"`
		Entries []map[string]any `json:"entries"`
	}
	if err := dec.Decode(&top); err != nil {
		return nil, err
	}
	if len(top.Entries) != len(img.Entries) {
		return nil, fmt.Errorf("%d entries, the image has %d", len(top.Entries), len(img.Entries))
	}
	entries := make([]any, len(top.Entries))
	for i, e := range top.Entries {
		c := map[string]any{}
		desc := img.Entries[i].Message.ProtoReflect().Descriptor()
		for k, v := range e {
			var err error
			if k == "extra" {
				c[k], err = critExtra(v, crit)
			} else {
				c[k], err = critField(desc, k, v, crit)
			}
			if err != nil {
				return nil, fmt.Errorf("entry %d: %s: %w", i, k, err)
			}
		}
		entries[i] = c
	}
	return map[string]any{"magic": top.Magic, "entries": entries}, nil
}

// critField normalises the value v of the field called name of a message
// of type desc; a name the type lacks is an error.
func critField(desc protoreflect.MessageDescriptor, name string, v any, crit bool) (any, error) {
	fd := desc.Fields().ByName(protoreflect.Name(name))
	if fd == nil {
		return nil, fmt.Errorf("no such field in %s", desc.FullName())
	}
	if !fd.IsList() {
		return critValue(fd, v, crit)
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("repeated field is %T, not a list", v)
	}
	out := make([]any, len(list))
	for i, el := range list {
		var err error
		if out[i], err = critValue(fd, el, crit); err != nil {
			return nil, fmt.Errorf("[%d]: %w", i, err)
		}
	}
	return out, nil
}

// critValue normalises one value of field fd. crit decode (without
// --pretty, lib/pycriu/images/pb2dict.py) and ckpt (protojson) write the
// same JSON but for these notations, which are normalised here and only
// for the field kinds named:
//   - 64-bit integers (int64, uint64, sint64, fixed64, sfixed64): crit
//     writes a JSON number, protojson a quoted decimal string; both
//     become the decimal digits.
//   - bytes: crit writes Python's base64.encodebytes (a newline after
//     every 76 characters and at the end), protojson standard base64
//     on one line; and for fields with the option (criu).conv =
//     "unix_name" (unix socket names) crit writes quoted-printable
//     instead. Both become the bytes, in standard base64.
//
// Everything else (32-bit integers, bools, strings, enums by name, nested
// messages, which fields are present) must be written identically.
func critValue(fd protoreflect.FieldDescriptor, v any, crit bool) (any, error) {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("message is %T, not an object", v)
		}
		out := map[string]any{}
		for k, x := range obj {
			var err error
			if out[k], err = critField(fd.Message(), k, x, crit); err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
		}
		return out, nil
	case protoreflect.Int64Kind, protoreflect.Uint64Kind, protoreflect.Sint64Kind,
		protoreflect.Fixed64Kind, protoreflect.Sfixed64Kind:
		if crit {
			n, ok := v.(json.Number)
			if !ok {
				return nil, fmt.Errorf("64-bit integer is %T, not a number", v)
			}
			return "int:" + n.String(), nil
		}
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("64-bit integer is %T, not a quoted number", v)
		}
		return "int:" + s, nil
	case protoreflect.BytesKind:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("bytes are %T, not a string", v)
		}
		var b []byte
		var err error
		switch {
		case !crit:
			b, err = base64.StdEncoding.DecodeString(s)
		case proto.GetExtension(fd.Options(), opts.E_Criu).(*opts.CRIU_Opts).GetConv() == "unix_name":
			b, err = io.ReadAll(quotedprintable.NewReader(strings.NewReader(s)))
		default:
			b, err = critBase64(s)
		}
		if err != nil {
			return nil, err
		}
		return "bytes:" + base64.StdEncoding.EncodeToString(b), nil
	}
	return v, nil
}

// critBase64 decodes Python's base64.encodebytes: lines of 76 characters,
// each ending in a newline.
func critBase64(s string) ([]byte, error) {
	return base64.StdEncoding.DecodeString(strings.ReplaceAll(s, "\n", ""))
}

// critExtra normalises an entry's "extra", the payload that follows it:
// base64 (crit: encodebytes, see critValue), or for TCP_STREAM an object
// of the queues "inq" and "outq", each base64.
func critExtra(v any, crit bool) (any, error) {
	decode := base64.StdEncoding.DecodeString
	if crit {
		decode = critBase64
	}
	one := func(x any) (any, error) {
		s, ok := x.(string)
		if !ok {
			return nil, fmt.Errorf("payload is %T, not a string", x)
		}
		b, err := decode(s)
		return "bytes:" + base64.StdEncoding.EncodeToString(b), err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return one(v)
	}
	out := map[string]any{}
	for k, x := range obj {
		var err error
		if out[k], err = one(x); err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
	}
	return out, nil
}

// jsonDiff lists, one per line, the paths at which a and b differ.
func jsonDiff(path string, a, b any) string {
	if reflect.DeepEqual(a, b) {
		return ""
	}
	ma, okA := a.(map[string]any)
	mb, okB := b.(map[string]any)
	if okA && okB {
		keys := map[string]bool{}
		for k := range ma {
			keys[k] = true
		}
		for k := range mb {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		var out strings.Builder
		for _, k := range sorted {
			out.WriteString(jsonDiff(path+"."+k, ma[k], mb[k]))
		}
		return out.String()
	}
	la, okA := a.([]any)
	lb, okB := b.([]any)
	if okA && okB && len(la) == len(lb) {
		var out strings.Builder
		for i := range la {
			out.WriteString(jsonDiff(fmt.Sprintf("%s[%d]", path, i), la[i], lb[i]))
		}
		return out.String()
	}
	return fmt.Sprintf("  %s: %v != %v\n", path, a, b)
}
