package bridge

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"
)

// Timeouts of the bridge's server: every phase of a request is bounded.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 15 * time.Second
	writeTimeout      = 15 * time.Second
	idleTimeout       = 60 * time.Second
	shutdownTimeout   = 10 * time.Second
	maxHeaderBytes    = 64 << 10
)

// NewServer returns a server for handler (the bridge, or a mux that mounts
// it) with the bounds of the bridge's own: 5 seconds to read a request's
// header and 15 to read all of it, 15 to write the answer, 60 for an idle
// connection, 64 KiB of header. Its own errors (a TLS handshake, a
// connection that fails) go to log at warning level; nil discards them.
func NewServer(handler http.Handler, log *slog.Logger) *http.Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// Serve loads everything cfg names, listens on cfg.Listen and serves the
// bridge until ctx ends, then drains as (*Bridge).Serve does; it starts
// only when every part loads. With a Redis store it sends the Redis
// client's own log lines, which go to the process's standard error
// otherwise, to log at debug level: a setting of the whole process, which
// New leaves alone.
func Serve(ctx context.Context, cfg Config, log *slog.Logger) error {
	if u, err := parseStoreURL(cfg.Store.URL); err == nil && u != nil && log != nil {
		redis.SetLogger(libraryLog{log}) // before New, whose first PING may fail to dial
	}
	b, err := New(ctx, cfg, log)
	if err != nil {
		return err
	}
	return b.ListenAndServe(ctx)
}

// ListenAndServe listens on the configuration's listen address and serves
// the bridge there, as Serve does, and closes the bridge's store and
// decision log when it returns. With a Redis store it sends the Redis client's own log lines to
// the bridge's log at debug level, as Serve does.
func (b *Bridge) ListenAndServe(ctx context.Context) error {
	defer func() { _ = b.Close() }()
	if _, ok := b.replay.(*redisStore); ok {
		redis.SetLogger(libraryLog{b.log})
	}
	ln, err := net.Listen("tcp", b.cfg.Listen)
	if err != nil {
		return errors.New("flexroles: listen: " + err.Error())
	}
	return b.Serve(ctx, ln)
}

// Serve serves the bridge on ln until ctx ends, keeping the metadata and,
// with policy_reload, the policy current (Refresh). When ctx ends it
// drains: readyz answers 503 at once while every endpoint goes on serving
// for shutdown_delay (5 seconds by default), so that a load balancer
// polling readyz stops sending logins while the listener still accepts
// them; then the listener closes, requests under way get up to 10 seconds
// to finish, and Serve returns nil.
func (b *Bridge) Serve(ctx context.Context, ln net.Listener) error {
	srv := NewServer(b, b.log)
	refresh, stop := context.WithCancel(ctx)
	defer stop()
	go b.Refresh(refresh)
	b.log.Info("bridge listening", "addr", ln.Addr().String(), "sso", b.paths.sso.String(), "acs", b.paths.acs.String(), "policy", b.policyInForce().Digest())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	b.SetReady(false)
	b.log.Info("draining: readyz answers 503; serving on for shutdown_delay, then requests under way get their grace period",
		"shutdown_delay", b.cfg.ShutdownDelay.String(), "grace", shutdownTimeout.String())
	delay := time.NewTimer(b.cfg.ShutdownDelay)
	defer delay.Stop()
	select {
	case err := <-errc:
		return err
	case <-delay.C:
	}
	down, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(down); err != nil {
		return errors.New("flexroles: shutdown: " + err.Error())
	}
	b.log.Info("bridge stopped")
	return nil
}
