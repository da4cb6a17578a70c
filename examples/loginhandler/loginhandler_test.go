package main

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"encoding/xml"
	"html"
	"log"
	"math/big"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"

	"github.com/flexroles/flexroles"
)

// testUser is a user of the test IdP: the NameID and the attributes it sends,
// under names without a namespace, as a real IdP must be set up to send them.
type testUser struct {
	nameID string
	attrs  map[string][]string
}

// testUsers are the IdP's users, by the value of their idp_user cookie. Their
// groups and attributes match the rules of examples/policy.yaml.
var testUsers = map[string]testUser{
	"alex": {"alex.agent@example.com", map[string][]string{
		"email": {"alex.agent@example.com"}, "full_name": {"Alex Agent"}, "groups": {"CC-Agents"},
	}},
	"lee": {"lee.lead@example.com", map[string][]string{
		"email": {"lee.lead@example.com"}, "full_name": {"Lee Lead"}, "groups": {"CC-Leads"}, "department": {"Sales"},
	}},
	"quinn": {"quinn.qa@example.com", map[string][]string{
		"email": {"quinn.qa@example.com"}, "full_name": {"Quinn QA"}, "groups": {"CC-Leads", "QA"}, "department": {"Quality"},
	}},
	"nomail": {"u-7f3a9c", map[string][]string{
		"full_name": {"Nadia Nomail"}, "groups": {"CC-Agents"},
	}},
	"olivia": {"olivia.old@example.com", map[string][]string{
		"email": {"olivia.old@example.com"}, "full_name": {"Olivia Old"}, "groups": {"CC-Leads", "Offboarded"},
	}},
	"robin": {"robin.roles@example.com", map[string][]string{
		"roles": {"agent, supervisor, wfo.team_leader"}, "email": {"robin.roles@example.com"}, "full_name": {"Robin Roles"},
	}},
}

func TestLogin(t *testing.T) {
	e := newTestEnv(t)
	teamLead := flexroles.Insights{Enabled: true, PlayCalls: true, AssessCalls: flexroles.AssessFull, Dashboards: flexroles.DashboardsExplorer}
	for _, tc := range []struct {
		name, user, why string
		status          int
		roles           []string
		insights        flexroles.Insights
		reason          string // a rule among the decision's reasons
		kind, errHas    string // for a refusal
	}{{
		name: "agent", user: "alex", why: "group CC-Agents grants agent; agents get no Insights",
		status: http.StatusOK, roles: []string{"agent"}, reason: "policy.rule",
	}, {
		name: "team lead", user: "lee", why: "group CC-Leads grants agent, then supervisor and wfo.team_leader",
		status: http.StatusOK, roles: []string{"supervisor", "agent", "wfo.team_leader"}, insights: teamLead,
	}, {
		name: "QA lead", user: "quinn", why: "CC-Leads with department=Quality adds wfo.quality_manager, which exports calls",
		status: http.StatusOK, roles: []string{"supervisor", "agent", "wfo.team_leader", "wfo.quality_manager"},
		insights: flexroles.Insights{Enabled: true, PlayCalls: true, ExportCalls: true, AssessCalls: flexroles.AssessFull, Dashboards: flexroles.DashboardsExplorer},
	}, {
		name: "no email", user: "nomail", why: "email is mandatory: Flex fails the login with 45050",
		status: http.StatusForbidden, kind: "missing_attribute", errHas: "45050",
	}, {
		name: "offboarded", user: "olivia", why: "the deny rule offboarded wins over the CC-Leads grants",
		status: http.StatusForbidden, kind: "denied", errHas: "offboarded",
	}, {
		name: "roles in one value", user: "robin", why: `roles sent as ONE AttributeValue "agent, supervisor, wfo.team_leader" is split on commas`,
		status: http.StatusOK, roles: []string{"supervisor", "agent", "wfo.team_leader"}, insights: teamLead, reason: "sso.roles.split",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			calls := e.resolved.count()
			client, form := e.startLogin(t, tc.user)
			status, got := e.post(t, client, form, form.response)
			if status != tc.status {
				t.Fatalf("%s: HTTP %d %+v, want %d", tc.why, status, got, tc.status)
			}
			if n := e.resolved.count() - calls; n != 1 {
				t.Fatalf("Resolve called %d times, want once", n)
			}
			login := e.resolved.last()
			want := testUsers[tc.user]
			if login.Source != flexroles.SSO || login.Identity != want.nameID || !reflect.DeepEqual(login.Attributes, want.attrs) {
				t.Errorf("Resolve got %+v\nwant the IdP's attributes as sent %v, NameID %q", login, want.attrs, want.nameID)
			}

			if tc.status != http.StatusOK {
				if got.Granted || got.Kind != tc.kind || !strings.Contains(got.Error, tc.errHas) {
					t.Errorf("%s: got %+v, want kind %q and an error naming %q", tc.why, got, tc.kind, tc.errHas)
				}
				return
			}
			if !got.Granted || !slices.Equal(got.Roles, tc.roles) || got.Insights != tc.insights {
				t.Errorf("%s: got %+v\nwant roles %v, insights %+v", tc.why, got, tc.roles, tc.insights)
			}
			if tc.reason != "" && !slices.ContainsFunc(got.Reasons, func(r flexroles.Reason) bool { return r.Rule == tc.reason }) {
				t.Errorf("%s: no reason %q in %+v", tc.why, tc.reason, got.Reasons)
			}
		})
	}
}

