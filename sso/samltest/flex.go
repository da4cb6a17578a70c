package samltest

import (
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"

	"github.com/crewjam/saml"

	"github.com/flexroles/flexroles/decisionlog"
	"github.com/flexroles/flexroles/sso/assertion"
)

// FlexStandIn stands in for Flex (rules 1, 5 and 6): a crewjam/saml service
// provider with Flex's ACS URL and audience that verifies what it is posted
// against the identity provider's metadata it trusts, and shows what Flex
// would receive. Its SAML field is crewjam's service provider, which a test
// may change (RequestedAuthnContext, AllowIDPInitiated) before a login.
// It is safe for concurrent use.
type FlexStandIn struct {
	SAML      *saml.ServiceProvider
	loginPath string // where a login starts, linked from the page

	mu        sync.Mutex
	pending   []string                      // IDs of AuthnRequests sent, answered once each
	received  []Received                    // verified assertions, in arrival order
	decisions map[string]decisionlog.Record // shadow-mode records by the user they name
}

// Received is what Flex would take from one verified assertion.
type Received struct {
	Issuer     string
	NameID     string
	Audience   string
	Roles      []string            // the roles attribute's values
	Attributes map[string][]string // every attribute, by name
	RelayState string              // as Flex would get it back
}

// maxACSForm bounds the form posted to the stand-in's ACS: a response of
// assertion.MaxSize, base64 and form-encoded.
const maxACSForm = 2 * assertion.MaxSize

// NewFlexStandIn returns a stand-in for Flex with ACS URL acs and audience
// (entity ID) audience, which trusts the identity provider idp describes
// (the bridge's saml/metadata); its page links to loginPath, where its
// Login handler is served, to sign in again.
func NewFlexStandIn(acs, audience string, idp *saml.EntityDescriptor, loginPath string) (*FlexStandIn, error) {
	u, err := url.Parse(acs)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, errors.New("flexroles: the stand-in for Flex needs an absolute ACS URL, not " + strconv.Quote(acs))
	}
	return &FlexStandIn{loginPath: loginPath, SAML: &saml.ServiceProvider{
		EntityID:          audience,
		AcsURL:            *u,
		IDPMetadata:       idp,
		AuthnNameIDFormat: saml.EmailAddressNameIDFormat,
	}}, nil
}

// Login starts a login as Flex does (rule 1): an AuthnRequest to the
// identity provider, with the HTTP-Redirect binding and the RelayState of
// the relay parameter.
func (f *FlexStandIn) Login(w http.ResponseWriter, r *http.Request) {
	relay := r.URL.Query().Get("relay")
	if relay == "" {
		relay = "flex-relay-state"
	}
	req, err := f.SAML.MakeAuthenticationRequest(f.SAML.GetSSOBindingLocation(saml.HTTPRedirectBinding), saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err == nil {
		var to *url.URL
		if to, err = req.Redirect(relay, f.SAML); err == nil {
			f.mu.Lock()
			f.pending = append(f.pending, req.ID)
			f.mu.Unlock()
			http.Redirect(w, r, to.String(), http.StatusFound) //nolint:gosec // G710: the IdP's SSO URL, from its metadata, not from the request
			return
		}
	}
	http.Error(w, err.Error(), http.StatusInternalServerError)
}

// ACS verifies the posted response as Flex does and shows what Flex would
// receive, or answers HTTP 403 with why it refused it (rule 5).
func (f *FlexStandIn) ACS(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxACSForm)
	f.mu.Lock()
	ids := slices.Clone(f.pending)
	f.mu.Unlock()
	var a *saml.Assertion
	err := r.ParseForm()
	if err == nil {
		var raw []byte
		if raw, err = base64.StdEncoding.DecodeString(r.PostForm.Get("SAMLResponse")); err == nil {
			a, err = f.SAML.ParseXMLResponse(raw, ids, f.SAML.AcsURL)
		}
	}
	if err != nil {
		detail := err
		var inv *saml.InvalidResponseError
		if errors.As(err, &inv) && inv.PrivateErr != nil {
			detail = inv.PrivateErr
		}
		http.Error(w, "the stand-in for Flex refused the response: "+detail.Error(), http.StatusForbidden)
		return
	}
	got := received(a, r.PostForm.Get("RelayState"))
	f.mu.Lock()
	f.received = append(f.received, got)
	if a.Subject != nil && len(a.Subject.SubjectConfirmations) > 0 && a.Subject.SubjectConfirmations[0].SubjectConfirmationData != nil {
		answered := a.Subject.SubjectConfirmations[0].SubjectConfirmationData.InResponseTo
		f.pending = slices.DeleteFunc(f.pending, func(id string) bool { return id == answered })
	}
	rec, inShadow := f.decisions[got.NameID]
	f.mu.Unlock()

	type row struct {
		Name   string
		Values []string
	}
	var rows []row
	for _, n := range sortedNames(got.Attributes) {
		rows = append(rows, row{n, got.Attributes[n]})
	}
	writePage(w, flexPage, func(nonce string) any {
		return struct {
			Received
			Rows     []row
			Nonce    string
			Start    string
			Shadow   shadowView
			InShadow bool
		}{got, rows, nonce, f.loginPath, viewDecision(rec, got.Roles), inShadow}
	})
}

