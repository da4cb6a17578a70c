package review_test

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/review"
)

// A shadow-mode decision log of four people, one of them twice.
const shadowLog = `{"time":"2026-12-06T09:00:00Z","id":"0000000000000001","mode":"shadow","identity":"lee@x.co","outcome":"granted","flex":{"granted":true,"roles":["supervisor","agent"],"rules":[]},"policy":{"granted":true,"roles":["supervisor","agent"],"rules":[]},"policy_digest":"sha256:aa","agree":true,"attributes":{"email":["lee@x.co"],"full_name":["Lee"],"groups":["Leads"],"roles":["supervisor","agent"]}}
{"time":"2026-12-06T09:01:00Z","id":"0000000000000002","mode":"shadow","identity":"ana@x.co","outcome":"granted","flex":{"granted":true,"roles":["agent"],"rules":[]},"policy":{"granted":true,"roles":["supervisor","agent","wfo.team_leader"],"rules":[{"name":"team leads","grant":["supervisor","wfo.team_leader"]}]},"policy_digest":"sha256:aa","agree":false,"attributes":{"email":["ana@x.co"],"full_name":["Ana"],"groups":["Leads"],"roles":["agent"]}}
{"time":"2026-12-06T09:02:00Z","id":"0000000000000003","mode":"shadow","identity":"ray@x.co","outcome":"granted","flex":{"granted":true,"roles":["admin"],"rules":[]},"policy":{"granted":false,"roles":[],"rules":[],"refused":{"kind":"denied","by":"sso.allow","message":"m"}},"policy_digest":"sha256:aa","agree":false,"attributes":{"email":["ray@x.co"],"full_name":["Ray"],"groups":["Agents"],"roles":["admin"]}}
{"time":"2026-12-06T08:00:00Z","id":"0000000000000004","mode":"shadow","identity":"lee@x.co","outcome":"granted","flex":{"granted":true,"roles":["agent"],"rules":[]},"policy":{"granted":true,"roles":["agent"],"rules":[]},"policy_digest":"sha256:aa","agree":true,"attributes":{"email":["lee@x.co"],"full_name":["Lee"],"groups":["Agents"],"roles":["agent"]}}
{"time":"2026-12-06T09:03:00Z","id":"0000000000000005","mode":"shadow","identity":"kim@x.co","outcome":"refused","flex":{"granted":false,"roles":[],"rules":[],"refused":{"kind":"unknown_role","by":"unknown_role","message":"m"}},"policy":{"granted":false,"roles":[],"rules":[],"refused":{"kind":"unknown_role","by":"unknown_role","message":"m"}},"policy_digest":"sha256:aa","agree":true,"attributes":{"email":["kim@x.co"],"full_name":["Kim"],"groups":["Agents"],"roles":["agnt"]}}
`

// TestCompareLogins reviews a shadow-mode log: each identity's latest
// login by time (lee's 08:00 line, later in the file, is older), what
// Flex received against the policy's logged decision; then the same
// logins under a next policy that reads its rules alone.
func TestCompareLogins(t *testing.T) {
	logins, err := review.LatestLogins(strings.NewReader(shadowLog))
	require.NoError(t, err)
	var ids []string
	for _, l := range logins {
		ids = append(ids, l.Record.ID)
	}
	assert.Equal(t, []string{"0000000000000001", "0000000000000002", "0000000000000003", "0000000000000005"}, ids, "each identity's latest login, in line order")

	c := review.NewLogins(nil, review.FailOn{})
	got := compareLogins(t, c, logins)
	require.Len(t, got, 2, "lee and kim agree")
	assert.Equal(t, review.ChangeRoles, got[0].Change)
	assert.Equal(t, "ana@x.co", got[0].Email)
	assert.Equal(t, 2, got[0].Line)
	assert.Equal(t, []review.RoleChange{{Role: "supervisor", From: []string{`rule "team leads"`}}, {Role: "wfo.team_leader", From: []string{`rule "team leads"`}}}, got[0].Gained)
	assert.Equal(t, review.ChangeRefused, got[1].Change)
	assert.Equal(t, []review.RoleChange{{Role: "admin", From: []string{"roles attribute"}}}, got[1].Lost, "in shadow mode Flex's roles are the IdP's roles attribute")
	assert.Equal(t, 4, c.Summary.Users)
	assert.Equal(t, 1, c.Summary.NewlyRefused)
	assert.Equal(t, map[string]int{"sso.allow": 1}, c.Summary.RefusedBy)

	next, err := flexroles.LoadPolicy(strings.NewReader("version: 1\nsso:\n  attributes: {roles: policy_roles}\n  rules:\n    - {name: agents, when: {group: Agents}, grant: [agent]}\n    - {name: leads, when: {group: Leads}, grant: [supervisor, agent]}\n"))
	require.NoError(t, err)
	got = compareLogins(t, review.NewLogins(next, review.FailOn{}), logins)
	require.Len(t, got, 3, "ana gains supervisor, ray loses admin, kim is admitted: the next policy does not read the IdP's roles")
	assert.Equal(t, []string{"ana@x.co", "ray@x.co", "kim@x.co"}, []string{got[0].Email, got[1].Email, got[2].Email})
	assert.Equal(t, review.ChangeAdmitted, got[2].Change)
	assert.Equal(t, []review.RoleChange{{Role: "agent", From: []string{"rule \"agents\""}}}, got[1].Gained)

	// A log without attributes cannot be resolved again.
	bare := strings.ReplaceAll(shadowLog, `,"attributes":{`, `,"x":{`)
	bare = strings.Split(bare, "\n")[0]
	bare = bare[:strings.Index(bare, `,"x":{`)] + "}\n"
	logins, err = review.LatestLogins(strings.NewReader(bare))
	require.NoError(t, err)
	_, err = review.NewLogins(next, review.FailOn{}).CompareLogin(logins[0])
	assert.True(t, errors.Is(err, review.ErrNoAttributes), "%v", err)
	assert.Contains(t, err.Error(), "line 1 (lee@x.co)")
}

