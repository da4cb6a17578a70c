package flexroles_test

import (
	"errors"
	"fmt"

	"github.com/flexroles/flexroles"
)

// A Console Support user gets the read-only administrator pair and nothing
// else, whatever was edited into the worker by hand.
func ExampleResolve_console() {
	d, err := flexroles.Resolve(flexroles.Login{
		Source:       flexroles.Console,
		ConsoleRoles: []flexroles.ConsoleRole{flexroles.Support},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.RoleStrings())
	fmt.Println("Insights open:", d.Insights.Enabled)
	for _, r := range d.Reasons {
		fmt.Println(r.Rule)
	}
	// Output:
	// [flex.readteams flex.readonlyadmin]
	// Insights open: false
	// console.support
	// insights.closed.support
}

// An SSO login: roles as the IdP sent them, some in one comma-separated value.
func ExampleResolve_sso() {
	d, err := flexroles.Resolve(flexroles.Login{
		Source: flexroles.SSO,
		Attributes: map[string][]string{
			"roles":     {"supervisor", "wfo.quality_manager, wfo.team_leader"},
			"email":     {"ana.diaz@example.com"},
			"full_name": {"Ana Diaz"},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.RoleStrings())
	for _, r := range d.Reasons {
		fmt.Println(r.Rule, r.Warning)
	}
	// Output:
	// [supervisor wfo.team_leader wfo.quality_manager]
	// sso.roles false
	// sso.roles.split false
	// insights.open false
}

// A SAML assertion without email fails as Flex fails it, with error 45050;
// the caller tells it apart with errors.Is and reads the detail with errors.As.
func ExampleResolve_missingAttribute() {
	_, err := flexroles.Resolve(flexroles.Login{
		Source: flexroles.SSO,
		Attributes: map[string][]string{
			"roles":     {"agent"},
			"full_name": {"Ana Diaz"},
			"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": {"ana.diaz@example.com"},
		},
	})
	if errors.Is(err, flexroles.ErrMissingAttribute) {
		var e *flexroles.Error
		errors.As(err, &e)
		fmt.Println(e.Code, e.Attribute)
		fmt.Println("rename:", e.Value)
	}
	// Output:
	// 45050 email
	// rename: http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress
}

// An unknown role comes with a did-you-mean.
func ExampleParseRole() {
	_, err := flexroles.ParseRole("wfo.dashboards_viewer")
	var e *flexroles.Error
	if errors.As(err, &e) {
		fmt.Println(e.Suggestion)
	}
	// Output:
	// wfo.dashboard_viewer
}

// What Flex Insights allows is the union of the wfo.* roles, and only for
// admin or supervisor.
func ExampleInsightsFor() {
	in := flexroles.InsightsFor([]flexroles.Role{
		flexroles.Supervisor, flexroles.WFOTeamLeader, flexroles.WFOQualityManager,
	})
	fmt.Println("open:", in.Enabled)
	fmt.Println("play:", in.PlayCalls, "export:", in.ExportCalls)
	fmt.Println("assess:", in.AssessCalls, "questionnaires:", in.Questionnaires)
	fmt.Println("dashboards:", in.Dashboards)

	agent := flexroles.InsightsFor([]flexroles.Role{flexroles.Agent, flexroles.WFOFullAccess})
	fmt.Println("agent open:", agent.Enabled)
	// Output:
	// open: true
	// play: true export: true
	// assess: full questionnaires: false
	// dashboards: explorer
	// agent open: false
}

// A login rewrites the worker: roles from the decision, the assertion's
// attributes (skill.int stored as the number skill), contact_uri from the
// identity, and everything else kept.
func ExampleWorkerAttributes() {
	current := []byte(`{"roles":["agent","admin"],"routing":{"skills":["fr"]}}`)
	login := flexroles.Login{Source: flexroles.SSO, Attributes: map[string][]string{
		"roles":     {"agent"},
		"email":     {"jane.doe@example.com"},
		"full_name": {"Jane Doe"},
		"skill.int": {"7"},
	}}
	d, err := flexroles.Resolve(login)
	if err != nil {
		fmt.Println(err)
		return
	}
	attrs, err := flexroles.WorkerAttributes(current, login, d)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(attrs))
	// Output:
	// {"contact_uri":"client:jane_2Edoe_40example_2Ecom","email":"jane.doe@example.com","full_name":"Jane Doe","roles":["agent"],"routing":{"skills":["fr"]},"skill":7}
}

// A Console Support user given wfo.quality_manager by hand loses it at the
// next login.
func ExampleCheckWorker() {
	findings, err := flexroles.CheckWorker([]byte(`{"roles":["flex.readteams","flex.readonlyadmin","wfo.quality_manager"]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range findings {
		fmt.Println(f.Rule, f.Warning)
	}
	// Output:
	// worker.console.sso_only_role false
}
