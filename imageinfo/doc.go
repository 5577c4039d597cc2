// Package imageinfo decodes, encodes and summarises CRIU checkpoint images.
//
// It builds on go-criu: its magic table and the Go types generated from
// CRIU's protobuf definitions. DecodeFile reads a file whole and decodes it
// in one pass, the way crit's decode does (the entry type from a magic→type
// table, proto.Unmarshal, the payload after an entry as crit's "extra").
// DecodeFileJSON, behind `ckpt images decode`, walks the same frames and
// writes the JSON straight from each entry's wire bytes, guided by the
// entry type's descriptor (wirejson.go): the same bytes as DecodeFile
// followed by MarshalJSON, without building go-protobuf's decoders and
// reflection tables, whose first use is costly in a fresh process.
// Both add what crit lacks for ckpt: a framing check that refuses length
// prefixes larger than what is left of the file before anything is sliced
// or unmarshalled, errors that name the file and the offset, a JSON form
// that is valid JSON for every supported magic, and summaries (Show, Short)
// and crit-like views (ps, fds, mems, rss) of a whole checkpoint folder.
// Summaries never read pages-*.img: memory figures come from the pagemap
// images, so they stay fast on checkpoints of any size. They take the few
// fields they need from the core, mm and pagemap images by walking the
// wire format (lite.go), falling back to the full decode on anything
// unexpected.
//
// # Round trip
//
// DecodeFile followed by Encode gives back the same bytes for every image of
// the checkpoints under testdata (see TestRoundTrip). Exceptions:
//
//   - IPCNS_SEM, IPCNS_SHM and IPCNS_MSG are refused by both DecodeFile and
//     Encode: crit rounds their trailing payloads with (n/k+1)*k, which adds
//     k bytes when n is already aligned, where CRIU rounds up; and CRIU keeps
//     shared memory in pages images when in_pagemap is set. Decoding them
//     the way crit does would misread the entries that follow.
//   - Fields that CRIU 4.2.1 writes and go-criu v7.2.0's protobuf
//     definitions lack (pagemap's 64-bit nr_pages, the inventory's plugins
//     and run id, new core, creds and socket fields) would be dropped by
//     protojson. The JSON form keeps them, in wire format and base64, under
//     "_unknown" in the message that holds them, so they round-trip; but Go
//     writes unknown fields after the known ones, so an image in which CRIU
//     wrote an unknown field before a known one of the same message would
//     come back reordered (none of the fixture images does). A consequence
//     for readers: in CRIU 4.x pagemap entries, "nr_pages" (the old field 2)
//     is 0 and the page count is in "_unknown"; the views use nrPages.
//   - Raw images are not protobuf and are refused: pages-*.img (memory
//     contents), tmpfs-*.tar.gz.img, and the netns dumps (ifaddr-, route-,
//     route6-, rule-, iptables-, ip6tables-, nftables-*.img).
//   - A non-chunked GHOST_FILE (written by CRIU before 3.x) keeps its
//     contents as the rest of the file; an empty one is refused, as crit
//     cannot decode it either.
package imageinfo
