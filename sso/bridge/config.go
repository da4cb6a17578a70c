package bridge

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/flexroles/flexroles/internal/suggest"
)

// Config is the bridge's configuration, as bridge.yaml holds it. Paths are
// relative to the configuration file. The zero value of every optional field
// is its default.
type Config struct {
	// Policy is the flexroles policy file that decides every login.
	Policy string
	// Listen is the address the command serves on; default DefaultListen.
	Listen string
	// BaseURL is the public URL at which browsers reach the bridge; every
	// endpoint lies below it. It must be https, except on a loopback host.
	BaseURL string

	Upstream Upstream
	Flex     FlexTarget
	Keys     Keys
	Store    Store

	// PassThrough lists the attributes sent on to Flex besides roles, email
	// and full_name: Flex name → upstream attribute name, such as
	// department → department or skill.int → skill. Flex stores them in the
	// worker's attributes.
	PassThrough map[string]string

	// ClockSkew is the leeway on the upstream assertion's validity times;
	// default 30s, at most 3m.
	ClockSkew time.Duration
	// StateTTL is how long a login may take at the upstream IdP; default
	// 10m.
	StateTTL time.Duration
	// ReplayCacheSize bounds the assertion IDs remembered against replay,
	// and, apart, the login states used; default 100000. When the assertion
	// IDs fill it unexpired, logins are refused rather than replays
	// accepted; the oldest login state is forgotten to make room.
	ReplayCacheSize int
	// MaxVerifications bounds the upstream responses verified at once;
	// default twice GOMAXPROCS. A response that arrives when as many are
	// being verified is refused with HTTP 503 rather than queued, so that
	// a flood of large responses cannot take every core and the memory
	// each verification needs (up to 64 MiB at assertion.MaxSize).
	MaxVerifications int
	// RedactIdentity keeps users out of the log: a login's log line then
	// shows "[redacted]" where it names the user (the verified NameID, or
	// the email). Off by default, so that an administrator finds a refused
	// user from the page's reference alone. Attribute values other than
	// roles are never logged either way.
	RedactIdentity bool

	// PolicyReload is how often the policy file is looked at for a change
	// of its bytes, which is then reloaded by ReloadPolicy's rules (loads,
	// its cases pass, pass_through holds; otherwise the policy in force
	// stays); zero, the default, looks only on SIGHUP or a call of
	// ReloadPolicy.
	PolicyReload time.Duration
	// ShutdownDelay is how long Serve goes on serving once its context
	// ends, with readyz answering 503, so that load balancers stop sending
	// logins before the listener closes; default 5s. Requests under way
	// then get up to 10 seconds more.
	ShutdownDelay time.Duration

	// Mode is enforce (the default) or shadow: in shadow mode Flex receives
	// the upstream IdP's roles, checked by Twilio's rules alone, and the
	// policy's decision is only recorded (decision log and metrics).
	Mode Mode
	// ShadowRolesAttribute is the upstream attribute whose roles Flex
	// receives in shadow mode; default roles, the name Flex reads.
	ShadowRolesAttribute string
	// DecisionLog is a file that receives one JSON line per decided login,
	// in either mode, or "-" for standard output; empty writes none. The
	// file is opened for appending and reopened by ReopenLog (SIGHUP).
	DecisionLog string
	// DecisionLogAttributes adds every attribute of the verified assertion,
	// values included, to each decision-log line, so that the review can
	// resolve the logins again under another policy. The values are
	// personal data; off by default.
	DecisionLogAttributes bool
}

// DefaultListen is the address the bridge serves on when the
// configuration's listen is empty: loopback only.
const DefaultListen = "127.0.0.1:8080"

// Mode is how the bridge uses the policy's decision.
type Mode string

// The bridge's modes.
const (
	// ModeEnforce sends Flex the policy's decision (the zero Mode).
	ModeEnforce Mode = "enforce"
	// ModeShadow sends Flex the upstream IdP's roles attribute, checked by
	// Twilio's rules alone, and only records the policy's decision.
	ModeShadow Mode = "shadow"
)

