package flexroles_test

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles"
)

// limitSSO is a valid SSO login for an agent, its attributes changed by set.
func limitSSO(set func(a map[string][]string)) flexroles.Login {
	a := map[string][]string{"roles": {"agent"}, "email": {"ana@example.com"}, "full_name": {"Ana Diaz"}}
	set(a)
	return flexroles.Login{Source: flexroles.SSO, Attributes: a}
}

// padded returns v followed by blank values up to n values in all: blank
// values count against MaxAttributeValues but say nothing.
func padded(v string, n int) []string {
	out := make([]string, n)
	out[0] = v
	return out
}

// sized returns a value of exactly n bytes: item, then spaces, then a tab
// when tab is set. The spaces are trimmed from a roles item; the tab keeps
// the value off any path reserved for plain printable ASCII.
func sized(item string, n int, tab bool) string {
	if tab {
		return item + strings.Repeat(" ", n-len(item)-1) + "\t"
	}
	return item + strings.Repeat(" ", n-len(item))
}

// withExtra adds n attributes that Flex does not read, each named to look
// like none of its own.
func withExtra(n int) func(a map[string][]string) {
	return func(a map[string][]string) {
		for i := 0; i < n; i++ {
			a[fmt.Sprintf("x-extra-%04d", i)] = []string{"v"}
		}
	}
}

// repeatItems returns n copies of item joined by commas.
func repeatItems(item string, n int) string {
	return strings.TrimSuffix(strings.Repeat(item+",", n), ",")
}

// limitCase is one login at or one past a limit: exactly at the limit it is
// granted wantRoles; one past it is refused with wantErr, naming wantAttr
// and, when not "", wantValue in Error.Value.
type limitCase struct {
	name      string
	login     flexroles.Login
	wantErr   error
	wantAttr  string
	wantValue string
	wantRoles []flexroles.Role
}

