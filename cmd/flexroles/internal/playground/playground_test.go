package playground

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/cmd/flexroles/internal/outcome"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newTestPlayground returns the playground's handler, started with the
// example policy, answering loopback host names only.
func newTestPlayground(t *testing.T) http.Handler {
	t.Helper()
	start, err := StartPolicy("")
	require.NoError(t, err)
	h, err := New(start, true, nil, nil)
	require.NoError(t, err)
	return h
}

// call sends a request to h for host 127.0.0.1 and returns the response.
func call(h http.Handler, method, path, contentType string, body io.Reader) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "http://127.0.0.1:8080"+path, body)
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// postJSON sends v to an API path and decodes the answer into out,
// returning the status.
func postJSON(t *testing.T, h http.Handler, path string, v, out any) int {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	w := call(h, http.MethodPost, path, "application/json", bytes.NewReader(b))
	require.Equal(t, "application/json; charset=utf-8", w.Header().Get("Content-Type"))
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), out), w.Body.String())
	return w.Code
}

func TestServeEmbeddedPolicyIsTheExample(t *testing.T) {
	embedded, err := StartPolicy("")
	require.NoError(t, err)
	example, err := os.ReadFile("../../../../examples/policy.yaml")
	require.NoError(t, err)
	require.Equal(t, string(example), embedded, "cmd/flexroles/internal/playground/web/policy.yaml is a copy of examples/policy.yaml: copy it again")
}

func TestServePage(t *testing.T) {
	h := newTestPlayground(t)
	w := call(h, http.MethodGet, "/", "", nil)
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "text/html; charset=utf-8", w.Header().Get("Content-Type"))
	csp := w.Header().Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"} {
		assert.Contains(t, csp, want)
	}
	assert.Equal(t, "nosniff", w.Header().Get("X-Content-Type-Options"))
	body := w.Body.String()
	assert.Contains(t, body, "- name: team leads", "the editor starts with the example policy")
	assert.Contains(t, body, `<input type="checkbox" name="console" value="Billing Manager">`)
	assert.NotContains(t, body, "http://", "no external assets")
	assert.NotContains(t, body, "https://", "no external assets")

	for path, ctype := range map[string]string{"/static/app.js": "text/javascript", "/static/app.css": "text/css"} {
		w := call(h, http.MethodGet, path, "", nil)
		require.Equal(t, http.StatusOK, w.Code, path)
		assert.Contains(t, w.Header().Get("Content-Type"), ctype, path)
		assert.NotContains(t, w.Body.String(), "innerHTML", "the script puts text into the page, never markup")
		assert.NotContains(t, w.Body.String(), "https://", "no external assets")
	}
	assert.Equal(t, http.StatusNotFound, call(h, http.MethodGet, "/static/nope.js", "", nil).Code)
	w = call(h, http.MethodGet, "/nope", "", nil)
	assert.Equal(t, http.StatusNotFound, w.Code)
	assert.JSONEq(t, `{"error":{"kind":"not_found","message":"no such page: /nope"}}`, w.Body.String())
	assert.Equal(t, http.StatusMethodNotAllowed, call(h, http.MethodPost, "/", "", nil).Code)
}

// TestServePageEscapesThePolicy starts the playground with a policy that
// tries to close the editor and run a script: the page shows it as text.
func TestServePageEscapesThePolicy(t *testing.T) {
	h, err := New("# </textarea><script>alert(1)</script>\nversion: 1\n", true, nil, nil)
	require.NoError(t, err)
	body := call(h, http.MethodGet, "/", "", nil).Body.String()
	assert.NotContains(t, body, "<script>alert(1)")
	assert.Contains(t, body, "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;")
}

