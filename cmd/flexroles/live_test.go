package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flexroles/flexroles/audit"
	"github.com/flexroles/flexroles/cmd/flexroles/internal/taskrouter"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twilio/twilio-go/client"
)

// Credentials and SIDs of the tests. The token and secret are alphanumeric,
// as the SDK requires, and distinctive, so that a leak shows.
const (
	testAccount   = "AC0123456789abcdef0123456789abcdef"
	testToken     = "tokenS3cr3tXq7Zv9Lw2Mn4Bp6Rt8Yu0Kd"
	testKey       = "SKfedcba9876543210fedcba9876543210"
	testSecret    = "apiSecretW4nd3rHq2Jx5Pc8Gf1Tz6Nb3"
	testWorkspace = "WS00112233445566778899aabbccddeeff"
	otherWS       = "WSffeeddccbbaa99887766554433221100"
	twilioHost    = "taskrouter.twilio.com"
)

// tokenEnv and keyEnv are environments with an auth token and with an API
// key.
var (
	tokenEnv = map[string]string{"TWILIO_ACCOUNT_SID": testAccount, "TWILIO_AUTH_TOKEN": testToken}
	keyEnv   = map[string]string{"TWILIO_ACCOUNT_SID": testAccount, "TWILIO_API_KEY": testKey, "TWILIO_API_SECRET": testSecret}
)

// fakeWorker is a worker the fake TaskRouter lists. A nil attributes is
// listed as null.
type fakeWorker struct {
	sid, name  string
	attributes any
}

// testWorkers are five Flex workers, whose attributes hold what escaping
// must survive: quotes, non-ASCII text, escapes and nesting.
var testWorkers = []fakeWorker{
	{workerSID(1), "ana.diaz@example.com", `{"roles":["agent"],"email":"ana.diaz@example.com","full_name":"Ana Diaz","contact_uri":"client:ana.diaz"}`},
	{workerSID(2), "bo.chen@example.com", `{"roles":["supervisor","wfo.team_leader"],"full_name":"Bo \"Bobby\" Chen","routing":{"skills":["sales"],"levels":{"sales":3}}}`},
	{workerSID(3), "zoe.orsted@example.com", `{"roles":["admin"],"full_name":"Zoë Ørsted \u2603","note":"a\\b\/c"}`},
	{workerSID(4), "system", `{}`},
	{workerSID(5), "dev.one@example.com", `{"roles":["agent","wfo.quality_process_manager"],"email":"dev.one@example.com"}`},
}

// workerSID returns the SID of test worker n.
func workerSID(n int) string { return fmt.Sprintf("WK%032x", n) }

// fakeTaskRouter serves the Workers list of testWorkspace as TaskRouter
// does: Basic auth checked, pages of pageSize workers whatever PageSize asks
// for, each linking to the next by an absolute next_page_url with a page
// token. It records the path and query of every request.
type fakeTaskRouter struct {
	user, pass string
	workers    []fakeWorker
	pageSize   int
	// intercept, when set, may answer request n (from 0) itself, which it
	// tells by returning true.
	intercept func(n int, w http.ResponseWriter, r *http.Request) bool

	srv      *httptest.Server
	mu       sync.Mutex
	requests []string
}

