package flexroles_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles"
)

func TestParseRole(t *testing.T) {
	// §1: every role of the vocabulary parses to its constant, exactly.
	for _, r := range canonicalOrder {
		t.Run("known/"+string(r), func(t *testing.T) {
			got, err := flexroles.ParseRole(string(r))
			require.NoError(t, err)
			assert.Equal(t, r, got)
		})
	}

	tests := []struct {
		name           string
		reason         string
		in             string
		wantSuggestion string
	}{
		{"Admin", "§1 Decision (case): `Admin` is unknown, with suggestion `admin`", "Admin", "admin"},
		{"ADMIN", "§1 Decision (suggestions): equal ignoring case", "ADMIN", "admin"},
		{"WFO.FULL_ACCESS", "§1 Decision (suggestions): equal ignoring case, even beyond edit distance 2", "WFO.FULL_ACCESS", "wfo.full_access"},
		{"dashboards-plural", "§1 `wfo.dashboards_viewer` is a misspelling, not a role", "wfo.dashboards_viewer", "wfo.dashboard_viewer"},
		{"supervisors-plural", "§1 Decision (suggestions): differs by a plural s", "supervisors", "supervisor"},
		{"quality_managers-plural", "§1 Decision (suggestions): differs by a plural s", "wfo.quality_managers", "wfo.quality_manager"},
		{"supervisr", "§1 Decision (suggestions): within edit distance 2", "supervisr", "supervisor"},
		{"agnet", "§1 Decision (suggestions): transposition is edit distance 2", "agnet", "agent"},
		{"readonly-admin", "§1 Decision (suggestions): within edit distance 2", "flex.readonly_admin", "flex.readonlyadmin"},
		{"leading-space", "§1 Decision (suggestions): ParseRole is an exact match (no trimming)", " admin", "admin"},
		{"trailing-newline", "§1 Decision (suggestions): ParseRole is an exact match (no trimming)", "admin\n", "admin"},
		{"cyrillic-a", "§3 look-alike characters make an unknown role", "\u0430dmin", "admin"},
		{"foo", "§1 no known role near `foo` → no suggestion", "foo", ""},
		{"empty", "§1 the empty string is not a role; nothing near it", "", ""},
		{"comma-list", "§1 ParseRole parses one role, not a list", "agent,admin", ""},
		{"role-singular", "§1 `role` (singular) is not a role value", "manager", ""},
	}
	for _, tc := range tests {
		t.Run("unknown/"+tc.name, func(t *testing.T) {
			got, err := flexroles.ParseRole(tc.in)
			require.Error(t, err, tc.reason)
			assert.ErrorIs(t, err, flexroles.ErrUnknownRole, tc.reason)
			assert.Equal(t, flexroles.Role(""), got, "the zero Role on error")
			var e *flexroles.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.wantSuggestion, e.Suggestion, tc.reason)
			assert.Equal(t, 0, e.Code)
			assert.Regexp(t, "^flexroles:", err.Error())
		})
	}
}

// TestParseRoleOneByteOff changes each byte of each role to every other
// value: no such string is a role, whatever shortcut the matching takes.
func TestParseRoleOneByteOff(t *testing.T) {
	for _, r := range canonicalOrder {
		for i := 0; i < len(r); i++ {
			for c := 0; c < 256; c++ {
				if byte(c) == r[i] {
					continue
				}
				b := []byte(r)
				b[i] = byte(c)
				_, err := flexroles.ParseRole(string(b))
				require.ErrorIs(t, err, flexroles.ErrUnknownRole, "%q", b)
			}
		}
		for _, s := range []string{string(r[:len(r)-1]), string(r) + "s", "x" + string(r)} {
			_, err := flexroles.ParseRole(s)
			require.ErrorIs(t, err, flexroles.ErrUnknownRole, "%q", s)
		}
	}
}

