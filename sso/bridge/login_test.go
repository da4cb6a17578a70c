package bridge

import (
	"bytes"
	"crypto/tls"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	dsig "github.com/russellhaering/goxmldsig"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/internal/oddlogins"
	"github.com/flexroles/flexroles/sso/samltest"
)

// TestLoginEndToEnd runs whole logins through the bridge over HTTP: the
// stand-in for Flex verifies the bridge's signature against its metadata
// and reads the roles the policy decided.
func TestLoginEndToEnd(t *testing.T) {
	w := newWorld(t, nil)
	for _, tc := range []struct {
		user      string
		wantRoles []string
		wantAttrs map[string][]string // beyond roles, email, full_name
		reason    string
	}{
		{"alex", []string{"agent"}, map[string][]string{"department": {"Sales"}, "location": {"EU-West"}, "skill.int": {"7"}},
			"agents rule; department, location and the typed skill.int pass through"},
		{"lee", []string{"supervisor", "agent", "wfo.team_leader"}, map[string][]string{"department": {"Sales"}},
			"team leads rule adds supervisor and wfo.team_leader"},
		{"quinn", []string{"supervisor", "agent", "wfo.team_leader", "wfo.quality_manager"}, map[string][]string{"department": {"Quality"}},
			"quality assurance rule: CC-Leads with department Quality"},
		{"noor", []string{"supervisor", "wfo.data_analyst"}, map[string][]string{"location": {"EU-West"}},
			"analysts rule: CC-Analytics with a location starting EU-"},
	} {
		t.Run(tc.user, func(t *testing.T) {
			before := w.flex.Count()
			bp, fp := w.login(tc.user, "")
			if fp.status != http.StatusOK {
				t.Fatalf("%s: Flex page HTTP %d (bridge HTTP %d)\n%s\n%s", tc.reason, fp.status, bp.status, bp.body, fp.body)
			}
			if w.flex.Count() != before+1 {
				t.Fatalf("%s: the stand-in for Flex accepted %d assertions, want 1", tc.reason, w.flex.Count()-before)
			}
			got, _ := w.flex.Last()
			if !slices.Equal(got.Roles, tc.wantRoles) {
				t.Errorf("%s: roles %q, want %q", tc.reason, got.Roles, tc.wantRoles)
			}
			user := testUsers[slices.IndexFunc(testUsers, func(u samltest.User) bool { return u.Login == tc.user })]
			if got.NameID != user.Attributes["email"][0] || !slices.Equal(got.Attributes["email"], user.Attributes["email"]) {
				t.Errorf("NameID %q, email %q; want the user's email %q", got.NameID, got.Attributes["email"], user.Attributes["email"])
			}
			if !slices.Equal(got.Attributes["full_name"], user.Attributes["full_name"]) {
				t.Errorf("full_name %q, want %q", got.Attributes["full_name"], user.Attributes["full_name"])
			}
			if got.Issuer != w.bridge.paths.idpMetadata.String() {
				t.Errorf("Issuer %q, want the bridge %q", got.Issuer, w.bridge.paths.idpMetadata.String())
			}
			if got.Audience != "https://iam.twilio.com/v1/Accounts/"+testAccount+"/saml2/metadata" {
				t.Errorf("Audience %q is not Flex's legacy audience", got.Audience)
			}
			if got.RelayState != "flex-relay-state" {
				t.Errorf("RelayState %q, want Flex's own back", got.RelayState)
			}
			for name, want := range tc.wantAttrs {
				if !slices.Equal(got.Attributes[name], want) {
					t.Errorf("%s: attribute %s = %q, want %q", tc.reason, name, got.Attributes[name], want)
				}
			}
			for name := range got.Attributes {
				switch name {
				case "roles", "email", "full_name":
				default:
					if _, ok := tc.wantAttrs[name]; !ok {
						t.Errorf("attribute %s reached Flex; only configured pass-through attributes may", name)
					}
				}
			}
		})
	}
}