// newFakeTaskRouter starts a fake TaskRouter expecting the credentials of
// env, closed when the test ends.
func newFakeTaskRouter(t *testing.T, env map[string]string, workers []fakeWorker, pageSize int) *fakeTaskRouter {
	f := &fakeTaskRouter{user: env["TWILIO_ACCOUNT_SID"], pass: env["TWILIO_AUTH_TOKEN"], workers: workers, pageSize: pageSize}
	if env["TWILIO_API_KEY"] != "" {
		f.user, f.pass = env["TWILIO_API_KEY"], env["TWILIO_API_SECRET"]
	}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

// seen returns the requests served so far.
func (f *fakeTaskRouter) seen() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

// ServeHTTP answers one request as TaskRouter would.
func (f *fakeTaskRouter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	n := len(f.requests)
	f.requests = append(f.requests, r.URL.RequestURI())
	f.mu.Unlock()

	if user, pass, ok := r.BasicAuth(); !ok || user != f.user || pass != f.pass {
		writeTwilioError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	if r.Method != http.MethodGet || r.Host != twilioHost || r.URL.Path != "/v1/Workspaces/"+testWorkspace+"/Workers" {
		writeTwilioError(w, http.StatusNotFound, 20404, "The requested resource "+strings.TrimPrefix(r.URL.Path, "/v1")+" was not found")
		return
	}
	if f.intercept != nil && f.intercept(n, w, r) {
		return
	}
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("Page"))
	from := min(page*f.pageSize, len(f.workers))
	to := min(from+f.pageSize, len(f.workers))
	if page > 0 && q.Get("PageToken") != pageToken(f.workers[from-1]) {
		writeTwilioError(w, http.StatusBadRequest, 20001, "Invalid PageToken")
		return
	}

	listed := []map[string]any{}
	for _, wk := range f.workers[from:to] {
		listed = append(listed, workerJSON(wk))
	}
	size := q.Get("PageSize")
	meta := map[string]any{
		"first_page_url":    pageURL(size, 0, ""),
		"key":               "workers",
		"next_page_url":     nil,
		"page":              page,
		"page_size":         len(listed),
		"previous_page_url": nil,
		"url":               pageURL(size, page, q.Get("PageToken")),
	}
	if to < len(f.workers) {
		meta["next_page_url"] = pageURL(size, page+1, pageToken(f.workers[to-1]))
	}
	if page > 0 {
		meta["previous_page_url"] = pageURL(size, page-1, "PB"+f.workers[from].sid)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"workers": listed, "meta": meta})
}

// pageToken returns the token of the page after the one ending with w.
func pageToken(w fakeWorker) string { return "PA" + w.sid }

// pageURL returns the absolute URL of a page of testWorkspace's workers, as
// TaskRouter writes it in meta.
func pageURL(size string, page int, token string) string {
	return "https://" + twilioHost + pagePath(size, page, token)
}

// pagePath returns the path and query of a page of testWorkspace's
// workers; the first page is asked for without Page and PageToken.
func pagePath(size string, page int, token string) string {
	p := "/v1/Workspaces/" + testWorkspace + "/Workers?PageSize=" + size
	if page > 0 || token != "" {
		p += "&Page=" + strconv.Itoa(page) + "&PageToken=" + token
	}
	return p
}

// workerJSON returns a worker as the TaskRouter API lists it: attributes is
// a JSON string holding the JSON object.
func workerJSON(w fakeWorker) map[string]any {
	ws := "https://" + twilioHost + "/v1/Workspaces/" + testWorkspace
	activity := "WA" + strings.Repeat("0a", 16)
	return map[string]any{
		"account_sid":         testAccount,
		"activity_name":       "Offline",
		"activity_sid":        activity,
		"attributes":          w.attributes,
		"available":           false,
		"date_created":        "2024-03-05T10:12:45Z",
		"date_status_changed": "2024-06-11T16:03:27Z",
		"date_updated":        "2024-06-11T16:03:27Z",
		"friendly_name":       w.name,
		"sid":                 w.sid,
		"workspace_sid":       testWorkspace,
		"url":                 ws + "/Workers/" + w.sid,
		"links": map[string]any{
			"activity":     ws + "/Activities/" + activity,
			"channels":     ws + "/Workers/" + w.sid + "/Channels",
			"reservations": ws + "/Workers/" + w.sid + "/Reservations",
			"workspace":    ws,
		},
	}
}

// writeTwilioError answers with a Twilio error body.
func writeTwilioError(w http.ResponseWriter, status, code int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"code":      code,
		"message":   message,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code),
		"status":    status,
	})
}

// toServer sends every request to srv, keeping its path, query and Host
// header, as if srv were taskrouter.twilio.com.
type toServer struct{ srv *httptest.Server }

// RoundTrip implements http.RoundTripper.
func (ts toServer) RoundTrip(req *http.Request) (*http.Response, error) {
	u, err := url.Parse(ts.srv.URL)
	if err != nil {
		return nil, err
	}
	r := req.Clone(req.Context())
	r.URL.Scheme, r.URL.Host = u.Scheme, u.Host
	return ts.srv.Client().Transport.RoundTrip(r)
}

// fakeSleep records the waits asked for and returns at once, or with ctx's
// error when ctx is done.
type fakeSleep struct {
	mu    sync.Mutex
	waits []time.Duration
}

