package flexroles_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/policytest"
)

// Tests of whole policy files (testdata/policy/valid.yaml), concurrent use,
// and what a Policy says about itself (AttributeName, Roles, Attributes).

// TestPolicyValidFile proves the realistic policy in testdata/policy/valid.yaml.
func TestPolicyValidFile(t *testing.T) {
	path := filepath.Join("testdata", "policy", "valid.yaml")
	p, err := flexroles.LoadPolicyFile(path)
	require.NoError(t, err)
	require.NotNil(t, p)

	rows := []policyCase{
		{
			name: "agent", reason: "agents get agent from a group",
			login:     polSSO(map[string][]string{"groups": {"CC-Overflow"}}),
			wantRoles: polRoles(flexroles.Agent),
		},
		{
			name: "team lead", reason: "team leads get wfo.team_leader",
			login:     polSSO(map[string][]string{"groups": {"CC-Leads"}}),
			wantRoles: polRoles(flexroles.Supervisor, flexroles.WFOTeamLeader),
		},
		{
			name: "team lead, group in other case", reason: "case_insensitive_groups: true",
			login:     polSSO(map[string][]string{"groups": {"cc-leads"}}),
			wantRoles: polRoles(flexroles.Supervisor, flexroles.WFOTeamLeader),
		},
		{
			name: "QA", reason: "QA with wfo.quality_manager (group AND department in)",
			login:     polSSO(map[string][]string{"groups": {"CC-QA"}, "department": {"Quality"}}),
			wantRoles: polRoles(flexroles.Supervisor, flexroles.WFOQualityManager),
		},
		{
			name: "QA group outside the QA departments", reason: "every condition present must hold",
			login:   polSSO(map[string][]string{"groups": {"CC-QA"}, "department": {"Finance"}}),
			wantErr: flexroles.ErrMissingAttribute,
		},
		{
			name: "QA lead", reason: "every matching rule's grant is added",
			login:     polSSO(map[string][]string{"groups": {"CC-Leads", "CC-QA"}, "department": {"Support"}}),
			wantRoles: polRoles(flexroles.Supervisor, flexroles.WFOTeamLeader, flexroles.WFOQualityManager),
		},
		{
			name: "analyst", reason: "analysts with wfo.data_analyst (attributes AND)",
			login:     polSSO(map[string][]string{"department": {"Analytics"}, "location": {"EU-Dublin"}}),
			wantRoles: polRoles(flexroles.Supervisor, flexroles.WFODataAnalyst),
		},
		{
			name: "supervisor from roles gets the default Insights role", reason: "default_insights_role",
			login:     polSSO(map[string][]string{"roles": {"supervisor"}}),
			wantRoles: polRoles(flexroles.Supervisor, flexroles.WFODashboardViewer),
		},
		{
			name: "offboarded lead", reason: "an offboarded deny",
			login:   polSSO(map[string][]string{"groups": {"CC-Leads", "Offboarded"}}),
			wantErr: flexroles.ErrDenied, wantRule: polStr("offboarded"),
		},
		{
			name: "SSO admin", reason: "admins only via Console: admin is outside sso.allow",
			login:   polSSO(map[string][]string{"roles": {"admin"}}),
			wantErr: flexroles.ErrDenied, wantRule: polStr("sso.allow"),
		},
		{
			name: "console Owner", reason: "console.allow [Owner, Administrator, Support]",
			login:     consoleLogin(flexroles.Owner),
			wantRoles: polRoles(flexroles.Admin, flexroles.WFOFullAccess),
		},
		{
			name: "console Support", reason: "console.allow [Owner, Administrator, Support]",
			login:     consoleLogin(flexroles.Support),
			wantRoles: polRoles(flexroles.ReadTeams, flexroles.ReadOnlyAdmin),
		},
		{
			name: "console Developer", reason: "console.allow [Owner, Administrator, Support]",
			login:   consoleLogin(flexroles.Developer),
			wantErr: flexroles.ErrDenied, wantRule: polStr("console.allow"),
		},
	}
	for _, c := range rows {
		t.Run(c.name, func(t *testing.T) {
			d, err := p.Resolve(cloneLogin(c.login))
			checkPolicyResult(t, c, d, err)
		})
	}
}

