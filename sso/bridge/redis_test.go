package bridge

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisServer is Debian's redis-server as a child process on a free
// loopback port, its data in a temporary directory, in an append-only file
// synced every second (as a deployment would; "--appendfsync always" in
// args syncs it before every answer, so that everything it accepted
// survives a kill and a start on the same port).
type redisServer struct {
	tb   testing.TB
	bin  string
	port string
	dir  string
	args []string // beyond the port, address and files
	cmd  *exec.Cmd
	done chan struct{} // closed when the running server has exited
}

// startRedis starts a redis-server with args, stopped by PID when the test
// ends. Without the binary the test is skipped, except under CI=true, where
// .ci/run installs it and its absence fails.
func startRedis(tb testing.TB, args ...string) *redisServer {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatal("redis-server is not installed; .ci/run installs Debian's redis-server package")
		}
		tb.Skip("redis-server is not installed (Debian: apt-get install redis-server): the shared store is not tested")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	_ = ln.Close()
	s := &redisServer{tb: tb, bin: bin, port: port, dir: tb.TempDir(), args: args}
	s.start()
	tb.Cleanup(s.stop)
	return s
}

// url is the store.url of this server.
func (s *redisServer) url() string { return "redis://127.0.0.1:" + s.port + "/0" }

// start runs the server and waits until it answers PING.
func (s *redisServer) start() {
	s.tb.Helper()
	log, err := os.Create(filepath.Join(s.dir, "redis.log"))
	if err != nil {
		s.tb.Fatal(err)
	}
	defer log.Close()
	s.cmd = exec.Command(s.bin, append([]string{
		"--port", s.port, "--bind", "127.0.0.1", "--dir", s.dir, "--daemonize", "no",
		"--save", "", "--appendonly", "yes", "--appendfsync", "everysec",
	}, s.args...)...)
	s.cmd.Stdout, s.cmd.Stderr = log, log
	if err := s.cmd.Start(); err != nil {
		s.tb.Fatal(err)
	}
	exited := make(chan struct{})
	s.done = exited
	go func() { _ = s.cmd.Wait(); close(exited) }()
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + s.port, MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	defer c.Close()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		select {
		case <-exited:
			out, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
			s.tb.Fatalf("redis-server exited:\n%s", out)
		default:
		}
		if err := c.Ping(context.Background()).Err(); err == nil || strings.HasPrefix(err.Error(), "NOAUTH ") {
			return
		}
	}
	s.tb.Fatalf("redis-server on port %s did not answer within 10s", s.port)
}

// stop kills the server by its PID (SIGKILL, a crash: what it accepted is
// in its append-only file) and waits until it has exited.
func (s *redisServer) stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill() // SIGKILL to its PID
	<-s.done
	s.cmd = nil
}

// client is a go-redis client of this server, for the test to read keys.
func (s *redisServer) client(password string) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + s.port, Password: password, MaxRetries: -1})
	s.tb.Cleanup(func() { _ = c.Close() })
	return c
}
