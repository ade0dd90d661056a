// Command ipgen writes N generated address lines (valid and invalid, seeded)
// for bench/ip.sh: the same generator the oracle tests use, kept to one line
// per string.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"

	"netdiag/internal/addrgen"
)

func main() {
	n := flag.Int("n", 1000000, "number of lines")
	seed := flag.Uint64("seed", 1, "generator seed")
	flag.Parse()
	g := addrgen.New(*seed)
	g.SingleLine = true
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	for range *n {
		w.WriteString(g.Next())
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "ipgen:", err)
		os.Exit(1)
	}
}