// limitCases has, for each limit of limits.go and each attribute Resolve
// reads, one row exactly at the limit and one a single step past it: a limit
// checked with > where >= was meant, or the other way round, fails one of
// each pair.
func limitCases() []limitCase {
	agent := []flexroles.Role{flexroles.Agent}
	admin := []flexroles.Role{flexroles.Admin, flexroles.WFOFullAccess}
	readOnly := []flexroles.Role{flexroles.ReadTeams, flexroles.ReadOnlyAdmin}
	nAttr := flexroles.MaxAttributes - 3 // beside roles, email and full_name
	cases := []limitCase{
		{name: "MaxAttributes attributes", login: limitSSO(withExtra(nAttr)), wantRoles: agent},
		{name: "MaxAttributes+1 attributes", login: limitSSO(withExtra(nAttr + 1)),
			wantErr: flexroles.ErrInvalidLogin, wantValue: strconv.Itoa(flexroles.MaxAttributes + 1)},

		{name: "MaxRoleItems Console roles",
			login:     flexroles.Login{Source: flexroles.Console, ConsoleRoles: repeatConsole(flexroles.Support, flexroles.MaxRoleItems)},
			wantRoles: readOnly},
		{name: "MaxRoleItems+1 Console roles",
			login:   flexroles.Login{Source: flexroles.Console, ConsoleRoles: repeatConsole(flexroles.Support, flexroles.MaxRoleItems+1)},
			wantErr: flexroles.ErrInvalidAttribute, wantAttr: "console_role", wantValue: strconv.Itoa(flexroles.MaxRoleItems + 1)},
		{name: "MaxAttributes attributes with MaxRoleItems+1 Console roles",
			login: flexroles.Login{Source: flexroles.Console, ConsoleRoles: repeatConsole(flexroles.Support, flexroles.MaxRoleItems+1),
				Attributes: limitSSO(withExtra(nAttr)).Attributes},
			wantErr: flexroles.ErrInvalidAttribute, wantAttr: "console_role", wantValue: strconv.Itoa(flexroles.MaxRoleItems + 1)},
		{name: "MaxAttributes+1 attributes with MaxRoleItems+1 Console roles: the attribute count comes first",
			login: flexroles.Login{Source: flexroles.Console, ConsoleRoles: repeatConsole(flexroles.Support, flexroles.MaxRoleItems+1),
				Attributes: limitSSO(withExtra(nAttr + 1)).Attributes},
			wantErr: flexroles.ErrInvalidLogin, wantValue: strconv.Itoa(flexroles.MaxAttributes + 1)},

		{name: "MaxRoleItems roles items in one value",
			login:     limitSSO(func(a map[string][]string) { a["roles"] = []string{repeatItems("agent", flexroles.MaxRoleItems)} }),
			wantRoles: agent},
		{name: "MaxRoleItems+1 roles items in one value",
			login:   limitSSO(func(a map[string][]string) { a["roles"] = []string{repeatItems("agent", flexroles.MaxRoleItems+1)} }),
			wantErr: flexroles.ErrInvalidAttribute, wantAttr: "roles", wantValue: strconv.Itoa(flexroles.MaxRoleItems + 1)},
		{name: "MaxRoleItems roles items asked on the Console",
			login: flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Owner},
				Attributes: map[string][]string{"roles": {repeatItems("admin", flexroles.MaxRoleItems)}}},
			wantRoles: admin},
		{name: "MaxRoleItems+1 roles items asked on the Console",
			login: flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Owner},
				Attributes: map[string][]string{"roles": {repeatItems("admin", flexroles.MaxRoleItems+1)}}},
			wantErr: flexroles.ErrInvalidAttribute, wantAttr: "roles", wantValue: strconv.Itoa(flexroles.MaxRoleItems + 1)},
	}

	for _, attr := range []string{"roles", "email", "full_name"} {
		first := map[string]string{"roles": "agent", "email": "ana@example.com", "full_name": "Ana Diaz"}[attr]
		cases = append(cases,
			limitCase{name: "MaxAttributeValues values of " + attr,
				login:     limitSSO(func(a map[string][]string) { a[attr] = padded(first, flexroles.MaxAttributeValues) }),
				wantRoles: agent},
			limitCase{name: "MaxAttributeValues+1 values of " + attr,
				login:   limitSSO(func(a map[string][]string) { a[attr] = padded(first, flexroles.MaxAttributeValues+1) }),
				wantErr: flexroles.ErrInvalidAttribute, wantAttr: attr, wantValue: strconv.Itoa(flexroles.MaxAttributeValues + 1)})
		for _, tab := range []bool{false, true} {
			shape := "spaces"
			if tab {
				shape = "a tab"
			}
			cases = append(cases,
				limitCase{name: "a MaxValueSize value of " + attr + " ending in " + shape,
					login:     limitSSO(func(a map[string][]string) { a[attr] = []string{sized(first, flexroles.MaxValueSize, tab)} }),
					wantRoles: agent},
				limitCase{name: "a MaxValueSize+1 value of " + attr + " ending in " + shape,
					login:   limitSSO(func(a map[string][]string) { a[attr] = []string{sized(first, flexroles.MaxValueSize+1, tab)} }),
					wantErr: flexroles.ErrInvalidAttribute, wantAttr: attr})
		}
	}
	cases = append(cases,
		limitCase{name: "a MaxValueSize roles value asked on the Console",
			login: flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Owner},
				Attributes: map[string][]string{"roles": {sized("admin", flexroles.MaxValueSize, false)}}},
			wantRoles: admin},
		limitCase{name: "a MaxValueSize+1 roles value asked on the Console",
			login: flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Owner},
				Attributes: map[string][]string{"roles": {sized("admin", flexroles.MaxValueSize+1, false)}}},
			wantErr: flexroles.ErrInvalidAttribute, wantAttr: "roles"},
		limitCase{name: "MaxAttributeValues roles values asked on the Console",
			login: flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Owner},
				Attributes: map[string][]string{"roles": padded("admin", flexroles.MaxAttributeValues)}},
			wantRoles: admin},
		limitCase{name: "MaxAttributeValues+1 roles values asked on the Console",
			login: flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Owner},
				Attributes: map[string][]string{"roles": padded("admin", flexroles.MaxAttributeValues+1)}},
			wantErr: flexroles.ErrInvalidAttribute, wantAttr: "roles", wantValue: strconv.Itoa(flexroles.MaxAttributeValues + 1)},
	)
	return cases
}