// TestServeHost checks which host names the playground answers for: on
// loopback only loopback names, elsewhere those, IP addresses and the
// --allow-host names; never any other name, so that a page elsewhere cannot
// read the playground through DNS rebinding.
func TestServeHost(t *testing.T) {
	get := func(h http.Handler, host string) int {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Host = host
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			assert.Contains(t, w.Body.String(), `"kind":"invalid_request"`, host)
		}
		return w.Code
	}
	loop := newTestPlayground(t)
	open, err := New("version: 1\n", false, []string{"flex-tools.example"}, nil)
	require.NoError(t, err)
	for _, tt := range []struct {
		host           string
		loopback, open int
	}{
		{"127.0.0.1:8080", http.StatusOK, http.StatusOK},
		{"localhost:8080", http.StatusOK, http.StatusOK},
		{"LOCALHOST", http.StatusOK, http.StatusOK},
		{"[::1]:8080", http.StatusOK, http.StatusOK},
		{"127.0.0.2", http.StatusOK, http.StatusOK},
		{"192.168.1.5:8080", http.StatusMisdirectedRequest, http.StatusOK},
		{"[fe80::1]:8080", http.StatusMisdirectedRequest, http.StatusOK},
		{"flex-tools.example:8080", http.StatusMisdirectedRequest, http.StatusOK},
		{"evil.example:8080", http.StatusMisdirectedRequest, http.StatusMisdirectedRequest},
		{"127.0.0.1.evil.example", http.StatusMisdirectedRequest, http.StatusMisdirectedRequest},
		{"localhost.", http.StatusMisdirectedRequest, http.StatusMisdirectedRequest},
		{"", http.StatusMisdirectedRequest, http.StatusMisdirectedRequest},
	} {
		assert.Equal(t, tt.loopback, get(loop, tt.host), "on loopback: %q", tt.host)
		assert.Equal(t, tt.open, get(open, tt.host), "off loopback, with --allow-host flex-tools.example: %q", tt.host)
	}
}

// TestServeRequests checks the API's refusals of bad requests: each a JSON
// error with a kind.
func TestServeRequests(t *testing.T) {
	h := newTestPlayground(t)
	for _, tt := range []struct {
		name, method, ctype, body string
		wantCode                  int
		wantKind                  string
	}{
		{"GET", http.MethodGet, "", "", http.StatusMethodNotAllowed, "invalid_request"},
		{"form post", http.MethodPost, "application/x-www-form-urlencoded", "policy=x", http.StatusUnsupportedMediaType, "invalid_request"},
		{"not JSON", http.MethodPost, "application/json", "{", http.StatusBadRequest, "invalid_request"},
		{"unknown field", http.MethodPost, "application/json", `{"polcy":""}`, http.StatusBadRequest, "invalid_request"},
		{"trailing data", http.MethodPost, "application/json", `{} {"policy":""}`, http.StatusBadRequest, "invalid_request"},
		{"not quite JSON", http.MethodPost, "application/jsonfoo", `{}`, http.StatusUnsupportedMediaType, "invalid_request"},
		{"too large", http.MethodPost, "application/json", `{"policy":"` + strings.Repeat("a", maxRequestBody) + `"}`, http.StatusRequestEntityTooLarge, "too_large"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := call(h, tt.method, "/api/resolve", tt.ctype, strings.NewReader(tt.body))
			require.Equal(t, tt.wantCode, w.Code, w.Body.String())
			var e apiError
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &e))
			assert.Equal(t, tt.wantKind, e.Error.Kind)
			assert.NotEmpty(t, e.Error.Message)
		})
	}
}

