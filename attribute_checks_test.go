package flexroles_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles"
)

// TestAttributeBytesEveryPosition puts one byte at every position of values
// of every length from 2 to 20, in full_name, email and a roles item: the
// bytes at the edges of plain text (0x1f, 0x20, 0x7e, 0x7f, tab, 0x0b) and
// bytes that start no valid UTF-8 are refused wherever they stand, and the
// others are accepted, wherever they stand.
func TestAttributeBytesEveryPosition(t *testing.T) {
	bytesWant := map[string]bool{
		"\x00": false, "\x1f": false, "\x0b": false, "\x7f": false, "\x80": false, "\xff": false, "\xc3": false,
		" ": true, "~": true, "\t": true, "\n": true, "\r": true, "é": true, "\u00a0": true, "\ufffd": true,
		"\u0085": false, "\u009f": false, "\u200b": true,
	}
	for n := 2; n <= 20; n++ {
		for pos := 0; pos < n; pos++ {
			for b, ok := range bytesWant {
				value := strings.Repeat("a", pos) + b + strings.Repeat("a", n-pos-1)
				for _, attr := range []string{"full_name", "email"} {
					_, err := flexroles.Resolve(limitSSO(func(a map[string][]string) { a[attr] = []string{value} }))
					if ok {
						require.NoError(t, err, "%s %q", attr, value)
					} else {
						require.ErrorIs(t, err, flexroles.ErrInvalidAttribute, "%s %q", attr, value)
					}
				}
				// In roles, a refused byte is refused before the item is read;
				// an accepted one makes an unknown role or, at the ends, white
				// space trimmed from "agent".
				item := "agent" + value
				_, err := flexroles.Resolve(limitSSO(func(a map[string][]string) { a["roles"] = []string{item} }))
				if !ok {
					require.ErrorIs(t, err, flexroles.ErrInvalidAttribute, "roles %q", item)
				} else if err != nil {
					require.ErrorIs(t, err, flexroles.ErrUnknownRole, "roles %q", item)
				}
			}
		}
	}
}

// TestRolesSplitting pins how roles values are split into items and when the
// decision says so: commas split, white space around an item is trimmed,
// empty items are skipped, and an item that stood alone in its value is no
// split.
func TestRolesSplitting(t *testing.T) {
	tests := []struct {
		values []string
		want   []flexroles.Role
		split  bool
		dup    bool
	}{
		{[]string{"agent"}, []flexroles.Role{flexroles.Agent}, false, false},
		{[]string{"agent", "admin"}, []flexroles.Role{flexroles.Admin, flexroles.Agent}, false, false},
		{[]string{"agent,admin"}, []flexroles.Role{flexroles.Admin, flexroles.Agent}, true, false},
		{[]string{"agent,"}, []flexroles.Role{flexroles.Agent}, true, false},
		{[]string{",agent"}, []flexroles.Role{flexroles.Agent}, true, false},
		{[]string{",,agent,,"}, []flexroles.Role{flexroles.Agent}, true, false},
		{[]string{" agent"}, []flexroles.Role{flexroles.Agent}, true, false},
		{[]string{"agent "}, []flexroles.Role{flexroles.Agent}, true, false},
		{[]string{"\tagent\n"}, []flexroles.Role{flexroles.Agent}, true, false},
		{[]string{"\u00a0agent"}, []flexroles.Role{flexroles.Agent}, true, false},
		{[]string{"", "agent", " "}, []flexroles.Role{flexroles.Agent}, false, false},
		{[]string{"agent", "agent, agent"}, []flexroles.Role{flexroles.Agent}, true, true},
		{[]string{"agent", "agent"}, []flexroles.Role{flexroles.Agent}, false, true},
		{[]string{"supervisor, wfo.team_leader", "wfo.team_leader"}, []flexroles.Role{flexroles.Supervisor, flexroles.WFOTeamLeader}, true, true},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%q", tc.values), func(t *testing.T) {
			d, err := flexroles.Resolve(limitSSO(func(a map[string][]string) { a["roles"] = tc.values }))
			require.NoError(t, err)
			assert.Equal(t, tc.want, d.Roles)
			assert.Equal(t, tc.split, hasRule(d, "sso.roles.split"), "sso.roles.split")
			assert.Equal(t, tc.dup, hasRule(d, "sso.roles.duplicate"), "sso.roles.duplicate")
		})
	}
	for _, values := range [][]string{{"agent admin"}, {"agent;admin"}, {"agent\u200b"}, {"agent,\x7fadmin"}} {
		_, err := flexroles.Resolve(limitSSO(func(a map[string][]string) { a["roles"] = values }))
		require.Error(t, err, "%q", values)
	}
	for _, values := range [][]string{{}, {""}, {" , ,"}, {",", " "}} {
		_, err := flexroles.Resolve(limitSSO(func(a map[string][]string) { a["roles"] = values }))
		require.ErrorIs(t, err, flexroles.ErrMissingAttribute, "%q", values)
	}
}

