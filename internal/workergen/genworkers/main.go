// Command genworkers writes N generated TaskRouter workers as NDJSON to
// stdout, to measure flexroles audit on a file of any size:
//
//	go run ./internal/workergen/genworkers -n 1000000 > workers.ndjson
//	/usr/bin/time -v go run ./cmd/flexroles audit workers.ndjson
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/flexroles/flexroles/internal/workergen"
)

func main() {
	n := flag.Int("n", 1000000, "how many workers to write")
	flag.Parse()
	if err := workergen.Write(os.Stdout, *n); err != nil {
		fmt.Fprintln(os.Stderr, "genworkers:", err)
		os.Exit(1)
	}
}
