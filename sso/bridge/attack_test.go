package bridge

import (
	"bytes"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
)

// tamper is an upstream IdP that changes its assertions before signing
// them: what a compromised or misconfigured IdP could send, validly signed.
type tamper func(a *saml.Assertion)

func (f tamper) MakeAssertion(req *saml.IdpAuthnRequest, s *saml.Session) error {
	if err := (saml.DefaultAssertionMaker{}).MakeAssertion(req, s); err != nil {
		return err
	}
	f(req.Assertion)
	return nil
}

// refusedNothingSent checks that the bridge refused with kind and that
// nothing reached the stand-in for Flex.
func refusedNothingSent(t *testing.T, w *world, before int, p page, status int, kind string) {
	t.Helper()
	if p.status != status {
		t.Errorf("HTTP %d, want %d\n%.600s", p.status, status, p.body)
	}
	if !strings.Contains(p.body, "<code>"+kind+"</code>") {
		t.Errorf("the page does not name kind %q:\n%.600s", kind, p.body)
	}
	if p.fields.Get("SAMLResponse") != "" || w.flex.Count() != before {
		t.Errorf("something was posted to Flex")
	}
	if m := pageMessage.FindStringSubmatch(p.body); m != nil {
		t.Log(html.UnescapeString(m[1]))
	}
}

var (
	pageMessage     = regexp.MustCompile(`id="message">([^<]*)<`)
	pageCorrelation = regexp.MustCompile(`id="correlation">([0-9a-f]+)<`)
)

// TestAttacksOnTheUpstreamResponse: each altered upstream response is
// refused, with the browser's own valid login state, and Flex hears
// nothing.
func TestAttacksOnTheUpstreamResponse(t *testing.T) {
	w := newWorld(t, nil)
	for _, tc := range []struct {
		name   string
		idp    tamper                                // changes the assertion before the IdP signs it
		alter  func(t *testing.T, doc []byte) []byte // changes the signed response
		reason string
	}{
		{name: "wrong audience", idp: func(a *saml.Assertion) {
			a.Conditions.AudienceRestrictions[0].Audience.Value = "https://other-sp.example/metadata"
		}, reason: "an assertion for another service provider must not log in here"},
		{name: "expired", idp: func(a *saml.Assertion) {
			past := time.Now().Add(-10 * time.Minute)
			a.Conditions.NotBefore, a.Conditions.NotOnOrAfter = past.Add(-5*time.Minute), past
			a.Subject.SubjectConfirmations[0].SubjectConfirmationData.NotOnOrAfter = past
		}, reason: "validity times are checked"},
		{name: "unsigned", alter: func(t *testing.T, doc []byte) []byte {
			d := parse(t, doc)
			for _, sig := range d.FindElements("//Signature") {
				sig.Parent().RemoveChild(sig)
			}
			return write(t, d)
		}, reason: "a response with no signature proves nothing"},
		{name: "tampered", alter: func(t *testing.T, doc []byte) []byte {
			if !bytes.Contains(doc, []byte(">CC-Agents<")) {
				t.Fatal("the test expected alex's CC-Agents group in the response")
			}
			return bytes.Replace(doc, []byte(">CC-Agents<"), []byte(">CC-Leads<"), 1)
		}, reason: "a signed value changed after signing"},
		{name: "wrapping: unsigned assertion before the signed one", alter: func(t *testing.T, doc []byte) []byte {
			d := parse(t, doc)
			dropResponseSignature(d)
			signed := d.Root().SelectElement("Assertion")
			evil := forge(signed, "id-evil")
			d.Root().InsertChildAt(signed.Index(), evil)
			return write(t, d)
		}, reason: "XSW: the element read must be the element verified"},
		{name: "wrapping: same ID, signed one moved into the forgery", alter: func(t *testing.T, doc []byte) []byte {
			d := parse(t, doc)
			dropResponseSignature(d)
			signed := d.Root().SelectElement("Assertion")
			evil := forge(signed, signed.SelectAttrValue("ID", ""))
			d.Root().RemoveChild(signed)
			evil.SelectElement("Subject").AddChild(signed)
			d.Root().AddChild(evil)
			return write(t, d)
		}, reason: "XSW: a signed assertion hidden inside an unsigned one"},
		{name: "wrapping: signed response moved into Extensions", alter: func(t *testing.T, doc []byte) []byte {
			d := parse(t, doc)
			orig := d.Root()
			evil := orig.Copy()
			for _, sig := range evil.SelectElements("Signature") {
				evil.RemoveChild(sig)
			}
			a := evil.SelectElement("Assertion")
			evil.RemoveChild(a)
			evil.AddChild(forge(a, "id-evil"))
			evil.CreateAttr("ID", "id-evil-response")
			ext := etree.NewElement("samlp:Extensions")
			ext.AddChild(orig)
			evil.InsertChildAt(1, ext)
			nd := etree.NewDocument()
			nd.SetRoot(evil)
			return write(t, nd)
		}, reason: "XSW: the signed response kept out of the way of the parser"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.idp != nil {
				w.idp.SAML.AssertionMaker = tc.idp
				defer func() { w.idp.SAML.AssertionMaker = nil }()
			}
			b := w.browser("alex")
			up := w.upstreamResponse(b, "")
			if tc.alter != nil {
				doc := tc.alter(t, decode(t, up))
				wellFormed(t, doc)
				up.fields.Set("SAMLResponse", encode(doc))
			}
			before := w.flex.Count()
			p := b.post(up.action, up.fields)
			refusedNothingSent(t, w, before, p, http.StatusForbidden, "upstream_response")
		})
	}
}

