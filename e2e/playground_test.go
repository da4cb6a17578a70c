// Package e2e drives the playground of "flexroles serve" and the bridge
// demo in headless Chromium, as a person would: the playground's command is
// built and started, and its page is loaded, typed into and read back; the
// bridge demo runs in process, and a login is clicked through its
// self-submitting SAML pages. It is its own module, so that the browser
// driver stays out of flexroles' dependencies.
//
//	go test ./e2e        (from the repository root, in the workspace)
//	cd e2e && go test ./...
//
// Chromium comes from the system (Debian's package chromium); CHROMIUM names
// another binary. Without one the test is skipped, except under CI=true,
// where it fails. The screenshot it takes is kept in artifacts/, or in the
// directory ARTIFACTS names.
package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// typoPolicy is a policy typed into the editor, with a misspelt role on
// line 6.
const typoPolicy = `version: 1
sso:
  rules:
    - name: team leads
      when: {group: CC-Leads}
      grant: [supervisr, wfo.team_leader]
`

// TestPlayground loads the page, types a policy with a typo and finds the
// did-you-mean pinned to its line, enters an SSO login and reads the roles
// and the Insights grid, pastes a SAMLResponse, opens the matrix with an
// IdP export, and keeps a screenshot.
func TestPlayground(t *testing.T) {
	chromium := findChromium(t)
	url := startPlayground(t)
	ctx := newBrowser(t, chromium)

	// The page starts with the example policy and a login of a QA lead.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS("#policy")),
	))
	waitText(t, ctx, "#policy-status", "valid · 12/12 cases pass")
	waitText(t, ctx, "#roles", `["supervisor","agent","wfo.team_leader","wfo.quality_manager"]`)
	run(t, ctx, chromedp.Evaluate[bool](watchErrors))

	// The editor is as tall as the policy: every line shows, none is cut
	// and no empty space is left under it; a long line scrolls sideways.
	start := run(t, ctx, chromedp.Evaluate[editorSize](measureEditor))
	require.LessOrEqual(t, start.ScrollHeight, start.ClientHeight, "no line of the example policy is hidden")
	require.Less(t, start.ClientHeight-start.ScrollHeight, 4, "no empty space under the policy")
	example, err := os.ReadFile("../examples/policy.yaml")
	require.NoError(t, err)
	longer := string(example) + strings.Repeat("# a comment line\n", 40) + "# " + strings.Repeat("wide ", 200) + "\n"
	require.NoError(t, chromedp.Do(ctx, setValue("#policy", longer)))
	waitText(t, ctx, "#policy-status", "valid")
	grown := run(t, ctx, chromedp.Evaluate[editorSize](measureEditor))
	require.Greater(t, grown.ClientHeight, start.ClientHeight+30*12, "the editor grows by the lines added")
	require.LessOrEqual(t, grown.ScrollHeight, grown.ClientHeight, "the last line shows, above the horizontal scrollbar")
	require.Greater(t, grown.ScrollWidth, grown.ClientWidth, "the long line is wider than the editor")
	require.Equal(t, "auto", grown.OverflowX, "and scrolls sideways rather than being cut")
	require.Equal(t, strings.Count(longer, "\n")+1, grown.GutterLines, "a line number for every line")
	require.Equal(t, "grid", run(t, ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("main")).display`)),
		"the style sheet loads under the page's CSP")

	// A policy with a typo: the problem, with its did-you-mean, on line 6,
	// and line 6 marked in the gutter.
	require.NoError(t, chromedp.Do(ctx,
		setValue("#policy", ""),
		chromedp.SendKeys(chromedp.CSS("#policy"), typoPolicy),
	))
	waitText(t, ctx, "#problems", `did you mean "supervisor"?`)
	where := run(t, ctx, chromedp.Text(chromedp.CSS("#problems li .where")))
	line := run(t, ctx, chromedp.AttributeValue(chromedp.CSS("#problems li"), "data-line"))
	marked := run(t, ctx, chromedp.AttributesAll(chromedp.CSSAll("#gutter span.bad")))
	require.Equal(t, "line 6:15", where)
	require.Equal(t, "6", line.Value)
	require.Len(t, marked, 1, "one line marked in the gutter")
	require.Equal(t, "6", marked[0]["data-line"])
	waitText(t, ctx, "#outcome-status", "the policy does not load")

	// Fixed, the policy decides the login again.
	require.NoError(t, chromedp.Do(ctx,
		setValue("#policy", strings.Replace(typoPolicy, "supervisr", "supervisor", 1)),
		chromedp.SendKeys(chromedp.CSS("#policy"), "\n"),
	))
	waitText(t, ctx, "#policy-status", "valid · no test cases")
	waitText(t, ctx, "#roles", `["supervisor","wfo.team_leader"]`)

	// An SSO login typed into the attribute rows: an analyst, with the
	// example policy back in the editor.
	require.NoError(t, chromedp.Do(ctx,
		setValue("#policy", string(example)),
		chromedp.SendKeys(chromedp.CSS("#policy"), "\n"),
		setValue(`#attributes tbody tr:nth-child(3) .attr-value`, ""),
		chromedp.SendKeys(chromedp.CSS(`#attributes tbody tr:nth-child(3) .attr-value`), "CC-Analytics"),
		setValue(`#attributes tbody tr:nth-child(4) .attr-name`, ""),
		chromedp.SendKeys(chromedp.CSS(`#attributes tbody tr:nth-child(4) .attr-name`), "location"),
		setValue(`#attributes tbody tr:nth-child(4) .attr-value`, ""),
		chromedp.SendKeys(chromedp.CSS(`#attributes tbody tr:nth-child(4) .attr-value`), "EU-West"),
	))
	waitText(t, ctx, "#roles", `["supervisor","wfo.data_analyst"]`)
	grid := run(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#grid tr.own > *")].map((c) => c.textContent)`))
	pages := run(t, ctx, chromedp.Text(chromedp.CSS("#pages")))
	require.Equal(t, []string{"this user", "yes", "yes", "view only", "–", "editor"}, grid,
		"play, export, assess view only, no questionnaires, dashboards editor")
	require.Equal(t, "Agent Desktop, Teams, Queue Stats, Dialpad, Insights: Dashboards, Insights: Analyze", pages)

	// A SAMLResponse pasted as Okta sends it.
	okta, err := os.ReadFile("../cmd/flexroles/testdata/saml/okta.txt")
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`input[name="source"][value="saml"]`)),
		setValue("#saml", strings.TrimSpace(string(okta))),
		chromedp.SendKeys(chromedp.CSS("#saml"), " "),
	))
	waitText(t, ctx, "#roles", `["supervisor","agent","wfo.team_leader"]`)
	waitText(t, ctx, "#attributes-read", "roles")

	// A Console Support login: the read-only pair, and the pages it opens.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`input[name="source"][value="console"]`)),
		chromedp.Click(chromedp.CSS(`input[name="console"][value="Support"]`)),
	))
	waitText(t, ctx, "#roles", `["flex.readteams","flex.readonlyadmin"]`)
	waitText(t, ctx, "#pages", "Admin (read only), Teams list (read only), Queue Stats")

	// The matrix, with the example IdP export loaded.
	users, err := filepath.Abs("../examples/users.csv")
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#tab-matrix")),
		chromedp.WaitVisible(chromedp.CSS("#matrix")),
		chromedp.SetUploadFiles(chromedp.CSS("#users-file"), []string{users}),
	))
	waitText(t, ctx, "#users-status", "9 of 9 users shown")
	waitText(t, ctx, "#matrix", "rule quality assurance")
	waitText(t, ctx, "#matrix", "line 26")
	waitText(t, ctx, "#matrix", "kim.leaver@owlbank.example")
	keep(t, "playground-matrix.png", run(t, ctx, chromedp.FullScreenshot(100)))

	// Editing the policy with the matrix open redraws the matrix.
	require.NoError(t, chromedp.Do(ctx,
		setValue("#policy", strings.Replace(string(example), "name: quality assurance", "name: QA leads", 1)),
	))
	waitText(t, ctx, "#matrix", "rule QA leads")

	// Markup in the policy is shown as text: a rule named like an image
	// tag with a script in it appears as written, and nothing runs.
	hostile := strings.Replace(string(example), "name: analysts", `name: "<img src=x onerror=window.pwned=1>"`, 1)
	require.NoError(t, chromedp.Do(ctx, setValue("#policy", hostile)))
	waitText(t, ctx, "#matrix", "rule <img src=x onerror=window.pwned=1>")
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#tab-decide")),
		chromedp.Click(chromedp.CSS(`input[name="source"][value="sso"]`))))
	waitText(t, ctx, "#trace", `rule "<img src=x onerror=window.pwned=1>" grants [supervisor, wfo.data_analyst]`)
	require.False(t, run(t, ctx, chromedp.Evaluate[bool](`document.querySelectorAll("img").length > 0 || window.pwned === 1`)),
		"no element made and no script run from the policy's text")

	require.NoError(t, chromedp.Do(ctx, setValue("#policy", string(example))))
	waitText(t, ctx, "#trace", `rule "analysts" grants`)
	waitText(t, ctx, "#roles", `["supervisor","wfo.data_analyst"]`)
	require.Empty(t, run(t, ctx, chromedp.Evaluate[[]string](`window.e2eErrors`)), "no script error, rejected promise or CSP violation")
	run(t, ctx, chromedp.Evaluate[bool](`(() => { const p = document.getElementById("policy"); p.scrollTop = 0; p.dispatchEvent(new Event("scroll")); return true; })()`))
	keep(t, "playground.png", run(t, ctx, chromedp.FullScreenshot(100)))
}

