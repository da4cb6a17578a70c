package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/flexroles/flexroles/cmd/flexroles/internal/playground"
	"github.com/flexroles/flexroles/sso/assertion"
)

// serveUsage is the usage of the serve command, printed by serve -h.
var serveUsage = `usage:
  flexroles serve [--addr HOST:PORT] [--allow-host NAME,...] [--policy POLICY]
                  [--idp-metadata FILE]

Serves the playground, a local web page to try a role policy: edit the
policy (YAML, checked as you type, problems pinned to their lines), enter a
login (Console roles, SSO attributes, or a pasted SAMLResponse) and see the
roles, the Insights capabilities, the Flex pages they open and the reasons;
a second tab shows every rule, and every user of an IdP export you load,
against the roles and capabilities it yields.

The page works offline: no external assets, nothing written to disk. Its
JSON API, POST /api/validate, /api/resolve and /api/matrix, runs the
library's LoadPolicy and Resolve, as every other command does.

  --addr        where to listen (default 127.0.0.1:8080; port 0 picks a
                free one). The playground has no authentication: an
                address other than loopback shows it to the network, with
                a warning.
  --allow-host  host names besides localhost and IP addresses that the
                playground answers for, comma-separated, such as the
                machine's name when --addr is not loopback. Any other
                name is refused, so that a web page elsewhere cannot reach
                the playground through DNS rebinding.
  --policy      the policy to start with (default: the example policy,
                examples/policy.yaml); it is read once and never written,
                and must fit in a request: at most ` + strconv.Itoa(playground.MaxStartPolicy>>10) + ` KiB
  --idp-metadata  verify a pasted SAMLResponse against this IdP metadata,
                as flexroles saml does, and read the login only from what
                its signature covers; a response that fails verification
                (signature, issuer, status, validity times) is refused
                with the reason. Without it a pasted response is read as
                it stands, unverified

The address is printed on stdout when the server is ready. Ctrl-C stops it.

Exit status: 0 after Ctrl-C, 2 bad usage, a policy file that cannot be
read, or an address that cannot be listened on.
`

// Limits of the playground's server.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 15 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 60 * time.Second
)

// runServe runs "flexroles serve" with the arguments after the command name
// and returns the exit status.
func runServe(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var addr, policyPath, allowHosts, metadataPath string
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.StringVar(&addr, "addr", "127.0.0.1:8080", "where to listen")
	fs.StringVar(&allowHosts, "allow-host", "", "host names to answer for besides localhost and IP addresses")
	fs.StringVar(&policyPath, "policy", "", "the policy to start with")
	fs.StringVar(&metadataPath, "idp-metadata", "", "verify pasted SAMLResponses against this IdP metadata")
	if code, done := parseCommand(fs, args, serveUsage, stdout, stderr); done {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "serve: unexpected argument %q", fs.Arg(0))
	}
	if msg := oneStdin("serve", pathArg{"--policy", policyPath}, pathArg{"--idp-metadata", metadataPath}); msg != "" {
		return usageError(stderr, "%s", msg)
	}
	var start string
	var err error
	if policyPath == stdinArg {
		start, err = playground.StartPolicyFrom(stdin, stdinName)
	} else {
		start, err = playground.StartPolicy(policyPath)
	}
	if err != nil {
		fmt.Fprintf(stderr, "flexroles: serve: --policy %v\n", err)
		return exitUsage
	}
	var md *assertion.Metadata
	if metadataPath != "" {
		data, err := readArg(metadataPath, stdin, assertion.MaxMetadataSize)
		if err == nil {
			md, err = assertion.ParseMetadata(data)
		}
		if err != nil {
			fmt.Fprintf(stderr, "flexroles: serve: --idp-metadata %s: %v\n", metadataPath, err)
			return exitUsage
		}
	}
	ln, loopback, err := listen(addr, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "flexroles: serve: %v\n", err)
		return exitUsage
	}
	h, err := playground.New(start, loopback, splitHosts(allowHosts), md)
	if err != nil {
		_ = ln.Close()
		fmt.Fprintf(stderr, "flexroles: serve: %v\n", err)
		return exitUsage
	}
	srv := newServer(h)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "flexroles playground: %s (Ctrl-C to stop)\n", playgroundURL(ln.Addr()))
	select {
	case err := <-done:
		fmt.Fprintf(stderr, "flexroles: serve: %v\n", err)
		return exitUsage
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
	return exitOK
}

// newServer returns the playground's server: h behind timeouts on every
// phase of a request, so that a slow client cannot hold it.
func newServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10,
	}
}

// listen listens on addr and reports whether that is loopback only; when
// it is not, it warns on stderr.
func listen(addr string, stderr io.Writer) (net.Listener, bool, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, false, err
	}
	loopback := isLoopback(ln.Addr())
	if !loopback {
		fmt.Fprintf(stderr, "flexroles: serve: warning: listening on %s, not loopback: anyone who can reach it can use the playground and read the policy it starts with\n", ln.Addr())
	}
	return ln, loopback, nil
}

// playgroundURL is the address to open for a listener: localhost's when it
// listens on every interface, whose address is no place to go to.
func playgroundURL(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if ok && tcp.IP.IsUnspecified() {
		return "http://localhost:" + strconv.Itoa(tcp.Port) + "/"
	}
	return "http://" + a.String() + "/"
}

// splitHosts reads --allow-host: names separated by commas, in lower case.
func splitHosts(s string) []string {
	var out []string
	for _, h := range strings.Split(s, ",") {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			out = append(out, h)
		}
	}
	return out
}

// isLoopback reports whether a listener's address is on the loopback
// interface only.
func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}
