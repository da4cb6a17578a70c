package review_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestReviewCases checks the edges of a review in its reports: no change,
// a refusal for another reason, policies that name attributes
// differently, exports that lack what the rules read, and users who cannot
// be judged.
func TestReviewCases(t *testing.T) {
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
	plain := writeFile(t, dir, "plain.yaml", leadsPolicy)
	renamed := writeFile(t, dir, "renamed.yaml", strings.Replace(leadsPolicy, "sso:\n", "sso:\n  attributes: {groups: memberOf}\n", 1))
	allowOnly := writeFile(t, dir, "allow.yaml", `version: 1
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
	const denyAll = "testdata/deny-leads.yaml" // agents, refusing leads and the offboarded
	leads := writeFile(t, dir, "leads.ndjson",
		`{"email":"l@x.co","name":"L","groups":["CC-Leads"],"roles":["admin"]}`+"\n"+
			`{"email":"a@x.co","name":"A","groups":["CC-Agents"]}`+"\n")
	noNames := writeFile(t, dir, "nonames.ndjson",
		`{"email":"a@x.co","groups":["CC-Agents"]}`+"\n"+
			`{"email":"b@x.co","groups":["CC-Agents"]}`+"\n"+
			`{"email":"l@x.co","name":"L","groups":["CC-Leads"]}`+"\n"+
			`{"email":"c@x.co","name":"C","roles":["agnt"]}`+"\n")
	noNamesOnly := writeFile(t, dir, "nonames-only.ndjson",
		`{"email":"a@x.co","groups":["CC-Agents"]}`+"\n"+`{"email":"l@x.co","name":"L","groups":["CC-Agents"]}`+"\n")
	memberOf := writeFile(t, dir, "memberof.csv", "email,name,memberOf\nl@x.co,L,CC-Leads\na@x.co,A,CC-Agents\n")
	groupMembership := writeFile(t, dir, "group-membership.csv", "email,name,Group Membership\na@x.co,A,CC-Agents\nk@x.co,K,Offboarded\n")
	deptOnly := writeFile(t, dir, "dept.csv", "email,name,dept\na@x.co,A,Quality\nk@x.co,K,Sales\n")
	deptGroups := writeFile(t, dir, "dept-groups.csv", "email,name,groups,dept\nq@x.co,Q,CC-Leads,Quality\n")

	for _, tt := range []struct {
		name          string
		reason        string
		old, new      string // the policies' files
		users         string // the export's file
		failOn        string
		form          string
		wantOut       []string // substrings of the report
		wantFailed    bool     // a FailOn item matched or a user was not judged
		wantNotJudged int
	}{
		{
			name:   "a memberOf column for a policy that reads memberOf",
			reason: "finding: the header check refused a column a policy reads as its groups (sso.attributes {groups: memberOf}), which worked before",
			old:    renamed, new: renamed, users: memberOf,
			wantOut: []string{"No change: the 2 users of " + memberOf + " keep their outcome.\n"},
		},
		{
			name:   "no groups column",
			reason: "finding: an export without the column the rules read refused every user 45050 on both sides and diff said No change with status 0",
			old:    examplePolicy, new: exampleNext, users: groupMembership, failOn: "gain:admin,refuse",
			wantOut: []string{
				"Not judged: 2 of 2 users are refused under both policies",
				`  no "groups" (nor "roles", "department", "location") for the policies' rules: 2 users, first a@x.co (` + groupMembership + `:2): flexroles: Flex error 45050`,
				`note: no user of the export carries "department", "location", which the policies' rules test`,
			},
			wantFailed: true, wantNotJudged: 2,
		},
		{
			name:   "a condition column under another name",
			reason: "dept is not the department the rules test: with no groups either, nobody can be judged",
			old:    examplePolicy, new: exampleNext, users: deptOnly, failOn: "gain:admin,refuse",
			wantOut:    []string{`  no "groups" (nor "roles", "department", "location") for the policies' rules: 2 users`},
			wantFailed: true, wantNotJudged: 2,
		},
		{
			name:   "a condition attribute nobody carries",
			reason: "users with groups are judged, and the report notes the condition attribute that no user of the export carries",
			old:    examplePolicy, new: examplePolicy, users: deptGroups, form: asMarkdown,
			wantOut: []string{"> [!NOTE]\n> no user of the export carries `department`, `location`, which the policies' rules test", "No change: the 1 user keeps"},
		},
		{
			name:   "users without names are not judged",
			reason: "issue 18: users refused on both sides for what the export lacks are neither changed nor unchanged; the review fails",
			old:    examplePolicy, new: denyAll, users: noNames, failOn: "gain:admin,refuse",
			wantOut: []string{
				"- l@x.co (" + noNames + ":3): newly refused by deny rule \"everyone leads\"\n",
				"1 of 4 users changes: 1 loses roles, 1 newly refused.\n",
				"Not judged: 3 of 4 users are refused under both policies for what the export does not give them, so no rule could judge them",
				`  missing_attribute "full_name": 2 users, first a@x.co (` + noNames + `:1): flexroles: Flex error 45050 Missing User Attributes: the "full_name" attribute is empty`,
				`  unknown_role in "roles": 1 user, first c@x.co (` + noNames + `:4): flexroles: unknown role "agnt" in "roles" (did you mean "agent"?)`,
			},
			wantFailed: true, wantNotJudged: 3,
		},
		{
			name:   "no change among the judged is not No change",
			reason: "the No change line never appears while users were not judged",
			old:    examplePolicy, new: examplePolicy, users: noNamesOnly,
			wantOut:    []string{"Not judged: 1 of 2 users is refused under both policies", "The other 1 user keeps its outcome.\n"},
			wantFailed: true, wantNotJudged: 1,
		},
		{
			name: "not judged in Markdown",
			old:  examplePolicy, new: examplePolicy, users: noNamesOnly, form: asMarkdown,
			wantOut:    []string{"> [!WARNING]\n> **Not judged:** 1 of 2 users is refused", "> - `missing_attribute \"full_name\"`: 1 user, first `a@x.co` (line 1)\n", "The other 1 user keeps its roles and Insights capabilities.\n"},
			wantFailed: true, wantNotJudged: 1,
		},
		{
			name: "not judged in JSON",
			old:  examplePolicy, new: examplePolicy, users: noNamesOnly, form: asJSON,
			wantOut:    []string{`"not_judged":1,"not_judged_by":{"missing_attribute \"full_name\"":1},"not_judged_first":{"missing_attribute \"full_name\"":{"line":1,"email":"a@x.co","message":"flexroles: Flex error 45050`},
			wantFailed: true, wantNotJudged: 1,
		},
		{
			name:   "same policy",
			reason: "a policy against itself changes nobody",
			old:    examplePolicy, new: examplePolicy, users: exampleUsers,
			wantOut: []string{"No change: the 9 users of ../examples/users.csv keep their outcome.\n"},
		},
		{
			name:   "same policy in Markdown",
			reason: "any fails on no change",
			old:    examplePolicy, new: examplePolicy, users: exampleUsers, failOn: "any", form: asMarkdown,
			wantOut: []string{"No change: the 9 users keep their roles and Insights capabilities.\n"},
		},
		{
			name:   "attributes renamed",
			reason: "each policy reads the export under its own attribute names: renamed to memberOf, groups still reach the rules, and a note says the IdP must follow",
			old:    plain, new: renamed, users: leads,
			wantOut: []string{
				`note: NEW reads groups from the assertion attribute "memberOf", OLD from "groups": the export's groups reach both, but from the moment NEW ships the identity provider must send "memberOf"` + "\n",
				"No change: the 2 users",
			},
		},
		{
			name:   "fail-on items given twice",
			reason: "an item given twice counts once",
			old:    examplePolicy, new: exampleNext, users: exampleUsers, failOn: "refuse,refuse",
			wantOut:    []string{"    fails on refuse\n", "fails on refuse: 1 user\n"},
			wantFailed: true,
		},
		{
			name:   "refused for another reason",
			reason: "refused on both sides, by sso.allow then by a deny rule: reported with !, no gain or loss",
			old:    allowOnly, new: denyAll, users: leads,
			wantOut: []string{"! l@x.co (" + leads + ":1): still refused, now by deny rule \"everyone leads\", was by sso.allow\n", "1 of 2 users changes: 1 refused for another reason.\n"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := reviewExport(t, tt.old, tt.new, tt.failOn, tt.form, tt.users)
			assert.Equal(t, tt.wantFailed, r.failed(), "%s\n%s", tt.reason, r.out)
			assert.Equal(t, tt.wantNotJudged, r.summary.NotJudged, tt.reason)
			for _, s := range tt.wantOut {
				assert.Contains(t, r.out, s, tt.reason)
			}
			if strings.Contains(r.out, "ot judged") {
				assert.NotContains(t, r.out, "No change", "never while users were not judged")
			}
		})
	}
}
