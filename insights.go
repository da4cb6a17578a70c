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
		full, leader     roleSet = 1 << idxWFOFullAccess, 1 << idxWFOTeamLeader
		analyst, auditor roleSet = 1 << idxWFODataAnalyst, 1 << idxWFODataAuditor
		quality, process roleSet = 1 << idxWFOQualityManager, 1 << idxWFOQualityProcessManager
		viewer           roleSet = 1 << idxWFODashboardViewer
		play                     = full | leader | analyst | auditor | quality | viewer
		export                   = full | analyst | auditor | quality
		assessFull               = full | leader | quality
		assessView               = analyst
		questionnaires           = full | process
		editor                   = full | analyst | auditor
		explorer                 = leader
		dashboardViewer          = quality | viewer
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
	case idxWFOFullAccess:
		return Insights{PlayCalls: true, ExportCalls: true, AssessCalls: AssessFull, Questionnaires: true, Dashboards: DashboardsEditor}
	case idxWFOTeamLeader:
		return Insights{PlayCalls: true, AssessCalls: AssessFull, Dashboards: DashboardsExplorer}
	case idxWFODataAnalyst:
		return Insights{PlayCalls: true, ExportCalls: true, AssessCalls: AssessViewOnly, Dashboards: DashboardsEditor}
	case idxWFODataAuditor:
		return Insights{PlayCalls: true, ExportCalls: true, Dashboards: DashboardsEditor}
	case idxWFOQualityManager:
		return Insights{PlayCalls: true, ExportCalls: true, AssessCalls: AssessFull, Dashboards: DashboardsViewer}
	case idxWFOQualityProcessManager:
		return Insights{Questionnaires: true}
	case idxWFODashboardViewer:
		return Insights{PlayCalls: true, Dashboards: DashboardsViewer}
	}
	return Insights{}
}

// Capability names one thing Flex Insights lets a user do: a field of
// Insights, named as JSON output, policy test cases and review tools write
// it.
type Capability string

// The Insights capabilities, in the order of the Insights fields.
const (
	// CapabilityEnabled is Insights opening at all (Insights.Enabled).
	CapabilityEnabled Capability = "enabled"
	// CapabilityPlayCalls is playing call recordings (Insights.PlayCalls).
	CapabilityPlayCalls Capability = "play_calls"
	// CapabilityExportCalls is exporting calls (Insights.ExportCalls).
	CapabilityExportCalls Capability = "export_calls"
	// CapabilityAssessCalls is assessing calls, at a level
	// (Insights.AssessCalls: view_only, full).
	CapabilityAssessCalls Capability = "assess_calls"
	// CapabilityQuestionnaires is creating and editing questionnaires
	// (Insights.Questionnaires).
	CapabilityQuestionnaires Capability = "questionnaires"
	// CapabilityDashboards is analytical dashboards, at a level
	// (Insights.Dashboards: viewer, explorer, editor).
	CapabilityDashboards Capability = "dashboards"
)

// Capabilities returns every Insights capability, in the order of the
// Insights fields; a new slice each call.
func Capabilities() []Capability {
	return []Capability{CapabilityEnabled, CapabilityPlayCalls, CapabilityExportCalls,
		CapabilityAssessCalls, CapabilityQuestionnaires, CapabilityDashboards}
}

// Known reports whether c is one of Capabilities.
func (c Capability) Known() bool { return c.MaxLevel() > 0 }

// Graded reports whether c comes in levels beyond yes and no: assess_calls
// and dashboards.
func (c Capability) Graded() bool { return c.MaxLevel() > 1 }

// MaxLevel returns the highest level of c: 1 for the yes-or-no
// capabilities, 2 for assess_calls (AssessFull), 3 for dashboards
// (DashboardsEditor), and 0 for a name that is not a capability.
func (c Capability) MaxLevel() int {
	switch c {
	case CapabilityEnabled, CapabilityPlayCalls, CapabilityExportCalls, CapabilityQuestionnaires:
		return 1
	case CapabilityAssessCalls:
		return int(AssessFull)
	case CapabilityDashboards:
		return int(DashboardsEditor)
	}
	return 0
}

// Level returns how much of c in allows, from 0 (nothing) to c.MaxLevel():
// 1 for a yes-or-no capability allowed; the Assess or Dashboards value for
// the graded ones, so that a higher level includes the lower. Nothing is
// allowed while Insights stays closed (Enabled false), and an unknown
// capability is 0.
func (in Insights) Level(c Capability) int {
	if !in.Enabled {
		return 0
	}
	switch c {
	case CapabilityEnabled:
		return 1
	case CapabilityPlayCalls:
		return b2i(in.PlayCalls)
	case CapabilityExportCalls:
		return b2i(in.ExportCalls)
	case CapabilityQuestionnaires:
		return b2i(in.Questionnaires)
	case CapabilityAssessCalls:
		return int(in.AssessCalls)
	case CapabilityDashboards:
		return int(in.Dashboards)
	}
	return 0
}

// LevelName returns the name of level of c as JSON output and policy test
// cases write it: "false" and "true" for a yes-or-no capability; "none",
// "view_only" and "full" for assess_calls; "none", "viewer", "explorer"
// and "editor" for dashboards. It returns "" for a level c does not have.
func (c Capability) LevelName(level int) string {
	if level < 0 || level > c.MaxLevel() {
		return ""
	}
	switch c {
	case CapabilityAssessCalls:
		b, _ := Assess(level).MarshalText()
		return string(b)
	case CapabilityDashboards:
		return Dashboards(level).String()
	}
	return strconv.FormatBool(level == 1)
}

// ParseLevel returns the level of c that LevelName calls name, and whether
// there is one.
func (c Capability) ParseLevel(name string) (int, bool) {
	for level := 0; level <= c.MaxLevel(); level++ {
		if c.LevelName(level) == name {
			return level, true
		}
	}
	return 0, false
}