// TestEmailAndNameValues pins the checks on email and full_name: one value
// that is not blank, blank values beside it ignored.
func TestEmailAndNameValues(t *testing.T) {
	for _, attr := range []string{"email", "full_name"} {
		for _, tc := range []struct {
			values []string
			err    error
		}{
			{[]string{"x"}, nil},
			{[]string{" x "}, nil},
			{[]string{"", "x"}, nil},
			{[]string{"x", " ", "\t"}, nil},
			{[]string{"x", "y"}, flexroles.ErrInvalidAttribute},
			{[]string{"", "x", "", "y"}, flexroles.ErrInvalidAttribute},
			{[]string{}, flexroles.ErrMissingAttribute},
			{[]string{""}, flexroles.ErrMissingAttribute},
			{[]string{" ", "\n"}, flexroles.ErrMissingAttribute},
			{[]string{" ", "x\x00"}, flexroles.ErrInvalidAttribute},
		} {
			_, err := flexroles.Resolve(limitSSO(func(a map[string][]string) { a[attr] = tc.values }))
			if tc.err == nil {
				require.NoError(t, err, "%s %q", attr, tc.values)
				continue
			}
			require.ErrorIs(t, err, tc.err, "%s %q", attr, tc.values)
		}
	}
}

// TestMisnamedAttributeEdges pins which claim names stand for roles, email
// or full_name: case and the separators '_', '-', ' ', '.' ignored; a
// namespaced name by its last segment after '/', ':' or '#', where role and
// name count too, or an urn:oid: name by the LDAP OID of mail or
// displayName only; never the exact names; nothing longer than the longest
// name it can stand for.
func TestMisnamedAttributeEdges(t *testing.T) {
	tests := map[string]string{
		"roles": "", "email": "", "full_name": "",
		"Roles": "roles", "ROLES": "roles", "r.o-l_e s": "roles", "role": "", "Role": "",
		"http://schemas.microsoft.com/ws/2008/06/identity/claims/role": "roles",
		"urn:oid:role": "", "urn:x:Roles": "roles", "http://x.org/claims#role": "roles",
		"a#roles": "", "a#role": "", "x/role": "roles", "x:": "", "/": "",
		"Email": "email", "E-Mail": "email", "mail": "email", "EmailAddress": "email", "email_address": "email",
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": "email", "emailaddresses": "",
		"e.mail.": "email", "emails": "email", "urn:oid:0.9.2342.19200300.100.1.3": "email",
		"FullName": "full_name", "full-name": "full_name", "Full Name": "full_name", "displayName": "full_name",
		"name": "", "Name": "", "urn:oid:name": "", "urn:oid:2.16.840.1.113730.3.1.241": "full_name", "http://x/claims/name": "full_name", "first_name": "",
		"": "", "groups": "", "department": "",
		"ROLESX": "", "xroles": "", "Z": "", "@roles": "", "[roles": "",
	}
	for name, want := range tests {
		assert.Equal(t, flexroles.FlexAttribute(want), flexroles.MisnamedAttribute(name), "%q", name)
	}
}

// TestShadowClaims pins when an SSO decision warns of a claim Flex ignores
// beside the exact names: roles, email or full_name in another spelling, or
// a namespaced role claim; not namespaced email and name claims, which
// Entra ID sends by default, and not other attributes.
func TestShadowClaims(t *testing.T) {
	tests := map[string]bool{
		"Roles": true, "E-mail": true, "displayName": true,
		"http://schemas.microsoft.com/ws/2008/06/identity/claims/role":       true,
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": false,
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name":         false,
		"role": false, "department": false,
	}
	for name, warn := range tests {
		for _, roles := range [][]string{{"agent"}, {"agent, admin"}} {
			d, err := flexroles.Resolve(limitSSO(func(a map[string][]string) {
				a["roles"] = roles
				a[name] = []string{"admin"}
			}))
			require.NoError(t, err, name)
			assert.Equal(t, warn, hasRule(d, "sso.claim.ignored"), "%q beside roles %q", name, roles)
		}
	}
	d, err := flexroles.Resolve(limitSSO(func(map[string][]string) {}))
	require.NoError(t, err)
	assert.False(t, hasRule(d, "sso.claim.ignored"), "only the three exact names")
}

// TestMisnamedClaimInErrors checks that a missing attribute's error names
// the least misnamed claim standing for it, and only one that does.
func TestMisnamedClaimInErrors(t *testing.T) {
	_, err := flexroles.Resolve(limitSSO(func(a map[string][]string) {
		delete(a, "email")
		a["Mail"] = []string{"a@x.co"}
		a["E-mail"] = []string{"a@x.co"}
		a["Roles"] = []string{"agent"}
	}))
	require.ErrorIs(t, err, flexroles.ErrMissingAttribute)
	var e *flexroles.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "email", e.Attribute)
	assert.Equal(t, "E-mail", e.Value, "the least of the names standing for email")

	_, err = flexroles.Resolve(limitSSO(func(a map[string][]string) {
		delete(a, "full_name")
		a["Roles"] = []string{"agent"}
	}))
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "full_name", e.Attribute)
	assert.Equal(t, "", e.Value, "Roles stands for roles, not full_name")
}
