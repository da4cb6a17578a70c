package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
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
// process on a copy of the demo's configuration with a decision log, moves
// the log away as a rotation does, and sends the process SIGHUP: the bridge
// opens the log's path again, making a new file. SIGTERM then stops it
// with exit 0.
func TestBridgeSIGHUPReopensDecisionLog(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"bridge.yaml", "policy.yaml", "users.csv"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(readFile(t, filepath.Join("..", "..", "examples", name))), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	config := filepath.Join(dir, "bridge.yaml")
	if code, stdout, stderr := cli("bridge", "demo", "--prepare", "--config", config); code != exitOK {
		t.Fatalf("demo --prepare: exit %d\n%s%s", code, stdout, stderr)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	text := strings.Replace(readFile(t, config), "listen: 127.0.0.1:8080", "listen: "+addr, 1) + "decision_log: decisions.ndjson\n"
	if err := os.WriteFile(config, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(dir, "decisions.ndjson")

	var stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"bridge", "--config", config}, strings.NewReader(""), io.Discard, &stderr)
	}()
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
			select {
			case code := <-done:
				t.Fatalf("the bridge exited (%d) while waiting for %s:\n%s", code, what, stderr.String())
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %s after 20s:\n%s", what, stderr.String())
			}
		}
	}
	waitFor("readyz", func() bool {
		resp, err := http.Get("http://" + addr + "/bridge/readyz")
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	if _, err := os.Stat(log); err != nil {
		t.Fatalf("the bridge did not open its decision log: %v", err)
	}
	if err := os.Rename(log, log+".1"); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor("decision log made again at its path after SIGHUP", func() bool { _, err := os.Stat(log); return err == nil })
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
