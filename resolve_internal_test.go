package flexroles

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzRolesItems holds the roles splitter to its definition: each value
// split on commas, each part trimmed of Unicode white space, empty parts
// skipped; an item is trimmed when it is not its whole value. Values are
// separated by '|'.
func FuzzRolesItems(f *testing.F) {
	for _, s := range []string{"agent", "agent,admin", " agent , admin ", "a,,b|c", ",|", "\u00a0admin\u2003", "x\u0085", "\xffa, b\xfe", "|"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		values := strings.Split(in, "|")
		type item struct {
			s       string
			trimmed bool
		}
		var want, got []item
		for _, v := range values {
			for _, part := range strings.Split(v, ",") {
				if s := strings.TrimSpace(part); s != "" {
					want = append(want, item{s, len(s) != len(v)})
				}
			}
		}
		forEachItem(values, func(s string, trimmed bool) bool {
			got = append(got, item{s, trimmed})
			return true
		})
		require.Equal(t, want, got)
	})
}

// TestPlainConsoleDecision holds the literal decisions of Console logins
// that ask for no roles to the decision of the same Console role with a
// request, less the console.requested reason.
func TestPlainConsoleDecision(t *testing.T) {
	for decider := idxOwner; decider <= idxSupport; decider++ {
		if decider == idxBillingManager {
			continue
		}
		asked := consoleDecision(decider, true)
		require.Equal(t, RuleConsoleRequested, asked.Reasons[1].Rule)
		asked.Reasons = append(asked.Reasons[:1:1], asked.Reasons[2])
		require.Equal(t, asked, consoleDecision(decider, false), "%s", consoleRoleAt(decider))
	}
}
