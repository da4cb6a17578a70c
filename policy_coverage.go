package flexroles

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Coverage says which parts of a policy, and which of Twilio's platform
// rules, the policy file's own test cases reach, the way a code coverage
// report says which lines tests ran. A rule no case reaches is one whose
// effect no test pins down.
type Coverage struct {
	// Items lists the policy's deny rules, then its grant rules, then its
	// settings, each in file order, then the platform rules in the order of
	// the package documentation.
	Items []CoverageItem
}

// CoverageItem is one rule and the test cases that reach it.
type CoverageItem struct {
	// Kind is CoverDeny, CoverGrant, CoverSetting or CoverPlatform.
	Kind string
	// Rule is a rule's name; a setting's YAML path ("sso.allow",
	// "console.allow", "sso.default_insights_role", "sso.unknown_roles");
	// a platform Reason's Rule id ("console.support", "sso.roles.split",
	// "insights.no_wfo", …); or, for a platform refusal, "error." and the
	// error kind's name ("error.missing_attribute").
	Rule string
	// Line is where the rule or setting is written in the policy file; 0
	// for platform rules.
	Line int
	// Tests names the cases that reach the rule, in file order; empty when
	// none does.
	Tests []string
}

// The kinds of CoverageItem.
const (
	CoverDeny     = "deny"     // a deny rule, reached by a case it refuses
	CoverGrant    = "grant"    // a grant rule, reached by a case that meets its conditions past Twilio's rules and the deny rules
	CoverSetting  = "setting"  // an allow list reached by a case it refuses; default_insights_role or unknown_roles: drop reached by a case it changes
	CoverPlatform = "platform" // one of Twilio's rules, reached by a case whose Reasons hold its id, or which it refuses
)

// Policy settings that Coverage reports, by index in Policy.settingLines.
const (
	settingSSOAllow = iota
	settingDefaultInsights
	settingDropUnknown
	settingConsoleAllow
	settingCount
)

// settingName is the YAML path of setting i.
func settingName(i int) string {
	return [settingCount]string{SettingSSOAllow, "sso.default_insights_role", "sso.unknown_roles", SettingConsoleAllow}[i]
}

// platformRules lists Twilio's rules as Coverage names them, in the order of
// the package documentation: Console, SSO, Insights, then the refusals.
func platformRules() []string {
	return []string{
		RuleConsoleAdmin, RuleConsoleSupport, RuleConsoleRequested,
		RuleSSORoles, RuleSSORolesSplit, RuleSSORolesDuplicate, RuleSSOClaimIgnored,
		RuleInsightsOpen, RuleInsightsClosedSupport, RuleInsightsClosedAgent, RuleInsightsAgentWFO, RuleInsightsNoWFO,
		"error.missing_attribute", "error.invalid_attribute", "error.unknown_role", "error.console_only_role",
		"error.sso_only_role", "error.no_flex_access", "error.invalid_login",
	}
}

// Coverage runs the policy file's test cases, as Test does, and reports
// which rules each reaches: a deny rule that refuses the case's login, a
// grant rule whose conditions it meets once Twilio's rules and the deny rules
// let it through (as Fired says; an allow list may still refuse it), an
// allow list that refuses
// it, default_insights_role or unknown_roles: drop when they change its
// roles, and each of Twilio's rules whose Reason the decision holds or that
// refuses the login. Whether the case passes does not matter. A nil Policy
// has nothing to cover.
func (p *Policy) Coverage() Coverage {
	if p == nil {
		return Coverage{}
	}
	var c Coverage
	index := map[string]int{}
	add := func(kind, rule string, line int) {
		index[kind+" "+rule] = len(c.Items)
		c.Items = append(c.Items, CoverageItem{Kind: kind, Rule: rule, Line: line})
	}
	for _, r := range p.deny {
		add(CoverDeny, r.name, r.at.line)
	}
	for _, r := range p.rules {
		add(CoverGrant, r.name, r.at.line)
	}
	settings := make([]int, 0, settingCount)
	for i, line := range p.settingLines {
		if line > 0 {
			settings = append(settings, i)
		}
	}
	slices.SortStableFunc(settings, func(a, b int) int { return p.settingLines[a] - p.settingLines[b] })
	for _, i := range settings {
		add(CoverSetting, settingName(i), p.settingLines[i])
	}
	for _, rule := range platformRules() {
		add(CoverPlatform, rule, 0)
	}
	reach := func(kind, rule, test string) {
		if i, ok := index[kind+" "+rule]; ok && !slices.Contains(c.Items[i].Tests, test) {
			c.Items[i].Tests = append(c.Items[i].Tests, test)
		}
	}
	for _, tc := range p.tests {
		d, err := p.Resolve(tc.login)
		for _, f := range p.Fired(tc.login) {
			if f.Deny {
				reach(CoverDeny, f.Rule, tc.name)
			} else {
				reach(CoverGrant, f.Rule, tc.name)
			}
		}
		var e *Error
		switch {
		case errors.As(err, &e) && (e.RefusedBy == RefusedBySSOAllow || e.RefusedBy == RefusedByConsoleAllow):
			reach(CoverSetting, e.RefusedBy.String(), tc.name)
		case err != nil:
			reach(CoverPlatform, "error."+ErrorKindName(err), tc.name)
		}
		for _, r := range d.Reasons {
			switch r.Rule {
			case RulePolicyDefaultInsights:
				reach(CoverSetting, settingName(settingDefaultInsights), tc.name)
			case RuleSSORolesDropped:
				reach(CoverSetting, settingName(settingDropUnknown), tc.name)
			default:
				reach(CoverPlatform, r.Rule, tc.name)
			}
		}
	}
	return c
}

// Missed returns the items no test case reaches, in the order of Items.
func (c Coverage) Missed() []CoverageItem {
	var out []CoverageItem
	for _, it := range c.Items {
		if len(it.Tests) == 0 {
			out = append(out, it)
		}
	}
	return out
}

// String returns the report as "flexroles test --coverage" prints it: a
// count line, then one line per policy rule and setting, reached or missed,
// with its line and cases, then the platform rules no case reaches. It never
// holds "coverage: ", which go test reads as its statement coverage.
func (c Coverage) String() string {
	var b strings.Builder
	var policy, policyHit, platform, platformHit int
	var platformMissed []string
	width := 0
	for _, it := range c.Items {
		if it.Kind != CoverPlatform {
			width = max(width, len(it.Rule))
		}
	}
	var lines strings.Builder
	for _, it := range c.Items {
		hit := len(it.Tests) > 0
		if it.Kind == CoverPlatform {
			platform++
			if hit {
				platformHit++
			} else {
				platformMissed = append(platformMissed, it.Rule)
			}
			continue
		}
		policy++
		status := "MISSED "
		if hit {
			policyHit++
			status = "reached"
		}
		fmt.Fprintf(&lines, "  %s  %-8s %-*s  line %d", status, it.Kind, width, it.Rule, it.Line)
		switch n := len(it.Tests); n {
		case 0:
		case 1:
			fmt.Fprintf(&lines, "  1 case: %s", strconv.Quote(it.Tests[0]))
		default:
			fmt.Fprintf(&lines, "  %d cases: %s, …", n, strconv.Quote(it.Tests[0]))
		}
		lines.WriteString("\n")
	}
	fmt.Fprintf(&b, "rules reached: %d of %d policy rules and settings, %d of %d platform rules\n",
		policyHit, policy, platformHit, platform)
	b.WriteString(lines.String())
	if missed := strings.Join(platformMissed, ", "); missed != "" {
		b.WriteString("  platform rules no case reaches: " + missed + "\n")
	}
	return b.String()
}
