package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/flexroles/flexroles/review"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The shipped example policy, its proposed change and the IdP export.
const (
	exampleNext  = "../../examples/policy-next.yaml"
	exampleUsers = "../../examples/users.csv"
)

// TestDiffExample pins the readable form on the shipped example change:
// one user newly refused, one losing a role, one newly admitted.
func TestDiffExample(t *testing.T) {
	code, stdout, stderr := cli("diff", "--users", exampleUsers, examplePolicy, exampleNext)
	require.Equal(t, exitOK, code, "without --fail-on diff only reports; stderr: %s", stderr)
	require.Empty(t, stderr)
	want := `Comparing ../../examples/policy.yaml (old) with ../../examples/policy-next.yaml (new) for the users of ../../examples/users.csv

- alex.agent@owlbank.example (../../examples/users.csv:2): newly refused by deny rule "sales agents moved to the partner"
    - agent  was from rule "agents"
    flexroles: the policy's deny rule "sales agents moved to the partner" refuses this login; remove the user from what the rule matches, or change the rule
~ quinn.qa@owlbank.example (../../examples/users.csv:4)
    - wfo.quality_manager  was from rule "quality assurance"
    insights - export_calls
+ dana.dash@owlbank.example (../../examples/users.csv:5): newly admitted, was refused by missing_attribute (45050)
    + supervisor        from rule "analysts"
    + wfo.data_analyst  from rule "analysts"
    insights + enabled, + play_calls, + export_calls, + assess_calls=view_only, + dashboards=editor

3 of 9 users change: 1 gains roles, 2 lose roles, 1 newly refused, 1 newly admitted.
  gain supervisor: 1 user
  gain wfo.data_analyst: 1 user
  lose agent: 1 user
  lose wfo.quality_manager: 1 user
  gain Insights enabled: 1 user
  gain Insights play_calls: 1 user
  gain Insights export_calls: 1 user
  gain Insights assess_calls=view_only: 1 user
  gain Insights dashboards=editor: 1 user
  lose Insights export_calls: 1 user
  newly refused by deny rule "sales agents moved to the partner": 1 user
  newly admitted, were refused by missing_attribute (45050): 1 user
`
	require.Equal(t, want, stdout)
}

// TestDiffJSON checks the JSON document: every change with both sides, the
// rules behind each role, and the summary's counts.
func TestDiffJSON(t *testing.T) {
	code, stdout, stderr := cli("diff", "--json", "--fail-on", "refuse", "--users", exampleUsers, examplePolicy, exampleNext)
	require.Equal(t, exitFailed, code, stderr)
	var doc struct {
		Old, New string
		Changes  []review.Change
		Summary  review.Summary
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &doc), stdout)
	require.Equal(t, examplePolicy, doc.Old)
	require.Equal(t, exampleNext, doc.New)
	require.Len(t, doc.Changes, 3)

	refused, lost, admitted := doc.Changes[0], doc.Changes[1], doc.Changes[2]
	assert.Equal(t, "alex.agent@owlbank.example", refused.Email)
	assert.Equal(t, 2, refused.Line)
	assert.Equal(t, review.ChangeRefused, refused.Change)
	assert.Equal(t, []review.RoleChange{{Role: "agent", From: []string{`rule "agents"`}}}, refused.Lost)
	assert.Equal(t, []string{"agents"}, refused.Old.Rules)
	require.NotNil(t, refused.New.Refused)
	assert.Equal(t, "denied", refused.New.Refused.Kind)
	assert.Equal(t, `deny rule "sales agents moved to the partner"`, refused.New.Refused.By)
	assert.Equal(t, []string{"refuse"}, refused.FailedOn)

	assert.Equal(t, review.ChangeRoles, lost.Change)
	assert.Equal(t, []review.RoleChange{{Role: "wfo.quality_manager", From: []string{`rule "quality assurance"`}}}, lost.Lost)
	assert.Equal(t, []string{"export_calls"}, lost.LostInsights)
	assert.Equal(t, []string{"agents", "team leads", "quality assurance"}, lost.Old.Rules)
	assert.Equal(t, []string{"agents", "team leads"}, lost.New.Rules)
	assert.Empty(t, lost.FailedOn)

	assert.Equal(t, review.ChangeAdmitted, admitted.Change)
	assert.Equal(t, "missing_attribute (45050)", admitted.Old.Refused.By)
	assert.Equal(t, []string{"supervisor", "wfo.data_analyst"}, admitted.New.Roles)
	assert.Equal(t, []string{"enabled", "play_calls", "export_calls", "assess_calls=view_only", "dashboards=editor"}, admitted.New.Insights)

	s := doc.Summary
	assert.Equal(t, 9, s.Users)
	assert.Equal(t, 3, s.Changed)
	assert.Equal(t, 1, s.Gaining)
	assert.Equal(t, 2, s.Losing)
	assert.Equal(t, 1, s.NewlyRefused)
	assert.Equal(t, 1, s.NewlyAdmitted)
	assert.Equal(t, map[string]int{"agent": 1, "wfo.quality_manager": 1}, s.Lose)
	assert.Equal(t, map[string]int{`deny rule "sales agents moved to the partner"`: 1}, s.RefusedBy)
	assert.Equal(t, map[string]int{"refuse": 1}, s.FailedOn)

	// Arrays are arrays, never null, for tools that read the document.
	var raw struct {
		Changes []map[string]json.RawMessage
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &raw))
	for _, key := range []string{"gained", "lost", "gained_insights", "lost_insights"} {
		assert.NotEqual(t, "null", string(raw.Changes[0][key]), key)
	}
}

