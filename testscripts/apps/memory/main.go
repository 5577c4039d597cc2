// Command memory fills N MiB with a pattern, prints its checksum, then
// re-verifies the checksum in a loop and prints "ok <n>" each time, or
// "CORRUPT" and exits 1 when the memory no longer matches. A restore that
// loses or mixes up pages shows up at once.
package main

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	mib := flag.Int("mib", 256, "MiB of memory to fill")
	every := flag.Duration("every", time.Second, "time between two checks")
	flag.Parse()
	buf := make([]byte, *mib<<20)
	var x uint32 = 2463534242
	for i := range buf {
		// xorshift: a pattern that neither compresses to zero pages nor repeats per page
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		buf[i] = byte(x)
	}
	want := sha256.Sum256(buf)
	fmt.Printf("filled %d MiB sum %x\n", *mib, want[:8])
	for n := 0; ; n++ {
		if got := sha256.Sum256(buf); got != want {
			fmt.Printf("CORRUPT after %d checks: sum %x\n", n, got[:8])
			os.Exit(1)
		}
		fmt.Printf("ok %d\n", n)
		time.Sleep(*every)
	}
}
