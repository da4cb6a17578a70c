package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"golang.org/x/mod/modfile"
)

// pin sets the sibling requires of every module to their versions at rev
// and tidies every module against the proxy (see the package doc).
func pin(r *repo, p *proxy, rev string) error {
	commit, err := r.git("rev-parse", "--verify", rev+"^{commit}")
	if err != nil {
		return err
	}
	versions := map[string]string{}
	for _, m := range r.modules {
		if versions[m.path], err = r.versionAt(m, commit); err != nil {
			return err
		}
	}
	// A module whose go.mod at the commit requires a version the history
	// does not back (a commit since rewritten, say) cannot be pinned there:
	// an outsider's go command would fail on it. Pin what can be pinned,
	// and say how to go on.
	required, err := r.workReplaces()
	if err != nil {
		return err
	}
	var blocked []string
	for i, m := range r.modules {
		if !slices.ContainsFunc(required, func(rep *modfile.Replace) bool { return rep.Old.Path == m.path }) {
			continue // no go.mod requires it
		}
		trial, err := newProxy(r, filepath.Join(p.tmp, fmt.Sprintf("trial%d", i)))
		if err != nil {
			return err
		}
		if err := trial.history(m, versions[m.path], "pin"); err != nil {
			fmt.Printf("cannot pin %s to %s: %v\n", m.path, versions[m.path], err)
			delete(versions, m.path)
			blocked = append(blocked, m.path)
		}
	}
	if len(blocked) > 0 {
		if err := setRequires(r, p, versions, false); err != nil {
			return err
		}
		return fmt.Errorf("pinned only the modules whose go.mod files at %s require backed versions, go.sum files not updated; "+
			"commit this, then run scripts/pin-siblings again to pin every module to that commit", commit[:12])
	}
	return setRequires(r, p, versions, true)
}

// require sets every require of the sibling module path to version and
// tidies every module against the proxy.
func require(r *repo, p *proxy, path, version string) error {
	m, ok := r.module(path)
	if !ok {
		return fmt.Errorf("%s is not a module of go.work", path)
	}
	if _, err := r.resolve(m, version); err != nil {
		return err
	}
	return setRequires(r, p, map[string]string{path: version}, true)
}

// setRequires sets the requires of the sibling modules in versions (module
// path → version) in every go.mod that requires them, drops the replaces
// of those modules, sets go.work's replaces, and tidies every module
// against the proxy; with tidy false, it only writes the go.mod files.
func setRequires(r *repo, p *proxy, versions map[string]string, tidy bool) error {
	for _, m := range r.modules {
		name := filepath.Join(r.root, filepath.FromSlash(filepathJoinSlash(m.dir, "go.mod")))
		data, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		f, err := modfile.Parse(name, data, nil)
		if err != nil {
			return err
		}
		for _, req := range f.Require {
			if v, ok := versions[req.Mod.Path]; ok && req.Mod.Version != v {
				if err := f.AddRequire(req.Mod.Path, v); err != nil {
					return err
				}
				fmt.Printf("%s: %s %s\n", filepathJoinSlash(m.dir, "go.mod"), req.Mod.Path, v)
			}
		}
		for _, rep := range f.Replace {
			if _, ok := versions[rep.Old.Path]; ok {
				if err := f.DropReplace(rep.Old.Path, rep.Old.Version); err != nil {
					return err
				}
			}
		}
		f.Cleanup()
		out, err := f.Format()
		if err != nil {
			return err
		}
		if err := os.WriteFile(name, out, 0o644); err != nil {
			return err
		}
	}
	if !tidy {
		return nil
	}
	if err := p.requireSiblings(); err != nil {
		return err
	}
	if _, err := r.syncWork(true); err != nil {
		return err
	}
	env, err := newGoEnv(p, "")
	if err != nil {
		return err
	}
	for _, m := range r.modules {
		if _, err := env.run(filepath.Join(r.root, filepath.FromSlash(m.dir)), "mod", "tidy"); err != nil {
			return err
		}
	}
	return nil
}