func parse(t *testing.T, doc []byte) *etree.Document {
	t.Helper()
	d := etree.NewDocument()
	if err := d.ReadFromBytes(doc); err != nil {
		t.Fatal(err)
	}
	return d
}

func write(t *testing.T, d *etree.Document) []byte {
	t.Helper()
	out, err := d.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func dropResponseSignature(d *etree.Document) {
	for _, sig := range d.Root().SelectElements("Signature") {
		d.Root().RemoveChild(sig)
	}
}

// forge copies an assertion, unsigned, under id, with the user in the
// CC-Leads group.
func forge(signed *etree.Element, id string) *etree.Element {
	evil := signed.Copy()
	evil.CreateAttr("ID", id)
	for _, sig := range evil.SelectElements("Signature") {
		evil.RemoveChild(sig)
	}
	for _, v := range evil.FindElements("//AttributeValue") {
		if v.Text() == "CC-Agents" {
			v.SetText("CC-Leads")
		}
	}
	return evil
}

// TestAttackReplay: an upstream response is used once. Posting it again
// fails on the cleared state cookie; restoring the cookie fails on the
// recorded state; an unsolicited one fails on the recorded assertion ID.
func TestAttackReplay(t *testing.T) {
	w := newWorld(t, nil)
	b := w.browser("alex")
	up := w.upstreamResponse(b, "")
	acs, _ := url.Parse(up.action)
	cookies := b.Jar.Cookies(acs)
	if p := b.post(up.action, up.fields); p.fields.Get("SAMLResponse") == "" {
		t.Fatalf("the first use was refused:\n%.600s", p.body)
	}
	before := w.flex.Count()
	refusedNothingSent(t, w, before, b.post(up.action, up.fields), http.StatusForbidden, "state")

	b.Jar.SetCookies(acs, cookies) // an attacker who kept the cookie too
	p := b.post(up.action, up.fields)
	refusedNothingSent(t, w, before, p, http.StatusForbidden, "state")
	if !strings.Contains(p.body, "used already") {
		t.Errorf("the refusal does not say the state was used:\n%.600s", p.body)
	}

	t.Run("unsolicited", func(t *testing.T) {
		w := newWorld(t, func(c *Config) { c.Upstream.AllowIDPInitiated = true })
		b := w.browser("alex")
		up := b.get(w.idpSrv.URL + "/idp/start")
		if p := b.post(up.action, up.fields); p.fields.Get("SAMLResponse") == "" {
			t.Fatalf("the IdP-initiated login was refused:\n%.600s", p.body)
		}
		before := w.flex.Count()
		p := b.post(up.action, up.fields)
		refusedNothingSent(t, w, before, p, http.StatusForbidden, "upstream_response")
		if !strings.Contains(p.body, "used already") {
			t.Errorf("the refusal does not say the assertion was used:\n%.600s", p.body)
		}
	})
}

// TestAttackUnsolicited: while IdP-initiated login is off, a response
// nobody asked for is refused: without a login state, and with the
// browser's own valid state, as it is and with the request's ID written
// into its unsigned Response.
func TestAttackUnsolicited(t *testing.T) {
	w := newWorld(t, nil)
	t.Run("no login state", func(t *testing.T) {
		b := w.browser("alex")
		up := b.get(w.idpSrv.URL + "/idp/start")
		if up.fields.Get("SAMLResponse") == "" {
			t.Fatalf("the IdP sent no response:\n%.600s", up.body)
		}
		before := w.flex.Count()
		refusedNothingSent(t, w, before, b.post(up.action, up.fields), http.StatusForbidden, "state")
	})
	for _, tc := range []struct {
		name     string
		claimsID bool // the request's ID goes into the unsigned Response's InResponseTo
	}{
		{"with a login state", false},
		{"with a login state, the request ID in the unsigned Response", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := w.browser("alex")
			// A login started as usual, stopped before the IdP: the
			// handle, the state cookie, and the ID of the bridge's request.
			ar := w.upstreamRequest(t, b)
			// An IdP-initiated response of the same user, signed by the
			// IdP, whose signed content answers no request.
			up := b.get(w.idpSrv.URL + "/idp/start")
			doc := decode(t, up)
			if bytes.Contains(doc, []byte("InResponseTo")) {
				t.Fatalf("the IdP-initiated response answers a request:\n%s", doc)
			}
			d := parse(t, doc)
			if tc.claimsID {
				dropResponseSignature(d)
				d.Root().CreateAttr("InResponseTo", ar.Request.ID)
			}
			out := write(t, d)
			wellFormed(t, out)
			before := w.flex.Count()
			p := b.post(w.bridge.paths.acs.String(), url.Values{"SAMLResponse": {encode(out)}, "RelayState": {ar.RelayState}})
			refusedNothingSent(t, w, before, p, http.StatusForbidden, "upstream_response")
			if !strings.Contains(p.body, "in_response_to") {
				t.Errorf("the refusal does not name the InResponseTo check:\n%.600s", p.body)
			}
		})
	}
}

