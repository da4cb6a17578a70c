// Modcheck checks the modules of this repository as they are published:
// each module built alone, its sibling modules taken at the versions its
// go.mod requires, as the go command of an outsider fetches them. It lays
// out a file-system module proxy (GOPROXY=file://…) of the repository:
// every sibling version a go.mod requires, and those their go.mod files
// require in turn, built with golang.org/x/mod/zip from the commit of the
// history that backs the version: a tag (sso/v1.2.0 for sso's v1.2.0) or a
// pseudo-version whose time and revision are a commit's, as the go command
// checks them. A required version no tag or commit of HEAD's history backs,
// or a replace of a sibling, is an error naming the go.mod.
//
// Usage:
//
//	modcheck [-repo DIR] tidy
//	modcheck [-repo DIR] [-version V] outsider
//	modcheck [-repo DIR] pin [COMMIT]
//	modcheck [-repo DIR] require MODULE VERSION
//
// tidy runs "go mod tidy -diff" in every module of go.work, outside the
// workspace (GOWORK=off), against the proxy: a go.mod or go.sum that is not
// tidy fails. It also checks that go.work replaces each sibling version a
// go.mod requires by the sibling's directory: in workspace mode the go
// command still reads the go.mod of every required version, and would fetch
// it from the public proxy.
//
// outsider also lays out every module at the test version V
// (v0.0.0-outsider by default) from the files git tracks in the work tree,
// and then, with a fresh GOPATH and module cache and outside any module:
//
//  1. go install github.com/flexroles/flexroles/cmd/flexroles@latest, then
//     runs "flexroles version", which must print V, and "flexroles test
//     examples/policy.yaml", which must pass;
//  2. in a new module, go get github.com/flexroles/flexroles/sso/bridge@latest,
//     which must require sso at V, and builds a program that mounts the
//     bridge; the modules its go mod tidy requires must be the README's list;
//  3. in a new module, go get github.com/flexroles/flexroles, which must
//     require it at V, and builds a program calling Resolve; its module graph
//     (go list -m all) may hold gopkg.in/yaml.v3, testify and what those
//     require, nothing else.
//
// These are the README's commands as written: the proxy lists V alone for
// each module, so @latest is V; the versions the go.mod files require are
// served when asked for by name.
//
// Modules other than this repository's come from the machine's module
// cache, then from GOPROXY (without "direct"); the build cache is shared.
//
// pin sets every sibling require of every module to the version of COMMIT
// (HEAD by default): its tag, or its pseudo-version, and updates the go.sum
// files (go mod tidy against the proxy) and go.work's replaces. COMMIT must hold the sibling code
// the modules use, and its go.mod files must themselves require versions
// the history backs.
//
// require sets every require of the sibling MODULE to VERSION, which a tag
// or commit of the history must back, and updates the go.sum files and
// go.work's replaces; the
// release procedure (scripts/release) runs it between its tags.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "modcheck:", err)
		os.Exit(1)
	}
}

// run runs the command line args.
func run(args []string) error {
	fs := flag.NewFlagSet("modcheck", flag.ContinueOnError)
	root := fs.String("repo", ".", "the repository's work tree")
	version := fs.String("version", "v0.0.0-outsider", "the version outsider gives the work tree's modules")
	keep := fs.Bool("keep", false, "keep the temporary directory (the proxy, the GOPATH) and print its path")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("usage: modcheck [-repo DIR] tidy | outsider | pin [COMMIT] | require MODULE VERSION")
	}
	r, err := openRepo(*root)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "modcheck-")
	if err != nil {
		return err
	}
	defer func() {
		if *keep {
			fmt.Println("kept", tmp)
			return
		}
		removeAll(tmp)
	}()
	p, err := newProxy(r, tmp)
	if err != nil {
		return err
	}
	switch cmd, rest := fs.Arg(0), fs.Args()[1:]; {
	case cmd == "tidy" && len(rest) == 0:
		return tidy(r, p)
	case cmd == "outsider" && len(rest) == 0:
		return outsider(r, p, *version, tmp)
	case cmd == "pin" && len(rest) <= 1:
		commit := "HEAD"
		if len(rest) == 1 {
			commit = rest[0]
		}
		return pin(r, p, commit)
	case cmd == "require" && len(rest) == 2:
		return require(r, p, rest[0], rest[1])
	default:
		return fmt.Errorf("usage: modcheck [-repo DIR] tidy | outsider | pin [COMMIT] | require MODULE VERSION")
	}
}

// tidy runs go mod tidy -diff in every module against the proxy, and
// checks go.work's replaces.
func tidy(r *repo, p *proxy) error {
	if err := p.requireSiblings(); err != nil {
		return err
	}
	if differs, err := r.syncWork(false); err != nil {
		return err
	} else if differs {
		want, err := r.workReplaces()
		if err != nil {
			return err
		}
		var lines []string
		for _, rep := range want {
			lines = append(lines, "replace "+rep.Old.Path+" "+rep.Old.Version+" => "+rep.New.Path)
		}
		return fmt.Errorf("go.work must replace exactly the sibling versions the go.mod files require by the siblings' directories, "+
			"so that a clone builds without fetching this repository's modules (scripts/pin-siblings writes them):\n\t%s", strings.Join(lines, "\n\t"))
	}
	env, err := newGoEnv(p, "")
	if err != nil {
		return err
	}
	var failed []string
	for _, m := range r.modules {
		dir := filepath.Join(r.root, filepath.FromSlash(m.dir))
		if out, err := env.run(dir, "mod", "tidy", "-diff"); err != nil {
			fmt.Print(out)
			failed = append(failed, "./"+m.dir)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("go.mod or go.sum not tidy in %s (run scripts/pin-siblings, or go mod tidy there with the proxy's environment)", strings.Join(failed, ", "))
	}
	return nil
}

// removeAll removes dir, module cache included (its files are read-only).
func removeAll(dir string) {
	_ = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && info.IsDir() {
			_ = os.Chmod(p, 0o755)
		}
		return nil
	})
	_ = os.RemoveAll(dir)
}
