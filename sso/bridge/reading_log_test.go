package bridge

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/crewjam/saml"

	"github.com/flexroles/flexroles"
)

// TestReadingTheLogDocumented runs the logins of docs/bridge.md's "Reading
// the log" examples and compares each documented line with the line the
// bridge writes: the same fields, and the same values but for the time,
// the id, the policy's digest and the login's random handle; and the section's table names every
// field.
func TestReadingTheLogDocumented(t *testing.T) {
	section := docSection(t, "## Reading the log")
	var documented []map[string]string
	for _, block := range regexp.MustCompile("(?s)```json\n(.*?)```").FindAllStringSubmatch(section, -1) {
		for _, line := range strings.Split(strings.TrimSpace(block[1]), "\n") {
			documented = append(documented, flatten(t, line))
		}
	}

	w := newWorld(t, nil)
	base := w.bridgeSrv.URL + "/bridge"
	scenarios := map[string]func(){
		"granted":           func() { w.login("lee", "") },
		"denied":            func() { w.login("kim", "") },
		"missing_attribute": func() { w.login("nomail", "") },
		"upstream_response": func() {
			w.idp.SAML.AssertionMaker = tamper(func(a *saml.Assertion) {
				a.Conditions.AudienceRestrictions[0].Audience.Value = "https://other-sp.example/metadata"
				a.Subject.SubjectConfirmations[0].SubjectConfirmationData.Recipient = "https://other-sp.example/acs"
			})
			defer func() { w.idp.SAML.AssertionMaker = nil }()
			w.login("alex", "")
		},
		"state": func() {
			b := w.browser("alex")
			up := w.upstreamResponse(b, "")
			acs, _ := url.Parse(up.action)
			cookies := b.Jar.Cookies(acs)
			b.post(up.action, up.fields)
			b.Jar.SetCookies(acs, cookies) // the back button: the state cookie again
			b.post(up.action, up.fields)
		},
	}
	var seen []string
	for _, want := range documented {
		scenario := want["kind"]
		if want["outcome"] == `"granted"` {
			scenario = `"granted"`
		}
		scenario = strings.Trim(scenario, `"`)
		run, ok := scenarios[scenario]
		if !ok {
			t.Errorf("a documented line of no known login: %v", want)
			continue
		}
		seen = append(seen, scenario)
		t.Run(scenario, func(t *testing.T) {
			logged := captureLog(w, true)
			run()
			lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(logged.String(), base, "https://flex-sso.example.com")), "\n")
			got := flatten(t, lines[len(lines)-1]) // the scenario's last login
			var wantKeys, gotKeys []string
			for k := range want {
				wantKeys = append(wantKeys, k)
			}
			for k := range got {
				gotKeys = append(gotKeys, k)
			}
			slices.Sort(wantKeys)
			slices.Sort(gotKeys)
			if !slices.Equal(wantKeys, gotKeys) {
				t.Fatalf("documented fields\n  %v\nlogged\n  %v", wantKeys, gotKeys)
			}
			for _, k := range wantKeys {
				switch k {
				case "time", "id":
				case "received.relay_state": // the login's random handle
					if !validHandle(strings.Trim(want[k], `"`)) || !validHandle(strings.Trim(got[k], `"`)) {
						t.Errorf("%s: documented %s, logged %s, want login handles", k, want[k], got[k])
					}
				case "policy":
					if !regexp.MustCompile(`^"sha256:[0-9a-f]{64}"$`).MatchString(got[k]) || !regexp.MustCompile(`^"sha256:[0-9a-f]{64}"$`).MatchString(want[k]) {
						t.Errorf("policy: documented %s, logged %s", want[k], got[k])
					}
				default:
					if want[k] != got[k] {
						t.Errorf("%s: documented %s, logged %s", k, want[k], got[k])
					}
				}
			}
		})
	}
	for name := range scenarios {
		if !slices.Contains(seen, name) {
			t.Errorf("docs/bridge.md shows no example line of %s", name)
		}
	}
	for _, line := range documented {
		for k := range line {
			top, _, _ := strings.Cut(k, ".")
			if !strings.Contains(section, "`"+top+"`") {
				t.Errorf("the field %s is in an example but not described", top)
			}
		}
	}
}

// flatten reads a JSON log line as dotted keys and their JSON values.
func flatten(t *testing.T, line string) map[string]string {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(line), &v); err != nil {
		t.Fatalf("not a JSON log line: %v\n%s", err, line)
	}
	out := map[string]string{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		if m, ok := v.(map[string]any); ok {
			for k, x := range m {
				walk(strings.TrimPrefix(prefix+"."+k, "."), x)
			}
			return
		}
		b, err := json.Marshal(v)
		if err != nil {
			panic(fmt.Sprint(err))
		}
		out[prefix] = string(b)
	}
	walk("", v)
	return out
}

// TestReadingTheLogCommands runs the commands "Reading the log" gives, as
// written: the jq filter finds the documented line of its id among the
// examples, and sha256sum prints the digest the bridge logs as policy.
func TestReadingTheLogCommands(t *testing.T) {
	doc, err := os.ReadFile("../../docs/bridge.md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(doc)
	section = section[strings.Index(section, "\n## Reading the log\n")+1:]
	section = section[:strings.Index(section, "\n## ")]
	jq := regexp.MustCompile("`(jq '[^`]*')`").FindStringSubmatch(section)
	sum := regexp.MustCompile("`(sha256sum policy.yaml)`").FindStringSubmatch(section)
	id := regexp.MustCompile(`\.id == "([0-9a-f]+)"`).FindStringSubmatch(section)
	if jq == nil || sum == nil || id == nil {
		t.Fatalf("the section lost its commands: jq %q, sha256sum %q", jq, sum)
	}
	var examples strings.Builder
	for _, block := range regexp.MustCompile("(?s)```json\n(.*?)```").FindAllStringSubmatch(section, -1) {
		examples.WriteString(block[1])
	}
	for _, tool := range []string{"sh", "jq", "sha256sum"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip(tool + " is not on PATH")
		}
	}

	cmd := exec.Command("sh", "-c", jq[1])
	cmd.Stdin = strings.NewReader(examples.String())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v", jq[1], err)
	}
	if got := flatten(t, strings.TrimSpace(string(out))); got["id"] != `"`+id[1]+`"` || got["rule"] != `"offboarded"` {
		t.Errorf("%s found %s, want the deny rule's line", jq[1], out)
	}

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "policy.yaml"), []byte(examplePolicy(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command("sh", "-c", sum[1])
	cmd.Dir = dir
	out, err = cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v", sum[1], err)
	}
	p, err := flexroles.LoadPolicyFile(filepath.Join(dir, "policy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if hex, _, _ := strings.Cut(string(out), " "); "sha256:"+hex != p.Digest() {
		t.Errorf("%s printed %s; the bridge logs policy %s", sum[1], out, p.Digest())
	}
}
