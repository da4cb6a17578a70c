package main

import (
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// versionUsage is the usage of the version command, printed by version -h.
const versionUsage = `usage:
  flexroles version

Prints the version of the flexroles module the command was built from, as
Go records it in the binary: the version go install …/cmd/flexroles@VERSION
installed (v1.2.0), or for a build from a clone the pseudo-version Go
derived from its tags and commit, or (devel) when the build did not stamp
them. When the build recorded the commit (go build with VCS stamping, the
default in a git checkout), it follows, with "modified" when the work tree
had changes; then the Go version.

Exit status: 0, or 2 on bad usage.
`

// runVersion runs "flexroles version" with the arguments after the command
// name and returns the exit status.
func runVersion(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	if code, done := parseCommand(fs, args, versionUsage, stdout, stderr); done {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "version: unexpected argument %q", fs.Arg(0))
	}
	bi, ok := debug.ReadBuildInfo()
	fmt.Fprintln(stdout, versionLine(bi, ok))
	return exitOK
}

// versionLine is the line version prints for the build information bi
// (ok false when the binary has none): "flexroles VERSION", then the
// commit and its time when recorded, then the Go version.
func versionLine(bi *debug.BuildInfo, ok bool) string {
	if !ok || bi == nil {
		return "flexroles (unknown): the binary holds no build information"
	}
	version := bi.Main.Version
	if version == "" {
		version = "(devel)"
	}
	parts := []string{"flexroles " + version}
	var revision, at string
	var modified bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if revision != "" {
		commit := "commit " + revision[:min(len(revision), 12)]
		if at != "" {
			commit += " of " + at
		}
		if modified {
			commit += ", modified"
		}
		parts = append(parts, commit)
	}
	if bi.GoVersion != "" {
		parts = append(parts, bi.GoVersion)
	}
	return strings.Join(parts, ", ")
}