// sleep is a taskrouter.Config.Sleep.
func (s *fakeSleep) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

// config returns a configuration reading f's workspace with env, and the
// fake sleep it waits with.
func (f *fakeTaskRouter) config(env map[string]string) (taskrouter.Config, *fakeSleep) {
	s := &fakeSleep{}
	return taskrouter.Config{
		Workspace: testWorkspace,
		Getenv:    func(name string) string { return env[name] },
		Transport: toServer{f.srv},
		Sleep:     s.sleep,
	}, s
}

// collect reads the workers of cfg and returns those emitted. It fails the
// test if the error shows a credential.
func collect(t *testing.T, ctx context.Context, cfg taskrouter.Config) ([]audit.Record, error) {
	t.Helper()
	var got []audit.Record
	err := taskrouter.ReadWorkers(ctx, cfg, func(r audit.Record) error {
		got = append(got, r)
		return nil
	})
	if err != nil {
		for _, secret := range []string{testToken, testSecret} {
			require.NotContains(t, err.Error(), secret)
			require.NotContains(t, fmt.Sprintf("%+v", err), secret)
		}
	}
	return got, err
}

// requireWorkers checks that got are want, in order, as read live.
func requireWorkers(t *testing.T, want []fakeWorker, got []audit.Record) {
	t.Helper()
	require.Len(t, got, len(want))
	for i, w := range want {
		assert.Equal(t, audit.Record{SID: w.sid, FriendlyName: w.name, Attributes: []byte(w.attributes.(string))}, got[i], "worker %d", i)
		assert.JSONEq(t, w.attributes.(string), string(got[i].Attributes), "worker %d", i)
	}
}

// TestLiveReadsEveryPage reads workspaces of one and several pages, with
// either kind of credentials, and checks the pages asked for.
func TestLiveReadsEveryPage(t *testing.T) {
	bothEnv := map[string]string{"TWILIO_AUTH_TOKEN": "tokenUnused0"}
	for k, v := range keyEnv {
		bothEnv[k] = v
	}
	tests := []struct {
		name     string
		env      map[string]string
		workers  []fakeWorker
		pageSize int
		pages    []string // the requests, in order
	}{
		{
			name: "auth token, pages of 2+2+1", env: tokenEnv, workers: testWorkers, pageSize: 2,
			pages: []string{
				pagePath("1000", 0, ""),
				pagePath("1000", 1, pageToken(testWorkers[1])),
				pagePath("1000", 2, pageToken(testWorkers[3])),
			},
		},
		{
			name: "api key, pages of 2+2+1", env: keyEnv, workers: testWorkers, pageSize: 2,
			pages: []string{
				pagePath("1000", 0, ""),
				pagePath("1000", 1, pageToken(testWorkers[1])),
				pagePath("1000", 2, pageToken(testWorkers[3])),
			},
		},
		{
			name: "api key preferred to an auth token", env: bothEnv, workers: testWorkers[:2], pageSize: 2,
			pages: []string{pagePath("1000", 0, "")},
		},
		{
			name: "one full page", env: tokenEnv, workers: testWorkers, pageSize: 1000,
			pages: []string{pagePath("1000", 0, "")},
		},
		{
			name: "no workers", env: tokenEnv, workers: nil, pageSize: 1000,
			pages: []string{pagePath("1000", 0, "")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeTaskRouter(t, tt.env, tt.workers, tt.pageSize)
			cfg, sleep := f.config(tt.env)
			got, err := collect(t, context.Background(), cfg)
			require.NoError(t, err)
			requireWorkers(t, tt.workers, got)
			assert.Equal(t, tt.pages, f.seen())
			assert.Empty(t, sleep.waits)
		})
	}
}

