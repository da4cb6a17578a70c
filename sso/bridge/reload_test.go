package bridge

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/sso/samltest"
)

// examplePolicy is the text of the repository's example policy, which the
// test world's bridge starts with.
func examplePolicy(t testing.TB) string {
	t.Helper()
	data, err := os.ReadFile("../../examples/policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// edit replaces old by new in policy, failing when old is not there once,
// so that a test cannot pass on an edit that did nothing.
func edit(t testing.TB, policy, old, new string) string {
	t.Helper()
	if strings.Count(policy, old) != 1 {
		t.Fatalf("the example policy does not hold %q once", old)
	}
	return strings.Replace(policy, old, new, 1)
}

// lineOf is the 1-based line of the first occurrence of s in text.
func lineOf(t testing.TB, text, s string) int {
	t.Helper()
	i := strings.Index(text, s)
	if i < 0 {
		t.Fatalf("%q is not in the text", s)
	}
	return strings.Count(text[:i], "\n") + 1
}

// reloadWorld is a world whose policy is a copy of the example policy in a
// temporary file, which the test rewrites, and whose log is kept.
func reloadWorld(t *testing.T, change func(*Config)) (w *world, policyPath string, log *lockedWriter) {
	t.Helper()
	policyPath = filepath.Join(t.TempDir(), "policy.yaml")
	writePolicy(t, policyPath, examplePolicy(t))
	w = newWorld(t, func(c *Config) {
		c.Policy = policyPath
		if change != nil {
			change(c)
		}
	})
	log = &lockedWriter{mu: &sync.Mutex{}, w: &bytes.Buffer{}}
	w.bridge.log = slog.New(slog.NewTextHandler(log, nil))
	return w, policyPath, log
}

func writePolicy(t testing.TB, path, text string) {
	t.Helper()
	// Written beside and renamed, as an editor or a configuration manager
	// does, so that no reader sees half a file.
	tmp := path + ".new"
	if err := os.WriteFile(tmp, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func digestOf(t testing.TB, text string) string {
	t.Helper()
	p, err := flexroles.LoadPolicy(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return p.Digest()
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.String()
}

// reloadMetrics reads the reload counters and the digest in force from the
// bridge's metrics, as a scraper does, and fails unless exactly one
// policy_info series is there.
func reloadMetrics(t testing.TB, w *world) (ok, failed int, digest string) {
	t.Helper()
	text := w.browser("").get(w.bridge.paths.metrics.String()).body
	var infos []string
	for _, line := range strings.Split(text, "\n") {
		name, value, _ := strings.Cut(line, " ")
		switch {
		case name == `flexroles_bridge_policy_reloads_total{result="ok"}`:
			ok, _ = strconv.Atoi(value)
		case name == `flexroles_bridge_policy_reloads_total{result="failed"}`:
			failed, _ = strconv.Atoi(value)
		case strings.HasPrefix(name, "flexroles_bridge_policy_info{"):
			if value != "1" {
				t.Errorf("policy_info %s has value %s", name, value)
			}
			infos = append(infos, strings.TrimSuffix(strings.TrimPrefix(name, `flexroles_bridge_policy_info{digest="`), `"}`))
		}
	}
	if len(infos) != 1 {
		t.Fatalf("%d flexroles_bridge_policy_info series, want exactly one:\n%s", len(infos), text)
	}
	return ok, failed, infos[0]
}

// leadRoles is the policy's answer for the test IdP's user lee.
func leadRoles(t testing.TB, policy string) []string {
	t.Helper()
	p, err := flexroles.LoadPolicy(strings.NewReader(policy))
	if err != nil {
		t.Fatal(err)
	}
	lee := testUsers[slices.IndexFunc(testUsers, func(u samltest.User) bool { return u.Login == "lee" })]
	d, err := p.Resolve(flexroles.Login{Source: flexroles.SSO, Attributes: lee.Attributes, Identity: lee.Attributes["email"][0]})
	if err != nil {
		t.Fatal(err)
	}
	return d.RoleStrings()
}

// TestReloadPolicy: a policy that does not load, one whose own case fails
// and one that breaks the pass_through configuration are each refused with
// their problems named, counted as failed, and leave the policy in force
// deciding logins; a good one is put in force, counted, and named by the
// metrics and the log.
func TestReloadPolicy(t *testing.T) {
	w, path, log := reloadWorld(t, nil)
	original := examplePolicy(t)
	if ok, failed, digest := reloadMetrics(t, w); ok != 0 || failed != 0 || digest != digestOf(t, original) {
		t.Fatalf("at start: ok %d, failed %d, digest %s; want 0, 0, the example policy's %s", ok, failed, digest, digestOf(t, original))
	}

	// The team lead loses wfo.team_leader in the new policy: the rule and
	// its case change together.
	good := edit(t, edit(t, original,
		"grant: [supervisor, wfo.team_leader]", "grant: [supervisor]"),
		"roles: [supervisor, agent, wfo.team_leader]\n      insights: {enabled: true, assess_calls: full, export_calls: false, dashboards: explorer}",
		"roles: [supervisor, agent, wfo.dashboard_viewer]\n      insights: {enabled: true, dashboards: viewer}")
	good = edit(t, good,
		"roles: [supervisor, agent, wfo.team_leader, wfo.quality_manager]\n      insights: {assess_calls: full, export_calls: true, dashboards: explorer}",
		"roles: [supervisor, agent, wfo.quality_manager]\n      insights: {assess_calls: full, export_calls: true, dashboards: viewer}")
	broken := edit(t, original, "  unknown_roles: reject", "  unknown_role: reject")
	failing := edit(t, original, "    want:\n      roles: [agent]\n", "    want:\n      roles: [agent, supervisor]\n")
	rolesFromDepartment := edit(t, original[:strings.Index(original, "\ntests:")+1],
		"attributes: {roles: roles,", "attributes: {roles: skill,")

	for i, tc := range []struct {
		name   string
		policy string
		want   []string // in the error and the log line
	}{
		{"does not load", broken, []string{path + ":" + strconv.Itoa(lineOf(t, broken, "unknown_role:")) + ":3:", "unknown_role"}},
		{"a case fails", failing, []string{path + ":" + strconv.Itoa(lineOf(t, failing, "- name: agent gets the agent desktop only")) + `: case "agent gets the agent desktop only" fails`}},
		{"pass_through reads roles", rolesFromDepartment, []string{"pass_through.skill.int", `"skill" is the attribute the policy reads roles from`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			writePolicy(t, path, tc.policy)
			err := w.bridge.ReloadPolicy(context.Background())
			if err == nil {
				t.Fatal("the reload succeeded")
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the error lacks %q:\n%v", want, err)
				}
				// The text handler quotes the error: its quotes are escaped.
				if escaped := strings.Trim(strconv.Quote(want), `"`); !strings.Contains(log.String(), escaped) {
					t.Errorf("the log lacks %q:\n%s", want, log.String())
				}
			}
			if tc.policy == broken {
				var pe *flexroles.PolicyError
				if !errors.As(err, &pe) {
					t.Errorf("a policy that does not load: the error %T is not a *flexroles.PolicyError", err)
				}
			}
			if ok, failed, digest := reloadMetrics(t, w); ok != 0 || failed != i+1 || digest != digestOf(t, original) {
				t.Errorf("ok %d, failed %d, digest %s; want 0, %d, the policy in force %s", ok, failed, digest, i+1, digestOf(t, original))
			}
			if _, fp := w.login("lee", ""); !strings.Contains(fp.body, "wfo.team_leader") {
				t.Errorf("after a failed reload the lead is not decided by the policy in force:\n%.800s", fp.body)
			}
		})
	}

	writePolicy(t, path, good)
	if err := w.bridge.ReloadPolicy(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ok, failed, digest := reloadMetrics(t, w); ok != 1 || failed != 3 || digest != digestOf(t, good) {
		t.Errorf("ok %d, failed %d, digest %s; want 1, 3, the new policy's %s", ok, failed, digest, digestOf(t, good))
	}
	if !strings.Contains(log.String(), "policy reloaded") || !strings.Contains(log.String(), "policy="+digestOf(t, good)) {
		t.Errorf("the reload is not logged with the new digest:\n%s", log.String())
	}
	_, fp := w.login("lee", "")
	if got, _ := w.flex.Last(); !slices.Equal(got.Roles, leadRoles(t, good)) || slices.Equal(got.Roles, leadRoles(t, original)) {
		t.Errorf("after the reload the lead reaches Flex with %q, want the new policy's %q:\n%.800s", got.Roles, leadRoles(t, good), fp.body)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	writePolicy(t, path, original)
	if err := w.bridge.ReloadPolicy(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("a reload with an ended context: %v", err)
	}
	if ok, failed, digest := reloadMetrics(t, w); ok != 1 || failed != 3 || digest != digestOf(t, good) {
		t.Errorf("a reload with an ended context changed something: ok %d, failed %d, digest %s", ok, failed, digest)
	}
}

// TestReloadUnderLoad: logins run while the policy is swapped back and
// forth between two policies that give the lead different roles; every
// login completes, and the roles Flex receives are always exactly one
// policy's answer, never a mix or a half-loaded policy's. Run it with -race.
func TestReloadUnderLoad(t *testing.T) {
	w, path, _ := reloadWorld(t, nil)
	a := examplePolicy(t)
	b := edit(t, a[:strings.Index(a, "\ntests:")+1], "any_group: [CC-Agents, CC-Leads]", "any_group: [CC-Agents]")
	answers := [][]string{leadRoles(t, a), leadRoles(t, b)}
	if slices.Equal(answers[0], answers[1]) {
		t.Fatalf("both policies give the lead %q: the test could not tell them apart", answers[0])
	}

	const workers, perWorker = 4, 8
	done := make(chan struct{})
	reloads := make(chan int, 1)
	go func() {
		n := 0
		defer func() { reloads <- n }()
		for texts := []string{b, a}; ; n++ {
			select {
			case <-done:
				return
			default:
			}
			writePolicy(t, path, texts[n%2])
			if err := w.bridge.ReloadPolicy(context.Background()); err != nil {
				t.Errorf("reload %d: %v", n, err)
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range perWorker {
				if bp, fp := w.login("lee", ""); fp.status != 200 {
					t.Errorf("a login during reloads failed: bridge HTTP %d, Flex HTTP %d\n%.600s", bp.status, fp.status, bp.body)
				}
			}
		})
	}
	wg.Wait()
	close(done)
	n := <-reloads
	if n < 2 {
		t.Errorf("only %d reloads ran during the logins", n)
	}
	received := w.flex.All()
	if len(received) != workers*perWorker {
		t.Errorf("Flex received %d logins, want %d", len(received), workers*perWorker)
	}
	seen := [2]int{}
	for _, r := range received {
		switch {
		case slices.Equal(r.Roles, answers[0]):
			seen[0]++
		case slices.Equal(r.Roles, answers[1]):
			seen[1]++
		default:
			t.Errorf("Flex received roles %q, neither policy's answer (%q, %q)", r.Roles, answers[0], answers[1])
		}
	}
	t.Logf("%d reloads; logins decided by policy A: %d, by policy B: %d", n, seen[0], seen[1])
}

// TestPolicyPoll: with policy_reload set, a change of the file's bytes is
// picked up and put in force; a broken file is refused once, not at every
// look; a file that only comes back to the policy in force is no reload.
func TestPolicyPoll(t *testing.T) {
	const every = 20 * time.Millisecond
	w, path, _ := reloadWorld(t, func(c *Config) { c.PolicyReload = every })
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { w.bridge.Refresh(ctx); close(stopped) }()
	defer func() { cancel(); <-stopped }()

	original := examplePolicy(t)
	changed := original + "# a comment changes the bytes, and so the digest\n"
	writePolicy(t, path, changed)
	waitFor(t, func() bool { ok, _, d := reloadMetrics(t, w); return ok == 1 && d == digestOf(t, changed) })

	writePolicy(t, path, edit(t, original, "version: 1", "version: 9"))
	waitFor(t, func() bool { _, failed, _ := reloadMetrics(t, w); return failed == 1 })
	time.Sleep(10 * every) // ten more looks at the same broken bytes
	if ok, failed, d := reloadMetrics(t, w); ok != 1 || failed != 1 || d != digestOf(t, changed) {
		t.Errorf("a broken file: ok %d, failed %d, digest %s; want 1, 1 (tried once), %s", ok, failed, d, digestOf(t, changed))
	}

	writePolicy(t, path, changed) // back to the bytes in force
	time.Sleep(10 * every)
	writePolicy(t, path, original)
	waitFor(t, func() bool { ok, _, d := reloadMetrics(t, w); return ok == 2 && d == digestOf(t, original) })
	if _, failed, _ := reloadMetrics(t, w); failed != 1 {
		t.Errorf("failed %d, want 1", failed)
	}
}
