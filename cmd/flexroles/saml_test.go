package main

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// samlCLI runs "flexroles saml args..." with stdin.
func samlCLI(stdin string, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(append([]string{"saml"}, args...), strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

var idpMetadata = filepath.Join(samlData, "idp-metadata.xml")

// verifyArgs verify a fixture as Flex's legacy SSO of fixtureAccount would,
// at the time it was issued.
var verifyArgs = []string{"--idp-metadata", idpMetadata, "--flex-account", fixtureAccount, "--now", fixtureNow}

// TestSAMLFixturesExplained checks what saml says of each IdP's claim shape,
// with the signature checked and not.
func TestSAMLFixturesExplained(t *testing.T) {
	cases := []struct {
		file     string
		code     int
		roles    []string // granted roles, nil when refused
		kind     string   // refusal kind
		mapped   map[string]string
		contains []string
		reason   string
	}{
		{
			file: "okta.txt", code: exitGranted, roles: []string{"supervisor", "agent", "wfo.team_leader"},
			mapped:   map[string]string{"roles": "roles", "email": "email", "full_name": "full_name", "department": "worker"},
			contains: []string{"(one value: split on commas)", "sso.roles.split", "contact_uri: client:ana_2Ediaz_40owlbank_2Eexample"},
			reason:   "Okta joins a string-array profile attribute into one comma-separated value (SPEC §3)",
		},
		{
			file: "entra.txt", code: exitRefused, kind: "missing_attribute",
			mapped: map[string]string{
				"http://schemas.microsoft.com/ws/2008/06/identity/claims/role":       "ignored",
				"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": "ignored",
				"http://schemas.microsoft.com/identity/claims/tenantid":              "worker",
			},
			contains: []string{`rename it to "roles"`, `rename it to "email"`, "code: 45050"},
			reason:   "Entra ID's default namespaced claims are not mapped: 45050, with the rename (SPEC §3)",
		},
		{
			file: "google.txt", code: exitGranted, roles: []string{"supervisor", "wfo.data_analyst"},
			mapped:   map[string]string{"roles": "roles", "groups": "worker"},
			contains: []string{`roles = "supervisor", "wfo.data_analyst"`, "(status Success)"},
			reason:   "Google Workspace sends a multi-value custom attribute as several AttributeValues",
		},
	}
	for _, tc := range cases {
		for _, verify := range []bool{false, true} {
			name := tc.file
			args := []string{filepath.Join(samlData, tc.file)}
			if verify {
				name += "/verified"
				args = append(append([]string{}, verifyArgs...), args...)
			}
			t.Run(name, func(t *testing.T) {
				code, out, errOut := samlCLI("", args...)
				require.Equal(t, tc.code, code, "%s\n%s%s", tc.reason, out, errOut)
				for _, c := range tc.contains {
					assert.Contains(t, out, c, tc.reason)
				}
				if verify {
					assert.Contains(t, out, "signature: valid")
					assert.Contains(t, out, "verdict: verified: 8 checks passed, 0 failed, 1 not run")
				} else {
					assert.Contains(t, out, "signature: NOT CHECKED")
				}

				code, out, _ = samlCLI("", append([]string{"--json"}, args...)...)
				require.Equal(t, tc.code, code)
				var got struct {
					Signature  string `json:"signature"`
					ContactURI string `json:"contact_uri"`
					Attributes []struct {
						Name, Flex, Rename string
						Values             []string
					} `json:"attributes"`
					Decision struct {
						Granted bool     `json:"granted"`
						Roles   []string `json:"roles"`
						Error   struct {
							Kind string `json:"kind"`
						} `json:"error"`
					} `json:"decision"`
				}
				require.NoError(t, json.Unmarshal([]byte(out), &got), out)
				assert.Equal(t, map[bool]string{true: "valid", false: "not_checked"}[verify], got.Signature)
				assert.Equal(t, tc.roles, got.Decision.Roles, tc.reason)
				assert.Equal(t, tc.kind, got.Decision.Error.Kind, tc.reason)
				flex := map[string]string{}
				for _, a := range got.Attributes {
					flex[a.Name] = a.Flex
					assert.NotNil(t, a.Values, "values is never null")
				}
				for n, want := range tc.mapped {
					assert.Equal(t, want, flex[n], "what Flex does with %s", n)
				}
			})
		}
	}
}

// fixtureXML returns the XML of a fixture, undoing its encoding.
func fixtureXML(t *testing.T, file string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(samlData, file))
	require.NoError(t, err)
	s := strings.TrimSpace(string(b))
	for _, f := range samlFixtures {
		if f.file != file {
			continue
		}
		if f.urlEncoded {
			s = strings.TrimPrefix(s, "SAMLResponse=")
			s = strings.NewReplacer("%2B", "+", "%2F", "/", "%3D", "=").Replace(s)
		}
		raw, err := base64.StdEncoding.DecodeString(s)
		require.NoError(t, err)
		if f.deflated {
			var out bytes.Buffer
			_, err := out.ReadFrom(flate.NewReader(bytes.NewReader(raw)))
			require.NoError(t, err)
			raw = out.Bytes()
		}
		return string(raw)
	}
	t.Fatalf("no fixture %s", file)
	return ""
}

// TestSAMLSignature checks that a changed or unsigned response is refused
// once the IdP's metadata is given.
func TestSAMLSignature(t *testing.T) {
	okta := fixtureXML(t, "okta.txt")
	google := fixtureXML(t, "google.txt")
	require.Contains(t, okta, "agent,supervisor,wfo.team_leader")
	cases := []struct {
		name, xml string
		args      []string
		code      int
		contains  string
	}{
		{"tampered assertion", strings.Replace(okta, "agent,supervisor,wfo.team_leader", "admin", 1), nil, exitRefused, "signature: INVALID"},
		{"tampered response", strings.Replace(google, "wfo.data_analyst", "wfo.full_access", 1), nil, exitRefused, "signature: INVALID"},
		{"signature removed", regexp.MustCompile(`(?s)<ds:Signature.*</ds:Signature>`).ReplaceAllString(okta, ""), nil, exitRefused, "neither the Response nor its Assertion is signed"},
		{"another IdP's certificate", okta, []string{"--idp-metadata", filepath.Join(samlData, "other-idp.pem")}, exitRefused, "signature: INVALID"},
		{"untouched", okta, nil, exitGranted, "signature: valid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if args == nil {
				args = verifyArgs
			}
			code, out, errOut := samlCLI(base64.StdEncoding.EncodeToString([]byte(tc.xml)), args...)
			assert.Equal(t, tc.code, code, out+errOut)
			assert.Contains(t, out+errOut, tc.contains)
			if tc.code == exitRefused {
				assert.NotContains(t, out, "granted", "nothing from a bad signature is resolved")
			}
		})
	}
}

