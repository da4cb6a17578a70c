package taskrouter_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twilio/twilio-go/client"

	"github.com/flexroles/flexroles/audit"
	"github.com/flexroles/flexroles/cmd/flexroles/internal/taskrouter"
	trt "github.com/flexroles/flexroles/cmd/flexroles/internal/taskroutertest"
)

// testWorkers are the workers the tests list, in order.
var testWorkers = trt.Workers()

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
		for _, secret := range []string{trt.Token, trt.Secret} {
			require.NotContains(t, err.Error(), secret)
			require.NotContains(t, fmt.Sprintf("%+v", err), secret)
		}
	}
	return got, err
}

// requireWorkers checks that got are want, in order, as read live.
func requireWorkers(t *testing.T, want []trt.Worker, got []audit.Record) {
	t.Helper()
	require.Len(t, got, len(want))
	for i, w := range want {
		assert.Equal(t, audit.Record{SID: w.SID, FriendlyName: w.Name, Attributes: []byte(w.Attributes.(string))}, got[i], "worker %d", i)
		assert.JSONEq(t, w.Attributes.(string), string(got[i].Attributes), "worker %d", i)
	}
}

// TestLiveReadsEveryPage reads workspaces of one and several pages, with
// either kind of credentials, and checks the pages asked for.
func TestLiveReadsEveryPage(t *testing.T) {
	bothEnv := map[string]string{"TWILIO_AUTH_TOKEN": "tokenUnused0"}
	for k, v := range trt.KeyEnv() {
		bothEnv[k] = v
	}
	tests := []struct {
		name     string
		env      map[string]string
		workers  []trt.Worker
		pageSize int
		pages    []string // the requests, in order
	}{
		{
			name: "auth token, pages of 2+2+1", env: trt.TokenEnv(), workers: testWorkers, pageSize: 2,
			pages: []string{
				trt.PagePath("1000", 0, ""),
				trt.PagePath("1000", 1, trt.PageToken(testWorkers[1])),
				trt.PagePath("1000", 2, trt.PageToken(testWorkers[3])),
			},
		},
		{
			name: "api key, pages of 2+2+1", env: trt.KeyEnv(), workers: testWorkers, pageSize: 2,
			pages: []string{
				trt.PagePath("1000", 0, ""),
				trt.PagePath("1000", 1, trt.PageToken(testWorkers[1])),
				trt.PagePath("1000", 2, trt.PageToken(testWorkers[3])),
			},
		},
		{
			name: "api key preferred to an auth token", env: bothEnv, workers: testWorkers[:2], pageSize: 2,
			pages: []string{trt.PagePath("1000", 0, "")},
		},
		{
			name: "one full page", env: trt.TokenEnv(), workers: testWorkers, pageSize: 1000,
			pages: []string{trt.PagePath("1000", 0, "")},
		},
		{
			name: "no workers", env: trt.TokenEnv(), workers: nil, pageSize: 1000,
			pages: []string{trt.PagePath("1000", 0, "")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := trt.New(t, tt.env, tt.workers, tt.pageSize)
			cfg, sleep := f.Config(tt.env)
			got, err := collect(t, context.Background(), cfg)
			require.NoError(t, err)
			requireWorkers(t, tt.workers, got)
			assert.Equal(t, tt.pages, f.Seen())
			assert.Empty(t, sleep.Waits())
		})
	}
}