// TestRejectedResponse posts responses that fail crewjam/saml's checks and
// proves they never reach Resolve; then the same login's genuine response is
// accepted, so the refusal was the change and nothing else.
func TestRejectedResponse(t *testing.T) {
	e := newTestEnv(t)
	for _, tc := range []struct {
		name, why, errHas string
		change            func(t *testing.T, response []byte) []byte
	}{{
		name: "tampered", why: "an agent rewrites their group to CC-Leads inside the signed assertion",
		errHas: "invalid signature",
		change: func(t *testing.T, response []byte) []byte {
			if bytes.Count(response, []byte(">CC-Agents<")) != 1 {
				t.Fatalf("the response has no single CC-Agents group value:\n%s", response)
			}
			return bytes.Replace(response, []byte(">CC-Agents<"), []byte(">CC-Leads<"), 1)
		},
	}, {
		name: "unsigned", why: "the signatures of the Response and the Assertion are removed",
		errHas: "unsigned",
		change: func(t *testing.T, response []byte) []byte {
			doc := etree.NewDocument()
			if err := doc.ReadFromBytes(response); err != nil {
				t.Fatal(err)
			}
			signatures := doc.FindElements("//Signature")
			if len(signatures) != 2 {
				t.Fatalf("%d signatures, want the Response's and the Assertion's", len(signatures))
			}
			for _, sig := range signatures {
				sig.Parent().RemoveChild(sig)
			}
			out, err := doc.WriteToBytes()
			if err != nil {
				t.Fatal(err)
			}
			return out
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			calls := e.resolved.count()
			client, form := e.startLogin(t, "alex")
			genuine, err := base64.StdEncoding.DecodeString(form.response)
			if err != nil {
				t.Fatal(err)
			}
			changed := base64.StdEncoding.EncodeToString(tc.change(t, genuine))

			status, got := e.post(t, client, form, changed)
			if status != http.StatusForbidden || got.Granted || got.Kind != "saml_response_rejected" ||
				!strings.Contains(got.Error, "SAML response was rejected") || !strings.Contains(got.Error, tc.errHas) {
				t.Errorf("%s: HTTP %d %+v, want 403 saml_response_rejected naming %q", tc.why, status, got, tc.errHas)
			}
			if n := e.resolved.count() - calls; n != 0 {
				t.Fatalf("%s: Resolve called %d times for a rejected response", tc.why, n)
			}

			status, got = e.post(t, client, form, form.response)
			if status != http.StatusOK || !slices.Equal(got.Roles, []string{"agent"}) {
				t.Fatalf("the genuine response: HTTP %d %+v, want agent", status, got)
			}

			status, got = e.post(t, client, form, form.response)
			if status != http.StatusForbidden || got.Kind != "saml_response_rejected" {
				t.Errorf("the genuine response replayed: HTTP %d %+v, want 403 saml_response_rejected", status, got)
			}
			if n := e.resolved.count() - calls; n != 1 {
				t.Errorf("Resolve called %d times, want once, for the genuine response", n)
			}
		})
	}
}

