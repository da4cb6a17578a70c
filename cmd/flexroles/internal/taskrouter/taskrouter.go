// Package taskrouter reads the workers of a TaskRouter workspace live,
// through Twilio's API, for the audit: ReadWorkers signs in with the
// credentials of the environment (an account SID and auth token, or an API
// key and secret), lists the workers page by page, 1,000 a page, holding
// about two pages at most, and tries a rate-limited or unavailable request
// again, up to 5 times, after the Retry-After Twilio asks for (at most 30
// seconds) or a doubling wait from 500 ms. Errors name the workspace and
// the credentials' variables, never their secrets.
package taskrouter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/flexroles/flexroles/audit"
	"github.com/twilio/twilio-go/client"
	taskrouter "github.com/twilio/twilio-go/rest/taskrouter/v1"
)

// Config says where and how to read workers live.
type Config struct {
	Workspace string                                     // WSxxx, required, must look like "WS" + 32 hex digits
	Getenv    func(string) string                        // os.Getenv in production
	Transport http.RoundTripper                          // nil means http.DefaultTransport; tests point it at a local server
	Sleep     func(context.Context, time.Duration) error // waits between retries; nil means a real timer honouring ctx
}

// Limits of the live reading.
const (
	livePageSize       = 1000                   // workers a page, the most Twilio serves
	liveAttempts       = 5                      // tries of a rate-limited or unavailable request, in all
	liveFirstBackoff   = 500 * time.Millisecond // the first wait without Retry-After, doubled at each retry
	liveMaxRetryAfter  = 30 * time.Second       // the longest wait Retry-After may ask for
	liveAttemptTimeout = time.Minute            // one exchange with Twilio, body included
)

// liveWorkspaceSID is the form of a TaskRouter workspace SID.
var liveWorkspaceSID = regexp.MustCompile(`^WS[0-9a-fA-F]{32}$`)

// ReadWorkers calls emit for every worker of the workspace, page by page, and
// returns the first error of the API or of emit.
//
// However large the workspace, it holds about two pages of workers at most:
// the SDK's StreamWorker fetches the page the API's next_page_url names only
// once all but the last worker of the page before have been taken.
func ReadWorkers(ctx context.Context, cfg Config, emit func(audit.Record) error) error {
	if !liveWorkspaceSID.MatchString(cfg.Workspace) {
		return fmt.Errorf("invalid workspace sid %q: want WS followed by 32 hex digits", cfg.Workspace)
	}
	if cfg.Getenv == nil {
		cfg.Getenv = os.Getenv
	}
	creds, err := liveCredentials(cfg.Getenv)
	if err != nil {
		return err
	}

	// When reading stops early, the cancelled context refuses the SDK's next
	// request and a drain takes the workers it still holds, so that its
	// paging goroutine ends.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	params := (&taskrouter.ListWorkerParams{}).SetPageSize(livePageSize)
	workers, errs := newTaskRouter(ctx, cfg, creds).StreamWorker(cfg.Workspace, params)
	stop := func(err error) error {
		cancel()
		go func() {
			for range workers {
			}
		}()
		return err
	}
	for w := range workers {
		if err := ctx.Err(); err != nil {
			return stop(err)
		}
		r, err := liveRecord(w)
		if err == nil {
			err = emit(r)
		}
		if err != nil {
			return stop(err)
		}
	}
	if err := <-errs; err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return liveAPIError(err, cfg.Workspace, creds)
	}
	return nil
}

