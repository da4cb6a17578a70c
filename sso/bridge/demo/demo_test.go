package demo_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flexroles/flexroles/sso/bridge"
	"github.com/flexroles/flexroles/sso/bridge/demo"
	"github.com/flexroles/flexroles/sso/samltest"
)

// demoDir copies the shipped demo configuration, policy and users to a
// temporary directory, so that the demo's keys are made there.
func demoDir(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range append([]string{"bridge.yaml", "policy.yaml", "users.csv"}, names...) {
		data, err := os.ReadFile(filepath.Join("..", "..", "..", "examples", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// startDemo runs the demo on a free loopback port, with the bridge in mode
// ("" for the configuration's), and returns its start URL.
func startDemo(t *testing.T, dir string, mode bridge.Mode) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- demo.Run(ctx, demo.Options{Config: filepath.Join(dir, "bridge.yaml"), Mode: mode, Listener: ln, Ready: func(u string) { ready <- u }})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run returned %v", err)
		}
	})
	select {
	case u := <-ready:
		return u
	case err := <-done:
		t.Fatalf("the demo did not start: %v", err)
	}
	return ""
}

// signIn signs in to the demo at start as user, as a person does: the
// start page's link, the IdP's user list, the bridge's form to Flex; it
// returns the last page, what Flex receives or the refusal.
func signIn(t *testing.T, start, user string) samltest.Page {
	t.Helper()
	b := samltest.NewBrowser(nil)
	if p, err := b.Get(start); err != nil || !strings.Contains(p.Body, `href="/flex/login"`) {
		t.Fatalf("start page (%v):\n%.600s", err, p.Body)
	}
	p, err := b.SignIn(start+"flex/login", user)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDemoShadow: the demo in shadow mode, with the users of
// users-roles.csv, passes each user's roles from the IdP on to Flex, and
// the stand-in's page shows the policy's decision beside them: more roles
// for a team lead whose IdP sends only agent, a refusal for an admin
// outside the policy's allow list, agreement for an agent.
func TestDemoShadow(t *testing.T) {
	start := startDemo(t, demoDir(t, "users-roles.csv"), bridge.ModeShadow)
	for _, tc := range []struct {
		user string
		want []string
	}{
		{"lee.lead", []string{`<span id="roles"><code>agent</code></span>`,
			`<span id="policy-roles"><code>supervisor</code>, <code>agent</code>, <code>wfo.team_leader</code></span>`,
			`it would add <code>supervisor</code>, <code>wfo.team_leader</code>.`}},
		{"vic.moved", []string{`<span id="roles"><code>admin</code></span>`, `<code id="policy-refused">denied, by sso.allow</code>`}},
		{"alex.agent", []string{`<span id="roles"><code>agent</code></span>`, `It agrees with what Flex received.`}},
	} {
		p := signIn(t, start, tc.user)
		for _, want := range tc.want {
			if !strings.Contains(p.Body, want) {
				t.Errorf("%s: the stand-in's page lacks %s:\n%.3000s", tc.user, want, p.Body)
			}
		}
	}
}

// TestDemo clicks through the demo as a person does: the start page, the
// IdP's user list, and what Flex receives or the refusal; in enforce mode
// the page shows no shadow decision. Then the shipped configuration checks,
// once the demo has made its files.
func TestDemo(t *testing.T) {
	dir := demoDir(t)
	start := startDemo(t, dir, "")
	for _, tc := range []struct {
		user, want string
	}{
		{"quinn.qa", "wfo.quality_manager"},
		{"kim.leaver", "<code>denied</code>"},
		{"no.email", "<code>missing_attribute</code>"},
	} {
		final := signIn(t, start, tc.user)
		if !strings.Contains(final.Body, tc.want) {
			t.Errorf("%s: the last page does not show %q:\n%.1500s", tc.user, tc.want, final.Body)
		}
		if strings.Contains(final.Body, "Shadow mode") {
			t.Errorf("%s: the demo in enforce mode shows a shadow decision", tc.user)
		}
	}

	cfg, err := bridge.LoadConfigFile(filepath.Join(dir, "bridge.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	setup, results, err := bridge.Check(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) == 0 || !strings.HasSuffix(setup.Flex.SSOURL, "/bridge/saml/sso") {
		t.Errorf("check: %d cases, setup %+v", len(results), setup.Flex)
	}
}

// TestDemoShadowRedacted: the demo refuses shadow mode with
// redact_identity, whose records name no user the page could show the
// policy's decision for, and says what to change.
func TestDemoShadowRedacted(t *testing.T) {
	dir := demoDir(t)
	cfg := filepath.Join(dir, "bridge.yaml")
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, append(data, "redact_identity: true\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // a demo that starts serves until then
	defer cancel()
	err = demo.Run(ctx, demo.Options{Config: cfg, Mode: bridge.ModeShadow, Listener: ln})
	if err == nil || !strings.Contains(err.Error(), "remove it from "+cfg) {
		t.Fatalf("shadow mode with redact_identity: %v, want a refusal naming the setting and the file", err)
	}
	if startDemo(t, dir, "") == "" {
		t.Fatal("enforce mode with redact_identity did not start")
	}
}
