package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
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

// TestBridgeSIGHUPReopensDecisionLog runs "flexroles bridge" in this
// process on the demo's configuration with a decision log, moves the log
// away as a rotation does, and sends the process SIGHUP: the bridge opens
// the log's path again, making a new file. SIGTERM then stops it with
// exit 0.
func TestBridgeSIGHUPReopensDecisionLog(t *testing.T) {
	config, _ := demoBridgeConfig(t, "decision_log: decisions.ndjson\nshutdown_delay: 100ms\n")
	log := filepath.Join(filepath.Dir(config), "decisions.ndjson")
	var stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"bridge", "--config", config}, strings.NewReader(""), io.Discard, &stderr)
	}()
	// The log is opened once the bridge is made, after SIGHUP is caught.
	until(t, "the decision log opened", func() bool { _, err := os.Stat(log); return err == nil })
	if err := os.Rename(log, log+".1"); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	until(t, "the decision log made again at its path after SIGHUP", func() bool { _, err := os.Stat(log); return err == nil })
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit %d after SIGTERM:\n%s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the bridge did not stop on SIGTERM:\n%s", stderr.String())
	}
}

// lockedBuffer is a buffer that one goroutine writes while another reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
