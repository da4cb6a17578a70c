package playground

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/cmd/flexroles/internal/outcome"
	"github.com/flexroles/flexroles/export"
	"github.com/flexroles/flexroles/internal/jsonvalues"
	"github.com/flexroles/flexroles/review"
	"github.com/flexroles/flexroles/sso/assertion"
)

// api wraps an API call: POST with a JSON body of at most maxRequestBody
// bytes, decoded strictly into a request of type T; the call's answer is
// written as JSON with status 200, and every failure as an apiError.
func api[T any](call func(T) any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeAPIError(w, http.StatusMethodNotAllowed, "invalid_request", "the API takes POST with a JSON body")
			return
		}
		if ct := r.Header.Get("Content-Type"); !isJSON(ct) {
			writeAPIError(w, http.StatusUnsupportedMediaType, "invalid_request", "the body must be JSON (Content-Type: application/json), not "+strconv.Quote(ct))
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeAPIError(w, http.StatusRequestEntityTooLarge, "too_large", "the request is larger than "+strconv.Itoa(maxRequestBody>>20)+" MiB")
			return
		}
		if err != nil {
			writeAPIError(w, http.StatusBadRequest, "invalid_request", "reading the request: "+err.Error())
			return
		}
		var req T
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		err = dec.Decode(&req)
		if err == nil && !errors.Is(dec.Decode(new(json.RawMessage)), io.EOF) {
			err = errors.New("something follows the JSON object")
		}
		if err != nil {
			writeAPIError(w, http.StatusBadRequest, "invalid_request", "the request is not the JSON this call takes: "+err.Error())
			return
		}
		writeAPI(w, http.StatusOK, call(req))
	}
}

// isJSON reports whether a Content-Type header names JSON.
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/json"
}

// apiError is the body of every failed request: a kind, as the library
// names its errors ("invalid_login", …) or "invalid_request", "too_large",
// "not_found" for the request itself, and a message.
type apiError struct {
	Error struct {
		Kind    string `json:"kind"`
		Message string `json:"message"`
	} `json:"error"`
}

func writeAPIError(w http.ResponseWriter, status int, kind, message string) {
	var e apiError
	e.Error.Kind, e.Error.Message = kind, message
	writeAPI(w, status, e)
}

