package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
)

// Module and package paths the outsider check installs and imports.
const (
	libraryPath = "github.com/flexroles/flexroles"
	commandPath = "github.com/flexroles/flexroles/cmd/flexroles"
	bridgePath  = "github.com/flexroles/flexroles/sso/bridge"
	ssoPath     = "github.com/flexroles/flexroles/sso"
)

// bridgeConsumer is a service that mounts the bridge, as docs/bridge.md
// and the bridge's package doc describe it.
const bridgeConsumer = `package main

import (
	"context"
	"log"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/flexroles/flexroles/sso/bridge"
)

func main() {
	cfg, err := bridge.LoadConfigFile(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	b, err := bridge.New(context.Background(), cfg, slog.Default())
	if err != nil {
		log.Fatal(err)
	}
	http.Handle("/sso/", b)
	srv := &http.Server{Addr: "127.0.0.1:8080", ReadHeaderTimeout: 5 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
`

// libraryConsumer is a program that imports only the library.
const libraryConsumer = `package main

import (
	"fmt"

	"github.com/flexroles/flexroles"
)

func main() {
	d, err := flexroles.Resolve(flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Support}})
	fmt.Println(d.RoleStrings(), err)
}
`

// readmeMarker precedes, in README.md, the fenced list of the modules a
// service importing the bridge requires.
const readmeMarker = "<!-- modcheck: the modules go mod tidy adds for sso/bridge -->"

// outsider runs the outsider check (see the package doc).
func outsider(r *repo, p *proxy, version, tmp string) error {
	start := time.Now()
	if err := p.requireSiblings(); err != nil {
		return err
	}
	if err := p.workTree(version); err != nil {
		return err
	}
	// The commands below are the README's, as written.
	readme, err := os.ReadFile(filepath.Join(r.root, "README.md"))
	if err != nil {
		return err
	}
	for _, line := range []string{"go install " + commandPath + "@latest", "go get " + bridgePath + "@latest", "go get " + libraryPath} {
		if !slices.Contains(strings.Split(string(readme), "\n"), line) {
			return fmt.Errorf("README.md has no line %q, which this check runs", line)
		}
	}
	gopath := filepath.Join(tmp, "gopath")
	env, err := newGoEnv(p, gopath)
	if err != nil {
		return err
	}
	fmt.Printf("proxy laid out in %.1fs: %d module versions\n", time.Since(start).Seconds(), len(p.served))

	// 1. The command, installed as its README says.
	step := time.Now()
	work := filepath.Join(tmp, "outside")
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	if _, err := env.run(work, "install", commandPath+"@latest"); err != nil {
		return err
	}
	bin := filepath.Join(gopath, "bin", "flexroles")
	out, err := env.exec(work, bin, "version")
	if err != nil {
		return err
	}
	if !strings.HasPrefix(out, "flexroles "+version+", ") {
		return fmt.Errorf("flexroles version printed %q, want the installed version %s first", strings.TrimSpace(out), version)
	}
	if _, err := env.exec(r.root, bin, "test", "examples/policy.yaml"); err != nil {
		return err
	}
	fmt.Printf("go install %s@latest, version, test: %.1fs (%s)\n", commandPath, time.Since(step).Seconds(), strings.TrimSpace(out))

	// 2. A service mounting the bridge.
	step = time.Now()
	requires, err := consumer(env, filepath.Join(tmp, "bridge-consumer"), bridgePath+"@latest", bridgeConsumer)
	if err != nil {
		return err
	}
	if got := requires[ssoPath]; got != version {
		return fmt.Errorf("go get %s@latest required %s %q, want the work tree's %s", bridgePath, ssoPath, got, version)
	}
	var added []string
	for m := range requires {
		if m != ssoPath {
			added = append(added, m)
		}
	}
	slices.Sort(added)
	fmt.Printf("a service mounting %s@%s builds: %.1fs; its go.mod requires %s and %d modules:\n  %s\n",
		bridgePath, version, time.Since(step).Seconds(), ssoPath, len(added), strings.Join(added, "\n  "))
	documented, err := readmeList(filepath.Join(r.root, "README.md"))
	if err != nil {
		return err
	}
	if !slices.Equal(documented, added) {
		return fmt.Errorf("README.md lists, after %q, the modules %v; a service importing the bridge requires %v", readmeMarker, documented, added)
	}

	// 3. A program importing only the library.
	step = time.Now()
	dir := filepath.Join(tmp, "library-consumer")
	requires, err = consumer(env, dir, libraryPath, libraryConsumer)
	if err != nil {
		return err
	}
	if got := requires[libraryPath]; got != version {
		return fmt.Errorf("go get %s required it at %q, want the work tree's %s", libraryPath, got, version)
	}
	extra, err := beyondLibrary(env, dir, r.root)
	if err != nil {
		return err
	}
	if len(extra) > 0 {
		return fmt.Errorf("a program importing only the library gets modules beyond gopkg.in/yaml.v3, testify and their requirements: %v", extra)
	}
	fmt.Printf("a program importing %s@%s builds: %.1fs; its go.mod requires %v, its module graph nothing beyond yaml.v3, testify and their requirements\n",
		libraryPath, version, time.Since(step).Seconds(), sortedKeys(requires))
	fmt.Printf("outsider check: %.1fs\n", time.Since(start).Seconds())
	return nil
}

