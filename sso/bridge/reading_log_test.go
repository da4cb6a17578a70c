package bridge

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/crewjam/saml"
)

// TestReadingTheLogDocumented runs the logins of docs/bridge.md's "Reading
// the log" examples and compares each documented line with the line the
// bridge writes: the same fields, and the same values but for the time,
// the id, the policy's digest and the login's random handle; and the section's table names every
// field.
func TestReadingTheLogDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/bridge.md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(doc)
	start := strings.Index(section, "\n## Reading the log\n")
	if start < 0 {
		t.Fatal(`docs/bridge.md has no section "Reading the log"`)
	}
	section = section[start+1:]
	if end := strings.Index(section, "\n## "); end > 0 {
		section = section[:end]
	}
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
			w.idp.idp.AssertionMaker = tamper(func(a *saml.Assertion) {
				a.Conditions.AudienceRestrictions[0].Audience.Value = "https://other-sp.example/metadata"
				a.Subject.SubjectConfirmations[0].SubjectConfirmationData.Recipient = "https://other-sp.example/acs"
			})
			defer func() { w.idp.idp.AssertionMaker = nil }()
			w.login("alex", "")
		},
		"state": func() {
			b := w.browser("alex")
			up := w.upstreamResponse(b, "")
			acs, _ := url.Parse(up.action)
			cookies := b.jar.Cookies(acs)
			b.post(up.action, up.fields)
			b.jar.SetCookies(acs, cookies) // the back button: the state cookie again
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