// Upstream names the organisation's identity provider.
type Upstream struct {
	// MetadataFile or MetadataURL (exactly one) is the IdP's SAML metadata.
	MetadataFile string
	MetadataURL  string
	// Refresh is how often MetadataURL is fetched again; default 1h. A
	// failed refresh keeps the metadata already loaded.
	Refresh time.Duration
	// AllowIDPInitiated accepts logins started at the upstream IdP (an
	// unsolicited response); off by default.
	AllowIDPInitiated bool
}

// Keys are the bridge's signing key and certificates, PEM files.
type Keys struct {
	Key         string // RSA private key, 2048 bits or more
	Certificate string // its certificate, which Flex is given
	// NextCertificate is published in the metadata beside Certificate, so
	// that the next key can be announced before it signs (rotation).
	NextCertificate string
	// StateKey is a file holding 32 random bytes (raw, hex or base64) that
	// seal the login state; when empty it is derived from Key, so every
	// instance with the same key shares it.
	StateKey string
}

// Store is where the bridge records the login states and assertion IDs
// that logins have used, so that none is used twice. The zero value is the
// memory of each instance; a Redis or Valkey server shared by every
// instance makes one instance refuse what another accepted.
type Store struct {
	// URL is "memory" (the default when empty: each instance remembers on
	// its own, in two caches of replay_cache_size) or
	// redis://[user@]host[:port][/db], or rediss://… for TLS, naming a
	// Redis or Valkey server; port 6379 and database 0 by default. A
	// password in the URL is refused (it would sit in bridge.yaml): give it
	// with PasswordFile or PasswordEnv. The URL takes no query: the
	// bridge sets its own timeouts.
	URL string
	// PasswordFile is a file holding the server's password (AUTH); a
	// trailing newline is dropped.
	PasswordFile string
	// PasswordEnv names an environment variable holding the password.
	PasswordEnv string
	// ReadyWhileDown keeps readyz answering 200 while a Redis store does
	// not answer (required_for_ready: false in bridge.yaml); logins are
	// refused all the same until it answers.
	ReadyWhileDown bool
}

// memoryURL is the value of store.url that keeps each instance's
// memory, the default.
const memoryURL = "memory"

// parseStoreURL checks store.url and returns it parsed, or nil for the
// memory store. Its errors are the configuration's messages.
func parseStoreURL(s string) (*url.URL, error) {
	if s == "" || s == memoryURL {
		return nil, nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Opaque != "" {
		return nil, errors.New("is neither memory nor a redis:// or rediss:// URL such as redis://redis.internal:6379/0")
	}
	if _, set := u.User.Password(); set {
		return nil, errors.New("holds a password, which bridge.yaml must not: give it with store.password_file or store.password_env (the URL may name the user)")
	}
	if u.Hostname() == "" {
		return nil, errors.New("names no host; give redis://host:port/db")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, errors.New("has port " + strconv.Quote(p) + "; give a number from 1 to 65535")
		}
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return nil, errors.New("takes no query or fragment: the bridge sets its own timeouts")
	}
	if db := strings.TrimPrefix(u.Path, "/"); db != "" {
		if n, err := strconv.Atoi(db); err != nil || n < 0 || strconv.Itoa(n) != db {
			return nil, errors.New("has path " + strconv.Quote(u.Path) + "; the path is a database number such as /0, or nothing")
		}
	}
	return u, nil
}

// redactedURL is s with any password in it replaced by xxxxx, for
// messages.
func redactedURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return s
}

// ConfigIssue is one problem in a configuration file.
type ConfigIssue struct {
	Line, Column int    // 1-based position in the YAML file, 0 if unknown
	Field        string // YAML path such as "flex.account"
	Message      string
}

// ConfigError lists every problem found in a configuration file.
type ConfigError struct {
	File   string
	Issues []ConfigIssue
}