// TestLiveAPIErrors checks how errors answered by Twilio are told.
func TestLiveAPIErrors(t *testing.T) {
	answer := func(status, code int, message string) func(int, http.ResponseWriter, *http.Request) bool {
		return func(_ int, w http.ResponseWriter, _ *http.Request) bool {
			trt.WriteError(w, status, code, message)
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
			name: "wrong auth token", env: trt.TokenEnv(),
			serverEnv: map[string]string{"TWILIO_ACCOUNT_SID": trt.Account, "TWILIO_AUTH_TOKEN": "another0Token"},
			want:      []string{"authentication failed", "http 401", "20003", "Authenticate", "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"},
		},
		{
			name: "wrong api secret", env: trt.KeyEnv(),
			serverEnv: map[string]string{"TWILIO_ACCOUNT_SID": trt.Account, "TWILIO_API_KEY": trt.Key, "TWILIO_API_SECRET": "another0Secret"},
			want:      []string{"authentication failed", "http 401", "20003", "TWILIO_API_KEY, TWILIO_API_SECRET and TWILIO_ACCOUNT_SID"},
		},
		{
			name: "forbidden", env: trt.KeyEnv(), serverEnv: trt.KeyEnv(),
			intercept: answer(http.StatusForbidden, 20403, "Forbidden"),
			want:      []string{"authentication failed", "http 403", "20403", "Forbidden", "TWILIO_API_KEY"},
		},
		{
			name: "unknown workspace", env: trt.TokenEnv(), serverEnv: trt.TokenEnv(), workspace: trt.OtherWorkspace,
			want: []string{"workspace " + trt.OtherWorkspace + " not found", "http 404", "20404"},
		},
		{
			name: "server error", env: trt.TokenEnv(), serverEnv: trt.TokenEnv(),
			intercept: answer(http.StatusInternalServerError, 20500, "Internal Server Error"),
			want:      []string{"workers of workspace " + trt.Workspace, "http 500", "20500", "Internal Server Error"},
		},
		{
			name: "not a twilio answer", env: trt.TokenEnv(), serverEnv: trt.TokenEnv(),
			intercept: func(_ int, w http.ResponseWriter, _ *http.Request) bool {
				http.Error(w, "<html>bad gateway</html>", http.StatusBadGateway)
				return true
			},
			want:      []string{"workers of workspace " + trt.Workspace, "502"},
			notTwilio: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := trt.New(t, tt.serverEnv, testWorkers, 2)
			f.Intercept = tt.intercept
			cfg, _ := f.Config(tt.env)
			if tt.workspace != "" {
				cfg.Workspace = tt.workspace
			}
			got, err := collect(t, context.Background(), cfg)
			require.Error(t, err)
			for _, s := range tt.want {
				assert.Contains(t, err.Error(), s)
			}
			assert.Empty(t, got)
			assert.Len(t, f.Seen(), 1, "an error answer is not tried again")
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
		{name: "wrong token", env: trt.TokenEnv(), serverEnv: trt.KeyEnv()},
		{name: "wrong secret", env: trt.KeyEnv(), serverEnv: trt.TokenEnv()},
		{name: "token without account", env: map[string]string{"TWILIO_AUTH_TOKEN": trt.Token}},
		{name: "secret without key", env: map[string]string{"TWILIO_ACCOUNT_SID": trt.Account, "TWILIO_API_SECRET": trt.Secret}},
		{
			name: "rate limited", env: trt.KeyEnv(), serverEnv: trt.KeyEnv(),
			intercept: func(_ int, w http.ResponseWriter, _ *http.Request) bool {
				trt.WriteError(w, http.StatusTooManyRequests, 20429, "Too Many Requests")
				return true
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := trt.New(t, tt.serverEnv, testWorkers, 2)
			f.Intercept = tt.intercept
			cfg, _ := f.Config(tt.env)
			var err error
			out := captureOutput(t, func() {
				err = taskrouter.ReadWorkers(context.Background(), cfg, func(audit.Record) error { return nil })
			})
			require.Error(t, err)
			for _, printed := range []string{err.Error(), fmt.Sprint(err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), out} {
				assert.NotContains(t, printed, trt.Token)
				assert.NotContains(t, printed, trt.Secret)
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
	page2 := trt.PagePath("1000", 1, trt.PageToken(testWorkers[1]))
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
			f := trt.New(t, trt.TokenEnv(), testWorkers, 2)
			f.Intercept = func(n int, w http.ResponseWriter, _ *http.Request) bool {
				if n < 1 || n > tt.failures {
					return false
				}
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				trt.WriteError(w, tt.status, 20429, http.StatusText(tt.status))
				return true
			}
			cfg, sleep := f.Config(trt.TokenEnv())
			got, err := collect(t, context.Background(), cfg)
			require.NoError(t, err)
			requireWorkers(t, testWorkers, got)
			assert.Equal(t, tt.waits, sleep.Waits())
			want := []string{trt.PagePath("1000", 0, "")}
			for range tt.failures + 1 {
				want = append(want, page2)
			}
			want = append(want, trt.PagePath("1000", 2, trt.PageToken(testWorkers[3])))
			assert.Equal(t, want, f.Seen())
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
			f := trt.New(t, trt.TokenEnv(), testWorkers, 2)
			f.Intercept = func(_ int, w http.ResponseWriter, _ *http.Request) bool {
				w.Header().Set("Retry-After", "1")
				trt.WriteError(w, tt.status, tt.code, http.StatusText(tt.status))
				return true
			}
			cfg, sleep := f.Config(trt.TokenEnv())
			got, err := collect(t, context.Background(), cfg)
			require.Error(t, err)
			for _, s := range tt.want {
				assert.Contains(t, err.Error(), s)
			}
			assert.Empty(t, got)
			assert.Len(t, f.Seen(), 5)
			assert.Equal(t, []time.Duration{time.Second, time.Second, time.Second, time.Second}, sleep.Waits())
		})
	}
}

// TestLiveEmitErrorStops checks that an error of emit ends the reading and
// is returned as it is.
func TestLiveEmitErrorStops(t *testing.T) {
	errStop := errors.New("audit output closed")
	for _, stopAt := range []int{0, 2, 4} {
		t.Run(fmt.Sprint("worker ", stopAt), func(t *testing.T) {
			f := trt.New(t, trt.TokenEnv(), testWorkers, 2)
			cfg, _ := f.Config(trt.TokenEnv())
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
			assert.LessOrEqual(t, len(f.Seen()), stopAt/2+2)
		})
	}
}

// TestLiveStopEndsTheSDKStream checks that reading stopped by emit, while
// the SDK's paging goroutine holds the next page, leaves that goroutine
// to end rather than wait forever.
func TestLiveStopEndsTheSDKStream(t *testing.T) {
	errStop := errors.New("audit output closed")
	f := trt.New(t, trt.TokenEnv(), testWorkers, 2)
	cfg, _ := f.Config(trt.TokenEnv())
	err := taskrouter.ReadWorkers(context.Background(), cfg, func(audit.Record) error {
		// Stop once the SDK has fetched page 2 ahead of the emitting.
		require.Eventually(t, func() bool { return len(f.Seen()) == 2 }, 5*time.Second, time.Millisecond)
		return errStop
	})
	require.ErrorIs(t, err, errStop)
	assert.Eventually(t, func() bool {
		buf := make([]byte, 1<<20)
		return !strings.Contains(string(buf[:runtime.Stack(buf, true)]), "twilio-go/rest/taskrouter")
	}, 5*time.Second, 10*time.Millisecond, "the SDK's paging goroutine still runs")
	assert.Len(t, f.Seen(), 2)
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
		{name: "no credentials", workspace: trt.Workspace, env: map[string]string{}, want: []string{"missing twilio credentials", "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN not set", "TWILIO_API_KEY"}},
		{name: "no auth token", workspace: trt.Workspace, env: map[string]string{"TWILIO_ACCOUNT_SID": trt.Account}, want: []string{"TWILIO_AUTH_TOKEN not set"}},
		{name: "no account", workspace: trt.Workspace, env: map[string]string{"TWILIO_AUTH_TOKEN": trt.Token}, want: []string{"TWILIO_ACCOUNT_SID not set"}},
		{name: "api key without secret", workspace: trt.Workspace, env: map[string]string{"TWILIO_ACCOUNT_SID": trt.Account, "TWILIO_API_KEY": trt.Key}, want: []string{"TWILIO_API_SECRET not set"}},
		{name: "api key without account", workspace: trt.Workspace, env: map[string]string{"TWILIO_API_KEY": trt.Key, "TWILIO_API_SECRET": trt.Secret}, want: []string{"TWILIO_ACCOUNT_SID not set"}},
		{name: "no workspace", workspace: "", env: trt.TokenEnv(), want: []string{`invalid workspace sid ""`, "WS followed by 32 hex digits"}},
		{name: "short workspace", workspace: "WS0011", env: trt.TokenEnv(), want: []string{`invalid workspace sid "WS0011"`}},
		{name: "worker sid", workspace: trt.WorkerSID(1), env: trt.TokenEnv(), want: []string{"invalid workspace sid"}},
		{name: "not hex", workspace: "WS00112233445566778899aabbccddeefg", env: trt.TokenEnv(), want: []string{"invalid workspace sid"}},
		{name: "lower-case prefix", workspace: "ws00112233445566778899aabbccddeeff", env: trt.TokenEnv(), want: []string{"invalid workspace sid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := trt.New(t, trt.TokenEnv(), testWorkers, 2)
			cfg, _ := f.Config(tt.env)
			cfg.Workspace = tt.workspace
			got, err := collect(t, context.Background(), cfg)
			require.Error(t, err)
			for _, s := range tt.want {
				assert.Contains(t, err.Error(), s)
			}
			assert.Empty(t, got)
			assert.Empty(t, f.Seen())
		})
	}
}

// TestLiveWorkerWithoutAttributes checks that a worker listed without its
// attributes is an error, not a worker without roles.
func TestLiveWorkerWithoutAttributes(t *testing.T) {
	workers := []trt.Worker{testWorkers[0], {SID: trt.WorkerSID(9), Name: "ghost", Attributes: nil}}
	f := trt.New(t, trt.TokenEnv(), workers, 1000)
	cfg, _ := f.Config(trt.TokenEnv())
	got, err := collect(t, context.Background(), cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), trt.WorkerSID(9)+`" without its attributes`)
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
			f := trt.New(t, trt.TokenEnv(), testWorkers, 2)
			f.Intercept = func(n int, w http.ResponseWriter, _ *http.Request) bool {
				if n != 1 {
					return false
				}
				if tt.realTimer {
					time.AfterFunc(50*time.Millisecond, cancel) // once the client waits
				}
				w.Header().Set("Retry-After", "30")
				trt.WriteError(w, http.StatusTooManyRequests, 20429, "Too Many Requests")
				return true
			}
			cfg, _ := f.Config(trt.TokenEnv())
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
			assert.Len(t, f.Seen(), 2, "no attempt after the cancellation")
			if !tt.realTimer {
				assert.Equal(t, []time.Duration{30 * time.Second}, waits)
			}
		})
	}
}

