package bridge

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"

	"github.com/flexroles/flexroles/internal/oddlogins"
	"github.com/flexroles/flexroles/sso/samltest"
)

// world is a whole login in process over real HTTP: the organisation's IdP
// (crewjam/saml), the bridge, and a crewjam/saml service provider standing
// in for Flex with Flex's ACS path and audience.
type world struct {
	t      testing.TB
	idp    *samltest.IDP
	bridge *Bridge
	flex   *samltest.FlexStandIn
	cfg    Config

	idpSrv, bridgeSrv, flexSrv *httptest.Server
	bridgeH                    *swappable // what bridgeSrv serves: the bridge, or instances in turn

	metadataDown atomic.Bool // the IdP answers its metadata URL with HTTP 503
}

// testUsers are the example organisation's users as its IdP sends them.
var testUsers = []samltest.User{
	{Login: "alex", Attributes: map[string][]string{"email": {"alex.agent@owlbank.example"}, "full_name": {"Alex Agent"}, "groups": {"CC-Agents"}, "department": {"Sales"}, "location": {"EU-West"}, "skill": {"7"}}},
	{Login: "lee", Attributes: map[string][]string{"email": {"lee.lead@owlbank.example"}, "full_name": {"Lee Lead"}, "groups": {"CC-Leads"}, "department": {"Sales"}}},
	{Login: "quinn", Attributes: map[string][]string{"email": {"quinn.qa@owlbank.example"}, "full_name": {"Quinn QA"}, "groups": {"CC-Leads", "QA"}, "department": {"Quality"}}},
	{Login: "noor", Attributes: map[string][]string{"email": {"noor.analyst@owlbank.example"}, "full_name": {"Noor Analyst"}, "groups": {"CC-Analytics"}, "location": {"EU-West"}}},
	{Login: "kim", Attributes: map[string][]string{"email": {"kim.leaver@owlbank.example"}, "full_name": {"Kim Leaver"}, "groups": {"CC-Agents", "Offboarded"}}},
	{Login: "nomail", Attributes: map[string][]string{"full_name": {"Nomail Agent"}, "groups": {"CC-Agents"}}},
	{Login: "typo", Attributes: map[string][]string{"email": {"tess.typo@owlbank.example"}, "full_name": {"Tess Typo"}, "groups": {"CC-Agents"}, "skill": {"seven"}}},
	// Users whose IdP also sends Flex a roles attribute, by hand-kept
	// rules, as before the bridge: shadow mode passes it on.
	{Login: "ana", Attributes: map[string][]string{"email": {"ana.roles@owlbank.example"}, "full_name": {"Ana Roles"}, "groups": {"CC-Agents"}, "roles": {"agent"}}},
	{Login: "rosa", Attributes: map[string][]string{"email": {"rosa.roles@owlbank.example"}, "full_name": {"Rosa Roles"}, "groups": {"CC-Leads"}, "department": {"Sales"}, "roles": {"agent"}}},
	{Login: "ray", Attributes: map[string][]string{"email": {"ray.roles@owlbank.example"}, "full_name": {"Ray Roles"}, "groups": {"CC-Agents"}, "roles": {"admin"}}},
	{Login: "sam", Attributes: map[string][]string{"email": {"sam.roles@owlbank.example"}, "full_name": {"Sam Roles"}, "groups": {"CC-Agents"}, "roles": {"supervisor", "agent"}}},
	{Login: "rex", Attributes: map[string][]string{"email": {"rex.roles@owlbank.example"}, "full_name": {"Rex Roles"}, "groups": {"CC-Agents"}, "roles": {"agent", "superviser"}}},
}

// oddUsers are the project's odd logins (internal/oddlogins) as users of
// the test IdP, signing in as odd-0, odd-1, …
func oddUsers() []samltest.User {
	var out []samltest.User
	for i, l := range oddlogins.All() {
		out = append(out, samltest.User{Login: "odd-" + strconv.Itoa(i), Attributes: l.Attributes})
	}
	return out
}

const testAccount = "AC0123456789abcdef0123456789abcdef"

// swappable lets a server start (and so know its URL) before its handler
// exists.
type swappable struct {
	mu sync.Mutex
	h  http.Handler
}

func (s *swappable) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	h := s.h
	s.mu.Unlock()
	h.ServeHTTP(w, r)
}

func (s *swappable) set(h http.Handler) { s.mu.Lock(); s.h = h; s.mu.Unlock() }

var (
	testKeysOnce sync.Once
	testKeys     [3]struct {
		key  *rsa.PrivateKey
		cert *x509.Certificate
	}
)

