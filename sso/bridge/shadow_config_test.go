package bridge

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestShadowConfig: mode, shadow_roles_attribute, decision_log and
// decision_log_attributes load, with their defaults; a relative
// decision_log is made relative to the file, "-" stays standard output.
func TestShadowConfig(t *testing.T) {
	cfg, err := LoadConfig(strings.NewReader(goodConfig))
	if err != nil {
		t.Fatal(err)
	}
	if d := cfg.withDefaults(); d.Mode != ModeEnforce || d.ShadowRolesAttribute != "roles" || cfg.DecisionLog != "" || cfg.DecisionLogAttributes {
		t.Errorf("defaults: mode %q, shadow_roles_attribute %q, decision_log %q", d.Mode, d.ShadowRolesAttribute, cfg.DecisionLog)
	}
	dir := t.TempDir()
	for _, tc := range []struct{ log, want string }{
		{"decisions.ndjson", filepath.Join(dir, "decisions.ndjson")},
		{`"-"`, "-"},
		{"/var/log/flexroles/decisions.ndjson", "/var/log/flexroles/decisions.ndjson"},
	} {
		path := filepath.Join(dir, "bridge.yaml")
		text := goodConfig + "mode: shadow\nshadow_roles_attribute: flex_roles\ndecision_log: " + tc.log + "\ndecision_log_attributes: true\n"
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := LoadConfigFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Mode != ModeShadow || cfg.ShadowRolesAttribute != "flex_roles" || cfg.DecisionLog != tc.want || !cfg.DecisionLogAttributes {
			t.Errorf("decision_log %s: read %q %q %q %v", tc.log, cfg.Mode, cfg.ShadowRolesAttribute, cfg.DecisionLog, cfg.DecisionLogAttributes)
		}
	}
}

// TestShadowConfigStrict: a mode that is neither, attributes without a
// log to write them to, and attributes beside redact_identity are named
// with their line and column.
func TestShadowConfigStrict(t *testing.T) {
	for _, tc := range []struct {
		name, extra string
		want        string
	}{
		{"misspelt mode", "mode: shadwo\n", `21:7: mode: expected enforce or shadow, not "shadwo" (did you mean "shadow"?)`},
		{"mode of another kind", "mode: [shadow]\n", "21:7: mode: expected enforce or shadow"},
		{"attributes without a log", "decision_log_attributes: true\n", "21:26: decision_log_attributes: there is no decision_log"},
		{"attributes and redaction", "decision_log: d.ndjson\ndecision_log_attributes: true\nredact_identity: true\n", "22:26: decision_log_attributes: writes every attribute value"},
		{"misspelt key", "decision_logs: d.ndjson\n", `21:1: decision_logs: unknown key (did you mean "decision_log"?)`},
		{"empty log", "decision_log: \"\"\n", "21:15: decision_log: is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadConfig(strings.NewReader(goodConfig + tc.extra))
			var ce *ConfigError
			if !errors.As(err, &ce) || len(ce.Issues) != 1 {
				t.Fatalf("err = %v, want one issue", err)
			}
			is := ce.Issues[0]
			if got := strconv.Itoa(is.Line) + ":" + strconv.Itoa(is.Column) + ": " + is.Field + ": " + is.Message; !strings.HasPrefix(got, tc.want) {
				t.Errorf("issue %q, want prefix %q", got, tc.want)
			}
		})
	}
}

// TestShadowNew: New refuses a mode a Config built in Go can hold and the
// YAML reader never gives, and a decision log it cannot open, among the
// other problems; nothing is written to the log of a bridge that did not
// start.
func TestShadowNew(t *testing.T) {
	w := newWorld(t, nil)
	cfg := w.cfg
	cfg.Mode = "audit"
	cfg.DecisionLog = filepath.Join(t.TempDir(), "no-such-dir", "d.ndjson")
	_, err := New(context.Background(), cfg, nil)
	if err == nil || !strings.Contains(err.Error(), `mode "audit" is neither enforce nor shadow`) {
		t.Errorf("New: %v", err)
	}
	cfg.Mode = ModeShadow
	_, err = New(context.Background(), cfg, nil)
	if err == nil || !strings.Contains(err.Error(), "decision_log:") {
		t.Errorf("New with a decision log in a missing directory: %v", err)
	}
}

// TestShadowSetup: bridge check warns of shadow mode and of attribute
// values in the decision log, and in shadow mode asks the IdP for the
// roles attribute that Flex receives.
func TestShadowSetup(t *testing.T) {
	w := newWorld(t, func(c *Config) {
		c.Policy = "testdata/rules-only-policy.yaml"
		c.Mode, c.DecisionLog, c.DecisionLogAttributes = ModeShadow, filepath.Join(t.TempDir(), "d.ndjson"), true
	})
	defer w.bridge.Close()
	setup := w.bridge.Setup()
	if len(setup.Warnings) != 2 || !strings.Contains(setup.Warnings[0], "mode is shadow") || !strings.Contains(setup.Warnings[0], `"roles"`) ||
		!strings.Contains(setup.Warnings[1], "personal data") {
		t.Errorf("warnings %q", setup.Warnings)
	}
	if !slices.Contains(setup.Upstream.Attributes, "roles") || !slices.Contains(setup.Upstream.Attributes, "policy_roles") {
		t.Errorf("the IdP is asked for %q; want the roles Flex receives (roles) and those the policy reads (policy_roles)", setup.Upstream.Attributes)
	}
	if enforce := newWorld(t, nil).bridge.Setup(); len(enforce.Warnings) != 0 {
		t.Errorf("enforce mode without a decision log warns %q", enforce.Warnings)
	}
}

// TestDecisionLogUnderSystemd: the systemd unit, whose file system is
// read-only, gives the service the logs directory the docs name for the
// decision log, and a configuration naming that path loads.
func TestDecisionLogUnderSystemd(t *testing.T) {
	if got := unitService(t)["LogsDirectory"]; got != "flexroles-bridge" {
		t.Errorf("LogsDirectory=%q, want flexroles-bridge", got)
	}
	const line = "decision_log: /var/log/flexroles-bridge/decisions.ndjson"
	doc, err := os.ReadFile("../../docs/bridge.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "`"+line+"`") {
		t.Errorf("docs/bridge.md does not give %q", line)
	}
	cfg, err := LoadConfig(strings.NewReader(goodConfig + line + "\n"))
	if err != nil || cfg.DecisionLog != "/var/log/flexroles-bridge/decisions.ndjson" {
		t.Errorf("%v, %q", err, cfg.DecisionLog)
	}
}
