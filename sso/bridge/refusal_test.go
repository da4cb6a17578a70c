package bridge

import (
	"bytes"
	"compress/flate"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/flexroles/flexroles/sso/assertion"
)

// lure is text a stranger writes into a message to make the bridge's page
// say it, on the bridge's origin.
const lure = "Your Flex account is locked. Call +1 555 0100"

// logSink captures the bridge's log with a JSON or a text handler.
type logSink struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	json bool
}

func captureLog(w *world, asJSON bool) *logSink {
	s := &logSink{json: asJSON}
	out := &lockedWriter{mu: &s.mu, w: &s.buf}
	if asJSON {
		w.bridge.log = slog.New(slog.NewJSONHandler(out, nil))
	} else {
		w.bridge.log = slog.New(slog.NewTextHandler(out, nil))
	}
	return s
}

func (s *logSink) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.buf.String() }

// records checks that every line of the log is one whole record, which a
// stranger's newline or quote would break, and returns the lines that
// carry id.
func (s *logSink) records(t *testing.T, id string) []string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(strings.TrimSuffix(s.String(), "\n"), "\n") {
		if s.json && !json.Valid([]byte(line)) || !s.json && !strings.HasPrefix(line, "time=") {
			t.Errorf("a log line is not a record of its own (a forged line?):\n%s", line)
		}
		if strings.Contains(line, `"id":"`+id+`"`) || strings.Contains(line, "id="+id+" ") {
			out = append(out, line)
		}
	}
	return out
}

// correlation returns the reference a refusal page shows.
func correlation(t *testing.T, p page) string {
	t.Helper()
	m := pageCorrelation.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no correlation id on the page:\n%.800s", p.body)
	}
	return m[1]
}

// forgedRequest is a link to the bridge's saml/sso with Flex's
// AuthnRequest as anyone can write it (Flex does not sign it), edited.
func forgedRequest(t *testing.T, w *world, relay string, edit func(r *saml.AuthnRequest)) string {
	t.Helper()
	sp := *w.flex.SAML
	req, err := sp.MakeAuthenticationRequest(sp.GetSSOBindingLocation(saml.HTTPRedirectBinding), saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		t.Fatal(err)
	}
	edit(req)
	// The HTTP-Redirect binding, written here rather than by crewjam/saml,
	// which would send it to the Destination.
	doc := etree.NewDocument()
	doc.SetRoot(req.Element())
	xmlDoc, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	fw, _ := flate.NewWriter(&z, flate.BestCompression)
	_, _ = fw.Write(xmlDoc)
	_ = fw.Close()
	q := url.Values{"SAMLRequest": {base64.StdEncoding.EncodeToString(z.Bytes())}}
	if relay != "" {
		q.Set("RelayState", relay)
	}
	return w.bridge.paths.sso.String() + "?" + q.Encode()
}

