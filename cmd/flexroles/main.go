package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/flexroles/flexroles/cmd/flexroles/internal/taskrouter"
)

// Exit statuses of run. resolve and explain use exitGranted and
// exitRefused; validate and test use exitOK and exitFailed.
const (
	exitGranted = 0 // the login is granted, or help was asked for
	exitRefused = 1 // the login is refused
	exitOK      = 0 // the policy is valid, or its test cases pass
	exitFailed  = 1 // the policy is invalid, has no test cases, or one fails
	exitUsage   = 2 // the command line is wrong, or resolve's or explain's policy does not load
)

// synopsis is the short usage message printed after a usage error.
const synopsis = `usage:
  flexroles resolve [--json] [--policy POLICY] --console ROLE [--console ROLE ...] [--sso roles=ROLES ...]
  flexroles resolve [--json] [--policy POLICY] --sso NAME=VALUE [--sso NAME=VALUE ...]
  flexroles explain --policy POLICY <login flags as resolve>
  flexroles validate POLICY
  flexroles test [-v] [--coverage] POLICY
  flexroles diff [--json | --markdown] [--fail-on CHANGES] [--allow-unjudged] --users USERS OLD NEW
  flexroles diff [--json | --markdown] [--fail-on CHANGES] --logins DECISIONS [--policy NEXT]
  flexroles audit [--json] [--policy POLICY --users USERS] [FILE | --workspace WSxxx]
  flexroles saml [--json] [--policy POLICY] [--idp-metadata FILE]
                 [--flex-account AC... | --flex-connection JQ... | --audience ID --acs URL]
                 [--request-id ID] [--now TIME] [RESPONSE]
  flexroles idp-config --idp okta|entra|google [--policy POLICY]
  flexroles serve [--addr HOST:PORT] [--allow-host NAME,...] [--policy POLICY] [--idp-metadata FILE]
  flexroles bridge [check | demo] --config BRIDGE.yaml
  flexroles version
  flexroles help
`

// usage is the usage message printed by help, -h and --help.
const usage = synopsis + `
resolve   resolves one Twilio Flex login, by Twilio's rules and then the
          policy file if given, and prints the worker's roles, the Flex
          Insights capabilities and the reasons, or why the login is refused
explain   shows each rule of the policy file as it applies to one login,
          matched or why not, then the outcome as resolve prints it
validate  checks a policy file and prints every problem with its position
test      runs the test cases written in a policy file
diff      compares two versions of a policy file over the users of an IdP
          export: who gains and loses which roles and Insights
          capabilities, and who is newly refused or admitted; with
          --logins, what Flex received at the logins of the bridge's
          decision log against the policy's decision
saml      verifies a SAMLResponse copied from the browser against the
          IdP's metadata and Flex's ACS URL and audience, every check
          passed, failed or not run, and explains it: what is signed, its
          attributes, what Flex maps, ignores and misses, and the decision
idp-config
          prints what to set up in Okta, Entra ID or Google Workspace so
          that assertions carry what Flex and the policy read
serve     serves the playground, a local web page to edit a policy and see
          the roles, Insights capabilities and Flex pages a login gets,
          and the whole policy as a matrix
audit     checks TaskRouter workers' attributes (from a file, stdin or a
          workspace) for roles that break Flex's rules or will change at
          the next login
bridge    serves the SAML bridge: Flex's identity provider, in front of
          yours, that resolves every login with the policy and signs what
          Flex receives (check: print the setup; demo: try it locally)
version   prints the command's module version and the commit it was built
          from

Run "flexroles COMMAND -h" for a command's flags. Any path argument of
resolve, explain, validate, test, diff, idp-config, serve, audit and saml (a
policy, an IdP export, workers, IdP metadata) may be "-" for standard
input, named "stdin" in messages; one per command line.

Exit status: 0 granted, valid, passed or clean, or serve or bridge stopped;
1 refused, invalid, failed, an error-level finding, a change diff
--fail-on names or users diff could not judge; 2 bad usage, input that
cannot be read, an address serve cannot listen on, a policy given to
resolve, explain, diff or audit that does not load, or a bridge
configuration that does not load.
The manual: go doc github.com/flexroles/flexroles/cmd/flexroles
`

// main runs the command line of the process and exits with its status.
func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run runs the command line args (without the program name) and returns the
// exit status. The outcome goes to stdout, usage errors to stderr; stdin is
// read by audit when it is given no file.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, synopsis)
		return exitUsage
	}
	switch cmd := args[0]; cmd {
	case "resolve":
		return runResolve(args[1:], stdin, stdout, stderr)
	case "explain":
		return runExplain(args[1:], stdin, stdout, stderr)
	case "validate":
		return runValidate(args[1:], stdin, stdout, stderr)
	case "test":
		return runTest(args[1:], stdin, stdout, stderr)
	case "diff":
		return runDiff(args[1:], stdin, stdout, stderr)
	case "saml":
		return runSAML(args[1:], stdin, stdout, stderr)
	case "idp-config":
		return runIDPConfig(args[1:], stdin, stdout, stderr)
	case "serve":
		return runServe(args[1:], stdin, stdout, stderr)
	case "bridge":
		return runBridge(args[1:], stdout, stderr)
	case "audit":
		return runAudit(args[1:], stdin, stdout, stderr, auditEnv{live: taskrouter.Config{Getenv: os.Getenv}})
	case "version":
		return runVersion(args[1:], stdout, stderr)
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

// usageError prints a "flexroles:"-prefixed message on stderr, then the
// usage of the command the message begins with ("diff: ...", "audit takes
// ..."): its lines of the synopsis, or the whole synopsis when the message
// names no command ("unknown command"); it returns exitUsage.
func usageError(stderr io.Writer, format string, a ...any) int {
	msg := fmt.Sprintf(format, a...)
	first, _, _ := strings.Cut(msg, " ")
	cmd := strings.TrimSuffix(first, ":")
	var b strings.Builder
	b.WriteString("flexroles: " + msg + "\n")
	if lines := commandSynopsis(cmd); lines != "" {
		b.WriteString("usage:\n" + lines)
		b.WriteString(`Run "flexroles ` + cmd + ` -h" for more.` + "\n")
	} else {
		b.WriteString(synopsis)
		b.WriteString(`Run "flexroles help" or "flexroles COMMAND -h" for more.` + "\n")
	}
	fmt.Fprint(stderr, b.String())
	return exitUsage
}

// commandSynopsis returns the lines of the synopsis for the command cmd,
// with the indented lines that continue them, or "" when it has none.
func commandSynopsis(cmd string) string {
	var b strings.Builder
	in := false
	for _, line := range strings.SplitAfter(synopsis, "\n") {
		switch rest, ok := strings.CutPrefix(line, "  flexroles "+cmd); {
		case ok && (rest == "\n" || strings.HasPrefix(rest, " ")):
			in = true
		case !strings.HasPrefix(line, "   "):
			in = false
		}
		if in {
			b.WriteString(line)
		}
	}
	return b.String()
}
