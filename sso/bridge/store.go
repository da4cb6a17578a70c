package bridge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// replayStore records the login-state handles and assertion IDs that
// logins have used: the memory of one instance (memoryStore) or a Redis
// server that every instance shares (redisStore).
type replayStore interface {
	// use records one login's state handle (empty for an unsolicited
	// response) and assertion ID, each until its expiry. It fails with
	// errStateUsed or errReplayed when either was recorded before, with
	// errReplayCacheFull when the memory of assertion IDs is full, and
	// with an error wrapping errStore when the store did not answer. The
	// login may be granted only when it returns nil.
	use(ctx context.Context, u usage) error
	// ping reports whether the store answers; the memory always does.
	ping(ctx context.Context) error
	// close releases the store's connections.
	close() error
}

// usage is what one verified login uses.
type usage struct {
	id               string // the login's correlation id, the value of a Redis key
	handle           string // the login state's handle; empty for an unsolicited response
	stateExpires     time.Time
	assertionID      string
	assertionExpires time.Time
	now              time.Time
}

// errStateUsed refuses a login state whose handle a verified response used
// before: an errReplayed, in its words, that says which key was used.
var errStateUsed error = stateUsedError{}

type stateUsedError struct{}

func (stateUsedError) Error() string { return errReplayed.Error() }
func (stateUsedError) Unwrap() error { return errReplayed }

// errStore wraps every failure to ask the replay store: such a login is
// refused, never granted unchecked.
var errStore = errors.New("the replay store did not answer")

// storeError is a failed call to the store, with its cause.
type storeError struct{ err error }

func (e *storeError) Error() string { return errStore.Error() + ": " + e.err.Error() }
func (e *storeError) Unwrap() error { return errStore }

// Bounds on every call to a Redis store. A login waits at most
// storeCallTimeout for its one round trip (the pool's wait, a dial and
// the reads and writes all within it), and readyz at most storePingTimeout;
// readyz asks the store at most once per readyCheckInterval.
const (
	storeDialTimeout   = time.Second
	storeReadTimeout   = time.Second
	storeWriteTimeout  = time.Second
	storePoolTimeout   = time.Second
	storeCallTimeout   = 2 * time.Second
	storePingTimeout   = time.Second
	readyCheckInterval = time.Second
	storeLogInterval   = time.Minute // a store that stays down is logged again this often
)

// maxPasswordFile bounds store.password_file: a password is a line.
const maxPasswordFile = 4 << 10

// newReplayStore opens the store cfg names; issuer (the bridge's metadata
// URL) namespaces a Redis store's keys. A Redis server is not asked
// anything here: one that is down makes the bridge start not ready.
func newReplayStore(cfg Store, issuer string, cacheSize int) (replayStore, error) {
	u, err := parseStoreURL(cfg.URL)
	if err != nil {
		return nil, errors.New("flexroles: store.url " + quote(redactedURL(cfg.URL)) + " " + err.Error())
	}
	if u == nil {
		if cfg.PasswordFile != "" || cfg.PasswordEnv != "" {
			return nil, errors.New("flexroles: store.password_file and store.password_env apply to a Redis store only; store.url is memory")
		}
		return &memoryStore{states: newStateCache(cacheSize), assertions: newAssertionCache(cacheSize)}, nil
	}
	opt, err := redis.ParseURL(u.String())
	if err != nil {
		return nil, errors.New("flexroles: store.url " + quote(cfg.URL) + ": " + err.Error())
	}
	switch {
	case cfg.PasswordFile != "" && cfg.PasswordEnv != "":
		return nil, errors.New("flexroles: give store.password_file or store.password_env, not both")
	case cfg.PasswordFile != "":
		data, err := readFileAtMost(cfg.PasswordFile, "store.password_file", maxPasswordFile)
		if err != nil {
			return nil, err
		}
		opt.Password = strings.TrimRight(string(data), "\r\n")
		if opt.Password == "" {
			return nil, errors.New("flexroles: store.password_file " + quote(cfg.PasswordFile) + " is empty")
		}
	case cfg.PasswordEnv != "":
		opt.Password = os.Getenv(cfg.PasswordEnv)
		if opt.Password == "" {
			return nil, errors.New("flexroles: store.password_env names " + cfg.PasswordEnv + ", which is not set or empty")
		}
	}
	opt.DialTimeout = storeDialTimeout
	opt.DialerRetries = 1
	opt.ReadTimeout = storeReadTimeout
	opt.WriteTimeout = storeWriteTimeout
	opt.PoolTimeout = storePoolTimeout
	opt.ContextTimeoutEnabled = true
	// No retries: a SET NX whose answer was lost would meet its own key
	// the second time and refuse a good login; the browser starts again.
	opt.MaxRetries = -1
	opt.DisableIdentity = true
	opt.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	return &redisStore{
		client: redis.NewClient(opt),
		prefix: "flexroles:bridge:" + issuer + " ",
		addr:   opt.Addr,
	}, nil
}