// TestSAMLBadInput checks that input that is not a SAML response is
// refused with a clear message, exit 2 and nothing on stdout; and that a
// response in a shape no IdP sends is refused before any signature check,
// exit 1.
func TestSAMLBadInput(t *testing.T) {
	okta := fixtureXML(t, "okta.txt")
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	assertion := okta[strings.Index(okta, "<saml:Assertion"):strings.Index(okta, "</samlp:Response>")]
	unreadable := []struct{ name, in, contains string }{
		{"empty", "", "the SAMLResponse is empty"},
		{"not base64", "this is not a SAML response!", "not valid base64"},
		{"truncated base64", b64(okta)[:101], "cut short"},
		{"10 MB response", strings.Repeat("A", 10<<20), "over the limit"},
		{"malformed XML", b64(okta[:len(okta)/2]), "not well-formed"},
		{"deflated garbage", base64.StdEncoding.EncodeToString([]byte{0x78, 0x9c, 0xff, 0x00, 0x13}), "neither XML nor deflated XML"},
	}
	for _, tc := range unreadable {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := samlCLI(tc.in)
			assert.Equal(t, exitUsage, code, errOut)
			assert.Empty(t, out)
			assert.Contains(t, errOut, tc.contains)
			assert.True(t, strings.HasPrefix(errOut, "flexroles: saml: "), errOut)
		})
	}
	refused := []struct{ name, in, contains string }{
		{"XML that is not SAML", b64(`<html><body>login</body></html>`), "want a SAML 2.0 Response"},
		{"DOCTYPE with entities", b64(`<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "y">]>` + okta), "DOCTYPE"},
		{"billion laughs", b64(`<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&lol2;</samlp:Response>`), "DOCTYPE"},
		{"several assertions", b64(strings.Replace(strings.Replace(okta, "</samlp:Response>", assertion+"</samlp:Response>", 1), `ID="_assert1"`, `ID="_assert2"`, 1)), "several assertions"},
		{"no assertion", b64(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Requester"/></samlp:Status></samlp:Response>`), "the IdP answered Requester"},
		{"encrypted assertion", b64(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"><saml:EncryptedAssertion/></samlp:Response>`), "encrypted"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := samlCLI(tc.in)
			assert.Equal(t, exitRefused, code, errOut)
			assert.Contains(t, out, tc.contains)
			assert.NotContains(t, out, "granted")
			code, out, _ = samlCLI(tc.in, "--json")
			assert.Equal(t, exitRefused, code)
			var got struct {
				Signature string `json:"signature"`
				Verdict   struct {
					Accepted bool `json:"accepted"`
				} `json:"verdict"`
				Decision any `json:"decision"`
			}
			require.NoError(t, json.Unmarshal([]byte(out), &got), out)
			assert.NotEqual(t, "valid", got.Signature)
			assert.False(t, got.Verdict.Accepted)
			assert.Nil(t, got.Decision, "nothing is decided for a refused response")
		})
	}
}

// TestSAMLAttributeWithNoValue checks that an attribute sent with no value
// is shown as such and counts as missing for Flex.
func TestSAMLAttributeWithNoValue(t *testing.T) {
	xml := strings.Replace(fixtureXML(t, "google.txt"), "Chen Li", "", 1)
	code, out, _ := samlCLI(xml)
	assert.Equal(t, exitRefused, code, out)
	assert.Contains(t, out, `full_name = ""`)
	assert.Contains(t, out, "code: 45050")

	empty := regexp.MustCompile(`(?s)(<saml:Attribute Name="full_name"[^>]*>).*?(</saml:Attribute>)`).ReplaceAllString(xml, "$1$2")
	code, out, _ = samlCLI(empty)
	assert.Equal(t, exitRefused, code, out)
	assert.Contains(t, out, "full_name = (no value)")
}

// TestSAMLEncodings checks the forms people copy a SAMLResponse in.
func TestSAMLEncodings(t *testing.T) {
	xml := fixtureXML(t, "okta.txt")
	std := base64.StdEncoding.EncodeToString([]byte(xml))
	var wrapped strings.Builder
	for i := 0; i < len(std); i += 76 {
		wrapped.WriteString(std[i:min(i+76, len(std))] + "\n")
	}
	for name, in := range map[string]string{
		"XML":           xml,
		"base64":        std,
		"wrapped":       wrapped.String(),
		"URL alphabet":  base64.RawURLEncoding.EncodeToString([]byte(xml)),
		"URL-encoded":   strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(std),
		"form body":     "SAMLResponse=" + strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(std),
		"deflated file": readFixture(t, "google.txt"),
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := samlCLI(in)
			assert.Equal(t, exitGranted, code, errOut)
			assert.Contains(t, out, "granted")
		})
	}
}