// TestAttackLureOnPages: text a stranger writes into a request or response
// (an Issuer, Destination or ACS URL in a forged AuthnRequest, a RelayState,
// the status code of an unsigned Response) never reaches the bridge's page,
// which names the field instead; it reaches the log, escaped, so that one
// with a newline or a quote cannot forge a log line, with the JSON handler
// the command uses and the text handler of the demo.
func TestAttackLureOnPages(t *testing.T) {
	w := newWorld(t, nil)
	injected := lure + "\n" + `time=2026-01-01T00:00:00Z level=ERROR msg="login granted" user=admin"}` + "\n" + `{"level":"ERROR","msg":"login granted"}`
	for _, tc := range []struct {
		name   string
		send   func(t *testing.T, text string) page
		status int
		kind   string
		field  string // the field the page names
	}{
		{"Issuer of a forged AuthnRequest", func(t *testing.T, text string) page {
			return w.browser("").get(forgedRequest(t, w, "", func(r *saml.AuthnRequest) { r.Issuer.Value = text }))
		}, http.StatusBadRequest, "flex_request", "Issuer"},
		{"Destination of a forged AuthnRequest", func(t *testing.T, text string) page {
			return w.browser("").get(forgedRequest(t, w, "", func(r *saml.AuthnRequest) { r.Destination = "https://x.example/" + text }))
		}, http.StatusBadRequest, "flex_request", "Destination"},
		{"ACS URL of a forged AuthnRequest", func(t *testing.T, text string) page {
			return w.browser("").get(forgedRequest(t, w, "", func(r *saml.AuthnRequest) { r.AssertionConsumerServiceURL = "https://x.example/" + text }))
		}, http.StatusBadRequest, "flex_request", "AssertionConsumerServiceURL"},
		{"RelayState past the limit at saml/sso", func(t *testing.T, text string) page {
			return w.browser("").get(forgedRequest(t, w, text+strings.Repeat(" ", maxRelayState), func(*saml.AuthnRequest) {}))
		}, http.StatusBadRequest, "flex_request", "RelayState"},
		{"RelayState posted to saml/acs", func(t *testing.T, text string) page {
			return w.browser("").post(w.bridge.paths.acs.String(), url.Values{"SAMLResponse": {"Zm9v"}, "RelayState": {text}})
		}, http.StatusForbidden, "state", ""},
		{"status code of an unsigned Response", func(t *testing.T, text string) page {
			b := w.browser("alex")
			up := w.upstreamResponse(b, "")
			d := parse(t, decode(t, up))
			dropResponseSignature(d)
			code := d.Root().SelectElement("Status").SelectElement("StatusCode")
			code.CreateAttr("Value", saml.StatusResponder)
			code.CreateElement("samlp:StatusCode").CreateAttr("Value", "urn:oasis:names:tc:SAML:2.0:status:"+text)
			up.fields.Set("SAMLResponse", encode(write(t, d)))
			return b.post(up.action, up.fields)
		}, http.StatusForbidden, "upstream_response", ""},
	} {
		for _, text := range []string{lure, injected} {
			for _, asJSON := range []bool{true, false} {
				name := tc.name
				if text != lure {
					name += ", with forged log lines"
				}
				if !asJSON {
					name += ", text log"
				}
				t.Run(name, func(t *testing.T) {
					logged := captureLog(w, asJSON)
					before := w.flex.Count()
					p := tc.send(t, text)
					refusedNothingSent(t, w, before, p, tc.status, tc.kind)
					for _, shown := range []string{p.body, html.UnescapeString(p.body)} {
						if strings.Contains(shown, "account is locked") || strings.Contains(shown, "555 0100") {
							t.Errorf("the page shows the stranger's text:\n%s", p.body)
						}
					}
					if tc.field != "" && !strings.Contains(p.body, `<code id="field">`+tc.field+`</code>`) {
						t.Errorf("the page does not name the field %s:\n%s", tc.field, p.body)
					}
					lines := logged.records(t, correlation(t, p))
					if len(lines) != 1 {
						t.Fatalf("%d log lines carry the page's id, want 1:\n%s", len(lines), logged)
					}
					if !strings.Contains(lines[0], lure) {
						t.Errorf("the log line lacks the stranger's text:\n%s", lines[0])
					}
				})
			}
		}
	}
}

// TestAttackStatusMessage: an unsigned Response's StatusMessage is the
// IdP's free text, or anyone's: neither the page nor the log holds it; the
// page names the status by its standard codes.
func TestAttackStatusMessage(t *testing.T) {
	w := newWorld(t, nil)
	logged := captureLog(w, true)
	b := w.browser("alex")
	up := w.upstreamResponse(b, "")
	d := parse(t, decode(t, up))
	dropResponseSignature(d)
	status := d.Root().SelectElement("Status")
	code := status.SelectElement("StatusCode")
	code.CreateAttr("Value", saml.StatusResponder)
	code.CreateElement("samlp:StatusCode").CreateAttr("Value", "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed")
	status.CreateElement("samlp:StatusMessage").SetText(lure)
	up.fields.Set("SAMLResponse", encode(write(t, d)))
	before := w.flex.Count()
	p := b.post(up.action, up.fields)
	refusedNothingSent(t, w, before, p, http.StatusForbidden, "upstream_response")
	if strings.Contains(p.body, "account is locked") || strings.Contains(logged.String(), "account is locked") {
		t.Errorf("the StatusMessage reached the page or the log:\n%s\n%s", p.body, logged)
	}
	if !strings.Contains(p.body, "<dd>Responder / AuthnFailed</dd>") {
		t.Errorf("the page does not name the status by its standard codes:\n%s", p.body)
	}
	if lines := logged.records(t, correlation(t, p)); len(lines) != 1 || !strings.Contains(lines[0], "AuthnFailed") {
		t.Errorf("the log line does not carry the status codes:\n%s", logged)
	}
}

