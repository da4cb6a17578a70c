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
// instances behind a load balancer need no shared storage.
type loginState struct {
	FlexRequestID string `json:"f"` // ID of Flex's AuthnRequest
	RelayState    string `json:"r"` // Flex's RelayState, echoed back to Flex
	UpstreamID    string `json:"u"` // ID of the bridge's AuthnRequest upstream
	Expires       int64  `json:"e"` // Unix seconds
}

// stateCookiePrefix starts the name of every state cookie; the rest of the
// name is the login's handle, which is also the RelayState sent upstream.
const stateCookiePrefix = "flexroles_login_"

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
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, []byte(stateCookiePrefix+handle)))
}

// open decrypts the value of handle's cookie and checks its expiry.
func (s *stateSealer) open(handle, value string, now time.Time) (loginState, error) {
	var st loginState
	if len(value) > maxStateCookie {
		return st, errStateForged
	}
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return st, errStateForged
	}
	plain, err := s.aead.Open(nil, raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():], []byte(stateCookiePrefix+handle))
	if err != nil || json.Unmarshal(plain, &st) != nil || st.UpstreamID == "" {
		return loginState{}, errStateForged
	}
	if now.Unix() >= st.Expires {
		return loginState{}, errStateExpired
	}
	return st, nil
}

// maxStateCookie bounds a state cookie's value: the state holds two IDs
// and a RelayState of at most maxRelayState bytes, which JSON may lengthen
// (a quote or backslash takes two bytes, a control character six), so
// serveSSO checks the sealed size too.
const maxStateCookie = 2048

// stateCookie is the cookie that carries a sealed state to the bridge's ACS
// and nowhere else.
func stateCookie(handle, value, path string, secure bool, ttl time.Duration) *http.Cookie {
	c := &http.Cookie{ //nolint:gosec // G124: Secure and SameSite=None whenever the base URL is https, below
		Name:     stateCookiePrefix + handle,
		Value:    value,
		Path:     path,
		MaxAge:   int(ttl / time.Second),
		HttpOnly: true,
		Secure:   secure,
		// The upstream IdP posts to the ACS from its own site: a Lax cookie
		// would not come with that POST, so https deployments use None
		// (with Secure). A loopback http base URL is one site with any
		// port, where Lax is enough and browsers refuse None without
		// Secure.
		SameSite: http.SameSiteLaxMode,
	}
	if secure {
		c.SameSite = http.SameSiteNoneMode
	}
	return c
}
