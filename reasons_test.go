package flexroles_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/flexroles/flexroles"
)

// ruleIDs are the exported Rule ids, in the order a Decision lists them.
var ruleIDs = []string{
	flexroles.RuleConsoleAdmin, flexroles.RuleConsoleSupport, flexroles.RuleConsoleRequested,
	flexroles.RuleSSORoles, flexroles.RuleSSORolesSplit, flexroles.RuleSSORolesDuplicate, flexroles.RuleSSORolesDropped,
	flexroles.RuleSSOClaimIgnored, flexroles.RulePolicyRule, flexroles.RulePolicyDefaultInsights,
	flexroles.RuleInsightsOpen, flexroles.RuleInsightsClosedSupport, flexroles.RuleInsightsClosedAgent,
	flexroles.RuleInsightsAgentWFO, flexroles.RuleInsightsNoWFO,
}

// TestRuleIDs holds every reason of the Resolve and policy tables to the
// exported ids, in their order, and each id to a row that gives it, so
// that tools comparing Reason.Rule with the constants see every reason.
func TestRuleIDs(t *testing.T) {
	seen := map[string]bool{}
	check := func(d flexroles.Decision) {
		last := -1
		for _, r := range d.Reasons {
			i := slices.Index(ruleIDs, r.Rule)
			if assert.GreaterOrEqual(t, i, 0, "reason %q has no exported id", r.Rule) {
				assert.GreaterOrEqual(t, i, last, "reasons %v are out of the documented order", d.Reasons)
				last = max(last, i)
			}
			seen[r.Rule] = true
		}
	}
	for _, tc := range resolveCases {
		if d, err := flexroles.Resolve(tc.login); err == nil {
			check(d)
		}
	}
	for _, c := range policyCases {
		p, err := flexroles.LoadPolicy(strings.NewReader(c.policy))
		if err != nil {
			continue
		}
		if d, err := p.Resolve(c.login); err == nil {
			check(d)
		}
	}
	for _, id := range ruleIDs {
		assert.True(t, seen[id], "no row gives %q", id)
	}
}
