package audit_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/audit"
	"github.com/flexroles/flexroles/export"
	"github.com/stretchr/testify/require"
)

// records is a Source of fixed records, as a live reader gives them.
type records []audit.Record

// Workers emits the records in order.
func (rs records) Workers(emit func(audit.Record) error) error {
	for _, r := range rs {
		if err := emit(r); err != nil {
			return err
		}
	}
	return nil
}

// driftAuditor has the policy and the IdP users of the drift tests.
func driftAuditor(t *testing.T) *audit.Auditor {
	t.Helper()
	p, err := flexroles.LoadPolicy(strings.NewReader(`version: 1
sso:
  rules:
    - name: team leads
      when: {group: CC-Leads}
      grant: [supervisor]
    - name: agents
      when: {group: CC-Agents}
      grant: [agent]
`))
	require.NoError(t, err)
	users := map[string]*export.User{}
	err = export.Read(strings.NewReader("email,name,groups\nana@example.com,Ana,CC-Leads\nbo@example.com,Bo,Offboarded\n"), func(u *export.User) error {
		users[export.EmailKey(u.Email)] = u
		return nil
	})
	require.NoError(t, err)
	return &audit.Auditor{Policy: p, Users: users}
}

// run audits src and returns its findings and counts.
func run(t *testing.T, a *audit.Auditor, src audit.Source) ([]audit.Finding, audit.Stats) {
	t.Helper()
	var got []audit.Finding
	stats, err := a.Run(src, func(f []audit.Finding, _ int) error {
		got = append(got, f...)
		return nil
	})
	require.NoError(t, err)
	return got, stats
}

// TestDrift checks the drift rules of the package doc, through a Source
// other than File, in input order.
func TestDrift(t *testing.T) {
	a := driftAuditor(t)
	got, stats := run(t, a, records{
		{SID: "WK1", Attributes: []byte(`{"email":"ANA@example.com","full_name":"Ana","roles":["agent"]}`)},
		{SID: "WK2", Attributes: []byte(`{"email":"bo@example.com","full_name":"Bo","roles":["agent"]}`)},
		{SID: "WK3", Attributes: []byte(`{"email":"cy@example.com","full_name":"Cy","roles":["agent"]}`)},
		{SID: "WK4", Attributes: []byte(`{"roles":["flex.readteams","flex.readonlyadmin"]}`)},
		{SID: "WK5", Err: errors.New("cut short")},
	})
	type row struct{ sid, rule, level string }
	var rows []row
	for _, f := range got {
		rows = append(rows, row{f.SID, f.Rule, f.Level})
	}
	require.Equal(t, []row{
		{"WK1", audit.RuleDriftRoles, audit.LevelError},
		{"WK2", audit.RuleDriftRefused, audit.LevelError},
		{"WK3", audit.RuleDriftNoUser, audit.LevelWarning},
		{"WK5", audit.RuleMalformed, audit.LevelError},
	}, rows, "the Console Support worker WK4 is left out of the drift")
	require.Equal(t, "the next SSO login rewrites roles to [supervisor]: gains supervisor; loses agent", got[0].Message)
	require.Equal(t, audit.Stats{Workers: 5, WithFindings: 4, Errors: 3, Warnings: 1}, stats)
}

// TestFileWorkersMatchesRun checks that File used as a plain Source (its
// Workers method, as a caller may) gives the findings Run's batched reading
// of the same file gives.
func TestFileWorkersMatchesRun(t *testing.T) {
	input := `[{"sid":"WK1","attributes":"{\"email\":\"ana@example.com\",\"full_name\":\"Ana\",\"roles\":[\"agent\"]}"},
{"sid":"WK2","friendly_name":"bo","attributes":{"roles":["Admin"]}},
{"sid":"WK3","attributes":7},
{"workers":[{"sid":"WK4","attributes":"{}"}],"meta":{}}]`
	a := driftAuditor(t)
	batched, batchedStats := run(t, a, audit.NewFile(strings.NewReader(input)))
	var plain records
	require.NoError(t, audit.NewFile(strings.NewReader(input)).Workers(func(r audit.Record) error {
		plain = append(plain, r)
		return nil
	}))
	sequential, sequentialStats := run(t, a, plain)
	require.Equal(t, batched, sequential)
	require.Equal(t, batchedStats, sequentialStats)
	require.Len(t, plain, 4)
}

// TestRunStopsAtReportError checks that an error of the report ends the
// audit with that error.
func TestRunStopsAtReportError(t *testing.T) {
	var a audit.Auditor
	stop := errors.New("disk full")
	_, err := a.Run(audit.NewFile(strings.NewReader(`{"sid":"WK1","attributes":{"roles":["Admin"]}}`)), func([]audit.Finding, int) error {
		return stop
	})
	require.ErrorIs(t, err, stop)
}

// TestJSONReport checks the documented JSON line of a finding.
func TestJSONReport(t *testing.T) {
	var b bytes.Buffer
	r := audit.NewJSONReport(&b)
	require.NoError(t, r.Add([]audit.Finding{{Line: 3, SID: "WK1", Rule: audit.RuleMalformed, Level: audit.LevelError, Message: "m"}, {Rule: "r", Level: audit.LevelWarning, Message: "w"}}))
	require.NoError(t, r.Finish(&b, audit.Stats{Workers: 2}))
	require.Equal(t, `{"line":3,"sid":"WK1","rule":"audit.malformed","level":"error","message":"m"}`+"\n"+
		`{"rule":"r","level":"warning","message":"w"}`+"\n", b.String())
}
