package flexroles_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestImporterModuleGraph lists the modules of a small program that imports
// the library, as a new user would (outside this workspace, with a replace to
// this checkout). It may hold the library, gopkg.in/yaml.v3, testify and
// what those two require (transitively, in the library's module graph), and
// nothing else: the command's and the examples' dependencies stay out of an
// importer's graph.
func TestImporterModuleGraph(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module graph with the go command")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	root, err := filepath.Abs(".")
	require.NoError(t, err)

	// modules tidies a module of one main.go and returns its go list -m all.
	modules := func(goMod, mainGo string) map[string]bool {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte(goMod), 0o600))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(mainGo), 0o600))
		var out string
		for _, args := range [][]string{{"mod", "tidy"}, {"list", "-m", "-f", "{{.Path}}", "all"}} {
			cmd := exec.Command(goBin, args...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
			b, err := cmd.CombinedOutput()
			require.NoError(t, err, "go %s: %s", strings.Join(args, " "), b)
			out = string(b)
		}
		set := map[string]bool{}
		for _, m := range strings.Fields(out) {
			set[m] = true
		}
		return set
	}

	importer := modules("module example.com/importer\n\ngo 1.22\n\n"+
		"require github.com/flexroles/flexroles v0.0.0\n\n"+
		"replace github.com/flexroles/flexroles => "+filepath.ToSlash(root)+"\n", `package main

import (
	"fmt"

	"github.com/flexroles/flexroles"
)

func main() {
	d, err := flexroles.Resolve(flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Support}})
	fmt.Println(d.RoleStrings(), err)
}
`)
	// What yaml.v3 and testify require, transitively and by module path,
	// in the library's own module graph.
	cmd := exec.Command(goBin, "mod", "graph")
	cmd.Env = append(os.Environ(), "GOWORK=off")
	graph, err := cmd.Output()
	require.NoError(t, err, "go mod graph")
	edges := map[string][]string{}
	for _, line := range strings.Split(string(graph), "\n") {
		if from, to, ok := strings.Cut(line, " "); ok {
			edges[modulePath(from)] = append(edges[modulePath(from)], modulePath(to))
		}
	}
	allowed := map[string]bool{"example.com/importer": true, "github.com/flexroles/flexroles": true}
	for queue := []string{"gopkg.in/yaml.v3", "github.com/stretchr/testify"}; len(queue) > 0; queue = queue[1:] {
		if m := queue[0]; !allowed[m] {
			allowed[m] = true
			queue = append(queue, edges[m]...)
		}
	}

	var extra []string
	for m := range importer {
		if !allowed[m] {
			extra = append(extra, m)
		}
	}
	sort.Strings(extra)
	require.Empty(t, extra, "modules an importer of the library gets beyond yaml.v3, testify and their requirements")
}

// modulePath returns the module path of a go mod graph node, path@version.
func modulePath(node string) string {
	path, _, _ := strings.Cut(node, "@")
	return path
}
