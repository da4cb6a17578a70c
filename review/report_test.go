package review_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/export"
	"github.com/flexroles/flexroles/review"
)

// The shipped example policy, its proposed change and the IdP export, which
// the README's flexroles diff compares.
const (
	examplePolicy = "../examples/policy.yaml"
	exampleNext   = "../examples/policy-next.yaml"
	exampleUsers  = "../examples/users.csv"
)

// The report forms of a review, as flexroles diff chooses them.
const (
	asText     = "text"
	asJSON     = "json"
	asMarkdown = "markdown"
)

// reviewed is a review run to its end: the report printed, the changes
// found and the Comparison's summary.
type reviewed struct {
	out     string
	changes []*review.Change
	summary review.Summary
}

// failed reports whether the review fails: a change matches a FailOn item
// or a user could not be judged.
func (r reviewed) failed() bool { return len(r.summary.FailedOn) > 0 || r.summary.NotJudged > 0 }

// reviewExport compares the policies at oldPath and newPath over the users
// of the export at usersPath, failing on failOn, and prints the report in
// form, each file under its path, as flexroles diff does.
func reviewExport(t *testing.T, oldPath, newPath, failOn, form, usersPath string) reviewed {
	t.Helper()
	old, next := loadFile(t, oldPath), loadFile(t, newPath)
	users, err := export.Open(usersPath)
	require.NoError(t, err)
	defer users.Close()
	fail, err := review.ParseFailOn(failOn)
	require.NoError(t, err)
	var b strings.Builder
	w := bufio.NewWriter(&b)
	var out review.Reporter
	switch form {
	case asJSON:
		out = review.NewJSONReporter(w)
	case asMarkdown:
		out = review.NewMarkdownReporter(w)
	default:
		out = review.NewTextReporter(w, usersPath)
	}
	c := review.New(old, next, fail)
	out.Start(oldPath, newPath, review.RenameNotes(old, next))
	var changes []*review.Change
	require.NoError(t, users.Each(func(u *export.User) error {
		if ch := c.Compare(u); ch != nil {
			changes = append(changes, ch)
			out.Change(ch)
		}
		return nil
	}))
	out.Finish(&c.Summary)
	require.NoError(t, w.Flush())
	return reviewed{out: b.String(), changes: changes, summary: c.Summary}
}

// loadFile loads the policy file at path.
func loadFile(t *testing.T, path string) *flexroles.Policy {
	t.Helper()
	p, err := flexroles.LoadPolicyFile(path)
	require.NoError(t, err)
	return p
}

// writeFile writes text to name in dir and returns its path.
func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	return path
}