// memoryStore is each instance's own memory: two bounded caches.
type memoryStore struct {
	states, assertions *replayCache
}

// use records the state first: a used state leaves the assertion ID
// unrecorded, as it cannot be used without that state.
func (m *memoryStore) use(_ context.Context, u usage) error {
	if u.handle != "" {
		if err := m.states.consume(u.handle, u.stateExpires, u.now); err != nil {
			return errStateUsed
		}
	}
	return m.assertions.consume(u.assertionID, u.assertionExpires, u.now)
}

func (m *memoryStore) ping(context.Context) error { return nil }
func (m *memoryStore) close() error               { return nil }

// redisStore keeps the used handles and assertion IDs in a Redis or Valkey
// server, under keys that start with the bridge's issuer: "flexroles:bridge:"
// + issuer + " state:" + handle and … + " assertion:" + ID. The issuer is
// a URL without spaces, so two bridges' keys never meet.
type redisStore struct {
	client *redis.Client
	prefix string
	addr   string // host:port, for the log
}

// use writes both keys in one transaction (MULTI, two SET NX, EXEC) sent
// as one round trip, each with the expiry the memory caches use and the
// login's correlation id as its value. Each SET NX succeeds for one caller
// only, on any instance, and the login is granted only when both did: a
// state or an assertion is granted at most once. The transaction keeps two
// instances that race with the same state and response from interleaving
// (one taking the state, the other the assertion, both refused): the first
// takes both. A key written for a login that is then refused (the other
// key was used, or the answer was lost) stays used: it refuses, never
// grants.
func (s *redisStore) use(ctx context.Context, u usage) error {
	ctx, cancel := context.WithTimeout(ctx, storeCallTimeout)
	defer cancel()
	var state, assertion *redis.BoolCmd
	_, err := s.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		if u.handle != "" {
			state = p.SetNX(ctx, s.prefix+"state:"+u.handle, u.id, keyTTL(u.stateExpires, u.now))
		}
		assertion = p.SetNX(ctx, s.prefix+"assertion:"+u.assertionID, u.id, keyTTL(u.assertionExpires, u.now))
		return nil
	})
	switch {
	case err != nil:
		return &storeError{err}
	case state != nil && !state.Val():
		return errStateUsed
	case !assertion.Val():
		return errReplayed
	}
	return nil
}

// keyTTL is the time left until expires, at least a millisecond (Redis
// refuses a zero expiry; a login past its expiry was refused before).
func keyTTL(expires, now time.Time) time.Duration {
	return max(expires.Sub(now).Truncate(time.Millisecond)+time.Millisecond, time.Millisecond)
}

func (s *redisStore) ping(ctx context.Context) error {
	if err := s.client.Ping(ctx).Err(); err != nil {
		return &storeError{err}
	}
	return nil
}

func (s *redisStore) close() error { return s.client.Close() }

// storeHealth follows the store's failures, so that a burst of them is
// logged once (and again every storeLogInterval while it lasts), with the
// logins it refused, and its end once.
type storeHealth struct {
	down    atomic.Bool
	mu      sync.Mutex
	since   time.Time // first failure of the burst
	logged  time.Time // last log line of the burst
	refused int       // logins refused in the burst
}

// readyCheck is readyz's last answer from the store, asked at most once
// per readyCheckInterval.
type readyCheck struct {
	mu sync.Mutex
	at time.Time
	ok atomic.Bool
}

// useOnce records what a verified login uses, in the store; nil means it
// was used for the first time, by any instance sharing the store.
func (b *Bridge) useOnce(ctx context.Context, id, handle string, st loginState, a verifiedAssertion, now time.Time) error {
	u := usage{id: id, assertionID: a.ID, assertionExpires: a.NotOnOrAfter.Add(b.cfg.ClockSkew), now: now}
	if st.UpstreamID != "" {
		u.handle, u.stateExpires = handle, time.Unix(st.Expires, 0)
	}
	// A browser that goes away does not cut the call short: that would
	// read as a store failure.
	err := b.replay.use(context.WithoutCancel(ctx), u)
	if errors.Is(err, errStore) {
		b.storeCheck.ok.Store(false) // readyz says so at once
		b.storeFailed(id, err, true)
	} else {
		b.storeAnswered()
	}
	return err
}

// refuseUse refuses a login that useOnce did not let through because of
// its state or the store, and reports whether it did; a used assertion or
// a full cache is left to the caller's refusal of the upstream response.
func (b *Bridge) refuseUse(w http.ResponseWriter, id string, start time.Time, err error, handle string) bool {
	switch {
	case errors.Is(err, errStateUsed):
		b.refuse(w, start, b.stateRefusal(id, err, handle))
	case errors.Is(err, errStore):
		w.Header().Set("Retry-After", "60")
		b.refuse(w, start, b.storeRefusal(id, err))
	default:
		return false
	}
	return true
}

