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

// Serve loads everything cfg names, listens on cfg.Listen and serves the
// bridge until ctx ends; it starts only when every part loads. It closes
// the bridge's store when it returns. With a Redis store it sends the
// Redis client's own log lines, which go to the process's standard error
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
	defer func() { _ = b.Close() }()
	ln, err := net.Listen("tcp", b.cfg.Listen)
	if err != nil {
		return errors.New("flexroles: listen: " + err.Error())
	}
	return b.Serve(ctx, ln)
}

// Serve serves the bridge on ln until ctx ends, refreshing URL metadata on
// its schedule. Then readyz answers 503, requests under way get up to 10
// seconds to finish, and Serve returns nil.
func (b *Bridge) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           b,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(b.log.Handler(), slog.LevelWarn),
	}
	refresh, stop := context.WithCancel(ctx)
	defer stop()
	go b.Refresh(refresh)
	b.log.Info("bridge listening", "addr", ln.Addr().String(), "sso", b.paths.sso.String(), "acs", b.paths.acs.String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	b.SetReady(false)
	down, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(down); err != nil {
		return errors.New("flexroles: shutdown: " + err.Error())
	}
	return nil
}
