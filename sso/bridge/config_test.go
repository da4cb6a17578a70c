package bridge

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const goodConfig = `policy: policy.yaml
listen: 127.0.0.1:9000
base_url: https://flex-sso.example.com
upstream:
  metadata_url: https://idp.example.com/metadata
  refresh: 30m
  allow_idp_initiated: true
flex:
  connection: JQ0123456789abcdef0123456789abcdef
  region: ie1
keys:
  key: bridge.key
  certificate: bridge.crt
  next_certificate: next.crt
pass_through:
  department: department
  skill.int: skill
clock_skew: 1m
state_ttl: 5m
replay_cache_size: 5000
`

func TestLoadConfig(t *testing.T) {
	cfg, err := LoadConfig(strings.NewReader(goodConfig))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Upstream.Refresh != 30*time.Minute || !cfg.Upstream.AllowIDPInitiated || cfg.Flex.Region != "ie1" ||
		cfg.PassThrough["skill.int"] != "skill" || cfg.ClockSkew != time.Minute || cfg.StateTTL != 5*time.Minute ||
		cfg.ReplayCacheSize != 5000 || cfg.Keys.NextCertificate != "next.crt" || cfg.Listen != "127.0.0.1:9000" {
		t.Errorf("LoadConfig read %+v", cfg)
	}
}

// TestLoadConfigOperations: policy_reload and shutdown_delay are read as
// durations; left out, reload is off (SIGHUP only) and the drain is 5s; a
// zero or a word is an error at its line.
func TestLoadConfigOperations(t *testing.T) {
	cfg, err := LoadConfig(strings.NewReader(goodConfig + "policy_reload: 30s\nshutdown_delay: 12s\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.PolicyReload != 30*time.Second || cfg.ShutdownDelay != 12*time.Second {
		t.Errorf("policy_reload %v, shutdown_delay %v; want 30s, 12s", cfg.PolicyReload, cfg.ShutdownDelay)
	}
	cfg, err = LoadConfig(strings.NewReader(goodConfig))
	if err != nil {
		t.Fatal(err)
	}
	if d := cfg.withDefaults(); d.PolicyReload != 0 || d.ShutdownDelay != 5*time.Second {
		t.Errorf("defaults: policy_reload %v, shutdown_delay %v; want 0 (off), 5s", d.PolicyReload, d.ShutdownDelay)
	}
	lines := strings.Count(goodConfig, "\n")
	_, err = LoadConfig(strings.NewReader(goodConfig + "policy_reload: 0s\nshutdown_delay: soon\n"))
	for _, want := range []string{
		strconv.Itoa(lines+1) + ":16: policy_reload: expected a positive duration",
		strconv.Itoa(lines+2) + ":17: shutdown_delay: expected a positive duration",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadConfig = %v; want %q", err, want)
		}
	}
}

// TestLoadConfigStrict: every problem is reported, with its line and
// column, as in policies.
func TestLoadConfigStrict(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       []string // "line:column: field: message" prefixes, in order
	}{
		{"unknown keys", strings.Replace(strings.Replace(goodConfig, "  refresh: 30m", "  refesh: 30m", 1), "clock_skew: 1m", "clockskew: 1m", 1),
			[]string{`6:3: upstream.refesh: unknown key (did you mean "refresh"?)`, `18:1: clockskew: unknown key (did you mean "clock_skew"?)`}},
		{"unknown key far from any", strings.Replace(goodConfig, "clock_skew: 1m", "colour: blue", 1),
			[]string{"18:1: colour: unknown key; known here: policy,"}},
		{"upstream without metadata", strings.Replace(goodConfig, "  metadata_url: https://idp.example.com/metadata\n", "", 1),
			[]string{"5:3: upstream: names no metadata: add metadata_url"}},
		{"upstream with both", strings.Replace(goodConfig, "  refresh: 30m", "  metadata_file: idp.xml", 1),
			[]string{"5:3: upstream: names both metadata_file and metadata_url"}},
		{"account of the wrong length", strings.Replace(goodConfig, "connection: JQ0123456789abcdef0123456789abcdef", "account: AC0123456789abcdef0123456789abcde", 1),
			[]string{"9:12: flex.account: this value has 33 characters, not 34"}},
		{"connection ID as the account", strings.Replace(goodConfig, "connection: JQ", "account: JQ", 1),
			[]string{"9:12: flex.account: this value starts with JQ"}},
		{"bad values", strings.Replace(strings.Replace(goodConfig, "refresh: 30m", "refresh: soon", 1), "allow_idp_initiated: true", "allow_idp_initiated: yes", 1),
			[]string{"6:12: upstream.refresh: expected a positive duration", "7:24: upstream.allow_idp_initiated: expected true or false"}},
		{"missing", "listen: 127.0.0.1:1\n",
			[]string{"1:1: policy: missing", "1:1: base_url: missing", "1:1: upstream: missing", "1:1: flex: missing", "1:1: keys.key: missing", "1:1: keys.certificate: missing"}},
		{"twice", goodConfig + "policy: other.yaml\n", []string{"21:1: policy: appears twice"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadConfig(strings.NewReader(tc.yaml))
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *ConfigError", err)
			}
			if len(ce.Issues) != len(tc.want) {
				t.Fatalf("issues:\n%v\nwant %d", err, len(tc.want))
			}
			for i, is := range ce.Issues {
				got := strconv.Itoa(is.Line) + ":" + strconv.Itoa(is.Column) + ": " + is.Field + ": " + is.Message
				if !strings.HasPrefix(got, tc.want[i]) {
					t.Errorf("issue %d = %q, want prefix %q", i, got, tc.want[i])
				}
			}
		})
	}
}

