package bridge

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
)

// loginState is what the bridge remembers of a login while the user is at
// the upstream IdP. It travels in a cookie sealed with AES-GCM, so that
// any instance behind a load balancer can open it; only what logins used
// is shared, through the store.
type loginState struct {
	FlexRequestID string `json:"f"` // ID of Flex's AuthnRequest
	RelayState    string `json:"r"` // Flex's RelayState, echoed back to Flex
	UpstreamID    string `json:"u"` // ID of the bridge's AuthnRequest upstream
	Expires       int64  `json:"e"` // Unix seconds
	// AuthnContext holds the classes of Flex's RequestedAuthnContext with
	// Comparison exact (or none): the upstream assertion's class must be
	// one of them. Empty when Flex requested none, or another comparison.
	AuthnContext []string `json:"a,omitempty"`
}

// stateAADPrefix and a login's handle are the associated data a state is
// sealed with, so that a state moved under another handle does not open.
const stateAADPrefix = "flexroles_login_"

// The login states of one browser travel in one cookie, whatever the number
// of logins it starts: a page that makes the browser start logins in Flex's
// name (Flex's AuthnRequests are unsigned) replaces states in it, and can
// never make the browser's requests too large for the bridge or a proxy in
// front of it.
const (
	// stateCookieName is the cookie's name on a loopback http base URL.
	stateCookieName = "flexroles_login"
	// secureStateCookieName is its name on https: the __Host- prefix makes
	// the browser accept it only with Secure, Path=/ and no Domain, so a
	// sibling host cannot plant a state of its own in the victim's browser.
	secureStateCookieName = "__Host-" + stateCookieName
	// maxLoginStates is how many logins a browser may have under way at
	// once; a newer login drops the oldest.
	maxLoginStates = 4
	// maxStateJar bounds the cookie's value, under the 4096 bytes of name,
	// value and attributes that browsers keep of one cookie: the newest
	// state always fits (maxStateCookie), older ones only while the total
	// does.
	maxStateJar = 3800
)

// stateEntry is one login state in the cookie: its handle and its sealed
// state.
type stateEntry struct {
	handle, sealed string
}

// parseStates reads a state cookie's value: entries newest first, each the
// 32 hex digits of a handle and the sealed state, separated by dots. An
// entry of another shape is skipped; at most maxLoginStates are read.
func parseStates(value string) []stateEntry {
	var out []stateEntry
	for value != "" && len(out) < maxLoginStates {
		var part string
		part, value, _ = strings.Cut(value, ".")
		if len(part) > 32 && validHandle(part[:32]) {
			out = append(out, stateEntry{handle: part[:32], sealed: part[32:]})
		}
	}
	return out
}

// joinStates writes entries as a state cookie's value.
func joinStates(entries []stateEntry) string {
	var b strings.Builder
	for i, e := range entries {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(e.handle)
		b.WriteString(e.sealed)
	}
	return b.String()
}

// The refusals of a login state, each a reason an administrator can read in
// the log; none holds anything of the user.
var (
	errStateMissing = errors.New("no login state cookie came with the response's RelayState: the login was not started here in this browser, or the cookie was blocked")
	errStateForged  = errors.New("the login state cookie does not open under its handle: forged, moved to another handle, or sealed with another key")
	errStateExpired = errors.New("the login state expired")
)

// stateSealer seals and opens login states.
type stateSealer struct {
	aead cipher.AEAD
}

func newStateSealer(key []byte) (*stateSealer, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &stateSealer{aead: aead}, nil
}

// newHandle returns a random login handle: 32 hex digits.
func newHandle() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// validHandle reports whether h has the shape newHandle gives.
func validHandle(h string) bool {
	if len(h) != 32 {
		return false
	}
	_, err := hex.DecodeString(h)
	return err == nil && strings.ToLower(h) == h
}

