package flexroles_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/internal/oddlogins"
)

// TestReadAsFlex pins how Flex reads each odd login: the email, full name
// and identity it takes, and what it finds missing or misnamed. Every other
// part of the project is held to these answers by its own test of the same
// logins.
func TestReadAsFlex(t *testing.T) {
	type missing struct {
		attr       flexroles.FlexAttribute
		empty      bool
		candidates string
	}
	want := map[string]struct {
		email, fullName, identity string
		missing                   []missing
		misnamed                  string // names, comma-separated
	}{
		"blank first email and full_name":     {"ana.diaz@example.com", "Ana Diaz", "ana.diaz@example.com", nil, ""},
		"values with white space around them": {"ana.diaz@example.com", "Ana Diaz", "ana.diaz@example.com", nil, ""},
		"roles of only commas":                {"ana.diaz@example.com", "Ana Diaz", "ana.diaz@example.com", []missing{{flexroles.RolesAttribute, true, ""}}, ""},
		"roles empty and blank":               {"ana.diaz@example.com", "Ana Diaz", "ana.diaz@example.com", []missing{{flexroles.RolesAttribute, true, ""}}, ""},
		"email only blank":                    {"", "Ana Diaz", "ana.diaz@example.com", []missing{{flexroles.EmailAttribute, true, ""}}, ""},
		"namespaced email claim": {"", "Ana Diaz", "", []missing{{flexroles.EmailAttribute, false, "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"}},
			"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"},
		"OID names of mail and displayName": {"", "", "", []missing{
			{flexroles.EmailAttribute, false, "urn:oid:0.9.2342.19200300.100.1.3"},
			{flexroles.FullNameAttribute, false, "urn:oid:2.16.840.1.113730.3.1.241"}},
			"urn:oid:0.9.2342.19200300.100.1.3,urn:oid:2.16.840.1.113730.3.1.241"},
		"OneLogin's dotted names": {"", "Ana Diaz", "", []missing{
			{flexroles.RolesAttribute, false, "User.roles"}, {flexroles.EmailAttribute, false, "User.email"}},
			"User.email,User.roles"},
		"a namespaced role claim beside roles": {"ana.diaz@example.com", "Ana Diaz", "ana.diaz@example.com", nil,
			"http://schemas.microsoft.com/ws/2008/06/identity/claims/role"},
		"the singular role only": {"ana.diaz@example.com", "Ana Diaz", "ana.diaz@example.com", []missing{{flexroles.RolesAttribute, false, "role"}}, ""},
	}
	logins := oddlogins.All()
	require.Len(t, want, len(logins), "every odd login has its answer here")
	for _, ol := range logins {
		w, ok := want[ol.Name]
		require.True(t, ok, ol.Name)
		l := flexroles.Login{Source: flexroles.SSO, Attributes: ol.Attributes, Identity: ol.NameID}
		got := flexroles.ReadAsFlex(l)
		assert.Equal(t, w.email, got.Email, "%s: email", ol.Name)
		assert.Equal(t, w.fullName, got.FullName, "%s: full_name", ol.Name)
		assert.Equal(t, w.identity, got.Identity, "%s: identity", ol.Name)
		var gotMissing []missing
		for _, m := range got.Missing {
			assert.Equal(t, string(m.Attribute), m.Name, "%s: Flex's own names", ol.Name)
			gotMissing = append(gotMissing, missing{m.Attribute, m.Empty, strings.Join(m.Candidates, ",")})
		}
		assert.Equal(t, w.missing, gotMissing, "%s: missing", ol.Name)
		var names []string
		for _, c := range got.Misnamed {
			names = append(names, c.Name)
			assert.Equal(t, string(c.Meant), c.ReadAs, "%s: Flex reads %s under its own name", ol.Name, c.Meant)
		}
		assert.Equal(t, w.misnamed, strings.Join(names, ","), "%s: misnamed", ol.Name)

		// Resolve refuses exactly the logins with something missing, with
		// 45050 naming the first of them.
		_, err := flexroles.Resolve(l)
		var e *flexroles.Error
		if len(got.Missing) == 0 {
			assert.NoError(t, err, ol.Name)
			continue
		}
		require.True(t, errors.As(err, &e) && errors.Is(err, flexroles.ErrMissingAttribute), "%s: %v", ol.Name, err)
		assert.Equal(t, got.Missing[0].Name, e.Attribute, ol.Name)
	}
}

// TestReadAsFlexPolicyNames: a policy's names are read, and a claim under
// a name it reads is not misnamed.
func TestReadAsFlexPolicyNames(t *testing.T) {
	p, err := flexroles.LoadPolicy(strings.NewReader("version: 1\nsso:\n  attributes: {email: mail, groups: memberOf}\n  rules: [{name: all, when: {group: staff}, grant: [agent]}]\n"))
	require.NoError(t, err)
	got := p.ReadAsFlex(flexroles.Login{Source: flexroles.SSO, Attributes: map[string][]string{
		"mail": {" ", "a@example.com"}, "email": {"b@example.com"}, "memberOf": {"staff"}, "Groups": {"x"}, "full_name": {"A"},
	}})
	assert.Equal(t, "a@example.com", got.Email)
	assert.Equal(t, "a@example.com", got.Identity)
	assert.Equal(t, []flexroles.MissingAttribute{{Attribute: flexroles.RolesAttribute, Name: "roles"}}, got.Missing)
	assert.Equal(t, []flexroles.MisnamedClaim{
		{Name: "Groups", Meant: flexroles.GroupsAttribute, ReadAs: "memberOf"},
		{Name: "email", Meant: flexroles.EmailAttribute, ReadAs: "mail"},
	}, got.Misnamed)

	console := flexroles.ReadAsFlex(flexroles.Login{Source: flexroles.Console, Identity: " owner@example.com ", ConsoleRoles: []flexroles.ConsoleRole{flexroles.Owner}})
	assert.Equal(t, flexroles.FlexRead{Identity: "owner@example.com"}, console)
}

// TestReadAsFlexDocumented holds the package doc's example of ReadAsFlex.
func TestReadAsFlexDocumented(t *testing.T) {
	got := flexroles.ReadAsFlex(flexroles.Login{Source: flexroles.SSO, Attributes: map[string][]string{
		"email": {" ", "ana@example.com"}, "roles": {","}, "User.full_name": {"Ana"},
	}})
	assert.Equal(t, "ana@example.com", got.Email)
	assert.Equal(t, "ana@example.com", got.Identity)
	assert.Equal(t, []flexroles.MissingAttribute{
		{Attribute: flexroles.RolesAttribute, Name: "roles", Empty: true},
		{Attribute: flexroles.FullNameAttribute, Name: "full_name", Candidates: []string{"User.full_name"}},
	}, got.Missing)
}
