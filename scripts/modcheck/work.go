package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
)

// workReplaces returns the replaces go.work needs: every sibling version a
// go.mod of the checkout requires, replaced by the sibling's directory. In
// workspace mode the go command still reads the go.mod of each version the
// requires name, and would fetch it; replaced, it reads the checkout's, so a
// clone builds its own modules without fetching any of this repository's.
func (r *repo) workReplaces() ([]*modfile.Replace, error) {
	seen := map[module.Version]bool{}
	var want []*modfile.Replace
	for _, m := range r.modules {
		name := filepath.Join(r.root, filepath.FromSlash(filepathJoinSlash(m.dir, "go.mod")))
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		f, err := modfile.Parse(name, data, nil)
		if err != nil {
			return nil, err
		}
		for _, req := range f.Require {
			s, ok := r.module(req.Mod.Path)
			if !ok || seen[req.Mod] {
				continue
			}
			seen[req.Mod] = true
			want = append(want, &modfile.Replace{Old: req.Mod, New: module.Version{Path: "./" + s.dir}})
		}
	}
	slices.SortFunc(want, func(a, b *modfile.Replace) int {
		return strings.Compare(a.Old.Path+" "+a.Old.Version, b.Old.Path+" "+b.Old.Version)
	})
	return want, nil
}

// syncWork checks that go.work's replaces of sibling modules are those
// workReplaces returns, and when write is true rewrites go.work so that
// they are. It reports whether go.work differs (differed, when written).
func (r *repo) syncWork(write bool) (bool, error) {
	name := filepath.Join(r.root, "go.work")
	data, err := os.ReadFile(name)
	if err != nil {
		return false, err
	}
	wf, err := modfile.ParseWork(name, data, nil)
	if err != nil {
		return false, err
	}
	want, err := r.workReplaces()
	if err != nil {
		return false, err
	}
	var have []*modfile.Replace
	for _, rep := range wf.Replace {
		if _, ok := r.module(rep.Old.Path); ok {
			have = append(have, rep)
		}
	}
	same := len(have) == len(want)
	for i := 0; same && i < len(have); i++ {
		same = have[i].Old == want[i].Old && have[i].New == want[i].New
	}
	if same || !write {
		return !same, nil
	}
	for _, rep := range have {
		if err := wf.DropReplace(rep.Old.Path, rep.Old.Version); err != nil {
			return false, err
		}
	}
	wf.Cleanup()
	out := modfile.Format(wf.Syntax)
	if len(want) > 0 {
		var b strings.Builder
		b.WriteString("\n// The sibling versions the go.mod files require, replaced by the\n" +
			"// checkout's directories (written by scripts/pin-siblings).\nreplace (\n")
		for _, rep := range want {
			fmt.Fprintf(&b, "\t%s %s => %s\n", rep.Old.Path, rep.Old.Version, rep.New.Path)
		}
		b.WriteString(")\n")
		out = append(out, b.String()...)
	}
	if _, err := modfile.ParseWork(name, out, nil); err != nil {
		return false, err
	}
	if err := os.WriteFile(name, out, 0o644); err != nil {
		return false, err
	}
	fmt.Println("go.work: the replaces of the required sibling versions by their directories")
	return true, nil
}