// received is what Flex takes from a, posted with relayState.
func received(a *saml.Assertion, relayState string) Received {
	got := Received{Attributes: map[string][]string{}, Issuer: a.Issuer.Value, RelayState: relayState}
	if a.Subject != nil && a.Subject.NameID != nil {
		got.NameID = a.Subject.NameID.Value
	}
	if a.Conditions != nil && len(a.Conditions.AudienceRestrictions) > 0 {
		got.Audience = a.Conditions.AudienceRestrictions[0].Audience.Value
	}
	for _, st := range a.AttributeStatements {
		for _, attr := range st.Attributes {
			for _, v := range attr.Values {
				got.Attributes[attr.Name] = append(got.Attributes[attr.Name], v.Value)
			}
		}
	}
	got.Roles = got.Attributes["roles"]
	return got
}

// NoteDecision keeps rec, a login's decision-log record, as the policy's
// decision of the last login of the user rec.Identity names, which the
// page shows beside what Flex received when rec is of shadow mode
// (rule 6). Its signature is that of the bridge's OnDecision hook.
func (f *FlexStandIn) NoteDecision(rec decisionlog.Record) {
	if rec.Mode != "shadow" {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.decisions == nil {
		f.decisions = map[string]decisionlog.Record{}
	}
	f.decisions[rec.Identity] = rec
}

// shadowView is what the stand-in's page shows of the policy's decision in
// shadow mode: its roles and the grant rules that gave them, or its
// refusal; whether it is what Flex received; and the roles it would add
// and take away.
type shadowView struct {
	Granted      bool
	Roles        []string
	Refused      string // the kind and who refused, such as "denied, by sso.allow"
	Agree        bool
	Gained, Lost []string
	Rules        []string
}

// viewDecision is the view of rec, the policy's decision, against roles,
// what Flex received. A refusal shows no roles gained or lost.
func viewDecision(rec decisionlog.Record, roles []string) shadowView {
	v := shadowView{Granted: rec.Policy.Granted, Roles: rec.Policy.Roles, Agree: rec.Agree != nil && *rec.Agree}
	if rec.Policy.Refused != nil {
		v.Refused = rec.Policy.Refused.Kind + ", by " + rec.Policy.Refused.By
		return v
	}
	for _, r := range rec.Policy.Roles {
		if !slices.Contains(roles, r) {
			v.Gained = append(v.Gained, r)
		}
	}
	for _, r := range roles {
		if !slices.Contains(rec.Policy.Roles, r) {
			v.Lost = append(v.Lost, r)
		}
	}
	for _, r := range rec.Policy.Rules {
		v.Rules = append(v.Rules, r.Name)
	}
	return v
}

// Last returns what the stand-in received last, and whether it received
// anything.
func (f *FlexStandIn) Last() (Received, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.received) == 0 {
		return Received{}, false
	}
	return f.received[len(f.received)-1], true
}

// All returns what the stand-in received, in arrival order.
func (f *FlexStandIn) All() []Received {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.received)
}

// Count is how many assertions the stand-in accepted.
func (f *FlexStandIn) Count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.received)
}

var flexPage = template.Must(template.New("flex").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>What Flex receives</title>
<style nonce="{{.Nonce}}">body{font:16px/1.5 system-ui,sans-serif;max-width:48em;margin:2em auto;padding:0 1em}td,th{text-align:left;padding:.2em .8em .2em 0;vertical-align:top}code{background:#f3f3f3;padding:0 .2em}</style>
</head><body>
<h1>Signed in to Flex (stand-in)</h1>
<p>The assertion's signature was verified against the bridge's metadata, with its audience, recipient, validity and InResponseTo. This is what Flex would receive:</p>
<p>Roles: <span id="roles">{{range $i, $r := .Roles}}{{if $i}}, {{end}}<code>{{$r}}</code>{{end}}</span></p>
<table><tr><th>Issuer</th><td><code id="issuer">{{.Issuer}}</code></td></tr>
<tr><th>NameID</th><td><code id="nameid">{{.NameID}}</code></td></tr>
<tr><th>Audience</th><td><code id="audience">{{.Audience}}</code></td></tr>
<tr><th>RelayState</th><td><code id="relaystate">{{.RelayState}}</code></td></tr></table>
<h2>Attributes</h2>
<table id="attributes">{{range .Rows}}<tr><th>{{.Name}}</th><td>{{range $i, $v := .Values}}{{if $i}}, {{end}}<code>{{$v}}</code>{{end}}</td></tr>
{{end}}</table>
{{if .InShadow}}<h2>Shadow mode: the policy's decision</h2>
<p>The bridge is in shadow mode: Flex received the identity provider's roles above, and the policy's decision was only recorded (decision log, metrics).</p>
{{with .Shadow}}{{if .Granted}}<p>The policy would give: <span id="policy-roles">{{range $i, $r := .Roles}}{{if $i}}, {{end}}<code>{{$r}}</code>{{end}}</span>{{if .Rules}} (rules {{range $i, $r := .Rules}}{{if $i}}, {{end}}<code>{{$r}}</code>{{end}}){{end}}.</p>
{{else}}<p>The policy would refuse this login: <code id="policy-refused">{{.Refused}}</code>.</p>{{end}}
<p id="agree">{{if .Agree}}It agrees with what Flex received.{{else}}It differs from what Flex received{{if .Gained}}: it would add {{range $i, $r := .Gained}}{{if $i}}, {{end}}<code>{{$r}}</code>{{end}}{{end}}{{if .Lost}}{{if .Gained}};{{else}}:{{end}} it would take away {{range $i, $r := .Lost}}{{if $i}}, {{end}}<code>{{$r}}</code>{{end}}{{end}}.{{end}}</p>{{end}}
{{end}}<p><a href="{{.Start}}">Sign in again</a></p>
</body></html>
`))
