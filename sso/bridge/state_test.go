package bridge

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// headerLimit is nginx's default request-header buffer
// (large_client_header_buffers 4 8k): a request line or header larger than
// it is refused with HTTP 400.
const headerLimit = 8 << 10

// limitingProxy is a reverse proxy on loopback in front of target that
// refuses, as nginx does with its default buffers, a request whose request
// line and headers take more than headerLimit bytes. It records the
// largest request it passed.
type limitingProxy struct {
	*httptest.Server
	mu      sync.Mutex
	largest int // bytes of the largest request line and headers passed
	refused int
}

func newLimitingProxy(t testing.TB, target string) *limitingProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &limitingProxy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := headerBytes(r)
		p.mu.Lock()
		if n > headerLimit {
			p.refused++
		} else if n > p.largest {
			p.largest = n
		}
		p.mu.Unlock()
		if n > headerLimit {
			http.Error(w, "400 Request Header Or Cookie Too Large", http.StatusBadRequest)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	return p
}

// headerBytes is the size of r's request line and header lines as the
// client sent them (Go joins repeated headers, which a browser does not
// send for Cookie anyway).
func headerBytes(r *http.Request) int {
	n := len(r.Method) + 1 + len(r.RequestURI) + 1 + len(r.Proto) + 2
	n += len("Host: ") + len(r.Host) + 2
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + 2 + len(v) + 2
		}
	}
	return n + 2
}

// TestStateCookieBomb: a page makes the victim's browser start 200 logins
// in Flex's name with the longest RelayState the bridge takes, through a
// proxy with nginx's default 8 KiB header buffer, and abandons them; the
// victim's own login afterwards reaches Flex. The browser holds one state
// cookie of at most maxLoginStates states.
func TestStateCookieBomb(t *testing.T) {
	var proxy *limitingProxy
	w := newWorld(t, func(c *Config) {
		// The browser reaches the bridge through the proxy: its base URL
		// is the proxy's.
		proxy = newLimitingProxy(t, strings.TrimSuffix(c.BaseURL, "/bridge"))
		c.BaseURL = proxy.URL + "/bridge"
	})
	// The largest state a RelayState within maxRelayState makes: quotes
	// take two bytes each in the sealed JSON.
	relay := strings.Repeat(`"`, 350) + strings.Repeat("a", maxRelayState-350)
	victim := w.browser("alex")
	stop := w.stopBeforeIDP(victim) // each login abandoned before the IdP
	for i := 0; i < 200; i++ {
		resp, err := stop.Get(w.flexSrv.URL + "/flex/login?relay=" + url.QueryEscape(relay))
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("abandoned login %d: HTTP %d, want the redirect to the IdP", i, resp.StatusCode)
		}
	}
	acs, _ := url.Parse(w.bridge.paths.acs.String())
	states := stateCookies(victim, acs)
	if len(states) != 1 {
		t.Fatalf("the browser holds %d state cookies for the ACS, want one", len(states))
	}
	if n := len(parseStates(states[0].Value)); n > maxLoginStates || len(states[0].Value) > maxStateJar {
		t.Errorf("the state cookie holds %d states in %d bytes; want at most %d in %d", n, len(states[0].Value), maxLoginStates, maxStateJar)
	}

	before := w.flex.Count()
	bp, fp := w.loginWith(victim, "")
	if fp.status != http.StatusOK || w.flex.Count() != before+1 {
		t.Fatalf("the login after 200 abandoned ones failed: bridge HTTP %d, Flex HTTP %d\n%.600s", bp.status, fp.status, bp.body)
	}
	proxy.mu.Lock()
	defer proxy.mu.Unlock()
	if proxy.refused != 0 {
		t.Errorf("the proxy refused %d requests over %d bytes of headers", proxy.refused, headerLimit)
	}
	t.Logf("largest request through the proxy: %d bytes of request line and headers (limit %d)", proxy.largest, headerLimit)
}

