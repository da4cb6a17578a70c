package bridge

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// instance is one bridge of several with the same configuration, on its
// own server, and what it logs.
type instance struct {
	b   *Bridge
	srv *httptest.Server
	log *lockedWriter
}

// acs is the instance's own ACS URL, bypassing the world's round robin.
func (in instance) acs() string { return in.srv.URL + in.b.paths.acs.Path }

// logged is what the instance has logged so far.
func (in instance) logged() string {
	in.log.mu.Lock()
	defer in.log.mu.Unlock()
	return in.log.w.String()
}

// instances runs n bridges with the world's configuration (the world's
// own bridge first, the others made with New as an operator's second
// instance would be), each on its own server, and puts a round robin over
// them at the world's bridge URL, so that every login's requests go to the
// instances in turn.
func (w *world) instances(n int) []instance {
	w.t.Helper()
	out := make([]instance, n)
	for i := range out {
		lw := &lockedWriter{mu: &sync.Mutex{}, w: &bytes.Buffer{}}
		log := slog.New(slog.NewTextHandler(lw, nil))
		b := w.bridge
		if i == 0 {
			b.log = log
		} else {
			var err error
			if b, err = New(context.Background(), w.cfg, log); err != nil {
				w.t.Fatal(err)
			}
			w.t.Cleanup(func() { _ = b.Close() })
		}
		out[i] = instance{b: b, srv: httptest.NewServer(b), log: lw}
		w.t.Cleanup(out[i].srv.Close)
	}
	rr := &roundRobin{}
	for _, in := range out {
		u, _ := url.Parse(in.srv.URL)
		rr.to = append(rr.to, httputil.NewSingleHostReverseProxy(u))
	}
	w.bridgeH.set(rr)
	return out
}

// roundRobin hands each request to the next of its proxies, as a load
// balancer without sticky sessions does.
type roundRobin struct {
	next atomic.Uint64
	to   []*httputil.ReverseProxy
}

func (rr *roundRobin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rr.to[(rr.next.Add(1)-1)%uint64(len(rr.to))].ServeHTTP(w, r)
}

// storeWorld is a world whose bridge records used logins in the store at
// storeURL ("memory" or a Redis URL), with edit applied after.
func storeWorld(t *testing.T, storeURL string, edit func(*Config)) *world {
	t.Helper()
	w := newWorld(t, func(c *Config) {
		c.Store.URL = storeURL
		c.MaxVerifications = 64 // the tests post many at once; busy refusals are another test's
		if edit != nil {
			edit(c)
		}
	})
	t.Cleanup(func() { _ = w.bridge.Close() })
	return w
}

// answer is what an instance answered to one post at its ACS.
type answer struct {
	status  int
	kind    string // the refusal page's kind, "" when granted
	granted bool   // the page posts a response to Flex
	body    string
}

var pageKind = regexp.MustCompile(`<dd id="kind"><code>([a-z_]+)</code></dd>`)

// post sends the upstream response form body, with cookie when not nil,
// to acs.
func post(t *testing.T, acs, body string, cookie *http.Cookie) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, acs, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if cookie != nil {
		req.AddCookie(cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return answer{}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, body: string(raw)}
	a.granted = resp.StatusCode == http.StatusOK && strings.Contains(a.body, `name="SAMLResponse"`)
	if m := pageKind.FindStringSubmatch(a.body); m != nil {
		a.kind = m[1]
	}
	return a
}

func (p pendingLogin) postTo(t *testing.T, in instance) answer {
	t.Helper()
	return post(t, in.acs(), p.body, p.cookie)
}

