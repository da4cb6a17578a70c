package main

import (
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// samlJSON is what the tests read of saml --json.
type samlJSON struct {
	Signature      string   `json:"signature"`
	SignedElements []string `json:"signed_elements"`
	Verdict        struct {
		Accepted bool `json:"accepted"`
		Passed   int  `json:"passed"`
		Failed   int  `json:"failed"`
		NotRun   int  `json:"not_run"`
		Error    *struct{ Kind, Check, Message string }
	} `json:"verdict"`
	Checks []struct {
		Name, Outcome, Want, Got, Detail string
	} `json:"checks"`
	Response struct {
		Signed bool   `json:"signed"`
		Issuer string `json:"issuer"`
	} `json:"response"`
	AssertionSigned bool `json:"assertion_signed"`
	Missing         []struct {
		Attribute  string   `json:"attribute"`
		Candidates []string `json:"candidates"`
	} `json:"missing"`
	Decision *struct {
		Granted bool `json:"granted"`
	} `json:"decision"`
}

func samlJSONOf(t *testing.T, stdin string, args ...string) (int, samlJSON) {
	t.Helper()
	code, out, errOut := samlCLI(stdin, append([]string{"--json"}, args...)...)
	var got samlJSON
	require.NoError(t, json.Unmarshal([]byte(out), &got), out+errOut)
	return code, got
}

func outcomes(j samlJSON) map[string]string {
	m := map[string]string{}
	for _, c := range j.Checks {
		m[c.Name] = c.Outcome
	}
	return m
}

// TestSAMLChecks checks the flags that give the service provider's
// expectations: each check runs when it has something to compare with, the
// verdict counts them, and a failed check is never granted.
func TestSAMLChecks(t *testing.T) {
	okta := filepath.Join(samlData, "okta.txt")
	cases := []struct {
		name     string
		args     []string
		code     int
		outcomes map[string]string
		counts   [3]int
	}{
		{"no expectations", []string{"--idp-metadata", idpMetadata, "--now", fixtureNow}, exitGranted,
			map[string]string{"signature": "passed", "audience": "not run", "destination": "not run", "recipient": "not run", "validity": "passed"}, [3]int{5, 0, 4}},
		{"Flex legacy account", verifyArgs, exitGranted,
			map[string]string{"audience": "passed", "destination": "passed", "recipient": "passed", "in_response_to": "not run"}, [3]int{8, 0, 1}},
		{"another account", []string{"--idp-metadata", idpMetadata, "--now", fixtureNow, "--flex-account", "AC00000000000000000000000000000000"}, exitRefused,
			map[string]string{"audience": "failed", "destination": "failed", "recipient": "failed"}, [3]int{5, 3, 1}},
		{"Flex enhanced connection", []string{"--idp-metadata", idpMetadata, "--now", fixtureNow, "--flex-connection", "JQ0123456789abcdef0123456789abcdef"}, exitRefused,
			map[string]string{"audience": "failed"}, [3]int{5, 3, 1}},
		{"audience and ACS by hand", []string{"--idp-metadata", idpMetadata, "--now", fixtureNow, "--audience", fixtureACS + "/metadata", "--acs", fixtureACS, "--request-id", "_req"}, exitRefused,
			map[string]string{"audience": "passed", "in_response_to": "failed"}, [3]int{8, 1, 0}},
		{"expired: today's clock", []string{"--idp-metadata", idpMetadata, "--flex-account", fixtureAccount}, exitRefused,
			map[string]string{"validity": "failed"}, [3]int{7, 1, 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, got := samlJSONOf(t, "", append(tc.args, okta)...)
			assert.Equal(t, tc.code, code)
			assert.Equal(t, "valid", got.Signature, "a failed check does not hide a valid signature")
			o := outcomes(got)
			for name, want := range tc.outcomes {
				assert.Equal(t, want, o[name], name)
			}
			assert.Equal(t, tc.counts, [3]int{got.Verdict.Passed, got.Verdict.Failed, got.Verdict.NotRun})
			if tc.counts[1] > 0 {
				assert.False(t, got.Verdict.Accepted)
				assert.Nil(t, got.Decision, "a response that fails a check is not decided")
			}
			code, out, _ := samlCLI("", append(tc.args, okta)...)
			assert.Equal(t, tc.code, code)
			assert.Regexp(t, `verdict: [A-Za-z ]+: \d+ checks passed, \d+ failed, \d+ not run`, out)
			if tc.counts[1] > 0 {
				assert.NotContains(t, out, "granted")
			}
		})
	}
}

func TestSAMLFlagErrors(t *testing.T) {
	okta := filepath.Join(samlData, "okta.txt")
	for _, args := range [][]string{
		{"--flex-account", "AC123"},
		{"--flex-account", "JQ0123456789abcdef0123456789abcdef"},
		{"--flex-connection", "AC0123456789abcdef0123456789abcdef"},
		{"--flex-account", fixtureAccount, "--flex-connection", "JQ0123456789abcdef0123456789abcdef"},
		{"--now", "yesterday"},
	} {
		code, out, errOut := samlCLI("", append(args, okta)...)
		assert.Equal(t, exitUsage, code, "%v", args)
		assert.Empty(t, out)
		assert.Contains(t, errOut, "flexroles: saml:", "%v", args)
	}
}

// TestSAMLShowsOnlySignedAsTrusted checks that the Response around an
// Assertion-only signature is labelled unsigned, and that the issuer shown
// is the signed Assertion's.
func TestSAMLShowsOnlySignedAsTrusted(t *testing.T) {
	entra := fixtureXML(t, "entra.txt") // only the Assertion is signed
	forged := strings.Replace(entra, `<saml:Issuer>https://sts.windows.net/`, `<saml:Issuer>https://evil.example/`, 1)
	code, got := samlJSONOf(t, forged, verifyArgs...)
	assert.Equal(t, exitRefused, code)
	assert.Equal(t, []string{"Assertion"}, got.SignedElements)
	assert.False(t, got.Response.Signed)
	assert.True(t, got.AssertionSigned)
	assert.Equal(t, "https://evil.example/0b6a7d7e-1f2e-4c3d-9a8b-7c6d5e4f3a2b/", got.Response.Issuer)
	assert.Equal(t, "failed", outcomes(got)["issuer"], "the unsigned Response Issuer disagrees with the signed one")

	_, out, _ := samlCLI(forged, verifyArgs...)
	assert.Contains(t, out, "Response, unsigned (outside the signed Assertion)")
	assert.Contains(t, out, "Assertion, signed:")
}

// TestSAMLMissingAttributesAtOnce checks that every missing Flex attribute
// is named in one run, each with the rename that fixes it.
func TestSAMLMissingAttributesAtOnce(t *testing.T) {
	xml := samlResponseXML(fixtureIssuers[0], "ada@example.com",
		samlAttr("urn:oid:0.9.2342.19200300.100.1.3", "ada@example.com")+
			samlAttr("urn:oid:2.16.840.1.113730.3.1.241", "Ada Lovelace")+
			samlAttr("http://schemas.microsoft.com/ws/2008/06/identity/claims/role", "agent"))
	code, got := samlJSONOf(t, xml)
	assert.Equal(t, exitRefused, code)
	var missing []string
	for _, m := range got.Missing {
		missing = append(missing, m.Attribute+"<-"+strings.Join(m.Candidates, ","))
	}
	assert.Equal(t, []string{
		"roles<-http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
		"email<-urn:oid:0.9.2342.19200300.100.1.3",
		"full_name<-urn:oid:2.16.840.1.113730.3.1.241",
	}, missing)
	_, out, _ := samlCLI(xml)
	assert.Contains(t, out, `email: rename "urn:oid:0.9.2342.19200300.100.1.3" to "email"`)
	assert.Contains(t, out, `full_name: rename "urn:oid:2.16.840.1.113730.3.1.241" to "full_name"`)
}

// TestSAMLFormBody checks that a whole form body, RelayState and all, is
// read.
func TestSAMLFormBody(t *testing.T) {
	xml := fixtureXML(t, "okta.txt")
	body := "RelayState=https%3A%2F%2Fflex.twilio.com%2Fowlbank&SAMLResponse=" +
		strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(base64.StdEncoding.EncodeToString([]byte(xml)))
	code, got := samlJSONOf(t, body, verifyArgs...)
	assert.Equal(t, exitGranted, code)
	assert.Equal(t, "valid", got.Signature)
	require.NotNil(t, got.Decision)
	assert.True(t, got.Decision.Granted)
}

// TestSAMLNamesTheFlags checks that a check with nothing to compare with,
// and an expired capture, name the flag that fixes them: the verifier
// speaks of expectations, the command of its flags.
func TestSAMLNamesTheFlags(t *testing.T) {
	okta := filepath.Join(samlData, "okta.txt")
	details := func(args ...string) map[string]string {
		_, got := samlJSONOf(t, "", append(args, okta)...)
		m := map[string]string{}
		for _, c := range got.Checks {
			m[c.Name] = c.Detail
		}
		return m
	}
	d := details("--idp-metadata", idpMetadata, "--now", fixtureNow)
	assert.Contains(t, d["audience"], "give --flex-account, --flex-connection or --audience")
	assert.Contains(t, d["destination"], "give --flex-account, --flex-connection or --acs")
	assert.Contains(t, d["recipient"], "give --flex-account, --flex-connection or --acs")
	assert.Contains(t, d["in_response_to"], "give --request-id")
	assert.NotContains(t, d["validity"], "--now", "a validity check that passed needs no flag")
	d = details("--idp-metadata", idpMetadata, "--flex-account", fixtureAccount)
	assert.Contains(t, d["validity"], "give --now for an old capture")
	assert.NotContains(t, d["audience"], "give --", "a check that ran needs no flag")
}
