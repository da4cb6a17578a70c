package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/flexroles/flexroles"
)

// bridgeProcess is "flexroles bridge --config …" running as a process of
// its own, as a service manager runs it.
type bridgeProcess struct {
	cmd  *exec.Cmd
	base string // http://ADDR/bridge/

	mu     sync.Mutex
	stderr strings.Builder // the JSON log
	exited chan struct{}
	err    error // Wait's, once exited is closed
}

// buildFlexroles builds the command into a temporary directory.
func buildFlexroles(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "flexroles")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// demoBridgeConfig copies the example bridge configuration and its policy
// into a temporary directory, makes the demo's keys and IdP metadata there
// (bridge demo --prepare), and appends extra to the configuration; it
// listens on a free loopback port.
func demoBridgeConfig(t *testing.T, extra string) (config, policy string) {
	t.Helper()
	dir := copyBridgeExample(t)
	bridgeYAML := filepath.Join(dir, "bridge.yaml")
	data := strings.Replace(readFile(t, bridgeYAML), "listen: 127.0.0.1:8080", "listen: 127.0.0.1:0", 1) + extra
	if err := os.WriteFile(bridgeYAML, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	config = filepath.Join(dir, "bridge.yaml")
	if code, stdout, stderr := cli("bridge", "demo", "--prepare", "--config", config); code != exitOK {
		t.Fatalf("demo --prepare: exit %d\n%s%s", code, stdout, stderr)
	}
	return config, filepath.Join(dir, "policy.yaml")
}

// startBridge starts the bridge and waits for its "bridge listening" line,
// which gives the address it listens on.
func startBridge(t *testing.T, bin, config string) *bridgeProcess {
	t.Helper()
	p := &bridgeProcess{cmd: exec.Command(bin, "bridge", "--config", config), exited: make(chan struct{})}
	pipe, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	listening := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(pipe)
		for s.Scan() {
			p.mu.Lock()
			p.stderr.WriteString(s.Text() + "\n")
			p.mu.Unlock()
			var line struct{ Msg, Addr string }
			if json.Unmarshal(s.Bytes(), &line) == nil && line.Msg == "bridge listening" {
				listening <- line.Addr
			}
		}
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.exited
	})
	select {
	case addr := <-listening:
		p.base = "http://" + addr + "/bridge/"
	case <-p.exited:
		t.Fatalf("the bridge exited: %v\n%s", p.err, p.log())
	case <-time.After(30 * time.Second):
		t.Fatalf("the bridge did not start listening within 30s\n%s", p.log())
	}
	return p
}

func (p *bridgeProcess) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// get answers the status and body of path below the base URL.
func (p *bridgeProcess) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(p.base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (p *bridgeProcess) signal(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// until polls cond for up to ten seconds.
func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("%s: not within ten seconds", what)
}

// policyMetrics reads the reload counters and the digest in force from the
// metrics endpoint.
func (p *bridgeProcess) policyMetrics(t *testing.T) (ok, failed int, digest string) {
	t.Helper()
	_, text := p.get(t, "metrics")
	for _, line := range strings.Split(text, "\n") {
		name, value, _ := strings.Cut(line, " ")
		switch {
		case name == `flexroles_bridge_policy_reloads_total{result="ok"}`:
			ok, _ = strconv.Atoi(value)
		case name == `flexroles_bridge_policy_reloads_total{result="failed"}`:
			failed, _ = strconv.Atoi(value)
		case strings.HasPrefix(name, `flexroles_bridge_policy_info{digest="`):
			digest = strings.TrimSuffix(strings.TrimPrefix(name, `flexroles_bridge_policy_info{digest="`), `"}`)
		}
	}
	return ok, failed, digest
}

func fileDigest(t *testing.T, path string) string {
	t.Helper()
	p, err := flexroles.LoadPolicyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return p.Digest()
}

func replaceFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path+".new", []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
}

// TestBridgeProcessReloadAndDrain runs the bridge as a process: SIGHUP with
// a broken policy keeps the policy in force and counts a failure; SIGHUP
// with a good one swaps it. SIGTERM makes readyz answer 503 at once while
// healthz still answers, for shutdown_delay, and then the process exits 0.
func TestBridgeProcessReloadAndDrain(t *testing.T) {
	const delay = 2 * time.Second
	bin := buildFlexroles(t)
	config, policyPath := demoBridgeConfig(t, "shutdown_delay: "+delay.String()+"\n")
	p := startBridge(t, bin, config)

	if code, body := p.get(t, "readyz"); code != http.StatusOK {
		t.Fatalf("readyz: HTTP %d %s", code, body)
	}
	original, err := os.ReadFile(policyPath)
	if err != nil {
		t.Fatal(err)
	}
	inForce := fileDigest(t, policyPath)
	if ok, failed, digest := p.policyMetrics(t); ok != 0 || failed != 0 || digest != inForce {
		t.Fatalf("at start: ok %d, failed %d, digest %q; want 0, 0, %s", ok, failed, digest, inForce)
	}

	replaceFile(t, policyPath, strings.Replace(string(original), "version: 1", "version: 1\nsso_typo: {}", 1))
	p.signal(t, syscall.SIGHUP)
	until(t, "a failed reload counted", func() bool { _, failed, _ := p.policyMetrics(t); return failed == 1 })
	if ok, _, digest := p.policyMetrics(t); ok != 0 || digest != inForce {
		t.Errorf("after a broken policy: ok %d, digest %s; want 0 and the policy in force %s", ok, digest, inForce)
	}
	if !strings.Contains(p.log(), "policy reload failed") || !strings.Contains(p.log(), "sso_typo") {
		t.Errorf("the failed reload is not logged with its problem:\n%s", p.log())
	}

	replaceFile(t, policyPath, string(original)+"# reviewed\n")
	next := fileDigest(t, policyPath)
	p.signal(t, syscall.SIGHUP)
	until(t, "a good reload put in force", func() bool { ok, _, digest := p.policyMetrics(t); return ok == 1 && digest == next })

	p.signal(t, syscall.SIGTERM)
	stopped := time.Now()
	until(t, "readyz answering 503 after SIGTERM", func() bool { code, _ := p.get(t, "readyz"); return code == http.StatusServiceUnavailable })
	if code, _ := p.get(t, "healthz"); code != http.StatusOK {
		t.Errorf("healthz while draining: HTTP %d, want 200", code)
	}
	select {
	case <-p.exited:
	case <-time.After(delay + 15*time.Second):
		t.Fatalf("the bridge did not exit\n%s", p.log())
	}
	if waited := time.Since(stopped); waited < delay {
		t.Errorf("exited %v after SIGTERM, before shutdown_delay %v", waited, delay)
	}
	if p.err != nil {
		t.Errorf("exit: %v, want status 0\n%s", p.err, p.log())
	}
	if !strings.Contains(p.log(), `"msg":"draining`) {
		t.Errorf("the drain is not logged:\n%s", p.log())
	}
}