// TestStoreReplayAcrossInstances: a login's upstream response and its
// login cookie, used at one instance, are refused at the other when the
// instances share a Redis store; with the memory store (the control) the
// other instance, which never saw them, accepts them: the hole the store
// closes.
func TestStoreReplayAcrossInstances(t *testing.T) {
	redisURL := startRedis(t).url()
	for _, tc := range []struct {
		store      string
		replayedOK bool
	}{
		{"memory", true},
		{redisURL, false},
	} {
		t.Run(strings.SplitN(tc.store, ":", 2)[0], func(t *testing.T) {
			w := storeWorld(t, tc.store, nil)
			in := w.instances(2)
			logins := pendingLogins(t, w, 2)
			for i, p := range logins { // each login first at one instance, then at the other
				first, second := in[i%2], in[(i+1)%2]
				if a := p.postTo(t, first); !a.granted {
					t.Fatalf("login %d at its first instance: HTTP %d kind %q", i, a.status, a.kind)
				}
				a := p.postTo(t, second)
				if a.granted != tc.replayedOK {
					t.Errorf("login %d replayed at the other instance: granted %v, want %v (HTTP %d kind %q)", i, a.granted, tc.replayedOK, a.status, a.kind)
				}
				if !tc.replayedOK && (a.status != http.StatusForbidden || a.kind != "state") {
					t.Errorf("login %d replayed: HTTP %d kind %q, want 403 state", i, a.status, a.kind)
				}
				if a := p.postTo(t, first); a.granted {
					t.Errorf("login %d replayed at its first instance: granted", i)
				}
			}
		})
	}
}

// TestStoreWholeLoginAcrossInstances: whole logins through the round robin,
// where Flex's request reaches one instance and the upstream response the
// other, are granted, and the browser's second post of the response is
// refused, wherever it lands.
func TestStoreWholeLoginAcrossInstances(t *testing.T) {
	w := storeWorld(t, startRedis(t).url(), nil)
	w.instances(2)
	for i := range 3 {
		b := w.browser("lee")
		up := w.upstreamResponse(b, "relay-"+string(rune('a'+i)))
		acs, _ := url.Parse(up.action)
		cookies := b.Jar.Cookies(acs)
		bp := b.post(up.action, up.fields)
		if bp.fields.Get("SAMLResponse") == "" {
			t.Fatalf("login %d refused: HTTP %d\n%.600s", i, bp.status, bp.body)
		}
		if fp := b.post(bp.action, bp.fields); fp.status != http.StatusOK {
			t.Fatalf("login %d: Flex answered HTTP %d", i, fp.status)
		}
		b.Jar.SetCookies(acs, cookies) // kept by an attacker
		before := w.flex.Count()
		refusedNothingSent(t, w, before, b.post(up.action, up.fields), http.StatusForbidden, "state")
	}
}

// TestStoreUnsolicitedOnce: with IdP-initiated login on, an unsolicited
// response (no state, no cookie) posted to both instances at once is
// granted once with a shared store, and by each instance with the memory
// store (the control).
func TestStoreUnsolicitedOnce(t *testing.T) {
	redisURL := startRedis(t).url()
	for _, tc := range []struct {
		store string
		want  int // grants of each response
	}{
		{"memory", 2},
		{redisURL, 1},
	} {
		t.Run(strings.SplitN(tc.store, ":", 2)[0], func(t *testing.T) {
			w := storeWorld(t, tc.store, func(c *Config) { c.Upstream.AllowIDPInitiated = true })
			in := w.instances(2)
			for i := range 4 {
				up := w.browser("alex").get(w.idpSrv.URL + "/idp/start")
				if up.fields.Get("SAMLResponse") == "" {
					t.Fatalf("the IdP sent no unsolicited response:\n%.600s", up.body)
				}
				body := up.fields.Encode()
				answers := make([]answer, 2*len(in))
				var wg sync.WaitGroup
				for j := range answers {
					wg.Add(1)
					go func() { defer wg.Done(); answers[j] = post(t, in[j%2].acs(), body, nil) }()
				}
				wg.Wait()
				grants := 0
				for _, a := range answers {
					if a.granted {
						grants++
					} else if a.kind != "upstream_response" || !strings.Contains(a.body, "used already") {
						t.Errorf("response %d: a refusal other than a replay: HTTP %d kind %q", i, a.status, a.kind)
					}
				}
				if grants != tc.want {
					t.Errorf("response %d posted %d times over two instances: %d grants, want %d", i, len(answers), grants, tc.want)
				}
			}
		})
	}
}

