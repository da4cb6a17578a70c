package flexroles_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/flexroles/flexroles"
)

// TestResolveAllocations holds Resolve to what docs/performance.md says of
// it: two allocations per login, the roles and the reasons, each sized
// exactly.
func TestResolveAllocations(t *testing.T) {
	logins := map[string]flexroles.Login{
		"Console Owner":   {Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Owner}},
		"Console Support": {Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Support}},
		"Console Developer asking for admin": {Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Developer},
			Attributes: map[string][]string{"roles": {"admin"}}},
		"Console Support asking for the pair": {Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Support},
			Attributes: map[string][]string{"roles": {"flex.readteams, flex.readonlyadmin"}}},
		"SSO agent":      limitSSO(func(map[string][]string) {}),
		"SSO admin, wfo": limitSSO(func(a map[string][]string) { a["roles"] = []string{"admin", "wfo.full_access"} }),
		"SSO three roles": limitSSO(func(a map[string][]string) {
			a["roles"] = []string{"supervisor", "wfo.team_leader", "wfo.dashboard_viewer"}
		}),
		"SSO four roles split": limitSSO(func(a map[string][]string) {
			a["roles"] = []string{"admin, supervisor, wfo.team_leader, wfo.dashboard_viewer"}
		}),
		"SSO duplicate": limitSSO(func(a map[string][]string) { a["roles"] = []string{"agent", "agent"} }),
	}
	for name, l := range logins {
		if _, err := flexroles.Resolve(l); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n := testing.AllocsPerRun(20, func() { _, _ = flexroles.Resolve(l) }); n > 2 {
			t.Errorf("%s: %v allocations per login, want 2 at most", name, n)
		}
	}
}

// TestDecisionSizedExactly holds the slices Resolve allocates to their
// exact size on every row of the resolve and policy tables and of
// testdata/resolve: the roles and the reasons each fill their capacity. A
// slice sized short costs another allocation, one given room past its
// length wastes it on every login; neither changes an answer, so only this
// test sees them.
func TestDecisionSizedExactly(t *testing.T) {
	testdata := testdataLogins(t)
	check := func(name string, resolve func() (flexroles.Decision, error)) {
		d, err := resolve()
		if err != nil {
			return
		}
		assert.Equal(t, len(d.Roles), cap(d.Roles), "%s: capacity of Roles %v", name, d.Roles)
		assert.Equal(t, len(d.Reasons), cap(d.Reasons), "%s: capacity of Reasons %v", name, d.Reasons)
	}
	for _, tc := range resolveCases {
		check(tc.name, func() (flexroles.Decision, error) { return flexroles.Resolve(tc.login) })
	}
	for _, l := range testdata {
		check(fmt.Sprintf("%+v", l), func() (flexroles.Decision, error) { return flexroles.Resolve(l) })
	}
	for _, c := range policyCases {
		p := polLoad(t, c.policy)
		check("policy: "+c.name, func() (flexroles.Decision, error) { return p.Resolve(c.login) })
	}
	// Five reasons, so that a slice sized short by one of them grows
	// past its length: a split roles value with a
	// duplicate, or with an unknown role the policy drops, next to a
	// claim named like roles.
	dup := limitSSO(func(a map[string][]string) { a["roles"], a["Roles"] = []string{"agent, agent"}, []string{"admin"} })
	check("split with a duplicate", func() (flexroles.Decision, error) { return flexroles.Resolve(dup) })
	drop := polLoad(t, polDrop)
	dropped := polSSO(map[string][]string{"roles": {"agent, wfo.bogus"}, "Roles": {"admin"}})
	check("split with a dropped role", func() (flexroles.Decision, error) { return drop.Resolve(dropped) })
}

// TestRefusalAllocations holds a refusal to one allocation, its *Error,
// when the roles also hold an item the item rules refuse: that item's
// refusal (with its did-you-mean, several allocations) is built only when
// it is the error returned, never for a login an earlier rule refuses.
func TestRefusalAllocations(t *testing.T) {
	unknown := limitSSO(func(a map[string][]string) { a["roles"] = []string{"Admni"} })
	if n := testing.AllocsPerRun(20, func() { _, _ = flexroles.Resolve(unknown) }); n <= 1 {
		t.Fatalf("an unknown role's refusal costs %v allocations; this test needs one that costs more than its *Error", n)
	}
	logins := map[string]flexroles.Login{
		"no email, an unknown role": limitSSO(func(a map[string][]string) { a["roles"] = []string{"Admni"}; delete(a, "email") }),
		"two emails, an unknown role": limitSSO(func(a map[string][]string) {
			a["roles"], a["email"] = []string{"Admni"}, []string{"a@example.com", "b@example.com"}
		}),
		"a value too long, then an unknown role": limitSSO(func(a map[string][]string) {
			a["roles"] = []string{"Admni", strings.Repeat("a", flexroles.MaxValueSize+1)}
		}),
	}
	for name, l := range logins {
		if _, err := flexroles.Resolve(l); err == nil {
			t.Fatalf("%s: granted, want a refusal", name)
		}
		if n := testing.AllocsPerRun(20, func() { _, _ = flexroles.Resolve(l) }); n > 1 {
			t.Errorf("%s: %v allocations per login, want 1, the *Error", name, n)
		}
	}
}