// keyPair returns one of three test key pairs, made once per run.
func keyPair(t testing.TB, i int) (*rsa.PrivateKey, *x509.Certificate) {
	testKeysOnce.Do(func() {
		for j := range testKeys {
			k, c, err := samltest.NewKeyPair(2048, "flexroles test "+string(rune('a'+j)))
			if err != nil {
				panic(err)
			}
			testKeys[j].key, testKeys[j].cert = k, c
		}
	})
	return testKeys[i].key, testKeys[i].cert
}

// newWorld starts the three servers; edit changes the bridge's
// configuration before it starts.
func newWorld(t testing.TB, edit func(*Config)) *world {
	t.Helper()
	return startWorld(t, false, edit)
}

// newTLSWorld is newWorld with the bridge on https, as deployed: its base
// URL is https, so its state cookie is __Host- and Secure. Browsers and
// the stand-in for Flex trust the test server's certificate.
func newTLSWorld(t testing.TB, edit func(*Config)) *world {
	t.Helper()
	return startWorld(t, true, edit)
}

func startWorld(t testing.TB, tls bool, edit func(*Config)) *world {
	t.Helper()
	w := &world{t: t}
	var idpH, bridgeH, flexH swappable
	w.idpSrv = httptest.NewServer(&idpH)
	if tls {
		w.bridgeSrv = httptest.NewTLSServer(&bridgeH)
	} else {
		w.bridgeSrv = httptest.NewServer(&bridgeH)
	}
	w.flexSrv = httptest.NewServer(&flexH)
	w.bridgeH = &bridgeH
	t.Cleanup(func() { w.idpSrv.Close(); w.bridgeSrv.Close(); w.flexSrv.Close() })

	idpKey, idpCert := keyPair(t, 1)
	idpBase, _ := url.Parse(w.idpSrv.URL + "/idp")
	w.idp = samltest.NewIDP(*idpBase, idpKey, idpCert, append(slices.Clone(testUsers), oddUsers()...), func() *saml.EntityDescriptor {
		if w.bridge == nil {
			return nil
		}
		return w.bridge.SPMetadata()
	})
	idpMux := http.NewServeMux()
	idpMux.Handle("/idp/", w.idp.SAML.Handler())
	idpMux.HandleFunc("/idp/metadata", func(rw http.ResponseWriter, r *http.Request) {
		if w.metadataDown.Load() {
			http.Error(rw, "down", http.StatusServiceUnavailable)
			return
		}
		w.idp.SAML.ServeMetadata(rw, r)
	})
	idpMux.HandleFunc("/idp/start", func(rw http.ResponseWriter, r *http.Request) {
		w.idp.SAML.ServeIDPInitiated(rw, r, w.bridge.paths.spMetadata.String(), "")
	})
	idpH.set(idpMux)

	dir := t.TempDir()
	key, cert := keyPair(t, 0)
	if err := samltest.WriteKeyPair(filepath.Join(dir, "bridge.key"), filepath.Join(dir, "bridge.crt"), key, cert); err != nil {
		t.Fatal(err)
	}
	w.cfg = Config{
		Policy:  "../../examples/policy.yaml",
		BaseURL: w.bridgeSrv.URL + "/bridge",
		Upstream: Upstream{
			MetadataURL: w.idpSrv.URL + "/idp/metadata",
		},
		Flex: FlexTarget{Account: testAccount, ACSURL: w.flexSrv.URL},
		Keys: Keys{Key: filepath.Join(dir, "bridge.key"), Certificate: filepath.Join(dir, "bridge.crt")},
		PassThrough: map[string]string{
			"department": "department",
			"location":   "location",
			"skill.int":  "skill",
		},
	}
	if edit != nil {
		edit(&w.cfg)
	}
	b, err := New(context.Background(), w.cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.bridge = b
	bridgeH.set(b)

	// The stand-in for Flex trusts what the bridge publishes, as Flex does.
	resp, err := w.bridgeSrv.Client().Get(b.paths.idpMetadata.String())
	if err != nil {
		t.Fatal(err)
	}
	mdXML, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	bridgeMD, err := samlsp.ParseMetadata(mdXML)
	if err != nil {
		t.Fatal(err)
	}
	w.flex, err = samltest.NewFlexStandIn(b.flex.acs, b.flex.audience, bridgeMD, "/flex/login")
	if err != nil {
		t.Fatal(err)
	}
	flexMux := http.NewServeMux()
	flexMux.HandleFunc("GET /flex/login", w.flex.Login)
	acsPath := "/v1/Accounts/" + testAccount + "/saml2"
	flexMux.HandleFunc("POST "+acsPath, w.flex.ACS)
	flexMux.HandleFunc("POST /login/callback", w.flex.ACS) // enhanced SSO
	flexH.set(flexMux)
	return w
}

// browser is samltest's Browser in a test: a step that fails ends the
// test.
type browser struct {
	t testing.TB
	*samltest.Browser
}

func (w *world) browser(user string) *browser {
	// The bridge server's transport trusts its certificate when it is on
	// https, and serves plain http as any other.
	b := samltest.NewBrowser(w.bridgeSrv.Client().Transport)
	if user != "" {
		u, _ := url.Parse(w.idpSrv.URL)
		b.Jar.SetCookies(u, []*http.Cookie{{Name: samltest.UserCookie, Value: user, Path: "/"}})
	}
	return &browser{t: w.t, Browser: b}
}

// page is a samltest.Page under the short names the tests read.
type page struct {
	status int
	header http.Header
	body   string
	action string
	fields url.Values
}

// page is p, or the test's end on err.
func (b *browser) page(p samltest.Page, err error) page {
	b.t.Helper()
	if err != nil {
		b.t.Fatal(err)
	}
	return page{status: p.Status, header: p.Header, body: p.Body, action: p.Action, fields: p.Fields}
}

func (b *browser) get(u string) page { b.t.Helper(); return b.page(b.Get(u)) }

func (b *browser) post(action string, fields url.Values) page {
	b.t.Helper()
	return b.page(b.Post(action, fields))
}

// upstreamResponse runs a login from the Flex stand-in up to the IdP's
// answer: the form the IdP posts to the bridge.
func (w *world) upstreamResponse(b *browser, relay string) page {
	w.t.Helper()
	u := w.flexSrv.URL + "/flex/login"
	if relay != "" {
		u += "?relay=" + url.QueryEscape(relay)
	}
	p := b.get(u)
	if p.status != http.StatusOK || p.fields.Get("SAMLResponse") == "" {
		w.t.Fatalf("the IdP did not answer with a response form: HTTP %d\n%s", p.status, p.body)
	}
	return p
}

// stopBeforeIDP is b's client, which follows every redirect but the one
// to the IdP: a login started with it is abandoned there, its state cookie
// set and the redirect returned.
func (w *world) stopBeforeIDP(b *browser) *http.Client {
	c := *b.Client
	c.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), w.idpSrv.URL) {
			return http.ErrUseLastResponse
		}
		return nil
	}
	return &c
}