func TestFlexTarget(t *testing.T) {
	for _, tc := range []struct {
		target           FlexTarget
		acs, aud, errHas string
	}{
		{FlexTarget{Account: testAccount}, "https://iam.twilio.com/v1/Accounts/" + testAccount + "/saml2", "https://iam.twilio.com/v1/Accounts/" + testAccount + "/saml2/metadata", ""},
		{FlexTarget{Connection: "JQ0123456789abcdef0123456789abcdef"}, "https://login.flex.us1.twilio.com/login/callback?connection=JQ0123456789abcdef0123456789abcdef", "urn:flex:JQ0123456789abcdef0123456789abcdef", ""},
		{FlexTarget{Connection: "JQ0123456789abcdef0123456789abcdef", Region: "ie1"}, "https://login.flex.ie1.twilio.com/login/callback?connection=JQ0123456789abcdef0123456789abcdef", "urn:flex:JQ0123456789abcdef0123456789abcdef", ""},
		{FlexTarget{Account: testAccount, ACSURL: "http://127.0.0.1:9000"}, "http://127.0.0.1:9000/v1/Accounts/" + testAccount + "/saml2", "https://iam.twilio.com/v1/Accounts/" + testAccount + "/saml2/metadata", ""},
		{FlexTarget{Account: "AC123"}, "", "", "flex.account: this value has 5 characters, not 34"},
		{FlexTarget{Account: "AC0123456789abcdef0123456789abcdeg"}, "", "", "flex.account: character 34 is not a hex digit"},
		{FlexTarget{Account: "JQ0123456789abcdef0123456789abcdef"}, "", "", "goes under flex.connection"},
		{FlexTarget{Connection: testAccount}, "", "", "goes under flex.account"},
		{FlexTarget{Connection: "0123456789abcdef0123456789abcdef"}, "", "", "flex.connection: this value does not start with JQ"},
		{FlexTarget{Account: testAccount, Connection: "JQ0123456789abcdef0123456789abcdef"}, "", "", "not both"},
		{FlexTarget{Connection: "JQ0123456789abcdef0123456789abcdef", Region: "Europe"}, "", "", "not a Twilio region"},
		{FlexTarget{Account: testAccount, Region: "ie1"}, "", "", "applies to enhanced SSO"},
		{FlexTarget{Account: testAccount, ACSURL: "http://127.0.0.1:9000/steal"}, "", "", "scheme and host only"},
		{FlexTarget{}, "", "", "give account"},
	} {
		sp, err := tc.target.resolve()
		if tc.errHas != "" {
			if err == nil || !strings.Contains(err.Error(), tc.errHas) {
				t.Errorf("%+v: err = %v, want one saying %q", tc.target, err, tc.errHas)
			}
			continue
		}
		if err != nil || sp.acs != tc.acs || sp.audience != tc.aud {
			t.Errorf("%+v: %+v, %v; want ACS %s, audience %s", tc.target, sp, err, tc.acs, tc.aud)
		}
	}
}

