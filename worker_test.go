package flexroles_test

import (
	"encoding/json"
	"errors"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles"
)

func TestEscapeIdentity(t *testing.T) {
	cases := []struct{ identity, want, reason string }{
		{"firstname.lastname", "firstname_2Elastname", "SPEC §3 example"},
		{"loggedin@worker.org", "loggedin_40worker_2Eorg", "SPEC §3 example"},
		{"a.b@c", "a_2Eb_40c", "API.md example"},
		{"plain42", "plain42", "letters and digits stay"},
		{"under_score", "under_5Fscore", "Decision: _ is escaped so escaping is reversible"},
		{"josé", "jos_C3_A9", "Decision: non-ASCII escaped byte by byte (UTF-8)"},
		{"", "", "empty stays empty"},
		{"a b+c", "a_20b_2Bc", "space and plus"},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, flexroles.EscapeIdentity(tc.identity), "%q: %s", tc.identity, tc.reason)
		assert.Equal(t, "client:"+tc.want, flexroles.ContactURI(tc.identity), "%q: ContactURI = client: + EscapeIdentity", tc.identity)
	}
}

// sso returns an SSO login with valid mandatory attributes plus extra ones.
func sso(extra map[string][]string, roles ...string) flexroles.Login {
	l := ssoRoles(roles...)
	applyChanges(l.Attributes, extra)
	return l
}

// mustResolve resolves l, failing the test on error.
func mustResolve(t *testing.T, l flexroles.Login) flexroles.Decision {
	t.Helper()
	d, err := flexroles.Resolve(l)
	require.NoError(t, err)
	return d
}