// TestLiveAPIErrors checks how errors answered by Twilio are told.
func TestLiveAPIErrors(t *testing.T) {
	answer := func(status, code int, message string) func(int, http.ResponseWriter, *http.Request) bool {
		return func(_ int, w http.ResponseWriter, _ *http.Request) bool {
			writeTwilioError(w, status, code, message)
			return true
		}
	}
	tests := []struct {
		name      string
		env       map[string]string // the credentials sent
		serverEnv map[string]string // the credentials the server expects
		workspace string
		intercept func(int, http.ResponseWriter, *http.Request) bool
		want      []string
		notTwilio bool // the answer is no Twilio error body
	}{
		{
			name: "wrong auth token", env: tokenEnv,
			serverEnv: map[string]string{"TWILIO_ACCOUNT_SID": testAccount, "TWILIO_AUTH_TOKEN": "another0Token"},
			want:      []string{"authentication failed", "http 401", "20003", "Authenticate", "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"},
		},
		{
			name: "wrong api secret", env: keyEnv,
			serverEnv: map[string]string{"TWILIO_ACCOUNT_SID": testAccount, "TWILIO_API_KEY": testKey, "TWILIO_API_SECRET": "another0Secret"},
			want:      []string{"authentication failed", "http 401", "20003", "TWILIO_API_KEY, TWILIO_API_SECRET and TWILIO_ACCOUNT_SID"},
		},
		{
			name: "forbidden", env: keyEnv, serverEnv: keyEnv,
			intercept: answer(http.StatusForbidden, 20403, "Forbidden"),
			want:      []string{"authentication failed", "http 403", "20403", "Forbidden", "TWILIO_API_KEY"},
		},
		{
			name: "unknown workspace", env: tokenEnv, serverEnv: tokenEnv, workspace: otherWS,
			want: []string{"workspace " + otherWS + " not found", "http 404", "20404"},
		},
		{
			name: "server error", env: tokenEnv, serverEnv: tokenEnv,
			intercept: answer(http.StatusInternalServerError, 20500, "Internal Server Error"),
			want:      []string{"workers of workspace " + testWorkspace, "http 500", "20500", "Internal Server Error"},
		},
		{
			name: "not a twilio answer", env: tokenEnv, serverEnv: tokenEnv,
			intercept: func(_ int, w http.ResponseWriter, _ *http.Request) bool {
				http.Error(w, "<html>bad gateway</html>", http.StatusBadGateway)
				return true
			},
			want:      []string{"workers of workspace " + testWorkspace, "502"},
			notTwilio: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeTaskRouter(t, tt.serverEnv, testWorkers, 2)
			f.intercept = tt.intercept
			cfg, _ := f.config(tt.env)
			if tt.workspace != "" {
				cfg.Workspace = tt.workspace
			}
			got, err := collect(t, context.Background(), cfg)
			require.Error(t, err)
			for _, s := range tt.want {
				assert.Contains(t, err.Error(), s)
			}
			assert.Empty(t, got)
			assert.Len(t, f.seen(), 1, "an error answer is not tried again")
			var te *client.TwilioRestError
			assert.Equal(t, !tt.notTwilio, errors.As(err, &te), "the SDK's error is wrapped")
		})
	}
}

// TestLiveNeverShowsSecrets checks that neither the auth token nor the API
// secret appears in an error, however printed, or in any output, whatever
// fails.
func TestLiveNeverShowsSecrets(t *testing.T) {
	tests := []struct {
		name      string
		env       map[string]string
		serverEnv map[string]string
		intercept func(int, http.ResponseWriter, *http.Request) bool
	}{
		{name: "wrong token", env: tokenEnv, serverEnv: keyEnv},
		{name: "wrong secret", env: keyEnv, serverEnv: tokenEnv},
		{name: "token without account", env: map[string]string{"TWILIO_AUTH_TOKEN": testToken}},
		{name: "secret without key", env: map[string]string{"TWILIO_ACCOUNT_SID": testAccount, "TWILIO_API_SECRET": testSecret}},
		{
			name: "rate limited", env: keyEnv, serverEnv: keyEnv,
			intercept: func(_ int, w http.ResponseWriter, _ *http.Request) bool {
				writeTwilioError(w, http.StatusTooManyRequests, 20429, "Too Many Requests")
				return true
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeTaskRouter(t, tt.serverEnv, testWorkers, 2)
			f.intercept = tt.intercept
			cfg, _ := f.config(tt.env)
			var err error
			out := captureOutput(t, func() {
				err = taskrouter.ReadWorkers(context.Background(), cfg, func(audit.Record) error { return nil })
			})
			require.Error(t, err)
			for _, printed := range []string{err.Error(), fmt.Sprint(err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), out} {
				assert.NotContains(t, printed, testToken)
				assert.NotContains(t, printed, testSecret)
			}
		})
	}
}

