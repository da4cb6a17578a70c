package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/flexroles/flexroles"
)

// explainUsage is the usage of the explain command, printed by explain -h.
const explainUsage = `usage:
  flexroles explain --policy POLICY --console ROLE [--console ROLE ...] [--sso roles=ROLES ...]
  flexroles explain --policy POLICY --sso NAME=VALUE [--sso NAME=VALUE ...]

Shows how the policy file decides one login: each deny rule and then each
grant rule in file order, matched or not and, when not, the first condition
that failed; then the outcome as "flexroles resolve --policy" prints it,
whose reasons name the platform rules applied.

  --policy POLICY    the policy file; required
` + loginFlagsUsage + `
Exit status: as resolve: 0 granted, 1 refused, 2 bad usage or a policy file
that does not load.
`

// runExplain runs "flexroles explain" with the arguments after the command
// name and returns the exit status.
func runExplain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var (
		login      loginFlags
		policyPath string
	)
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	login.register(fs)
	fs.StringVar(&policyPath, "policy", "", "the policy file")
	if code, done := parseCommand(fs, args, explainUsage, stdout, stderr); done {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "explain: unexpected argument %q", fs.Arg(0))
	}
	if policyPath == "" {
		return usageError(stderr, "explain: no policy given: use --policy POLICY")
	}
	if login.empty() {
		return usageError(stderr, "explain: no login given: use --console ROLE or --sso NAME=VALUE")
	}
	p, policyName, err := loadPolicyArg(policyPath, stdin)
	if err != nil {
		return policyUnusable(stderr, "explain", policyName, err)
	}
	l, err := login.login()
	if err != nil {
		return report(stdout, stderr, false, flexroles.Decision{}, err)
	}
	writeTrace(stdout, policyName, l, p.Explain(l))
	d, err := p.Resolve(l)
	return report(stdout, stderr, false, d, err)
}

// writeTrace prints the rules of the policy at path as they applied to l,
// in order, and a blank line.
func writeTrace(w io.Writer, path string, l flexroles.Login, traces []flexroles.RuleTrace) {
	var b strings.Builder
	switch {
	case l.Source == flexroles.Console:
		b.WriteString("policy " + path + ": no rules apply to a Console login; Twilio's rules decide and console.allow may refuse\n")
	case len(traces) == 0:
		b.WriteString("policy " + path + ": no rules\n")
	default:
		b.WriteString("policy " + path + ", rules in order:\n")
	}
	for _, tr := range traces {
		b.WriteString("  " + traceLine(tr) + "\n")
	}
	b.WriteString("\n")
	fmt.Fprint(w, b.String())
}

// traceLine returns one rule as it applied, such as
//
//	rule "team leads" grants [supervisor, wfo.team_leader]: matched
//	deny "offboarded": not matched: not in group "Offboarded" (groups has ["CC-Leads"])
func traceLine(tr flexroles.RuleTrace) string {
	var b strings.Builder
	if tr.Deny {
		b.WriteString("deny ")
	} else {
		b.WriteString("rule ")
	}
	b.WriteString(strconv.Quote(tr.Rule))
	if !tr.Deny {
		roles := make([]string, len(tr.Grant))
		for i, r := range tr.Grant {
			roles[i] = string(r)
		}
		b.WriteString(" grants [" + strings.Join(roles, ", ") + "]")
	}
	if tr.Matched {
		b.WriteString(": matched")
	} else {
		b.WriteString(": not matched: " + tr.Why)
	}
	return b.String()
}
