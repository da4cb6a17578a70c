package flexroles_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPolicyLintShadowedGrants gives Lint one grant rule and one deny rule
// at a time, shadowed or only nearly: Lint must report exactly the grants
// that every login they match is refused.
func TestPolicyLintShadowedGrants(t *testing.T) {
	tests := []struct {
		name     string
		grant    string // the grant rule's when
		deny     string // the deny rule's when
		shadowed bool
	}{
		{"same group", "{group: A}", "{group: A}", true},
		{"another group", "{group: A}", "{group: B}", false},
		{"deny's group among grant's all_groups", "{all_groups: [A, B]}", "{group: B}", true},
		{"deny needs a group grant does not", "{group: A}", "{all_groups: [A, B]}", false},
		{"deny's all_groups within grant's", "{all_groups: [A, B, C]}", "{all_groups: [A, C]}", true},
		{"grant's any_group within deny's", "{any_group: [A, B]}", "{any_group: [A, B, C]}", true},
		{"grant's any_group wider than deny's", "{any_group: [A, B, C]}", "{any_group: [A, B]}", false},
		{"grant's single group within deny's any_group", "{group: B}", "{any_group: [A, B]}", true},
		{"equals within in", "{attribute: d, equals: x}", "{attribute: d, in: [x, y]}", true},
		{"in within equals", "{attribute: d, in: [x, y]}", "{attribute: d, equals: x}", false},
		{"in within in", "{attribute: d, in: [x]}", "{attribute: d, in: [x, y]}", true},
		{"another attribute", "{attribute: d, equals: x}", "{attribute: e, equals: x}", false},
		{"same prefix", "{attribute: d, prefix: x}", "{attribute: d, prefix: x}", true},
		{"a prefix is not an equals", "{attribute: d, prefix: x}", "{attribute: d, equals: x}", false},
		{"an equals is not a prefix", "{attribute: d, equals: x}", "{attribute: d, prefix: x}", false},
		{"deny also needs an attribute", "{group: A}", "{group: A, attribute: d, equals: x}", false},
		{"grant also needs an attribute", "{group: A, attribute: d, equals: x}", "{group: A}", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := loadInline(t, "version: 1\nsso:\n  rules:\n    - name: g\n      when: "+tc.grant+
				"\n      grant: [agent]\n  deny:\n    - name: d\n      when: "+tc.deny+"\n")
			issues := p.Lint()
			if !tc.shadowed {
				assert.Empty(t, issues)
				return
			}
			require.Len(t, issues, 1)
			assert.Equal(t, 4, issues[0].Line)
			assert.Equal(t, 7, issues[0].Column)
			assert.Equal(t, "sso.rules[0]", issues[0].Field)
			assert.Contains(t, issues[0].Message, `rule "g" never grants anything: every login it matches is refused by deny rule "d"`)
		})
	}
}

// TestPolicyExplainLists checks how Explain's reasons repeat a user's
// groups and attribute values: ten at most, then how many more.
func TestPolicyExplainLists(t *testing.T) {
	p := loadInline(t, `version: 1
sso:
  rules:
    - name: r
      when: {group: Leads, attribute: department, in: [Sales, Support]}
      grant: [supervisor]
`)
	groups := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("g%d", i)
		}
		return out
	}
	why := func(set func(a map[string][]string)) string {
		traces := p.Explain(ssoGroups(nil, func(a map[string][]string) {
			a["roles"] = []string{"agent"}
			set(a)
		}))
		require.Len(t, traces, 1)
		return traces[0].Why
	}
	ten := why(func(a map[string][]string) { a["groups"] = groups(10) })
	assert.Contains(t, ten, `"g9"]`)
	assert.NotContains(t, ten, "more")
	eleven := why(func(a map[string][]string) { a["groups"] = groups(11) })
	assert.Contains(t, eleven, `"g9", … 1 more]`)
	assert.NotContains(t, eleven, `"g10"`)

	absent := why(func(a map[string][]string) { a["groups"] = []string{"Leads"} })
	assert.Equal(t, `attribute "department" is absent; the rule wants a value among ["Sales", "Support"]`, absent)
	other := why(func(a map[string][]string) { a["groups"] = []string{"Leads"}; a["department"] = []string{"IT"} })
	assert.Equal(t, `attribute "department" ["IT"] has no value among ["Sales", "Support"]`, other)
	assert.True(t, strings.HasPrefix(why(func(map[string][]string) {}), `not in group "Leads"`))
}
