package bridge

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/decisionlog"
	"github.com/flexroles/flexroles/sso/assertion"
)

// Bridge is the SAML identity-provider proxy between the organisation's IdP
// and Flex, as an http.Handler. Build it with New; it is safe for
// concurrent use.
type Bridge struct {
	cfg Config
	// policy is the policy in force; ReloadPolicy swaps it whole, and a
	// login reads it once (policyInForce) and decides with that one.
	policy atomic.Pointer[flexroles.Policy]
	// reloading serialises reloads, so that two cannot interleave their
	// checks and swaps.
	reloading sync.Mutex
	flex      flexSP
	flexMD    *saml.EntityDescriptor
	idp       *saml.IdentityProvider // the bridge as Flex's IdP: validates Flex's requests, signs
	up        *upstreamIDP
	sealer    *stateSealer
	// replay holds the handles of login states a verified response used
	// and the IDs of assertions accepted, until they expire: in memory or
	// in a store every instance shares.
	replay      replayStore
	storeHealth storeHealth
	storeCheck  readyCheck
	// verifying holds a token per upstream response being verified, at
	// most cfg.MaxVerifications.
	verifying chan struct{}
	stats     *metrics
	log       *slog.Logger
	routes    []route
	base      *url.URL
	paths     endpoints
	secure    bool // the base URL is https: the state cookie is __Host-, Secure, SameSite=None
	ready     atomic.Bool

	// decisions is the decision log, nil without one; pseudonymKey keys
	// the identities it writes with redact_identity.
	decisions    *decisionLog
	pseudonymKey []byte
	// observe, set by OnDecision, sees a copy of each decided login's
	// record; nil without one.
	observe atomic.Pointer[func(decisionlog.Record)]
}

// endpoints are the bridge's URLs, all below the base URL.
type endpoints struct {
	sso, acs, idpMetadata, spMetadata, health, ready, metrics url.URL
	saml                                                      url.URL // the directory of sso and acs: the state cookie's path on http
}

// newEndpoints places every endpoint below base, whose path may be empty
// (the root of a host) or any path without its trailing slash.
func newEndpoints(base *url.URL) endpoints {
	root := *base
	if root.Path == "" {
		root.Path, root.RawPath = "/", ""
	}
	at := func(p string) url.URL { return *root.JoinPath(p) }
	return endpoints{
		saml:        at("saml"),
		sso:         at("saml/sso"),
		acs:         at("saml/acs"),
		idpMetadata: at("saml/metadata"),
		spMetadata:  at("saml/sp-metadata"),
		health:      at("healthz"),
		ready:       at("readyz"),
		metrics:     at("metrics"),
	}
}

// New loads everything cfg names (the policy, the upstream metadata, the
// keys) and returns the bridge. Every part that does not load is reported
// at once, one a line, each naming its part (policy, keys.key,
// upstream.metadata_url, …). ctx bounds the first metadata fetch. log
// receives one line per login, whose fields docs/bridge.md's "Reading the
// log" lists: it names the user unless cfg.RedactIdentity is set, and no
// other personal data; nil discards.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*Bridge, error) {
	return newBridge(ctx, cfg, log, nil)
}