// editorSize is what measureEditor reads of the policy editor.
type editorSize struct {
	ScrollHeight, ClientHeight, ScrollWidth, ClientWidth, GutterLines int
	OverflowX                                                         string
}

// measureEditor reads the policy editor's sizes, its horizontal overflow
// and how many line numbers its gutter shows.
const measureEditor = `(() => {
	const p = document.getElementById("policy");
	return {ScrollHeight: p.scrollHeight, ClientHeight: p.clientHeight, ScrollWidth: p.scrollWidth, ClientWidth: p.clientWidth,
		GutterLines: document.querySelectorAll("#gutter span").length, OverflowX: getComputedStyle(p).overflowX};
})()`

// watchErrors records in window.e2eErrors every script error, rejected
// promise and Content-Security-Policy violation from then on.
const watchErrors = `(() => {
	window.e2eErrors = [];
	window.addEventListener("error", (e) => window.e2eErrors.push("error: " + e.message));
	window.addEventListener("unhandledrejection", (e) => window.e2eErrors.push("rejection: " + e.reason));
	document.addEventListener("securitypolicyviolation", (e) => window.e2eErrors.push("CSP: " + e.violatedDirective + " " + e.blockedURI));
	return true;
})()`

// setValue sets the value of the form field sel as pasting would, and
// fires the input event the page listens to.
func setValue(sel, value string) chromedp.Action[chromedp.Void] {
	js, _ := json.Marshal(value)
	expr := fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = %s; e.dispatchEvent(new Event("input", {bubbles: true})); return true; })()`, sel, js)
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[bool](expr)(ctx, t)
		return chromedp.Void{}, err
	}
}

// run runs one action that returns a value, failing the test on error.
func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	require.NoError(t, err)
	return v
}

// findChromium returns the Chromium binary: CHROMIUM, or chromium on PATH.
func findChromium(t *testing.T) string {
	t.Helper()
	if path := os.Getenv("CHROMIUM"); path != "" {
		return path
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium: install Debian's chromium package (.ci/run does) or set CHROMIUM")
	}
	t.Skip("no Chromium on PATH; install chromium or set CHROMIUM to run the browser test")
	return ""
}

// startPlayground builds the command, starts "flexroles serve" on a free
// loopback port and returns the page's address.
func startPlayground(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "flexroles")
	// The command is a module of its own; built in its directory, go.work
	// puts the library and sso of this checkout under it.
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = filepath.Join("..", "cmd", "flexroles")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)

	serve := exec.Command(bin, "serve", "--addr", "127.0.0.1:0")
	stdout, err := serve.StdoutPipe()
	require.NoError(t, err)
	serve.Stderr = os.Stderr
	require.NoError(t, serve.Start())
	t.Cleanup(func() {
		_ = serve.Process.Signal(os.Interrupt)
		_ = serve.Wait()
	})
	ready := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			if _, url, ok := strings.Cut(s.Text(), "playground: "); ok {
				ready <- strings.Fields(url)[0]
			}
		}
	}()
	select {
	case url := <-ready:
		return url
	case <-time.After(30 * time.Second):
		t.Fatal("flexroles serve did not say where it listens within 30 s")
	}
	return ""
}

// newBrowser starts headless Chromium with a fresh profile and nothing
// that reaches beyond this machine, and returns a tab's context.
func newBrowser(t *testing.T, chromium string) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root, where Chromium's sandbox cannot start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1400, 1000),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelTab(); cancelAlloc() })
	return ctx
}

// waitText waits until the element sel's text holds want, and fails with
// the text it last saw after 15 seconds.
func waitText(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	var got string
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		short, cancel := context.WithTimeout(ctx, time.Second)
		text, err := chromedp.Run(short, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
		cancel()
		if err == nil {
			got = text
			if strings.Contains(got, want) {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: want text holding %q, got %q", sel, want, got)
}

// keep writes an artifact of the test into ARTIFACTS or artifacts/.
func keep(t *testing.T, name string, data []byte) {
	t.Helper()
	dir := os.Getenv("ARTIFACTS")
	if dir == "" {
		dir = "artifacts"
	}
	require.NoError(t, os.MkdirAll(dir, 0o750))
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, data, 0o600))
	fmt.Printf("screenshot: %s\n", path)
}
