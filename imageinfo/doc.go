// Package imageinfo decodes, encodes and summarises CRIU checkpoint images.
//
// It builds on go-criu v8: its magic table and the Go types generated from
// CRIU's protobuf definitions (the same schema as CRIU 4.2). DecodeFile
// reads a file whole and decodes it in one pass, the way crit's decode
// does (the entry type from a magic→type table, proto.Unmarshal, the
// payload after an entry as crit's "extra"); MarshalJSON writes crit's JSON
// form through go-protobuf's protojson. On top of what crit does, it checks
// the framing (a length prefix larger than what is left of the file is
// refused before anything is sliced or unmarshalled), its errors name the
// file and the offset, and it offers a summary of a whole checkpoint folder
// (Show) and crit-like views (ps, fds, mems, rss). Summaries never read
// pages-*.img: memory figures come from the pagemap images, so they stay
// fast on checkpoints of any size. imageinfo reads CRIU images only: what
// Show prints of ckpt's container.json is handed to it (Container).
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
//   - Fields that go-criu's definitions lack (written by a CRIU newer than
//     its schema) are dropped by protojson, as crit drops fields its own
//     definitions lack, so such an image does not round-trip.
//   - Raw images are not protobuf and are refused: pages-*.img (memory
//     contents), tmpfs-*.tar.gz.img, and the netns dumps (ifaddr-, route-,
//     route6-, rule-, iptables-, ip6tables-, nftables-*.img).
//   - A non-chunked GHOST_FILE (written by CRIU before 3.x) keeps its
//     contents as the rest of the file; an empty one is refused, as crit
//     cannot decode it either.
package imageinfo