// captureOutput runs fn and returns what it wrote to the standard output,
// the standard error or the standard logger.
func captureOutput(t *testing.T, fn func()) string {
	t.Helper()
	out, err := os.CreateTemp(t.TempDir(), "output")
	require.NoError(t, err)
	defer out.Close()
	stdout, stderr, logOut := os.Stdout, os.Stderr, log.Writer()
	os.Stdout, os.Stderr = out, out
	log.SetOutput(out)
	defer func() {
		os.Stdout, os.Stderr = stdout, stderr
		log.SetOutput(logOut)
	}()
	fn()
	data, err := os.ReadFile(out.Name())
	require.NoError(t, err)
	return string(data)
}

// TestLiveRetries checks that a rate-limited or unavailable page is asked
// for again, after the wait Twilio asks for or a growing one.
func TestLiveRetries(t *testing.T) {
	page2 := pagePath("1000", 1, pageToken(testWorkers[1]))
	tests := []struct {
		name       string
		status     int
		retryAfter string // "" for none
		failures   int    // answers of status before success to the first request of page 2
		waits      []time.Duration
	}{
		{name: "429 with Retry-After: 1", status: http.StatusTooManyRequests, retryAfter: "1", failures: 1, waits: []time.Duration{time.Second}},
		{name: "429 with Retry-After over the cap", status: http.StatusTooManyRequests, retryAfter: "120", failures: 1, waits: []time.Duration{30 * time.Second}},
		{name: "429 with a date for Retry-After", status: http.StatusTooManyRequests, retryAfter: "Wed, 21 Oct 2015 07:28:00 GMT", failures: 2, waits: []time.Duration{500 * time.Millisecond, time.Second}},
		{name: "503 without Retry-After", status: http.StatusServiceUnavailable, failures: 4, waits: []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeTaskRouter(t, tokenEnv, testWorkers, 2)
			f.intercept = func(n int, w http.ResponseWriter, _ *http.Request) bool {
				if n < 1 || n > tt.failures {
					return false
				}
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				writeTwilioError(w, tt.status, 20429, http.StatusText(tt.status))
				return true
			}
			cfg, sleep := f.config(tokenEnv)
			got, err := collect(t, context.Background(), cfg)
			require.NoError(t, err)
			requireWorkers(t, testWorkers, got)
			assert.Equal(t, tt.waits, sleep.waits)
			want := []string{pagePath("1000", 0, "")}
			for range tt.failures + 1 {
				want = append(want, page2)
			}
			want = append(want, pagePath("1000", 2, pageToken(testWorkers[3])))
			assert.Equal(t, want, f.seen())
		})
	}
}

// TestLiveGivesUp checks that a page still rate-limited or unavailable after
// five attempts ends the reading.
func TestLiveGivesUp(t *testing.T) {
	tests := []struct {
		name   string
		status int
		code   int
		want   []string
	}{
		{name: "429", status: http.StatusTooManyRequests, code: 20429, want: []string{"rate limited", "http 429", "20429", "5 attempts"}},
		{name: "503", status: http.StatusServiceUnavailable, code: 20503, want: []string{"unavailable", "http 503", "20503", "5 attempts"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeTaskRouter(t, tokenEnv, testWorkers, 2)
			f.intercept = func(_ int, w http.ResponseWriter, _ *http.Request) bool {
				w.Header().Set("Retry-After", "1")
				writeTwilioError(w, tt.status, tt.code, http.StatusText(tt.status))
				return true
			}
			cfg, sleep := f.config(tokenEnv)
			got, err := collect(t, context.Background(), cfg)
			require.Error(t, err)
			for _, s := range tt.want {
				assert.Contains(t, err.Error(), s)
			}
			assert.Empty(t, got)
			assert.Len(t, f.seen(), 5)
			assert.Equal(t, []time.Duration{time.Second, time.Second, time.Second, time.Second}, sleep.waits)
		})
	}
}

