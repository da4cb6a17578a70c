// Command genworkers writes N generated TaskRouter workers as NDJSON to
// stdout, to measure flexroles audit on a file of any size, or with -users
// the matching IdP export, to measure flexroles diff:
//
//	go run ./internal/workergen/genworkers -n 1000000 > workers.ndjson
//	/usr/bin/time -v go run ./cmd/flexroles audit workers.ndjson
//	go run ./internal/workergen/genworkers -users -n 200000 > users.ndjson
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/flexroles/flexroles/internal/workergen"
)

func main() {
	n := flag.Int("n", 1000000, "how many workers to write")
	asUsers := flag.Bool("users", false, "write an IdP export of users instead of workers")
	flag.Parse()
	write := workergen.Write
	if *asUsers {
		write = workergen.WriteUsers
	}
	if err := write(os.Stdout, *n); err != nil {
		fmt.Fprintln(os.Stderr, "genworkers:", err)
		os.Exit(1)
	}
}
