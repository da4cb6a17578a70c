package bridge

import (
	"context"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// demoDir copies the shipped demo configuration, policy and users to a
// temporary directory, so that the demo's keys are made there.
func demoDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"bridge.yaml", "policy.yaml", "users.csv"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "examples", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// startDemo runs Demo on a free loopback port and returns its start URL.
func startDemo(t *testing.T, dir string) string {
	t.Helper()
	return startDemoIn(t, dir, "")
}

// startDemoIn is startDemo with the bridge in mode ("" for the
// configuration's).
func startDemoIn(t *testing.T, dir string, mode Mode) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- Demo(ctx, DemoOptions{Config: filepath.Join(dir, "bridge.yaml"), Mode: mode, Listener: ln, Ready: func(u string) { ready <- u }})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Demo returned %v", err)
		}
	})
	select {
	case u := <-ready:
		return u
	case err := <-done:
		t.Fatalf("Demo did not start: %v", err)
	}
	return ""
}

// demoSignIn signs in to the demo at start as user, as a person does,
// and returns the last page: what Flex receives, or the refusal.
func demoSignIn(t *testing.T, start, user string) page {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, c: &http.Client{Jar: jar}, jar: jar}
	chooser := b.get(start + "flex/login")
	if !strings.Contains(chooser.body, `value="`+user+`"`) {
		t.Fatalf("the IdP does not list %s:\n%.1000s", user, chooser.body)
	}
	chooser.fields.Set("user", user)
	up := b.post(chooser.action, chooser.fields)
	bp := b.post(up.action, up.fields)
	if bp.fields.Get("SAMLResponse") != "" {
		return b.post(bp.action, bp.fields)
	}
	return bp
}

// TestDemoShadow: bridge demo in shadow mode, with the users of
// users-roles.csv, passes each user's roles from the IdP on to Flex, and
// the stand-in's page shows the policy's decision beside them: more roles
// for a team lead whose IdP sends only agent, a refusal for an admin
// outside the policy's allow list, agreement for an agent.
func TestDemoShadow(t *testing.T) {
	dir := demoDir(t)
	data, err := os.ReadFile("../../examples/users-roles.csv")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "users-roles.csv"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	start := startDemoIn(t, dir, ModeShadow)
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
		p := demoSignIn(t, start, tc.user)
		for _, want := range tc.want {
			if !strings.Contains(p.body, want) {
				t.Errorf("%s: the stand-in's page lacks %s:\n%.3000s", tc.user, want, p.body)
			}
		}
	}
}

// TestDemo clicks through the demo as a person does: the start page, the
// IdP's user list, and what Flex receives or the refusal.
func TestDemo(t *testing.T) {
	dir := demoDir(t)
	start := startDemo(t, dir)
	for _, tc := range []struct {
		user, want string
	}{
		{"quinn.qa", "wfo.quality_manager"},
		{"kim.leaver", "<code>denied</code>"},
		{"no.email", "<code>missing_attribute</code>"},
	} {
		if strings.Contains(demoSignIn(t, start, tc.user).body, "Shadow mode") {
			t.Errorf("%s: the demo in enforce mode shows a shadow decision", tc.user)
		}
		jar, _ := cookiejar.New(nil)
		b := &browser{t: t, c: &http.Client{Jar: jar}, jar: jar}
		if p := b.get(start); !strings.Contains(p.body, `href="/flex/login"`) {
			t.Fatalf("start page:\n%.600s", p.body)
		}
		chooser := b.get(start + "flex/login")
		if !strings.Contains(chooser.body, `value="`+tc.user+`"`) {
			t.Fatalf("the IdP does not list %s:\n%.1000s", tc.user, chooser.body)
		}
		chooser.fields.Set("user", tc.user)
		up := b.post(chooser.action, chooser.fields)
		bp := b.post(up.action, up.fields)
		final := bp
		if bp.fields.Get("SAMLResponse") != "" {
			final = b.post(bp.action, bp.fields)
		}
		if !strings.Contains(final.body, tc.want) {
			t.Errorf("%s: the last page does not show %q:\n%.1500s", tc.user, tc.want, final.body)
		}
	}

	// The shipped configuration checks, once the demo has made its files.
	cfg, err := LoadConfigFile(filepath.Join(dir, "bridge.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	setup, results, err := Check(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) == 0 || !strings.HasSuffix(setup.Flex.SSOURL, "/bridge/saml/sso") {
		t.Errorf("check: %d cases, setup %+v", len(results), setup.Flex)
	}
}