// TestLiveEmitErrorStops checks that an error of emit ends the reading and
// is returned as it is.
func TestLiveEmitErrorStops(t *testing.T) {
	errStop := errors.New("audit output closed")
	for _, stopAt := range []int{0, 2, 4} {
		t.Run(fmt.Sprint("worker ", stopAt), func(t *testing.T) {
			f := newFakeTaskRouter(t, tokenEnv, testWorkers, 2)
			cfg, _ := f.config(tokenEnv)
			var got []audit.Record
			err := taskrouter.ReadWorkers(context.Background(), cfg, func(r audit.Record) error {
				got = append(got, r)
				if len(got) == stopAt+1 {
					return errStop
				}
				return nil
			})
			require.ErrorIs(t, err, errStop)
			assert.Len(t, got, stopAt+1)
			// At most the page after the one in hand has been asked for.
			assert.LessOrEqual(t, len(f.seen()), stopAt/2+2)
		})
	}
}

// TestLiveStopEndsTheSDKStream checks that reading stopped by emit, while
// the SDK's paging goroutine holds the next page, leaves that goroutine
// to end rather than wait forever.
func TestLiveStopEndsTheSDKStream(t *testing.T) {
	errStop := errors.New("audit output closed")
	f := newFakeTaskRouter(t, tokenEnv, testWorkers, 2)
	cfg, _ := f.config(tokenEnv)
	err := taskrouter.ReadWorkers(context.Background(), cfg, func(audit.Record) error {
		// Stop once the SDK has fetched page 2 ahead of the emitting.
		require.Eventually(t, func() bool { return len(f.seen()) == 2 }, 5*time.Second, time.Millisecond)
		return errStop
	})
	require.ErrorIs(t, err, errStop)
	assert.Eventually(t, func() bool {
		buf := make([]byte, 1<<20)
		return !strings.Contains(string(buf[:runtime.Stack(buf, true)]), "twilio-go/rest/taskrouter")
	}, 5*time.Second, 10*time.Millisecond, "the SDK's paging goroutine still runs")
	assert.Len(t, f.seen(), 2)
}

// TestLiveRefusesBeforeAnyRequest checks the errors of a configuration that
// cannot be used, and that no request is sent then.
func TestLiveRefusesBeforeAnyRequest(t *testing.T) {
	tests := []struct {
		name      string
		workspace string
		env       map[string]string
		want      []string
	}{
		{name: "no credentials", workspace: testWorkspace, env: map[string]string{}, want: []string{"missing twilio credentials", "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN not set", "TWILIO_API_KEY"}},
		{name: "no auth token", workspace: testWorkspace, env: map[string]string{"TWILIO_ACCOUNT_SID": testAccount}, want: []string{"TWILIO_AUTH_TOKEN not set"}},
		{name: "no account", workspace: testWorkspace, env: map[string]string{"TWILIO_AUTH_TOKEN": testToken}, want: []string{"TWILIO_ACCOUNT_SID not set"}},
		{name: "api key without secret", workspace: testWorkspace, env: map[string]string{"TWILIO_ACCOUNT_SID": testAccount, "TWILIO_API_KEY": testKey}, want: []string{"TWILIO_API_SECRET not set"}},
		{name: "api key without account", workspace: testWorkspace, env: map[string]string{"TWILIO_API_KEY": testKey, "TWILIO_API_SECRET": testSecret}, want: []string{"TWILIO_ACCOUNT_SID not set"}},
		{name: "no workspace", workspace: "", env: tokenEnv, want: []string{`invalid workspace sid ""`, "WS followed by 32 hex digits"}},
		{name: "short workspace", workspace: "WS0011", env: tokenEnv, want: []string{`invalid workspace sid "WS0011"`}},
		{name: "worker sid", workspace: workerSID(1), env: tokenEnv, want: []string{"invalid workspace sid"}},
		{name: "not hex", workspace: "WS00112233445566778899aabbccddeefg", env: tokenEnv, want: []string{"invalid workspace sid"}},
		{name: "lower-case prefix", workspace: "ws00112233445566778899aabbccddeeff", env: tokenEnv, want: []string{"invalid workspace sid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeTaskRouter(t, tokenEnv, testWorkers, 2)
			cfg, _ := f.config(tt.env)
			cfg.Workspace = tt.workspace
			got, err := collect(t, context.Background(), cfg)
			require.Error(t, err)
			for _, s := range tt.want {
				assert.Contains(t, err.Error(), s)
			}
			assert.Empty(t, got)
			assert.Empty(t, f.seen())
		})
	}
}