// TestStoreConcurrentLogins: many logins, six at a time, each posted to
// both instances at the same moment (a double submit racing across the
// load balancer): every login is granted exactly once, and both instances
// grant some.
func TestStoreConcurrentLogins(t *testing.T) {
	w := storeWorld(t, startRedis(t).url(), nil)
	in := w.instances(2)
	logins := pendingLogins(t, w, 24)
	grants := make([][2]bool, len(logins))
	var wg sync.WaitGroup
	inFlight := make(chan struct{}, 6) // six logins at once, each posted to both instances
	for i, p := range logins {
		inFlight <- struct{}{}
		var pair sync.WaitGroup
		for j := range in {
			wg.Add(1)
			pair.Add(1)
			go func() {
				defer wg.Done()
				defer pair.Done()
				a := p.postTo(t, in[(i+j)%2])
				grants[i][(i+j)%2] = a.granted
				if !a.granted && a.kind != "state" {
					t.Errorf("login %d: a refusal other than the used state: HTTP %d kind %q", i, a.status, a.kind)
				}
			}()
		}
		go func() { pair.Wait(); <-inFlight }()
	}
	wg.Wait()
	var by [2]int
	for i, g := range grants {
		switch {
		case g[0] && g[1]:
			t.Errorf("login %d granted by both instances", i)
		case !g[0] && !g[1]:
			t.Errorf("login %d granted by neither instance", i)
		case g[0]:
			by[0]++
		default:
			by[1]++
		}
	}
	if by[0] == 0 || by[1] == 0 {
		t.Errorf("grants by instance: %v; the logins did not spread over both", by)
	}
}

