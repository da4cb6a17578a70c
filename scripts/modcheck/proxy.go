package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

// proxy is a file-system module proxy (GOPROXY=file://DIR) of the
// repository's modules: each sibling module at the versions the go.mod
// files require, from the commit of the history that backs the version, and
// optionally every module at a test version, from the work tree.
type proxy struct {
	repo *repo
	dir  string // the proxy, laid out as $GOMODCACHE/cache/download
	tmp  string // trees exported from git

	trees  map[string]string           // commit (or "work") → exported tree
	served map[module.Version]string   // what the proxy holds → where the version came from
	from   map[module.Version][]string // who requires it, for messages
}

// newProxy starts an empty proxy below tmp.
func newProxy(r *repo, tmp string) (*proxy, error) {
	p := &proxy{
		repo: r, dir: filepath.Join(tmp, "proxy"), tmp: tmp,
		trees: map[string]string{}, served: map[module.Version]string{}, from: map[module.Version][]string{},
	}
	return p, os.MkdirAll(p.dir, 0o755)
}

// url is the proxy's GOPROXY entry.
func (p *proxy) url() string { return "file://" + filepath.ToSlash(p.dir) }

// tree returns the directory holding the files of commit ("work" for the
// work tree's tracked files), exporting it the first time. A module below
// the root without a LICENSE gets the root's, as the go command gives it
// when it fetches a module from a subdirectory of a repository.
func (p *proxy) tree(commit string) (string, error) {
	if d, ok := p.trees[commit]; ok {
		return d, nil
	}
	d := filepath.Join(p.tmp, "tree-"+commit)
	if err := os.MkdirAll(d, 0o755); err != nil {
		return "", err
	}
	var err error
	if commit == "work" {
		err = p.repo.exportWorkTree(d)
	} else {
		err = p.repo.exportCommit(commit, d)
	}
	if err != nil {
		return "", err
	}
	p.trees[commit] = d
	return d, nil
}

// requireSiblings lays out, for every module of the repository, the sibling
// versions its go.mod requires, and those their go.mod files require in
// turn, each from the commit that backs it. A version no tag or commit of
// HEAD's history backs is an error that names the go.mod requiring it.
func (p *proxy) requireSiblings() error {
	for _, m := range p.repo.modules {
		name := filepathJoinSlash(m.dir, "go.mod")
		data, err := os.ReadFile(filepath.Join(p.repo.root, filepath.FromSlash(name)))
		if err != nil {
			return err
		}
		if err := p.requiresOf(name, data, true); err != nil {
			return err
		}
	}
	return nil
}

// requiresOf lays out the sibling versions the go.mod data (named name in
// messages) requires. A go.mod of the checkout (checkout true) must not
// replace a sibling: the go command refuses to install a module whose go.mod
// replaces, and ignores the replace in a dependency. A go.mod of the history
// is read as the go command reads a dependency's, its replaces ignored.
func (p *proxy) requiresOf(name string, data []byte, checkout bool) error {
	parse := modfile.ParseLax
	if checkout {
		parse = modfile.Parse
	}
	f, err := parse(name, data, nil)
	if err != nil {
		return err
	}
	for _, r := range f.Replace {
		if _, ok := p.repo.module(r.Old.Path); ok {
			return fmt.Errorf("%s replaces %s: a published go.mod holds no replace of a sibling module (go.work serves development)", name, r.Old.Path)
		}
	}
	for _, req := range f.Require {
		m, ok := p.repo.module(req.Mod.Path)
		if !ok {
			continue
		}
		if err := p.history(m, req.Mod.Version, name); err != nil {
			return err
		}
	}
	return nil
}

