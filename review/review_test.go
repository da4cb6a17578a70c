package review_test

import (
	"bufio"
	"strings"
	"testing"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/export"
	"github.com/flexroles/flexroles/review"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNotJudged compares two policies over users some of whom the export
// cannot speak for: those are counted apart by problem, never as unchanged,
// and a user the rules refuse is judged.
func TestNotJudged(t *testing.T) {
	load := func(text string) *flexroles.Policy {
		p, err := flexroles.LoadPolicy(strings.NewReader(text))
		require.NoError(t, err)
		return p
	}
	old := load("version: 1\nsso:\n  attributes: {full_name: displayName}\n  rules:\n    - {name: agents, when: {group: A}, grant: [agent]}\n")
	new := load("version: 1\nsso:\n  attributes: {full_name: displayName}\n  rules:\n    - {name: agents, when: {group: A}, grant: [agent]}\n  deny:\n    - {name: nobody, when: {group: X}}\n")
	c := review.New(old, new, review.FailOn{})
	users := "email,name,groups,roles\n" +
		"a@x.co,,A,\n" + // no name: not judged, under the policy's name for full_name
		"b@x.co,,A,\n" +
		"c@x.co,C,B,\n" + // no rule gives a role: judged, unchanged
		"d@x.co,D,A,agnt\n" + // an unknown role: not judged
		"e@x.co,E,A,\n" // granted on both sides
	var changes []*review.Change
	require.NoError(t, export.Read(strings.NewReader(users), func(u *export.User) error {
		if ch := c.Compare(u); ch != nil {
			changes = append(changes, ch)
		}
		return nil
	}))
	assert.Empty(t, changes)
	s := c.Summary
	assert.Equal(t, 5, s.Users)
	assert.Equal(t, 3, s.NotJudged)
	assert.Equal(t, 2, s.Judged())
	assert.Equal(t, map[string]int{`missing_attribute "displayName"`: 2, `unknown_role in "roles"`: 1}, s.NotJudgedBy)
	first := s.NotJudgedFirst[`missing_attribute "displayName"`]
	assert.Equal(t, 2, first.Line)
	assert.Equal(t, "a@x.co", first.Email)
	assert.Contains(t, first.Message, `"displayName"`)
}

// TestNotJudgedWithoutGrantAttributes compares two policies over an export
// that lacks the attributes their rules read: a user refused for the same
// reason on both sides who carries none of them is not judged, and a
// condition attribute no user carries is listed in Summary.Absent.
func TestNotJudgedWithoutGrantAttributes(t *testing.T) {
	p, err := flexroles.LoadPolicy(strings.NewReader("version: 1\nsso:\n  attributes: {groups: memberOf}\n  rules:\n" +
		"    - {name: agents, when: {group: A}, grant: [agent]}\n" +
		"    - {name: quality, when: {group: A, attribute: department, equals: Q}, grant: [supervisor]}\n"))
	require.NoError(t, err)
	c := review.New(p, p, review.FailOn{})
	users := "email,name,Group Membership,location\n" +
		"a@x.co,A,A,EU\n" + // no memberOf, roles nor department: not judged
		"b@x.co,B,A,EU\n"
	require.NoError(t, export.Read(strings.NewReader(users), func(u *export.User) error {
		assert.Nil(t, c.Compare(u))
		return nil
	}))
	cause := `no "memberOf" (nor "roles", "department") for the policies' rules`
	assert.Equal(t, map[string]int{cause: 2}, c.Summary.NotJudgedBy)
	assert.Equal(t, []string{"department"}, c.Summary.Absent)

	c = review.New(p, p, review.FailOn{})
	users = "email,name,roles,department\n" +
		"a@x.co,A,,Sales\n" + // carries department: the rules judged and refused it
		"b@x.co,B,agent,\n"
	require.NoError(t, export.Read(strings.NewReader(users), func(u *export.User) error {
		assert.Nil(t, c.Compare(u))
		return nil
	}))
	assert.Zero(t, c.Summary.NotJudged)
	assert.Empty(t, c.Summary.Absent)

	// An export with groups, whose first users are in none: once a user
	// carries a group, the export gives the rules what they read, and the
	// users before in no group were judged after all (refused alike).
	c = review.New(p, p, review.FailOn{})
	users = "email,name,memberOf\n" +
		"a@x.co,A,\n" +
		"b@x.co,B,\n" +
		"c@x.co,C,A\n" +
		"d@x.co,D,\n"
	require.NoError(t, export.Read(strings.NewReader(users), func(u *export.User) error {
		assert.Nil(t, c.Compare(u))
		return nil
	}))
	assert.Zero(t, c.Summary.NotJudged, "%v", c.Summary.NotJudgedBy)
	assert.Empty(t, c.Summary.NotJudgedBy)
	assert.Empty(t, c.Summary.NotJudgedFirst)
	assert.Equal(t, 4, c.Summary.Judged())
}

// TestSummaryRoleOrder checks that the summary counts roles gained in the
// order a Decision lists roles, not by name: supervisor before agent.
func TestSummaryRoleOrder(t *testing.T) {
	load := func(text string) *flexroles.Policy {
		p, err := flexroles.LoadPolicy(strings.NewReader(text))
		require.NoError(t, err)
		return p
	}
	old := load("version: 1\nsso:\n  rules:\n    - {name: agents, when: {group: B}, grant: [agent]}\n")
	new := load("version: 1\nsso:\n  rules:\n    - {name: leads, when: {group: A}, grant: [agent, supervisor]}\n")
	c := review.New(old, new, review.FailOn{})
	var b strings.Builder
	w := bufio.NewWriter(&b)
	out := review.NewTextReporter(w, "users.csv")
	out.Start("old.yaml", "new.yaml", nil)
	require.NoError(t, export.Read(strings.NewReader("email,name,groups\na@x.co,A,A\n"), func(u *export.User) error {
		if ch := c.Compare(u); ch != nil {
			out.Change(ch)
		}
		return nil
	}))
	out.Finish(&c.Summary)
	require.NoError(t, w.Flush())
	assert.Contains(t, b.String(), "  gain supervisor: 1 user\n  gain agent: 1 user\n")
}