// TestDiffFailOn checks which changes --fail-on turns into exit 1, and that
// a wrong item is a usage error that says what to write.
func TestDiffFailOn(t *testing.T) {
	for _, tt := range []struct {
		failOn     string
		wantCode   int
		wantStderr string
	}{
		{"", exitOK, ""},
		{"gain:admin", exitOK, ""},
		{"gain:admin,lose:wfo.full_access", exitOK, ""},
		{"refuse", exitFailed, ""},
		{"admit", exitFailed, ""},
		{"any", exitFailed, ""},
		{"gain", exitFailed, ""},
		{"lose", exitFailed, ""},
		{"gain:supervisor", exitFailed, ""},
		{"lose:wfo.quality_manager", exitFailed, ""},
		{"lose:agent", exitFailed, "newly refused users lose their roles"},
		{"gain:dashboards", exitFailed, "a level counts as the capability"},
		{"lose:export_calls", exitFailed, ""},
		{"gain:questionnaires", exitOK, ""},
		{" gain:admin , refuse ", exitFailed, "items are trimmed"},
		{"gain:Admin", exitUsage, `did you mean "admin"`},
		{"gain:owner", exitUsage, "no role nor Insights capability"},
		{"refused", exitUsage, `unknown item "refused"`},
		{"lose:", exitUsage, "no role nor Insights capability"},
	} {
		t.Run(tt.failOn, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := cli("diff", "--fail-on", tt.failOn, "--users", exampleUsers, examplePolicy, exampleNext)
			require.Equal(t, tt.wantCode, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			switch tt.wantCode {
			case exitUsage:
				assert.Contains(t, stderr, tt.wantStderr)
				assert.Empty(t, stdout)
			case exitFailed:
				assert.Contains(t, stdout, "fails on ")
			default:
				assert.NotContains(t, stdout, "fails on ")
			}
		})
	}
}

