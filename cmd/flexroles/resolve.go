package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/cmd/flexroles/internal/outcome"
)

// resolveUsage is the usage of the resolve command, printed by resolve -h.
const resolveUsage = `usage:
  flexroles resolve [--json] [--policy POLICY] --console ROLE [--console ROLE ...] [--sso roles=ROLES ...]
  flexroles resolve [--json] [--policy POLICY] --sso NAME=VALUE [--sso NAME=VALUE ...]

Resolves one login by Twilio Flex's rules, and then by the policy file when
one is given, and prints the worker's roles, the Flex Insights capabilities
and the reasons, or why the login is refused.

` + loginFlagsUsage + `  --policy POLICY    decide through this policy file (see "flexroles validate")
  --json             print one JSON object instead of text

Exit status: 0 granted, 1 refused, 2 bad usage or a policy file that does
not load (its problems go to stderr).
`

// loginFlagsUsage describes the flags that describe a login, shared by
// resolve and explain.
const loginFlagsUsage = `  --console ROLE     a Twilio Console role of the user (Owner, Administrator,
                     Developer, Billing Manager, Support); repeatable
  --sso NAME=VALUE   a SAML attribute value; a repeated NAME gives several values.
                     With --console, only roles=... (a request for roles)
`

// consoleFlags collects the values of the repeatable --console flag as given;
// they are parsed once all flags are read, so that an unknown Console role is
// a refusal rather than a usage error.
type consoleFlags []string

// String returns the Console roles given so far, for the flag package.
func (c *consoleFlags) String() string { return strings.Join(*c, ",") }

// Set adds one Console role.
func (c *consoleFlags) Set(s string) error {
	*c = append(*c, s)
	return nil
}

// ssoFlags collects the values of the repeatable --sso NAME=VALUE flag as
// SAML attributes: a repeated NAME appends a value, in order.
type ssoFlags struct {
	attrs map[string][]string
	n     int // number of --sso flags
}

// String returns the number of attributes given so far, for the flag package.
func (s *ssoFlags) String() string {
	if s == nil {
		return ""
	}
	return strconv.Itoa(s.n) + " attribute values"
}

// Set adds one attribute value, splitting NAME=VALUE at the first '='.
func (s *ssoFlags) Set(arg string) error {
	name, value, ok := strings.Cut(arg, "=")
	if !ok {
		return errors.New("want NAME=VALUE")
	}
	if name == "" {
		return errors.New("want NAME=VALUE, NAME is empty")
	}
	if s.attrs == nil {
		s.attrs = make(map[string][]string)
	}
	s.attrs[name] = append(s.attrs[name], value)
	s.n++
	return nil
}

// loginFlags are the flags that describe one login, shared by resolve and
// explain.
type loginFlags struct {
	consoles consoleFlags
	sso      ssoFlags
}

// register adds --console and --sso to fs.
func (lf *loginFlags) register(fs *flag.FlagSet) {
	fs.Var(&lf.consoles, "console", "a Twilio Console role of the user; repeatable")
	fs.Var(&lf.sso, "sso", "a SAML attribute value NAME=VALUE; repeatable")
}

// empty reports whether no login flag was given.
func (lf *loginFlags) empty() bool { return len(lf.consoles) == 0 && lf.sso.n == 0 }

// login returns the login the flags describe. An unknown Console role is an
// error for the library to report as a refusal, not a usage error.
func (lf *loginFlags) login() (flexroles.Login, error) {
	l := flexroles.Login{Source: flexroles.SSO, Attributes: lf.sso.attrs}
	if len(lf.consoles) == 0 {
		return l, nil
	}
	// A Console login: the --sso flags, roles=... as a request or anything
	// else, go to the library as they are, which decides.
	l.Source = flexroles.Console
	for _, s := range lf.consoles {
		c, err := flexroles.ParseConsoleRole(s)
		if err != nil {
			return flexroles.Login{}, err
		}
		l.ConsoleRoles = append(l.ConsoleRoles, c)
	}
	return l, nil
}

// parseCommand parses args with fs, the flags of one command, and returns
// the exit status and true when the command is done already: after -h, which
// prints usage on stdout, or after a usage error, printed on stderr.
func parseCommand(fs *flag.FlagSet, args []string, usage string, stdout, stderr io.Writer) (int, bool) {
	fs.SetOutput(io.Discard) // errors and help are printed here
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return exitGranted, true
		}
		return usageError(stderr, "%s: %v", fs.Name(), err), true
	}
	return 0, false
}