// TestNewReportsEveryProblem: every part that does not load is named in one
// run, so that an operator fixes them all before starting again.
func TestNewReportsEveryProblem(t *testing.T) {
	w := newWorld(t, nil)
	cfg := w.cfg
	dir := t.TempDir()
	cfg.Policy = filepath.Join(dir, "policy.yaml")
	cfg.Keys.Certificate = filepath.Join(dir, "bridge.crt")
	cfg.Upstream = Upstream{MetadataFile: filepath.Join(dir, "idp.xml")}
	cfg.Flex.Account = "AC123"
	cfg.BaseURL = "http://flex-sso.example.com"
	_, err := New(context.Background(), cfg, nil)
	if err == nil {
		t.Fatal("New started with five problems")
	}
	for _, want := range []string{"base_url", "flex.account", "policy.yaml", "keys.certificate", "upstream.metadata_file"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not name %s:\n%v", want, err)
		}
	}
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file is not os.ErrNotExist through the joined error: %v", err)
	}
	if n := strings.Count("\n"+err.Error(), "\nflexroles: "); n != 5 {
		t.Errorf("%d problems, want 5, each on a line of its own:\n%v", n, err)
	}
}

// TestNewRefuses: the bridge starts only when every part loads, and the
// error names the part.
func TestNewRefuses(t *testing.T) {
	w := newWorld(t, nil)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024) //nolint:gosec // G403: the key the bridge must refuse
	if err != nil {
		t.Fatal(err)
	}
	smallKey := write("small.key", string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(small)})))
	_, otherCert := keyPair(t, 2)
	otherCertPath := write("other.crt", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: otherCert.Raw})))
	for _, tc := range []struct {
		name string
		edit func(c *Config)
		want string
	}{
		{"policy missing", func(c *Config) { c.Policy = filepath.Join(dir, "nope.yaml") }, "nope.yaml"},
		{"policy invalid", func(c *Config) { c.Policy = write("bad.yaml", "version: 1\nsso: {rules: [{grant: [agnet]}]}\n") }, "invalid policy"},
		{"base URL plain http", func(c *Config) { c.BaseURL = "http://flex-sso.example.com" }, "must be https"},
		{"key too small", func(c *Config) { c.Keys.Key = smallKey }, "1024-bit key"},
		{"certificate of another key", func(c *Config) { c.Keys.Certificate = otherCertPath }, "is not the certificate of keys.key"},
		{"no metadata", func(c *Config) { c.Upstream = Upstream{} }, "give metadata_file or metadata_url"},
		{"metadata unreachable", func(c *Config) { c.Upstream = Upstream{MetadataURL: w.idpSrv.URL + "/nothing"} }, "answered HTTP 404"},
		{"metadata not XML", func(c *Config) { c.Upstream = Upstream{MetadataFile: write("md.xml", "hello")} }, "upstream metadata"},
		{"pass-through of roles", func(c *Config) { c.PassThrough = map[string]string{"roles": "groups"} }, "the bridge sends roles itself"},
		{"clock skew", func(c *Config) { c.ClockSkew = time.Hour }, "more than 3m"},
		{"state key", func(c *Config) { c.Keys.StateKey = write("state.key", "short") }, "32 random bytes"},
		{"negative replay cache", func(c *Config) { c.ReplayCacheSize = -1 }, "replay_cache_size is negative"},
		{"negative verifications", func(c *Config) { c.MaxVerifications = -1 }, "max_verifications is negative"},
		{"negative state TTL", func(c *Config) { c.StateTTL = -time.Minute }, "state_ttl is negative"},
		{"certificate as metadata", func(c *Config) { c.Upstream = Upstream{MetadataFile: otherCertPath} }, "is a PEM certificate, not SAML metadata"},
		{"key file too large", func(c *Config) { c.Keys.Key = write("huge.key", strings.Repeat("A", maxKeyFile+1)) }, "larger than 1048576 bytes"},
		{"negative policy reload", func(c *Config) { c.PolicyReload = -time.Second }, "policy_reload is negative"},
		{"negative shutdown delay", func(c *Config) { c.ShutdownDelay = -time.Second }, "shutdown_delay is negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := w.cfg
			cfg.PassThrough = nil
			tc.edit(&cfg)
			b, err := New(context.Background(), cfg, nil)
			if err == nil || b != nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "flexroles:") {
				t.Errorf("New = %v, %v; want an error saying %q", b != nil, err, tc.want)
			}
		})
	}
}
