package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/cmd/flexroles/internal/outcome"
)

// validateUsage is the usage of the validate command, printed by validate -h.
const validateUsage = `usage:
  flexroles validate POLICY

Loads the policy file POLICY ("-" for standard input) and checks it whole. Prints every problem as
FILE:LINE:COL: FIELD: MESSAGE, or the warnings (legal but likely mistakes,
such as a grant rule that a deny rule always overrides) prefixed "warning: "
and then "POLICY: ok (N rules, M deny rules, K tests)".

Exit status: 0 valid (even with warnings), 1 invalid, 2 bad usage.
`

// testUsage is the usage of the test command, printed by test -h.
const testUsage = `usage:
  flexroles test [-v] [--coverage] POLICY

Runs the test cases written in the policy file's tests list (POLICY "-"
reads it from standard input), in file order,
and prints each failing case as "--- FAIL: NAME (FILE:LINE)" followed by
what it wanted and what it got, then "ok  POLICY  N passed" or
"FAIL  POLICY  N passed, M failed".

  -v          print the passing cases too, as "--- PASS: NAME"
  --coverage  then report which of the policy's rules and settings, and
              which of Twilio's platform rules, the cases reach: each
              policy rule and setting as "reached" with its cases or
              "MISSED", and the platform rules no case reaches. A deny
              rule is reached by a case it refuses, a grant rule by one
              that meets its conditions past Twilio's rules and the deny
              rules, an allow list by one it refuses. The report does not
              change the exit status.

Exit status: 0 every case passed, 1 a case failed, the policy does not load
(its problems are printed as by validate) or it has no test cases, 2 bad
usage.
`

// runValidate runs "flexroles validate" with the arguments after the
// command name and returns the exit status.
func runValidate(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	if code, done := parseCommand(fs, args, validateUsage, stdout, stderr); done {
		return code
	}
	path, code, ok := policyArg(fs, stderr)
	if !ok {
		return code
	}
	p, path, err := loadPolicyArg(path, stdin)
	if err != nil {
		writeIssues(stdout, path, err)
		return exitFailed
	}
	var b strings.Builder
	for _, is := range p.Lint() {
		b.WriteString(issueLine("warning: ", path, is))
	}
	rules, deny, tests := outcome.PolicyCounts(p)
	fmt.Fprintf(&b, "%s: ok (%s, %s, %s)\n", path,
		count(rules, "rule"), count(deny, "deny rule"), count(tests, "test"))
	fmt.Fprint(stdout, b.String())
	return exitOK
}

// runTest runs "flexroles test" with the arguments after the command name
// and returns the exit status.
func runTest(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var verbose, coverage bool
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.BoolVar(&verbose, "v", false, "print the passing cases too")
	fs.BoolVar(&coverage, "coverage", false, "report which rules the cases reach")
	if code, done := parseCommand(fs, args, testUsage, stdout, stderr); done {
		return code
	}
	path, code, ok := policyArg(fs, stderr)
	if !ok {
		return code
	}
	p, path, err := loadPolicyArg(path, stdin)
	if err != nil {
		writeIssues(stdout, path, err)
		fmt.Fprintf(stdout, "FAIL  %s  [invalid policy]\n", path)
		return exitFailed
	}
	results := p.Test()
	if len(results) == 0 {
		fmt.Fprintf(stdout, "%s: no test cases: add a tests list; an untested policy proves nothing\n", path)
		fmt.Fprintf(stdout, "FAIL  %s  [no tests]\n", path)
		return exitFailed
	}
	var (
		b              strings.Builder
		passed, failed int
	)
	for _, r := range results {
		if r.Failure == "" {
			passed++
			if verbose {
				b.WriteString("--- PASS: " + r.Name + "\n")
			}
			continue
		}
		failed++
		b.WriteString("--- FAIL: " + r.Name + " (" + path + ":" + strconv.Itoa(r.Line) + ")\n")
		for _, line := range strings.Split(r.Failure, "\n") {
			b.WriteString("    " + line + "\n")
		}
	}
	if failed > 0 {
		fmt.Fprintf(&b, "FAIL  %s  %d passed, %d failed\n", path, passed, failed)
	} else {
		fmt.Fprintf(&b, "ok  %s  %d passed\n", path, passed)
	}
	if coverage {
		b.WriteString(p.Coverage().String())
	}
	fmt.Fprint(stdout, b.String())
	if failed > 0 {
		return exitFailed
	}
	return exitOK
}

// policyArg returns the one positional argument of validate and test, the
// policy file, or the usage-error status and false.
func policyArg(fs *flag.FlagSet, stderr io.Writer) (path string, code int, ok bool) {
	switch fs.NArg() {
	case 0:
		return "", usageError(stderr, "%s: no policy file given", fs.Name()), false
	case 1:
		return fs.Arg(0), 0, true
	}
	return "", usageError(stderr, "%s: unexpected argument %q after the policy file", fs.Name(), fs.Arg(1)), false
}

// policyUnusable prints why the policy file given to command (resolve,
// explain) does not load, on stderr so that stdout holds only a decision,
// and returns exitUsage: the input is wrong, not the login.
func policyUnusable(stderr io.Writer, command, path string, err error) int {
	check := "run \"flexroles validate " + path + "\""
	if path == stdinName {
		check = "pipe it to \"flexroles validate -\""
	}
	fmt.Fprintf(stderr, "flexroles: %s: the policy %s does not load; %s\n", command, path, check)
	writeIssues(stderr, path, err)
	return exitUsage
}

// writeIssues prints the problems of a policy file that did not load, one
// per line. err is what LoadPolicyFile(path) returned.
func writeIssues(w io.Writer, path string, err error) {
	var pe *flexroles.PolicyError
	if !errors.As(err, &pe) {
		fmt.Fprintf(w, "%s: %v\n", path, err)
		return
	}
	file := pe.File
	if file == "" {
		file = path
	}
	var b strings.Builder
	for _, is := range pe.Issues {
		b.WriteString(issueLine("", file, is))
	}
	fmt.Fprint(w, b.String())
}

// issueLine returns one problem of a policy file as a line,
// PREFIXFILE:LINE:COL: FIELD: MESSAGE, leaving out the position and the
// field when the issue has none (a file that cannot be opened).
func issueLine(prefix, file string, is flexroles.PolicyIssue) string {
	var b strings.Builder
	b.WriteString(prefix + file)
	if is.Line > 0 {
		b.WriteString(":" + strconv.Itoa(is.Line))
		if is.Column > 0 {
			b.WriteString(":" + strconv.Itoa(is.Column))
		}
	}
	b.WriteString(": ")
	if is.Field != "" {
		b.WriteString(is.Field + ": ")
	}
	b.WriteString(is.Message + "\n")
	return b.String()
}

// count returns "1 noun" or "n nouns".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