// TestAttackOtherIdP: a response signed by a key the upstream metadata
// does not hold is refused.
func TestAttackOtherIdP(t *testing.T) {
	w := newWorld(t, nil)
	key, cert := keyPair(t, 2)
	w.idp.SAML.Key, w.idp.SAML.Certificate = key, cert
	b := w.browser("alex")
	up := w.upstreamResponse(b, "")
	before := w.flex.Count()
	refusedNothingSent(t, w, before, b.post(up.action, up.fields), http.StatusForbidden, "upstream_response")
}

// TestAttackState: a forged state, or one moved under another login's
// handle, is refused.
func TestAttackState(t *testing.T) {
	w := newWorld(t, nil)
	// replaceState puts value in place of b's state cookie.
	replaceState := func(b *browser, acs *url.URL, value string) {
		c := stateCookies(b, acs)[0]
		b.Jar.SetCookies(acs, []*http.Cookie{{Name: c.Name, Value: value, Path: w.bridge.paths.saml.Path}})
	}
	t.Run("forged", func(t *testing.T) {
		b := w.browser("alex")
		up := w.upstreamResponse(b, "")
		acs, _ := url.Parse(up.action)
		e := parseStates(stateCookies(b, acs)[0].Value)[0]
		v := []byte(e.sealed)
		v[len(v)/2] ^= 1
		replaceState(b, acs, joinStates([]stateEntry{{e.handle, string(v)}}))
		before := w.flex.Count()
		p := b.post(up.action, up.fields)
		refusedNothingSent(t, w, before, p, http.StatusForbidden, "state")
		if !strings.Contains(p.body, "does not open") {
			t.Errorf("the refusal does not say the state was forged:\n%.600s", p.body)
		}
	})
	t.Run("swapped", func(t *testing.T) {
		victim, attacker := w.browser("alex"), w.browser("lee")
		vup := w.upstreamResponse(victim, "")
		aup := w.upstreamResponse(attacker, "")
		acs, _ := url.Parse(vup.action)
		ve := parseStates(stateCookies(victim, acs)[0].Value)[0]
		ae := parseStates(stateCookies(attacker, acs)[0].Value)[0]
		// The attacker's state, under the victim's handle.
		replaceState(victim, acs, joinStates([]stateEntry{{ve.handle, ae.sealed}}))
		before := w.flex.Count()
		p := victim.post(vup.action, vup.fields)
		refusedNothingSent(t, w, before, p, http.StatusForbidden, "state")
		if !strings.Contains(p.body, "does not open") {
			t.Errorf("the refusal does not say the state does not open under its handle:\n%.600s", p.body)
		}
		// The attacker's response, with the victim's state: InResponseTo differs.
		victim2 := w.browser("alex")
		v2 := w.upstreamResponse(victim2, "")
		v2.fields.Set("SAMLResponse", aup.fields.Get("SAMLResponse"))
		refusedNothingSent(t, w, before, victim2.post(v2.action, v2.fields), http.StatusForbidden, "upstream_response")
	})
}

