package bridge

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crewjam/saml"
)

// TestServeShutdown: readyz answers while serving; when the context ends,
// readyz answers 503 at once while the other endpoints go on serving for
// shutdown_delay; then Serve returns nil and the port is closed.
func TestServeShutdown(t *testing.T) {
	const delay = 400 * time.Millisecond
	w := newWorld(t, func(c *Config) { c.ShutdownDelay = delay })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.bridge.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String() + "/bridge/"
	status := func(path string) int {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	for _, path := range []string{"healthz", "readyz", "saml/metadata", "saml/sp-metadata", "metrics"} {
		if got := status(path); got != http.StatusOK {
			t.Errorf("%s: HTTP %d", path, got)
		}
	}
	stopped := time.Now()
	cancel()
	waitFor(t, func() bool { return !w.bridge.ready.Load() })
	if got := status("readyz"); got != http.StatusServiceUnavailable {
		t.Errorf("readyz while draining: HTTP %d, want 503", got)
	}
	for _, path := range []string{"healthz", "saml/metadata"} {
		if got := status(path); got != http.StatusOK {
			t.Errorf("%s while draining: HTTP %d, want 200", path, got)
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("Serve returned %v after shutdown", err)
	}
	if waited := time.Since(stopped); waited < delay {
		t.Errorf("Serve returned %v after the context ended, before shutdown_delay %v", waited, delay)
	}
	if _, err := http.Get(base + "healthz"); err == nil {
		t.Errorf("the server still answers after shutdown")
	}
}

// TestBounds: an oversized form and an oversized RelayState are refused.
func TestBounds(t *testing.T) {
	w := newWorld(t, nil)
	b := w.browser("alex")
	up := w.upstreamResponse(b, "")
	up.fields.Set("SAMLResponse", strings.Repeat("A", maxACSRequest+1))
	before := w.flex.Count()
	refusedNothingSent(t, w, before, b.post(up.action, up.fields), http.StatusBadRequest, "bad_request")

	long := strings.Repeat("r", maxRelayState+1)
	p := b.get(w.flexSrv.URL + "/flex/login?relay=" + url.QueryEscape(long))
	refusedNothingSent(t, w, before, p, http.StatusBadRequest, "flex_request")
}

// TestLogRedacted: a login's one log line carries the correlation id shown
// on the page, who refused and the user, and no other personal data: no
// name, no group; with redact_identity, not the user either.
func TestLogRedacted(t *testing.T) {
	for _, redact := range []bool{false, true} {
		t.Run("redact_identity="+strconv.FormatBool(redact), func(t *testing.T) {
			var mu sync.Mutex
			var buf bytes.Buffer
			w := newWorld(t, func(c *Config) { c.RedactIdentity = redact })
			w.bridge.log = slog.New(slog.NewTextHandler(&lockedWriter{mu: &mu, w: &buf}, nil))
			bp, _ := w.login("kim", "")
			m := pageCorrelation.FindStringSubmatch(bp.body)
			if m == nil {
				t.Fatalf("no correlation id on the page:\n%.600s", bp.body)
			}
			mu.Lock()
			logged := buf.String()
			mu.Unlock()
			if n := strings.Count(logged, "id="+m[1]); n != 1 {
				t.Errorf("%d log lines carry the page's id %s, want 1:\n%s", n, m[1], logged)
			}
			for _, want := range []string{"kind=denied", `refused_by="deny rule"`, "rule=offboarded", "policy=" + w.bridge.policyInForce().Digest()} {
				if !strings.Contains(logged, want) {
					t.Errorf("the log lacks %s:\n%s", want, logged)
				}
			}
			if got := strings.Contains(logged, "user=kim.leaver@owlbank.example"); got == redact {
				t.Errorf("redact_identity %v, but the user is logged %v:\n%s", redact, got, logged)
			}
			for _, personal := range []string{"Kim Leaver", "Offboarded", "CC-Agents"} {
				if strings.Contains(logged, personal) {
					t.Errorf("the log holds personal data %q:\n%s", personal, logged)
				}
			}
			_, _ = w.login("lee", "")
			mu.Lock()
			logged = buf.String()
			mu.Unlock()
			if !strings.Contains(logged, "login granted") || !strings.Contains(logged, `roles="[supervisor agent wfo.team_leader]" rules="[agents team leads]"`) {
				t.Errorf("the grant is not logged with its roles and rules:\n%s", logged)
			}
			if got := strings.Contains(logged, "lee.lead"); got == redact {
				t.Errorf("redact_identity %v, but the granted user is logged %v:\n%s", redact, got, logged)
			}
			for _, personal := range []string{"Lee Lead", "CC-Leads", "Sales"} {
				if strings.Contains(logged, personal) {
					t.Errorf("the log holds personal data %q:\n%s", personal, logged)
				}
			}
		})
	}
}

// TestLogRedactedValue: a refusal whose message repeats a value of the
// user's attributes (a pass-through value of the wrong type) names the
// attribute in the log and keeps the value out; the page, shown to the
// user who sent it, says it.
func TestLogRedactedValue(t *testing.T) {
	var mu sync.Mutex
	var buf bytes.Buffer
	w := newWorld(t, nil)
	w.bridge.log = slog.New(slog.NewTextHandler(&lockedWriter{mu: &mu, w: &buf}, nil))
	bp, _ := w.login("typo", "")
	mu.Lock()
	logged := buf.String()
	mu.Unlock()
	if !strings.Contains(logged, "attribute=skill.int") || !strings.Contains(logged, `value \"[redacted]\" of \"skill.int\"`) {
		t.Errorf("the log does not name the attribute with its value redacted:\n%s", logged)
	}
	if strings.Contains(logged, "seven") {
		t.Errorf("the log holds the attribute's value:\n%s", logged)
	}
	if !strings.Contains(bp.body, "seven") || !strings.Contains(bp.body, "pass_through") {
		t.Errorf("the page does not show the user the value and the pass_through entry:\n%s", bp.body)
	}
}

// TestLogRedactedRefusals: a refused upstream response and a refused login
// state are logged with the page's id and their reason, and neither the log
// nor the page holds the user's data: not the IdP's StatusMessage (free
// text, unsigned here), nor anything of the assertion.
func TestLogRedactedRefusals(t *testing.T) {
	var mu sync.Mutex
	var buf bytes.Buffer
	w := newWorld(t, nil)
	w.bridge.log = slog.New(slog.NewTextHandler(&lockedWriter{mu: &mu, w: &buf}, nil))
	const message = "no account for kim.leaver@owlbank.example <b>call 555-0100</b>"
	personal := []string{"kim.leaver", "Kim Leaver", "555-0100", "<b>", "&lt;b&gt;"}
	for _, tc := range []struct {
		name   string
		alter  func(t *testing.T, b *browser, up page) page // the form posted to the bridge
		kind   string
		reason string // in the log line
	}{
		{
			name: "upstream_response: a failure status with a StatusMessage, Response unsigned",
			alter: func(t *testing.T, _ *browser, up page) page {
				d := parse(t, decode(t, up))
				dropResponseSignature(d)
				status := d.Root().SelectElement("Status")
				status.SelectElement("StatusCode").CreateAttr("Value", saml.StatusResponder)
				status.CreateElement("samlp:StatusMessage").SetText(message)
				up.fields.Set("SAMLResponse", encode(write(t, d)))
				return up
			},
			kind:   "upstream_response",
			reason: "Responder",
		},
		{
			name: "state: a forged login state",
			alter: func(t *testing.T, b *browser, up page) page {
				acs, _ := url.Parse(up.action)
				c := b.Jar.Cookies(acs)[0]
				b.Jar.SetCookies(acs, []*http.Cookie{{Name: c.Name, Value: c.Value[:len(c.Value)-4] + "AAAA", Path: w.bridge.paths.acs.Path}})
				return up
			},
			kind:   "state",
			reason: "does not open under its handle",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			buf.Reset()
			mu.Unlock()
			b := w.browser("kim")
			up := tc.alter(t, b, w.upstreamResponse(b, ""))
			before := w.flex.Count()
			p := b.post(up.action, up.fields)
			refusedNothingSent(t, w, before, p, http.StatusForbidden, tc.kind)
			m := pageCorrelation.FindStringSubmatch(p.body)
			if m == nil {
				t.Fatalf("no correlation id on the page:\n%.600s", p.body)
			}
			mu.Lock()
			logged := buf.String()
			mu.Unlock()
			if strings.Count(logged, "id="+m[1]) != 1 || !strings.Contains(logged, "kind="+tc.kind) || !strings.Contains(logged, tc.reason) {
				t.Errorf("the log does not carry, in one line, the page's id %s, kind %s and reason %q:\n%s", m[1], tc.kind, tc.reason, logged)
			}
			for _, data := range personal {
				if strings.Contains(logged, data) {
					t.Errorf("the log holds %q:\n%s", data, logged)
				}
				if strings.Contains(p.body, data) {
					t.Errorf("the page holds %q:\n%.1000s", data, p.body)
				}
			}
		})
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestMetrics: logins are counted by outcome and kind, with latency.
func TestMetrics(t *testing.T) {
	w := newWorld(t, nil)
	w.login("alex", "")
	w.login("kim", "")
	got := w.browser("").get(w.bridge.paths.metrics.String()).body
	for _, want := range []string{
		`flexroles_bridge_logins_total{outcome="granted",kind=""} 1`,
		`flexroles_bridge_logins_total{outcome="refused",kind="denied"} 1`,
		`flexroles_bridge_login_duration_seconds_count 2`,
		`flexroles_bridge_login_duration_seconds_bucket{le="+Inf"} 2`,
		"# TYPE flexroles_bridge_login_duration_seconds histogram",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("metrics lack %q:\n%s", want, got)
		}
	}
}

// TestSetup: what bridge check prints names the bridge's URLs, its
// certificate, and every attribute the policy and pass-through read.
func TestSetup(t *testing.T) {
	w := newWorld(t, nil)
	_, results, err := Check(context.Background(), w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r.Failure != "" {
			t.Errorf("policy case %q: %s", r.Name, r.Failure)
		}
	}
	if len(results) == 0 {
		t.Errorf("the example policy's cases did not run")
	}
	var out bytes.Buffer
	if err := w.bridge.Setup().WriteText(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"SSO URL:                   " + w.bridgeSrv.URL + "/bridge/saml/sso",
		"Identity provider issuer:  " + w.bridgeSrv.URL + "/bridge/saml/metadata",
		"-----BEGIN CERTIFICATE-----",
		w.bridgeSrv.URL + "/bridge/saml/acs",
		"    email\n    full_name\n    groups\n    roles\n    department\n    location\n    skill\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("setup lacks %q:\n%s", want, out.String())
		}
	}
}

// TestMetadataRefresh: a failed refresh of the upstream metadata keeps the
// metadata loaded, and is counted; a good one brings the IdP's new key.
func TestMetadataRefresh(t *testing.T) {
	w := newWorld(t, func(c *Config) { c.Upstream.Refresh = 20 * time.Millisecond })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.bridge.Refresh(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	w.metadataDown.Store(true)
	waitFor(t, func() bool {
		return strings.Contains(w.bridge.stats.text(), "flexroles_bridge_metadata_refresh_failures_total 2")
	})
	if _, fp := w.login("alex", ""); fp.status != http.StatusOK {
		t.Fatalf("a failed refresh lost the metadata: HTTP %d", fp.status)
	}

	key, cert := keyPair(t, 2) // the IdP rolls its key over
	w.idp.SAML.Key, w.idp.SAML.Certificate = key, cert
	if bp, _ := w.login("alex", ""); bp.status != http.StatusForbidden {
		t.Fatalf("a response signed with a key not yet in the metadata: HTTP %d", bp.status)
	}
	w.metadataDown.Store(false)
	waitFor(t, func() bool {
		_, fp := w.login("alex", "")
		return fp.status == http.StatusOK
	})
}

// waitFor polls cond for up to ten seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("the condition did not hold within ten seconds")
}

// TestNextCertificate: the next certificate is published in the bridge's
// metadata beside the one that signs, and Flex's settings still name the
// current one.
func TestNextCertificate(t *testing.T) {
	_, next := keyPair(t, 2)
	var nextPath string
	w := newWorld(t, func(c *Config) {
		nextPath = filepath.Join(filepath.Dir(c.Keys.Certificate), "next.crt")
		if err := os.WriteFile(nextPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: next.Raw}), 0o600); err != nil {
			t.Fatal(err)
		}
		c.Keys.NextCertificate = nextPath
	})
	md := w.browser("").get(w.bridge.paths.idpMetadata.String()).body
	_, cur := keyPair(t, 0)
	for _, c := range []*x509.Certificate{cur, next} {
		if !strings.Contains(md, base64.StdEncoding.EncodeToString(c.Raw)) {
			t.Errorf("the metadata lacks the certificate %s", c.Subject.CommonName)
		}
	}
	if !strings.Contains(w.bridge.Setup().Flex.Certificate, base64.StdEncoding.EncodeToString(cur.Raw)[:60]) {
		t.Errorf("the setup does not give Flex the signing certificate")
	}
	if _, fp := w.login("lee", ""); fp.status != http.StatusOK {
		t.Errorf("login with a next certificate configured: HTTP %d", fp.status)
	}
}

// TestVerificationsBounded: when max_verifications responses are being
// verified, another is refused at once with HTTP 503 and its login state
// kept, so that posting it again once one finishes completes the login.
func TestVerificationsBounded(t *testing.T) {
	w := newWorld(t, func(c *Config) { c.MaxVerifications = 1 })
	b := w.browser("alex")
	up := w.upstreamResponse(b, "")
	w.bridge.verifying <- struct{}{} // a verification under way
	before := w.flex.Count()
	p := b.post(up.action, up.fields)
	refusedNothingSent(t, w, before, p, http.StatusServiceUnavailable, "busy")
	if p.header.Get("Retry-After") == "" {
		t.Errorf("no Retry-After on the 503")
	}
	<-w.bridge.verifying
	if p := b.post(up.action, up.fields); p.fields.Get("SAMLResponse") == "" {
		t.Fatalf("the login posted again was refused: HTTP %d\n%.600s", p.status, p.body)
	}
	// The handler gives its token back as it returns, which may be just
	// after the browser has read the page: wait for that, boundedly.
	for deadline := time.Now().Add(5 * time.Second); len(w.bridge.verifying) != 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if n := len(w.bridge.verifying); n != 0 {
		t.Errorf("%d verifications still counted after the login", n)
	}
}