// newBridge is New with the HTTP client that fetches metadata_url (nil: the
// bridge's own, with a timeout), so that a test can answer a documented URL
// that this machine cannot reach.
func newBridge(ctx context.Context, cfg Config, log *slog.Logger, client *http.Client) (*Bridge, error) {
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	var problems []error
	failed := func(err error) bool {
		if err != nil {
			problems = append(problems, err)
		}
		return err != nil
	}
	base, err := parseBaseURL(cfg.BaseURL)
	if failed(err) {
		base = &url.URL{Scheme: "https", Host: "base-url.invalid"} // only to go on finding problems
	}
	if cfg.ClockSkew > 3*time.Minute {
		failed(errors.New("flexroles: clock_skew " + cfg.ClockSkew.String() + " is more than 3m; fix the clocks (NTP) instead"))
	}
	if cfg.Mode != ModeEnforce && cfg.Mode != ModeShadow {
		failed(errors.New("flexroles: mode " + quote(string(cfg.Mode)) + " is neither enforce nor shadow"))
	}
	if failed(cfg.checkBounds()) {
		return nil, errors.Join(problems...) // a negative size cannot even be tried
	}
	flex, err := cfg.Flex.resolve()
	failed(err)
	policy, err := flexroles.LoadPolicyFile(cfg.Policy)
	failed(err)
	keys, err := loadSigningKeys(cfg.Keys)
	failed(err)
	var states *stateSealer
	var pseudonymKey []byte
	if keys.key != nil {
		sk, err := stateKey(cfg.Keys.StateKey, keys.key)
		if !failed(err) {
			states, err = newStateSealer(sk)
			failed(err)
			pseudonymKey = derivedKey(sk, "flexroles bridge decision log identity v1")
		}
	}
	if policy != nil {
		for _, to := range sortedKeys(cfg.PassThrough) {
			failed(checkPassThrough(to, cfg.PassThrough[to], policy))
		}
	}
	paths := newEndpoints(base)
	// The bridge's service provider has no key: it signs no requests, and
	// its metadata offers no encryption key, so the upstream IdP sends
	// assertions in the clear, which the verifier reads.
	up, err := newUpstream(ctx, cfg.Upstream, saml.ServiceProvider{
		EntityID:          paths.spMetadata.String(),
		MetadataURL:       paths.spMetadata,
		AcsURL:            paths.acs,
		AuthnNameIDFormat: saml.UnspecifiedNameIDFormat,
		AllowIDPInitiated: cfg.Upstream.AllowIDPInitiated,
		// Only what saml/acs serves: the HTTP-POST binding.
		AssertionConsumerServiceBindings: []string{saml.HTTPPostBinding},
	}, cfg.ClockSkew, client)
	failed(err)
	replay, err := newReplayStore(cfg.Store, paths.idpMetadata.String(), cfg.ReplayCacheSize)
	failed(err)
	var decisions *decisionLog
	if cfg.DecisionLog != "" && len(problems) == 0 {
		decisions, err = openDecisionLog(cfg.DecisionLog)
		failed(err)
	}
	if len(problems) > 0 {
		if replay != nil {
			_ = replay.close()
		}
		return nil, errors.Join(problems...)
	}

	b := &Bridge{
		cfg:          cfg,
		flex:         flex,
		flexMD:       flex.metadata(),
		up:           up,
		sealer:       states,
		replay:       replay,
		verifying:    make(chan struct{}, cfg.MaxVerifications),
		stats:        newMetrics(),
		log:          log,
		decisions:    decisions,
		pseudonymKey: pseudonymKey,
		base:         base,
		paths:        paths,
		secure:       base.Scheme == "https",
	}
	b.policy.Store(policy)
	b.stats.policyDigest = func() string { return b.policyInForce().Digest() }
	b.stats.shadowMode = cfg.Mode == ModeShadow
	b.stats.decisionLog = decisions != nil
	b.idp = &saml.IdentityProvider{
		Key:                     keys.key,
		Certificate:             keys.cert,
		MetadataURL:             paths.idpMetadata,
		SSOURL:                  paths.sso,
		ServiceProviderProvider: flexOnly{b.flexMD},
		SignatureMethod:         dsig.RSASHA256SignatureMethod,
		NameIDFormats:           []saml.NameIDFormat{saml.EmailAddressNameIDFormat},
		RejectSHA1Signatures:    true,
	}
	if keys.next != nil {
		b.idp.ExtraCertificates = []*x509.Certificate{keys.next}
	}
	// A store that is down does not stop the bridge: it starts not ready,
	// refuses logins, and logs it once, until the store answers.
	b.checkStore(ctx)

	b.routes = []route{
		{paths.sso.Path, b.serveSSO, b.serveSSO},
		{paths.acs.Path, nil, b.serveACS},
		{paths.idpMetadata.Path, b.serveIDPMetadata, nil},
		{paths.spMetadata.Path, b.serveSPMetadata, nil},
		{paths.health.Path, func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") }, nil},
		{paths.ready.Path, b.serveReady, nil},
		{paths.metrics.Path, b.stats.serve, nil},
	}
	b.ready.Store(true)
	return b, nil
}

// ServeHTTP serves the bridge's endpoints below the base URL's path:
// saml/sso (Flex's AuthnRequests), saml/acs (the upstream IdP's
// responses), saml/metadata (the bridge as Flex's IdP), saml/sp-metadata
// (the bridge as the upstream IdP's service provider), healthz, readyz and
// metrics.
func (b *Bridge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	for _, rt := range b.routes {
		if r.URL.Path == rt.path {
			rt.serve(w, r)
			return
		}
	}
	http.NotFound(w, r)
}

// route is one endpoint: its path, matched exactly as the request's
// decoded path, and its handlers by method (nil: not allowed). The paths
// are compared rather than registered as http.ServeMux patterns, whose
// syntax a base URL's path (braces, spaces, an empty path) would break.
type route struct {
	path      string
	get, post http.HandlerFunc
}

func (rt route) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case (r.Method == http.MethodGet || r.Method == http.MethodHead) && rt.get != nil:
		rt.get(w, r)
	case r.Method == http.MethodPost && rt.post != nil:
		rt.post(w, r)
	default:
		var allow []string
		if rt.get != nil {
			allow = append(allow, http.MethodGet, http.MethodHead)
		}
		if rt.post != nil {
			allow = append(allow, http.MethodPost)
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// Refresh keeps what the bridge loaded current until ctx ends: the
// upstream metadata from its URL every upstream.refresh (a failed refresh
// keeps the metadata in use and is logged and counted), and, when
// policy_reload is set, the policy file, looked at that often and reloaded
// by ReloadPolicy's rules when its bytes change. With a metadata file and
// no policy_reload it returns at once.
func (b *Bridge) Refresh(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { b.watchPolicy(ctx) })
	b.up.refresh(ctx, func(err error) {
		b.stats.metadataFailure()
		b.log.Warn("upstream metadata refresh failed; keeping the metadata loaded before", "error", err.Error())
	})
	wg.Wait()
}

// SetReady sets what readyz answers; Serve clears it when shutdown starts,
// so that a load balancer stops sending logins before the server stops.
func (b *Bridge) SetReady(ready bool) { b.ready.Store(ready) }

func (b *Bridge) serveReady(w http.ResponseWriter, r *http.Request) {
	if !b.ready.Load() || !b.storeReady(r.Context()) {
		http.Error(w, "not ready", http.StatusServiceUnavailable)
		return
	}
	_, _ = io.WriteString(w, "ready\n")
}

// policyInForce is the policy that decides a login that starts now. A
// caller reads it once and uses that value for the whole decision, so that
// a reload in between cannot mix two policies.
func (b *Bridge) policyInForce() *flexroles.Policy { return b.policy.Load() }

// flexOnly is the bridge's only service provider: Flex, as configured.
type flexOnly struct{ md *saml.EntityDescriptor }

func (f flexOnly) GetServiceProvider(_ *http.Request, id string) (*saml.EntityDescriptor, error) {
	if id != f.md.EntityID {
		return nil, os.ErrNotExist
	}
	return f.md, nil
}

// Limits on what a browser may send.
const (
	maxSSORequest = 64 << 10              // an AuthnRequest is a few kilobytes
	maxACSRequest = 2 * assertion.MaxSize // a SAML response at assertion.MaxSize, base64 wrapped in lines and form-encoded, as assertion.Decode takes
	maxRelayState = 1024                  // Flex sends a short RelayState
)

// serveSSO takes Flex's AuthnRequest, checks that it comes from the
// configured Flex for its ACS, keeps its ID and RelayState in a sealed
// cookie, and sends the browser to the upstream IdP.
func (b *Bridge) serveSSO(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxSSORequest)
	id := correlationID()
	req, err := saml.NewIdpAuthnRequest(b.idp, r)
	if err == nil {
		err = req.Validate()
	}
	if err == nil && len(req.RelayState) > maxRelayState {
		err = errRelayStateTooLong
	}
	if err == nil {
		err = checkRequestedAuthnContext(req.Request.RequestedAuthnContext)
	}
	if err == nil && (req.ACSEndpoint == nil || req.ACSEndpoint.Location != b.flex.acs) {
		err = errOtherACS
	}
	if err != nil {
		b.refuse(w, time.Time{}, b.flexRequestRefusal(id, err, req))
		return
	}

	sp := b.up.current()
	binding, location := saml.HTTPRedirectBinding, sp.GetSSOBindingLocation(saml.HTTPRedirectBinding)
	if location == "" {
		binding, location = saml.HTTPPostBinding, sp.GetSSOBindingLocation(saml.HTTPPostBinding)
	}
	up, err := sp.MakeAuthenticationRequest(location, binding, saml.HTTPPostBinding)
	if err != nil {
		b.internalError(w, id, err)
		return
	}
	// Flex's RequestedAuthnContext goes upstream, so that the IdP can
	// authenticate as asked; an exact one is also checked at the ACS.
	up.RequestedAuthnContext = req.Request.RequestedAuthnContext
	handle := newHandle()
	st := loginState{
		FlexRequestID: req.Request.ID,
		RelayState:    req.RelayState,
		UpstreamID:    up.ID,
		Expires:       time.Now().Add(b.cfg.StateTTL).Unix(),
		AuthnContext:  exactAuthnContext(req.Request.RequestedAuthnContext),
	}
	sealed := b.sealer.seal(handle, st)
	if len(sealed) > maxStateCookie {
		// The state would not open at the ACS: refuse now, before the
		// user signs in at the IdP.
		b.refuse(w, time.Time{}, b.flexRequestRefusal(id, errStateTooLarge, req))
		return
	}
	http.SetCookie(w, b.stateCookie(b.addState(r, stateEntry{handle: handle, sealed: sealed}), b.cfg.StateTTL))
	noCache(w)
	if binding == saml.HTTPRedirectBinding {
		to, err := up.Redirect(handle, sp)
		if err != nil {
			b.internalError(w, id, err)
			return
		}
		http.Redirect(w, r, to.String(), http.StatusFound)
		return
	}
	buf, err := xmlBytes(up.Element())
	if err != nil {
		b.internalError(w, id, err)
		return
	}
	b.autoPost(w, location, "SAMLRequest", base64.StdEncoding.EncodeToString(buf), handle)
}