// TestTextReportExample pins the readable form on the shipped example
// change: one user newly refused, one losing a role, one newly admitted.
func TestTextReportExample(t *testing.T) {
	r := reviewExport(t, examplePolicy, exampleNext, "", asText, exampleUsers)
	require.False(t, r.failed(), "without FailOn items a review only reports")
	want := `Comparing ../examples/policy.yaml (old) with ../examples/policy-next.yaml (new) for the users of ../examples/users.csv

- alex.agent@owlbank.example (../examples/users.csv:2): newly refused by deny rule "sales agents moved to the partner"
    - agent  was from rule "agents"
    flexroles: the policy's deny rule "sales agents moved to the partner" refuses this login; remove the user from what the rule matches, or change the rule
~ quinn.qa@owlbank.example (../examples/users.csv:4)
    - wfo.quality_manager  was from rule "quality assurance"
    insights - export_calls
+ dana.dash@owlbank.example (../examples/users.csv:5): newly admitted, was refused by missing_attribute (45050)
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
	require.Equal(t, want, r.out)
}

// TestJSONReportExample checks the JSON document of the example change:
// every change with both sides, the rules behind each role, and the
// summary's counts.
func TestJSONReportExample(t *testing.T) {
	r := reviewExport(t, examplePolicy, exampleNext, "refuse", asJSON, exampleUsers)
	require.True(t, r.failed(), "a user is newly refused")
	var doc struct {
		Old, New string
		Changes  []review.Change
		Summary  review.Summary
	}
	require.NoError(t, json.Unmarshal([]byte(r.out), &doc), r.out)
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
	require.NoError(t, json.Unmarshal([]byte(r.out), &raw))
	for _, key := range []string{"gained", "lost", "gained_insights", "lost_insights"} {
		assert.NotEqual(t, "null", string(raw.Changes[0][key]), key)
	}
}

// TestFailOnExample checks which changes of the example each FailOn item
// matches, and that a wrong item is an error that says what to write.
func TestFailOnExample(t *testing.T) {
	for _, tt := range []struct {
		failOn  string
		reason  string
		wantErr string // a substring of ParseFailOn's error; "" when it parses
		fails   bool
	}{
		{failOn: ""},
		{failOn: "gain:admin"},
		{failOn: "gain:admin,lose:wfo.full_access"},
		{failOn: "refuse", fails: true},
		{failOn: "admit", fails: true},
		{failOn: "any", fails: true},
		{failOn: "gain", fails: true},
		{failOn: "lose", fails: true},
		{failOn: "gain:supervisor", fails: true},
		{failOn: "lose:wfo.quality_manager", fails: true},
		{failOn: "lose:agent", fails: true, reason: "newly refused users lose their roles"},
		{failOn: "gain:dashboards", fails: true, reason: "a level counts as the capability"},
		{failOn: "lose:export_calls", fails: true},
		{failOn: "gain:questionnaires"},
		{failOn: " gain:admin , refuse ", fails: true, reason: "items are trimmed"},
		{failOn: "gain:Admin", wantErr: `did you mean "admin"`},
		{failOn: "gain:owner", wantErr: "no role nor Insights capability"},
		{failOn: "refused", wantErr: `unknown item "refused"`},
		{failOn: "lose:", wantErr: "no role nor Insights capability"},
	} {
		t.Run(tt.failOn, func(t *testing.T) {
			t.Parallel()
			_, err := review.ParseFailOn(tt.failOn)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			r := reviewExport(t, examplePolicy, exampleNext, tt.failOn, asText, exampleUsers)
			assert.Equal(t, tt.fails, r.failed(), tt.reason)
			if tt.fails {
				assert.Contains(t, r.out, "fails on ", tt.reason)
			} else {
				assert.NotContains(t, r.out, "fails on ", tt.reason)
			}
		})
	}
}

// TestMarkdownReportExample checks the pull-request comment: the summary
// table and the warning come first, and nothing from the policy or the
// users file can format, link, mention or break the table.
func TestMarkdownReportExample(t *testing.T) {
	r := reviewExport(t, examplePolicy, exampleNext, "refuse,gain:admin", asMarkdown, exampleUsers)
	require.True(t, r.failed())
	for _, want := range []string{
		"<!-- flexroles diff -->\n### Flex role policy: `../examples/policy.yaml` → `../examples/policy-next.yaml`\n\n",
		"**3 of 9 users change: 1 gains roles, 2 lose roles, 1 newly refused, 1 newly admitted.**\n\n",
		"| change | users |\n|---|---:|\n| gain `supervisor` | 1 |\n",
		"| lose Insights `export_calls` | 1 |\n",
		"\n> [!CAUTION]\n> This change fails the review on `refuse` 1 user.\n",
		"<details><summary>The 3 users who change</summary>\n\n| user | line | before | after | why |\n",
		"| `alex.agent@owlbank.example` | 2 | `agent` | refused by `deny rule \"sales agents moved to the partner\"` | −`agent` was from `rule \"agents\"` |\n",
		"\n</details>\n",
	} {
		assert.Contains(t, r.out, want)
	}
	require.Less(t, strings.Index(r.out, "| change |"), strings.Index(r.out, "<details>"), "the summary comes first")

	dir := t.TempDir()
	hostile := writeFile(t, dir, "hostile.yaml", `version: 1
sso:
  rules:
    - name: agents
      when: {group: CC-Agents}
      grant: [agent]
  deny:
    - name: "<img src=x onerror=alert(1)> | @org/all [link](http://x) `+"`code`"+` **bold**"
      when: {group: CC-Agents}
`)
	users := writeFile(t, dir, "users.ndjson", `{"email":"a|b<script>@x.co","name":"A","groups":["CC-Agents"]}`+"\n")
	r = reviewExport(t, examplePolicy, hostile, "", asMarkdown, users)
	require.False(t, r.failed())
	rows := 0
	for _, line := range strings.Split(r.out, "\n") {
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
	assert.Contains(t, r.out, "``deny rule \"<img src=x onerror=alert(1)> \\| @org/all [link](http://x) `code` **bold**\"``",
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

// TestMarkdownReportBounded checks that the Markdown report lists at most
// MarkdownRows users, says how many it leaves out, and stays under
// GitHub's comment limit.
func TestMarkdownReportBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("email,name,groups,department\n")
	for i := 0; i < 250; i++ {
		b.WriteString("agent" + strings.Repeat("x", 200) + strconv.Itoa(i) + "@owlbank.example,A,CC-Agents,Sales\n")
	}
	users := writeFile(t, t.TempDir(), "users.csv", b.String())
	r := reviewExport(t, examplePolicy, exampleNext, "", asMarkdown, users)
	require.False(t, r.failed())
	assert.Contains(t, r.out, "<summary>The first 100 of 250 users who change (run flexroles diff for all)</summary>")
	assert.Equal(t, review.MarkdownRows, strings.Count(r.out, "\n| `agent"))
	assert.Less(t, len(r.out), 65536)
}