// TestDiffMarkdown checks the pull-request comment: the summary table and
// the warning come first, and nothing from the policy or the users file
// can format, link, mention or break the table.
func TestDiffMarkdown(t *testing.T) {
	code, stdout, _ := cli("diff", "--markdown", "--fail-on", "refuse,gain:admin", "--users", exampleUsers, examplePolicy, exampleNext)
	require.Equal(t, exitFailed, code)
	for _, want := range []string{
		"<!-- flexroles diff -->\n### Flex role policy: `../../examples/policy.yaml` → `../../examples/policy-next.yaml`\n\n",
		"**3 of 9 users change: 1 gains roles, 2 lose roles, 1 newly refused, 1 newly admitted.**\n\n",
		"| change | users |\n|---|---:|\n| gain `supervisor` | 1 |\n",
		"| lose Insights `export_calls` | 1 |\n",
		"\n> [!CAUTION]\n> This change fails the review on `refuse` 1 user.\n",
		"<details><summary>The 3 users who change</summary>\n\n| user | line | before | after | why |\n",
		"| `alex.agent@owlbank.example` | 2 | `agent` | refused by `deny rule \"sales agents moved to the partner\"` | −`agent` was from `rule \"agents\"` |\n",
		"\n</details>\n",
	} {
		assert.Contains(t, stdout, want)
	}
	require.Less(t, strings.Index(stdout, "| change |"), strings.Index(stdout, "<details>"), "the summary comes first")

	dir := t.TempDir()
	hostile := writePolicy(t, dir, "hostile.yaml", `version: 1
sso:
  rules:
    - name: agents
      when: {group: CC-Agents}
      grant: [agent]
  deny:
    - name: "<img src=x onerror=alert(1)> | @org/all [link](http://x) `+"`code`"+` **bold**"
      when: {group: CC-Agents}
`)
	users := filepath.Join(dir, "users.ndjson")
	require.NoError(t, os.WriteFile(users, []byte(`{"email":"a|b<script>@x.co","name":"A","groups":["CC-Agents"]}`+"\n"), 0o600))
	code, stdout, stderr := cli("diff", "--markdown", "--users", users, examplePolicy, hostile)
	require.Equal(t, exitOK, code, stderr)
	rows := 0
	for _, line := range strings.Split(stdout, "\n") {
		outside := outsideCodeSpans(line)
		for _, raw := range []string{"<img", "<script", "@org", "@x.co", "[link]", "http://x", "**bold**", "code"} {
			assert.NotContains(t, outside, raw, "only inside code spans, which GitHub shows as text: %s", line)
		}
		if strings.HasPrefix(line, "| `a") {
			rows++
			assert.Equal(t, 6, strings.Count(line, "|")-strings.Count(line, `\|`), "one row, five cells: %s", line)
		}
	}
	assert.Equal(t, 1, rows)
	assert.Contains(t, stdout, "``deny rule \"<img src=x onerror=alert(1)> \\| @org/all [link](http://x) `code` **bold**\"``",
		"a fence longer than the backticks inside")
}

// outsideCodeSpans returns line without its Markdown code spans: a run of
// n backticks opens one, and the next run of exactly n closes it, as
// CommonMark reads them. An unclosed run is text.
func outsideCodeSpans(line string) string {
	var out strings.Builder
	for i := 0; i < len(line); {
		if line[i] != '`' {
			out.WriteByte(line[i])
			i++
			continue
		}
		n := 0
		for i+n < len(line) && line[i+n] == '`' {
			n++
		}
		closing := -1
		for j := i + n; j < len(line); {
			if line[j] != '`' {
				j++
				continue
			}
			m := 0
			for j+m < len(line) && line[j+m] == '`' {
				m++
			}
			if m == n {
				closing = j
				break
			}
			j += m
		}
		if closing < 0 {
			out.WriteString(line[i : i+n])
			i += n
			continue
		}
		i = closing + n
	}
	return out.String()
}

// TestDiffMarkdownBounded checks that --markdown lists at most
// review.MarkdownRows users, says how many it leaves out, and stays under
// GitHub's comment limit.
func TestDiffMarkdownBounded(t *testing.T) {
	dir := t.TempDir()
	users := filepath.Join(dir, "users.csv")
	var b strings.Builder
	b.WriteString("email,name,groups,department\n")
	for i := 0; i < 250; i++ {
		b.WriteString("agent" + strings.Repeat("x", 200) + strconv.Itoa(i) + "@owlbank.example,A,CC-Agents,Sales\n")
	}
	require.NoError(t, os.WriteFile(users, []byte(b.String()), 0o600))
	code, stdout, stderr := cli("diff", "--markdown", "--users", users, examplePolicy, exampleNext)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "<summary>The first 100 of 250 users who change (run flexroles diff for all)</summary>")
	assert.Equal(t, 100, strings.Count(stdout, "\n| `agent"))
	assert.Less(t, len(stdout), 65536)
}