// TestStoreOutage: with the store killed, logins at either instance are
// refused with kind store (HTTP 503), none is granted, readyz answers 503,
// the errors are counted and logged once for the burst. Started again on
// the same port with its data, the store serves logins again by itself,
// and a login accepted before the outage is still refused.
func TestStoreOutage(t *testing.T) {
	srv := startRedis(t, "--appendfsync", "always")
	w := storeWorld(t, srv.url(), nil)
	in := w.instances(2)
	logins := pendingLogins(t, w, 8)
	if a := logins[0].postTo(t, in[0]); !a.granted {
		t.Fatalf("login before the outage: HTTP %d kind %q", a.status, a.kind)
	}
	for _, x := range in {
		if got := readyz(t, x); got != http.StatusOK {
			t.Fatalf("readyz before the outage: HTTP %d", got)
		}
	}

	srv.stop()
	for i, p := range logins[1:5] {
		a := p.postTo(t, in[i%2])
		if a.granted || a.status != http.StatusServiceUnavailable || a.kind != "store" {
			t.Errorf("login %d with the store down: granted %v, HTTP %d kind %q; want 503 store", i+1, a.granted, a.status, a.kind)
		}
		if !strings.Contains(a.body, "cannot check this sign-in right now; try again in a minute") {
			t.Errorf("the page does not say why:\n%.600s", a.body)
		}
	}
	if a := logins[0].postTo(t, in[1]); a.granted {
		t.Errorf("the login accepted before the outage was granted again with the store down")
	}
	for i, x := range in {
		if got := readyz(t, x); got != http.StatusServiceUnavailable {
			t.Errorf("instance %d: readyz with the store down: HTTP %d, want 503", i, got)
		}
		if m := x.b.stats.text(); !strings.Contains(m, `flexroles_bridge_logins_total{outcome="error",kind="store"}`) ||
			strings.Contains(m, "flexroles_bridge_store_errors_total 0\n") {
			t.Errorf("instance %d: the refusals are not counted:\n%s", i, m)
		}
		if n := strings.Count(x.logged(), "the replay store does not answer"); n != 1 {
			t.Errorf("instance %d: the outage is logged %d times, want once for the burst:\n%s", i, n, x.logged())
		}
	}

	srv.start()
	for i, x := range in {
		deadline := time.Now().Add(5 * time.Second)
		for readyz(t, x) != http.StatusOK {
			if time.Now().After(deadline) {
				t.Fatalf("instance %d: readyz still 503 5s after the store came back", i)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	for i, p := range logins[5:] {
		if a := p.postTo(t, in[i%2]); !a.granted {
			t.Errorf("login %d after the store came back: HTTP %d kind %q", i+5, a.status, a.kind)
		}
	}
	for i, x := range in {
		if a := logins[0].postTo(t, x); a.granted || a.kind != "state" {
			t.Errorf("instance %d: the login accepted before the outage, after it: granted %v kind %q", i, a.granted, a.kind)
		}
		if !strings.Contains(x.logged(), "the replay store answers again") || !strings.Contains(x.logged(), "refused_logins=") {
			t.Errorf("instance %d: the end of the outage is not logged:\n%s", i, x.logged())
		}
	}
}

func readyz(t *testing.T, in instance) int {
	t.Helper()
	resp, err := http.Get(in.srv.URL + in.b.paths.ready.Path)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

var notOnOrAfter = regexp.MustCompile(`NotOnOrAfter="([^"]+)"`)

// TestStoreKeysExpire: a login leaves two keys in the store, named by the
// bridge's issuer, the state's handle and the assertion's ID, each with a
// TTL no longer than the memory caches keep them: the state until it
// expires, the assertion until its latest NotOnOrAfter plus clock_skew.
func TestStoreKeysExpire(t *testing.T) {
	srv := startRedis(t)
	w := storeWorld(t, srv.url(), nil)
	rdb := srv.client("")
	b := w.browser("alex")
	up := w.upstreamResponse(b, "")
	handle := up.fields.Get("RelayState") // the login state's handle, as the bridge sent it upstream
	raw := decode(t, up)
	var until time.Time // the response's latest NotOnOrAfter
	for _, m := range notOnOrAfter.FindAllStringSubmatch(string(raw), -1) {
		at, err := time.Parse(time.RFC3339Nano, m[1])
		if err != nil {
			t.Fatal(err)
		}
		if at.After(until) {
			until = at
		}
	}
	id := regexp.MustCompile(`<saml:Assertion [^>]*ID="([^"]+)"`).FindSubmatch(raw)
	if id == nil || until.IsZero() || handle == "" {
		t.Fatalf("the response has no assertion ID or NotOnOrAfter, or no RelayState:\n%s", raw)
	}
	posted := time.Now()
	if bp := b.post(up.action, up.fields); bp.fields.Get("SAMLResponse") == "" {
		t.Fatalf("login refused: HTTP %d\n%.600s", bp.status, bp.body)
	}
	ctx := context.Background()
	prefix := "flexroles:bridge:" + w.bridge.paths.idpMetadata.String() + " "
	keys, err := rdb.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]time.Duration{ // the longest TTL each may have
		prefix + "state:" + handle:            w.bridge.cfg.StateTTL,
		prefix + "assertion:" + string(id[1]): until.Add(w.bridge.cfg.ClockSkew).Sub(posted),
	}
	if len(keys) != len(want) {
		t.Fatalf("keys %q, want %d: %q", keys, len(want), want)
	}
	for key, most := range want {
		ttl, err := rdb.PTTL(ctx, key).Result()
		if err != nil {
			t.Fatal(err)
		}
		if ttl <= 0 || ttl > most {
			t.Errorf("%q: TTL %v, want more than 0 and at most %v", key, ttl, most)
		}
		if v, _ := rdb.Get(ctx, key).Result(); !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(v) {
			t.Errorf("%q holds %q, want the login's correlation id", key, v)
		}
		if n, err := rdb.MemoryUsage(ctx, key).Result(); err == nil {
			t.Logf("%q: %d bytes in the server", key, n)
		}
	}
}

// TestDocsStoreExamples: the configuration block of docs/bridge.md
// (which TestDocumentedConfiguration starts a bridge on) names the memory
// store, and the store block of "Several instances" reads as written, its
// only issues alone being the keys it leaves out.
func TestDocsStoreExamples(t *testing.T) {
	cfg, err := LoadConfig(strings.NewReader(docBlock(t, "## Configuration", "yaml")))
	if err != nil || cfg.Store != (Store{URL: "memory"}) {
		t.Errorf("the configuration block: store %+v, %v", cfg.Store, err)
	}
	cfg, issues := parseConfig([]byte(docBlock(t, "## Several instances, behind TLS", "yaml")))
	for _, is := range issues {
		if !strings.HasSuffix(is.Message, "missing; the bridge needs it") {
			t.Errorf("the store block: %s: %s", is.Field, is.Message)
		}
	}
	if want := (Store{URL: "redis://bridge@redis.internal:6379/0", PasswordFile: "/run/secrets/bridge-redis"}); cfg.Store != want {
		t.Errorf("the store block reads %+v, want %+v", cfg.Store, want)
	}
}

// TestLoadConfigStore: the store mapping is read strictly, each problem
// with its line and column: the URL's scheme and form, a password inline,
// two password sources, Redis settings with the memory store.
func TestLoadConfigStore(t *testing.T) {
	for _, tc := range []struct {
		name, store string
		want        Store
		issues      []string // "line:column: field: message" prefixes, in order; line 1 is "store:"
	}{
		{"memory by default", "", Store{}, nil},
		{"memory", "store:\n  url: memory\n", Store{URL: "memory"}, nil},
		{"redis with a password file", "store:\n  url: redis://bridge@redis.internal:6380/2\n  password_file: redis.pass\n",
			Store{URL: "redis://bridge@redis.internal:6380/2", PasswordFile: "redis.pass"}, nil},
		{"rediss with a password variable, ready without it", "store:\n  url: rediss://redis.internal\n  password_env: BRIDGE_REDIS_PASSWORD\n  required_for_ready: false\n",
			Store{URL: "rediss://redis.internal", PasswordEnv: "BRIDGE_REDIS_PASSWORD", ReadyWhileDown: true}, nil},
		{"required for ready", "store:\n  url: redis://127.0.0.1:6379/0\n  required_for_ready: true\n", Store{URL: "redis://127.0.0.1:6379/0"}, nil},
		{"another scheme", "store:\n  url: http://redis.internal:6379\n", Store{},
			[]string{`2:8: store.url: "http://redis.internal:6379" is neither memory nor a redis:// or rediss:// URL`}},
		{"unix socket", "store:\n  url: unix:///run/redis.sock\n", Store{}, []string{"2:8: store.url: \"unix:///run/redis.sock\" is neither memory"}},
		{"password inline", "store:\n  url: redis://bridge:s3cret@redis.internal:6379/0\n", Store{},
			[]string{"2:8: store.url: \"redis://bridge:xxxxx@redis.internal:6379/0\" holds a password"}},
		{"empty password inline", "store:\n  url: redis://:@redis.internal\n", Store{}, []string{"2:8: store.url: \"redis://:xxxxx@redis.internal\" holds a password"}},
		{"no host", "store:\n  url: redis:///0\n", Store{}, []string{"2:8: store.url: \"redis:///0\" names no host"}},
		{"bad port", "store:\n  url: redis://redis.internal:0/0\n", Store{}, []string{"2:8: store.url: \"redis://redis.internal:0/0\" has port \"0\""}},
		{"query", "store:\n  url: redis://redis.internal/0?dial_timeout=30s\n", Store{}, []string{"2:8: store.url: \"redis://redis.internal/0?dial_timeout=30s\" takes no query"}},
		{"database name", "store:\n  url: redis://redis.internal/flex\n", Store{}, []string{"2:8: store.url: \"redis://redis.internal/flex\" has path \"/flex\""}},
		{"two password sources", "store:\n  url: redis://redis.internal\n  password_file: redis.pass\n  password_env: REDIS_PASSWORD\n", Store{},
			[]string{"4:3: store.password_env: give password_file or password_env, not both"}},
		{"password for memory", "store:\n  password_env: REDIS_PASSWORD\n  required_for_ready: false\n", Store{},
			[]string{"2:3: store.password_env: applies to a Redis store only", "3:3: store.required_for_ready: applies to a Redis store only"}},
		{"unknown key", "store:\n  url: redis://redis.internal\n  password: s3cret\n", Store{},
			[]string{"3:3: store.password: unknown key; known here: url, password_file, password_env, required_for_ready"}},
		{"not true or false", "store:\n  url: redis://redis.internal\n  required_for_ready: yes\n", Store{},
			[]string{"3:23: store.required_for_ready: expected true or false"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := strings.Count(goodConfig, "\n") // the store block's lines follow
			cfg, err := LoadConfig(strings.NewReader(goodConfig + tc.store))
			if tc.issues == nil {
				if err != nil || cfg.Store != tc.want {
					t.Fatalf("LoadConfig: %+v, %v; want %+v", cfg.Store, err, tc.want)
				}
				return
			}
			var ce *ConfigError
			if !errors.As(err, &ce) || len(ce.Issues) != len(tc.issues) {
				t.Fatalf("err = %v, want %d issues", err, len(tc.issues))
			}
			for i, is := range ce.Issues {
				got := strconv.Itoa(is.Line-before) + ":" + strconv.Itoa(is.Column) + ": " + is.Field + ": " + is.Message
				if !strings.HasPrefix(got, tc.issues[i]) {
					t.Errorf("issue %d = %q, want prefix %q", i, got, tc.issues[i])
				}
				if strings.Contains(got, "s3cret") {
					t.Errorf("issue %d repeats a password: %q", i, got)
				}
			}
		})
	}
}

// TestLoadConfigFileStorePassword: password_file is relative to the
// configuration file, as every path in it.
func TestLoadConfigFileStorePassword(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bridge.yaml")
	if err := os.WriteFile(path, []byte(goodConfig+"store:\n  url: redis://redis.internal\n  password_file: secrets/redis.pass\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfigFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "secrets", "redis.pass"); cfg.Store.PasswordFile != want {
		t.Errorf("password_file = %q, want %q", cfg.Store.PasswordFile, want)
	}
}

// TestNewStoreRefuses: New fails, naming the key, on a store it cannot
// use: a URL a Config built in Go holds badly, a password file that is
// missing or empty, a password variable that is not set. A store that is
// down is not among them: the bridge starts not ready.
func TestNewStoreRefuses(t *testing.T) {
	w := newWorld(t, nil)
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.pass")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		store Store
		want  string
	}{
		{"scheme", Store{URL: "memcached://127.0.0.1:11211"}, `flexroles: store.url "memcached://127.0.0.1:11211" is neither memory nor`},
		{"inline password", Store{URL: "redis://:s3cret@127.0.0.1:1"}, `store.url "redis://:xxxxx@127.0.0.1:1" holds a password`},
		{"password with memory", Store{PasswordEnv: "X"}, "apply to a Redis store only"},
		{"both sources", Store{URL: "redis://127.0.0.1:1", PasswordFile: empty, PasswordEnv: "X"}, "not both"},
		{"missing file", Store{URL: "redis://127.0.0.1:1", PasswordFile: filepath.Join(dir, "nope.pass")}, "store.password_file: open"},
		{"a device as the file", Store{URL: "redis://127.0.0.1:1", PasswordFile: "/dev/zero"}, "store.password_file /dev/zero is larger than 4096 bytes"},
		{"empty file", Store{URL: "redis://127.0.0.1:1", PasswordFile: empty}, "is empty"},
		{"unset variable", Store{URL: "redis://127.0.0.1:1", PasswordEnv: "FLEXROLES_TEST_UNSET_PASSWORD"}, "names FLEXROLES_TEST_UNSET_PASSWORD, which is not set"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := w.cfg
			cfg.Store = tc.store
			b, err := New(context.Background(), cfg, nil)
			if err == nil || b != nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New = %v, %v; want an error saying %q", b != nil, err, tc.want)
			}
		})
	}
	t.Run("down at start", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		closed := "redis://" + ln.Addr().String() + "/0"
		_ = ln.Close() // nothing listens there now
		cfg := w.cfg
		cfg.Store = Store{URL: closed}
		b, err := New(context.Background(), cfg, nil)
		if err != nil {
			t.Fatalf("New with a store that is down: %v; want a bridge that is not ready", err)
		}
		defer b.Close()
		rec := httptest.NewRecorder()
		b.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, b.paths.ready.String(), nil))
		if rec.Code != http.StatusServiceUnavailable {
			t.Errorf("readyz: HTTP %d, want 503", rec.Code)
		}
		if _, _, err := Check(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), closed) {
			t.Errorf("Check with the store down: %v; want an error naming it", err)
		}
		cfg.Store.ReadyWhileDown = true
		b2, err := New(context.Background(), cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer b2.Close()
		rec = httptest.NewRecorder()
		b2.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, b2.paths.ready.String(), nil))
		if rec.Code != http.StatusOK {
			t.Errorf("readyz with required_for_ready false: HTTP %d, want 200", rec.Code)
		}
	})
}