// serveACS takes the upstream IdP's response, verifies it, resolves the
// login with the policy and, only on a grant, posts a signed response to
// Flex. Each login writes one log line, with the id its page shows.
func (b *Bridge) serveACS(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := correlationID()
	r.Body = http.MaxBytesReader(w, r.Body, maxACSRequest)
	if err := r.ParseForm(); err != nil {
		rf := refusalFor(id, outcomeBadRequest, "bad_request", http.StatusBadRequest)
		rf.refusedBy, rf.Who, rf.next = byBridge, "the bridge", startAgain
		rf.Summary = "The answer from your organisation's sign-in service could not be read."
		rf.Message = "The sign-in response form could not be read."
		rf.logMessage = err.Error() // it may quote the form
		rf.Fix = "Start the sign-in again from Flex. A form larger than " + strconv.Itoa(maxACSRequest>>10) + " KiB is refused."
		b.refuse(w, start, rf)
		return
	}
	// Verifying is the costly step: when MaxVerifications are under way,
	// refuse at once, before the state cookie is touched, so that the
	// browser can post again.
	select {
	case b.verifying <- struct{}{}:
		defer func() { <-b.verifying }()
	default:
		rf := refusalFor(id, outcomeBusy, "busy", http.StatusServiceUnavailable)
		rf.refusedBy, rf.Who, rf.next = byBridge, "the bridge", reloadPage
		rf.Summary = "Too many people are signing in at this moment."
		rf.Message = "Too many sign-ins were being checked at once: " + strconv.Itoa(b.cfg.MaxVerifications) + " (max_verifications)."
		rf.Fix = "If it keeps happening, raise max_verifications or add instances."
		w.Header().Set("Retry-After", "1")
		b.refuse(w, start, rf)
		return
	}
	handle := r.PostForm.Get("RelayState")
	var st loginState
	var err error
	entries := b.states(r)
	i := slices.IndexFunc(entries, func(e stateEntry) bool { return e.handle == handle })
	switch {
	case validHandle(handle) && i >= 0:
		// The state leaves the cookie whatever happens; the handle is
		// recorded as used only once a response verified against the
		// state, so a client that posts junk with states it started
		// itself cannot fill the state cache.
		ttl := b.cfg.StateTTL
		if len(entries) == 1 {
			ttl = -1
		}
		http.SetCookie(w, b.stateCookie(joinStates(slices.Delete(slices.Clone(entries), i, i+1)), ttl))
		st, err = b.sealer.open(handle, entries[i].sealed, start)
	case b.cfg.Upstream.AllowIDPInitiated:
		// Unsolicited: no request to answer on either side, and the
		// upstream RelayState is not Flex's, so it is not passed on.
		st = loginState{}
	default:
		err = errStateMissing
	}
	if err != nil {
		b.refuse(w, start, b.stateRefusal(id, err, handle))
		return
	}

	raw, err := base64.StdEncoding.DecodeString(r.PostForm.Get("SAMLResponse"))
	if err != nil {
		err = errNotBase64
	} else {
		var a verifiedAssertion
		if a, err = b.up.verify(raw, st.UpstreamID, start); err == nil {
			if err = b.useOnce(r.Context(), id, handle, st, a, start); err == nil {
				b.grant(w, r, id, start, st, a)
				return
			}
			if b.refuseUse(w, id, start, err, handle) {
				return
			}
		}
	}
	b.refuse(w, start, b.upstreamRefusal(id, err))
}

