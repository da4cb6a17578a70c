package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// repo is the git checkout of the project and the modules of its go.work.
type repo struct {
	root    string   // absolute path of the work tree
	modules []modDir // the modules go.work uses, in its order
}

// modDir is one module of the repository.
type modDir struct {
	path string // module path, github.com/flexroles/flexroles/sso
	dir  string // directory from the repository root, slash-separated: "" for the root, "sso"
}

// tagPrefix is what the module's release tags start with: "" for the root
// module, "sso/" for sso (the tag sso/v1.2.0 is sso's v1.2.0).
func (m modDir) tagPrefix() string {
	if m.dir == "" {
		return ""
	}
	return m.dir + "/"
}

// openRepo reads the modules of the go.work at root.
func openRepo(root string) (*repo, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(root, "go.work"))
	if err != nil {
		return nil, err
	}
	wf, err := modfile.ParseWork("go.work", data, nil)
	if err != nil {
		return nil, err
	}
	r := &repo{root: root}
	for _, u := range wf.Use {
		dir := path.Clean(filepath.ToSlash(u.Path))
		if dir == "." {
			dir = ""
		}
		gomod, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(dir), "go.mod"))
		if err != nil {
			return nil, err
		}
		p := modfile.ModulePath(gomod)
		if p == "" {
			return nil, fmt.Errorf("%s: no module line", path.Join(dir, "go.mod"))
		}
		r.modules = append(r.modules, modDir{path: p, dir: dir})
	}
	return r, nil
}

// module returns the repository's module of path p.
func (r *repo) module(p string) (modDir, bool) {
	for _, m := range r.modules {
		if m.path == p {
			return m, true
		}
	}
	return modDir{}, false
}

// git runs git in the work tree and returns its standard output.
func (r *repo) git(args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"-C", r.root}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// commitTime returns the commit time of a commit, which a pseudo-version
// names (in UTC, to the second).
func (r *repo) commitTime(commit string) (time.Time, error) {
	out, err := r.git("show", "-s", "--format=%ct", commit)
	if err != nil {
		return time.Time{}, err
	}
	sec, err := strconv.ParseInt(out, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("commit time of %s: %v", commit, err)
	}
	return time.Unix(sec, 0).UTC(), nil
}

// inHistory reports whether commit is HEAD or one of its ancestors.
func (r *repo) isAncestor(ancestor, commit string) bool {
	_, err := r.git("merge-base", "--is-ancestor", ancestor, commit)
	return err == nil
}

// tagCommit returns the commit a tag names, or "" when there is no such tag.
func (r *repo) tagCommit(tag string) string {
	c, err := r.git("rev-parse", "--verify", "--quiet", "refs/tags/"+tag+"^{commit}")
	if err != nil {
		return ""
	}
	return c
}

// resolve returns the commit of the history that backs version of module
// m, as the go command checks it when it fetches from git: a release or
// pre-release tag (sso/v1.2.0 for sso's v1.2.0), or a pseudo-version whose
// time and revision are those of a commit, whose base version, if any, is
// a tag of one of that commit's ancestors. The commit must be HEAD or one of
// its ancestors: a commit of another branch is no release.
func (r *repo) resolve(m modDir, version string) (string, error) {
	if !semver.IsValid(version) || semver.Canonical(version) != version {
		return "", fmt.Errorf("%s %s: not a canonical semantic version", m.path, version)
	}
	var commit string
	if module.IsPseudoVersion(version) {
		rev, err := module.PseudoVersionRev(version)
		if err != nil {
			return "", err
		}
		commit, err = r.git("rev-parse", "--verify", "--quiet", rev+"^{commit}")
		if err != nil {
			hint := ""
			if shallow, _ := r.git("rev-parse", "--is-shallow-repository"); shallow == "true" {
				hint = " (this clone is shallow: git fetch --unshallow)"
			}
			return "", fmt.Errorf("%s %s: no commit %s in this repository%s", m.path, version, rev, hint)
		}
		at, err := r.commitTime(commit)
		if err != nil {
			return "", err
		}
		want, err := module.PseudoVersionTime(version)
		if err != nil {
			return "", err
		}
		if !want.Equal(at) {
			return "", fmt.Errorf("%s %s: commit %s was made at %s, not %s", m.path, version, rev,
				at.Format("20060102150405"), want.Format("20060102150405"))
		}
		base, err := module.PseudoVersionBase(version)
		if err != nil {
			return "", err
		}
		if base != "" {
			tag := m.tagPrefix() + base
			tc := r.tagCommit(tag)
			if tc == "" || !r.isAncestor(tc, commit) {
				return "", fmt.Errorf("%s %s: its base %s is not a tag (%s) of an ancestor of %s", m.path, version, base, tag, rev)
			}
		}
	} else {
		tag := m.tagPrefix() + version
		commit = r.tagCommit(tag)
		if commit == "" {
			return "", fmt.Errorf("%s %s: no tag %s in this repository", m.path, version, tag)
		}
	}
	if !r.isAncestor(commit, "HEAD") {
		return "", fmt.Errorf("%s %s: commit %s is not in the history of HEAD", m.path, version, commit[:12])
	}
	return commit, nil
}