// resign signs the response's root again with the IdP's key, after an
// edit, keeping the assertion's own signature.
func resign(t *testing.T, doc []byte, edit func(root *etree.Element)) []byte {
	t.Helper()
	idpKey, idpCert := keyPair(t, 1)
	d := parse(t, doc)
	dropResponseSignature(d)
	edit(d.Root())
	ctx := dsig.NewDefaultSigningContext(dsig.TLSCertKeyStore(tls.Certificate{Certificate: [][]byte{idpCert.Raw}, PrivateKey: idpKey}))
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	if err := ctx.SetSignatureMethod(dsig.RSASHA256SignatureMethod); err != nil {
		t.Fatal(err)
	}
	sig, err := ctx.ConstructSignature(d.Root(), true)
	if err != nil {
		t.Fatal(err)
	}
	d.Root().InsertChildAt(d.Root().SelectElement("Issuer").Index()+1, sig)
	return write(t, d)
}

// TestRefusalPage: the page says in plain words what happened and what the
// person can do, names the account only when the IdP vouched for it, and
// gives the administrator what to change for that failure, with every
// failed check listed.
func TestRefusalPage(t *testing.T) {
	w := newWorld(t, nil)
	acs := w.bridge.paths.acs.String()
	for _, tc := range []struct {
		name    string
		user    string
		idp     tamper                                // changes the assertion before the IdP signs it
		alter   func(t *testing.T, doc []byte) []byte // changes the signed response
		again   bool                                  // post the same form twice
		kind    string
		account string   // the account the page names, "" for none
		says    []string // in the page, unescaped
		never   []string
		checks  int // rows of failed checks
	}{
		{name: "deny rule", user: "kim", kind: "denied", account: "kim.leaver@owlbank.example",
			says: []string{"Sign-in to Flex was refused", "Signing in again will not change this", `deny rule "offboarded"`, "reference"}},
		{name: "missing attribute", user: "nomail", kind: "missing_attribute", account: "nomail",
			says: []string{"45050", `attribute statement named exactly "email"`}},
		{name: "SHA-1", user: "alex", kind: "upstream_response", checks: 1,
			alter: func(t *testing.T, doc []byte) []byte { return doc }, // the IdP below signs with SHA-1
			says:  []string{`<code class="name">algorithm</code>`, "RSA-SHA256", "Go back to Flex and sign in again"}, never: []string{"alex.agent"}},
		{name: "every failed check listed", user: "alex", kind: "upstream_response", checks: 2,
			idp: func(a *saml.Assertion) {
				a.Conditions.AudienceRestrictions[0].Audience.Value = "https://other-sp.example/metadata"
				a.Subject.SubjectConfirmations[0].SubjectConfirmationData.Recipient = "https://other-sp.example/acs"
			},
			says:  []string{"failed 2 checks: audience, recipient", "https://other-sp.example/metadata", "https://other-sp.example/acs", w.bridge.paths.spMetadata.String(), acs},
			never: []string{"alex.agent"}},
		{name: "Destination mismatch, signed: received and expected", user: "alex", kind: "upstream_response", checks: 1,
			alter: func(t *testing.T, doc []byte) []byte {
				return resign(t, doc, func(r *etree.Element) { r.CreateAttr("Destination", "https://elsewhere.example/acs") })
			},
			says: []string{`<code class="name">destination</code>`, "https://elsewhere.example/acs", acs}},
		{name: "Destination mismatch, unsigned: the field only", user: "alex", kind: "upstream_response", checks: 1,
			alter: func(t *testing.T, doc []byte) []byte {
				d := parse(t, doc)
				dropResponseSignature(d)
				d.Root().CreateAttr("Destination", "https://elsewhere.example/acs")
				return write(t, d)
			},
			says: []string{`<code class="name">destination</code>`, "not shown: not signed", acs}, never: []string{"elsewhere.example"}},
		{name: "used state", user: "alex", kind: "state", again: true,
			says: []string{"finished already", "start again from Flex"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.idp != nil {
				w.idp.SAML.AssertionMaker = tc.idp
				defer func() { w.idp.SAML.AssertionMaker = nil }()
			}
			if tc.name == "SHA-1" {
				w.idp.SAML.SignatureMethod = dsig.RSASHA1SignatureMethod
				defer func() { w.idp.SAML.SignatureMethod = "" }()
			}
			b := w.browser(tc.user)
			up := w.upstreamResponse(b, "")
			if tc.alter != nil {
				doc := tc.alter(t, decode(t, up))
				wellFormed(t, doc)
				up.fields.Set("SAMLResponse", encode(doc))
			}
			target, _ := url.Parse(up.action)
			cookies := b.Jar.Cookies(target)
			p := b.post(up.action, up.fields)
			if tc.again {
				b.Jar.SetCookies(target, cookies) // the state cookie, kept by a second tab or the back button
				p = b.post(up.action, up.fields)
			}
			if p.status < 400 || !strings.Contains(p.body, "<code>"+tc.kind+"</code>") {
				t.Fatalf("HTTP %d, want a refusal of kind %s:\n%s", p.status, tc.kind, p.body)
			}
			text := html.UnescapeString(p.body)
			if got := strings.Contains(text, "You signed in as"); got != (tc.account != "") || tc.account != "" && !strings.Contains(text, "You signed in as <strong>"+tc.account+"</strong>.") {
				t.Errorf("the page names an account %v, want %q:\n%s", got, tc.account, p.body)
			}
			for _, s := range tc.says {
				if !strings.Contains(text, s) {
					t.Errorf("the page does not say %q:\n%s", s, p.body)
				}
			}
			for _, s := range tc.never {
				if strings.Contains(text, s) {
					t.Errorf("the page says %q:\n%s", s, p.body)
				}
			}
			if rows := strings.Count(p.body, `<li class="check">`); rows != tc.checks {
				t.Errorf("the page lists %d failed checks, want %d:\n%s", rows, tc.checks, p.body)
			}
			if strings.Index(p.body, `id="next"`) > strings.Index(p.body, `id="admin"`) {
				t.Errorf("the administrator's details come before what the person can do")
			}
		})
	}
}