// TestLoginRefused: a login the policy or Flex's rules refuse sends Flex
// nothing, and the page says what was refused and what to change.
func TestLoginRefused(t *testing.T) {
	w := newWorld(t, nil)
	for _, tc := range []struct {
		user     string
		kind     string
		mentions []string
		reason   string
	}{
		{"kim", "denied", []string{"offboarded", "deny rule", "kim.leaver@owlbank.example"}, "the offboarded deny rule wins over the team leads grant"},
		{"nomail", "missing_attribute", []string{"45050", "email"}, "Flex requires email: the page names the attribute to add"},
		{"typo", "invalid_attribute", []string{"skill"}, "skill.int passes through, and \"seven\" is not an int: Flex would refuse it"},
	} {
		t.Run(tc.user, func(t *testing.T) {
			before := w.flex.Count()
			bp, fp := w.login(tc.user, "")
			if fp.status != 0 || w.flex.Count() != before || bp.fields.Get("SAMLResponse") != "" {
				t.Fatalf("%s: something was posted to Flex", tc.reason)
			}
			if bp.status != http.StatusForbidden {
				t.Fatalf("%s: HTTP %d, want 403\n%s", tc.reason, bp.status, bp.body)
			}
			if !strings.Contains(bp.body, "<code>"+tc.kind+"</code>") {
				t.Errorf("%s: the page does not name kind %q:\n%s", tc.reason, tc.kind, bp.body)
			}
			for _, m := range tc.mentions {
				if !strings.Contains(bp.body, m) {
					t.Errorf("%s: the page does not mention %q:\n%s", tc.reason, m, bp.body)
				}
			}
			if !strings.Contains(bp.body, `id="correlation"`) {
				t.Errorf("the page has no correlation id")
			}
			metrics := w.browser("").get(w.bridge.paths.metrics.String()).body
			if !strings.Contains(metrics, `flexroles_bridge_logins_total{outcome="refused",kind="`+tc.kind+`"}`) {
				t.Errorf("metrics do not count the refusal by kind %q:\n%s", tc.kind, metrics)
			}
		})
	}
}

// TestLoginEnhancedSSO: with a connection ID the bridge answers Flex's
// enhanced SSO, at its callback URL and audience.
func TestLoginEnhancedSSO(t *testing.T) {
	w := newWorld(t, func(c *Config) {
		c.Flex = FlexTarget{Connection: "JQ0123456789abcdef0123456789abcdef", ACSURL: c.Flex.ACSURL}
	})
	bp, fp := w.login("lee", "")
	if fp.status != http.StatusOK {
		t.Fatalf("HTTP %d\n%.600s", bp.status, bp.body)
	}
	if !strings.HasSuffix(bp.action, "/login/callback?connection=JQ0123456789abcdef0123456789abcdef") {
		t.Errorf("posted to %q, not Flex's enhanced callback", bp.action)
	}
	if got, _ := w.flex.Last(); got.Audience != "urn:flex:JQ0123456789abcdef0123456789abcdef" {
		t.Errorf("audience %q, want urn:flex:JQ…", got.Audience)
	}
}

// TestLoginIdPInitiated: when allowed, a login started at the upstream IdP
// reaches Flex as an unsolicited response.
func TestLoginIdPInitiated(t *testing.T) {
	w := newWorld(t, func(c *Config) { c.Upstream.AllowIDPInitiated = true })
	w.flex.SAML.AllowIDPInitiated = true
	b := w.browser("quinn")
	up := b.get(w.idpSrv.URL + "/idp/start")
	bp := b.post(up.action, up.fields)
	if bp.fields.Get("SAMLResponse") == "" {
		t.Fatalf("refused: HTTP %d\n%.600s", bp.status, bp.body)
	}
	if fp := b.post(bp.action, bp.fields); fp.status != http.StatusOK {
		t.Fatalf("the stand-in for Flex refused: %.600s", fp.body)
	}
	if got, _ := w.flex.Last(); !slices.Contains(got.Roles, "wfo.quality_manager") {
		t.Errorf("roles %q", got.Roles)
	}
}