func TestWorkerAttributes(t *testing.T) {
	agent := ssoRoles("agent")
	cases := []struct {
		name    string
		current string
		login   flexroles.Login
		want    string // exact output bytes
		wantErr error
		reason  string
	}{
		{
			name:   "new worker gets roles, mandatory attributes and contact_uri",
			login:  agent,
			want:   `{"contact_uri":"client:jane_2Edoe_40example_2Ecom","email":"jane.doe@example.com","full_name":"Jane Doe","roles":["agent"]}`,
			reason: "SPEC §3: attributes present are written; contact_uri derived from the identity (the email here)",
		},
		{
			name:    "empty object is a new worker",
			current: " {} ",
			login:   agent,
			want:    `{"contact_uri":"client:jane_2Edoe_40example_2Ecom","email":"jane.doe@example.com","full_name":"Jane Doe","roles":["agent"]}`,
			reason:  "API.md: nil or {} for a new worker",
		},
		{
			name:    "roles overwritten, manual edit lost",
			current: `{"roles":["agent","admin"],"email":"jane.doe@example.com","full_name":"Jane Doe","contact_uri":"client:jane_2Edoe_40example_2Ecom"}`,
			login:   agent,
			want:    `{"contact_uri":"client:jane_2Edoe_40example_2Ecom","email":"jane.doe@example.com","full_name":"Jane Doe","roles":["agent"]}`,
			reason:  "SPEC §2/§3: every login recomputes roles; manual edits are overwritten",
		},
		{
			name:    "routing, nested objects, big numbers and custom keys kept exactly",
			current: `{"routing":{"skills":["fr","es"],"levels":{"fr":10}},"disabled_skills":{"skills":[],"levels":{}},"big":123456789012345678901234567890,"f":1.50e+3,"custom":{"z":1,"a":[true,null]},"roles":["agent"]}`,
			login:   agent,
			want:    `{"big":123456789012345678901234567890,"contact_uri":"client:jane_2Edoe_40example_2Ecom","custom":{"z":1,"a":[true,null]},"disabled_skills":{"skills":[],"levels":{}},"email":"jane.doe@example.com","f":1.50e+3,"full_name":"Jane Doe","roles":["agent"],"routing":{"skills":["fr","es"],"levels":{"fr":10}}}`,
			reason:  "issue: everything else preserved exactly; nested key order kept; top-level keys sorted",
		},
		{
			name:    "white space inside kept values is dropped, strings kept",
			current: "{\n  \"routing\": { \"skills\": [ \"a b\" ] },\n  \"roles\": [\"agent\"]\n}",
			login:   agent,
			want:    `{"contact_uri":"client:jane_2Edoe_40example_2Ecom","email":"jane.doe@example.com","full_name":"Jane Doe","roles":["agent"],"routing":{"skills":["a b"]}}`,
			reason:  "compact output; white space inside strings is data",
		},
		{
			name:    "absent attribute keeps its value, present one overwrites",
			current: `{"department":"Sales","location":"EU-1","roles":["agent"],"contact_uri":"client:x"}`,
			login:   sso(map[string][]string{"location": {"US-2"}}, "agent"),
			want:    `{"contact_uri":"client:x","department":"Sales","email":"jane.doe@example.com","full_name":"Jane Doe","location":"US-2","roles":["agent"]}`,
			reason:  "SPEC §3: attributes absent leave the worker's value; present overwrite; an existing contact_uri is kept",
		},
		{
			name:    "empty value clears",
			current: `{"department":"Sales","roles":["agent"],"contact_uri":"client:x"}`,
			login:   sso(map[string][]string{"department": {""}}, "agent"),
			want:    `{"contact_uri":"client:x","department":"","email":"jane.doe@example.com","full_name":"Jane Doe","roles":["agent"]}`,
			reason:  "SPEC §3: an empty value clears it",
		},
		{
			name:    "attribute with no values clears",
			current: `{"department":"Sales","roles":["agent"],"contact_uri":"client:x"}`,
			login:   sso(map[string][]string{"department": {}}, "agent"),
			want:    `{"contact_uri":"client:x","department":"","email":"jane.doe@example.com","full_name":"Jane Doe","roles":["agent"]}`,
			reason:  "SPEC §3: no value clears too",
		},
		{
			name:   "several untyped values become an array of strings",
			login:  sso(map[string][]string{"teams": {"north", "south"}, "contact_uri": {"sip:jane@example.com"}}, "agent"),
			want:   `{"contact_uri":"sip:jane@example.com","email":"jane.doe@example.com","full_name":"Jane Doe","roles":["agent"],"teams":["north","south"]}`,
			reason: "Decision (worker.go doc): several values of an untyped attribute are stored as an array; the IdP's contact_uri wins",
		},
		{
			name:    "typed attributes stored without suffix with their JSON type",
			current: `{"contact_uri":"client:x"}`,
			login: sso(map[string][]string{
				"skill.int": {" 42 "}, "remote.boolean": {"TRUE"}, "site.string": {"Leeds"},
				"languages.stringarray": {"en, fr", "de"}, "levels.intarray": {"1,2", "-3"}, "flags.booleanarray": {"true,False"},
			}, "agent"),
			want:   `{"contact_uri":"client:x","email":"jane.doe@example.com","flags":[true,false],"full_name":"Jane Doe","languages":["en","fr","de"],"levels":[1,2,-3],"remote":true,"roles":["agent"],"site":"Leeds","skill":42}`,
			reason: "SPEC §3 Decision: typed names drop the suffix; int base 10, boolean any case, arrays split on commas and trimmed",
		},
		{
			name:    "int beyond 64 bits refuses the whole update",
			current: `{"roles":["agent"]}`,
			login:   sso(map[string][]string{"skill.int": {"9223372036854775808"}, "site": {"Leeds"}}, "agent"),
			wantErr: flexroles.ErrInvalidAttribute,
			reason:  "SPEC §3: a value that does not fit its type rejects the whole update (400 invalid attribute format)",
		},
		{
			name:    "boolean that is not true or false",
			login:   sso(map[string][]string{"remote.boolean": {"yes"}}, "agent"),
			wantErr: flexroles.ErrInvalidAttribute,
			reason:  "SPEC §3: boolean is true/false",
		},
		{
			name:    "intarray item that is not a number",
			login:   sso(map[string][]string{"levels.intarray": {"1,two"}}, "agent"),
			wantErr: flexroles.ErrInvalidAttribute,
			reason:  "SPEC §3: every array item fits the type",
		},
		{
			name:    "scalar typed attribute with several values",
			login:   sso(map[string][]string{"site.string": {"Leeds", "York"}}, "agent"),
			wantErr: flexroles.ErrInvalidAttribute,
			reason:  "SPEC §3 Decision: a scalar type with several values is invalid",
		},
		{
			name:    "typed int cleared removes the key",
			current: `{"skill":7,"roles":["agent"],"contact_uri":"client:x"}`,
			login:   sso(map[string][]string{"skill.int": {""}}, "agent"),
			want:    `{"contact_uri":"client:x","email":"jane.doe@example.com","full_name":"Jane Doe","roles":["agent"]}`,
			reason:  "Decision (worker.go doc): an empty int or boolean clears the key, JSON has no empty number",
		},
		{
			name:    "typed stringarray cleared is an empty array",
			current: `{"languages":["en"],"roles":["agent"],"contact_uri":"client:x"}`,
			login:   sso(map[string][]string{"languages.stringarray": {" , "}}, "agent"),
			want:    `{"contact_uri":"client:x","email":"jane.doe@example.com","full_name":"Jane Doe","languages":[],"roles":["agent"]}`,
			reason:  "SPEC §3: empty clears",
		},
		{
			name:   "uppercase suffix is not a type",
			login:  sso(map[string][]string{"skill.INT": {"x"}, "contact_uri": {"client:x"}}, "agent"),
			want:   `{"contact_uri":"client:x","email":"jane.doe@example.com","full_name":"Jane Doe","roles":["agent"],"skill.INT":"x"}`,
			reason: "SPEC §3: the suffixes are lowercase",
		},
		{
			name:    "typed and untyped names writing the same key",
			login:   sso(map[string][]string{"skill.int": {"1"}, "skill": {"2"}}, "agent"),
			wantErr: flexroles.ErrInvalidAttribute,
			reason:  "fail closed: which value Flex keeps is undefined",
		},
		{
			name:    "typed and untyped names writing the first key",
			login:   sso(map[string][]string{"area.int": {"1"}, "area": {"2"}}, "agent"),
			wantErr: flexroles.ErrInvalidAttribute,
			reason:  "the key the first name in order writes is checked like any other",
		},
		{
			name:    "typed roles would overwrite the decision",
			login:   sso(map[string][]string{"roles.stringarray": {"admin"}}, "agent"),
			wantErr: flexroles.ErrInvalidAttribute,
			reason:  "roles come only from the decision",
		},
		{
			name:    "attribute value that is not UTF-8",
			login:   sso(map[string][]string{"site": {"Le\xffds"}}, "agent"),
			wantErr: flexroles.ErrInvalidAttribute,
			reason:  "fail closed: JSON cannot carry it unchanged",
		},
		{
			name:    "empty contact_uri from the IdP is derived instead",
			current: `{"contact_uri":"client:old","roles":["agent"]}`,
			login:   sso(map[string][]string{"contact_uri": {""}}, "agent"),
			want:    `{"contact_uri":"client:jane_2Edoe_40example_2Ecom","email":"jane.doe@example.com","full_name":"Jane Doe","roles":["agent"]}`,
			reason:  "an empty value clears it, then neither has one, so it is derived",
		},
		{
			name:   "Identity wins over email for contact_uri",
			login:  func() flexroles.Login { l := agent; l.Identity = "firstname.lastname"; return l }(),
			want:   `{"contact_uri":"client:firstname_2Elastname","email":"jane.doe@example.com","full_name":"Jane Doe","roles":["agent"]}`,
			reason: "SPEC §3: contact_uri is client: + the identity",
		},
		{
			name:    "Console login writes roles only",
			current: `{"roles":["flex.readteams","flex.readonlyadmin","wfo.quality_manager"],"email":"s@example.com"}`,
			login:   consoleLogin(flexroles.Support),
			want:    `{"email":"s@example.com","roles":["flex.readteams","flex.readonlyadmin"]}`,
			reason:  "seed 002: the hand-given wfo.quality_manager is overwritten at the next Console login",
		},
		{
			name:   "Console login with Identity gets a contact_uri",
			login:  flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Owner}, Identity: "owner@example.com"},
			want:   `{"contact_uri":"client:owner_40example_2Ecom","roles":["admin","wfo.full_access"]}`,
			reason: "contact_uri from Login.Identity",
		},
		{name: "current is an array", current: `[1]`, login: agent, wantErr: flexroles.ErrInvalidWorker, reason: "attributes are one JSON object"},
		{name: "current is not JSON", current: `{"roles":`, login: agent, wantErr: flexroles.ErrInvalidWorker, reason: "attributes are JSON"},
		{name: "current has a key twice", current: `{"roles":["agent"],"roles":["admin"]}`, login: agent, wantErr: flexroles.ErrInvalidWorker, reason: "which one Flex reads is undefined"},
		{name: "current has a key twice once escaped", current: `{"roles":["agent"],"r\u006fles":["admin"]}`, login: agent, wantErr: flexroles.ErrInvalidWorker, reason: "keys compare as decoded text"},
		{name: "current is null", current: `null`, login: agent, wantErr: flexroles.ErrInvalidWorker, reason: "attributes are one JSON object"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var current []byte
			if tc.current != "" {
				current = []byte(tc.current)
			}
			d := mustResolve(t, tc.login)
			before := cloneLogin(tc.login)
			got, err := flexroles.WorkerAttributes(current, tc.login, d)
			assert.Equal(t, before, tc.login, "the login is not changed")
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr, tc.reason)
				assert.Nil(t, got, "nothing is half-applied")
				assert.True(t, strings.HasPrefix(err.Error(), "flexroles: "), err.Error())
				return
			}
			require.NoError(t, err, tc.reason)
			assert.Equal(t, tc.want, string(got), tc.reason)
			assert.True(t, json.Valid(got), "output is JSON: %s", got)
			again, err := flexroles.WorkerAttributes(got, tc.login, d)
			require.NoError(t, err)
			assert.Equal(t, string(got), string(again), "a second identical login changes nothing")
		})
	}
}