// TestDiffCases checks the edges: no change, a refusal for another reason,
// policies that name attributes differently, and bad input of every kind.
func TestDiffCases(t *testing.T) {
	dir := t.TempDir()
	const leadsPolicy = `version: 1
sso:
  rules:
    - name: agents
      when: {any_group: [CC-Agents, CC-Leads]}
      grant: [agent]
    - name: team leads
      when: {group: CC-Leads}
      grant: [supervisor, wfo.team_leader]
`
	plain := writePolicy(t, dir, "plain.yaml", leadsPolicy)
	renamed := writePolicy(t, dir, "renamed.yaml", strings.Replace(leadsPolicy, "sso:\n", "sso:\n  attributes: {groups: memberOf}\n", 1))
	allowOnly := writePolicy(t, dir, "allow.yaml", `version: 1
sso:
  allow: [agent]
  rules:
    - name: agents
      when: {group: CC-Agents}
      grant: [agent]
  deny:
    - name: offboarded
      when: {group: Offboarded}
`)
	denyAll := writePolicy(t, dir, "deny.yaml", `version: 1
sso:
  rules:
    - name: agents
      when: {group: CC-Agents}
      grant: [agent]
  deny:
    - name: everyone leads
      when: {group: CC-Leads}
    - name: offboarded
      when: {group: Offboarded}
`)
	bad := writePolicy(t, dir, "bad.yaml", badPolicy)
	leads := filepath.Join(dir, "leads.ndjson")
	require.NoError(t, os.WriteFile(leads, []byte(
		`{"email":"l@x.co","name":"L","groups":["CC-Leads"],"roles":["admin"]}`+"\n"+
			`{"email":"a@x.co","name":"A","groups":["CC-Agents"]}`+"\n"), 0o600))
	dup := filepath.Join(dir, "dup.csv")
	require.NoError(t, os.WriteFile(dup, []byte("email,name,groups\na@x.co,A,CC-Agents\nA@X.CO,A,CC-Agents\n"), 0o600))
	noEmail := filepath.Join(dir, "noemail.csv")
	require.NoError(t, os.WriteFile(noEmail, []byte("email,name\n,A\n"), 0o600))
	empty := filepath.Join(dir, "empty.csv")
	require.NoError(t, os.WriteFile(empty, []byte("email,name,groups\n"), 0o600))
	oneLine := filepath.Join(dir, "oneline.json")
	require.NoError(t, os.WriteFile(oneLine, []byte(`[{"email":"a@x.co","name":"A"},{"email":"A@X.co ","name":"A"}]`), 0o600))
	badJSON := filepath.Join(dir, "bad.ndjson")
	require.NoError(t, os.WriteFile(badJSON, []byte(`{"email":"a@x.co","name":"A"}`+"\n"+`{"email":"b@x.co","nme":"B"}`+"\n"), 0o600))

	displayName := filepath.Join(dir, "display_name.csv")
	require.NoError(t, os.WriteFile(displayName, []byte("email,display_name,groups\na@x.co,A,CC-Agents\n"), 0o600))
	noNames := filepath.Join(dir, "nonames.ndjson")
	require.NoError(t, os.WriteFile(noNames, []byte(
		`{"email":"a@x.co","groups":["CC-Agents"]}`+"\n"+
			`{"email":"b@x.co","groups":["CC-Agents"]}`+"\n"+
			`{"email":"l@x.co","name":"L","groups":["CC-Leads"]}`+"\n"+
			`{"email":"c@x.co","name":"C","roles":["agnt"]}`+"\n"), 0o600))
	noNamesOnly := filepath.Join(dir, "nonames-only.ndjson")
	require.NoError(t, os.WriteFile(noNamesOnly, []byte(
		`{"email":"a@x.co","groups":["CC-Agents"]}`+"\n"+`{"email":"l@x.co","name":"L","groups":["CC-Agents"]}`+"\n"), 0o600))

	memberOf := filepath.Join(dir, "memberof.csv")
	require.NoError(t, os.WriteFile(memberOf, []byte("email,name,memberOf\nl@x.co,L,CC-Leads\na@x.co,A,CC-Agents\n"), 0o600))
	groupMembership := filepath.Join(dir, "group-membership.csv")
	require.NoError(t, os.WriteFile(groupMembership, []byte("email,name,Group Membership\na@x.co,A,CC-Agents\nk@x.co,K,Offboarded\n"), 0o600))
	deptOnly := filepath.Join(dir, "dept.csv")
	require.NoError(t, os.WriteFile(deptOnly, []byte("email,name,dept\na@x.co,A,Quality\nk@x.co,K,Sales\n"), 0o600))
	deptGroups := filepath.Join(dir, "dept-groups.csv")
	require.NoError(t, os.WriteFile(deptGroups, []byte("email,name,groups,dept\nq@x.co,Q,CC-Leads,Quality\n"), 0o600))

	for _, tt := range []struct {
		name       string
		reason     string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr []string
	}{
		{
			name:       "a memberOf column for a policy that reads memberOf",
			reason:     "finding: the header check refused a column a policy reads as its groups (sso.attributes {groups: memberOf}), which worked before",
			args:       []string{"diff", "--users", memberOf, renamed, renamed},
			wantCode:   exitOK,
			wantStdout: []string{"No change: the 2 users of " + memberOf + " keep their outcome.\n"},
		},
		{
			name:     "no groups column",
			reason:   "finding: an export without the column the rules read refused every user 45050 on both sides and diff said No change with status 0",
			args:     []string{"diff", "--fail-on", "gain:admin,refuse", "--users", groupMembership, examplePolicy, exampleNext},
			wantCode: exitFailed,
			wantStdout: []string{
				"Not judged: 2 of 2 users are refused under both policies",
				`  no "groups" (nor "roles", "department", "location") for the policies' rules: 2 users, first a@x.co (` + groupMembership + `:2): flexroles: Flex error 45050`,
				`note: no user of the export carries "department", "location", which the policies' rules test`,
			},
			wantStderr: []string{"flexroles: diff: 2 of 2 users could not be judged"},
		},
		{
			name:       "a condition column under another name",
			reason:     "dept is not the department the rules test: with no groups either, nobody can be judged",
			args:       []string{"diff", "--fail-on", "gain:admin,refuse", "--users", deptOnly, examplePolicy, exampleNext},
			wantCode:   exitFailed,
			wantStdout: []string{`  no "groups" (nor "roles", "department", "location") for the policies' rules: 2 users`},
			wantStderr: []string{"--allow-unjudged"},
		},
		{
			name:       "a condition attribute nobody carries",
			reason:     "users with groups are judged, and the report notes the condition attribute that no user of the export carries",
			args:       []string{"diff", "--markdown", "--users", deptGroups, examplePolicy, examplePolicy},
			wantCode:   exitOK,
			wantStdout: []string{"> [!NOTE]\n> no user of the export carries `department`, `location`, which the policies' rules test", "No change: the 1 user keeps"},
		},
		{
			name:       "display_name column",
			reason:     "issue 18: a users file whose full name column is display_name made every user 45050 under both policies and the review passed; the header is refused with a did-you-mean",
			args:       []string{"diff", "--fail-on", "gain:admin,refuse", "--users", displayName, examplePolicy, denyAll},
			wantCode:   exitUsage,
			wantStderr: []string{displayName + `:1: column "display_name" is not one the export reads (did you mean "name"?)`},
		},
		{
			name:     "users without names are not judged",
			reason:   "issue 18: users refused on both sides for what the export lacks are neither changed nor unchanged; the review fails",
			args:     []string{"diff", "--fail-on", "gain:admin,refuse", "--users", noNames, examplePolicy, denyAll},
			wantCode: exitFailed,
			wantStdout: []string{
				"- l@x.co (" + noNames + ":3): newly refused by deny rule \"everyone leads\"\n",
				"1 of 4 users changes: 1 loses roles, 1 newly refused.\n",
				"Not judged: 3 of 4 users are refused under both policies for what the export does not give them, so no rule could judge them",
				`  missing_attribute "full_name": 2 users, first a@x.co (` + noNames + `:1): flexroles: Flex error 45050 Missing User Attributes: the "full_name" attribute is empty`,
				`  unknown_role in "roles": 1 user, first c@x.co (` + noNames + `:4): flexroles: unknown role "agnt" in "roles" (did you mean "agent"?)`,
			},
			wantStderr: []string{"flexroles: diff: 3 of 4 users could not be judged: the export does not give what Flex or the policies need (see the report); fix it, or pass --allow-unjudged\n"},
		},
		{
			name:       "no change among the judged is not No change",
			reason:     "the No change line never appears while users were not judged",
			args:       []string{"diff", "--users", noNamesOnly, examplePolicy, examplePolicy},
			wantCode:   exitFailed,
			wantStdout: []string{"Not judged: 1 of 2 users is refused under both policies", "The other 1 user keeps its outcome.\n"},
			wantStderr: []string{"--allow-unjudged"},
		},
		{
			name:       "allow-unjudged",
			reason:     "the loudly named flag accepts the export; the report still counts the users",
			args:       []string{"diff", "--allow-unjudged", "--users", noNamesOnly, examplePolicy, examplePolicy},
			wantCode:   exitOK,
			wantStdout: []string{"Not judged: 1 of 2 users"},
		},
		{
			name:       "not judged in Markdown",
			args:       []string{"diff", "--markdown", "--users", noNamesOnly, examplePolicy, examplePolicy},
			wantCode:   exitFailed,
			wantStdout: []string{"> [!WARNING]\n> **Not judged:** 1 of 2 users is refused", "> - `missing_attribute \"full_name\"`: 1 user, first `a@x.co` (line 1)\n", "The other 1 user keeps its roles and Insights capabilities.\n"},
			wantStderr: []string{"--allow-unjudged"},
		},
		{
			name:       "not judged in JSON",
			args:       []string{"diff", "--json", "--users", noNamesOnly, examplePolicy, examplePolicy},
			wantCode:   exitFailed,
			wantStdout: []string{`"not_judged":1,"not_judged_by":{"missing_attribute \"full_name\"":1},"not_judged_first":{"missing_attribute \"full_name\"":{"line":1,"email":"a@x.co","message":"flexroles: Flex error 45050`},
			wantStderr: []string{"--allow-unjudged"},
		},
		{
			name:       "same policy",
			reason:     "a policy against itself changes nobody",
			args:       []string{"diff", "--users", exampleUsers, examplePolicy, examplePolicy},
			wantCode:   exitOK,
			wantStdout: []string{"No change: the 9 users of ../../examples/users.csv keep their outcome.\n"},
		},
		{
			name:       "same policy in Markdown",
			args:       []string{"diff", "--markdown", "--fail-on", "any", "--users", exampleUsers, examplePolicy, examplePolicy},
			wantCode:   exitOK,
			wantStdout: []string{"No change: the 9 users keep their roles and Insights capabilities.\n"},
		},
		{
			name:   "attributes renamed",
			reason: "each policy reads the export under its own attribute names: renamed to memberOf, groups still reach the rules, and a note says the IdP must follow",
			args:   []string{"diff", "--users", leads, plain, renamed},
			wantStdout: []string{
				`note: NEW reads groups from the assertion attribute "memberOf", OLD from "groups": the export's groups reach both, but from the moment NEW ships the identity provider must send "memberOf"` + "\n",
				"No change: the 2 users",
			},
		},
		{
			name:       "empty export",
			reason:     "an export with no users proves nothing: fail closed",
			args:       []string{"diff", "--users", empty, examplePolicy, exampleNext},
			wantCode:   exitUsage,
			wantStderr: []string{empty + ": no users: the export is empty"},
		},
		{
			name:       "duplicate on one line",
			reason:     "a JSON array on one line, as APIs export it: the duplicate is still found",
			args:       []string{"diff", "--users", oneLine, examplePolicy, exampleNext},
			wantCode:   exitUsage,
			wantStderr: []string{oneLine + `:1: email "A@X.co " already given on line 1`},
		},
		{
			name:       "fail-on items given twice",
			args:       []string{"diff", "--fail-on", "refuse,refuse", "--users", exampleUsers, examplePolicy, exampleNext},
			wantCode:   exitFailed,
			wantStdout: []string{"    fails on refuse\n", "fails on refuse: 1 user\n"},
		},
		{
			name:       "refused for another reason",
			reason:     "refused on both sides, by sso.allow then by a deny rule: reported with !, no gain or loss",
			args:       []string{"diff", "--users", leads, allowOnly, denyAll},
			wantCode:   exitOK,
			wantStdout: []string{"! l@x.co (" + leads + ":1): still refused, now by deny rule \"everyone leads\", was by sso.allow\n", "1 of 2 users changes: 1 refused for another reason.\n"},
		},
		{
			name:       "flags after the policies",
			reason:     "as in the issue: flexroles diff OLD NEW --users FILE",
			args:       []string{"diff", examplePolicy, exampleNext, "--users", exampleUsers, "--fail-on", "admit"},
			wantCode:   exitFailed,
			wantStdout: []string{"fails on admit: 1 user\n"},
		},
		{
			name:       "no users file",
			args:       []string{"diff", examplePolicy, exampleNext},
			wantCode:   exitUsage,
			wantStderr: []string{"diff: --users is required"},
		},
		{
			name:       "one policy",
			args:       []string{"diff", "--users", exampleUsers, examplePolicy},
			wantCode:   exitUsage,
			wantStderr: []string{"want the OLD and NEW policies, got 1 argument\n"},
		},
		{
			name:       "two formats",
			args:       []string{"diff", "--json", "--markdown", "--users", exampleUsers, examplePolicy, exampleNext},
			wantCode:   exitUsage,
			wantStderr: []string{"--json and --markdown exclude each other"},
		},
		{
			name:       "invalid new policy",
			reason:     "the policy's problems with their positions, as validate prints them",
			args:       []string{"diff", "--users", exampleUsers, examplePolicy, bad},
			wantCode:   exitUsage,
			wantStderr: []string{"the policy " + bad + " does not load", bad + ":6:15: sso.rules[0].grant[0]: unknown role"},
		},
		{
			name:       "missing policy",
			args:       []string{"diff", "--users", exampleUsers, filepath.Join(dir, "nope.yaml"), examplePolicy},
			wantCode:   exitUsage,
			wantStderr: []string{"nope.yaml: open: no such file"},
		},
		{
			name:       "bad git source",
			args:       []string{"diff", "--users", exampleUsers, "git:main", examplePolicy},
			wantCode:   exitUsage,
			wantStderr: []string{"want git:REF:PATH"},
		},
		{
			name:       "git ref that is an option",
			reason:     "a ref starting with '-' would reach git as an option",
			args:       []string{"diff", "--users", exampleUsers, "git:--output=/tmp/x:policy.yaml", examplePolicy},
			wantCode:   exitUsage,
			wantStderr: []string{`the git ref "--output=/tmp/x" starts with '-'`},
		},
		{
			name:       "duplicate email",
			reason:     "emails compare ignoring case, as audit reads the export",
			args:       []string{"diff", "--users", dup, examplePolicy, exampleNext},
			wantCode:   exitUsage,
			wantStderr: []string{dup + `:3: email "A@X.CO" already given on line 2`},
		},
		{
			name:       "user without an email",
			args:       []string{"diff", "--users", noEmail, examplePolicy, exampleNext},
			wantCode:   exitUsage,
			wantStderr: []string{noEmail + ":2: user without an email"},
		},
		{
			name:       "unknown field",
			args:       []string{"diff", "--users", badJSON, examplePolicy, exampleNext},
			wantCode:   exitUsage,
			wantStderr: []string{badJSON + `:2: json: unknown field "nme"`},
		},
		{
			name:       "missing users file",
			args:       []string{"diff", "--users", filepath.Join(dir, "nope.csv"), examplePolicy, exampleNext},
			wantCode:   exitUsage,
			wantStderr: []string{"nope.csv: no such file"},
		},
		{
			name:       "help",
			args:       []string{"diff", "-h"},
			wantCode:   exitOK,
			wantStdout: []string{"flexroles diff [--json | --markdown] [--fail-on CHANGES] [--allow-unjudged] --users USERS OLD NEW", "git:REF:PATH"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := cli(tt.args...)
			require.Equal(t, tt.wantCode, code, "%s\nstdout:\n%s\nstderr:\n%s", tt.reason, stdout, stderr)
			for _, s := range tt.wantStdout {
				assert.Contains(t, stdout, s, tt.reason)
			}
			if strings.Contains(stdout, "ot judged") {
				assert.NotContains(t, stdout, "No change", "never while users were not judged")
			}
			for _, s := range tt.wantStderr {
				assert.Contains(t, stderr, s, tt.reason)
			}
			if tt.wantStderr == nil {
				assert.Empty(t, stderr)
			}
		})
	}
}