// history lays out module m at version from the commit that backs it, and
// what its go.mod there requires.
func (p *proxy) history(m modDir, version, requiredBy string) error {
	mv := module.Version{Path: m.path, Version: version}
	p.from[mv] = append(p.from[mv], requiredBy)
	if _, ok := p.served[mv]; ok {
		return nil
	}
	commit, err := p.repo.resolve(m, version)
	if err != nil {
		return fmt.Errorf("%s requires %s %s, which no tag or commit of this repository backs: %w", requiredBy, m.path, version, err)
	}
	at, err := p.repo.commitTime(commit)
	if err != nil {
		return err
	}
	tree, err := p.tree(commit)
	if err != nil {
		return err
	}
	if err := p.add(m, version, tree, at, commit[:12], false); err != nil {
		return fmt.Errorf("%s requires %s %s: %w", requiredBy, m.path, version, err)
	}
	data, err := os.ReadFile(filepath.Join(tree, filepath.FromSlash(filepathJoinSlash(m.dir, "go.mod"))))
	if err != nil {
		return err
	}
	return p.requiresOf(filepathJoinSlash(m.dir, "go.mod")+" at "+version, data, false)
}

// workTree lays out every module of the repository at version, from the
// tracked files of the work tree.
func (p *proxy) workTree(version string) error {
	tree, err := p.tree("work")
	if err != nil {
		return err
	}
	for _, m := range p.repo.modules {
		if err := p.add(m, version, tree, time.Now().UTC().Truncate(time.Second), "the work tree", true); err != nil {
			return err
		}
	}
	return nil
}

// add writes module m at version into the proxy from its directory in tree:
// the zip (nested modules left out, as the go command leaves them out), the
// go.mod and the .info with time t; when listed, the version is the one
// the module's list names. A version not listed is served when asked for
// by name, as a go.mod requires it.
func (p *proxy) add(m modDir, version, tree string, t time.Time, source string, listed bool) error {
	mv := module.Version{Path: m.path, Version: version}
	if s, ok := p.served[mv]; ok {
		return fmt.Errorf("%s %s is laid out twice (from %s and %s)", m.path, version, s, source)
	}
	src := filepath.Join(tree, filepath.FromSlash(m.dir))
	gomod, err := os.ReadFile(filepath.Join(src, "go.mod"))
	if err != nil {
		return fmt.Errorf("no module %s in %s: %w", m.path, source, err)
	}
	if got := modfile.ModulePath(gomod); got != m.path {
		return fmt.Errorf("%s/go.mod in %s declares module %q, not %s", m.dir, source, got, m.path)
	}
	if m.dir != "" {
		if _, err := os.Stat(filepath.Join(src, "LICENSE")); os.IsNotExist(err) {
			if lic, err := os.Open(filepath.Join(tree, "LICENSE")); err == nil {
				err = writeFile(src, "LICENSE", lic)
				_ = lic.Close()
				if err != nil {
					return err
				}
			}
		}
	}
	escPath, err := module.EscapePath(m.path)
	if err != nil {
		return err
	}
	escVersion, err := module.EscapeVersion(version)
	if err != nil {
		return err
	}
	dir := filepath.Join(p.dir, filepath.FromSlash(escPath), "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	z, err := os.Create(filepath.Join(dir, escVersion+".zip"))
	if err != nil {
		return err
	}
	if err := zip.CreateFromDir(z, mv, src); err != nil {
		_ = z.Close()
		return err
	}
	if err := z.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, escVersion+".mod"), gomod, 0o644); err != nil {
		return err
	}
	info, err := json.Marshal(struct {
		Version string
		Time    time.Time
	}{version, t})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, escVersion+".info"), info, 0o644); err != nil {
		return err
	}
	p.served[mv] = source
	if !listed {
		return nil
	}
	// The list names the versions @latest chooses from: only the test
	// version, so that the README's @latest commands install the work tree.
	return os.WriteFile(filepath.Join(dir, "list"), []byte(version+"\n"), 0o644)
}

// filepathJoinSlash joins a slash-separated directory ("" for the root) and
// a name.
func filepathJoinSlash(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}
