package bridge

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crewjam/saml"
)

// pendingLogin is one login waiting at the bridge's ACS: the form the
// upstream IdP posts and the state cookie the browser holds.
type pendingLogin struct {
	body   string
	cookie *http.Cookie
}

// pendingLogins makes n logins of alex up to the point where the upstream
// response reaches the bridge, without the browser: the state is sealed as
// the SSO endpoint seals it, and the demo IdP signs a response to it.
func pendingLogins(tb testing.TB, w *world, n int) []pendingLogin {
	tb.Helper()
	spMD := w.bridge.up.current().Metadata()
	sso := &spMD.SPSSODescriptors[0]
	out := make([]pendingLogin, n)
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	for i := range out {
		handle, upID := newHandle(), newID()
		st := loginState{FlexRequestID: newID(), RelayState: "flex-relay-state", UpstreamID: upID, Expires: time.Now().Add(time.Hour).Unix()}
		req := &saml.IdpAuthnRequest{
			IDP: w.idp.idp, HTTPRequest: r, RelayState: handle,
			Request:                 saml.AuthnRequest{ID: upID, IssueInstant: time.Now()},
			ServiceProviderMetadata: spMD, SPSSODescriptor: sso, ACSEndpoint: &sso.AssertionConsumerServices[0],
			Now: time.Now(),
		}
		session := w.idp.GetSession(nil, requestAs("alex"), req)
		if err := (saml.DefaultAssertionMaker{}).MakeAssertion(req, session); err != nil {
			tb.Fatal(err)
		}
		form, err := req.PostBinding()
		if err != nil {
			tb.Fatal(err)
		}
		out[i] = pendingLogin{
			body:   url.Values{"SAMLResponse": {form.SAMLResponse}, "RelayState": {handle}}.Encode(),
			cookie: &http.Cookie{Name: stateCookiePrefix + handle, Value: w.bridge.states.seal(handle, st)},
		}
	}
	return out
}

// requestAs is a request carrying the demo IdP's user cookie.
func requestAs(user string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(&http.Cookie{Name: demoUserCookie, Value: user})
	return r
}

func (p pendingLogin) request(acs string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, acs, strings.NewReader(p.body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(p.cookie)
	return r
}

// BenchmarkLogin is one login at the bridge's ACS, on all cores: verify the
// upstream response, resolve with the policy, sign Response and Assertion
// for Flex, write the page. Run it with -benchtime=Nx (each login is made
// beforehand, since each can be used once).
func BenchmarkLogin(b *testing.B) {
	w := newWorld(b, nil)
	logins := pendingLogins(b, w, b.N)
	acs := w.bridge.paths.acs.String()
	var next atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rec := httptest.NewRecorder()
			w.bridge.ServeHTTP(rec, logins[next.Add(1)-1].request(acs))
			if rec.Code != http.StatusOK {
				b.Errorf("HTTP %d: %.300s", rec.Code, rec.Body.String())
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "logins/s")
}

// BenchmarkCryptoBound is the cryptography a login cannot avoid, on all
// cores, with the bridge's key size (RSA 2048, SHA-256): one verify (the
// upstream signature) and one sign (bound1), and one verify and two signs
// (bound2: the bridge signs the Response and the Assertion, as Flex's
// guides ask).
func BenchmarkCryptoBound(b *testing.B) {
	key, _ := keyPair(b, 0)
	upKey, _ := keyPair(b, 1)
	digest := sha256.Sum256([]byte("a canonicalised SignedInfo of about this size, hashed"))
	sig, _ := rsa.SignPKCS1v15(rand.Reader, upKey, crypto.SHA256, digest[:])
	for _, signs := range []int{1, 2} {
		b.Run([]string{"", "verify+sign", "verify+2signs"}[signs], func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := rsa.VerifyPKCS1v15(&upKey.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
						b.Error(err)
						return
					}
					for range signs {
						if _, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:]); err != nil {
							b.Error(err)
							return
						}
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "logins/s")
		})
	}
}

// BenchmarkLoginHalfLoad measures latency over real HTTP at half the
// bridge's throughput: it finds the throughput with a short closed-loop
// run, then starts b.N logins at half that rate and reports the median and
// 99th percentile of their latency.
func BenchmarkLoginHalfLoad(b *testing.B) {
	w := newWorld(b, nil)
	calib := pendingLogins(b, w, 200)
	logins := pendingLogins(b, w, b.N)
	acs := w.bridge.paths.acs.String()
	client := w.bridgeSrv.Client()
	post := func(p pendingLogin) time.Duration {
		req, _ := http.NewRequest(http.MethodPost, acs, strings.NewReader(p.body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(p.cookie)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			b.Error(err)
			return 0
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Errorf("HTTP %d", resp.StatusCode)
		}
		return time.Since(start)
	}
	var wg sync.WaitGroup
	var next atomic.Int64
	start := time.Now()
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < int64(len(calib)); i = next.Add(1) - 1 {
				post(calib[i])
			}
		}()
	}
	wg.Wait()
	rate := float64(len(calib)) / time.Since(start).Seconds()
	interval := time.Duration(float64(time.Second) / (rate / 2))

	lat := make([]time.Duration, b.N)
	b.ResetTimer()
	tick := time.NewTicker(interval)
	for i := range logins {
		<-tick.C
		wg.Add(1)
		go func() { defer wg.Done(); lat[i] = post(logins[i]) }()
	}
	wg.Wait()
	tick.Stop()
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(rate, "max-logins/s")
	b.ReportMetric(rate/2, "offered-logins/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkSamlify runs the same verify-and-sign with samlify on Node
// (testdata/samlify/bench.js), one process, with this run's keys, so that
// its logins/s compare with BenchmarkLogin's in the same run. It needs node
// and SAMLIFY_DIR, a directory where "npm install" ran with
// testdata/samlify/package.json; otherwise it is skipped.
func BenchmarkSamlify(b *testing.B) {
	modules := os.Getenv("SAMLIFY_DIR")
	if modules == "" {
		b.Skip("SAMLIFY_DIR is not set: npm install testdata/samlify/package.json somewhere and point it there")
	}
	dir := b.TempDir()
	upKey, upCert := keyPair(b, 1)
	key, cert := keyPair(b, 0)
	if err := writeKeyPair(filepath.Join(dir, "idp.key"), filepath.Join(dir, "idp.crt"), upKey, upCert); err != nil {
		b.Fatal(err)
	}
	if err := writeKeyPair(filepath.Join(dir, "bridge.key"), filepath.Join(dir, "bridge.crt"), key, cert); err != nil {
		b.Fatal(err)
	}
	script, _ := filepath.Abs(filepath.Join("testdata", "samlify", "bench.js"))
	cmd := exec.Command("node", script, dir, strconv.Itoa(b.N))
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(modules, "node_modules"))
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("node: %v\n%s", err, out)
	}
	var res struct {
		Logins  int
		Seconds float64
	}
	if err := json.Unmarshal(out, &res); err != nil || res.Logins != b.N {
		b.Fatalf("node printed %q", out)
	}
	b.ReportMetric(res.Seconds*1e9/float64(res.Logins), "node-ns/login")
	b.ReportMetric(float64(res.Logins)/res.Seconds, "logins/s")
}
