package bridge

import (
	"bufio"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
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
	"github.com/flexroles/flexroles/sso/samltest"
)

// pendingLogin is one login waiting at the bridge's ACS: the form the
// upstream IdP posts and the state cookie the browser holds.
type pendingLogin struct {
	body   string
	cookie *http.Cookie
}

// pendingLogins makes n logins of alex up to the point where the upstream
// response reaches the bridge, without the browser: the state is sealed as
// the SSO endpoint seals it, and the test IdP signs a response to it.
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
			IDP: w.idp.SAML, HTTPRequest: r, RelayState: handle,
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
			cookie: &http.Cookie{Name: stateCookieName, Value: joinStates([]stateEntry{{handle, w.bridge.sealer.seal(handle, st)}})},
		}
	}
	return out
}

// requestAs is a request carrying the test IdP's user cookie.
func requestAs(user string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(&http.Cookie{Name: samltest.UserCookie, Value: user})
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

// BenchmarkLoginHalfLoad measures latency over real HTTP at half the
// bridge's throughput: it finds the throughput with a short closed-loop
// run, then starts b.N logins at half that rate and reports the median and
// 99th percentile of their latency.
func BenchmarkLoginHalfLoad(b *testing.B) { halfLoad(b, newWorld(b, nil)) }

// BenchmarkLoginHalfLoadStore is BenchmarkLoginHalfLoad with the memory
// store and with a Redis store (a redis-server on loopback, on the same
// cores, its append-only file synced every second), with one instance and
// with two, every login through a round robin in front of the instances
// (one hop more than BenchmarkLoginHalfLoad, in each of the four), and
// max_verifications raised so that a slow moment shows as latency, not as
// busy refusals.
func BenchmarkLoginHalfLoadStore(b *testing.B) {
	redisURL := startRedis(b).url()
	for _, store := range []string{"memory", redisURL} {
		for _, n := range []int{1, 2} {
			b.Run(strings.SplitN(store, ":", 2)[0]+"/instances="+strconv.Itoa(n), func(b *testing.B) {
				w := newWorld(b, func(c *Config) {
					c.Store.URL = store
					c.MaxVerifications = 64 // latency is measured, not busy refusals (which a loaded machine's spikes would cause)
				})
				b.Cleanup(func() { _ = w.bridge.Close() })
				in := w.instances(n)
				halfLoad(b, w)
				for _, x := range in {
					if b.Failed() {
						b.Log(x.logged())
					}
				}
			})
		}
	}
}

// BenchmarkReplayStore is the replay check of one login alone: the memory
// caches, or the one round trip to a redis-server on loopback, one call at
// a time (the latency a login waits for it), with the server's append-only
// file synced every second and before every answer.
func BenchmarkReplayStore(b *testing.B) {
	for _, tc := range []struct{ name, url string }{
		{"memory", "memory"},
		{"redis", startRedis(b).url()},
		{"redis-fsync-always", startRedis(b, "--appendfsync", "always").url()},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s, err := newReplayStore(Store{URL: tc.url}, "https://flex-sso.example.com/saml/metadata", 100000)
			if err != nil {
				b.Fatal(err)
			}
			defer s.close()
			now := time.Now()
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				u := usage{id: "0123456789abcdef", handle: newHandle(), stateExpires: now.Add(10 * time.Minute),
					assertionID: "_" + newHandle() + strconv.Itoa(i), assertionExpires: now.Add(5 * time.Minute), now: now}
				if err := s.use(context.Background(), u); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// halfLoad measures w's bridge URL as BenchmarkLoginHalfLoad says.
func halfLoad(b *testing.B, w *world) {
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
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			kind := "?"
			if m := pageKind.FindSubmatch(body); m != nil {
				kind = string(m[1])
			}
			b.Errorf("HTTP %d, kind %s", resp.StatusCode, kind)
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

// compareRound is how many logins each contender runs in one round of
// BenchmarkCompare; rounds alternate, so that a slow phase of a shared
// machine hits every contender alike.
const compareRound = 10

// BenchmarkCompare runs, in alternating rounds on one core, logins at the
// bridge's ACS (as BenchmarkLogin, one at a time), the cryptography a
// login cannot avoid with the bridge's key size (RSA 2048, SHA-256): one
// verify and one sign (bound1), one verify and two signs (bound2: the
// bridge signs Response and Assertion), and, when SAMLIFY_DIR is set, the
// same verify-and-sign with samlify on Node (testdata/samlify/bench.js, in
// a directory where "npm install" ran with its package.json). It reports
// each one's milliseconds per login and the ratios. Run it with
// -benchtime=Nx, N a multiple of 10.
func BenchmarkCompare(b *testing.B) {
	w := newWorld(b, nil)
	logins := pendingLogins(b, w, b.N)
	acs := w.bridge.paths.acs.String()
	key, _ := keyPair(b, 0)
	upKey, _ := keyPair(b, 1)
	digest := sha256.Sum256([]byte("a canonicalised SignedInfo of about this size, hashed"))
	sig, err := rsa.SignPKCS1v15(rand.Reader, upKey, crypto.SHA256, digest[:])
	if err != nil {
		b.Fatal(err)
	}
	crypt := func(signs int) {
		if err := rsa.VerifyPKCS1v15(&upKey.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
			b.Fatal(err)
		}
		for range signs {
			if _, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:]); err != nil {
				b.Fatal(err)
			}
		}
	}
	node := startSamlify(b, b.N)

	var login, bound1, bound2, samlify time.Duration
	timed := func(total *time.Duration, f func(i int)) {
		start := time.Now()
		for i := range compareRound {
			f(i)
		}
		*total += time.Since(start)
	}
	b.ResetTimer()
	for done := 0; done < b.N; done += compareRound {
		timed(&login, func(i int) {
			if done+i >= len(logins) {
				return
			}
			rec := httptest.NewRecorder()
			w.bridge.ServeHTTP(rec, logins[done+i].request(acs))
			if rec.Code != http.StatusOK {
				b.Fatalf("HTTP %d: %.300s", rec.Code, rec.Body.String())
			}
		})
		timed(&bound1, func(int) { crypt(1) })
		timed(&bound2, func(int) { crypt(2) })
		if node != nil {
			samlify += node.run(compareRound)
		}
	}
	b.StopTimer()
	per := func(d time.Duration) float64 { return d.Seconds() * 1000 / float64(b.N) }
	b.ReportMetric(per(login), "login-ms")
	b.ReportMetric(per(bound1), "bound1-ms")
	b.ReportMetric(per(bound2), "bound2-ms")
	b.ReportMetric(100*bound1.Seconds()/login.Seconds(), "%of-bound1")
	b.ReportMetric(100*bound2.Seconds()/login.Seconds(), "%of-bound2")
	if node != nil {
		b.ReportMetric(per(samlify), "samlify-ms")
		b.ReportMetric(samlify.Seconds()/login.Seconds(), "samlify/bridge")
	}
}

// samlifyProcess is testdata/samlify/bench.js, running.
type samlifyProcess struct {
	tb  testing.TB
	in  io.Writer
	out *bufio.Scanner
}

// startSamlify starts bench.js with this run's keys and n upstream
// responses, or returns nil when SAMLIFY_DIR is not set.
func startSamlify(tb testing.TB, n int) *samlifyProcess {
	modules := os.Getenv("SAMLIFY_DIR")
	if modules == "" {
		tb.Log("SAMLIFY_DIR is not set: samlify is not measured")
		return nil
	}
	dir := tb.TempDir()
	upKey, upCert := keyPair(tb, 1)
	key, cert := keyPair(tb, 0)
	if err := samltest.WriteKeyPair(filepath.Join(dir, "idp.key"), filepath.Join(dir, "idp.crt"), upKey, upCert); err != nil {
		tb.Fatal(err)
	}
	if err := samltest.WriteKeyPair(filepath.Join(dir, "bridge.key"), filepath.Join(dir, "bridge.crt"), key, cert); err != nil {
		tb.Fatal(err)
	}
	script, err := filepath.Abs(filepath.Join("testdata", "samlify", "bench.js"))
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command("node", script, dir, strconv.Itoa(n+compareRound))
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(modules, "node_modules"))
	in, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = in.Close(); _ = cmd.Wait() })
	p := &samlifyProcess{tb: tb, in: in, out: bufio.NewScanner(out)}
	if !p.out.Scan() || p.out.Text() != "ready" {
		tb.Fatalf("node did not start: %q", p.out.Text())
	}
	return p
}

// run has node run k logins and returns the time they took by node's clock.
func (p *samlifyProcess) run(k int) time.Duration {
	if _, err := fmt.Fprintln(p.in, k); err != nil {
		p.tb.Fatal(err)
	}
	if !p.out.Scan() {
		p.tb.Fatal("node stopped")
	}
	s, err := strconv.ParseFloat(p.out.Text(), 64)
	if err != nil {
		p.tb.Fatalf("node printed %q", p.out.Text())
	}
	return time.Duration(s * float64(time.Second))
}
