package audit_test

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles/audit"
	"github.com/flexroles/flexroles/internal/audittest"
	"github.com/flexroles/flexroles/internal/workergen"
)

// tableGroup is one rule's section of the table output.
type tableGroup struct {
	level, rule string
	count       int
	examples    []tableExample
	more        string // the "… and N more" line, without its indent, or ""
}

// tableExample is one finding listed in the table.
type tableExample struct{ label, message string }

var tableHeader = regexp.MustCompile(`^(error|warning) +(\S+)  \((\d+) findings?\)$`)

// parseTable splits the table output into its rule groups and summary,
// failing the test on any line out of the documented layout.
func parseTable(t *testing.T, out string) ([]tableGroup, string) {
	t.Helper()
	require.True(t, strings.HasSuffix(out, "\n"), "the output ends with a newline")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	summary := lines[len(lines)-1]
	lines = lines[:len(lines)-1]
	var groups []tableGroup
	for i := 0; i < len(lines); {
		m := tableHeader.FindStringSubmatch(lines[i])
		require.NotNil(t, m, "line %d is a group header: %q", i+1, lines[i])
		n, _ := strconv.Atoi(m[3])
		g := tableGroup{level: m[1], rule: m[2], count: n}
		i++
		for i+1 < len(lines) && strings.HasPrefix(lines[i], "    ") && !strings.HasPrefix(lines[i], "    … ") {
			require.False(t, strings.HasPrefix(lines[i], "     "), "a label is indented 4: %q", lines[i])
			require.True(t, strings.HasPrefix(lines[i+1], "        "), "a message is indented 8: %q", lines[i+1])
			g.examples = append(g.examples, tableExample{strings.TrimPrefix(lines[i], "    "), strings.TrimPrefix(lines[i+1], "        ")})
			i += 2
		}
		if i < len(lines) && strings.HasPrefix(lines[i], "    … ") {
			g.more = strings.TrimPrefix(lines[i], "    ")
			i++
		}
		require.Less(t, i, len(lines), "a blank line ends group %s", g.rule)
		require.Equal(t, "", lines[i], "a blank line ends group %s", g.rule)
		i++
		groups = append(groups, g)
	}
	return groups, summary
}

