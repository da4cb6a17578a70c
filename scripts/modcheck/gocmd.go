package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// goEnv is the environment of the go commands run against the proxy.
type goEnv struct {
	vars []string // KEY=VALUE, added to (and overriding) the process environment
}

// newGoEnv returns the environment of a module build outside the workspace
// (GOWORK=off) that takes the repository's modules from the proxy p, and
// every other module from the machine's module cache, then the proxies of
// GOPROXY ("direct" left out: a module of this repository that the proxy
// lacks must fail, not be fetched from its origin). The repository's
// modules are not in the checksum database: their sums are those of
// go.sum. gopath, when not empty, is a fresh GOPATH and module cache.
func newGoEnv(p *proxy, gopath string) (goEnv, error) {
	out, err := exec.Command("go", "env", "GOPROXY", "GOMODCACHE", "GONOSUMDB").Output()
	if err != nil {
		return goEnv{}, fmt.Errorf("go env: %v", err)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	for len(lines) < 3 {
		lines = append(lines, "")
	}
	chain := []string{p.url()}
	if lines[1] != "" {
		chain = append(chain, "file://"+filepath.ToSlash(filepath.Join(lines[1], "cache", "download")))
	}
	for _, e := range strings.FieldsFunc(lines[0], func(r rune) bool { return r == ',' || r == '|' }) {
		if e != "direct" && e != "off" {
			chain = append(chain, e)
		}
	}
	nosum := "github.com/flexroles/flexroles"
	if lines[2] != "" {
		nosum = lines[2] + "," + nosum
	}
	vars := []string{
		"GOWORK=off",
		"GOPROXY=" + strings.Join(chain, ","),
		"GONOSUMDB=" + nosum,
	}
	if gopath != "" {
		vars = append(vars, "GOPATH="+gopath, "GOMODCACHE="+filepath.Join(gopath, "pkg", "mod"), "GOBIN=")
	}
	return goEnv{vars: vars}, nil
}

// run runs the go command with args in dir and returns its combined output;
// the error holds the output.
func (e goEnv) run(dir string, args ...string) (string, error) {
	return e.exec(dir, "go", args...)
}

// exec runs the program name with args in dir under the environment.
func (e goEnv) exec(dir, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), e.vars...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%s %s (in %s): %v\n%s", name, strings.Join(args, " "), dir, err, out.String())
	}
	return out.String(), nil
}
