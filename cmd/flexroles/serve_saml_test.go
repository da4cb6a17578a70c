package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles/cmd/flexroles/internal/playground"
	"github.com/flexroles/flexroles/sso/assertion"
)

// TestServeVerifiesWithMetadata checks that the playground given IdP
// metadata verifies a pasted SAMLResponse with the same verifier as saml,
// reads the login only from what is signed, and refuses what fails.
func TestServeVerifiesWithMetadata(t *testing.T) {
	key, cert := fixtureKey(t)
	fresh := samlFixture{
		xml: samlResponseXMLAt(fixtureIssuers[0], "ana.diaz@owlbank.example",
			samlAttr("roles", "agent,supervisor")+samlAttr("email", "ana.diaz@owlbank.example")+samlAttr("full_name", "Ana Diaz"),
			time.Now()),
	}
	signed := string(signFixture(t, fresh, key, cert))
	old := fresh
	old.xml = samlResponseXMLAt(fixtureIssuers[0], "ana.diaz@owlbank.example", samlAttr("roles", "agent"), time.Now().Add(-time.Hour))
	expired := string(signFixture(t, old, key, cert))
	// The fixtures' federation metadata, with this test's key.
	meta := strings.ReplaceAll(readFixture(t, "idp-metadata.xml"), fixtureCertificate(t), base64.StdEncoding.EncodeToString(cert.Raw))
	md, err := assertion.ParseMetadata([]byte(meta))
	require.NoError(t, err)
	start, err := playground.StartPolicy("")
	require.NoError(t, err)
	h, err := playground.New(start, true, nil, md)
	require.NoError(t, err)

	resolve := func(saml string) (decision map[string]any, attributes []any) {
		body, err := json.Marshal(map[string]any{"policy": start, "login": map[string]string{"source": "saml", "saml": saml}})
		require.NoError(t, err)
		r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8080/api/resolve", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		var out struct {
			Decision   map[string]any `json:"decision"`
			Attributes []any          `json:"attributes"`
		}
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out), w.Body.String())
		return out.Decision, out.Attributes
	}
	d, attrs := resolve(signed)
	assert.Equal(t, true, d["granted"], "%v", d)
	assert.Len(t, attrs, 3)

	for name, saml := range map[string]string{
		"tampered":          strings.Replace(signed, "agent,supervisor", "admin", 1),
		"expired":           expired,
		"another IdP's key": readFixture(t, "okta.txt"), // the fixtures' own key
		"spoofed issuer":    strings.Replace(signed, fixtureIssuers[0], "https://evil.example", 2),
	} {
		t.Run(name, func(t *testing.T) {
			d, _ := resolve(saml)
			assert.NotEqual(t, true, d["granted"], "%v", d)
			b, _ := json.Marshal(d)
			assert.Contains(t, string(b), "SAMLResponse")
		})
	}
}

// fixtureCertificate returns the base64 certificate of the committed
// metadata.
func fixtureCertificate(t *testing.T) string {
	s := readFixture(t, "idp-metadata.xml")
	i := strings.Index(s, "<ds:X509Certificate>") + len("<ds:X509Certificate>")
	return s[i : i+strings.Index(s[i:], "<")]
}