// TestLiveWorkerWithoutAttributes checks that a worker listed without its
// attributes is an error, not a worker without roles.
func TestLiveWorkerWithoutAttributes(t *testing.T) {
	workers := []fakeWorker{testWorkers[0], {workerSID(9), "ghost", nil}}
	f := newFakeTaskRouter(t, tokenEnv, workers, 1000)
	cfg, _ := f.config(tokenEnv)
	got, err := collect(t, context.Background(), cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), workerSID(9)+`" without its attributes`)
	requireWorkers(t, workers[:1], got)
}

// TestLiveCancelDuringRetryWait checks that cancelling the context while
// waiting to try a rate-limited page again ends the reading at once.
func TestLiveCancelDuringRetryWait(t *testing.T) {
	tests := []struct {
		name      string
		realTimer bool // wait with the default timer rather than a fake
	}{
		{name: "fake sleep"},
		{name: "real timer", realTimer: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			f := newFakeTaskRouter(t, tokenEnv, testWorkers, 2)
			f.intercept = func(n int, w http.ResponseWriter, _ *http.Request) bool {
				if n != 1 {
					return false
				}
				if tt.realTimer {
					time.AfterFunc(50*time.Millisecond, cancel) // once the client waits
				}
				w.Header().Set("Retry-After", "30")
				writeTwilioError(w, http.StatusTooManyRequests, 20429, "Too Many Requests")
				return true
			}
			cfg, _ := f.config(tokenEnv)
			var waits []time.Duration
			if tt.realTimer {
				cfg.Sleep = nil
			} else {
				cfg.Sleep = func(ctx context.Context, d time.Duration) error {
					waits = append(waits, d)
					cancel() // as an interrupt arriving during the wait
					<-ctx.Done()
					return ctx.Err()
				}
			}
			start := time.Now()
			got, err := collect(t, ctx, cfg)
			require.ErrorIs(t, err, context.Canceled)
			assert.Less(t, time.Since(start), 10*time.Second)
			// Page 1, or the part of it emitted before the cancellation.
			require.LessOrEqual(t, len(got), 2)
			requireWorkers(t, testWorkers[:len(got)], got)
			assert.Len(t, f.seen(), 2, "no attempt after the cancellation")
			if !tt.realTimer {
				assert.Equal(t, []time.Duration{30 * time.Second}, waits)
			}
		})
	}
}

// hostRecorder records the host of each request and sends it on to srv as
// if it were addressed to taskrouter.twilio.com.
type hostRecorder struct {
	srv   *httptest.Server
	mu    sync.Mutex
	hosts []string
}

// RoundTrip implements http.RoundTripper.
func (h *hostRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.hosts = append(h.hosts, req.URL.Host)
	h.mu.Unlock()
	r := req.Clone(req.Context())
	r.Host = twilioHost
	return toServer{h.srv}.RoundTrip(r)
}

// TestLiveEdgeAndRegion checks that the edge and region come from
// Config.Getenv, as the credentials do, and never from the process
// environment, which the SDK's request handler reads on its own.
func TestLiveEdgeAndRegion(t *testing.T) {
	t.Setenv("TWILIO_EDGE", "dublin")
	t.Setenv("TWILIO_REGION", "ie1")
	withEdge := map[string]string{"TWILIO_EDGE": "sydney", "TWILIO_REGION": "au1"}
	for k, v := range tokenEnv {
		withEdge[k] = v
	}
	for _, tt := range []struct {
		name string
		env  map[string]string
		host string
	}{
		{"edge and region of Getenv", withEdge, "taskrouter.sydney.au1.twilio.com"},
		{"none in Getenv: the process environment is not read", tokenEnv, twilioHost},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeTaskRouter(t, tt.env, testWorkers[:1], 1000)
			cfg, _ := f.config(tt.env)
			rec := &hostRecorder{srv: f.srv}
			cfg.Transport = rec
			got, err := collect(t, context.Background(), cfg)
			require.NoError(t, err)
			requireWorkers(t, testWorkers[:1], got)
			assert.Equal(t, []string{tt.host}, rec.hosts)
		})
	}
}