// writeAPI writes v as JSON. HTML characters are escaped, so that no
// answer can be read as markup even out of its context.
func writeAPI(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"kind":"error","message":"encoding the answer failed"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// policyStatus is what the API says of the policy a request carries.
type policyStatus struct {
	Empty    bool          `json:"empty"` // no policy: Twilio's rules alone
	Valid    bool          `json:"valid"`
	Issues   []issueOutput `json:"issues"`   // why it does not load, in file order
	Warnings []issueOutput `json:"warnings"` // Lint: legal but likely a mistake
}

// issueOutput is a PolicyIssue as JSON.
type issueOutput struct {
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

func issuesJSON(issues []flexroles.PolicyIssue) []issueOutput {
	out := make([]issueOutput, 0, len(issues))
	for _, is := range issues {
		out = append(out, issueOutput{Line: is.Line, Column: is.Column, Field: is.Field, Message: is.Message})
	}
	return out
}

// loadText loads the policy text of a request: a nil Policy, Twilio's rules
// alone, when it is only white space; nil and the status when it does not
// load.
func loadText(text string) (*flexroles.Policy, policyStatus) {
	st := policyStatus{Issues: []issueOutput{}, Warnings: []issueOutput{}}
	if strings.TrimSpace(text) == "" {
		st.Empty, st.Valid = true, true
		return nil, st
	}
	p, err := flexroles.LoadPolicy(strings.NewReader(text))
	if err != nil {
		var pe *flexroles.PolicyError
		if errors.As(err, &pe) {
			st.Issues = issuesJSON(pe.Issues)
		} else {
			st.Issues = []issueOutput{{Message: err.Error()}}
		}
		return nil, st
	}
	st.Valid = true
	st.Warnings = issuesJSON(p.Lint())
	return p, st
}

// validateRequest is the body of POST /api/validate.
type validateRequest struct {
	Policy string `json:"policy"`
}

// validateResponse is its answer: the policy's status, its rules, its
// test cases and how many pass, and those that fail.
type validateResponse struct {
	Policy   policyStatus `json:"policy"`
	Rules    int          `json:"rules"`
	Deny     int          `json:"deny"`
	Tests    int          `json:"tests"`
	Passed   int          `json:"passed"`
	Failures []testOutput `json:"failures"`
}

// testOutput is a failing test case of the policy file.
type testOutput struct {
	Name    string `json:"name"`
	Line    int    `json:"line"`
	Failure string `json:"failure"`
}

func (p *playground) validate(req validateRequest) any {
	pol, st := loadText(req.Policy)
	out := validateResponse{Policy: st, Failures: []testOutput{}}
	if pol == nil {
		return out
	}
	out.Rules, out.Deny, _ = outcome.PolicyCounts(pol)
	results := pol.Test()
	out.Tests = len(results)
	for _, r := range results {
		if r.Failure != "" {
			out.Failures = append(out.Failures, testOutput{Name: r.Name, Line: r.Line, Failure: r.Failure})
		} else {
			out.Passed++
		}
	}
	return out
}

// resolveRequest is the body of POST /api/resolve.
type resolveRequest struct {
	Policy string       `json:"policy"`
	Login  loginRequest `json:"login"`
}

// loginRequest is a login as the page enters it.
type loginRequest struct {
	Source     string         `json:"source"`     // "console", "sso" or "saml"
	Console    []string       `json:"console"`    // console: the Console roles
	Requested  string         `json:"requested"`  // console: roles asked for, comma-separated, or ""
	Attributes []attributeRow `json:"attributes"` // sso: one row per value, a name given twice has two values
	SAML       string         `json:"saml"`       // saml: the SAMLResponse as copied, base64 or XML
}

// attributeRow is one value of one attribute.
type attributeRow struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// resolveResponse is the answer of POST /api/resolve: the decision or the
// refusal, and what the page shows beside it.
type resolveResponse struct {
	Policy     policyStatus   `json:"policy"`
	Decision   any            `json:"decision"`             // a outcome.Decision or outcome.Refusal; null when the policy does not load
	Pages      []string       `json:"pages"`                // the Flex pages the roles open
	Grid       []gridRow      `json:"grid"`                 // each wfo.* role's Insights capabilities, then the user's
	Trace      []traceOutput  `json:"trace"`                // the policy's first maxTrace rules for this login, as explain shows them
	TraceMore  int            `json:"trace_more"`           // how many rules follow those
	Attributes []attributeRow `json:"attributes,omitempty"` // a SAMLResponse's attributes, in document order
	// Flex is an SSO login as Flex reads it under the policy's names
	// (flexroles.ReadAsFlex): email, full name, identity, what is missing
	// or misnamed.
	Flex *flexroles.FlexRead `json:"flex,omitempty"`
}

// gridRow is one row of the Insights capability grid.
type gridRow struct {
	Role     string             `json:"role"` // a wfo.* role, or "" for the user's own
	Insights flexroles.Insights `json:"insights"`
}

// traceOutput is one rule of the policy as it applies to the login.
type traceOutput struct {
	Rule    string   `json:"rule"`
	Deny    bool     `json:"deny"`
	Matched bool     `json:"matched"`
	Why     string   `json:"why"`
	Grant   []string `json:"grant"`
}

func (p *playground) resolve(req resolveRequest) any {
	pol, st := loadText(req.Policy)
	out := resolveResponse{Policy: st, Pages: []string{}, Grid: []gridRow{}, Trace: []traceOutput{}}
	if !st.Valid {
		return out
	}
	l, resp, err := req.Login.login(p.metadata)
	if resp != nil {
		out.Attributes = samlRows(resp)
	}
	var d flexroles.Decision
	if err == nil && l.Source == flexroles.SSO {
		read := pol.ReadAsFlex(l)
		out.Flex = &read
	}
	if err == nil {
		d, err = pol.Resolve(l)
	}
	if err != nil {
		out.Decision = outcome.RefusalOf(err)
	} else {
		out.Decision = outcome.DecisionOf(d)
		out.Pages = flexPages(d.Roles, d.Insights)
		out.Grid = insightsGrid(d)
	}
	for _, tr := range pol.Explain(l) {
		if len(out.Trace) == maxTrace {
			out.TraceMore++
			continue
		}
		out.Trace = append(out.Trace, traceOutput{Rule: tr.Rule, Deny: tr.Deny, Matched: tr.Matched, Why: tr.Why, Grant: roleNames(tr.Grant)})
	}
	return out
}

// maxTrace is how many rules the outcome explains: enough for any policy
// people read, and a bound on the answer for the largest.
const maxTrace = 500

// login returns the login the page entered, and for a pasted SAMLResponse
// what the verifier read of it: with md, only what the signature covers;
// without, the response as it stands. A SAMLResponse that cannot be read or
// fails verification, an unknown source or an unknown Console role is an
// error of the library's kinds, shown as a refusal.
func (lr *loginRequest) login(md *assertion.Metadata) (flexroles.Login, *assertion.Result, error) {
	switch lr.Source {
	case "console":
		l := flexroles.Login{Source: flexroles.Console}
		for _, s := range lr.Console {
			c, err := flexroles.ParseConsoleRole(s)
			if err != nil {
				return flexroles.Login{}, nil, err
			}
			l.ConsoleRoles = append(l.ConsoleRoles, c)
		}
		if strings.TrimSpace(lr.Requested) != "" {
			l.Attributes = map[string][]string{"roles": {lr.Requested}}
		}
		return l, nil, nil
	case "sso":
		attrs := map[string][]string{}
		for _, row := range lr.Attributes {
			if row.Name != "" {
				attrs[row.Name] = append(attrs[row.Name], row.Value)
			}
		}
		// No NameID: the identity is the email as Flex reads it
		// (flexroles.ReadAsFlex), which WorkerAttributes derives itself.
		return flexroles.Login{Source: flexroles.SSO, Attributes: attrs}, nil, nil
	case "saml":
		res, err := readSAML(lr.SAML, md)
		if err != nil {
			return flexroles.Login{}, res, &loginError{
				detail: &flexroles.Error{Kind: flexroles.ErrInvalidLogin, Attribute: "SAMLResponse", Value: err.Error()},
				msg: "the SAMLResponse cannot be read: " + err.Error() +
					"; paste the SAMLResponse value from the browser's developer tools or a SAML tracer, as base64, URL-encoded or XML",
			}
		}
		// Unverified without metadata: the claims as they stand; with it,
		// the signed claims of a response every check passed (readSAML
		// allows unchecked expectations, so Result.Login makes no login).
		return res.UnverifiedLogin(), res, nil
	}
	return flexroles.Login{}, nil, sourceError(lr.Source)
}

// loginSources are the values of a login request's "source".
var loginSources = []string{"sso", "console", "saml"}

// sourceError is the error of a login request whose source is none of
// loginSources: what it is, the one it looks like, and what to set.
func sourceError(source string) error {
	e := &flexroles.Error{Kind: flexroles.ErrInvalidLogin, Attribute: "source", Value: source}
	var msg string
	switch lower := strings.ToLower(strings.TrimSpace(source)); {
	case source == "":
		msg = "the login has no source"
	case slices.Contains(loginSources, lower):
		e.Suggestion = lower
		msg = "unknown login source " + strconv.Quote(source) + " (did you mean " + strconv.Quote(lower) + "? sources are lower case)"
	default:
		msg = "unknown login source " + strconv.Quote(source)
	}
	return &loginError{detail: e, msg: msg + `; set "source" to "sso" (with "attributes"), "console" (with "console" roles) or "saml" (with "saml", a SAMLResponse)`}
}

// loginError is a login request the playground cannot turn into a login,
// with a message that says what to send. It unwraps to the library's
// *flexroles.Error that names the field, so that the answer carries the
// kind invalid_login and the field's name and value.
type loginError struct {
	detail *flexroles.Error
	msg    string
}

func (e *loginError) Error() string { return "flexroles: invalid login: " + e.msg }

// Unwrap returns the *flexroles.Error behind the message.
func (e *loginError) Unwrap() error { return e.detail }

// readSAML decodes a SAMLResponse and inspects it as saml does: against
// md, with no service provider expectations (the playground explains, it
// does not log anyone in); without md nothing is verified, and only a
// response saml would refuse unverified is an error.
func readSAML(text string, md *assertion.Metadata) (*assertion.Result, error) {
	raw, err := assertion.Decode([]byte(strings.TrimSpace(text)))
	if err != nil {
		return nil, err
	}
	res, err := assertion.Inspect(raw, md, assertion.Expectations{AllowUnchecked: true})
	if md == nil && errors.Is(err, assertion.ErrSignature) {
		err = nil
	}
	return res, err
}

// samlRows lists a SAMLResponse's attributes in document order, nil
// values left out.
func samlRows(res *assertion.Result) []attributeRow {
	var rows []attributeRow
	for _, a := range res.Assertion.Attributes {
		for _, v := range a.Strings() {
			rows = append(rows, attributeRow{Name: a.Name, Value: v})
		}
	}
	return rows
}

// roleNames returns roles as strings, never nil.
func roleNames(roles []flexroles.Role) []string {
	return outcome.RoleStrings(flexroles.Decision{Roles: roles})
}

// insightsGrid returns the capabilities of each wfo.* role the user holds,
// as that role gives them once Insights opens, then the user's own.
func insightsGrid(d flexroles.Decision) []gridRow {
	var rows []gridRow
	for _, r := range d.Roles {
		if r.IsInsights() {
			rows = append(rows, gridRow{Role: string(r), Insights: flexroles.InsightsFor([]flexroles.Role{flexroles.Supervisor, r})})
		}
	}
	return append(rows, gridRow{Insights: d.Insights})
}

// flexPages returns the Flex UI pages roles open, in the order of Flex's
// navigation: Admin, Agent Desktop, Teams, Queue Stats, Dialpad, then the
// Insights pages the capabilities allow.
func flexPages(roles []flexroles.Role, in flexroles.Insights) []string {
	has := flexroles.Decision{Roles: roles}.Has
	admin, super, agent, readOnly := has(flexroles.Admin), has(flexroles.Supervisor), has(flexroles.Agent), has(flexroles.ReadOnlyAdmin)
	var pages []string
	add := func(ok bool, page string) {
		if ok {
			pages = append(pages, page)
		}
	}
	add(admin, "Admin")
	add(readOnly && !admin, "Admin (read only)")
	add(admin || super || agent, "Agent Desktop")
	add(admin || super, "Teams")
	add(readOnly && !admin && !super, "Teams list (read only)")
	add(admin || super || readOnly, "Queue Stats")
	add(admin || super || agent, "Dialpad")
	add(in.Enabled && in.Dashboards != flexroles.DashboardsNone, "Insights: Dashboards")
	add(in.Enabled && in.Dashboards >= flexroles.DashboardsExplorer, "Insights: Analyze")
	add(in.Enabled && in.Questionnaires, "Insights: Questionnaires")
	if pages == nil {
		pages = []string{}
	}
	return pages
}

// matrixRequest is the body of POST /api/matrix: a policy, and an IdP
// export as the users file of diff and audit holds it, or "".
type matrixRequest struct {
	Policy string `json:"policy"`
	Users  string `json:"users"`
}

// matrixResponse lays the policy out as a grid: each rule, then each user
// of the export, against the roles and capabilities it yields.
type matrixResponse struct {
	Policy     policyStatus `json:"policy"`
	Roles      []string     `json:"roles"` // the roles the columns show: every role an SSO login can get under the policy
	Rules      []matrixRule `json:"rules"`
	Users      []matrixUser `json:"users"`
	UsersTotal int          `json:"users_total"`
	UsersError *apiErrorMsg `json:"users_error,omitempty"` // the export cannot be read
}

// apiErrorMsg is an error beside an answer, such as a users file that
// cannot be read.
type apiErrorMsg struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

// matrixRule is one rule: the roles it grants, the roles it yields (with
// the policy's default Insights role when the grant calls for it), and what
// those wfo.* roles allow in Insights once it opens; a deny rule grants
// nothing.
type matrixRule struct {
	Rule     string             `json:"rule"`
	Deny     bool               `json:"deny"`
	Line     int                `json:"line"`
	Grant    []string           `json:"grant"`
	Yields   []string           `json:"yields"`
	Default  string             `json:"default,omitempty"` // the default Insights role it adds, if any
	Insights flexroles.Insights `json:"insights"`
}

// matrixUser is one user of the export and its next login's outcome.
type matrixUser struct {
	Line     int                `json:"line"`
	Email    string             `json:"email"`
	Roles    []string           `json:"roles"`
	Insights flexroles.Insights `json:"insights"`
	Rules    []string           `json:"rules"` // the grant rules that fired
	Refused  *review.Refusal    `json:"refused,omitempty"`
}

// grantsInsightsGate reports whether roles hold a role for which Insights
// opens: admin or supervisor.
func grantsInsightsGate(roles []flexroles.Role) bool {
	return slices.ContainsFunc(roles, flexroles.Role.OpensInsights)
}

// grantsWFO reports whether roles hold a wfo.* role.
func grantsWFO(roles []flexroles.Role) bool {
	return slices.ContainsFunc(roles, flexroles.Role.IsInsights)
}

// matrixUsers is how many users the matrix lists; UsersTotal counts all.
const matrixUsers = 2000

func (p *playground) matrix(req matrixRequest) any {
	pol, st := loadText(req.Policy)
	out := matrixResponse{Policy: st, Roles: roleNames(pol.Roles()), Rules: []matrixRule{}, Users: []matrixUser{}}
	if !st.Valid {
		return out
	}
	for _, tr := range pol.Explain(flexroles.Login{Source: flexroles.SSO}) {
		mr := matrixRule{Rule: tr.Rule, Deny: tr.Deny, Line: tr.Line, Grant: roleNames(tr.Grant)}
		yields := tr.Grant
		if def := pol.DefaultInsightsRole(); def != "" && grantsInsightsGate(tr.Grant) && !grantsWFO(tr.Grant) {
			yields = append(slices.Clip(yields), def)
			mr.Default = string(def)
		}
		mr.Yields = roleNames(yields)
		mr.Insights = flexroles.InsightsFor(append([]flexroles.Role{flexroles.Supervisor}, yields...))
		out.Rules = append(out.Rules, mr)
	}
	if strings.TrimSpace(req.Users) == "" {
		return out
	}
	seen := map[string]int{}
	err := export.Read(strings.NewReader(req.Users), func(u *export.User) error {
		key := export.EmailKey(u.Email)
		if key == "" {
			return jsonvalues.LineErrorf(u.Line, "user without an email")
		}
		if line, ok := seen[key]; ok {
			return jsonvalues.LineErrorf(u.Line, "email %q already given on line %d", u.Email, line)
		}
		seen[key] = u.Line
		out.UsersTotal++
		if len(out.Users) == matrixUsers {
			return nil
		}
		l := u.Login(pol)
		mu := matrixUser{Line: u.Line, Email: u.Email, Roles: []string{}, Rules: []string{}}
		d, err := pol.Resolve(l)
		if err != nil {
			mu.Refused = &review.Refusal{Kind: flexroles.ErrorKindName(err), By: review.RefusedBy(err), Message: err.Error()}
		} else {
			mu.Roles, mu.Insights = d.RoleStrings(), d.Insights
			for _, f := range pol.Fired(l) {
				mu.Rules = append(mu.Rules, f.Rule)
			}
		}
		out.Users = append(out.Users, mu)
		return nil
	})
	if err != nil {
		out.UsersError = &apiErrorMsg{Kind: "invalid_request", Message: "the users file: " + err.Error()}
	}
	return out
}
