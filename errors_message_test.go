package flexroles_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles"
)

// TestErrorMessageBranches takes each message of *Error down both sides of
// its conditions: a misnamed claim found or not, roles found or not, a
// Console role named or not. Each row names the phrase only its side says,
// and the phrase only the other side says.
func TestErrorMessageBranches(t *testing.T) {
	rules, err := flexroles.LoadPolicy(strings.NewReader(`version: 1
sso:
  rules:
    - name: viewers
      when: {group: Viewers}
      grant: [wfo.dashboard_viewer]
`))
	require.NoError(t, err)
	sso := func(set func(a map[string][]string)) flexroles.Login {
		return limitSSO(set)
	}
	console := func(roles ...flexroles.ConsoleRole) flexroles.Login {
		return flexroles.Login{Source: flexroles.Console, ConsoleRoles: roles}
	}
	tests := []struct {
		name    string
		resolve func(flexroles.Login) (flexroles.Decision, error)
		login   flexroles.Login
		wantErr error
		has     []string
		hasNot  []string
	}{
		{"roles absent, a misnamed claim", flexroles.Resolve,
			sso(func(a map[string][]string) { delete(a, "roles"); a["Roles"] = []string{"agent"} }),
			flexroles.ErrMissingAttribute, []string{`no "roles" attribute but has "Roles"`, "rename that claim"}, []string{"add an attribute statement"}},
		{"roles absent, nothing like it", flexroles.Resolve,
			sso(func(a map[string][]string) { delete(a, "roles") }),
			flexroles.ErrMissingAttribute, []string{"add an attribute statement named exactly \"roles\"", "send at least one of admin"}, []string{"but has", "rename"}},
		{"email absent", flexroles.Resolve,
			sso(func(a map[string][]string) { delete(a, "email") }),
			flexroles.ErrMissingAttribute, []string{"the user's email address as one value"}, nil},
		{"full_name absent", flexroles.Resolve,
			sso(func(a map[string][]string) { delete(a, "full_name") }),
			flexroles.ErrMissingAttribute, []string{"the user's full name as one value"}, nil},
		{"roles empty, a misnamed claim", flexroles.Resolve,
			sso(func(a map[string][]string) { a["roles"] = []string{" "}; a["Roles"] = []string{"agent"} }),
			flexroles.ErrMissingAttribute, []string{`"roles" attribute is empty and the assertion also has "Roles"`}, nil},
		{"roles empty, nothing like it", flexroles.Resolve,
			sso(func(a map[string][]string) { a["roles"] = []string{" "} }),
			flexroles.ErrMissingAttribute, []string{`"roles" attribute is empty;`}, []string{"also has"}},
		{"roles with no Flex role", flexroles.Resolve,
			sso(func(a map[string][]string) { a["roles"] = []string{"wfo.team_leader"} }),
			flexroles.ErrMissingAttribute, []string{`"roles" has wfo.team_leader but no Flex role`}, []string{"no role came from"}},
		{"policy rules with no Flex role", rules.Resolve,
			sso(func(a map[string][]string) { delete(a, "roles"); a["groups"] = []string{"Viewers"} }),
			flexroles.ErrMissingAttribute, []string{"has wfo.dashboard_viewer but no Flex role"}, []string{"no role came from"}},
		{"no role at all under a policy", rules.Resolve,
			sso(func(a map[string][]string) { delete(a, "roles") }),
			flexroles.ErrMissingAttribute, []string{`no role came from "roles" or the policy's rules`}, []string{"but no Flex role"}},
		{"a role separated by a semicolon", flexroles.Resolve,
			sso(func(a map[string][]string) { a["roles"] = []string{"agent;admin"} }),
			flexroles.ErrUnknownRole, []string{`unknown role "agent;admin" in "roles"`, "separate roles with commas"}, []string{"did you mean"}},
		{"a role with a suggestion", flexroles.Resolve,
			sso(func(a map[string][]string) { a["roles"] = []string{"agnet"} }),
			flexroles.ErrUnknownRole, []string{`(did you mean "agent"?)`}, []string{"separate roles"}},
		{"a Console role with a suggestion", flexroles.Resolve, console("Suport"),
			flexroles.ErrUnknownRole, []string{`unknown Console role "Suport" (did you mean "Support"?)`}, nil},
		{"Owner asking for agent", flexroles.Resolve,
			flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Owner}, Attributes: map[string][]string{"roles": {"agent"}}},
			flexroles.ErrSSOOnlyRole, []string{`"agent" needs an SSO login`, `Console role "Owner" gets admin, wfo.full_access`}, nil},
		{"Developer asking for the read-only pair", flexroles.Resolve,
			flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Developer}, Attributes: map[string][]string{"roles": {"flex.readteams"}}},
			flexroles.ErrSSOOnlyRole, []string{`"flex.readteams" is given only to Console users whose Flex access comes from the Support role alone`, `Console role "Developer" gets admin, wfo.full_access`}, nil},
		{"Support asking for admin", flexroles.Resolve,
			flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Support}, Attributes: map[string][]string{"roles": {"admin"}}},
			flexroles.ErrSSOOnlyRole, []string{`"admin" is not given to this Console user`, `Console role "Support" gets flex.readteams, flex.readonlyadmin`}, nil},
		{"Administrator asking for wfo.quality_manager", flexroles.Resolve,
			flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Administrator}, Attributes: map[string][]string{"roles": {"wfo.quality_manager"}}},
			flexroles.ErrSSOOnlyRole, []string{`Console role "Administrator" gets admin, wfo.full_access`}, nil},
		{"the read-only pair over SSO", flexroles.Resolve,
			sso(func(a map[string][]string) { a["roles"] = []string{"agent", "flex.readonlyadmin"} }),
			flexroles.ErrConsoleOnlyRole, []string{`"flex.readonlyadmin" cannot come from SSO`}, nil},
		{"several emails", flexroles.Resolve,
			sso(func(a map[string][]string) { a["email"] = []string{"a@x.co", " ", "b@x.co"} }),
			flexroles.ErrInvalidAttribute, []string{`the "email" attribute has several values (another is "b@x.co")`}, nil},
		{"a control character", flexroles.Resolve,
			sso(func(a map[string][]string) { a["full_name"] = []string{"Ana\x1bDiaz"} }),
			flexroles.ErrInvalidAttribute, []string{`invalid "full_name" value "Ana\x1bDiaz"`}, nil},
		{"a Console login with another attribute", flexroles.Resolve,
			flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Owner}, Attributes: map[string][]string{"email": {"a@x.co"}}},
			flexroles.ErrInvalidLogin, []string{`carries the attribute "email"`}, nil},
		{"an SSO login with Console roles", flexroles.Resolve,
			flexroles.Login{Source: flexroles.SSO, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Owner}},
			flexroles.ErrInvalidLogin, []string{"an SSO login carries Console roles"}, nil},
		{"an unknown source", flexroles.Resolve, flexroles.Login{Source: "saml"},
			flexroles.ErrInvalidLogin, []string{`unknown login source "saml"`}, nil},
		{"too many Console roles", flexroles.Resolve,
			flexroles.Login{Source: flexroles.Console, ConsoleRoles: repeatConsole(flexroles.Owner, flexroles.MaxRoleItems+1)},
			flexroles.ErrInvalidAttribute, []string{"the Console login carries 101 Console roles, more than MaxRoleItems (100)"}, []string{"role items"}},
		{"too many roles items", flexroles.Resolve,
			sso(func(a map[string][]string) { a["roles"] = []string{repeatItems("agent", flexroles.MaxRoleItems+1)} }),
			flexroles.ErrInvalidAttribute, []string{`the "roles" attribute names 101 role items, more than MaxRoleItems (100)`}, []string{"Console roles"}},
		{"too many attributes", flexroles.Resolve, limitSSO(withExtra(flexroles.MaxAttributes)),
			flexroles.ErrInvalidLogin, []string{"the login carries 1003 attributes, more than MaxAttributes (1000)"}, nil},
		{"too many values", flexroles.Resolve,
			sso(func(a map[string][]string) { a["email"] = padded("a@x.co", flexroles.MaxAttributeValues+1) }),
			flexroles.ErrInvalidAttribute, []string{`the "email" attribute has 10001 values, more than MaxAttributeValues (10000)`}, nil},
		{"a value too long", flexroles.Resolve,
			sso(func(a map[string][]string) { a["full_name"] = []string{strings.Repeat("é", flexroles.MaxValueSize)} }),
			flexroles.ErrInvalidAttribute, []string{`a value of the "full_name" attribute is longer than MaxValueSize (65536 bytes)`, "… (131072 bytes)"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.resolve(tc.login)
			require.ErrorIs(t, err, tc.wantErr)
			msg := err.Error()
			assert.True(t, strings.HasPrefix(msg, "flexroles: "), msg)
			for _, s := range tc.has {
				assert.Contains(t, msg, s)
			}
			for _, s := range tc.hasNot {
				assert.NotContains(t, msg, s)
			}
		})
	}
}