// grant resolves the verified login with the policy in force, taken once,
// and answers Flex with what the mode sends (shadow.go); the log line names
// the user, the roles, the rules that gave them and the policy's digest,
// and the decision log gets one line, written before the answer.
func (b *Bridge) grant(w http.ResponseWriter, r *http.Request, id string, start time.Time, st loginState, a verifiedAssertion) {
	p := b.policyInForce()
	login := flexroles.Login{Source: flexroles.SSO, Attributes: a.Attributes, Identity: a.NameID}
	read := p.ReadAsFlex(login) // once a login: the user, and what Flex is sent
	user := read.Identity       // the NameID, or the email as Flex reads it
	dc := b.decide(p, login, read)
	d, err := dc.send, dc.sendErr
	if err != nil {
		b.record(id, dc, outcomeRefused, err, user)
		b.refuse(w, start, b.policyRefusal(id, err, login, user, p, a.Attributes))
		return
	}
	out, err := b.flexAttributes(read, a.Attributes, d)
	if err != nil {
		b.record(id, dc, outcomeRefused, err, user)
		b.refuse(w, start, b.policyRefusal(id, err, login, user, p, out.sent))
		return
	}
	if !authnContextMet(st.AuthnContext, a.Authn.ClassRef) {
		b.record(id, dc, outcomeRefused, errNoAuthnContext, user)
		b.answerNoAuthnContext(w, r, id, start, st, user, a.Authn.ClassRef)
		return
	}
	form, err := b.flexResponse(r, st, out, a.Authn, start)
	if err != nil {
		b.record(id, dc, outcomeError, nil, user)
		b.internalError(w, id, err)
		return
	}
	b.record(id, dc, outcomeGranted, nil, user)
	b.stats.login(outcomeGranted, "", time.Since(start))
	rules := make([]string, len(dc.policyFired))
	for i, f := range dc.policyFired {
		rules[i] = f.Rule
	}
	args := []any{"id", id, "outcome", outcomeGranted, "user", b.loggedUser(user),
		"roles", d.RoleStrings(), "rules", rules, "policy", p.Digest(), "login", login}
	if b.cfg.Mode == ModeShadow {
		// roles are the IdP's; rules and policy_roles the policy's.
		args = append(args, "mode", string(ModeShadow), "policy_roles", dc.byPolicy.RoleStrings(), "agree", dc.agree())
	}
	b.log.Info("login granted", args...)
	b.autoPost(w, form.URL, "SAMLResponse", form.SAMLResponse, form.RelayState)
}

