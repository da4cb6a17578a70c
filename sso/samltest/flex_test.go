package samltest_test

import (
	"crypto/rsa"
	"crypto/x509"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/crewjam/saml"

	"github.com/flexroles/flexroles/decisionlog"
	"github.com/flexroles/flexroles/sso/samltest"
)

// pair is the test IdP and the stand-in for Flex trusting it directly,
// each on its own loopback server: the bridge's place is empty.
type pair struct {
	t               *testing.T
	idp             *samltest.IDP
	flex            *samltest.FlexStandIn
	idpURL, flexURL string
}

const (
	testACSPath  = "/v1/Accounts/AC0123456789abcdef0123456789abcdef/saml2"
	testAudience = "https://iam.twilio.com/v1/Accounts/AC0123456789abcdef0123456789abcdef/saml2/metadata"
)

var testUsers = []samltest.User{
	{Login: "quinn", Attributes: map[string][]string{"email": {"quinn.qa@owlbank.example"}, "groups": {"CC-Leads", "QA"}, "roles": {"supervisor", "agent"}}},
	{Login: "twomail", Attributes: map[string][]string{"email": {"a@owlbank.example", "b@owlbank.example"}, "full_name": {"Two Mail"}}},
}

var (
	keysOnce sync.Once
	keys     [2]struct {
		key  *rsa.PrivateKey
		cert *x509.Certificate
	}
)

func newPair(t *testing.T) *pair {
	t.Helper()
	keysOnce.Do(func() {
		for i := range keys {
			k, c, err := samltest.NewKeyPair(2048, "samltest "+string(rune('a'+i)))
			if err != nil {
				panic(err)
			}
			keys[i].key, keys[i].cert = k, c
		}
	})
	p := &pair{t: t}
	var flexH http.Handler
	idpSrv := httptest.NewUnstartedServer(nil)
	flexSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { flexH.ServeHTTP(w, r) }))
	p.idpURL, p.flexURL = "http://"+idpSrv.Listener.Addr().String(), flexSrv.URL
	base, _ := url.Parse(p.idpURL + "/idp")
	p.idp = samltest.NewIDP(*base, keys[0].key, keys[0].cert, testUsers, func() *saml.EntityDescriptor { return p.flex.SAML.Metadata() })
	var err error
	p.flex, err = samltest.NewFlexStandIn(p.flexURL+testACSPath, testAudience, p.idp.SAML.Metadata(), "/flex/login")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /flex/login", p.flex.Login)
	mux.HandleFunc("POST "+testACSPath, p.flex.ACS)
	flexH = mux
	idpSrv.Config.Handler = p.idp
	idpSrv.Start()
	t.Cleanup(func() { idpSrv.Close(); flexSrv.Close() })
	return p
}

