package flexroles_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles"
)

// TestSuggestionEdges pins the did-you-mean of an unknown role at the edges
// of its rules (doc.go, "Suggestions"): equal ignoring case wins; else the
// closest role within edit distance 2, counted in runes, first in canonical
// order on a tie; nothing for the empty string, invalid UTF-8 or a value
// too long to be near any role.
func TestSuggestionEdges(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"distance 1", "admn", "admin"},
		{"distance 2", "adm", "admin"},
		{"distance 3 is too far", "ad", ""},
		{"distance 2 by length alone", "supervis", "supervisor"},
		{"distance 3 by length alone", "supervi", ""},
		{"distance 2 longer", "supervisorxx", "supervisor"},
		{"distance 3 longer", "supervisorxxx", ""},
		{"a tie goes to the first role in canonical order", "agein", "admin"},
		{"the closer role wins over an earlier one", "agenx", "agent"},
		{"a later role at distance 1", "wfo.dashboard_viewr", "wfo.dashboard_viewer"},
		{"a change in the first rune", "xdmin", "admin"},
		{"a change in the last rune", "admix", "admin"},
		{"distances count runes, not bytes", "ädmïn", "admin"},
		{"case only, several runes", "SuPeRvIsOr", "supervisor"},
		{"case only, with punctuation", "Flex.ReadTeams", "flex.readteams"},
		{"case and one edit", "ADMN", "admin"},
		{"invalid UTF-8 next to a role", "admin\xff", ""},
		{"invalid UTF-8 alone", "\xff", ""},
		{"the empty string", "", ""},
		{"a long value ending in a role", strings.Repeat("x", 60) + "admin", ""},
		{"a value of 64 bytes", strings.Repeat("a", 64), ""},
		{"a value of 65 bytes", strings.Repeat("a", 65), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := flexroles.ParseRole(tc.in)
			var e *flexroles.Error
			require.ErrorAs(t, err, &e)
			require.ErrorIs(t, err, flexroles.ErrUnknownRole)
			assert.Equal(t, tc.want, e.Suggestion, "ParseRole(%q)", tc.in)
			if tc.want == "" {
				assert.NotContains(t, err.Error(), "did you mean")
			} else {
				assert.Contains(t, err.Error(), `(did you mean "`+tc.want+`"?)`)
			}
		})
	}
}

// TestConsoleSuggestionEdges is TestSuggestionEdges for Console role names,
// which ParseConsoleRole and Resolve suggest after trimming the value.
func TestConsoleSuggestionEdges(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"distance 1", "Ownr", "Owner"},
		{"distance 1 in lower case", "suport", "Support"},
		{"distance 2 with a separator", "Billing-Managr", "Billing Manager"},
		{"a plural", "Developers", "Developer"},
		{"trimmed first", "  Administrater\t", "Administrator"},
		{"distance 2", "Own", "Owner"},
		{"distance 3 is too far", "Ow", ""},
		{"a Flex role is no Console role", "admin", ""},
		{"the empty string", "", ""},
		{"only white space", " \t ", ""},
		{"invalid UTF-8", "Owner\xff", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := flexroles.ParseConsoleRole(tc.in)
			var e *flexroles.Error
			require.ErrorAs(t, err, &e)
			require.ErrorIs(t, err, flexroles.ErrUnknownRole)
			assert.Equal(t, tc.want, e.Suggestion, "ParseConsoleRole(%q)", tc.in)

			_, err = flexroles.Resolve(flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.ConsoleRole(tc.in)}})
			require.ErrorAs(t, err, &e)
			require.ErrorIs(t, err, flexroles.ErrUnknownRole)
			assert.Equal(t, tc.want, e.Suggestion, "Resolve with Console role %q", tc.in)
			assert.Equal(t, "console_role", e.Attribute)
		})
	}
}
