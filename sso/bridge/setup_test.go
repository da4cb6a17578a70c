package bridge

import (
	"context"
	"strings"
	"testing"
)

// TestCheckWarnsIdPInitiated: Check's setup carries a warning that
// IdP-initiated login is login CSRF when upstream.allow_idp_initiated is
// on, and none with the default.
func TestCheckWarnsIdPInitiated(t *testing.T) {
	w := newWorld(t, nil)
	for _, tc := range []struct {
		allow bool
		want  int
	}{{false, 0}, {true, 1}} {
		cfg := w.cfg
		cfg.Upstream.AllowIDPInitiated = tc.allow
		setup, _, err := Check(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if len(setup.Warnings) != tc.want {
			t.Fatalf("allow_idp_initiated %v: warnings %q, want %d", tc.allow, setup.Warnings, tc.want)
		}
		if tc.want > 0 && (!strings.Contains(setup.Warnings[0], "upstream.allow_idp_initiated") || !strings.Contains(setup.Warnings[0], "login CSRF")) {
			t.Errorf("the warning does not name the setting and the attack: %q", setup.Warnings[0])
		}
	}
}