// TestDiffGit compares a policy as committed with the working copy through
// git:REF:PATH, the way CI compares a branch with main.
func TestDiffGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	next, err := os.ReadFile(exampleNext)
	require.NoError(t, err)
	old, err := os.ReadFile(examplePolicy)
	require.NoError(t, err)
	users, err := filepath.Abs(exampleUsers)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "sub"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sub", "policy.yaml"), old, 0o600))
	gitRun := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-c", "user.email=t@x.co", "-c", "user.name=T", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "git %v: %s", args, out)
	}
	gitRun("init", "-q")
	gitRun("add", "sub/policy.yaml")
	gitRun("commit", "-q", "-m", "policy")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sub", "policy.yaml"), next, 0o600))

	wd, err := os.Getwd()
	require.NoError(t, err)
	require.NoError(t, os.Chdir(filepath.Join(dir, "sub")))
	t.Cleanup(func() { _ = os.Chdir(wd) })

	code, stdout, stderr := cli("diff", "--users", users, "git:HEAD:./policy.yaml", "policy.yaml")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "Comparing git:HEAD:./policy.yaml (old) with policy.yaml (new)")
	assert.Contains(t, stdout, "3 of 9 users change")

	code, stdout, stderr = cli("diff", "--users", users, "git:HEAD:sub/policy.yaml", "git:HEAD:sub/policy.yaml")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "No change", "a path from the root of the repository")

	code, _, stderr = cli("diff", "--users", users, "git:no-such-branch:policy.yaml", "policy.yaml")
	require.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "git cat-file blob no-such-branch:policy.yaml: fatal:", "git's own message says what is wrong")

	require.NoError(t, os.WriteFile("broken.yaml", []byte("version: 1\nsso: {rules: [{name: a, when: {group: G}, grant: [supervisr]}]}\n"), 0o600))
	gitRun("add", "sub/broken.yaml")
	gitRun("commit", "-q", "-m", "broken")
	code, _, stderr = cli("diff", "--users", users, "git:HEAD:sub/broken.yaml", "policy.yaml")
	require.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, `git:HEAD:sub/broken.yaml:2:`, "problems name the git source and their position")
	assert.Contains(t, stderr, `unknown role "supervisr"`)
}

// TestDocsShowRealOutput runs the commands docs/policy.md shows, from the
// repository's root, and compares their output with what it shows.
func TestDocsShowRealOutput(t *testing.T) {
	doc, err := os.ReadFile("../../docs/policy.md")
	require.NoError(t, err)
	wd, err := os.Getwd()
	require.NoError(t, err)
	require.NoError(t, os.Chdir("../.."))
	t.Cleanup(func() { _ = os.Chdir(wd) })
	shown := 0
	for _, block := range strings.Split(string(doc), "```\n$ flexroles ")[1:] {
		command, rest, _ := strings.Cut(block, "\n")
		want, _, ok := strings.Cut(rest, "```")
		require.True(t, ok, "an unclosed block: %s", command)
		_, stdout, stderr := cli(strings.Fields(command)...)
		require.Empty(t, stderr, command)
		assert.Equal(t, want, stdout, "docs/policy.md shows other output for: flexroles %s", command)
		shown++
	}
	require.Equal(t, 2, shown, "the coverage report and the diff")
}