func readFixture(t *testing.T, file string) string {
	b, err := os.ReadFile(filepath.Join(samlData, file))
	require.NoError(t, err)
	return string(b)
}

func TestIdPConfig(t *testing.T) {
	for _, idp := range []string{"okta", "entra", "google"} {
		for _, policy := range []string{"", "../../examples/policy.yaml"} {
			t.Run(idp+"/"+policy, func(t *testing.T) {
				args := []string{"idp-config", "--idp", idp}
				if policy != "" {
					args = append(args, "--policy", policy)
				}
				var out, errOut bytes.Buffer
				require.Equal(t, exitOK, run(args, strings.NewReader(""), &out, &errOut), errOut.String())
				s := out.String()
				for _, name := range []string{"roles", "email", "full_name"} {
					pattern := `(?m)^  ` + name + ` `
					if idp == "google" {
						pattern = `(?m)→  ` + name + `\b`
					}
					assert.Regexp(t, pattern, s, "the exact attribute name %s", name)
				}
				assert.NotContains(t, s, "schemas.xmlsoap.org", "no namespaced claim is suggested")
				if policy != "" {
					assert.Contains(t, s, "department")
					assert.Contains(t, s, "groups")
				}
			})
		}
	}
}

// TestIdPConfigEntraAppRoles checks the app roles JSON: one per role,
// stable ids that differ between roles.
func TestIdPConfigEntraAppRoles(t *testing.T) {
	appRoles := func(args ...string) []entraAppRole {
		var out bytes.Buffer
		require.Equal(t, exitOK, run(append([]string{"idp-config", "--idp", "entra"}, args...), strings.NewReader(""), &out, &bytes.Buffer{}))
		s := out.String()
		var roles []entraAppRole
		require.NoError(t, json.Unmarshal([]byte(s[strings.Index(s, "\n[")+1:]), &roles))
		return roles
	}
	all := appRoles()
	require.Len(t, all, 10, "admin, supervisor, agent and the seven wfo.* roles")
	ids := map[string]bool{}
	for _, r := range all {
		assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, r.ID, "a version 5 UUID")
		assert.Equal(t, r.Value, r.DisplayName)
		ids[r.ID] = true
	}
	assert.Len(t, ids, 10, "ids differ between roles")
	policy := appRoles("--policy", "../../examples/policy.yaml")
	require.Len(t, policy, 6, "the policy's sso.allow")
	for _, r := range policy {
		for _, a := range all {
			if a.Value == r.Value {
				assert.Equal(t, a.ID, r.ID, "the id of %s does not depend on the policy", r.Value)
			}
		}
	}

	var errOut bytes.Buffer
	assert.Equal(t, exitUsage, run([]string{"idp-config", "--idp", "ping"}, strings.NewReader(""), &bytes.Buffer{}, &errOut))
	assert.Contains(t, errOut.String(), "want okta, entra or google")
}

// TestSAMLWithPolicy checks that --policy decides through the policy: the
// Okta user's department is Sales, so a policy that denies Sales refuses
// the login the platform rules alone grant.
func TestSAMLWithPolicy(t *testing.T) {
	dir := t.TempDir()
	policy := filepath.Join(dir, "policy.yaml")
	require.NoError(t, os.WriteFile(policy, []byte("version: 1\nsso:\n  deny:\n    - name: sales\n      when: {attribute: department, equals: Sales}\n"), 0o644))
	okta := filepath.Join(samlData, "okta.txt")

	code, _, errOut := samlCLI("", okta)
	require.Equal(t, exitGranted, code, errOut)

	code, out, errOut := samlCLI("", "--policy", policy, okta)
	assert.Equal(t, exitRefused, code, errOut)
	assert.Contains(t, out, "refused: denied")
	assert.Contains(t, out, `deny rule "sales"`)

	code, _, errOut = samlCLI("", "--policy", filepath.Join(dir, "missing.yaml"), okta)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "missing.yaml")
}