// versionAt returns the version the go command gives module m at commit: its
// release tag when the commit has one, else the pseudo-version built on the
// highest tag of the module among the commit's ancestors (v0.0.0-… when
// there is none).
func (r *repo) versionAt(m modDir, commit string) (string, error) {
	out, err := r.git("tag", "--points-at", commit, "--list", m.tagPrefix()+"v*")
	if err != nil {
		return "", err
	}
	best := ""
	for _, t := range strings.Fields(out) {
		v := strings.TrimPrefix(t, m.tagPrefix())
		if semver.IsValid(v) && semver.Canonical(v) == v && semver.Major(v) <= "v1" && semver.Compare(v, best) > 0 {
			best = v
		}
	}
	if best != "" {
		return best, nil
	}
	out, err = r.git("tag", "--merged", commit, "--list", m.tagPrefix()+"v*")
	if err != nil {
		return "", err
	}
	for _, t := range strings.Fields(out) {
		v := strings.TrimPrefix(t, m.tagPrefix())
		if semver.IsValid(v) && semver.Canonical(v) == v && semver.Major(v) <= "v1" && semver.Compare(v, best) > 0 {
			best = v
		}
	}
	at, err := r.commitTime(commit)
	if err != nil {
		return "", err
	}
	return module.PseudoVersion("", best, at, commit[:12]), nil
}

// exportCommit writes the files of commit into dir as git archive exports
// them (line endings as committed, as the go command fetches a module).
func (r *repo) exportCommit(commit, dir string) error {
	cmd := exec.Command("git", "-C", r.root, "-c", "core.autocrlf=input", "-c", "core.eol=lf",
		"archive", "--format=tar", commit)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	tr := tar.NewReader(out)
	var werr error
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			werr = err
			break
		}
		if h.Typeflag != tar.TypeReg {
			continue // directories are made below; links are no part of a module
		}
		if werr = writeFile(dir, h.Name, tr); werr != nil {
			break
		}
	}
	_, _ = io.Copy(io.Discard, out)
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("git archive %s: %v: %s", commit, err, strings.TrimSpace(stderr.String()))
	}
	return werr
}

// exportWorkTree writes into dir the files git tracks, as they are in the
// work tree (edits included, untracked and ignored files left out). A
// tracked file deleted from the work tree is left out too.
func (r *repo) exportWorkTree(dir string) error {
	out, err := r.git("ls-files", "-z", "--cached")
	if err != nil {
		return err
	}
	for _, name := range strings.Split(out, "\x00") {
		if name == "" {
			continue
		}
		src := filepath.Join(r.root, filepath.FromSlash(name))
		info, err := os.Lstat(src)
		if errors.Is(err, os.ErrNotExist) || err == nil && !info.Mode().IsRegular() {
			continue
		}
		if err != nil {
			return err
		}
		f, err := os.Open(src)
		if err != nil {
			return err
		}
		err = writeFile(dir, name, f)
		_ = f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// writeFile writes the slash-separated name below dir with the contents of
// src, making its directories.
func writeFile(dir, name string, src io.Reader) error {
	clean := path.Clean(name)
	if path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
		return fmt.Errorf("file %q outside the tree", name)
	}
	dst := filepath.Join(dir, filepath.FromSlash(clean))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, src); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