// newTaskRouter returns the SDK's TaskRouter API signed in with creds, whose
// requests go through cfg.Transport and are tried again when Twilio asks to.
func newTaskRouter(ctx context.Context, cfg Config, creds liveCreds) *taskrouter.ApiService {
	base := cfg.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	sleep := cfg.Sleep
	if sleep == nil {
		sleep = liveSleep
	}
	c := &client.Client{
		Credentials: client.NewCredentials(creds.username, creds.password),
		HTTPClient: &http.Client{
			Transport: &retryTransport{ctx: ctx, base: base, sleep: sleep},
			// As with the SDK's own client, a redirect is an answer.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	c.SetAccountSid(creds.account)
	// The SDK's request handler takes the edge and region from the process
	// environment; take them, as the credentials, through cfg.Getenv. The
	// TaskRouter API is built on the handler alone: the SDK's root package,
	// twilio.RestClient, would compile every other Twilio API into the
	// command (about half of its cold build) for this one listing.
	h := client.NewRequestHandler(c)
	h.Edge = cfg.Getenv("TWILIO_EDGE")
	h.Region = cfg.Getenv("TWILIO_REGION")
	return taskrouter.NewApiService(h)
}

// liveRecord returns the record of a worker as the API lists it. TaskRouter
// gives every worker an attributes object, "{}" at the least, so a worker
// listed without one is an error rather than a worker without roles.
func liveRecord(w taskrouter.TaskrouterV1Worker) (audit.Record, error) {
	var r audit.Record
	if w.Sid != nil {
		r.SID = *w.Sid
	}
	if w.FriendlyName != nil {
		r.FriendlyName = *w.FriendlyName
	}
	if w.Attributes == nil || *w.Attributes == "" {
		return r, fmt.Errorf("twilio listed worker %q without its attributes", r.SID)
	}
	r.Attributes = []byte(*w.Attributes)
	return r, nil
}

// liveCreds are the credentials the live source signs in with, and the
// names of the environment variables they came from, for error messages.
type liveCreds struct {
	username, password string // an account SID and auth token, or an API key and secret
	account            string // the account SID
	vars               string // the variables read, as "A and B"
}

// liveCredentialsHelp says which environment variables give the credentials.
const liveCredentialsHelp = "set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, " +
	"or TWILIO_API_KEY, TWILIO_API_SECRET and TWILIO_ACCOUNT_SID"

// liveCredentials reads the credentials through getenv: an API key and
// secret when either is set, else the account's auth token.
func liveCredentials(getenv func(string) string) (liveCreds, error) {
	names := []string{"TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"}
	if getenv("TWILIO_API_KEY") != "" || getenv("TWILIO_API_SECRET") != "" {
		names = []string{"TWILIO_API_KEY", "TWILIO_API_SECRET", "TWILIO_ACCOUNT_SID"}
	}
	var missing []string
	for _, n := range names {
		if getenv(n) == "" {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return liveCreds{}, fmt.Errorf("missing twilio credentials: %s not set; %s",
			strings.Join(missing, ", "), liveCredentialsHelp)
	}
	vars := strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
	return liveCreds{getenv(names[0]), getenv(names[1]), getenv("TWILIO_ACCOUNT_SID"), vars}, nil
}

// liveAPIError tells an error of the TaskRouter API in the audit's words. The
// SDK reports an error answer as *client.TwilioRestError, which the result
// wraps; it holds what Twilio said, never the credentials.
func liveAPIError(err error, workspace string, creds liveCreds) error {
	var te *client.TwilioRestError
	if !errors.As(err, &te) {
		return fmt.Errorf("reading the workers of workspace %s: %w", workspace, err)
	}
	said := fmt.Sprintf("twilio error %d: %s", te.Code, te.Message)
	var msg string
	switch te.Status {
	case http.StatusUnauthorized, http.StatusForbidden:
		msg = fmt.Sprintf("authentication failed (http %d, %s); check %s", te.Status, said, creds.vars)
	case http.StatusNotFound:
		msg = fmt.Sprintf("workspace %s not found (http 404, %s); check the workspace sid and that %s are for its account",
			workspace, said, creds.vars)
	case http.StatusTooManyRequests:
		msg = fmt.Sprintf("rate limited by twilio (http 429, %s); gave up after %d attempts", said, liveAttempts)
	case http.StatusServiceUnavailable:
		msg = fmt.Sprintf("twilio unavailable (http 503, %s); gave up after %d attempts", said, liveAttempts)
	default:
		msg = fmt.Sprintf("reading the workers of workspace %s: http %d, %s", workspace, te.Status, said)
	}
	return &liveError{msg, err}
}

// liveError is an error of the live source with its own message, wrapping
// the SDK's.
type liveError struct {
	msg string
	err error
}

// Error returns the message.
func (e *liveError) Error() string { return e.msg }

// Unwrap returns the SDK's error.
func (e *liveError) Unwrap() error { return e.err }

// retryTransport sends requests through base, trying again, up to
// liveAttempts in all, those Twilio answers 429 Too Many Requests or 503
// Service Unavailable. It waits as the Retry-After header says, in seconds
// and at most liveMaxRetryAfter, or else doubles a wait from liveFirstBackoff.
//
// The SDK's requests carry no context; retryTransport gives them ctx, so
// cancelling it stops a request, a wait or a further attempt. The requests
// are GETs without a body, which may be sent again as they are.
type retryTransport struct {
	ctx   context.Context
	base  http.RoundTripper
	sleep func(context.Context, time.Duration) error
}

// RoundTrip implements http.RoundTripper.
func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	for attempt := 1; ; attempt++ {
		if err := t.ctx.Err(); err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(t.ctx, liveAttemptTimeout)
		resp, err := t.base.RoundTrip(req.WithContext(ctx))
		if err != nil {
			cancel()
			return nil, err
		}
		if attempt == liveAttempts ||
			resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
			resp.Body = cancelOnClose{resp.Body, cancel}
			return resp, nil
		}
		wait := retryDelay(resp.Header.Get("Retry-After"), attempt)
		// Drain and close the body so the connection can be reused; a
		// failure only costs the connection.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		_ = resp.Body.Close()
		cancel()
		if err := t.sleep(t.ctx, wait); err != nil {
			return nil, err
		}
	}
}

// retryDelay returns the wait after the failed attempt number attempt: the
// Retry-After header when it gives whole seconds, at most liveMaxRetryAfter,
// else liveFirstBackoff doubled at each attempt.
func retryDelay(retryAfter string, attempt int) time.Duration {
	if s, err := strconv.Atoi(strings.TrimSpace(retryAfter)); err == nil && s >= 0 {
		return min(time.Duration(s), liveMaxRetryAfter/time.Second) * time.Second
	}
	return liveFirstBackoff << (attempt - 1)
}

// cancelOnClose is a response body that ends its request's context once
// read and closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

// Close closes the body and cancels the context.
func (b cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// liveSleep waits d, or until ctx is done, when it returns ctx's error.
func liveSleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
