package flexroles_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles"
)

// TestAdversarialLogins feeds Resolve inputs meant to slip a role past it or
// to make it work without bound. Each row names the input and what must
// come out: a refusal of one kind, or exactly these roles.
func TestAdversarialLogins(t *testing.T) {
	// with returns a valid SSO login whose attributes are changed by set.
	with := func(set func(a map[string][]string)) flexroles.Login {
		a := map[string][]string{"roles": {"agent"}, "email": {"ana@example.com"}, "full_name": {"Ana Diaz"}}
		set(a)
		return flexroles.Login{Source: flexroles.SSO, Attributes: a}
	}
	roles := func(values ...string) flexroles.Login {
		return with(func(a map[string][]string) { a["roles"] = values })
	}
	many := func(n int, v string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = v
		}
		return out
	}
	tenMB := strings.Repeat("a", 10<<20)

	tests := []struct {
		name      string
		login     flexroles.Login
		wantErr   error    // the refusal, or nil
		wantRoles []string // on success
		wantValue string   // on refusal, Error.Value when not ""
		wantRule  string   // on success, a reason that must be there, when not ""
	}{
		{name: "other case", login: roles("Admin"), wantErr: flexroles.ErrUnknownRole},
		{name: "upper case", login: roles("SUPERVISOR"), wantErr: flexroles.ErrUnknownRole},
		{name: "surrounding white space is trimmed", login: roles("  admin\n"), wantRoles: []string{"admin"}, wantRule: "sso.roles.split"},
		{name: "inner white space", login: roles("ad min"), wantErr: flexroles.ErrUnknownRole},
		{name: "zero-width space", login: roles("admin\u200b"), wantErr: flexroles.ErrUnknownRole},
		{name: "zero-width joiner inside", login: roles("ad\u200dmin"), wantErr: flexroles.ErrUnknownRole},
		{name: "non-breaking spaces around are white space", login: roles("\u00a0admin\u00a0"), wantRoles: []string{"admin"}},
		{name: "Cyrillic a", login: roles("\u0430dmin"), wantErr: flexroles.ErrUnknownRole},
		{name: "Cyrillic e in supervisor", login: roles("sup\u0435rvisor"), wantErr: flexroles.ErrUnknownRole},
		{name: "fullwidth letters", login: roles("ａｄｍｉｎ"), wantErr: flexroles.ErrUnknownRole},
		{name: "NUL after the role", login: roles("admin\x00"), wantErr: flexroles.ErrInvalidAttribute},
		{name: "escape character", login: roles("\x1badmin"), wantErr: flexroles.ErrInvalidAttribute},
		{name: "invalid UTF-8", login: roles("adm\xffin"), wantErr: flexroles.ErrInvalidAttribute},
		{name: "overlong UTF-8 for a", login: roles("\xc1\xa1dmin"), wantErr: flexroles.ErrInvalidAttribute},
		{name: "semicolon separator", login: roles("agent;admin"), wantErr: flexroles.ErrUnknownRole},
		{name: "pipe separator", login: roles("agent|admin"), wantErr: flexroles.ErrUnknownRole},
		{name: "newline separator", login: roles("agent\nadmin"), wantErr: flexroles.ErrUnknownRole},
		{name: "commas do separate", login: roles("agent,admin"), wantRoles: []string{"admin", "agent"}},
		{name: "read-only pair over SSO", login: roles("agent", "flex.readonlyadmin"), wantErr: flexroles.ErrConsoleOnlyRole},
		{name: "read-only pair hidden after a comma", login: roles("agent, flex.readteams"), wantErr: flexroles.ErrConsoleOnlyRole},
		{name: "100,000 roles as values", login: roles(many(100000, "agent")...), wantErr: flexroles.ErrInvalidAttribute, wantValue: "100000"},
		{name: "101 roles as values", login: roles(many(flexroles.MaxRoleItems+1, "agent")...), wantErr: flexroles.ErrInvalidAttribute, wantValue: strconv.Itoa(flexroles.MaxRoleItems + 1)},
		{name: "100 roles as values", login: roles(many(flexroles.MaxRoleItems, "agent")...), wantRoles: []string{"agent"}},
		{name: "10,000 roles in one value", login: roles(strings.Repeat("agent,", 10000)), wantErr: flexroles.ErrInvalidAttribute, wantValue: "10000"},
		{name: "10 MB roles value", login: roles(tenMB), wantErr: flexroles.ErrInvalidAttribute},
		{name: "10 MB email", login: with(func(a map[string][]string) { a["email"] = []string{tenMB} }), wantErr: flexroles.ErrInvalidAttribute},
		{name: "10 MB full name", login: with(func(a map[string][]string) { a["full_name"] = []string{tenMB} }), wantErr: flexroles.ErrInvalidAttribute},
		{name: "10 MB value of an attribute Resolve does not read", login: with(func(a map[string][]string) { a["department"] = []string{tenMB} }), wantRoles: []string{"agent"}},
		{name: "value of exactly MaxValueSize", login: with(func(a map[string][]string) { a["full_name"] = []string{strings.Repeat("a", flexroles.MaxValueSize)} }), wantRoles: []string{"agent"}},
		{name: "value one byte over MaxValueSize", login: with(func(a map[string][]string) { a["full_name"] = []string{strings.Repeat("a", flexroles.MaxValueSize+1)} }), wantErr: flexroles.ErrInvalidAttribute},
		{name: "10,000 attributes", login: with(func(a map[string][]string) {
			for i := 0; i < 10000; i++ {
				a["attr"+strconv.Itoa(i)] = []string{"x"}
			}
		}), wantErr: flexroles.ErrInvalidLogin, wantValue: "10003"},
		{name: "names differing only in case: Flex maps the exact one", login: with(func(a map[string][]string) { a["Roles"] = []string{"admin"} }), wantRoles: []string{"agent"}, wantRule: "sso.claim.ignored"},
		{name: "only Roles, no roles", login: with(func(a map[string][]string) { delete(a, "roles"); a["Roles"] = []string{"admin"} }), wantErr: flexroles.ErrMissingAttribute, wantValue: "Roles"},
		{name: "namespaced role claim beside roles", login: with(func(a map[string][]string) {
			a["http://schemas.microsoft.com/ws/2008/06/identity/claims/role"] = []string{"admin"}
		}), wantRoles: []string{"agent"}, wantRule: "sso.claim.ignored"},
		{name: "roles, Roles and a namespaced claim together", login: with(func(a map[string][]string) {
			a["Roles"] = []string{"admin"}
			a["http://schemas.microsoft.com/ws/2008/06/identity/claims/role"] = []string{"admin"}
		}), wantRoles: []string{"agent"}, wantRule: "sso.claim.ignored"},
		{name: "only a namespaced role claim", login: with(func(a map[string][]string) {
			delete(a, "roles")
			a["http://schemas.microsoft.com/ws/2008/06/identity/claims/role"] = []string{"admin"}
		}), wantErr: flexroles.ErrMissingAttribute, wantValue: "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"},
		{name: "Email instead of email", login: with(func(a map[string][]string) { a["Email"] = a["email"]; delete(a, "email") }), wantErr: flexroles.ErrMissingAttribute, wantValue: "Email"},
		// Flex does not check the form of the email: the identity is the NameID.
		{name: "email without @", login: with(func(a map[string][]string) { a["email"] = []string{"ana.example.com"} }), wantRoles: []string{"agent"}},
		{name: "two emails", login: with(func(a map[string][]string) { a["email"] = []string{"a@x.co", "b@x.co"} }), wantErr: flexroles.ErrInvalidAttribute},
		{name: "101 Console roles", login: flexroles.Login{Source: flexroles.Console, ConsoleRoles: make([]flexroles.ConsoleRole, flexroles.MaxRoleItems+1)}, wantErr: flexroles.ErrInvalidAttribute},
		{name: "Console role with a NUL", login: flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{"Owner\x00"}}, wantErr: flexroles.ErrUnknownRole},
		{name: "Console Support asking for admin", login: flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Support},
			Attributes: map[string][]string{"roles": {"admin"}}}, wantErr: flexroles.ErrSSOOnlyRole},
		{name: "Console login asking for 10,000 roles", login: flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Owner},
			Attributes: map[string][]string{"roles": {strings.Repeat("admin,", 10000)}}}, wantErr: flexroles.ErrInvalidAttribute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := flexroles.Resolve(tc.login)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				assert.Zero(t, d, "a refusal grants nothing")
				var e *flexroles.Error
				require.True(t, errors.As(err, &e))
				if tc.wantValue != "" {
					assert.Equal(t, tc.wantValue, e.Value)
				}
				assert.Less(t, len(err.Error()), 1000, "the message stays short whatever the input: %.200s", err.Error())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantRoles, d.RoleStrings())
			if tc.wantRule != "" {
				assert.True(t, hasRule(d, tc.wantRule), "reasons %v lack %s", d.Reasons, tc.wantRule)
			}
		})
	}
}

