package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/review"
)

// runDiffLogins runs "flexroles diff --logins DECISIONS": for each
// identity's latest login in the bridge's decision log, what Flex received
// (OLD) against the policy's decision the log records or, with --policy,
// against NEXT's decision on the attributes the log keeps (NEW).
func runDiffLogins(loginsPath, nextPath string, fail review.FailOn, asJSON, asMarkdown bool, stdin io.Reader, stdout, stderr io.Writer) int {
	if msg := oneStdin("diff", pathArg{"--logins", loginsPath}, pathArg{"--policy", nextPath}); msg != "" {
		return usageError(stderr, "%s", msg)
	}
	var next *flexroles.Policy
	if nextPath != "" {
		p, err := loadPolicySource(nextPath, stdin)
		if err != nil {
			fmt.Fprintf(stderr, "flexroles: diff: the policy %s does not load\n", sourceName(nextPath))
			writeIssues(stderr, sourceName(nextPath), err)
			return exitUsage
		}
		next = p
	}
	r := stdin
	if loginsPath != stdinArg {
		f, err := os.Open(loginsPath) //nolint:gosec // G304: the decision log the user named
		if err != nil {
			fmt.Fprintf(stderr, "flexroles: diff: --logins %v\n", err)
			return exitUsage
		}
		defer f.Close()
		r = f
	}
	name := sourceName(loginsPath)
	logins, err := review.LatestLogins(r)
	if err != nil {
		fmt.Fprintf(stderr, "flexroles: diff: --logins %s: %v\n", name, err)
		return exitUsage
	}
	if len(logins) == 0 {
		fmt.Fprintf(stderr, "flexroles: diff: --logins %s holds no login\n", name)
		return exitUsage
	}
	newSrc := sourceName(nextPath)
	if next == nil {
		newSrc = policiesInForce(logins)
	} else {
		for _, l := range logins {
			if l.Record.Attributes == nil {
				fmt.Fprintf(stderr, "flexroles: diff: --policy resolves the logins again, which needs their attributes, and %s keeps none (line %d, the first such): "+
					"set decision_log_attributes: true in the bridge's configuration (the values are personal data: docs/bridge.md) and review the logins logged from then on, "+
					"or leave --policy out to review the policy in force\n", name, l.Line)
				return exitUsage
			}
		}
	}
	bw := bufio.NewWriter(stdout)
	out := newReporter(bw, asJSON, asMarkdown, name)
	d := review.NewLogins(next, fail)
	out.Start("what Flex received", newSrc, nil)
	for _, l := range logins {
		c, err := d.CompareLogin(l)
		if err != nil {
			_ = bw.Flush()
			fmt.Fprintf(stderr, "flexroles: diff: --logins %s: %v\n", name, err)
			return exitUsage
		}
		if c != nil {
			out.Change(c)
		}
	}
	out.Finish(&d.Summary)
	if err := bw.Flush(); err != nil {
		fmt.Fprintf(stderr, "flexroles: diff: %v\n", err)
		return exitUsage
	}
	if len(d.Summary.FailedOn) > 0 {
		return exitFailed
	}
	return exitOK
}

// policiesInForce names the policies that decided the logins, by their
// digests shortened to 12 hex digits, in the order first met.
func policiesInForce(logins []review.Login) string {
	var digests []string
	for _, l := range logins {
		d := l.Record.PolicyDigest
		if len(d) > len("sha256:")+12 {
			d = d[:len("sha256:")+12]
		}
		if !slices.Contains(digests, d) {
			digests = append(digests, d)
		}
	}
	if len(digests) == 1 {
		return "the policy in force (" + digests[0] + "…)"
	}
	return "the policies in force (" + strings.Join(digests, "…, ") + "…)"
}
