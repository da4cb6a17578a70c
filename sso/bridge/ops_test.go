package bridge

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// TestServeShutdown: readyz answers while serving; when the context ends,
// Serve returns nil and the port is closed.
func TestServeShutdown(t *testing.T) {
	w := newWorld(t, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.bridge.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String() + "/bridge/"
	for _, path := range []string{"healthz", "readyz", "saml/metadata", "saml/sp-metadata", "metrics"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: HTTP %d", path, resp.StatusCode)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve returned %v after shutdown", err)
	}
	if _, err := http.Get(base + "healthz"); err == nil {
		t.Errorf("the server still answers after shutdown")
	}
	rec := w.browser("").get(w.bridge.paths.ready.String())
	if rec.status != http.StatusServiceUnavailable {
		t.Errorf("readyz after shutdown: HTTP %d, want 503", rec.status)
	}
}

// TestBounds: an oversized form and an oversized RelayState are refused.
func TestBounds(t *testing.T) {
	w := newWorld(t, nil)
	b := w.browser("alex")
	up := w.upstreamResponse(b, "")
	up.fields.Set("SAMLResponse", strings.Repeat("A", maxACSRequest+1))
	before := w.flex.count()
	refusedNothingSent(t, w, before, b.post(up.action, up.fields), http.StatusBadRequest, "bad_request")

	long := strings.Repeat("r", maxRelayState+1)
	p := b.get(w.flexSrv.URL + "/flex/login?relay=" + url.QueryEscape(long))
	refusedNothingSent(t, w, before, p, http.StatusBadRequest, "flex_request")
}

// TestLogRedacted: the login's log line carries the correlation id shown
// on the page, and no email, name or group.
func TestLogRedacted(t *testing.T) {
	var mu sync.Mutex
	var buf bytes.Buffer
	w := newWorld(t, nil)
	w.bridge.log = slog.New(slog.NewTextHandler(&lockedWriter{mu: &mu, w: &buf}, nil))
	bp, _ := w.login("kim", "")
	m := pageCorrelation.FindStringSubmatch(bp.body)
	if m == nil {
		t.Fatalf("no correlation id on the page:\n%.600s", bp.body)
	}
	mu.Lock()
	logged := buf.String()
	mu.Unlock()
	if !strings.Contains(logged, "id="+m[1]) || !strings.Contains(logged, "kind=denied") {
		t.Errorf("the log does not carry the page's id %s and kind:\n%s", m[1], logged)
	}
	for _, personal := range []string{"kim.leaver", "Kim Leaver", "Offboarded", "CC-Agents"} {
		if strings.Contains(logged, personal) {
			t.Errorf("the log holds personal data %q:\n%s", personal, logged)
		}
	}
	_, _ = w.login("lee", "")
	mu.Lock()
	logged = buf.String()
	mu.Unlock()
	if !strings.Contains(logged, "login granted") || strings.Contains(logged, "lee.lead") {
		t.Errorf("the grant is not logged, or logged with the email:\n%s", logged)
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