func repeatConsole(c flexroles.ConsoleRole, n int) []flexroles.ConsoleRole {
	out := make([]flexroles.ConsoleRole, n)
	for i := range out {
		out[i] = c
	}
	return out
}

// TestLimitsExactlyAtAndPast runs every limit row through Resolve, and
// through a Policy with no rules of its own, which reads the same limits.
func TestLimitsExactlyAtAndPast(t *testing.T) {
	p, err := flexroles.LoadPolicy(strings.NewReader("version: 1\n"))
	require.NoError(t, err)
	resolvers := map[string]func(flexroles.Login) (flexroles.Decision, error){
		"Resolve":        flexroles.Resolve,
		"Policy.Resolve": p.Resolve,
	}
	for _, c := range limitCases() {
		for rname, resolve := range resolvers {
			t.Run(rname+"/"+c.name, func(t *testing.T) {
				d, err := resolve(c.login)
				if c.wantErr == nil {
					require.NoError(t, err)
					assert.Equal(t, c.wantRoles, d.Roles)
					return
				}
				require.ErrorIs(t, err, c.wantErr)
				assert.Zero(t, d)
				var e *flexroles.Error
				require.True(t, errors.As(err, &e), "%T", err)
				if c.wantAttr != "" {
					assert.Equal(t, c.wantAttr, e.Attribute)
				}
				if c.wantValue != "" {
					assert.Equal(t, c.wantValue, e.Value)
				}
			})
		}
	}
}

// TestPolicyLimitsExactlyAtAndPast checks the limits a Policy tests before
// its own rules: exactly at a limit the policy's rules decide (a rule grants
// supervisor; console.allow refuses Support); one past it the login is
// refused as Resolve refuses it.
func TestPolicyLimitsExactlyAtAndPast(t *testing.T) {
	p, err := flexroles.LoadPolicy(strings.NewReader(`version: 1
console:
  allow: [Owner]
sso:
  rules:
    - name: leads
      when: {group: Leads}
      grant: [supervisor]
`))
	require.NoError(t, err)
	leads := func(extra int) flexroles.Login {
		return limitSSO(func(a map[string][]string) {
			withExtra(extra)(a)
			a["groups"] = []string{"Leads"}
		})
	}
	support := func(n int) flexroles.Login {
		return flexroles.Login{Source: flexroles.Console, ConsoleRoles: repeatConsole(flexroles.Support, n)}
	}
	nAttr := flexroles.MaxAttributes - 4 // beside roles, email, full_name and groups

	d, err := p.Resolve(leads(nAttr))
	require.NoError(t, err)
	assert.Equal(t, []flexroles.Role{flexroles.Supervisor, flexroles.Agent}, d.Roles, "at MaxAttributes the policy's rule grants")
	_, err = p.Resolve(leads(nAttr + 1))
	require.ErrorIs(t, err, flexroles.ErrInvalidLogin, "past MaxAttributes")

	_, err = p.Resolve(support(flexroles.MaxRoleItems))
	require.ErrorIs(t, err, flexroles.ErrDenied, "at MaxRoleItems Console roles console.allow decides")
	_, err = p.Resolve(support(flexroles.MaxRoleItems + 1))
	require.ErrorIs(t, err, flexroles.ErrInvalidAttribute, "past MaxRoleItems Console roles")
}
