package flexroles_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/flexroles/flexroles"
)

// examplePolicy is a small organisation's policy: groups grant roles, one
// group is refused, and SSO may give only the roles listed.
const examplePolicy = `version: 1
sso:
  allow: [agent, supervisor, wfo.team_leader, wfo.dashboard_viewer]
  default_insights_role: wfo.dashboard_viewer
  rules:
    - name: agents
      when: {any_group: [CC-Agents, CC-Leads]}
      grant: [agent]
    - name: team leads
      when: {group: CC-Leads}
      grant: [supervisor, wfo.team_leader]
  deny:
    - name: offboarded
      when: {group: Offboarded}
`

// LoadPolicy reads a policy and reports every problem at once, each with
// its line and column.
func ExampleLoadPolicy() {
	p, err := flexroles.LoadPolicy(strings.NewReader(examplePolicy))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Roles())

	_, err = flexroles.LoadPolicy(strings.NewReader(`version: 1
sso:
  rules:
    - name: leads
      when: {group: CC-Leads}
      grant: [Supervisor]
`))
	var pe *flexroles.PolicyError
	if errors.As(err, &pe) {
		for _, is := range pe.Issues {
			fmt.Printf("%d:%d %s: %s\n", is.Line, is.Column, is.Field, is.Message)
		}
	}
	// Output:
	// [supervisor agent wfo.team_leader wfo.dashboard_viewer]
	// 6:15 sso.rules[0].grant[0]: unknown role "Supervisor" (did you mean "supervisor"?)
}

// A policy's Resolve keeps Twilio's rules and adds the organisation's: the
// groups grant roles, and a refusal says who refused in Error.RefusedBy.
func ExamplePolicy_Resolve() {
	p, err := flexroles.LoadPolicy(strings.NewReader(examplePolicy))
	if err != nil {
		fmt.Println(err)
		return
	}
	login := func(groups ...string) flexroles.Login {
		return flexroles.Login{Source: flexroles.SSO, Attributes: map[string][]string{
			"email": {"lee@example.com"}, "full_name": {"Lee Lead"}, "groups": groups,
		}}
	}
	d, err := p.Resolve(login("CC-Leads"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.RoleStrings(), "Insights open:", d.Insights.Enabled)

	_, err = p.Resolve(login("CC-Leads", "Offboarded"))
	var e *flexroles.Error
	if errors.Is(err, flexroles.ErrDenied) && errors.As(err, &e) {
		fmt.Println("refused by", e.RefusedBy, e.DenyRule())
	}
	// Output:
	// [supervisor agent wfo.team_leader] Insights open: true
	// refused by deny rule offboarded
}

// Explain traces each rule for one login: deny rules first, then grant
// rules, matched or not and why not.
func ExamplePolicy_Explain() {
	p, err := flexroles.LoadPolicy(strings.NewReader(examplePolicy))
	if err != nil {
		fmt.Println(err)
		return
	}
	traces := p.Explain(flexroles.Login{Source: flexroles.SSO, Attributes: map[string][]string{
		"email": {"alex@example.com"}, "full_name": {"Alex Agent"}, "groups": {"CC-Agents"},
	}})
	for _, tr := range traces {
		if tr.Matched {
			fmt.Printf("line %d %q matched, grants %v\n", tr.Line, tr.Rule, tr.Grant)
		} else {
			fmt.Printf("line %d %q: %s\n", tr.Line, tr.Rule, tr.Why)
		}
	}
	// Output:
	// line 13 "offboarded": not in group "Offboarded" (groups has ["CC-Agents"])
	// line 6 "agents" matched, grants [agent]
	// line 9 "team leads": not in group "CC-Leads" (groups has ["CC-Agents"])
}
