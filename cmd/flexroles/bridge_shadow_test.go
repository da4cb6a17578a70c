package main

import (
	"strings"
	"testing"
)

// TestBridgeDemoMode: bridge demo --mode takes enforce or shadow only.
func TestBridgeDemoMode(t *testing.T) {
	code, _, stderr := cli("bridge", "demo", "--mode", "audit")
	if code != exitUsage || !strings.Contains(stderr, `bridge demo: --mode is enforce or shadow, not "audit"`) {
		t.Errorf("exit %d\n%s", code, stderr)
	}
	if code, stdout, _ := cli("bridge", "-h"); code != exitOK || !strings.Contains(stdout, "demo --mode shadow") {
		t.Errorf("bridge -h does not say what --mode shadow does: exit %d\n%s", code, stdout)
	}
}