// Error lists the problems, one a line, each with file:line:column.
func (e *ConfigError) Error() string {
	var b strings.Builder
	b.WriteString("flexroles: invalid bridge configuration")
	if e.File != "" {
		b.WriteString(" " + e.File)
	}
	for _, is := range e.Issues {
		b.WriteString("\n  ")
		if e.File != "" {
			b.WriteString(e.File + ":")
		}
		if is.Line > 0 {
			b.WriteString(strconv.Itoa(is.Line) + ":" + strconv.Itoa(is.Column) + ": ")
		} else if e.File != "" {
			b.WriteString(" ")
		}
		if is.Field != "" {
			b.WriteString(is.Field + ": ")
		}
		b.WriteString(is.Message)
	}
	return b.String()
}

// LoadConfigFile reads a bridge.yaml file strictly: an unknown key, a value
// of the wrong type or a missing required value is a *ConfigError with
// every problem's line and column. Relative paths in it are made relative to
// the file's directory.
func LoadConfigFile(path string) (Config, error) {
	data, err := os.ReadFile(path) //nolint:gosec // G304: the configuration file the operator named
	if err != nil {
		return Config{}, errors.New("flexroles: bridge configuration: " + err.Error())
	}
	cfg, issues := parseConfig(data)
	if len(issues) > 0 {
		return Config{}, &ConfigError{File: path, Issues: issues}
	}
	dir := filepath.Dir(path)
	for _, p := range []*string{&cfg.Policy, &cfg.Upstream.MetadataFile, &cfg.Keys.Key, &cfg.Keys.Certificate, &cfg.Keys.NextCertificate, &cfg.Keys.StateKey, &cfg.Store.PasswordFile, &cfg.DecisionLog} {
		if *p != "" && *p != "-" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
	return cfg, nil
}

// LoadConfig reads a configuration from r, as LoadConfigFile does, leaving
// paths as written.
func LoadConfig(r io.Reader) (Config, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxConfigBytes+1))
	if err != nil {
		return Config{}, errors.New("flexroles: bridge configuration: " + err.Error())
	}
	if len(data) > maxConfigBytes {
		return Config{}, &ConfigError{Issues: []ConfigIssue{{Message: "the file is larger than 1 MiB"}}}
	}
	cfg, issues := parseConfig(data)
	if len(issues) > 0 {
		return Config{}, &ConfigError{Issues: issues}
	}
	return cfg, nil
}

const maxConfigBytes = 1 << 20