func TestNewServerConfig(t *testing.T) {
	dir := t.TempDir()
	key, cert, err := generateKeyPair("sp.example.com")
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	keyFile, certFile, idpFile := filepath.Join(dir, "sp.key"), filepath.Join(dir, "sp.crt"), filepath.Join(dir, "idp.xml")
	idpXML, err := xml.Marshal(newTestIDP(t, "http://idp.example.com/").idp.Metadata())
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		keyFile:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		certFile: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}),
		idpFile:  idpXML,
	} {
		if err := os.WriteFile(name, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	good := config{PolicyFile: "../policy.yaml", IDPMetadata: idpFile, KeyFile: keyFile, CertFile: certFile, RootURL: "https://sp.example.com/flex", Logf: t.Logf}
	s, err := newServer(good)
	if err != nil {
		t.Fatal(err)
	}
	sp := s.sp.ServiceProvider
	if !sp.Certificate.Equal(cert) || sp.EntityID != "https://sp.example.com/flex/saml/metadata" || sp.MetadataURL.String() != "https://sp.example.com/flex/saml/metadata" ||
		sp.AcsURL.String() != "https://sp.example.com/flex/saml/acs" {
		t.Errorf("SP: certificate %v, entity ID %q, metadata %s, ACS %s", sp.Certificate.Subject, sp.EntityID, sp.MetadataURL.String(), sp.AcsURL.String())
	}

	for _, tc := range []struct {
		name   string
		change func(*config)
		errHas string
	}{
		{"no IdP metadata", func(c *config) { c.IDPMetadata = "" }, "-idp-metadata is required"},
		{"key without certificate", func(c *config) { c.CertFile = "" }, "together"},
		{"relative root URL", func(c *config) { c.RootURL = "sp.example.com" }, "-root-url"},
		{"missing policy", func(c *config) { c.PolicyFile = filepath.Join(dir, "none.yaml") }, "none.yaml"},
	} {
		c := good
		tc.change(&c)
		if _, err := newServer(c); err == nil || !strings.Contains(err.Error(), tc.errHas) {
			t.Errorf("%s: error %v, want one naming %q", tc.name, err, tc.errHas)
		}
	}
}

// testEnv is a test IdP and the login handler, each on its own HTTP server,
// with every call to Resolve recorded.
type testEnv struct {
	idp      *testIDP
	sp       *httptest.Server
	resolved *resolveLog
}

func newTestEnv(t *testing.T) *testEnv {
	idpServer := httptest.NewUnstartedServer(nil)
	idp := newTestIDP(t, "http://"+idpServer.Listener.Addr().String()+"/")
	idpServer.Config.Handler = idp.idp.Handler()
	idpServer.Start()
	t.Cleanup(idpServer.Close)

	spServer := httptest.NewUnstartedServer(nil)
	s, err := newServer(config{
		PolicyFile:  "../policy.yaml",
		IDPMetadata: idp.idp.MetadataURL.String(), // fetched over HTTP
		RootURL:     "http://" + spServer.Listener.Addr().String(),
		Logf:        t.Logf,
	})
	if err != nil {
		t.Fatal(err)
	}
	resolved := &resolveLog{}
	resolve := s.resolve
	s.resolve = func(l flexroles.Login) (flexroles.Decision, error) {
		resolved.add(l)
		return resolve(l)
	}
	spServer.Config.Handler = s
	spServer.Start()
	t.Cleanup(spServer.Close)

	// Register the SP at the IdP from its published metadata, as an IdP
	// administrator would.
	resp, err := http.Get(spServer.URL + "/saml/metadata")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var md saml.EntityDescriptor
	if err := xml.NewDecoder(resp.Body).Decode(&md); err != nil {
		t.Fatal(err)
	}
	idp.register(&md)
	return &testEnv{idp: idp, sp: spServer, resolved: resolved}
}

// samlForm is the IdP's auto-posting form: where it posts the SAMLResponse,
// and the fields it posts.
type samlForm struct {
	action, response, relayState string
}

var (
	formAction  = regexp.MustCompile(`<form method="post" action="([^"]*)"`)
	formField   = regexp.MustCompile(`<input type="hidden" name="(SAMLResponse|RelayState)" value="([^"]*)"`)
	samlRequest = regexp.MustCompile(`[?&]SAMLRequest=`)
)

// startLogin does what a browser does from the SP's login URL to the IdP's
// form: the SP redirects with an AuthnRequest, the IdP (where user is
// logged in) answers with the form that posts the signed Response.
func (e *testEnv) startLogin(t *testing.T, user string) (*http.Client, samlForm) {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	jar.SetCookies(&e.idp.base, []*http.Cookie{{Name: "idp_user", Value: user}})
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second}

	resp, err := client.Get(e.sp.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page bytes.Buffer
	if _, err := page.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	at := resp.Request.URL.String()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(at, e.idp.idp.SSOURL.String()) || !samlRequest.MatchString(at) {
		t.Fatalf("GET /login ended at %s with HTTP %d, want the IdP's SSO URL with a SAMLRequest:\n%s", at, resp.StatusCode, page.String())
	}

	var form samlForm
	if m := formAction.FindStringSubmatch(page.String()); m != nil {
		form.action = html.UnescapeString(m[1])
	}
	for _, m := range formField.FindAllStringSubmatch(page.String(), -1) {
		if m[1] == "SAMLResponse" {
			form.response = html.UnescapeString(m[2])
		} else {
			form.relayState = html.UnescapeString(m[2])
		}
	}
	if form.action != e.sp.URL+"/saml/acs" || form.response == "" || form.relayState == "" {
		t.Fatalf("IdP form %+v, want a SAMLResponse and RelayState posted to the SP's ACS:\n%s", form, page.String())
	}
	return client, form
}

// answer is the login handler's JSON answer, granted or not.
type answer struct {
	Granted  bool               `json:"granted"`
	Roles    []string           `json:"roles"`
	Insights flexroles.Insights `json:"insights"`
	Reasons  []flexroles.Reason `json:"reasons"`
	Kind     string             `json:"kind"`
	Error    string             `json:"error"`
}

// post posts response (base64) with the form's RelayState to the ACS, as the
// IdP's form makes the browser do.
func (e *testEnv) post(t *testing.T, client *http.Client, form samlForm, response string) (int, answer) {
	t.Helper()
	resp, err := client.PostForm(form.action, url.Values{"SAMLResponse": {response}, "RelayState": {form.relayState}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a answer
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("ACS answered HTTP %d with %q, want JSON", resp.StatusCode, ct)
	}
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, a
}

// resolveLog records the logins the server resolves.
type resolveLog struct {
	mu     sync.Mutex
	logins []flexroles.Login
}

func (r *resolveLog) add(l flexroles.Login) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.logins = append(r.logins, l)
}

func (r *resolveLog) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.logins)
}

