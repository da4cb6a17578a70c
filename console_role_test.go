package flexroles_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles"
)

// TestConsoleRoleFolding pins how a Console role name is matched (case,
// surrounding space, and '_', '-', ' ' alike) at its edges: the first and
// last letter of each name, upper-case letters at both ends of the
// alphabet's range, and names one byte off. Resolve reads Console roles the
// same way.
func TestConsoleRoleFolding(t *testing.T) {
	accepted := []struct {
		in   string
		want flexroles.ConsoleRole
	}{
		{"ADMINISTRATOR", flexroles.Administrator},
		{"aDMINISTRATOr", flexroles.Administrator},
		{"oWNEr", flexroles.Owner},
		{"DeVeLoPeR", flexroles.Developer},
		{"BILLING MANAGER", flexroles.BillingManager},
		{"billing-MANAGER", flexroles.BillingManager},
		{"SUPPORt", flexroles.Support},
		{"\t\n Support \r", flexroles.Support},
	}
	for _, tc := range accepted {
		got, err := flexroles.ParseConsoleRole(tc.in)
		require.NoError(t, err, "%q", tc.in)
		assert.Equal(t, tc.want, got, "%q", tc.in)

		d, err := flexroles.Resolve(flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.ConsoleRole(tc.in)}})
		if tc.want == flexroles.BillingManager {
			require.ErrorIs(t, err, flexroles.ErrNoFlexAccess, "%q", tc.in)
			continue
		}
		require.NoError(t, err, "%q", tc.in)
		assert.NotEmpty(t, d.Roles, "%q", tc.in)
	}

	rejected := []string{
		" ", "\t",
		"Owne", "Ownerr", "Xwner", "OwneX",
		"Administrato", "Administratorr",
		"Billing  Manager", "Billing.Manager", "Billing\tManager", "Billing_Managerr",
		"Suppor", "Supporta", "Support\x00",
		"0wner", "@wner", "[wner",
	}
	for _, in := range rejected {
		_, err := flexroles.ParseConsoleRole(in)
		require.ErrorIs(t, err, flexroles.ErrUnknownRole, "%q", in)
		_, err = flexroles.Resolve(flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.ConsoleRole(in)}})
		require.ErrorIs(t, err, flexroles.ErrUnknownRole, "%q", in)
	}
}

// TestConsoleMostPrivilegedRole gives a Console login several Console roles
// in every order: the most privileged one that opens Flex decides, and
// Billing Manager next to a role that opens Flex changes nothing.
func TestConsoleMostPrivilegedRole(t *testing.T) {
	admin := []flexroles.Role{flexroles.Admin, flexroles.WFOFullAccess}
	readOnly := []flexroles.Role{flexroles.ReadTeams, flexroles.ReadOnlyAdmin}
	tests := []struct {
		roles     []flexroles.ConsoleRole
		wantRoles []flexroles.Role
		wantMsg   string // the Console role the first reason names
	}{
		{[]flexroles.ConsoleRole{flexroles.Support, flexroles.Developer}, admin, "Developer"},
		{[]flexroles.ConsoleRole{flexroles.Developer, flexroles.Administrator}, admin, "Administrator"},
		{[]flexroles.ConsoleRole{flexroles.Administrator, flexroles.Developer}, admin, "Administrator"},
		{[]flexroles.ConsoleRole{flexroles.Administrator, flexroles.Owner}, admin, "Owner"},
		{[]flexroles.ConsoleRole{flexroles.Owner, flexroles.Support}, admin, "Owner"},
		{[]flexroles.ConsoleRole{flexroles.BillingManager, flexroles.Support}, readOnly, "Support"},
		{[]flexroles.ConsoleRole{flexroles.Support, flexroles.BillingManager}, readOnly, "Support"},
		{[]flexroles.ConsoleRole{flexroles.BillingManager, flexroles.Developer}, admin, "Developer"},
	}
	for _, tc := range tests {
		d, err := flexroles.Resolve(flexroles.Login{Source: flexroles.Console, ConsoleRoles: tc.roles})
		require.NoError(t, err, "%v", tc.roles)
		assert.Equal(t, tc.wantRoles, d.Roles, "%v", tc.roles)
		require.NotEmpty(t, d.Reasons)
		assert.Contains(t, d.Reasons[0].Message, "Console role "+tc.wantMsg, "%v", tc.roles)

		// Asking for a role the deciding Console role gives is granted the same.
		l := flexroles.Login{Source: flexroles.Console, ConsoleRoles: tc.roles,
			Attributes: map[string][]string{"roles": {string(tc.wantRoles[0])}}}
		d, err = flexroles.Resolve(l)
		require.NoError(t, err, "%v", tc.roles)
		assert.Equal(t, tc.wantRoles, d.Roles, "%v", tc.roles)
		assert.Contains(t, d.Reasons[0].Message, "Console role "+tc.wantMsg, "%v", tc.roles)
	}

	_, err := flexroles.Resolve(flexroles.Login{Source: flexroles.Console,
		ConsoleRoles: []flexroles.ConsoleRole{flexroles.BillingManager, flexroles.BillingManager}})
	require.ErrorIs(t, err, flexroles.ErrNoFlexAccess)
	assert.Contains(t, err.Error(), `Console role "Billing Manager" gives no Flex access`)
	_, err = flexroles.Resolve(flexroles.Login{Source: flexroles.Console})
	require.ErrorIs(t, err, flexroles.ErrNoFlexAccess)
	assert.Contains(t, err.Error(), "has no Console role")
}
