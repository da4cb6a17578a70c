package flexroles_test

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles"
)

func TestLoginLogValue(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	l := flexroles.Login{Source: flexroles.SSO, Identity: "ana.diaz@example.com", Attributes: map[string][]string{
		"roles": {"supervisor", "wfo.team_leader"}, "email": {"ana.diaz@example.com"}, "full_name": {"Ana Diaz"},
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": {"ana.diaz@example.com"},
		"displayName": {"Ana Diaz"}, "department": {"Support"},
		"urn:oid:0.9.2342.19200300.100.1.3": {"ana.diaz@example.com"}, "upn": {"ana.diaz@corp.example.com"},
		"memberOf": {"CN=Ana Diaz,OU=People,DC=example,DC=com"},
	}}
	log.Info("login", "login", l)
	out := buf.String()
	assert.NotContains(t, out, "ana.diaz", "the email and identity are redacted")
	assert.NotContains(t, out, "Ana Diaz", "the full name is redacted")
	assert.Contains(t, out, `"source":"sso"`)
	assert.Contains(t, out, `"roles":["supervisor","wfo.team_leader"]`)
	assert.Contains(t, out, `"department":"[redacted: 1 values]"`, "other attributes show only how many values they have")
	assert.Contains(t, out, `"email":"[redacted: 1 values]"`)
	assert.Contains(t, out, `"identity":"[redacted]"`)

	buf.Reset()
	log.Info("login", "login", flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Support}})
	require.Contains(t, buf.String(), `"login":{"source":"console","console_roles":["Support"]}`)
}