// seal encrypts st for the cookie named after handle; the name is
// authenticated with it, so a state moved under another handle fails. The
// JSON is written without HTML escaping, which would make each <, > and &
// of the RelayState six bytes.
func (s *stateSealer) seal(handle string, st loginState) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(st)
	plain := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	_, _ = rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, []byte(stateAADPrefix+handle)))
}

// open decrypts handle's sealed state and checks its expiry.
func (s *stateSealer) open(handle, value string, now time.Time) (loginState, error) {
	var st loginState
	if len(value) > maxStateCookie {
		return st, errStateForged
	}
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return st, errStateForged
	}
	plain, err := s.aead.Open(nil, raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():], []byte(stateAADPrefix+handle))
	if err != nil || json.Unmarshal(plain, &st) != nil || st.UpstreamID == "" {
		return loginState{}, errStateForged
	}
	if now.Unix() >= st.Expires {
		return loginState{}, errStateExpired
	}
	return st, nil
}

// maxStateCookie bounds one sealed state: it holds two IDs, a RelayState
// of at most maxRelayState bytes, which JSON may lengthen (a quote or
// backslash takes two bytes, a control character six), and the requested
// context classes, so serveSSO checks the sealed size too.
const maxStateCookie = 2048

// stateCookie is the cookie that carries a browser's sealed states: on
// https __Host-flexroles_login (Secure, Path=/, no Domain, SameSite=None);
// on a loopback http base URL flexroles_login, with the path of the saml
// endpoints, SameSite=Lax. A negative ttl deletes it.
func stateCookie(value, samlPath string, secure bool, ttl time.Duration) *http.Cookie {
	c := &http.Cookie{ //nolint:gosec // G124: Secure and SameSite=None whenever the base URL is https, below
		Name:     stateCookieName,
		Value:    value,
		Path:     samlPath,
		MaxAge:   int(ttl / time.Second),
		HttpOnly: true,
		// The upstream IdP posts to the ACS from its own site: a Lax cookie
		// would not come with that POST, so https deployments use None
		// (with Secure). A loopback http base URL is one site with any
		// port, where Lax is enough and browsers refuse None without
		// Secure.
		SameSite: http.SameSiteLaxMode,
	}
	if ttl < 0 {
		c.MaxAge = -1
	}
	if secure {
		c.Name, c.Path, c.Secure, c.SameSite = secureStateCookieName, "/", true, http.SameSiteNoneMode
	}
	return c
}

// stateCookieNameFor is the name the bridge reads the states under: only
// the __Host- name on https, so that a cookie planted under the plain name
// (which any sibling host can set with Domain=) is never read.
func stateCookieNameFor(secure bool) string {
	if secure {
		return secureStateCookieName
	}
	return stateCookieName
}

// states returns the login states the request's cookie holds, newest
// first.
func (b *Bridge) states(r *http.Request) []stateEntry {
	c, err := r.Cookie(stateCookieNameFor(b.secure))
	if err != nil {
		return nil
	}
	return parseStates(c.Value)
}

// addState returns the cookie value with e first and, after it, the states
// already in the request's cookie that still open, newest first, while
// there are at most maxLoginStates and their total fits maxStateJar: the
// oldest are dropped.
func (b *Bridge) addState(r *http.Request, e stateEntry) string {
	kept := []stateEntry{e}
	size := len(e.handle) + len(e.sealed)
	now := time.Now()
	for _, old := range b.states(r) {
		if len(kept) == maxLoginStates {
			break
		}
		if _, err := b.sealer.open(old.handle, old.sealed, now); err != nil {
			continue // expired or not the bridge's: dropped
		}
		size += 1 + len(old.handle) + len(old.sealed)
		if size > maxStateJar {
			break
		}
		kept = append(kept, old)
	}
	return joinStates(kept)
}

// stateCookie is the bridge's state cookie holding value, for ttl
// (negative: deleted).
func (b *Bridge) stateCookie(value string, ttl time.Duration) *http.Cookie {
	return stateCookie(value, b.paths.saml.Path, b.secure, ttl)
}