func TestServeValidate(t *testing.T) {
	h := newTestPlayground(t)
	var v validateResponse
	require.Equal(t, http.StatusOK, postJSON(t, h, "/api/validate", validateRequest{Policy: "version: 1\nsso:\n  rules:\n    - name: leads\n      when: {group: CC-Leads}\n      grant: [supervisr]\n"}, &v))
	require.False(t, v.Policy.Valid)
	require.Equal(t, []issueOutput{{Line: 6, Column: 15, Field: "sso.rules[0].grant[0]", Message: `unknown role "supervisr" (did you mean "supervisor"?)`}}, v.Policy.Issues)

	example, err := os.ReadFile("../../../../examples/policy.yaml")
	require.NoError(t, err)
	v = validateResponse{}
	postJSON(t, h, "/api/validate", validateRequest{Policy: string(example)}, &v)
	assert.True(t, v.Policy.Valid)
	assert.Equal(t, []int{4, 1, 12, 12}, []int{v.Rules, v.Deny, v.Tests, v.Passed}, "rules, deny rules, cases, cases that pass")
	assert.Empty(t, v.Failures)

	v = validateResponse{}
	failing, err := os.ReadFile("../../testdata/failing-policy.yaml") // three test cases, the last two failing, and a lint warning at 7:7
	require.NoError(t, err)
	postJSON(t, h, "/api/validate", validateRequest{Policy: string(failing)}, &v)
	assert.True(t, v.Policy.Valid)
	require.Len(t, v.Policy.Warnings, 1, "Lint's warning")
	assert.Equal(t, 7, v.Policy.Warnings[0].Line)
	require.Len(t, v.Failures, 2)
	assert.Equal(t, []int{3, 1}, []int{v.Tests, v.Passed}, "issue 18: the page says how many of the cases pass")
	assert.Equal(t, testOutput{Name: "agent is supervisor", Line: 17, Failure: "roles: want [supervisor], got [agent]"}, v.Failures[0])

	v = validateResponse{}
	postJSON(t, h, "/api/validate", validateRequest{Policy: " \n"}, &v)
	assert.True(t, v.Policy.Empty, "no policy: Twilio's rules alone")
}

// resolveAnswer is resolveResponse as the page reads it.
type resolveAnswer struct {
	Policy   policyStatus
	Decision *struct {
		Granted  bool
		Roles    []string
		Insights flexroles.Insights
		Reasons  []flexroles.Reason
		Error    outcome.Error
	}
	Pages      []string
	Grid       []gridRow
	Trace      []traceOutput
	Attributes []attributeRow
}