func TestParseConsoleRole(t *testing.T) {
	accepted := []struct {
		in   string
		want flexroles.ConsoleRole
	}{
		{"Owner", flexroles.Owner},
		{"owner", flexroles.Owner},
		{"OWNER", flexroles.Owner},
		{"  Owner\t", flexroles.Owner},
		{"Administrator", flexroles.Administrator},
		{"administrator", flexroles.Administrator},
		{"Developer", flexroles.Developer},
		{"developer", flexroles.Developer},
		{" DEVELOPER ", flexroles.Developer},
		{"Billing Manager", flexroles.BillingManager},
		{"billing manager", flexroles.BillingManager},
		{"billing_manager", flexroles.BillingManager},
		{"BILLING-MANAGER", flexroles.BillingManager},
		{"Billing_Manager", flexroles.BillingManager},
		{"billing-manager", flexroles.BillingManager},
		{"\nBilling Manager\n", flexroles.BillingManager},
		{"Support", flexroles.Support},
		{"support", flexroles.Support},
		{"SUPPORT", flexroles.Support},
		{" support ", flexroles.Support},
	}
	for _, tc := range accepted {
		t.Run("accepted/"+tc.in, func(t *testing.T) {
			// §2 Decision (Console role names): case, surrounding space ignored; _ - space alike.
			got, err := flexroles.ParseConsoleRole(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}

	rejected := []string{
		"",               // not a Console role
		"Admin",          // the Flex role, not the Console role Administrator
		"Superuser",      // not a Console role
		"BillingManager", // no separator: "anything else is ErrUnknownRole"
		"Billing.Manager",
		"Support Agent",
		"agent",
	}
	for _, in := range rejected {
		t.Run("rejected/"+in, func(t *testing.T) {
			// §2 Decision: anything else is ErrUnknownRole with Attribute "console_role".
			got, err := flexroles.ParseConsoleRole(in)
			require.Error(t, err)
			assert.ErrorIs(t, err, flexroles.ErrUnknownRole)
			assert.Equal(t, flexroles.ConsoleRole(""), got, "the zero ConsoleRole on error")
			var e *flexroles.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, "console_role", e.Attribute)
			assert.Equal(t, in, e.Value, "design: Value = as given")
			assert.Regexp(t, "^flexroles:", err.Error())
		})
	}
}

func TestDecisionHas(t *testing.T) {
	var zero flexroles.Decision
	for _, r := range canonicalOrder {
		assert.False(t, zero.Has(r), "STYLE habit 3: a zero Decision grants nothing (%s)", r)
	}

	d := flexroles.Decision{Roles: []flexroles.Role{flexroles.Supervisor, flexroles.WFOTeamLeader}}
	assert.True(t, d.Has(flexroles.Supervisor))
	assert.True(t, d.Has(flexroles.WFOTeamLeader))
	assert.False(t, d.Has(flexroles.Admin))
	assert.False(t, d.Has(flexroles.Agent))
	assert.False(t, d.Has(flexroles.Role("")))

	support, err := flexroles.Resolve(consoleLogin(flexroles.Support))
	require.NoError(t, err)
	assert.True(t, support.Has(flexroles.ReadOnlyAdmin))
	assert.True(t, support.Has(flexroles.ReadTeams))
	assert.False(t, support.Has(flexroles.Admin))
	assert.False(t, support.Has(flexroles.WFOFullAccess))

	failed, err := flexroles.Resolve(ssoRoles("Admin"))
	require.Error(t, err)
	assert.False(t, failed.Has(flexroles.Admin), "a failed decision grants nothing")
}

func TestDecisionRoleStrings(t *testing.T) {
	assert.Nil(t, flexroles.Decision{}.RoleStrings(), "§1 Decision: RoleStrings of a zero decision is nil")

	d := flexroles.Decision{Roles: []flexroles.Role{flexroles.Admin, flexroles.WFOFullAccess}}
	assert.Equal(t, []string{"admin", "wfo.full_access"}, d.RoleStrings())

	got, err := flexroles.Resolve(ssoRoles("supervisor", "wfo.quality_manager", "wfo.team_leader"))
	require.NoError(t, err)
	assert.Equal(t, []string{"supervisor", "wfo.team_leader", "wfo.quality_manager"}, got.RoleStrings(),
		"§1 Decision (order)")

	failed, err := flexroles.Resolve(consoleLogin(flexroles.BillingManager))
	require.ErrorIs(t, err, flexroles.ErrNoFlexAccess)
	assert.Nil(t, failed.RoleStrings(), "an error decision is zero, so RoleStrings is nil")
}

// TestRoleInsights: the wfo.* roles set Insights; admin and supervisor
// open it; nothing else does either.
func TestRoleInsights(t *testing.T) {
	for _, r := range canonicalOrder {
		assert.Equal(t, strings.HasPrefix(string(r), "wfo."), r.IsInsights(), "%s", r)
		assert.Equal(t, r == flexroles.Admin || r == flexroles.Supervisor, r.OpensInsights(), "%s", r)
	}
	assert.False(t, flexroles.Role("wfo.unknown").IsInsights(), "only roles of the vocabulary")
	assert.False(t, flexroles.Role("Admin").OpensInsights(), "roles are case-sensitive")
}

// TestRoleConsoleOnly: the read-only administrator pair, and nothing else,
// comes only from the Console, as Resolve refuses it over SSO.
func TestRoleConsoleOnly(t *testing.T) {
	for _, r := range canonicalOrder {
		assert.Equal(t, r == flexroles.ReadOnlyAdmin || r == flexroles.ReadTeams, r.ConsoleOnly(), "%s", r)
		_, err := flexroles.Resolve(flexroles.Login{Source: flexroles.SSO, Attributes: map[string][]string{
			"roles": {"agent", string(r)}, "email": {"a@x.co"}, "full_name": {"A"}}})
		assert.Equal(t, r.ConsoleOnly(), errors.Is(err, flexroles.ErrConsoleOnlyRole), "%s", r)
	}
	assert.False(t, flexroles.Role("Flex.ReadTeams").ConsoleOnly(), "roles are case-sensitive")
}

// TestSplitRoles splits a roles attribute as Resolve reads it.
func TestSplitRoles(t *testing.T) {
	assert.Equal(t, []string{"supervisor", "wfo.quality_manager", "wfo.team_leader", "agent", "agent", "Admin"},
		flexroles.SplitRoles([]string{"supervisor", " wfo.quality_manager,\n wfo.team_leader", ",", "", "agent,agent,\u00a0Admin\u2003"}))
	assert.Nil(t, flexroles.SplitRoles([]string{" , ", ""}))
	assert.Nil(t, flexroles.SplitRoles(nil))
	d, err := flexroles.Resolve(ssoRoles("supervisor", " wfo.quality_manager,\n wfo.team_leader"))
	require.NoError(t, err)
	for _, item := range flexroles.SplitRoles([]string{"supervisor", " wfo.quality_manager,\n wfo.team_leader"}) {
		assert.True(t, d.Has(flexroles.Role(item)), "every item Resolve reads is granted: %s", item)
	}
}