// TestStorePassword: a server that wants a password is reached with it
// from a file or from an environment variable; with a wrong one the
// bridge is not ready and refuses logins with kind store.
func TestStorePassword(t *testing.T) {
	const password = "correct horse battery staple" //nolint:gosec // G101: the password of the test's own server
	srv := startRedis(t, "--requirepass", password)
	dir := t.TempDir()
	file := filepath.Join(dir, "redis.pass")
	if err := os.WriteFile(file, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	wrong := filepath.Join(dir, "wrong.pass")
	if err := os.WriteFile(wrong, []byte("battery staple\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FLEXROLES_TEST_REDIS_PASSWORD", password)
	for _, tc := range []struct {
		name  string
		store Store
		ok    bool
	}{
		{"file", Store{URL: srv.url(), PasswordFile: file}, true},
		{"environment", Store{URL: srv.url(), PasswordEnv: "FLEXROLES_TEST_REDIS_PASSWORD"}, true},
		{"wrong", Store{URL: srv.url(), PasswordFile: wrong}, false},
		{"none", Store{URL: srv.url()}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := storeWorld(t, tc.store.URL, func(c *Config) { c.Store = tc.store })
			in := w.instances(1)
			if got := readyz(t, in[0]); (got == http.StatusOK) != tc.ok {
				t.Errorf("readyz: HTTP %d, want ready %v", got, tc.ok)
			}
			a := pendingLogins(t, w, 1)[0].postTo(t, in[0])
			if a.granted != tc.ok || !tc.ok && a.kind != "store" {
				t.Errorf("login: granted %v kind %q; want granted %v", a.granted, a.kind, tc.ok)
			}
			if strings.Contains(in[0].logged(), "horse") {
				t.Errorf("the log holds the password:\n%s", in[0].logged())
			}
		})
	}
}

// TestStoreCallOutlivesBrowser: a login whose browser has gone away (its
// request's context is cancelled) is still checked against the store, and
// is not taken for a store failure.
func TestStoreCallOutlivesBrowser(t *testing.T) {
	w := storeWorld(t, startRedis(t).url(), nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := httptest.NewRecorder()
	w.bridge.ServeHTTP(rec, pendingLogins(t, w, 1)[0].request(w.bridge.paths.acs.String()).WithContext(ctx))
	if rec.Code != http.StatusOK {
		t.Errorf("HTTP %d, want 200: %.300s", rec.Code, rec.Body.String())
	}
	if m := w.bridge.stats.text(); !strings.Contains(m, "flexroles_bridge_store_errors_total 0\n") {
		t.Errorf("a store error was counted:\n%s", m)
	}
}