// upstreamRequest starts a login in b and stops before the IdP: the
// bridge's AuthnRequest upstream, as the IdP reads and validates it.
func (w *world) upstreamRequest(t *testing.T, b *browser) *saml.IdpAuthnRequest {
	t.Helper()
	resp, err := w.stopBeforeIDP(b).Get(w.flexSrv.URL + "/flex/login")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	ar, err := saml.NewIdpAuthnRequest(w.idp.SAML, &http.Request{Method: http.MethodGet, URL: loc})
	if err == nil {
		err = ar.Validate()
	}
	if err != nil {
		t.Fatal(err)
	}
	return ar
}

// login runs a whole login for user and returns the bridge's page and, when
// the bridge posts to Flex, the stand-in's page.
func (w *world) login(user, relay string) (bridgePage, flexPage page) {
	w.t.Helper()
	return w.loginWith(w.browser(user), relay)
}

// loginWith runs a whole login in browser b.
func (w *world) loginWith(b *browser, relay string) (bridgePage, flexPage page) {
	w.t.Helper()
	up := w.upstreamResponse(b, relay)
	bridgePage = b.post(up.action, up.fields)
	if bridgePage.fields.Get("SAMLResponse") != "" {
		flexPage = b.post(bridgePage.action, bridgePage.fields)
	}
	return bridgePage, flexPage
}

// decode returns the XML of a form's SAMLResponse.
func decode(t *testing.T, p page) []byte {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(p.fields.Get("SAMLResponse"))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func encode(xmlDoc []byte) string { return base64.StdEncoding.EncodeToString(xmlDoc) }

// wellFormed fails the test when doc is not XML at all, so that an attack
// test cannot pass only because its input was broken.
func wellFormed(t *testing.T, doc []byte) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(string(doc)))
	for {
		if _, err := d.Token(); errors.Is(err, io.EOF) {
			return
		} else if err != nil {
			t.Fatalf("the test built malformed XML: %v", err)
		}
	}
}