// answerNoAuthnContext answers Flex's request, whose exact
// RequestedAuthnContext the upstream IdP's authentication does not meet,
// with a signed Response of status NoAuthnContext and no assertion, as
// SAML requires of an IdP that cannot authenticate as requested; Flex
// shows its own error. The log line names the classes requested and the
// upstream's (URIs, not personal data).
func (b *Bridge) answerNoAuthnContext(w http.ResponseWriter, r *http.Request, id string, start time.Time, st loginState, user, got string) {
	form, err := b.noAuthnContextResponse(r, st, start)
	if err != nil {
		b.internalError(w, id, err)
		return
	}
	b.stats.login(outcomeRejected, "authn_context", time.Since(start))
	b.log.Warn("login answered NoAuthnContext: the identity provider did not authenticate the user with a class Flex requested; Flex shows its own error",
		"id", id, "outcome", outcomeRejected, "kind", "authn_context", "user", b.loggedUser(user), "requested", st.AuthnContext, "upstream_class", got)
	b.autoPost(w, form.URL, "SAMLResponse", form.SAMLResponse, form.RelayState)
}

// refuse counts, logs and shows a login the bridge did not complete, in one
// log line; Flex hears nothing. A zero start counts no latency: the request
// was refused before any work.
func (b *Bridge) refuse(w http.ResponseWriter, start time.Time, r refusal) {
	var latency time.Duration
	if !start.IsZero() {
		latency = time.Since(start)
	}
	b.stats.login(r.outcome, r.Kind, latency)
	b.logRefusal(r)
	b.writeRefusal(w, r)
}

func (b *Bridge) internalError(w http.ResponseWriter, id string, err error) {
	r := refusalFor(id, outcomeError, "internal", http.StatusInternalServerError)
	r.refusedBy, r.Who, r.next = byBridge, "the bridge", tryLater
	r.Summary = "The sign-in bridge could not finish this sign-in."
	r.Message = "The bridge failed while answering this sign-in."
	r.logMessage = err.Error()
	r.Fix = "Read the bridge's log line for this reference; the message says what failed."
	b.refuse(w, time.Time{}, r)
}

// correlationID names one request in the page and in the log.
func correlationID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func noCache(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
}

func parseBaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("flexroles: base_url " + quote(s) + " must be an absolute URL such as https://flex-sso.example.com")
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && loopback(u.Hostname())) {
		return nil, errors.New("flexroles: base_url " + quote(s) + " must be https (plain http only on a loopback address, for trying the bridge)")
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func quote(s string) string { return strconv.Quote(s) }