func TestServeResolve(t *testing.T) {
	h := newTestPlayground(t)
	example, err := os.ReadFile("../../../../examples/policy.yaml")
	require.NoError(t, err)
	okta, err := os.ReadFile("../../testdata/saml/okta.txt")
	require.NoError(t, err)
	sso := func(rows ...string) loginRequest {
		l := loginRequest{Source: "sso"}
		for i := 0; i+1 < len(rows); i += 2 {
			l.Attributes = append(l.Attributes, attributeRow{Name: rows[i], Value: rows[i+1]})
		}
		return l
	}

	t.Run("console support", func(t *testing.T) {
		var a resolveAnswer
		postJSON(t, h, "/api/resolve", resolveRequest{Login: loginRequest{Source: "console", Console: []string{"support"}}}, &a)
		require.True(t, a.Decision.Granted)
		assert.Equal(t, []string{"flex.readteams", "flex.readonlyadmin"}, a.Decision.Roles)
		assert.Equal(t, []string{"Admin (read only)", "Teams list (read only)", "Queue Stats"}, a.Pages)
		assert.True(t, a.Policy.Empty)
		assert.Empty(t, a.Trace)
	})
	t.Run("console support asking for QA", func(t *testing.T) {
		var a resolveAnswer
		postJSON(t, h, "/api/resolve", resolveRequest{Login: loginRequest{Source: "console", Console: []string{"Support"}, Requested: "wfo.quality_manager"}}, &a)
		require.False(t, a.Decision.Granted)
		assert.Equal(t, "sso_only_role", a.Decision.Error.Kind)
		assert.Empty(t, a.Pages)
	})
	t.Run("SSO analyst under the example policy", func(t *testing.T) {
		var a resolveAnswer
		postJSON(t, h, "/api/resolve", resolveRequest{Policy: string(example),
			Login: sso("email", "n@x.co", "full_name", "N", "groups", "CC-Analytics", "groups", "QA", "location", "EU-West")}, &a)
		require.True(t, a.Decision.Granted, "%+v", a.Decision)
		assert.Equal(t, []string{"supervisor", "wfo.data_analyst"}, a.Decision.Roles)
		assert.Equal(t, []string{"Agent Desktop", "Teams", "Queue Stats", "Dialpad", "Insights: Dashboards", "Insights: Analyze"}, a.Pages)
		require.Len(t, a.Grid, 2, "the wfo.* role, then the user")
		assert.Equal(t, "wfo.data_analyst", a.Grid[0].Role)
		assert.Equal(t, "", a.Grid[1].Role)
		assert.Equal(t, "view_only", string(mustText(t, a.Grid[1].Insights.AssessCalls)))
		require.Len(t, a.Trace, 5, "the deny rule, then the four rules")
		assert.Equal(t, traceOutput{Rule: "analysts", Matched: true, Grant: []string{"supervisor", "wfo.data_analyst"}}, a.Trace[4])
		assert.Contains(t, a.Trace[0].Why, `not in group "Offboarded"`)
		assert.Empty(t, a.Attributes, "the attributes read are shown for a SAMLResponse only")
	})
	t.Run("SSO refused", func(t *testing.T) {
		var a resolveAnswer
		postJSON(t, h, "/api/resolve", resolveRequest{Policy: string(example), Login: sso("email", "o@x.co", "full_name", "O", "groups", "Offboarded")}, &a)
		require.False(t, a.Decision.Granted)
		assert.Equal(t, "denied", a.Decision.Error.Kind)
		assert.Equal(t, "offboarded", a.Decision.Error.Rule)
		assert.Empty(t, a.Decision.Error.Value, "a deny rule has no offending value")
		assert.Empty(t, a.Pages)
		assert.Empty(t, a.Grid)
	})
	t.Run("SAMLResponse from Okta", func(t *testing.T) {
		var a resolveAnswer
		postJSON(t, h, "/api/resolve", resolveRequest{Login: loginRequest{Source: "saml", SAML: string(okta)}}, &a)
		require.True(t, a.Decision.Granted)
		assert.Equal(t, []string{"supervisor", "agent", "wfo.team_leader"}, a.Decision.Roles)
		assert.Contains(t, a.Attributes, attributeRow{Name: "department", Value: "Sales"})
	})
	t.Run("SAMLResponse that cannot be read", func(t *testing.T) {
		var a resolveAnswer
		postJSON(t, h, "/api/resolve", resolveRequest{Login: loginRequest{Source: "saml", SAML: "not a response"}}, &a)
		require.False(t, a.Decision.Granted)
		assert.Equal(t, "invalid_login", a.Decision.Error.Kind)
		assert.Equal(t, "SAMLResponse", a.Decision.Error.Attribute)
		assert.Contains(t, a.Decision.Error.Message, "flexroles: invalid login: the SAMLResponse cannot be read: ")
		assert.Contains(t, a.Decision.Error.Message, "; paste the SAMLResponse value", "the message says what to send")
		assert.NotContains(t, a.Decision.Error.Message, "value \"", "not the fields of an error restated")
	})
	t.Run("unknown source and Console role", func(t *testing.T) {
		for _, tc := range []struct{ source, want, suggestion string }{
			{"ldap", `flexroles: invalid login: unknown login source "ldap"; set "source" to "sso" (with "attributes"), "console" (with "console" roles) or "saml"`, ""},
			{"SSO", `flexroles: invalid login: unknown login source "SSO" (did you mean "sso"? sources are lower case); set "source" to "sso"`, "sso"},
			{"", `flexroles: invalid login: the login has no source; set "source" to "sso"`, ""},
		} {
			var a resolveAnswer
			postJSON(t, h, "/api/resolve", resolveRequest{Login: loginRequest{Source: tc.source}}, &a)
			assert.Equal(t, "invalid_login", a.Decision.Error.Kind, "source %q", tc.source)
			assert.Equal(t, "source", a.Decision.Error.Attribute)
			assert.Equal(t, tc.source, a.Decision.Error.Value)
			assert.Equal(t, tc.suggestion, a.Decision.Error.Suggestion)
			assert.Contains(t, a.Decision.Error.Message, tc.want, "issue 18: the message says what to set")
		}
		a := resolveAnswer{}
		postJSON(t, h, "/api/resolve", resolveRequest{Login: loginRequest{Source: "console", Console: []string{"Ownr"}}}, &a)
		assert.Equal(t, "unknown_role", a.Decision.Error.Kind)
		assert.Equal(t, "Owner", a.Decision.Error.Suggestion)
	})
	t.Run("a policy that does not load decides nothing", func(t *testing.T) {
		var a resolveAnswer
		postJSON(t, h, "/api/resolve", resolveRequest{Policy: "version: 2\n", Login: loginRequest{Source: "console", Console: []string{"Owner"}}}, &a)
		assert.False(t, a.Policy.Valid)
		assert.NotEmpty(t, a.Policy.Issues)
		assert.Nil(t, a.Decision, "fail closed: no decision from a policy that does not load")
	})
}