// TestLoginUpstreamPostBinding: an IdP whose metadata offers only the
// HTTP-POST binding is sent the AuthnRequest by a self-posting page.
func TestLoginUpstreamPostBinding(t *testing.T) {
	w := newWorld(t, func(c *Config) {
		resp, err := http.Get(c.Upstream.MetadataURL)
		if err != nil {
			t.Fatal(err)
		}
		md, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		redirect := regexp.MustCompile(`<(md:)?SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"[^>]*>(</(md:)?SingleSignOnService>)?`)
		if !redirect.Match(md) {
			t.Fatalf("the IdP metadata has no HTTP-Redirect SingleSignOnService to remove:\n%s", md)
		}
		path := filepath.Join(t.TempDir(), "idp.xml")
		if err := os.WriteFile(path, redirect.ReplaceAll(md, nil), 0o600); err != nil {
			t.Fatal(err)
		}
		c.Upstream = Upstream{MetadataFile: path}
	})
	b := w.browser("noor")
	toIDP := b.get(w.flexSrv.URL + "/flex/login")
	if toIDP.fields.Get("SAMLRequest") == "" || !strings.HasSuffix(toIDP.action, "/idp/sso") {
		t.Fatalf("no self-posting AuthnRequest to the IdP: HTTP %d\n%.600s", toIDP.status, toIDP.body)
	}
	if csp := toIDP.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'nonce-") {
		t.Errorf("CSP %q", csp)
	}
	up := b.post(toIDP.action, toIDP.fields)
	bp := b.post(up.action, up.fields)
	if fp := b.post(bp.action, bp.fields); fp.status != http.StatusOK {
		t.Fatalf("HTTP %d\n%.600s", fp.status, fp.body)
	}
	if got, _ := w.flex.Last(); !slices.Equal(got.Roles, []string{"supervisor", "wfo.data_analyst"}) {
		t.Errorf("roles %q", got.Roles)
	}
}

// TestLoginSignedEitherWay: identity providers sign the Response, the
// Assertion or both (Okta both by default, Entra ID the assertion by
// default, Google Workspace the response when "Signed response" is on);
// each shape reaches Flex with the policy's roles.
func TestLoginSignedEitherWay(t *testing.T) {
	w := newWorld(t, nil)
	idpKey, idpCert := keyPair(t, 1)
	for _, tc := range []struct {
		name  string
		alter func(t *testing.T, doc []byte) []byte
	}{
		{"response and assertion", nil},
		{"assertion only", func(t *testing.T, doc []byte) []byte {
			d := parse(t, doc)
			dropResponseSignature(d)
			return write(t, d)
		}},
		{"response only", func(t *testing.T, doc []byte) []byte {
			d := parse(t, doc)
			dropResponseSignature(d)
			a := d.Root().SelectElement("Assertion")
			for _, sig := range a.SelectElements("Signature") {
				a.RemoveChild(sig)
			}
			ctx := dsig.NewDefaultSigningContext(dsig.TLSCertKeyStore(tls.Certificate{
				Certificate: [][]byte{idpCert.Raw}, PrivateKey: idpKey}))
			ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
			if err := ctx.SetSignatureMethod(dsig.RSASHA256SignatureMethod); err != nil {
				t.Fatal(err)
			}
			root := d.Root()
			sig, err := ctx.ConstructSignature(root, true)
			if err != nil {
				t.Fatal(err)
			}
			// The Signature goes right after the Issuer, as the schema puts it.
			root.InsertChildAt(root.SelectElement("Issuer").Index()+1, sig)
			return write(t, d)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := w.browser("lee")
			up := w.upstreamResponse(b, "")
			if tc.alter != nil {
				doc := tc.alter(t, decode(t, up))
				if got := bytes.Count(doc, []byte("SignatureValue>")) / 2; got != 1 {
					t.Fatalf("the altered response has %d signatures, want 1", got)
				}
				up.fields.Set("SAMLResponse", encode(doc))
			}
			bp := b.post(up.action, up.fields)
			if bp.fields.Get("SAMLResponse") == "" {
				t.Fatalf("refused: HTTP %d\n%.600s", bp.status, bp.body)
			}
			if fp := b.post(bp.action, bp.fields); fp.status != http.StatusOK {
				t.Fatalf("the stand-in for Flex refused: %.600s", fp.body)
			}
			if got, _ := w.flex.Last(); !slices.Equal(got.Roles, []string{"supervisor", "agent", "wfo.team_leader"}) {
				t.Errorf("roles %q", got.Roles)
			}
		})
	}
}