func TestWorkerAttributesRefusesForeignDecisions(t *testing.T) {
	agentLogin := ssoRoles("agent")
	cases := []struct {
		name    string
		login   flexroles.Login
		d       flexroles.Decision
		wantErr error
	}{
		{"zero decision", agentLogin, flexroles.Decision{}, flexroles.ErrInvalidLogin},
		{"read-only pair on an SSO login", agentLogin, flexroles.Decision{Roles: consoleSupportRoles}, flexroles.ErrInvalidLogin},
		{"SSO roles on a Console login", consoleLogin(flexroles.Support), flexroles.Decision{Roles: roleList(flexroles.Agent)}, flexroles.ErrInvalidLogin},
		{"wfo only on SSO", agentLogin, flexroles.Decision{Roles: roleList(flexroles.WFOFullAccess)}, flexroles.ErrInvalidLogin},
		{"unknown role", agentLogin, flexroles.Decision{Roles: roleList("Admin")}, flexroles.ErrUnknownRole},
		{"unknown source", flexroles.Login{Source: "saml"}, flexroles.Decision{Roles: roleList(flexroles.Agent)}, flexroles.ErrInvalidLogin},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := flexroles.WorkerAttributes([]byte(`{"roles":["admin"]}`), tc.login, tc.d)
			require.ErrorIs(t, err, tc.wantErr)
			assert.Nil(t, got)
			assert.True(t, strings.HasPrefix(err.Error(), "flexroles: "), err.Error())
		})
	}
}

