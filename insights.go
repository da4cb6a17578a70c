package flexroles

import "strconv"

// Assess is how far a user may assess (score) calls in Flex Insights.
type Assess int

// The assessment levels, each including the one before.
const (
	// AssessNone cannot see assessments.
	AssessNone Assess = iota
	// AssessViewOnly sees assessments but cannot make them.
	AssessViewOnly
	// AssessFull assesses calls.
	AssessFull
)

// String returns "none", "view only" or "full".
func (a Assess) String() string {
	switch a {
	case AssessNone:
		return "none"
	case AssessViewOnly:
		return "view only"
	case AssessFull:
		return "full"
	}
	return "Assess(" + strconv.Itoa(int(a)) + ")"
}

// MarshalText encodes a as "none", "view_only" or "full".
func (a Assess) MarshalText() ([]byte, error) {
	switch a {
	case AssessNone, AssessFull:
		return []byte(a.String()), nil
	case AssessViewOnly:
		return []byte("view_only"), nil
	}
	return nil, &Error{Kind: ErrInvalidAttribute, Attribute: "assess_calls", Value: strconv.Itoa(int(a))}
}

// UnmarshalText decodes what MarshalText encodes.
func (a *Assess) UnmarshalText(text []byte) error {
	switch string(text) {
	case "none":
		*a = AssessNone
	case "view_only":
		*a = AssessViewOnly
	case "full":
		*a = AssessFull
	default:
		return &Error{Kind: ErrInvalidAttribute, Attribute: "assess_calls", Value: string(text)}
	}
	return nil
}

// Dashboards is a user's analytical dashboard level in Flex Insights. The
// levels nest: Viewer ⊂ Explorer (adds Analyze and KPI dashboards) ⊂ Editor
// (adds dashboard and report authoring, the data model and metrics).
type Dashboards int

// The dashboard levels, each including the ones before.
const (
	// DashboardsNone has no analytical dashboards.
	DashboardsNone Dashboards = iota
	// DashboardsViewer views dashboards and reports.
	DashboardsViewer
	// DashboardsExplorer also uses Analyze and KPI dashboards.
	DashboardsExplorer
	// DashboardsEditor also authors dashboards, reports and metrics.
	DashboardsEditor
)

// String returns "none", "viewer", "explorer" or "editor".
func (d Dashboards) String() string {
	switch d {
	case DashboardsNone:
		return "none"
	case DashboardsViewer:
		return "viewer"
	case DashboardsExplorer:
		return "explorer"
	case DashboardsEditor:
		return "editor"
	}
	return "Dashboards(" + strconv.Itoa(int(d)) + ")"
}

// MarshalText encodes d as its String.
func (d Dashboards) MarshalText() ([]byte, error) {
	if d < DashboardsNone || d > DashboardsEditor {
		return nil, &Error{Kind: ErrInvalidAttribute, Attribute: "dashboards", Value: strconv.Itoa(int(d))}
	}
	return []byte(d.String()), nil
}

// UnmarshalText decodes what MarshalText encodes.
func (d *Dashboards) UnmarshalText(text []byte) error {
	for l := DashboardsNone; l <= DashboardsEditor; l++ {
		if string(text) == l.String() {
			*d = l
			return nil
		}
	}
	return &Error{Kind: ErrInvalidAttribute, Attribute: "dashboards", Value: string(text)}
}

// Insights is what Flex Insights allows a user. The zero value allows nothing.
type Insights struct {
	Enabled        bool       `json:"enabled"` // Insights opens for this user at all
	PlayCalls      bool       `json:"play_calls"`
	ExportCalls    bool       `json:"export_calls"`
	AssessCalls    Assess     `json:"assess_calls"`
	Questionnaires bool       `json:"questionnaires"` // create/edit questionnaires
	Dashboards     Dashboards `json:"dashboards"`
}

// InsightsFor returns what Flex Insights allows a worker with roles. Insights
// opens only for admin or supervisor holding at least one wfo.* role; then
// each capability is the highest any of its wfo.* roles grants. Otherwise,
// agents with wfo.* roles included, it is the zero Insights. Values outside
// the vocabulary are ignored.
func InsightsFor(roles []Role) Insights {
	var s roleSet
	for _, r := range roles {
		s |= setOf(r)
	}
	return insightsOf(s)
}

func insightsOf(s roleSet) Insights {
	if s&insightsGate == 0 || s&wfoRoles == 0 {
		return Insights{}
	}
	// Each capability is the highest any of the roles grants: the roles
	// that grant each level, as sets, from the table in capabilityAt.
	const (
		full, leader, analyst, auditor roleSet = 1 << 5, 1 << 6, 1 << 7, 1 << 8
		quality, process, viewer       roleSet = 1 << 9, 1 << 10, 1 << 11
		play                                   = full | leader | analyst | auditor | quality | viewer
		export                                 = full | analyst | auditor | quality
		assessFull                             = full | leader | quality
		assessView                             = analyst
		questionnaires                         = full | process
		editor                                 = full | analyst | auditor
		explorer                               = leader
		dashboardViewer                        = quality | viewer
	)
	in := Insights{Enabled: true, PlayCalls: s&play != 0, ExportCalls: s&export != 0, Questionnaires: s&questionnaires != 0}
	switch {
	case s&assessFull != 0:
		in.AssessCalls = AssessFull
	case s&assessView != 0:
		in.AssessCalls = AssessViewOnly
	}
	switch {
	case s&editor != 0:
		in.Dashboards = DashboardsEditor
	case s&explorer != 0:
		in.Dashboards = DashboardsExplorer
	case s&dashboardViewer != 0:
		in.Dashboards = DashboardsViewer
	}
	return in
}

// capabilityAt is the Flex Insights role table: what the wfo.* role of
// canonical index i grants.
func capabilityAt(i int) Insights {
	switch i {
	case 5: // wfo.full_access
		return Insights{PlayCalls: true, ExportCalls: true, AssessCalls: AssessFull, Questionnaires: true, Dashboards: DashboardsEditor}
	case 6: // wfo.team_leader
		return Insights{PlayCalls: true, AssessCalls: AssessFull, Dashboards: DashboardsExplorer}
	case 7: // wfo.data_analyst
		return Insights{PlayCalls: true, ExportCalls: true, AssessCalls: AssessViewOnly, Dashboards: DashboardsEditor}
	case 8: // wfo.data_auditor
		return Insights{PlayCalls: true, ExportCalls: true, Dashboards: DashboardsEditor}
	case 9: // wfo.quality_manager
		return Insights{PlayCalls: true, ExportCalls: true, AssessCalls: AssessFull, Dashboards: DashboardsViewer}
	case 10: // wfo.quality_process_manager
		return Insights{Questionnaires: true}
	case 11: // wfo.dashboard_viewer
		return Insights{PlayCalls: true, Dashboards: DashboardsViewer}
	}
	return Insights{}
}
