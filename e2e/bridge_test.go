package e2e

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles/sso/bridge/demo"
)

// reportViolations reports every CSP violation of every page to the
// console, from before the page's own scripts run.
const reportViolations = `document.addEventListener("securitypolicyviolation", (e) => console.error("CSP: " + e.violatedDirective + " " + e.blockedURI));`

// TestBridgeDemo clicks through the bridge demo in Chromium, through the
// real HTTP-POST pages that submit themselves: a QA lead reaches the
// stand-in for Flex with her roles, an offboarded user gets the refusal
// page. No page may throw, log an error or break its CSP.
func TestBridgeDemo(t *testing.T) {
	chromium := findChromium(t)
	start := startBridgeDemo(t)
	ctx := newBrowser(t, chromium)

	var mu sync.Mutex
	var problems []string
	note := func(s string) { mu.Lock(); problems = append(problems, s); mu.Unlock() }
	require.NoError(t, chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			note("exception: " + ev.ExceptionDetails.Text)
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value))
				}
				note("console: " + strings.Join(args, " "))
			}
		case *cdplog.EventEntryAdded:
			// The refusal page's 403 is logged by the network source: it is the
			// answer the test expects, not a fault of the page.
			if (ev.Entry.Level == cdplog.EntryLevelError || ev.Entry.Level == cdplog.EntryLevelWarning) && ev.Entry.Source != cdplog.EntrySourceNetwork {
				note("log: " + ev.Entry.Text + " " + ev.Entry.URL)
			}
		}
	}))
	_, err := chromedp.Call(ctx, runtime.Enable, cdp.Empty{})
	require.NoError(t, err)
	_, err = chromedp.Call(ctx, cdplog.Enable, cdp.Empty{})
	require.NoError(t, err)
	_, err = chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: reportViolations})
	require.NoError(t, err)

	signIn := func(user string) {
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(start),
			chromedp.Click(chromedp.CSS("#start")),
			chromedp.WaitVisible(chromedp.CSS(`button[value="`+user+`"]`)),
			chromedp.Click(chromedp.CSS(`button[value="`+user+`"]`)),
		))
	}
	signIn("quinn.qa")
	waitText(t, ctx, "#roles", "supervisor, agent, wfo.team_leader, wfo.quality_manager")
	waitText(t, ctx, "#nameid", "quinn.qa@owlbank.example")
	waitText(t, ctx, "#attributes", "department")
	keep(t, "bridge-granted.png", run(t, ctx, chromedp.FullScreenshot(100)))

	signIn("kim.leaver")
	waitText(t, ctx, "#kind", "denied")
	waitText(t, ctx, "#message", "offboarded")
	keep(t, "bridge-refused.png", run(t, ctx, chromedp.FullScreenshot(100)))

	mu.Lock()
	defer mu.Unlock()
	require.Empty(t, problems, "script errors, console errors or CSP violations on the way")
}

// startBridgeDemo runs the bridge demo in process on a free loopback port,
// from a copy of the shipped example files, and returns its start page.
func startBridgeDemo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"bridge.yaml", "policy.yaml", "users.csv"} {
		data, err := os.ReadFile(filepath.Join("..", "examples", name))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o600))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- demo.Run(ctx, demo.Options{Config: filepath.Join(dir, "bridge.yaml"), Listener: ln, Ready: func(u string) { ready <- u }})
	}()
	t.Cleanup(func() { cancel(); require.NoError(t, <-done) })
	select {
	case u := <-ready:
		return u
	case err := <-done:
		t.Fatalf("the bridge demo did not start: %v", err)
	}
	return ""
}