// mustText returns v's text form.
func mustText(t *testing.T, v interface{ MarshalText() ([]byte, error) }) []byte {
	t.Helper()
	b, err := v.MarshalText()
	require.NoError(t, err)
	return b
}

func TestServeMatrix(t *testing.T) {
	h := newTestPlayground(t)
	example, err := os.ReadFile("../../../../examples/policy.yaml")
	require.NoError(t, err)
	users, err := os.ReadFile("../../../../examples/users.csv")
	require.NoError(t, err)

	var m matrixResponse
	postJSON(t, h, "/api/matrix", matrixRequest{Policy: string(example), Users: string(users)}, &m)
	require.True(t, m.Policy.Valid)
	assert.Equal(t, []string{"supervisor", "agent", "wfo.team_leader", "wfo.data_analyst", "wfo.quality_manager", "wfo.dashboard_viewer"}, m.Roles, "sso.allow")
	require.Len(t, m.Rules, 5)
	assert.Equal(t, matrixRule{Rule: "offboarded", Deny: true, Line: 39, Grant: []string{}, Yields: []string{}, Insights: flexroles.Insights{}}, m.Rules[0])
	assert.Equal(t, "team leads", m.Rules[2].Rule)
	assert.Equal(t, 23, m.Rules[2].Line)
	assert.Equal(t, []string{"supervisor", "wfo.team_leader"}, m.Rules[2].Grant)
	assert.True(t, m.Rules[2].Insights.PlayCalls)
	assert.Equal(t, 9, m.UsersTotal)
	require.Len(t, m.Users, 9)
	assert.Equal(t, matrixUser{Line: 2, Email: "alex.agent@owlbank.example", Roles: []string{"agent"}, Rules: []string{"agents"}}, m.Users[0])
	assert.Equal(t, "deny rule \"offboarded\"", m.Users[8].Refused.By)

	var b strings.Builder
	b.WriteString("email,name,groups\n")
	for i := 0; i <= matrixUsers; i++ {
		b.WriteString("u" + strconv.Itoa(i) + "@x.co,U,CC-Agents\n")
	}
	m = matrixResponse{}
	postJSON(t, h, "/api/matrix", matrixRequest{Policy: string(example), Users: b.String()}, &m)
	assert.Len(t, m.Users, matrixUsers, "the matrix lists at most matrixUsers users")
	assert.Equal(t, matrixUsers+1, m.UsersTotal, "and counts them all")

	m = matrixResponse{}
	postJSON(t, h, "/api/matrix", matrixRequest{Policy: "version: 1\nsso:\n  default_insights_role: wfo.dashboard_viewer\n  rules:\n" +
		"    - {name: sups, when: {group: S}, grant: [supervisor]}\n    - {name: leads, when: {group: L}, grant: [supervisor, wfo.team_leader]}\n"}, &m)
	require.Len(t, m.Rules, 2)
	assert.Equal(t, []string{"supervisor", "wfo.dashboard_viewer"}, m.Rules[0].Yields, "the default Insights role comes with a supervisor grant")
	assert.Equal(t, "wfo.dashboard_viewer", m.Rules[0].Default)
	assert.Equal(t, "viewer", m.Rules[0].Insights.Dashboards.String())
	assert.Equal(t, []string{"supervisor", "wfo.team_leader"}, m.Rules[1].Yields, "not with a grant that has a wfo.* role")
	assert.Empty(t, m.Rules[1].Default)

	m = matrixResponse{}
	postJSON(t, h, "/api/matrix", matrixRequest{Policy: string(example), Users: "email,name\na@x.co,A\nA@X.co,A\n"}, &m)
	require.NotNil(t, m.UsersError)
	assert.Equal(t, `the users file: line 3: email "A@X.co" already given on line 2`, m.UsersError.Message)
}