// TestStateSeveralTabs: logins started one after another in one browser
// (tabs) each finish, in any order, while there are at most maxLoginStates;
// the one more drops the oldest, whose login is refused for its missing
// state and can start again.
func TestStateSeveralTabs(t *testing.T) {
	w := newWorld(t, nil)
	b := w.browser("lee")
	var forms []page
	for i := 0; i <= maxLoginStates; i++ {
		forms = append(forms, w.upstreamResponse(b, ""))
	}
	for i := len(forms) - 1; i >= 1; i-- {
		before := w.flex.Count()
		bp := b.post(forms[i].action, forms[i].fields)
		if fp := b.post(bp.action, bp.fields); fp.status != http.StatusOK || w.flex.Count() != before+1 {
			t.Fatalf("tab %d: bridge HTTP %d, Flex HTTP %d\n%.600s", i, bp.status, fp.status, bp.body)
		}
	}
	before := w.flex.Count()
	p := b.post(forms[0].action, forms[0].fields)
	refusedNothingSent(t, w, before, p, http.StatusForbidden, "state")
	if !strings.Contains(p.body, "no login state") {
		t.Errorf("the oldest login is not refused for its missing state:\n%.600s", p.body)
	}
	acs, _ := url.Parse(w.bridge.paths.acs.String())
	if c := stateCookies(b, acs); len(c) != 0 {
		t.Errorf("the state cookie outlived its states: %v", c)
	}
}

// TestStateCookieHostPrefix: on https the state cookie is __Host-
// prefixed, Secure, Path=/, without Domain; a state planted under the
// plain name, as a sibling host can with Domain=, is not read, so a
// victim's browser cannot be made to finish an attacker's login.
func TestStateCookieHostPrefix(t *testing.T) {
	w := newTLSWorld(t, nil)
	if bp, fp := w.login("alex", ""); fp.status != http.StatusOK {
		t.Fatalf("a login on https failed: bridge HTTP %d\n%.600s", bp.status, bp.body)
	}

	attacker := w.browser("lee")
	c := *attacker.Client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(w.flexSrv.URL + "/flex/login")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	resp, err = c.Get(resp.Header.Get("Location")) // the bridge's saml/sso
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	set := resp.Cookies()
	if len(set) != 1 {
		t.Fatalf("saml/sso set %d cookies, want the state cookie", len(set))
	}
	sc := set[0]
	raw := resp.Header.Get("Set-Cookie")
	if sc.Name != "__Host-flexroles_login" || !sc.Secure || sc.Path != "/" || sc.Domain != "" || !sc.HttpOnly || sc.SameSite != http.SameSiteNoneMode {
		t.Errorf("state cookie %q: want __Host-flexroles_login, Secure, HttpOnly, Path=/, SameSite=None, no Domain", raw)
	}
	// The attacker finishes the IdP step as himself and keeps the form.
	up := attacker.get(resp.Header.Get("Location"))
	if up.fields.Get("SAMLResponse") == "" {
		t.Fatalf("the IdP sent no response: HTTP %d", up.status)
	}

	// The victim's browser gets the attacker's state under the plain
	// name, for the whole host, and the attacker's form.
	victim := w.browser("")
	host, _ := url.Parse(w.bridgeSrv.URL)
	victim.Jar.SetCookies(host, []*http.Cookie{{Name: strings.TrimPrefix(sc.Name, "__Host-"), Value: sc.Value, Path: "/"}})
	before := w.flex.Count()
	p := victim.post(up.action, up.fields)
	refusedNothingSent(t, w, before, p, http.StatusForbidden, "state")
}

// stateCookies returns the cookies of b's jar for u that carry login
// states, under either name (the test IdP's user cookie shares the
// loopback host).
func stateCookies(b *browser, u *url.URL) []*http.Cookie {
	var out []*http.Cookie
	for _, c := range b.Jar.Cookies(u) {
		if strings.HasPrefix(c.Name, stateCookieName) || strings.HasPrefix(c.Name, secureStateCookieName) {
			out = append(out, c)
		}
	}
	return out
}

// BenchmarkAddState is the state cookie's cost at saml/sso with a full
// cookie: open the states it holds, keep the newest, write the value.
func BenchmarkAddState(b *testing.B) {
	w := newWorld(b, nil)
	st := loginState{FlexRequestID: newID(), RelayState: strings.Repeat("a", 200), UpstreamID: newID(), Expires: time.Now().Add(time.Hour).Unix()}
	var entries []stateEntry
	for i := 0; i < maxLoginStates; i++ {
		h := newHandle()
		entries = append(entries, stateEntry{h, w.bridge.sealer.seal(h, st)})
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(&http.Cookie{Name: stateCookieName, Value: joinStates(entries)})
	h := newHandle()
	e := stateEntry{h, w.bridge.sealer.seal(h, st)}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if v := w.bridge.addState(r, e); len(parseStates(v)) != maxLoginStates {
			b.Fatalf("%d states kept", len(parseStates(v)))
		}
	}
}