func (r *resolveLog) last() flexroles.Login {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.logins[len(r.logins)-1]
}

// testIDP is a crewjam/saml identity provider with its own key and
// certificate. Its users are already logged in: the idp_user cookie names
// the user. It signs assertions and does not encrypt them, as Okta, Entra ID
// and Google Workspace do unless told otherwise.
type testIDP struct {
	idp  *saml.IdentityProvider
	base url.URL

	mu  sync.Mutex
	sps map[string]*saml.EntityDescriptor // by entity ID
}

func newTestIDP(t *testing.T, baseURL string) *testIDP {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "test IdP"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	base, err := url.Parse(baseURL)
	if err != nil {
		t.Fatal(err)
	}

	p := &testIDP{base: *base, sps: map[string]*saml.EntityDescriptor{}}
	p.idp = &saml.IdentityProvider{
		Key:                     key,
		Certificate:             cert,
		Logger:                  log.New(testLogWriter{t}, "idp: ", 0),
		MetadataURL:             *base.JoinPath("metadata"),
		SSOURL:                  *base.JoinPath("sso"),
		ServiceProviderProvider: p,
		SessionProvider:         p,
	}
	return p
}

// register makes the SP known to the IdP, without its encryption key: the
// assertions stay readable, so a test can change them.
func (p *testIDP) register(md *saml.EntityDescriptor) {
	for i := range md.SPSSODescriptors {
		d := &md.SPSSODescriptors[i]
		d.KeyDescriptors = slices.DeleteFunc(d.KeyDescriptors, func(k saml.KeyDescriptor) bool { return k.Use == "encryption" })
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sps[md.EntityID] = md
}

// GetServiceProvider implements saml.ServiceProviderProvider.
func (p *testIDP) GetServiceProvider(_ *http.Request, entityID string) (*saml.EntityDescriptor, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if md, ok := p.sps[entityID]; ok {
		return md, nil
	}
	return nil, os.ErrNotExist
}

// GetSession implements saml.SessionProvider. The attributes go out as
// CustomAttributes, under exactly the names in testUsers: the Session fields
// (UserEmail, UserCommonName, Groups) are sent under urn:oid names, which
// Flex does not read.
func (p *testIDP) GetSession(w http.ResponseWriter, r *http.Request, _ *saml.IdpAuthnRequest) *saml.Session {
	c, err := r.Cookie("idp_user")
	if err != nil {
		http.Error(w, "not logged in at the IdP", http.StatusUnauthorized)
		return nil
	}
	u, ok := testUsers[c.Value]
	if !ok {
		http.Error(w, "unknown user", http.StatusUnauthorized)
		return nil
	}
	format := saml.PersistentNameIDFormat
	if strings.Contains(u.nameID, "@") {
		format = saml.EmailAddressNameIDFormat
	}
	s := &saml.Session{
		ID:           c.Value,
		CreateTime:   time.Now(),
		ExpireTime:   time.Now().Add(time.Hour),
		Index:        c.Value,
		NameID:       u.nameID,
		NameIDFormat: string(format),
	}
	names := make([]string, 0, len(u.attrs))
	for name := range u.attrs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		a := saml.Attribute{Name: name, NameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"}
		for _, v := range u.attrs[name] {
			a.Values = append(a.Values, saml.AttributeValue{Type: "xs:string", Value: v})
		}
		s.CustomAttributes = append(s.CustomAttributes, a)
	}
	return s
}

type testLogWriter struct{ t *testing.T }

func (w testLogWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}