// TestAnyBaseURL: at the root of a host, with or without a trailing slash,
// and below one or two path segments, every endpoint answers at its
// documented path and both Flex SSO flavours complete a login.
func TestAnyBaseURL(t *testing.T) {
	for _, suffix := range []string{"", "/", "/bridge", "/a/b/", "/sso%20bridge", "/{x}"} {
		t.Run(suffix, func(t *testing.T) {
			for _, flavour := range []string{"legacy", "enhanced"} {
				w := newWorld(t, func(c *Config) {
					c.BaseURL = strings.TrimSuffix(c.BaseURL, "/bridge") + suffix
					if flavour == "enhanced" {
						c.Flex = FlexTarget{Connection: "JQ0123456789abcdef0123456789abcdef", ACSURL: c.Flex.ACSURL}
					}
				})
				base := strings.TrimSuffix(w.cfg.BaseURL, "/")
				bu, err := url.Parse(base)
				if err != nil {
					t.Fatal(err)
				}
				if got := w.bridge.paths.sso.Path; got != bu.Path+"/saml/sso" {
					t.Errorf("SSO path %q, want %q", got, bu.Path+"/saml/sso")
				}
				b := w.browser("")
				for path, want := range map[string]int{
					"healthz": http.StatusOK, "readyz": http.StatusOK, "metrics": http.StatusOK,
					"saml/metadata": http.StatusOK, "saml/sp-metadata": http.StatusOK,
					"saml/acs": http.StatusMethodNotAllowed, "saml/nothing": http.StatusNotFound,
				} {
					if p := b.get(base + "/" + path); p.status != want {
						t.Errorf("GET %s/%s: HTTP %d, want %d", base, path, p.status, want)
					}
				}
				if suffix != "" && suffix != "/" {
					if p := b.get(w.bridgeSrv.URL + "/healthz"); p.status != http.StatusNotFound {
						t.Errorf("healthz outside the base path answered HTTP %d", p.status)
					}
				}
				bp, fp := w.login("lee", "")
				if fp.status != http.StatusOK {
					t.Fatalf("%s login at base %q: bridge HTTP %d, Flex HTTP %d\n%.600s", flavour, w.cfg.BaseURL, bp.status, fp.status, bp.body)
				}
				if got, _ := w.flex.Last(); got.Issuer != w.bridge.paths.idpMetadata.String() || !slices.Contains(got.Roles, "supervisor") {
					t.Errorf("%s: issuer %q, roles %q", flavour, got.Issuer, got.Roles)
				}
			}
		})
	}
}

// TestOddLoginsAsTheCoreReadsThem: every odd login of the project
// (internal/oddlogins) is granted or refused by the bridge as the policy
// decides, and a granted one reaches Flex with the email, full name and
// NameID that flexroles.ReadAsFlex reads: a blank first value is never
// what Flex is sent.
func TestOddLoginsAsTheCoreReadsThem(t *testing.T) {
	w := newWorld(t, nil)
	p, err := flexroles.LoadPolicyFile(w.cfg.Policy)
	if err != nil {
		t.Fatal(err)
	}
	for i, u := range oddUsers() {
		name := oddlogins.All()[i].Name
		nameID := u.Login // as the test IdP sends it: the email when it has one value
		if email := u.Attributes["email"]; len(email) == 1 {
			nameID = email[0]
		}
		login := flexroles.Login{Source: flexroles.SSO, Attributes: u.Attributes, Identity: nameID}
		read := p.ReadAsFlex(login)
		_, wantErr := p.Resolve(login)
		before := w.flex.Count()
		bp, fp := w.login(u.Login, "")
		if wantErr != nil {
			kind := flexroles.ErrorKindName(wantErr)
			if w.flex.Count() != before || bp.status != http.StatusForbidden || !strings.Contains(bp.body, kind) {
				t.Errorf("%s: the policy refuses it (%v), but the bridge answered HTTP %d and Flex accepted %d", name, wantErr, bp.status, w.flex.Count()-before)
			}
			continue
		}
		if fp.status != http.StatusOK {
			t.Errorf("%s: the policy grants it, but Flex's page is HTTP %d (bridge HTTP %d)\n%.400s", name, fp.status, bp.status, bp.body)
			continue
		}
		got, _ := w.flex.Last()
		if got.NameID != read.Email || !slices.Equal(got.Attributes["email"], []string{read.Email}) || !slices.Equal(got.Attributes["full_name"], []string{read.FullName}) {
			t.Errorf("%s: Flex received NameID %q, email %q, full_name %q; the core reads %q and %q", name, got.NameID, got.Attributes["email"], got.Attributes["full_name"], read.Email, read.FullName)
		}
	}
}