// compareLogins compares each login and returns the changes.
func compareLogins(t *testing.T, c *review.Comparison, logins []review.Login) []*review.Change {
	t.Helper()
	var out []*review.Change
	for _, l := range logins {
		ch, err := c.CompareLogin(l)
		require.NoError(t, err)
		if ch != nil {
			out = append(out, ch)
		}
	}
	return out
}

// TestCompareLoginDefaultInsights: a role the policy added as its
// default_insights_role is said to come from it.
func TestCompareLoginDefaultInsights(t *testing.T) {
	const line = `{"time":"2026-12-06T09:00:00Z","id":"0000000000000001","mode":"shadow","identity":"sam@x.co","outcome":"granted","flex":{"granted":true,"roles":["supervisor"],"rules":[]},"policy":{"granted":true,"roles":["supervisor","wfo.dashboard_viewer"],"rules":[],"default_insights":"wfo.dashboard_viewer"},"policy_digest":"sha256:aa","agree":false}`
	logins, err := review.LatestLogins(strings.NewReader(line))
	require.NoError(t, err)
	got := compareLogins(t, review.NewLogins(nil, review.FailOn{}), logins)
	require.Len(t, got, 1)
	assert.Equal(t, []review.RoleChange{{Role: "wfo.dashboard_viewer", From: []string{"default_insights_role"}}}, got[0].Gained)
}

// ExampleNewLogins reviews a shadow-mode decision log of one login: what
// Flex received from the IdP against the policy's logged decision, in the
// text form diff prints.
func ExampleNewLogins() {
	const log = `{"time":"2026-12-06T09:01:00Z","id":"0000000000000002","mode":"shadow","identity":"ana@x.co","outcome":"granted","flex":{"granted":true,"roles":["agent"],"rules":[]},"policy":{"granted":true,"roles":["supervisor","agent","wfo.team_leader"],"rules":[{"name":"team leads","grant":["supervisor","wfo.team_leader"]}]},"policy_digest":"sha256:aa","agree":false}`
	logins, err := review.LatestLogins(strings.NewReader(log))
	if err != nil {
		fmt.Println(err)
		return
	}
	c := review.NewLogins(nil, review.FailOn{})
	w := bufio.NewWriter(os.Stdout)
	out := review.NewTextReporter(w, "decisions.ndjson")
	out.Start("what Flex received", "the policy in force", nil)
	for _, l := range logins {
		ch, err := c.CompareLogin(l)
		if err != nil {
			fmt.Println(err)
			return
		}
		if ch != nil {
			out.Change(ch)
		}
	}
	out.Finish(&c.Summary)
	if err := w.Flush(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// Comparing what Flex received (old) with the policy in force (new) for the users of decisions.ndjson
	//
	// ~ ana@x.co (decisions.ndjson:1)
	//     + supervisor       from rule "team leads"
	//     + wfo.team_leader  from rule "team leads"
	//     insights + enabled, + play_calls, + assess_calls=full, + dashboards=explorer
	//
	// 1 of 1 user changes: 1 gains roles.
	//   gain supervisor: 1 user
	//   gain wfo.team_leader: 1 user
	//   gain Insights enabled: 1 user
	//   gain Insights play_calls: 1 user
	//   gain Insights assess_calls=full: 1 user
	//   gain Insights dashboards=explorer: 1 user
}