func hasRule(d flexroles.Decision, rule string) bool {
	for _, r := range d.Reasons {
		if r.Rule == rule {
			return true
		}
	}
	return false
}

// TestAdversarialPolicyLogins checks that a policy holds the attributes it
// reads, its groups and the attributes its rules test, to the same limits.
func TestAdversarialPolicyLogins(t *testing.T) {
	p, err := flexroles.LoadPolicy(strings.NewReader(`version: 1
sso:
  rules:
    - name: leads
      when: {group: CC-Leads, attribute: department, equals: Support}
      grant: [supervisor]
`))
	require.NoError(t, err)
	login := func(groups []string, department string) flexroles.Login {
		return flexroles.Login{Source: flexroles.SSO, Attributes: map[string][]string{
			"email": {"ana@example.com"}, "full_name": {"Ana Diaz"}, "groups": groups, "department": {department},
		}}
	}
	d, err := p.Resolve(login([]string{"CC-Leads"}, "Support"))
	require.NoError(t, err)
	assert.Equal(t, []string{"supervisor"}, d.RoleStrings())

	groups := append(make([]string, flexroles.MaxAttributeValues), "CC-Leads")
	_, err = p.Resolve(login(groups, "Support"))
	require.ErrorIs(t, err, flexroles.ErrInvalidAttribute)
	assert.Nil(t, p.Explain(login(groups, "Support")), "Explain traces nothing past the limits")
	assert.Len(t, p.Explain(login([]string{"CC-Leads"}, "Support")), 1)
	assert.Contains(t, err.Error(), `"groups" attribute has 10001 values`)

	_, err = p.Resolve(login([]string{"CC-Leads"}, strings.Repeat("S", flexroles.MaxValueSize+1)))
	require.ErrorIs(t, err, flexroles.ErrInvalidAttribute)
	assert.Contains(t, err.Error(), `"department"`)
}