// TestWorkerAttributesManyKeys checks that large objects stay correct once
// lookups switch to a map.
func TestWorkerAttributesManyKeys(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"roles":["agent"]`)
	attrs := map[string][]string{}
	for i := 0; i < 200; i++ {
		b.WriteString(`,"k` + string(rune('a'+i%26)) + strings.Repeat("x", i/26) + `":` + "1")
		if i%3 == 0 {
			attrs["k"+string(rune('a'+i%26))+strings.Repeat("x", i/26)] = []string{"v"}
		}
	}
	b.WriteString(`}`)
	l := sso(attrs, "agent")
	got, err := flexroles.WorkerAttributes([]byte(b.String()), l, mustResolve(t, l))
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(got, &m))
	assert.Len(t, m, 200+4, "200 keys, roles replaced, email, full_name and contact_uri added")
	assert.Equal(t, "v", m["ka"])
	assert.Equal(t, 1.0, m["kb"])

	dup := []byte(b.String()[:b.Len()-1] + `,"kzx":2}`)
	_, err = flexroles.WorkerAttributes(dup, l, mustResolve(t, l))
	require.ErrorIs(t, err, flexroles.ErrInvalidWorker, "duplicates found past the small-object path")
}

// workerRuleOrder is CheckWorker's documented order of findings; the
// warnings are marked.
var (
	workerRuleOrder = []string{
		"worker.roles.missing", "worker.roles.singular", "worker.roles.not_array", "worker.roles.unknown",
		"worker.roles.duplicate", "worker.roles.no_flex_role", "worker.readonly.mixed", "worker.console.sso_only_role",
		"worker.insights.agent_wfo", "worker.insights.no_wfo", "worker.contact_uri.unescaped", "worker.contact_uri.mismatch",
	}
	workerWarnings = map[string]bool{
		"worker.roles.singular": true, "worker.roles.duplicate": true, "worker.insights.agent_wfo": true,
		"worker.insights.no_wfo": true, "worker.contact_uri.mismatch": true,
	}
)

func TestCheckWorker(t *testing.T) {
	cases := []struct {
		name       string
		attributes string
		want       []string // rule ids, in order
		contains   string   // a message fragment, if any
		reason     string
	}{
		{"clean agent", `{"roles":["agent"],"email":"a@x.io","contact_uri":"client:a_40x_2Eio"}`, nil, "", "nothing to report"},
		{"clean supervisor with wfo", `{"roles":["supervisor","wfo.team_leader"]}`, nil, "", "nothing to report"},
		{"clean Console Support", `{"roles":["flex.readteams","flex.readonlyadmin"]}`, nil, "", "SPEC §2: exactly the pair"},
		{"clean Console admin", `{"roles":["admin","wfo.full_access"]}`, nil, "", "SPEC §2"},
		{"no roles", `{"email":"a@x.io"}`, []string{"worker.roles.missing"}, "45050", "issue: next SSO login fails 45050 unless the IdP sends them"},
		{"singular role", `{"role":"agent"}`, []string{"worker.roles.missing", "worker.roles.singular"}, "reporting attribute", "SPEC §1: role is not roles"},
		{"roles as a string", `{"roles":"agent,admin"}`, []string{"worker.roles.not_array"}, "", "Flex reads an array"},
		{"roles with a number", `{"roles":["agent",1]}`, []string{"worker.roles.not_array"}, "", "array of strings"},
		{"misspelt role", `{"roles":["supervisor","wfo.dashboards_viewer"]}`, []string{"worker.roles.unknown", "worker.insights.no_wfo"}, `did you mean "wfo.dashboard_viewer"`, "SPEC §1: common misspelling"},
		{"two unknown roles", `{"roles":["Agent","foo"]}`, []string{"worker.roles.unknown", "worker.roles.unknown", "worker.roles.no_flex_role"}, `did you mean "agent"`, "one finding per value"},
		{"duplicate role", `{"roles":["agent","agent"]}`, []string{"worker.roles.duplicate"}, "", "written once at next login"},
		{"only wfo roles", `{"roles":["wfo.team_leader"]}`, []string{"worker.roles.no_flex_role", "worker.insights.agent_wfo"}, "45050", "E45050: wfo roles alone are not a Flex role"},
		{"empty roles", `{"roles":[]}`, []string{"worker.roles.no_flex_role"}, "", "no Flex role"},
		{"read-only pair with agent", `{"roles":["agent","flex.readteams","flex.readonlyadmin"]}`, []string{"worker.readonly.mixed"}, "stands alone", "SPEC §2"},
		{"half the pair", `{"roles":["flex.readonlyadmin"]}`, []string{"worker.readonly.mixed"}, "", "KB: Support gets both"},
		{"Support given quality_manager by hand", `{"roles":["flex.readteams","flex.readonlyadmin","wfo.quality_manager"]}`, []string{"worker.console.sso_only_role"}, "wfo.quality_manager will be removed", "seed 002"},
		{"agent with wfo", `{"roles":["agent","wfo.dashboard_viewer"]}`, []string{"worker.insights.agent_wfo"}, "", "SPEC §4"},
		{"admin without wfo", `{"roles":["admin"]}`, []string{"worker.insights.no_wfo"}, "", "SPEC §4"},
		{"unescaped contact_uri", `{"roles":["agent"],"contact_uri":"client:a.b@x.io"}`, []string{"worker.contact_uri.unescaped"}, `"client:a_2Eb_40x_2Eio"`, "SPEC §3 escaping"},
		{"lowercase hex is not Flex's escaping", `{"roles":["agent"],"contact_uri":"client:a_2eb"}`, []string{"worker.contact_uri.unescaped"}, "", "uppercase hex"},
		{"contact_uri of another identity", `{"roles":["agent"],"email":"a@x.io","contact_uri":"client:b_40x_2Eio"}`, []string{"worker.contact_uri.mismatch"}, "", "not the escaped identity"},
		{"SIP contact_uri is not checked", `{"roles":["agent"],"email":"a@x.io","contact_uri":"sip:a@x.io"}`, nil, "", "SPEC §3: an IdP may send its own"},
		{"no roles and a bad contact_uri", `{"contact_uri":"client:a b"}`, []string{"worker.roles.missing", "worker.contact_uri.unescaped"}, "", "every finding is reported"},
		{"escaped key", `{"r\u006fles":["agent"]}`, nil, "", "keys compare as decoded text"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := flexroles.CheckWorker([]byte(tc.attributes))
			require.NoError(t, err)
			var rules []string
			for _, r := range got {
				rules = append(rules, r.Rule)
				assert.Equal(t, workerWarnings[r.Rule], r.Warning, "warning flag of %s", r.Rule)
				assert.NotEmpty(t, r.Message)
			}
			assert.Equal(t, tc.want, rules, tc.reason)
			last := -1
			for _, r := range rules {
				i := slices.Index(workerRuleOrder, r)
				require.GreaterOrEqual(t, i, 0, "undocumented rule %s", r)
				assert.GreaterOrEqual(t, i, last, "findings in documented order: %v", rules)
				last = i
			}
			if tc.contains != "" {
				var all strings.Builder
				for _, r := range got {
					all.WriteString(r.Message + "\n")
				}
				assert.Contains(t, all.String(), tc.contains)
			}
		})
	}
}

func TestCheckWorkerInvalid(t *testing.T) {
	for _, in := range []string{``, `null`, `[]`, `"roles"`, `{"roles":["agent"]`, `{"roles":["agent"],"roles":[]}`, "{\"a\":1}x"} {
		got, err := flexroles.CheckWorker([]byte(in))
		assert.ErrorIs(t, err, flexroles.ErrInvalidWorker, "%q", in)
		assert.Nil(t, got)
		var e *flexroles.Error
		if assert.True(t, errors.As(err, &e)) {
			assert.Equal(t, "invalid_worker", flexroles.ErrorKindName(err))
		}
	}
}

// TestWorkerAttributesThenCheck ties the two together: what a valid login
// writes is a worker CheckWorker finds nothing wrong with, but for the
// Insights warnings the decision itself carries.
func TestWorkerAttributesThenCheck(t *testing.T) {
	for _, tc := range resolveCases {
		if tc.wantErr != nil {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			d := mustResolve(t, tc.login)
			l := tc.login
			if l.Source == flexroles.Console {
				l.Identity = "console.user@example.com"
			}
			got, err := flexroles.WorkerAttributes(nil, l, d)
			if err != nil {
				require.ErrorIs(t, err, flexroles.ErrInvalidAttribute, "only a typed or non-UTF-8 attribute refuses a resolved login")
				return
			}
			findings, err := flexroles.CheckWorker(got)
			require.NoError(t, err)
			for _, f := range findings {
				switch f.Rule {
				case "worker.insights.agent_wfo", "worker.insights.no_wfo":
					assert.True(t, slices.ContainsFunc(d.Reasons, func(r flexroles.Reason) bool { return r.Rule == strings.TrimPrefix(f.Rule, "worker.") }),
						"the decision warned about %s too", f.Rule)
				case "worker.contact_uri.mismatch":
					// An IdP may send its own contact_uri.
				default:
					t.Errorf("a freshly written worker has finding %+v: %s", f, got)
				}
			}
		})
	}
}

// TestCoreImports keeps the core package's import graph to the standard
// library, yaml.v3 and this module's internal packages: the Twilio SDK and
// other heavy dependencies of the command line must never reach importers.
func TestCoreImports(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	out, err := exec.Command(goTool, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	require.NoError(t, err)
	for _, pkg := range strings.Fields(string(out)) {
		switch {
		case pkg == "github.com/flexroles/flexroles",
			strings.HasPrefix(pkg, "github.com/flexroles/flexroles/internal/"),
			pkg == "gopkg.in/yaml.v3":
		default:
			t.Errorf("the core package depends on %s", pkg)
		}
	}
}
