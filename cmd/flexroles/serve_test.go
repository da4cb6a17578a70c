package main

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/flexroles/flexroles/cmd/flexroles/internal/playground"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServeAllowHost checks how --allow-host is read.
func TestServeAllowHost(t *testing.T) {
	assert.Equal(t, []string{"a.example", "b.example"}, splitHosts(" A.example,, b.example "))
}

// TestServeListen checks that serve tells loopback from other addresses,
// the address it prints, and the server's timeouts.
func TestServeListen(t *testing.T) {
	var stderr bytes.Buffer
	ln, loopback, err := listen("127.0.0.1:0", &stderr)
	require.NoError(t, err)
	require.NoError(t, ln.Close())
	assert.True(t, loopback)
	assert.Empty(t, stderr.String())

	ln, loopback, err = listen("0.0.0.0:0", &stderr)
	require.NoError(t, err)
	require.NoError(t, ln.Close())
	assert.False(t, loopback)
	assert.Contains(t, stderr.String(), "not loopback: anyone who can reach it can use the playground", "a warning when the playground is open to the network")

	assert.Equal(t, "http://localhost:8080/", playgroundURL(&net.TCPAddr{IP: net.IPv6unspecified, Port: 8080}), "[::] is no address to open")
	assert.Equal(t, "http://127.0.0.1:8080/", playgroundURL(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}))

	srv := newServer(http.NotFoundHandler())
	assert.NotZero(t, srv.ReadHeaderTimeout)
	assert.NotZero(t, srv.ReadTimeout)
	assert.NotZero(t, srv.WriteTimeout)
	assert.NotZero(t, srv.IdleTimeout)
}

func TestServeUsage(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.yaml")
	require.NoError(t, os.WriteFile(big, []byte("# "+strings.Repeat("x", 800<<10)+"\nversion: 1\n"), 0o600))
	for _, tt := range []struct {
		args       []string
		wantStderr string
	}{
		{[]string{"serve", "extra"}, `serve: unexpected argument "extra"`},
		{[]string{"serve", "--policy", "nope.yaml"}, "serve: --policy open nope.yaml: no such file"},
		{[]string{"serve", "--policy", big}, "larger than " + strconv.Itoa(playground.MaxStartPolicy>>10) + " KiB"},
		{[]string{"serve", "--addr", "127.0.0.1:notaport"}, "flexroles: serve: listen tcp"},
		{[]string{"serve", "--bogus"}, "flag provided but not defined: -bogus"},
	} {
		code, _, stderr := cli(tt.args...)
		assert.Equal(t, exitUsage, code, tt.args)
		assert.Contains(t, stderr, tt.wantStderr, tt.args)
	}
	code, stdout, _ := cli("serve", "-h")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "flexroles serve [--addr HOST:PORT] [--allow-host NAME,...] [--policy POLICY]")
	assert.Contains(t, stdout, "at most "+strconv.Itoa(playground.MaxStartPolicy>>10)+" KiB\n", "issue 18: serve -h states the limit StartPolicy applies")
	assert.NotContains(t, stdout, "MiB", "the request's limit is not the policy's")
}
