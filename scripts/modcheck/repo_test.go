package main

import (
	"archive/zip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/module"
)

// testRepo makes a git repository of a workspace with a root module and
// sso, with three commits on main (the second tagged v1.0.0 and
// sso/v1.0.0-rc.1) and one on another branch, and returns it with the
// commits: c1, c2, c3 on main, side on the branch.
func testRepo(t *testing.T) (r *repo, c1, c2, c3, side string) {
	t.Helper()
	dir := t.TempDir()
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
			"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	write := func(name, data string) {
		t.Helper()
		if err := writeFile(dir, name, strings.NewReader(data)); err != nil {
			t.Fatal(err)
		}
	}
	commit := func(at string) string {
		t.Helper()
		git("add", "-A")
		cmd := exec.Command("git", "-C", dir, "commit", "-q", "-m", at)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
			"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com",
			"GIT_AUTHOR_DATE="+at, "GIT_COMMITTER_DATE="+at)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git commit: %v\n%s", err, out)
		}
		return git("rev-parse", "HEAD")
	}
	git("init", "-q", "-b", "main")
	write("go.work", "go 1.25.0\n\nuse (\n\t.\n\t./sso\n)\n")
	write("go.mod", "module example.com/lib\n\ngo 1.25.0\n")
	write("sso/go.mod", "module example.com/lib/sso\n\ngo 1.25.0\n")
	write("a.go", "package lib\n")
	c1 = commit("2026-01-02T03:04:05Z")
	write("a.go", "package lib // 2\n")
	c2 = commit("2026-01-03T00:00:00Z")
	git("tag", "v1.0.0")
	git("tag", "sso/v1.0.0-rc.1")
	git("checkout", "-q", "-b", "side")
	write("a.go", "package lib // side\n")
	side = commit("2026-01-04T00:00:00Z")
	git("checkout", "-q", "main")
	write("a.go", "package lib // 3\n")
	c3 = commit("2026-01-05T00:00:00Z")
	r, err := openRepo(dir)
	if err != nil {
		t.Fatal(err)
	}
	return r, c1, c2, c3, side
}