// TestRefusalPageDurations: durations on the page are in words, as the
// configuration set them.
func TestRefusalPageDurations(t *testing.T) {
	w := newWorld(t, nil)
	p := w.browser("alex").post(w.bridge.paths.acs.String(), url.Values{"SAMLResponse": {"Zm9v"}, "RelayState": {newHandle()}})
	if !strings.Contains(p.body, "within 10 minutes") || strings.Contains(p.body, "10m0s") {
		t.Errorf("the page does not give state_ttl in words:\n%s", p.body)
	}
}

func TestPlainDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{10 * time.Minute, "10 minutes"},
		{30 * time.Second, "30 seconds"},
		{time.Minute, "1 minute"},
		{90 * time.Minute, "1 hour and 30 minutes"},
		{time.Hour + time.Minute + time.Second, "1 hour, 1 minute and 1 second"},
		{48 * time.Hour, "48 hours"},
		{1500 * time.Millisecond, "2 seconds"},
		{250 * time.Millisecond, "250 milliseconds"},
		{0, "0 milliseconds"},
	} {
		if got := plainDuration(tc.d); got != tc.want {
			t.Errorf("plainDuration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestStandardStatus(t *testing.T) {
	for _, tc := range []struct {
		status assertion.Status
		want   string
	}{
		{assertion.Status{Code: saml.StatusResponder, SubCodes: []string{saml.StatusAuthnFailed}}, "Responder / AuthnFailed"},
		{assertion.Status{Code: samlStatus + lure}, "1 code(s) that are not standard SAML statuses (in the log)"},
		{assertion.Status{Code: saml.StatusRequester, SubCodes: []string{"urn:example:" + lure}}, "Requester and 1 code(s) that are not standard SAML statuses (in the log)"},
		{assertion.Status{Code: "Responder"}, "1 code(s) that are not standard SAML statuses (in the log)"},
		{assertion.Status{}, "no status"},
	} {
		if got := standardStatus(tc.status); got != tc.want {
			t.Errorf("standardStatus(%+v) = %q, want %q", tc.status, got, tc.want)
		}
	}
}

// TestUpstreamRefusalNamesItsCheck: a refusal the bridge makes after the
// verifier accepted the response names the bridge's own check, never the
// signature, so that the fix sends the administrator to the right setting.
func TestUpstreamRefusalNamesItsCheck(t *testing.T) {
	w := newWorld(t, nil)
	for err, want := range map[error]string{
		errNoAuthnStatement: checkAuthn,
		errNoReplayWindow:   checkOneTimeUse,
		errReplayed:         checkReplay,
	} {
		r := w.bridge.upstreamRefusal("id", err)
		if len(r.Checks) != 1 || r.Checks[0].Name != want || strings.Contains(r.Checks[0].Fix, "sign the response") {
			t.Errorf("%v: checks %+v, want the one check %s", err, r.Checks, want)
		}
	}
}