// TestErrorQuotesShort checks how a message repeats a value: whole up to 64
// bytes, cut at 64 bytes (back to the start of a rune) with the full length
// after, and never panicking on bytes that start no rune.
func TestErrorQuotesShort(t *testing.T) {
	tests := []struct {
		name, value, quoted string
	}{
		{"64 bytes whole", strings.Repeat("a", 64), `"` + strings.Repeat("a", 64) + `"`},
		{"65 bytes cut", strings.Repeat("a", 65), `"` + strings.Repeat("a", 64) + `"… (65 bytes)`},
		{"a rune across the cut", strings.Repeat("a", 63) + "é", `"` + strings.Repeat("a", 63) + `"… (65 bytes)`},
		{"a rune just before the cut", strings.Repeat("a", 62) + "éa", `"` + strings.Repeat("a", 62) + `é"… (65 bytes)`},
		{"no rune start at all", strings.Repeat("\x80", 65), `""… (65 bytes)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := &flexroles.Error{Kind: flexroles.ErrInvalidAttribute, Value: tc.value}
			assert.Equal(t, `flexroles: invalid attribute: value `+tc.quoted, e.Error())
		})
	}
	// The same cut in a message Resolve builds.
	_, err := flexroles.Resolve(limitSSO(func(a map[string][]string) { a["full_name"] = []string{strings.Repeat("\x80", 65)} }))
	require.ErrorIs(t, err, flexroles.ErrInvalidAttribute)
	assert.Contains(t, err.Error(), `""… (65 bytes)`)
}

// TestErrorBuiltByCaller checks the message of an *Error a caller fills in:
// each field appears only when set.
func TestErrorBuiltByCaller(t *testing.T) {
	tests := []struct {
		e    *flexroles.Error
		want string
	}{
		{&flexroles.Error{}, "flexroles: error"},
		{&flexroles.Error{Kind: flexroles.ErrUnknownRole}, "flexroles: unknown role"},
		{&flexroles.Error{Attribute: "roles"}, `flexroles: error: attribute "roles"`},
		{&flexroles.Error{Value: "x"}, `flexroles: error: value "x"`},
		{&flexroles.Error{Suggestion: "admin"}, `flexroles: error (did you mean "admin"?)`},
		{&flexroles.Error{Kind: flexroles.ErrUnknownRole, Attribute: "roles", Value: "Admin", Suggestion: "admin"},
			`flexroles: unknown role: attribute "roles": value "Admin" (did you mean "admin"?)`},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, tc.e.Error())
		assert.Equal(t, tc.e.Kind, errors.Unwrap(tc.e))
	}
}

// TestWorkerDecisionMessages takes the message of a Decision that
// WorkerAttributes refuses down both sides: no roles, and roles the login's
// source never gives.
func TestWorkerDecisionMessages(t *testing.T) {
	l := limitSSO(func(map[string][]string) {})
	_, err := flexroles.WorkerAttributes(nil, l, flexroles.Decision{})
	require.ErrorIs(t, err, flexroles.ErrInvalidLogin)
	assert.Contains(t, err.Error(), "the decision has no roles")

	_, err = flexroles.WorkerAttributes(nil, l, flexroles.Decision{Roles: []flexroles.Role{flexroles.WFOTeamLeader}})
	require.ErrorIs(t, err, flexroles.ErrInvalidLogin)
	assert.Contains(t, err.Error(), "the decision's roles wfo.team_leader are not roles this login's source gives")

	_, err = flexroles.WorkerAttributes([]byte(`{"a":1,"a":2}`), l, flexroles.Decision{Roles: []flexroles.Role{flexroles.Agent}})
	require.ErrorIs(t, err, flexroles.ErrInvalidWorker)
	assert.Contains(t, err.Error(), `the key "a" more than once`)

	_, err = flexroles.WorkerAttributes([]byte(`[1]`), l, flexroles.Decision{Roles: []flexroles.Role{flexroles.Agent}})
	require.ErrorIs(t, err, flexroles.ErrInvalidWorker)
	assert.Contains(t, err.Error(), `worker attributes "[1]" are not a JSON object`)

	for name, hint := range map[string]string{"n.int": "base-10 integers", "n.intarray": "base-10 integers",
		"b.boolean": "true or false", "b.booleanarray": "true or false"} {
		bad := limitSSO(func(a map[string][]string) { a[name] = []string{"x"} })
		_, err = flexroles.WorkerAttributes(nil, bad, flexroles.Decision{Roles: []flexroles.Role{flexroles.Agent}})
		require.ErrorIs(t, err, flexroles.ErrInvalidAttribute, name)
		assert.Contains(t, err.Error(), hint, name)
	}
	same := limitSSO(func(a map[string][]string) { a["n"] = []string{"1"}; a["n.string"] = []string{"2"} })
	_, err = flexroles.WorkerAttributes(nil, same, flexroles.Decision{Roles: []flexroles.Role{flexroles.Agent}})
	require.ErrorIs(t, err, flexroles.ErrInvalidAttribute)
	assert.Contains(t, err.Error(), `the attributes "n.string" and "n" both write the worker attribute "n"`)
}
