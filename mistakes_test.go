package flexroles_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles"
)

// The mistakes new users make, and what the library says about each
// (issue 18): every message names what was sent and what to send instead.

// TestConsoleRoleMistakes: a Flex role, or any other name, given as a
// Console role lists the Console roles and which of them give Flex admin.
func TestConsoleRoleMistakes(t *testing.T) {
	for _, value := range []string{"admin", " Supervisor", "Viewer"} {
		_, err := flexroles.ParseConsoleRole(value)
		require.ErrorIs(t, err, flexroles.ErrUnknownRole)
		msg := err.Error()
		assert.Contains(t, msg, "Owner, Administrator, Developer, Billing Manager and Support", value)
		assert.Contains(t, msg, "Owner, Administrator and Developer give Flex admin", value)
		if value != "Viewer" {
			assert.Contains(t, msg, "is a Flex role, not a Console role", value)
		} else {
			assert.NotContains(t, msg, "is a Flex role", value)
		}
		_, rerr := flexroles.Resolve(flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.ConsoleRole(value)}})
		assert.Equal(t, msg, rerr.Error(), "Resolve says what ParseConsoleRole says")
	}
	_, err := flexroles.LoadPolicy(strings.NewReader("version: 1\nconsole:\n  allow: [admin]\n"))
	var pe *flexroles.PolicyError
	require.ErrorAs(t, err, &pe)
	require.Len(t, pe.Issues, 1)
	assert.Equal(t, "console.allow[0]", pe.Issues[0].Field)
	assert.Contains(t, pe.Issues[0].Message, `"admin" is a Flex role, not a Console role`)
	assert.Contains(t, pe.Issues[0].Message, "Owner, Administrator and Developer give Flex admin")
}

// TestRoleAttributeMistakes: roles sent as the singular "role", and roles
// sent as a JSON array.
func TestRoleAttributeMistakes(t *testing.T) {
	withRole := ssoWith(map[string][]string{"roles": nil, "role": {"agent"}})
	_, err := flexroles.Resolve(withRole)
	require.ErrorIs(t, err, flexroles.ErrMissingAttribute)
	var e *flexroles.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "roles", e.Attribute)
	assert.Equal(t, "role", e.Value, "the attribute sent is named")
	assert.Contains(t, err.Error(), `has "role", the singular`)
	assert.Contains(t, err.Error(), `send the roles under "roles"`)

	// Under a policy whose rules grant nothing here, the same.
	p, perr := flexroles.LoadPolicy(strings.NewReader("version: 1\nsso:\n  rules:\n    - {name: a, when: {group: A}, grant: [agent]}\n"))
	require.NoError(t, perr)
	_, err = p.Resolve(withRole)
	require.ErrorIs(t, err, flexroles.ErrMissingAttribute)
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "role", e.Value)
	assert.Contains(t, err.Error(), "Insights reporting attribute")

	for _, values := range [][]string{{`["agent","supervisor"]`}, {`["agent", "supervisor"]`}, {`"agent"`}} {
		_, err := flexroles.Resolve(ssoRoles(values...))
		require.ErrorIs(t, err, flexroles.ErrUnknownRole, "%q", values)
		require.True(t, errors.As(err, &e))
		assert.Equal(t, "agent", e.Suggestion, "%q", values)
		assert.Contains(t, err.Error(), "looks like JSON", "%q", values)
		assert.Contains(t, err.Error(), "one comma-separated value such as agent,supervisor", "%q", values)
	}
	_, err = flexroles.Resolve(ssoRoles("agent admin"))
	assert.NotContains(t, err.Error(), "JSON")
}