// TestTableReport checks TableReport: findings grouped by rule, errors
// before warnings, each group with its count and its findings' SID,
// friendly name, line and message, at most 20 of them.
func TestTableReport(t *testing.T) {
	var in strings.Builder
	// Lines 1-25: admins without a wfo role, one warning each.
	for i := 1; i <= 25; i++ {
		fmt.Fprintf(&in, `{"sid":"WK%032x","friendly_name":"admin%d@example.com","attributes":"{\"roles\":[\"admin\"]}"}`+"\n", i, i)
	}
	// Line 26: an unknown role, two errors.
	in.WriteString(`{"sid":"WK00000000000000000000000000000099","friendly_name":"cy.park@example.com","attributes":{"roles":["Agent"]}}` + "\n")
	// Line 27: no SID nor name, malformed.
	in.WriteString(`{"attributes":42}` + "\n")
	// Line 28: role without roles, an error and a warning.
	in.WriteString(`{"sid":"WK00000000000000000000000000000098","attributes":{"role":"agent"}}` + "\n")
	input := in.String()

	all, table, stats := auditFile(t, &audit.Auditor{}, input)
	require.Positive(t, stats.Errors, "error-level findings (audit exits 1):\n%s", table)
	groups, summary := parseTable(t, table)
	assert.Equal(t, strings.TrimSuffix(audittest.SummaryLine(28, 28, 4, 26), "\n"), summary)

	var order []string
	for _, g := range groups {
		order = append(order, g.level+" "+g.rule)
	}
	assert.Equal(t, []string{
		"error audit.malformed",
		"error worker.roles.missing",
		"error worker.roles.no_flex_role",
		"error worker.roles.unknown",
		"warning worker.insights.no_wfo",
		"warning worker.roles.singular",
	}, order, "errors first, then warnings, each by rule id")

	byRule := map[string][]audittest.Finding{}
	for _, f := range all {
		byRule[f.Rule] = append(byRule[f.Rule], f)
	}
	for _, g := range groups {
		fs := byRule[g.rule]
		assert.Equal(t, len(fs), g.count, "count of %s", g.rule)
		shown := min(len(fs), 20)
		require.Len(t, g.examples, shown, "examples of %s", g.rule)
		for i, ex := range g.examples {
			f := fs[i]
			var label []string
			for _, part := range []string{f.SID, f.FriendlyName} {
				if part != "" {
					label = append(label, part)
				}
			}
			label = append(label, "line "+strconv.Itoa(f.Line))
			assert.Equal(t, strings.Join(label, "  "), ex.label, "example %d of %s: SID, friendly name, line, in input order", i, g.rule)
			assert.Equal(t, f.Message, ex.message, "example %d of %s", i, g.rule)
		}
		if len(fs) > 20 {
			assert.Equal(t, fmt.Sprintf("… and %d more; --json lists them all", len(fs)-20), g.more, g.rule)
		} else {
			assert.Empty(t, g.more, g.rule)
		}
	}

	// Spot checks of the exact text.
	assert.Contains(t, table, "warning  worker.insights.no_wfo  (25 findings)\n    WK00000000000000000000000000000001  admin1@example.com  line 1\n        admin or supervisor without a wfo.* role")
	assert.Contains(t, table, "    WK00000000000000000000000000000014  admin20@example.com  line 20\n")
	assert.NotContains(t, table, "admin21@example.com", "the 21st finding of a rule is left to --json")
	assert.Contains(t, table, "    … and 5 more; --json lists them all\n\n")
	assert.Contains(t, table, "error    audit.malformed  (1 finding)\n    line 27\n        cannot read this worker")
	assert.Contains(t, table, "error    worker.roles.unknown  (1 finding)\n    WK00000000000000000000000000000099  cy.park@example.com  line 26\n")
	assert.Contains(t, table, "error    worker.roles.missing  (1 finding)\n    WK00000000000000000000000000000098  line 28\n")
}

// TestManyWorkers audits 20,000 generated workers: the counts are exact
// and the table lists at most 20 findings of a rule however many there
// are. It also checks that Run hands over findings in input order across
// the batches checked in parallel.
func TestManyWorkers(t *testing.T) {
	const n = 20000
	var buf bytes.Buffer
	require.NoError(t, workergen.Write(&buf, n))
	input := buf.String()

	_, table, stats := auditFile(t, &audit.Auditor{}, input)
	require.Equal(t, 2000, stats.Errors, "error-level findings (audit exits 1)")
	assert.True(t, strings.HasSuffix(table, "\n20000 workers audited: 2000 with findings, 2000 errors, 2000 warnings\n"), "summary:\n%s", table)
	groups, _ := parseTable(t, table)
	require.Len(t, groups, 2, "one rule of each level:\n%s", table)
	for _, g := range groups {
		assert.Equal(t, 2000, g.count, g.rule)
		assert.Len(t, g.examples, 20, g.rule)
		assert.Equal(t, "… and 1980 more; --json lists them all", g.more, g.rule)
	}
	assert.Equal(t, "worker.roles.unknown", groups[0].rule)
	assert.Equal(t, "worker.insights.no_wfo", groups[1].rule)
	assert.Less(t, len(table), 32<<10, "the table stays small")

	// The order is checked on fewer workers, still many batches.
	const m = 5000
	buf.Reset()
	require.NoError(t, workergen.Write(&buf, m))
	got, _, stats := auditFile(t, &audit.Auditor{}, buf.String())
	require.Positive(t, stats.Errors)
	require.Len(t, got, 2*m/10)
	for i, f := range got {
		// Worker k (from 0) is on line k+1; every tenth, k = 9 mod 10, has
		// an unknown role and then no wfo role.
		k := 10*(i/2) + 9
		want := findingAt{k + 1, fmt.Sprintf("WK%032x", k), "worker.roles.unknown"}
		if i%2 == 1 {
			want.Rule = "worker.insights.no_wfo"
		}
		if !assert.Equal(t, want, findingAt{f.Line, f.SID, f.Rule}, "finding %d, in input order", i) {
			break
		}
	}
}
