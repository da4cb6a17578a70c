package main

import (
	"fmt"
	"io"
	"os"
)

// Exit statuses of run.
const (
	exitGranted = 0 // the login is granted, or help was asked for
	exitRefused = 1 // Flex would refuse the login
	exitUsage   = 2 // the command line is wrong
)

// synopsis is the short usage message printed after a usage error.
const synopsis = `usage:
  flexroles resolve [--json] --console ROLE [--console ROLE ...] [--sso roles=ROLES ...]
  flexroles resolve [--json] --sso NAME=VALUE [--sso NAME=VALUE ...]
  flexroles help
`

// usage is the usage message printed by help, -h and --help.
const usage = synopsis + `
Resolves one Twilio Flex login and prints the worker's roles, the Flex
Insights capabilities and the reasons, or why Flex refuses the login.
Run "flexroles resolve -h" for the flags.

Exit status: 0 granted, 1 refused, 2 bad usage.
The manual: go doc github.com/flexroles/flexroles/cmd/flexroles
`

// main runs the command line of the process and exits with its status.
func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run runs the command line args (without the program name) and returns the
// exit status. The outcome goes to stdout, usage errors to stderr; stdin is
// not read by any command yet.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, synopsis)
		return exitUsage
	}
	switch cmd := args[0]; cmd {
	case "resolve":
		return runResolve(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitGranted
	default:
		if len(cmd) > 0 && cmd[0] == '-' {
			return usageError(stderr, "unknown flag %q before the command", cmd)
		}
		return usageError(stderr, "unknown command %q", cmd)
	}
}

// usageError prints a "flexroles:"-prefixed message and the synopsis on
// stderr and returns exitUsage.
func usageError(stderr io.Writer, format string, a ...any) int {
	fmt.Fprintf(stderr, "flexroles: "+format+"\n", a...)
	fmt.Fprint(stderr, synopsis)
	fmt.Fprint(stderr, `Run "flexroles help" or "flexroles resolve -h" for more.`+"\n")
	return exitUsage
}