// TestAttackFlexRequest: an AuthnRequest that names another ACS URL, or
// comes from another service provider, is refused before anything goes
// upstream.
func TestAttackFlexRequest(t *testing.T) {
	w := newWorld(t, nil)
	for _, tc := range []struct {
		name string
		edit func(sp *saml.ServiceProvider)
	}{
		{"another ACS URL", func(sp *saml.ServiceProvider) {
			sp.AcsURL = url.URL{Scheme: "https", Host: "attacker.example", Path: "/collect"}
		}},
		{"another service provider", func(sp *saml.ServiceProvider) { sp.EntityID = "https://attacker.example/metadata" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sp := *w.flex.SAML
			tc.edit(&sp)
			req, err := sp.MakeAuthenticationRequest(sp.GetSSOBindingLocation(saml.HTTPRedirectBinding), saml.HTTPRedirectBinding, saml.HTTPPostBinding)
			if err != nil {
				t.Fatal(err)
			}
			to, err := req.Redirect("", &sp)
			if err != nil {
				t.Fatal(err)
			}
			b := w.browser("alex")
			before := w.flex.Count()
			p := b.get(to.String())
			refusedNothingSent(t, w, before, p, http.StatusBadRequest, "flex_request")
			if strings.Contains(p.body, "attacker.example/collect") && strings.Contains(p.body, "<form") {
				t.Errorf("the page holds a form to the attacker's URL")
			}
		})
	}
}

// TestAttackRelayStateMarkup: Flex's RelayState is echoed escaped, and
// reaches Flex unchanged.
func TestAttackRelayStateMarkup(t *testing.T) {
	w := newWorld(t, nil)
	relay := `"><script>alert(1)</script><img src=x onerror=alert(2)>`
	bp, fp := w.login("alex", relay)
	if fp.status != http.StatusOK {
		t.Fatalf("the login failed: HTTP %d\n%.600s", bp.status, bp.body)
	}
	if strings.Contains(bp.body, "<script>alert") || strings.Contains(bp.body, "<img") {
		t.Errorf("the RelayState's markup is in the page unescaped:\n%.2000s", bp.body)
	}
	if strings.Count(bp.body, "<script") != 1 {
		t.Errorf("the page holds %d scripts, want the one auto-post", strings.Count(bp.body, "<script"))
	}
	csp := bp.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'nonce-") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP %q is not strict", csp)
	}
	if got, _ := w.flex.Last(); got.RelayState != relay {
		t.Errorf("Flex got RelayState %q, want %q", got.RelayState, relay)
	}
}

