package export_test

import (
	"fmt"
	"strings"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/export"
)

// ExampleRead reads a CSV export and resolves each user's next SSO login
// under a policy, which reads the groups from the attribute memberOf.
func ExampleRead() {
	policy, err := flexroles.LoadPolicy(strings.NewReader(`version: 1
sso:
  attributes: {groups: memberOf}
  rules:
    - {name: leads, when: {group: CC-Leads}, grant: [supervisor, wfo.team_leader]}
    - {name: agents, when: {group: CC-Agents}, grant: [agent]}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	csv := "email,name,groups\n" +
		"ana.diaz@example.com,Ana Diaz,CC-Leads;CC-Agents\n" +
		"bo.li@example.com,Bo Li,CC-Agents\n"
	err = export.Read(strings.NewReader(csv), func(u *export.User) error {
		d, err := policy.Resolve(u.Login(policy))
		fmt.Println(u.Line, u.Email, u.Groups, d.RoleStrings(), err)
		return nil
	})
	fmt.Println(err)
	// Output:
	// 2 ana.diaz@example.com [CC-Leads CC-Agents] [supervisor agent wfo.team_leader] <nil>
	// 3 bo.li@example.com [CC-Agents] [agent] <nil>
	// <nil>
}

// ExampleRead_ndjson reads an NDJSON export, where an attribute is one
// string or a list, and stops at the first record that does not decode.
func ExampleRead_ndjson() {
	ndjson := `{"email":"ana.diaz@example.com","groups":["CC-Leads"],"attributes":{"department":"Quality"}}
{"email":"bo.li@example.com","team":"blue"}
`
	err := export.Read(strings.NewReader(ndjson), func(u *export.User) error {
		fmt.Println(u.Email, u.Groups, u.Attributes)
		return nil
	})
	fmt.Println(err)
	// Output:
	// ana.diaz@example.com [CC-Leads] map[department:[Quality]]
	// line 2: json: unknown field "team"
}
