package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/cmd/flexroles/internal/playground"
	"github.com/flexroles/flexroles/internal/oddlogins"
)

// TestOddLoginsOneAnswer feeds every odd login of the project
// (internal/oddlogins) to the saml debugger and to the playground, and
// requires of each what flexroles.ReadAsFlex reads: the attributes
// missing and the contact_uri (saml), and the same reading and decision
// (playground).
func TestOddLoginsOneAnswer(t *testing.T) {
	policyText, err := os.ReadFile(examplePolicy)
	require.NoError(t, err)
	p, err := flexroles.LoadPolicy(bytes.NewReader(policyText))
	require.NoError(t, err)
	h, err := playground.New(string(policyText), true, nil, nil)
	require.NoError(t, err)
	dir := t.TempDir()
	for i, ol := range oddlogins.All() {
		names := make([]string, 0, len(ol.Attributes))
		for name := range ol.Attributes {
			names = append(names, name)
		}
		slices.Sort(names)
		login := flexroles.Login{Source: flexroles.SSO, Attributes: ol.Attributes, Identity: ol.NameID}
		read := p.ReadAsFlex(login)

		// flexroles saml, on the claims as they stand (no metadata).
		var statement string
		for _, name := range names {
			statement += samlAttr(name, ol.Attributes[name]...)
		}
		file := filepath.Join(dir, "odd"+string(rune('a'+i))+".xml")
		require.NoError(t, os.WriteFile(file, []byte(samlResponseXML("https://idp.example.com", ol.NameID, statement)), 0o600))
		_, stdout, stderr := cli("saml", "--json", "--policy", examplePolicy, file)
		var out struct {
			ContactURI string `json:"contact_uri"`
			Missing    []struct {
				Attribute  string   `json:"attribute"`
				Candidates []string `json:"candidates"`
			} `json:"missing"`
		}
		require.NoError(t, json.Unmarshal([]byte(stdout), &out), "%s: %s%s", ol.Name, stdout, stderr)
		var wantURI string
		if read.Identity != "" {
			wantURI = flexroles.ContactURI(read.Identity)
		}
		assert.Equal(t, wantURI, out.ContactURI, "%s: saml's contact_uri", ol.Name)
		require.Len(t, out.Missing, len(read.Missing), "%s: saml's missing attributes", ol.Name)
		for j, m := range read.Missing {
			assert.Equal(t, m.Name, out.Missing[j].Attribute, "%s", ol.Name)
			assert.Equal(t, append([]string{}, m.Candidates...), out.Missing[j].Candidates, "%s", ol.Name)
		}

		// The playground, on the same attributes.
		var rows []map[string]string
		for _, name := range names {
			for _, v := range ol.Attributes[name] {
				rows = append(rows, map[string]string{"name": name, "value": v})
			}
		}
		body, err := json.Marshal(map[string]any{"policy": string(policyText), "login": map[string]any{"source": "sso", "attributes": rows}})
		require.NoError(t, err)
		r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8080/api/resolve", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		var answer struct {
			Flex     flexroles.FlexRead `json:"flex"`
			Decision struct {
				Granted bool `json:"granted"`
			} `json:"decision"`
		}
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &answer))
		withoutNameID := p.ReadAsFlex(flexroles.Login{Source: flexroles.SSO, Attributes: ol.Attributes})
		assert.Equal(t, withoutNameID, answer.Flex, "%s: the playground's reading", ol.Name)
		_, rerr := p.Resolve(login)
		assert.Equal(t, rerr == nil, answer.Decision.Granted, "%s: the playground's decision", ol.Name)
	}
}
