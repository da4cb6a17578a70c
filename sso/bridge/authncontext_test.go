package bridge

import (
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/crewjam/saml"
)

const (
	classMFA      = "urn:oasis:names:tc:SAML:2.0:ac:classes:MultiFactor" // not a class of saml-authn-context, but what IdPs send for MFA
	classPassword = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
)

// authnBy makes the upstream IdP say it authenticated the user with class
// at instant, with a session that ends at sessionEnd (zero: none).
func authnBy(class string, instant, sessionEnd time.Time) tamper {
	return func(a *saml.Assertion) {
		st := &a.AuthnStatements[0]
		st.AuthnInstant = instant
		st.AuthnContext.AuthnContextClassRef = &saml.AuthnContextClassRef{Value: class}
		st.SessionNotOnOrAfter = nil
		if !sessionEnd.IsZero() {
			st.SessionNotOnOrAfter = &sessionEnd
		}
	}
}

// flexGot reads the Response the bridge posted to Flex.
func flexGot(t *testing.T, p page) saml.Response {
	t.Helper()
	var r saml.Response
	if err := xml.Unmarshal(decode(t, p), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestAuthnContextPassedOn: Flex receives the upstream IdP's AuthnInstant,
// AuthnContextClassRef and SessionNotOnOrAfter, not the bridge's "now" and
// "unspecified"; a stand-in for Flex that asks for MFA with Comparison
// exact and enforces it (crewjam/saml's ValidateAuthnContextClassRef)
// accepts the login, and the request reached the upstream IdP.
func TestAuthnContextPassedOn(t *testing.T) {
	w := newWorld(t, nil)
	w.flex.SAML.RequestedAuthnContext = &saml.RequestedAuthnContext{Comparison: "exact", AuthnContextClassRefs: []string{classMFA}}
	w.flex.SAML.ValidateAuthnContextClassRef = true
	instant := time.Now().Add(-17 * time.Minute).Truncate(time.Millisecond).UTC()
	sessionEnd := time.Now().Add(8 * time.Hour).Truncate(time.Millisecond).UTC()
	w.idp.SAML.AssertionMaker = authnBy(classMFA, instant, sessionEnd)

	// The bridge's own request upstream asks for the same.
	ar := w.upstreamRequest(t, w.browser("lee"))
	if rc := ar.Request.RequestedAuthnContext; rc == nil || rc.Comparison != "exact" || strings.Join(rc.ClassRefs(), " ") != classMFA {
		t.Errorf("the bridge's request upstream does not carry Flex's RequestedAuthnContext: %+v", rc)
	}

	before := w.flex.Count()
	bp, fp := w.login("lee", "")
	if fp.status != http.StatusOK || w.flex.Count() != before+1 {
		t.Fatalf("the stand-in for Flex enforcing exact MFA refused: bridge HTTP %d, Flex HTTP %d\n%.600s", bp.status, fp.status, fp.body)
	}
	r := flexGot(t, bp)
	if r.Assertion == nil || len(r.Assertion.AuthnStatements) != 1 {
		t.Fatalf("no AuthnStatement reached Flex")
	}
	st := r.Assertion.AuthnStatements[0]
	if !st.AuthnInstant.Equal(instant) {
		t.Errorf("AuthnInstant %v, want the IdP's %v", st.AuthnInstant, instant)
	}
	if got := st.AuthnContext.AuthnContextClassRef; got == nil || got.Value != classMFA {
		t.Errorf("AuthnContextClassRef %v, want the IdP's %s", got, classMFA)
	}
	if st.SessionNotOnOrAfter == nil || !st.SessionNotOnOrAfter.Equal(sessionEnd) {
		t.Errorf("SessionNotOnOrAfter %v, want the IdP's %v", st.SessionNotOnOrAfter, sessionEnd)
	}
}

// TestAuthnContextNotMet: Flex asks for MFA exactly, the IdP
// authenticated with a password: Flex's ACS receives a signed Response of
// status Responder/NoAuthnContext answering its request, with no
// assertion, and the stand-in for Flex logs nobody in. With Comparison
// minimum the bridge does not judge (SAML orders no classes): the IdP's
// class goes to Flex, which decides.
func TestAuthnContextNotMet(t *testing.T) {
	w := newWorld(t, nil)
	w.flex.SAML.RequestedAuthnContext = &saml.RequestedAuthnContext{AuthnContextClassRefs: []string{classMFA}} // no Comparison: exact
	w.flex.SAML.ValidateAuthnContextClassRef = true
	w.idp.SAML.AssertionMaker = authnBy(classPassword, time.Now().Add(-time.Minute), time.Time{})

	before := w.flex.Count()
	bp, fp := w.login("lee", "")
	if bp.fields.Get("SAMLResponse") == "" || bp.action != w.bridge.flex.acs {
		t.Fatalf("nothing was posted to Flex's ACS: HTTP %d\n%.600s", bp.status, bp.body)
	}
	if fp.status == http.StatusOK || w.flex.Count() != before {
		t.Errorf("the stand-in for Flex logged the user in")
	}
	r := flexGot(t, bp)
	code := r.Status.StatusCode
	if code.Value != saml.StatusResponder || code.StatusCode == nil || code.StatusCode.Value != saml.StatusNoAuthnContext {
		t.Errorf("status %+v, want Responder / NoAuthnContext", code)
	}
	if r.Assertion != nil || r.EncryptedAssertion != nil || strings.Contains(string(decode(t, bp)), "lee.lead") {
		t.Errorf("the NoAuthnContext response carries an assertion or the user")
	}
	if r.Signature == nil || r.InResponseTo == "" || r.Destination != w.bridge.flex.acs {
		t.Errorf("the response is not signed, answers no request or goes elsewhere: InResponseTo %q, Destination %q", r.InResponseTo, r.Destination)
	}
	metrics := w.browser("").get(w.bridge.paths.metrics.String()).body
	if !strings.Contains(metrics, `flexroles_bridge_logins_total{outcome="rejected",kind="authn_context"} 1`) {
		t.Errorf("metrics do not count the NoAuthnContext answer:\n%s", metrics)
	}

	w.flex.SAML.RequestedAuthnContext.Comparison = "minimum"
	w.flex.SAML.ValidateAuthnContextClassRef = false
	bp, fp = w.login("lee", "")
	if fp.status != http.StatusOK {
		t.Fatalf("Comparison minimum: bridge HTTP %d, Flex HTTP %d", bp.status, fp.status)
	}
	if got := flexGot(t, bp).Assertion.AuthnStatements[0].AuthnContext.AuthnContextClassRef; got == nil || got.Value != classPassword {
		t.Errorf("Comparison minimum: class %v reached Flex, want the IdP's %s", got, classPassword)
	}
}

// TestAuthnContextBounded: a RequestedAuthnContext with more classes, or
// longer ones, than the login state keeps is refused at saml/sso, before
// anything goes upstream.
func TestAuthnContextBounded(t *testing.T) {
	w := newWorld(t, nil)
	for _, refs := range [][]string{
		strings.Split(strings.Repeat(classMFA+" ", maxRequestedClasses+1), " ")[:maxRequestedClasses+1],
		{classMFA + strings.Repeat("x", maxAuthnClassRefSize)},
	} {
		w.flex.SAML.RequestedAuthnContext = &saml.RequestedAuthnContext{Comparison: "exact", AuthnContextClassRefs: refs}
		before := w.flex.Count()
		p := w.browser("lee").get(w.flexSrv.URL + "/flex/login")
		refusedNothingSent(t, w, before, p, http.StatusBadRequest, "flex_request")
		if !strings.Contains(p.body, "RequestedAuthnContext") {
			t.Errorf("the refusal does not name the RequestedAuthnContext:\n%.600s", p.body)
		}
	}
	w.flex.SAML.RequestedAuthnContext = &saml.RequestedAuthnContext{Comparison: "exact", AuthnContextClassRefs: []string{classPassword, classMFA}}
	if bp, fp := w.login("lee", ""); fp.status != http.StatusOK {
		t.Errorf("two classes within the bounds: bridge HTTP %d, Flex HTTP %d", bp.status, fp.status)
	}
}