// readFileAtMost reads a file the configuration names, refusing one over
// max bytes (a device or a wrong path given as a key must not exhaust
// memory); errors name the configuration's field.
func readFileAtMost(path, field string, max int64) ([]byte, error) {
	f, err := os.Open(path) //nolint:gosec // G304: a file the configuration names
	if err != nil {
		return nil, fmt.Errorf("flexroles: %s: %w", field, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("flexroles: %s: %w", field, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("flexroles: %s %s is larger than %d bytes; is it the right file?", field, path, max)
	}
	return data, nil
}

// configReader walks the YAML nodes and notes every problem with its
// position.
type configReader struct{ issues []ConfigIssue }

func (cr *configReader) add(n *yaml.Node, field, msg string) {
	cr.issues = append(cr.issues, ConfigIssue{Line: n.Line, Column: n.Column, Field: field, Message: msg})
}

func parseConfig(data []byte) (Config, []ConfigIssue) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return Config{}, []ConfigIssue{{Message: "not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return Config{}, []ConfigIssue{{Line: 1, Column: 1, Message: "the configuration is empty"}}
	}
	cr := &configReader{}
	var cfg Config
	var attrsAt *yaml.Node // decision_log_attributes: true, checked once every key is read
	root := doc.Content[0]
	cr.mapping(root, "", func(key string, k, v *yaml.Node, field string) {
		switch key {
		case "policy":
			cfg.Policy = cr.str(v, field)
		case "listen":
			cfg.Listen = cr.str(v, field)
		case "base_url":
			cfg.BaseURL = cr.str(v, field)
		case "clock_skew":
			cfg.ClockSkew = cr.duration(v, field)
		case "state_ttl":
			cfg.StateTTL = cr.duration(v, field)
		case "replay_cache_size":
			cfg.ReplayCacheSize = cr.integer(v, field)
		case "max_verifications":
			cfg.MaxVerifications = cr.integer(v, field)
		case "redact_identity":
			cfg.RedactIdentity = cr.boolean(v, field)
		case "policy_reload":
			cfg.PolicyReload = cr.duration(v, field)
		case "shutdown_delay":
			cfg.ShutdownDelay = cr.duration(v, field)
		case "mode":
			cfg.Mode = cr.mode(v, field)
		case "shadow_roles_attribute":
			cfg.ShadowRolesAttribute = cr.str(v, field)
		case "decision_log":
			cfg.DecisionLog = cr.str(v, field)
		case "decision_log_attributes":
			cfg.DecisionLogAttributes = cr.boolean(v, field)
			if cfg.DecisionLogAttributes {
				attrsAt = v
			}
		case "upstream":
			defer cr.metadataSource(v, &cfg.Upstream)
			cr.mapping(v, field, func(key string, k, v *yaml.Node, field string) {
				switch key {
				case "metadata_file":
					cfg.Upstream.MetadataFile = cr.str(v, field)
				case "metadata_url":
					cfg.Upstream.MetadataURL = cr.str(v, field)
				case "refresh":
					cfg.Upstream.Refresh = cr.duration(v, field)
				case "allow_idp_initiated":
					cfg.Upstream.AllowIDPInitiated = cr.boolean(v, field)
				default:
					cr.unknown(k, field, "metadata_file", "metadata_url", "refresh", "allow_idp_initiated")
				}
			})
		case "flex":
			cr.mapping(v, field, func(key string, k, v *yaml.Node, field string) {
				switch key {
				case "account":
					cfg.Flex.Account = cr.sid(v, field, "account")
				case "connection":
					cfg.Flex.Connection = cr.sid(v, field, "connection")
				case "region":
					cfg.Flex.Region = cr.str(v, field)
				case "acs_url":
					cfg.Flex.ACSURL = cr.str(v, field)
				default:
					cr.unknown(k, field, "account", "connection", "region", "acs_url")
				}
			})
		case "keys":
			cr.mapping(v, field, func(key string, k, v *yaml.Node, field string) {
				switch key {
				case "key":
					cfg.Keys.Key = cr.str(v, field)
				case "certificate":
					cfg.Keys.Certificate = cr.str(v, field)
				case "next_certificate":
					cfg.Keys.NextCertificate = cr.str(v, field)
				case "state_key":
					cfg.Keys.StateKey = cr.str(v, field)
				default:
					cr.unknown(k, field, "key", "certificate", "next_certificate", "state_key")
				}
			})
		case "store":
			cfg.Store = cr.store(v, field)
		case "pass_through":
			cfg.PassThrough = map[string]string{}
			cr.mapping(v, field, func(key string, k, v *yaml.Node, field string) {
				cfg.PassThrough[key] = cr.str(v, field)
			})
		default:
			cr.unknown(k, field, "policy", "listen", "base_url", "upstream", "flex", "keys", "store", "pass_through", "clock_skew", "state_ttl", "replay_cache_size", "max_verifications", "redact_identity", "policy_reload", "shutdown_delay",
				"mode", "shadow_roles_attribute", "decision_log", "decision_log_attributes")
		}
	})
	if attrsAt != nil {
		cr.decisionLogAttributes(attrsAt, cfg)
	}
	if root.Kind == yaml.MappingNode {
		for _, req := range []struct {
			field string
			set   bool
		}{
			{"policy", cfg.Policy != ""},
			{"base_url", cfg.BaseURL != ""},
			{"upstream", cfg.Upstream != Upstream{}},
			{"flex", cfg.Flex != FlexTarget{}},
			{"keys.key", cfg.Keys.Key != ""},
			{"keys.certificate", cfg.Keys.Certificate != ""},
		} {
			if !req.set {
				cr.add(root, req.field, "missing; the bridge needs it")
			}
		}
	}
	slices.SortStableFunc(cr.issues, func(a, b ConfigIssue) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	return cfg, cr.issues
}

// metadataSource notes an upstream section that names no metadata, or
// both kinds of it.
func (cr *configReader) metadataSource(n *yaml.Node, up *Upstream) {
	if n.Kind != yaml.MappingNode {
		return
	}
	switch {
	case up.MetadataFile == "" && up.MetadataURL == "":
		cr.add(n, "upstream", "names no metadata: add metadata_url (the IdP's metadata URL, https) or metadata_file (its metadata XML, downloaded)")
	case up.MetadataFile != "" && up.MetadataURL != "":
		cr.add(n, "upstream", "names both metadata_file and metadata_url; keep one")
	}
}

// store reads the store mapping and checks its values together: the URL's
// form, one password source at most, and none of the Redis settings with
// the memory store.
func (cr *configReader) store(n *yaml.Node, field string) Store {
	var st Store
	nodes := map[string]*yaml.Node{}
	cr.mapping(n, field, func(key string, k, v *yaml.Node, field string) {
		nodes[key] = k
		switch key {
		case "url":
			st.URL = cr.str(v, field)
			if _, err := parseStoreURL(st.URL); err != nil {
				cr.add(v, field, quote(redactedURL(st.URL))+" "+err.Error())
			}
		case "password_file":
			st.PasswordFile = cr.str(v, field)
		case "password_env":
			st.PasswordEnv = cr.str(v, field)
		case "required_for_ready":
			st.ReadyWhileDown = !cr.boolean(v, field)
		default:
			cr.unknown(k, field, "url", "password_file", "password_env", "required_for_ready")
		}
	})
	if k := nodes["password_env"]; k != nil && nodes["password_file"] != nil {
		cr.add(k, field+".password_env", "give password_file or password_env, not both")
	}
	if st.URL == "" || st.URL == memoryURL {
		for _, key := range []string{"password_file", "password_env", "required_for_ready"} {
			if k := nodes[key]; k != nil {
				cr.add(k, field+"."+key, "applies to a Redis store only; store.url is memory")
			}
		}
	}
	return st
}

// mode reads mode: enforce or shadow.
func (cr *configReader) mode(n *yaml.Node, field string) Mode {
	if !cr.scalar(n, field, "enforce or shadow") {
		return ""
	}
	switch m := Mode(n.Value); m {
	case ModeEnforce, ModeShadow:
		return m
	}
	msg := "expected enforce or shadow, not " + strconv.Quote(n.Value)
	if s := suggest.Among(n.Value, string(ModeEnforce), string(ModeShadow)); s != "" {
		msg += " (did you mean " + strconv.Quote(s) + "?)"
	}
	cr.add(n, field, msg)
	return ""
}

// decisionLogAttributes notes decision_log_attributes: true (at n) without
// a decision log to write them to, or beside redact_identity, which asks
// for the opposite.
func (cr *configReader) decisionLogAttributes(n *yaml.Node, cfg Config) {
	switch {
	case cfg.DecisionLog == "":
		cr.add(n, "decision_log_attributes", "there is no decision_log to write the attributes to; add decision_log: PATH or remove this key")
	case cfg.RedactIdentity:
		cr.add(n, "decision_log_attributes", "writes every attribute value, the user's email and name included, into the decision log, while redact_identity: true keeps users out of the logs; keep one")
	}
}

func (cr *configReader) mapping(n *yaml.Node, field string, each func(key string, k, v *yaml.Node, field string)) {
	if n.Kind != yaml.MappingNode {
		cr.add(n, field, "expected a mapping of keys to values")
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		sub := k.Value
		if field != "" {
			sub = field + "." + k.Value
		}
		if seen[k.Value] {
			cr.add(k, sub, "appears twice")
			continue
		}
		seen[k.Value] = true
		each(k.Value, k, v, sub)
	}
}

func (cr *configReader) unknown(k *yaml.Node, field string, known ...string) {
	msg := "unknown key"
	if s := suggest.Among(k.Value, known...); s != "" {
		msg += " (did you mean " + strconv.Quote(s) + "?)"
	}
	cr.add(k, field, msg+"; known here: "+strings.Join(known, ", "))
}

// sid reads flex.account or flex.connection and names what is wrong with
// it, as New would.
func (cr *configReader) sid(n *yaml.Node, field, key string) string {
	v := cr.str(n, field)
	if v != "" {
		if msg := sidProblem(key, v); msg != "" {
			cr.add(n, field, msg)
		}
	}
	return v
}

func (cr *configReader) scalar(n *yaml.Node, field, want string) bool {
	if n.Kind != yaml.ScalarNode {
		cr.add(n, field, "expected "+want)
		return false
	}
	return true
}

func (cr *configReader) str(n *yaml.Node, field string) string {
	if !cr.scalar(n, field, "a string") {
		return ""
	}
	if n.Value == "" {
		cr.add(n, field, "is empty; remove the key or give a value")
	}
	return n.Value
}

func (cr *configReader) boolean(n *yaml.Node, field string) bool {
	if !cr.scalar(n, field, "true or false") {
		return false
	}
	switch n.Value {
	case "true":
		return true
	case "false":
		return false
	}
	cr.add(n, field, "expected true or false, not "+strconv.Quote(n.Value))
	return false
}

func (cr *configReader) integer(n *yaml.Node, field string) int {
	if !cr.scalar(n, field, "a whole number") {
		return 0
	}
	i, err := strconv.Atoi(n.Value)
	if err != nil || i <= 0 {
		cr.add(n, field, "expected a positive whole number, not "+strconv.Quote(n.Value))
		return 0
	}
	return i
}

func (cr *configReader) duration(n *yaml.Node, field string) time.Duration {
	if !cr.scalar(n, field, "a duration such as 30s or 1h") {
		return 0
	}
	d, err := time.ParseDuration(n.Value)
	if err != nil || d <= 0 {
		cr.add(n, field, "expected a positive duration such as 30s or 1h, not "+strconv.Quote(n.Value))
		return 0
	}
	return d
}

// checkBounds refuses the negative values that a Config built in Go can
// hold and the YAML reader never gives: each must be left zero for its
// default, or be positive.
func (cfg Config) checkBounds() error {
	for _, v := range []struct {
		name string
		bad  bool
	}{
		{"clock_skew", cfg.ClockSkew < 0},
		{"state_ttl", cfg.StateTTL < 0},
		{"replay_cache_size", cfg.ReplayCacheSize < 0},
		{"max_verifications", cfg.MaxVerifications < 0},
		{"upstream.refresh", cfg.Upstream.Refresh < 0},
		{"policy_reload", cfg.PolicyReload < 0},
		{"shutdown_delay", cfg.ShutdownDelay < 0},
	} {
		if v.bad {
			return errors.New("flexroles: " + v.name + " is negative; leave it zero for its default, or give a positive value")
		}
	}
	return nil
}

// withDefaults fills in the default of every optional value left zero.
func (cfg Config) withDefaults() Config {
	if cfg.Listen == "" {
		cfg.Listen = DefaultListen
	}
	if cfg.ClockSkew == 0 {
		cfg.ClockSkew = 30 * time.Second
	}
	if cfg.StateTTL == 0 {
		cfg.StateTTL = 10 * time.Minute
	}
	if cfg.ReplayCacheSize == 0 {
		cfg.ReplayCacheSize = 100000
	}
	if cfg.MaxVerifications == 0 {
		cfg.MaxVerifications = 2 * runtime.GOMAXPROCS(0)
	}
	if cfg.Upstream.Refresh == 0 {
		cfg.Upstream.Refresh = time.Hour
	}
	if cfg.ShutdownDelay == 0 {
		cfg.ShutdownDelay = 5 * time.Second
	}
	if cfg.Mode == "" {
		cfg.Mode = ModeEnforce
	}
	if cfg.ShadowRolesAttribute == "" {
		cfg.ShadowRolesAttribute = "roles"
	}
	return cfg
}
