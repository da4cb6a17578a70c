package flexroles

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestUsualSSOGate holds the gate of the usual assertion to its contract
// at its edges: one plain email and full name and from one to MaxRoleItems
// roles values pass it; a roles value is read as it stands when it is a
// word within MaxValueSize. The gate only picks the cheaper computation
// (TestResolveGeneralPath holds the outcomes equal), so these edges are
// seen only here.
func TestUsualSSOGate(t *testing.T) {
	values := func(roles int) *[slotCount][]string {
		var v [slotCount][]string
		v[slotRoles] = make([]string, roles)
		for i := range v[slotRoles] {
			v[slotRoles][i] = "agent"
		}
		v[slotEmail], v[slotFullName] = []string{"a@x.co"}, []string{"A B"}
		return &v
	}
	assert.False(t, usualSSO(values(0)), "no roles value")
	assert.True(t, usualSSO(values(1)))
	assert.True(t, usualSSO(values(MaxRoleItems)), "exactly MaxRoleItems roles values")
	assert.False(t, usualSSO(values(MaxRoleItems+1)), "one roles value past MaxRoleItems")
	v := values(1)
	v[slotEmail] = []string{"a@x.co", "b@x.co"}
	assert.False(t, usualSSO(v), "two emails")
	v[slotEmail] = []string{strings.Repeat("x", MaxValueSize)}
	assert.True(t, usualSSO(v), "an email of exactly MaxValueSize bytes")
	v[slotEmail] = []string{strings.Repeat("x", MaxValueSize+1)}
	assert.False(t, usualSSO(v), "an email one byte past MaxValueSize")

	for _, tc := range []struct {
		v    string
		want bool
	}{
		{"admin", true},
		{"agent", true},
		{"wfo.quality_process_manager", true},
		{"x", true},
		{strings.Repeat("x", MaxValueSize), true},
		{strings.Repeat("x", MaxValueSize+1), false},
		{"", false},
		{"agent,supervisor", false},
		{" agent", false},
	} {
		assert.Equal(t, tc.want, isWord(tc.v), "isWord(%.20q), %d bytes", tc.v, len(tc.v))
	}
}

// TestRefuserText checks the text of every Refuser, the last one included,
// and that a value past them does not encode.
func TestRefuserText(t *testing.T) {
	for r, want := range map[Refuser]string{RefusedByTwilio: "twilio", RefusedBySSOAllow: "sso.allow",
		RefusedByConsoleAllow: "console.allow", RefusedByDenyRule: "deny rule"} {
		b, err := r.MarshalText()
		assert.NoError(t, err)
		assert.Equal(t, want, string(b))
	}
	_, err := (RefusedByDenyRule + 1).MarshalText()
	assert.ErrorIs(t, err, ErrInvalidAttribute)
}