// hostRecorder records the host of each request and sends it on through to as
// if it were addressed to taskrouter.twilio.com.
type hostRecorder struct {
	to    http.RoundTripper
	mu    sync.Mutex
	hosts []string
}

// RoundTrip implements http.RoundTripper.
func (h *hostRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.hosts = append(h.hosts, req.URL.Host)
	h.mu.Unlock()
	r := req.Clone(req.Context())
	r.Host = trt.Host
	return h.to.RoundTrip(r)
}

// TestLiveEdgeAndRegion checks that the edge and region come from
// Config.Getenv, as the credentials do, and never from the process
// environment, which the SDK's request handler reads on its own.
func TestLiveEdgeAndRegion(t *testing.T) {
	t.Setenv("TWILIO_EDGE", "dublin")
	t.Setenv("TWILIO_REGION", "ie1")
	withEdge := map[string]string{"TWILIO_EDGE": "sydney", "TWILIO_REGION": "au1"}
	for k, v := range trt.TokenEnv() {
		withEdge[k] = v
	}
	for _, tt := range []struct {
		name string
		env  map[string]string
		host string
	}{
		{"edge and region of Getenv", withEdge, "taskrouter.sydney.au1.twilio.com"},
		{"none in Getenv: the process environment is not read", trt.TokenEnv(), trt.Host},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := trt.New(t, tt.env, testWorkers[:1], 1000)
			cfg, _ := f.Config(tt.env)
			rec := &hostRecorder{to: f.Transport()}
			cfg.Transport = rec
			got, err := collect(t, context.Background(), cfg)
			require.NoError(t, err)
			requireWorkers(t, testWorkers[:1], got)
			assert.Equal(t, []string{tt.host}, rec.hosts)
		})
	}
}