// storeRefusal is a login the store could not check. Its log line is a
// warning: the store's failure itself is logged as an error once per
// burst (storeFailed), not once per login.
func (b *Bridge) storeRefusal(id string, err error) refusal {
	r := refusalFor(id, outcomeError, "store", http.StatusServiceUnavailable)
	r.level = slog.LevelWarn
	r.refusedBy, r.Who, r.next = byBridge, "the bridge's replay store ("+b.storeAddr()+", store.url)", tryLater
	r.Summary = "The bridge cannot check this sign-in right now; try again in a minute."
	r.Message = "The store where the bridge records used sign-ins did not answer, so the bridge could not check that this sign-in was not used before; it grants none unchecked."
	r.logMessage = err.Error()
	r.Fix = "Bring the store back, or mend the network between the bridge and it: logins resume by themselves when it answers. The bridge's log says when it stopped answering and when it answered again."
	return r
}

// storeFailed counts a failed call to the store and logs the first of a
// burst, then one line every storeLogInterval while it lasts. login says
// whether a login was refused for it.
func (b *Bridge) storeFailed(id string, err error, login bool) {
	b.stats.storeError()
	h := &b.storeHealth
	h.mu.Lock()
	defer h.mu.Unlock()
	now := time.Now()
	if login {
		h.refused++
	}
	if !h.down.Load() {
		h.down.Store(true)
		h.since, h.logged = now, now
		b.log.Error("the replay store does not answer; logins are refused until it does", "id", id, "store", b.storeAddr(), "error", err.Error())
		return
	}
	if now.Sub(h.logged) >= storeLogInterval {
		h.logged = now
		b.log.Error("the replay store still does not answer", "id", id, "store", b.storeAddr(), "since", h.since.UTC().Format(time.RFC3339), "refused_logins", h.refused, "error", err.Error())
	}
}

// storeAnswered ends a burst of failures, if one was under way, with a
// line saying how long it lasted and how many logins it refused.
func (b *Bridge) storeAnswered() {
	h := &b.storeHealth
	if !h.down.Load() {
		return
	}
	b.storeCheck.ok.Store(true)
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.down.Load() {
		return
	}
	h.down.Store(false)
	b.log.Warn("the replay store answers again", "store", b.storeAddr(), "down_for", time.Since(h.since).Round(time.Millisecond).String(), "refused_logins", h.refused)
	h.refused = 0
}

// storeReady is readyz's view of the store: true for the memory, or when
// store.required_for_ready is false; otherwise whether it answered a ping,
// asked at most once per readyCheckInterval (a readyz that arrives while
// one is asking gets the last answer).
func (b *Bridge) storeReady(ctx context.Context) bool {
	if _, memory := b.replay.(*memoryStore); memory || b.cfg.Store.ReadyWhileDown {
		return true
	}
	c := &b.storeCheck
	if !c.mu.TryLock() {
		return c.ok.Load()
	}
	defer c.mu.Unlock()
	if time.Since(c.at) < readyCheckInterval {
		return c.ok.Load()
	}
	b.checkStore(ctx)
	return c.ok.Load()
}

// checkStore pings the store and notes the answer for readyz; the caller
// holds b.storeCheck.mu, or is New.
func (b *Bridge) checkStore(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storePingTimeout)
	defer cancel()
	err := b.replay.ping(ctx)
	b.storeCheck.at = time.Now()
	b.storeCheck.ok.Store(err == nil)
	if err != nil {
		b.storeFailed("", err, false)
		return
	}
	b.storeAnswered()
}

// libraryLog takes go-redis's own log lines (a failed dial, up to one per
// pooled connection before its pool fails fast and probes once a second)
// into the bridge's log at debug level: the bridge logs a store's failures
// itself, once per burst.
type libraryLog struct{ log *slog.Logger }

func (l libraryLog) Printf(ctx context.Context, format string, v ...any) {
	l.log.DebugContext(ctx, "go-redis: "+fmt.Sprintf(format, v...))
}

// storeAddr names the store in the log: its host and port, never its
// password.
func (b *Bridge) storeAddr() string {
	if s, ok := b.replay.(*redisStore); ok {
		return s.addr
	}
	return memoryURL
}

// Close releases the bridge's connections to its store and closes its
// decision log; the bridge must not serve after it. Serve (the function)
// closes the bridge it made.
func (b *Bridge) Close() error {
	var errs []error
	if err := b.replay.close(); err != nil {
		errs = append(errs, errors.New("flexroles: closing the store: "+err.Error()))
	}
	if err := b.decisions.close(); err != nil {
		errs = append(errs, errors.New("flexroles: closing the decision log: "+err.Error()))
	}
	return errors.Join(errs...)
}