// The file's own tests list runs as subtests (policytest.Run).
func TestPolicyValidFileCases(t *testing.T) {
	policytest.Run(t, filepath.Join("testdata", "policy", "valid.yaml"))
}

// One Policy used by 64 goroutines answers as sequential calls do (run with -race).
func TestPolicyConcurrent(t *testing.T) {
	p, err := flexroles.LoadPolicyFile(filepath.Join("testdata", "policy", "valid.yaml"))
	require.NoError(t, err)
	logins := []flexroles.Login{
		polSSO(map[string][]string{"groups": {"CC-Agents"}}),
		polSSO(map[string][]string{"groups": {"cc-leads", "CC-QA"}, "department": {"Quality"}}),
		polSSO(map[string][]string{"department": {"Analytics"}, "location": {"EU-Dublin"}}),
		polSSO(map[string][]string{"roles": {"supervisor"}}),
		polSSO(map[string][]string{"groups": {"CC-Leads", "Offboarded"}}),
		polSSO(map[string][]string{"roles": {"admin"}}),
		polSSO(map[string][]string{"roles": {"Admin"}}),
		polSSO(map[string][]string{"groups": {"Finance"}}),
		polSSO(map[string][]string{"email": nil, "groups": {"CC-Agents"}}),
		consoleLogin(flexroles.Owner),
		consoleLogin(flexroles.Support, flexroles.Developer),
		consoleLogin(flexroles.Support),
	}
	type result struct {
		d   flexroles.Decision
		err string
	}
	want := make([]result, len(logins))
	for i, l := range logins {
		d, err := p.Resolve(l)
		want[i] = result{d, fmt.Sprint(err)}
	}
	var wg sync.WaitGroup
	for g := 0; g < 64; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for n := 0; n < 20; n++ {
				i := (g + n) % len(logins)
				// The logins are shared: Resolve must only read them.
				d, err := p.Resolve(logins[i])
				assert.Equal(t, want[i], result{d, fmt.Sprint(err)}, "goroutine %d, login %d", g, i)
			}
		}(g)
	}
	wg.Wait()
}

// wantIssue is one PolicyIssue a bad policy must report. line and column are
// checked when non-zero; fieldPrefix accepts any Field starting with field
// where the issue leaves the exact node open; message lists substrings.
func TestPolicyAttributeName(t *testing.T) {
	var none *flexroles.Policy
	p, err := flexroles.LoadPolicy(strings.NewReader("version: 1\nsso:\n  attributes: {email: mail, groups: memberOf}\n"))
	require.NoError(t, err)
	for _, tc := range []struct {
		std           flexroles.FlexAttribute
		nilWant, want string
	}{
		{"roles", "roles", "roles"}, {"email", "email", "mail"}, {"full_name", "full_name", "full_name"},
		{"groups", "groups", "memberOf"}, {"department", "", ""},
	} {
		assert.Equal(t, tc.nilWant, none.AttributeName(tc.std), "nil policy, %s", tc.std)
		assert.Equal(t, tc.want, p.AttributeName(tc.std), "policy, %s", tc.std)
	}
}

func TestPolicyRolesAndAttributes(t *testing.T) {
	var none *flexroles.Policy
	assert.Equal(t, []flexroles.Role{flexroles.Admin, flexroles.Supervisor, flexroles.Agent,
		flexroles.WFOFullAccess, flexroles.WFOTeamLeader, flexroles.WFODataAnalyst, flexroles.WFODataAuditor,
		flexroles.WFOQualityManager, flexroles.WFOQualityProcessManager, flexroles.WFODashboardViewer}, none.Roles())
	assert.Nil(t, none.Attributes())

	p, err := flexroles.LoadPolicyFile("examples/policy.yaml")
	require.NoError(t, err)
	assert.Equal(t, []flexroles.Role{flexroles.Supervisor, flexroles.Agent, flexroles.WFOTeamLeader,
		flexroles.WFODataAnalyst, flexroles.WFOQualityManager, flexroles.WFODashboardViewer}, p.Roles(), "sso.allow, canonical order")
	assert.Equal(t, []string{"department", "location"}, p.Attributes())
}