// startLogin starts a login at the bridge in Flex's name, as anyone can
// (Flex's AuthnRequest is unsigned and its issuer public), and returns the
// handle sent upstream and its state cookie, without going to the IdP.
func startLogin(t *testing.T, w *world) (string, *http.Cookie) {
	t.Helper()
	sp := *w.flex.SAML
	req, err := sp.MakeAuthenticationRequest(sp.GetSSOBindingLocation(saml.HTTPRedirectBinding), saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		t.Fatal(err)
	}
	to, err := req.Redirect("", &sp)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(to.String())
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("the bridge did not send the login upstream: HTTP %d", resp.StatusCode)
	}
	cookies := resp.Cookies()
	if len(cookies) != 1 {
		t.Fatalf("%d cookies set, want the login state", len(cookies))
	}
	return loc.Query().Get("RelayState"), cookies[0]
}

// TestAttackStateCacheFill: a client without an account starts logins in
// Flex's name and posts junk with each state, more than the replay caches
// hold; a real login afterwards reaches Flex, and none of the junk took a
// place in either cache.
func TestAttackStateCacheFill(t *testing.T) {
	const size = 8
	w := newWorld(t, func(c *Config) { c.ReplayCacheSize = size })
	for i := 0; i < 3*size; i++ {
		handle, cookie := startLogin(t, w)
		form := url.Values{"RelayState": {handle}, "SAMLResponse": {"Zm9v"}}
		req, err := http.NewRequest(http.MethodPost, w.bridge.paths.acs.String(), strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(cookie)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("junk post %d: HTTP %d, want 403", i, resp.StatusCode)
		}
	}
	mem := w.bridge.replay.(*memoryStore)
	if n, m := mem.states.len(), mem.assertions.len(); n != 0 || m != 0 {
		t.Errorf("junk posts took %d state and %d assertion places, want none", n, m)
	}
	for i := 0; i < size; i++ { // as many real logins as the caches hold
		if bp, fp := w.login("alex", ""); fp.status != http.StatusOK {
			t.Fatalf("login %d after the junk: bridge HTTP %d, Flex HTTP %d\n%.600s", i, bp.status, fp.status, bp.body)
		}
	}
}

// TestAttackRelayStateExpansion: a RelayState just under the limit made
// of <, > and & (which JSON would HTML-escape to six bytes each) completes
// the login and reaches Flex unchanged; one whose encoding cannot fit the
// login state (quotes, two bytes each in JSON) is refused before anything
// goes upstream, rather than after the user signed in.
func TestAttackRelayStateExpansion(t *testing.T) {
	w := newWorld(t, nil)
	relay := strings.Repeat("<a>&", maxRelayState/4)
	if len(relay) != maxRelayState {
		t.Fatalf("relay %d bytes, want %d", len(relay), maxRelayState)
	}
	bp, fp := w.login("alex", relay)
	if fp.status != http.StatusOK {
		t.Fatalf("the login with a %d-byte RelayState failed: bridge HTTP %d\n%.600s", len(relay), bp.status, bp.body)
	}
	if got, _ := w.flex.Last(); got.RelayState != relay {
		t.Errorf("Flex got RelayState %q, want %q", got.RelayState, relay)
	}

	quotes := strings.Repeat(`"`, maxRelayState)
	before := w.flex.Count()
	// The browser follows redirects: a page of the bridge's, not the
	// IdP's, says the login stopped at saml/sso.
	p := w.browser("alex").get(w.flexSrv.URL + "/flex/login?relay=" + url.QueryEscape(quotes))
	refusedNothingSent(t, w, before, p, http.StatusBadRequest, "flex_request")
	if !strings.Contains(p.body, "RelayState") {
		t.Errorf("the refusal does not name the RelayState:\n%.600s", p.body)
	}
}