// runResolve runs "flexroles resolve" with the arguments after the command
// name and returns the exit status.
func runResolve(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var (
		login      loginFlags
		policyPath string
		asJSON     bool
	)
	fs := flag.NewFlagSet("resolve", flag.ContinueOnError)
	login.register(fs)
	fs.StringVar(&policyPath, "policy", "", "decide through this policy file")
	fs.BoolVar(&asJSON, "json", false, "print one JSON object")
	if code, done := parseCommand(fs, args, resolveUsage, stdout, stderr); done {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "resolve: unexpected argument %q", fs.Arg(0))
	}
	if login.empty() {
		return usageError(stderr, "resolve: no login given: use --console ROLE or --sso NAME=VALUE")
	}
	var p *flexroles.Policy // nil: Twilio's rules alone
	if policyPath != "" {
		var err error
		var name string
		if p, name, err = loadPolicyArg(policyPath, stdin); err != nil {
			return policyUnusable(stderr, "resolve", name, err)
		}
	}
	l, err := login.login()
	if err != nil {
		return report(stdout, stderr, asJSON, flexroles.Decision{}, err)
	}
	d, err := p.Resolve(l)
	return report(stdout, stderr, asJSON, d, err)
}

// report prints the outcome of a login, d when err is nil, and returns the
// exit status: exitGranted, or exitRefused when err is not nil.
func report(stdout, stderr io.Writer, asJSON bool, d flexroles.Decision, err error) int {
	status := exitGranted
	if err != nil {
		status = exitRefused
	}
	if !asJSON {
		if err != nil {
			writeRefusal(stdout, err)
		} else {
			writeDecision(stdout, d)
		}
		return status
	}
	var v any
	if err != nil {
		v = outcome.RefusalOf(err)
	} else {
		v = outcome.DecisionOf(d)
	}
	if !writeIndentedJSON(stdout, stderr, v) {
		return exitRefused
	}
	return status
}

// writeIndentedJSON writes v to stdout as indented JSON, HTML characters
// left as they are, and reports whether it could; a failure goes to stderr.
func writeIndentedJSON(stdout, stderr io.Writer, v any) bool {
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(stderr, "flexroles: writing JSON: %v\n", err)
		return false
	}
	return true
}

// writeRefusal prints a refused login for people.
func writeRefusal(w io.Writer, err error) {
	e := outcome.Detail(err)
	var b strings.Builder
	b.WriteString("refused: " + flexroles.ErrorKindName(err) + "\n")
	if e.Code != 0 {
		b.WriteString("code: " + strconv.Itoa(e.Code) + "\n")
	}
	b.WriteString("message: " + err.Error() + "\n")
	if e.Rule != "" {
		b.WriteString("rule: " + strconv.Quote(e.Rule) + "\n")
	}
	if e.Attribute != "" {
		b.WriteString("attribute: " + plain(e.Attribute) + "\n")
	}
	if e.Value != "" {
		b.WriteString("value: " + strconv.Quote(e.Value) + "\n")
	}
	if e.Suggestion != "" {
		b.WriteString("suggestion: " + plain(e.Suggestion) + "\n")
	}
	fmt.Fprint(w, b.String())
}

// writeDecision prints a granted login for people.
func writeDecision(w io.Writer, d flexroles.Decision) {
	in := d.Insights
	var b strings.Builder
	b.WriteString("granted\n")
	b.WriteString("roles: " + rolesArray(d) + "\n")
	if in.Enabled {
		b.WriteString("insights: open\n")
	} else {
		b.WriteString("insights: closed\n")
	}
	fmt.Fprintf(&b, "  play calls:     %s\n", yesNo(in.PlayCalls))
	fmt.Fprintf(&b, "  export calls:   %s\n", yesNo(in.ExportCalls))
	fmt.Fprintf(&b, "  assess calls:   %s\n", in.AssessCalls)
	fmt.Fprintf(&b, "  questionnaires: %s\n", yesNo(in.Questionnaires))
	fmt.Fprintf(&b, "  dashboards:     %s\n", in.Dashboards)
	b.WriteString("reasons:\n")
	for _, r := range d.Reasons {
		b.WriteString("  ")
		if r.Warning {
			b.WriteString("WARNING ")
		}
		b.WriteString(r.Rule + ": " + r.Message + "\n")
	}
	fmt.Fprint(w, b.String())
}

// rolesArray returns the roles as Flex writes them to attributes.roles, a
// JSON array of strings.
func rolesArray(d flexroles.Decision) string {
	data, err := json.Marshal(outcome.RoleStrings(d))
	if err != nil { // cannot happen: a []string always encodes
		return "[]"
	}
	return string(data)
}

// yesNo returns "yes" or "no".
func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// plain returns s as it is when it prints as plain text with no space,
// otherwise quoted.
func plain(s string) string {
	if q := strconv.Quote(s); q[1:len(q)-1] != s || strings.ContainsAny(s, " \u00a0") {
		return q
	}
	return s
}