// TestResolve checks which versions the history backs, as the go command
// checks a version it fetches from git.
func TestResolve(t *testing.T) {
	r, c1, c2, c3, side := testRepo(t)
	lib, _ := r.module("example.com/lib")
	sso, _ := r.module("example.com/lib/sso")
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for _, tc := range []struct {
		name    string
		m       modDir
		version string
		want    string // the commit, or "" for an error containing wantErr
		wantErr string
	}{
		{"a pseudo-version before any tag", lib, module.PseudoVersion("", "", at("2026-01-02T03:04:05Z"), c1[:12]), c1, ""},
		{"a release tag", lib, "v1.0.0", c2, ""},
		{"a pre-release tag of sso", sso, "v1.0.0-rc.1", c2, ""},
		{"a tag of another module is not sso's", sso, "v1.0.0", "", "no tag sso/v1.0.0"},
		{"a pseudo-version on a tag", lib, module.PseudoVersion("", "v1.0.0", at("2026-01-05T00:00:00Z"), c3[:12]), c3, ""},
		{"v0.0.0-based after a tag, which the go command accepts", lib, module.PseudoVersion("", "", at("2026-01-05T00:00:00Z"), c3[:12]), c3, ""},
		{"a never-released v0.0.0", lib, "v0.0.0", "", "no tag v0.0.0"},
		{"a wrong time", lib, module.PseudoVersion("", "", at("2026-01-02T03:04:06Z"), c1[:12]), "", "was made at 20260102030405"},
		{"an unknown revision", lib, module.PseudoVersion("", "", at("2026-01-02T03:04:05Z"), "0123456789ab"), "", "no commit 0123456789ab"},
		{"a base that is no ancestor's tag", lib, module.PseudoVersion("", "v1.0.0", at("2026-01-02T03:04:05Z"), c1[:12]), "", "is not a tag (v1.0.0) of an ancestor"},
		{"a base that is no tag", lib, module.PseudoVersion("", "v1.1.0", at("2026-01-05T00:00:00Z"), c3[:12]), "", "is not a tag (v1.1.0)"},
		{"a commit of another branch", lib, module.PseudoVersion("", "v1.0.0", at("2026-01-04T00:00:00Z"), side[:12]), "", "not in the history of HEAD"},
		{"not canonical", lib, "v1.0", "", "not a canonical semantic version"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := r.resolve(tc.m, tc.version)
			if tc.want != "" {
				if err != nil || got != tc.want {
					t.Fatalf("resolve(%s) = %s, %v; want %s", tc.version, got, err, tc.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("resolve(%s) = %s, %v; want an error containing %q", tc.version, got, err, tc.wantErr)
			}
		})
	}
}

// TestVersionAt checks the version pin gives a module at a commit: its tag,
// or the pseudo-version the go command would derive.
func TestVersionAt(t *testing.T) {
	r, c1, c2, c3, _ := testRepo(t)
	lib, _ := r.module("example.com/lib")
	sso, _ := r.module("example.com/lib/sso")
	for _, tc := range []struct {
		m      modDir
		commit string
		want   string
	}{
		{lib, c1, "v0.0.0-20260102030405-" + c1[:12]},
		{lib, c2, "v1.0.0"},
		{lib, c3, "v1.0.1-0.20260105000000-" + c3[:12]},
		{sso, c2, "v1.0.0-rc.1"},
		{sso, c3, "v1.0.0-rc.1.0.20260105000000-" + c3[:12]},
	} {
		got, err := r.versionAt(tc.m, tc.commit)
		if err != nil || got != tc.want {
			t.Errorf("versionAt(%s, %s) = %s, %v; want %s", tc.m.path, tc.commit[:7], got, err, tc.want)
		}
		if _, err := r.resolve(tc.m, got); err != nil {
			t.Errorf("resolve(versionAt(%s, %s)): %v", tc.m.path, tc.commit[:7], err)
		}
	}
}

// TestProxyRefusesUnbackedRequire checks that a go.mod requiring a sibling
// at a version no commit backs, or replacing a sibling, fails the layout
// with the go.mod's name.
func TestProxyRefusesUnbackedRequire(t *testing.T) {
	r, _, _, c3, _ := testRepo(t)
	for _, tc := range []struct{ gomod, want string }{
		{"module example.com/lib/sso\n\ngo 1.25.0\n\nrequire example.com/lib v0.0.0\n",
			"sso/go.mod requires example.com/lib v0.0.0, which no tag or commit of this repository backs"},
		{"module example.com/lib/sso\n\ngo 1.25.0\n\nrequire example.com/lib v1.0.0\n\nreplace example.com/lib => ../\n",
			"sso/go.mod replaces example.com/lib"},
		{"module example.com/lib/sso\n\ngo 1.25.0\n\nrequire example.com/lib v1.0.1-0.20260105000000-" + c3[:12] + "\n", ""},
	} {
		if err := os.WriteFile(filepath.Join(r.root, "sso", "go.mod"), []byte(tc.gomod), 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := newProxy(r, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		err = p.requireSiblings()
		if tc.want == "" {
			if err != nil {
				t.Errorf("%q: %v", tc.gomod, err)
			}
			// The library's zip holds its files and none of sso's.
			v := "v1.0.1-0.20260105000000-" + c3[:12]
			z, err := zip.OpenReader(filepath.Join(p.dir, "example.com", "lib", "@v", v+".zip"))
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, f := range z.File {
				names = append(names, f.Name)
			}
			_ = z.Close()
			prefix := "example.com/lib@" + v + "/"
			if want := []string{prefix + "a.go", prefix + "go.mod", prefix + "go.work"}; !slices.Equal(names, want) {
				t.Errorf("the zip of example.com/lib %s holds %v, want %v", v, names, want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want an error containing %q", tc.gomod, err, tc.want)
		}
	}
}

// TestSyncWork checks go.work's replaces: each sibling version a go.mod
// requires, by the sibling's directory, checked and then written.
func TestSyncWork(t *testing.T) {
	r, c1, _, _, _ := testRepo(t)
	v := "v0.0.0-20260102030405-" + c1[:12]
	gomod := "module example.com/lib/sso\n\ngo 1.25.0\n\nrequire example.com/lib " + v + "\n"
	if err := os.WriteFile(filepath.Join(r.root, "sso", "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	if differs, err := r.syncWork(false); err != nil || !differs {
		t.Fatalf("syncWork(false) before = %v, %v; want go.work to differ", differs, err)
	}
	if _, err := r.syncWork(true); err != nil {
		t.Fatal(err)
	}
	if differs, err := r.syncWork(false); err != nil || differs {
		t.Fatalf("syncWork(false) after writing = %v, %v; want go.work as wanted", differs, err)
	}
	data, err := os.ReadFile(filepath.Join(r.root, "go.work"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "\texample.com/lib " + v + " => ./\n"; !strings.Contains(string(data), want) {
		t.Errorf("go.work:\n%s\nwant a line %q", data, want)
	}
}