// consumer makes a new module example.com/consumer in dir, runs go get
// query (a package, perhaps @version), writes main.go, tidies and builds
// it, and returns the modules its go.mod requires (path → version).
func consumer(env goEnv, dir, query, mainGo string) (map[string]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if _, err := env.run(dir, "mod", "init", "example.com/consumer"); err != nil {
		return nil, err
	}
	if _, err := env.run(dir, "get", query); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(mainGo), 0o644); err != nil {
		return nil, err
	}
	for _, args := range [][]string{{"mod", "tidy"}, {"build", "-o", os.DevNull, "."}} {
		if _, err := env.run(dir, args...); err != nil {
			return nil, err
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return nil, err
	}
	f, err := modfile.Parse("go.mod", data, nil)
	if err != nil {
		return nil, err
	}
	requires := map[string]string{}
	for _, req := range f.Require {
		requires[req.Mod.Path] = req.Mod.Version
	}
	return requires, nil
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// beyondLibrary returns the modules of the graph of the consumer in dir
// (go list -m all) other than the consumer, the library, gopkg.in/yaml.v3,
// testify and what those two require, transitively, in the library's own
// module graph (go mod graph in root, the library's directory).
func beyondLibrary(env goEnv, dir, root string) ([]string, error) {
	graph, err := env.run(root, "mod", "graph")
	if err != nil {
		return nil, err
	}
	edges := map[string][]string{}
	for _, line := range strings.Split(graph, "\n") {
		if from, to, ok := strings.Cut(line, " "); ok {
			edges[pathOf(from)] = append(edges[pathOf(from)], pathOf(to))
		}
	}
	allowed := map[string]bool{"example.com/consumer": true, libraryPath: true}
	for queue := []string{"gopkg.in/yaml.v3", "github.com/stretchr/testify"}; len(queue) > 0; queue = queue[1:] {
		if m := queue[0]; !allowed[m] {
			allowed[m] = true
			queue = append(queue, edges[m]...)
		}
	}
	all, err := env.run(dir, "list", "-m", "-f", "{{.Path}}", "all")
	if err != nil {
		return nil, err
	}
	var extra []string
	for _, m := range strings.Fields(all) {
		if !allowed[m] {
			extra = append(extra, m)
		}
	}
	slices.Sort(extra)
	return extra, nil
}

// pathOf returns the module path of a go mod graph node, path@version.
func pathOf(node string) string {
	p, _, _ := strings.Cut(node, "@")
	return p
}

// readmeList returns the lines of the fenced block that follows
// readmeMarker in the README at name.
func readmeList(name string) ([]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	state := 0 // 0 before the marker, 1 before the fence, 2 in the block
	var list []string
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case state == 0 && line == readmeMarker:
			state = 1
		case state == 1 && strings.HasPrefix(line, "```"):
			state = 2
		case state == 2 && strings.HasPrefix(line, "```"):
			return list, nil
		case state == 2:
			list = append(list, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("%s: no fenced list after %q", name, readmeMarker)
}
