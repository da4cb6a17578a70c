package suggest

import (
	"strings"
	"testing"
)

func TestAmong(t *testing.T) {
	keys := []string{"policy", "listen", "base_url", "clock_skew", "state_ttl", "agent", "agents"}
	for _, tc := range []struct {
		in, want, reason string
	}{
		{"clockskew", "clock_skew", "rule 2: one edit"},
		{"BASE_URL", "base_url", "rule 2: case is ignored, distance 0"},
		{"agnet", "agent", "rule 2: a swap is two edits"},
		{"agentss", "agents", "rule 3: the closest wins over agent at 2"},
		{"polcy", "policy", "rule 2"},
		{"upstream", "", "rule 2: nothing within 2"},
		{"", "", "rule 1: empty"},
		{strings.Repeat("a", MaxLen+1), "", "rule 1: too long"},
		{"polic\xff", "", "rule 1: not UTF-8"},
		{"lisen", "listen", "rule 2"},
	} {
		if got := Among(tc.in, keys...); got != tc.want {
			t.Errorf("Among(%q) = %q, want %q (%s)", tc.in, got, tc.want, tc.reason)
		}
	}
	if got := Among("ab", "xb", "ax"); got != "xb" {
		t.Errorf("a tie went to %q, want the first in order", got)
	}
	if got := Among("ab", "abcd"); got != "abcd" {
		t.Errorf("distance 2 is a candidate; got %q", got)
	}
	if got := Among("ab", "abcde"); got != "" {
		t.Errorf("distance 3 is no candidate; got %q", got)
	}
}
