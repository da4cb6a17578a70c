package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBridgeCheck runs "bridge check" on a copy of the shipped example
// configuration: without the files the demo makes it names the command that
// makes them; after "bridge demo --prepare" it runs the policy's cases and
// prints what Flex and the IdP need.
func TestBridgeCheck(t *testing.T) {
	dir := copyBridgeExample(t)
	config := filepath.Join(dir, "bridge.yaml")

	code, _, stderr := cli("bridge", "check", "--config", config)
	if code != exitUsage || !strings.Contains(stderr, "bridge-demo") || !strings.Contains(stderr, "flexroles bridge demo --prepare --config "+config) {
		t.Fatalf("check before the demo ran: exit %d\n%s", code, stderr)
	}

	// A configuration for Flex itself, with the same missing files, is not
	// told about the demo.
	real := filepath.Join(dir, "real.yaml")
	if err := os.WriteFile(real, []byte(strings.Replace(readFile(t, config), "  acs_url: http://127.0.0.1:8080\n", "", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := cli("bridge", "check", "--config", real); code != exitUsage || !strings.Contains(stderr, "bridge.key") || strings.Contains(stderr, "bridge demo --prepare") {
		t.Errorf("check of a configuration for Flex: exit %d, want the missing files named without the demo's hint\n%s", code, stderr)
	}

	code, stdout, stderr := cli("bridge", "demo", "--prepare", "--config", config)
	if code != exitOK || !strings.Contains(stdout, "now: flexroles bridge check --config "+config) {
		t.Fatalf("demo --prepare: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, made := range []string{"bridge.key", "bridge.crt", "idp.key", "idp.crt", "idp-metadata.xml"} {
		if _, err := os.Stat(filepath.Join(dir, "bridge-demo", made)); err != nil {
			t.Errorf("demo --prepare did not make %s: %v", made, err)
		}
	}
	code, stdout, stderr = cli("bridge", "check", "--config", config)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"12 cases, 0 failed",
		"SSO URL:                   http://127.0.0.1:8080/bridge/saml/sso",
		"Identity provider issuer:  http://127.0.0.1:8080/bridge/saml/metadata",
		"-----BEGIN CERTIFICATE-----",
		"ACS URL (Single sign-on URL, Reply URL):  http://127.0.0.1:8080/bridge/saml/acs",
		"    groups\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("check does not print %q:\n%s", want, stdout)
		}
	}
}

// TestBridgeCheckWarnsIdPInitiated: with upstream.allow_idp_initiated on,
// bridge check still succeeds and warns on stderr that it is login CSRF;
// with the shipped setting it warns of nothing.
func TestBridgeCheckWarnsIdPInitiated(t *testing.T) {
	dir := copyBridgeExample(t)
	config := filepath.Join(dir, "bridge.yaml")
	if code, stdout, stderr := cli("bridge", "demo", "--prepare", "--config", config); code != exitOK {
		t.Fatalf("demo --prepare: exit %d\n%s%s", code, stdout, stderr)
	}
	code, _, stderr := cli("bridge", "check", "--config", config)
	if code != exitOK || strings.Contains(stderr, "warning") {
		t.Fatalf("check with the shipped setting: exit %d, stderr %q", code, stderr)
	}
	data, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	on := strings.Replace(string(data), "allow_idp_initiated: false", "allow_idp_initiated: true", 1)
	if on == string(data) {
		t.Fatal("the example configuration has no allow_idp_initiated: false to turn on")
	}
	if err := os.WriteFile(config, []byte(on), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := cli("bridge", "check", "--config", config)
	if code != exitOK || !strings.Contains(stdout, "SSO URL:") {
		t.Fatalf("check with IdP-initiated login on: exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "flexroles: warning: upstream.allow_idp_initiated is true") || !strings.Contains(stderr, "login CSRF") {
		t.Errorf("check does not warn of IdP-initiated login:\n%s", stderr)
	}
}

// TestBridgeUsage: the bridge's commands need --config, take no stray
// argument, and report a configuration that does not load.
func TestBridgeUsage(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("policy: p.yaml\nbase_ur1: https://x.example\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"bridge"}, "bridge: --config is required"},
		{[]string{"bridge", "check"}, "bridge check: --config is required"},
		{[]string{"bridge", "--config", bad, "extra"}, `unexpected argument "extra"`},
		{[]string{"bridge", "--config", bad}, "2:1: base_ur1: unknown key"},
		{[]string{"bridge", "check", "--config", bad}, "2:1: base_ur1: unknown key"},
		{[]string{"bridge", "demo", "--config", bad}, "2:1: base_ur1: unknown key"},
		{[]string{"bridge", "demo", "--prepare", "--listen", "127.0.0.1:0"}, "--listen is for serving"},
	} {
		code, _, stderr := cli(tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
	if code, stdout, _ := cli("bridge", "-h"); code != exitOK || !strings.Contains(stdout, "flexroles bridge check --config") {
		t.Errorf("bridge -h: exit %d\n%s", code, stdout)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// copyBridgeExample copies the shipped example bridge configuration, its
// policy and its users into a new temporary directory, and returns it.
func copyBridgeExample(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"bridge.yaml", "policy.yaml", "users.csv"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "examples", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
