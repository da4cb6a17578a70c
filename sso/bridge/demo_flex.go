package bridge

import (
	"bytes"
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"sync"

	"github.com/crewjam/saml"

	"github.com/flexroles/flexroles/decisionlog"
)

// flexStandIn stands in for Flex in bridge demo and in the tests: a
// crewjam/saml service provider with Flex's ACS path and audience, that
// verifies what the bridge posts against the bridge's metadata and shows
// what Flex would receive.
type flexStandIn struct {
	sp        *saml.ServiceProvider
	loginPath string // where a login starts, linked from the page

	mu       sync.Mutex
	pending  []string   // IDs of AuthnRequests sent, answered once each
	received []received // verified assertions, in arrival order

	// policyDecisions, in shadow mode, holds the policy's decision of each
	// user's last login, which the page shows beside what Flex received.
	policyDecisions *policyDecisions
}

// policyDecisions keeps the bridge's record of each user's last login.
type policyDecisions struct {
	mu   sync.Mutex
	last map[string]decisionlog.Record // by the user the bridge verified: the NameID
}

func (p *policyDecisions) note(user string, rec decisionlog.Record) {
	p.mu.Lock()
	p.last[user] = rec
	p.mu.Unlock()
}

// shadowView is what the page shows of the policy's decision in shadow
// mode: its roles or refusal, whether it is what Flex received, and the
// roles it would add and take away.
type shadowView struct {
	Granted      bool
	Roles        []string
	Refused      string
	Agree        bool
	Gained, Lost []string
	Rules        []string
}

// view is the policy's decision of user's last login against roles, what
// Flex received; ok is false when there is none.
func (p *policyDecisions) view(user string, roles []string) (shadowView, bool) {
	if p == nil {
		return shadowView{}, false
	}
	p.mu.Lock()
	rec, ok := p.last[user]
	p.mu.Unlock()
	if !ok {
		return shadowView{}, false
	}
	v := shadowView{Granted: rec.Policy.Granted, Roles: rec.Policy.Roles, Agree: rec.Agree != nil && *rec.Agree}
	if rec.Policy.Refused != nil {
		v.Refused = rec.Policy.Refused.Kind + ", by " + rec.Policy.Refused.By
		return v, true
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
	return v, true
}

// received is what Flex would take from one verified assertion.
type received struct {
	Issuer     string
	NameID     string
	Audience   string
	Roles      []string
	Attributes map[string][]string
	RelayState string // as Flex would get it back
}

func newFlexStandIn(flex flexSP, bridgeMD *saml.EntityDescriptor, loginPath string) (*flexStandIn, error) {
	acs, err := url.Parse(flex.acs)
	if err != nil {
		return nil, err
	}
	return &flexStandIn{loginPath: loginPath, sp: &saml.ServiceProvider{
		EntityID:          flex.audience,
		AcsURL:            *acs,
		IDPMetadata:       bridgeMD,
		AuthnNameIDFormat: saml.EmailAddressNameIDFormat,
	}}, nil
}

// login starts a login as Flex does: an AuthnRequest to the bridge, with
// the HTTP-Redirect binding and the RelayState in the relay parameter.
func (f *flexStandIn) login(w http.ResponseWriter, r *http.Request) {
	relay := r.URL.Query().Get("relay")
	if relay == "" {
		relay = "flex-relay-state"
	}
	req, err := f.sp.MakeAuthenticationRequest(f.sp.GetSSOBindingLocation(saml.HTTPRedirectBinding), saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err == nil {
		var to *url.URL
		if to, err = req.Redirect(relay, f.sp); err == nil {
			f.mu.Lock()
			f.pending = append(f.pending, req.ID)
			f.mu.Unlock()
			http.Redirect(w, r, to.String(), http.StatusFound) //nolint:gosec // G710: the bridge's SSO URL, from its metadata, not from the request
			return
		}
	}
	http.Error(w, err.Error(), http.StatusInternalServerError)
}

// acs verifies the bridge's response as Flex does and shows its content.
func (f *flexStandIn) acs(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxACSRequest)
	f.mu.Lock()
	ids := slices.Clone(f.pending)
	f.mu.Unlock()
	var a *saml.Assertion
	err := r.ParseForm()
	if err == nil {
		var raw []byte
		if raw, err = base64.StdEncoding.DecodeString(r.PostForm.Get("SAMLResponse")); err == nil {
			a, err = f.sp.ParseXMLResponse(raw, ids, f.sp.AcsURL)
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
	got := received{Attributes: map[string][]string{}, Issuer: a.Issuer.Value, RelayState: r.PostForm.Get("RelayState")}
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
	f.mu.Lock()
	f.received = append(f.received, got)
	if a.Subject != nil && len(a.Subject.SubjectConfirmations) > 0 && a.Subject.SubjectConfirmations[0].SubjectConfirmationData != nil {
		answered := a.Subject.SubjectConfirmations[0].SubjectConfirmationData.InResponseTo
		f.pending = slices.DeleteFunc(f.pending, func(id string) bool { return id == answered })
	}
	f.mu.Unlock()

	names := make([]string, 0, len(got.Attributes))
	for n := range got.Attributes {
		names = append(names, n)
	}
	slices.Sort(names)
	type row struct {
		Name   string
		Values []string
	}
	rows := make([]row, len(names))
	for i, n := range names {
		rows[i] = row{n, got.Attributes[n]}
	}
	shadow, inShadow := f.policyDecisions.view(got.NameID, got.Roles)
	nonce := newNonce()
	var buf bytes.Buffer
	if err := flexPage.Execute(&buf, struct {
		received
		Rows     []row
		Nonce    string
		Start    string
		Shadow   shadowView
		InShadow bool
	}{got, rows, nonce, f.loginPath, shadow, inShadow}); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	setCSP(w, nonce)
	_, _ = w.Write(buf.Bytes())
}

// last returns what the stand-in received last, and whether it received
// anything.
func (f *flexStandIn) last() (received, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.received) == 0 {
		return received{}, false
	}
	return f.received[len(f.received)-1], true
}

// count is how many assertions the stand-in accepted.
func (f *flexStandIn) count() int {
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