func get(t *testing.T, b *samltest.Browser, u string) samltest.Page {
	t.Helper()
	p, err := b.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func post(t *testing.T, b *samltest.Browser, action string, fields url.Values) samltest.Page {
	t.Helper()
	p, err := b.Post(action, fields)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// browser is a browser whose cookie signs user in at the IdP ("" for
// none).
func (p *pair) browser(user string) *samltest.Browser {
	b := samltest.NewBrowser(nil)
	if user != "" {
		u, _ := url.Parse(p.idpURL)
		b.Jar.SetCookies(u, []*http.Cookie{{Name: samltest.UserCookie, Value: user, Path: "/"}})
	}
	return b
}

// response starts a login at the stand-in with relay and returns the
// IdP's form that posts the response to the stand-in.
func (p *pair) response(c *samltest.Browser, relay string) samltest.Page {
	p.t.Helper()
	f := get(p.t, c, p.flexURL+"/flex/login?relay="+url.QueryEscape(relay))
	if f.Fields.Get("SAMLResponse") == "" || f.Action != p.flexURL+testACSPath {
		p.t.Fatalf("the IdP did not answer with a form to the stand-in's ACS: HTTP %d\n%.2000s", f.Status, f.Body)
	}
	return f
}

// TestFlexStandInReceives: a login the IdP signs for a user reaches the
// stand-in, which shows the roles, NameID (the single email), audience,
// RelayState and attributes in name order (rules 1, 4 and 5).
func TestFlexStandInReceives(t *testing.T) {
	p := newPair(t)
	c := p.browser("quinn")
	f := p.response(c, "back-to-flex")
	got := post(t, c, f.Action, f.Fields)
	if got.Status != http.StatusOK {
		t.Fatalf("HTTP %d:\n%s", got.Status, got.Body)
	}
	r, ok := p.flex.Last()
	quinn := testUsers[0].Attributes
	if !ok || p.flex.Count() != 1 || r.NameID != quinn["email"][0] || r.Audience != testAudience || r.RelayState != "back-to-flex" ||
		r.Issuer != p.idp.SAML.MetadataURL.String() || !slices.Equal(r.Roles, quinn["roles"]) || !slices.Equal(r.Attributes["groups"], quinn["groups"]) {
		t.Errorf("received %+v", r)
	}
	for _, want := range []string{`<span id="roles"><code>supervisor</code>, <code>agent</code></span>`, `<code id="nameid">quinn.qa@owlbank.example</code>`} {
		if !strings.Contains(got.Body, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if i, j := strings.Index(got.Body, "<th>email</th>"), strings.Index(got.Body, "<th>groups</th>"); i < 0 || j < i {
		t.Errorf("attributes not in name order:\n%s", got.Body)
	}
	csp := got.Header.Get("Content-Security-Policy")
	if m := regexp.MustCompile(`<style nonce="([^"]+)">`).FindStringSubmatch(got.Body); m == nil || !strings.Contains(csp, "style-src 'nonce-"+html.UnescapeString(m[1])+"'") || !strings.HasPrefix(csp, "default-src 'none'") {
		t.Errorf("the page's CSP %q does not allow only its own style", csp)
	}
}

// TestFlexStandInRefuses attacks the stand-in as the bridge's tests rely
// on it: a response signed with a key its metadata does not name, the same
// response posted again, and a response to no request it made are each
// refused with HTTP 403, and nothing is received.
func TestFlexStandInRefuses(t *testing.T) {
	p := newPair(t)
	c := p.browser("quinn")

	good := p.response(c, "")
	if r := post(t, c, good.Action, good.Fields); r.Status != http.StatusOK {
		t.Fatalf("the genuine response: HTTP %d %s", r.Status, r.Body)
	}
	if r := post(t, c, good.Action, good.Fields); r.Status != http.StatusForbidden || !strings.Contains(r.Body, "refused the response") {
		t.Errorf("the same response again: HTTP %d %s", r.Status, r.Body)
	}

	p.idp.SAML.Key, p.idp.SAML.Certificate = keys[1].key, keys[1].cert
	forged := p.response(c, "")
	if r := post(t, c, forged.Action, forged.Fields); r.Status != http.StatusForbidden {
		t.Errorf("a response signed by another key: HTTP %d %s", r.Status, r.Body)
	}
	p.idp.SAML.Key, p.idp.SAML.Certificate = keys[0].key, keys[0].cert

	// Unsolicited: the IdP answers a request of a second stand-in, which
	// this one never sent.
	other, err := samltest.NewFlexStandIn(p.flexURL+testACSPath, testAudience, p.idp.SAML.Metadata(), "/flex/login")
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	other.Login(rec, httptest.NewRequest(http.MethodGet, "/flex/login", nil))
	unsolicited := get(t, c, rec.Header().Get("Location"))
	if r := post(t, c, unsolicited.Action, unsolicited.Fields); r.Status != http.StatusForbidden {
		t.Errorf("a response to another's request: HTTP %d %s", r.Status, r.Body)
	}
	if n := p.flex.Count(); n != 1 {
		t.Errorf("the stand-in received %d responses, want the genuine one", n)
	}
}

// TestFlexStandInShadow: a shadow-mode record for the user shows the
// policy's decision on the page, with the roles it would add and take
// away; an enforce-mode record shows nothing (rule 6).
func TestFlexStandInShadow(t *testing.T) {
	p := newPair(t)
	agree := false
	login := func() string {
		c := p.browser("quinn")
		f := p.response(c, "")
		return post(t, c, f.Action, f.Fields).Body
	}
	p.flex.NoteDecision(decisionlog.Record{Mode: "enforce", Identity: "quinn.qa@owlbank.example", Policy: decisionlog.Decision{Granted: true, Roles: []string{"agent"}}})
	if body := login(); strings.Contains(body, "Shadow mode") {
		t.Errorf("an enforce-mode record shows a shadow decision:\n%s", body)
	}
	p.flex.NoteDecision(decisionlog.Record{Mode: "shadow", Identity: "quinn.qa@owlbank.example", Agree: &agree,
		Policy: decisionlog.Decision{Granted: true, Roles: []string{"supervisor", "wfo.quality_manager"}, Rules: []decisionlog.Rule{{Name: "qa", Grant: []string{"wfo.quality_manager"}}}}})
	body := login()
	for _, want := range []string{
		`<span id="policy-roles"><code>supervisor</code>, <code>wfo.quality_manager</code></span> (rules <code>qa</code>)`,
		`it would add <code>wfo.quality_manager</code>; it would take away <code>agent</code>.`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %s:\n%s", want, body)
		}
	}
	p.flex.NoteDecision(decisionlog.Record{Mode: "shadow", Identity: "quinn.qa@owlbank.example", Agree: &agree,
		Policy: decisionlog.Decision{Refused: &decisionlog.Refusal{Kind: "denied", By: "sso.allow"}}})
	if body := login(); !strings.Contains(body, `<code id="policy-refused">denied, by sso.allow</code>`) || strings.Contains(body, "would add") {
		t.Errorf("a refusal's page:\n%s", body)
	}
}
