package bridge

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crewjam/saml"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/decisionlog"
	"github.com/flexroles/flexroles/sso/samltest"
)

// shadowWorld is a world whose bridge runs in mode, writing its decision
// log to a file it returns.
func shadowWorld(t *testing.T, mode Mode, edit func(*Config)) (*world, string) {
	t.Helper()
	log := filepath.Join(t.TempDir(), "decisions.ndjson")
	w := newWorld(t, func(c *Config) {
		c.Mode, c.DecisionLog = mode, log
		if edit != nil {
			edit(c)
		}
	})
	t.Cleanup(func() { _ = w.bridge.Close() })
	return w, log
}

// readDecisions reads every line of the decision log at path strictly.
func readDecisions(t *testing.T, path string) []*decisionlog.Record {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []*decisionlog.Record
	if err := decisionlog.Read(f, func(_ int, r *decisionlog.Record) error { out = append(out, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func user(login string) samltest.User {
	return testUsers[slices.IndexFunc(testUsers, func(u samltest.User) bool { return u.Login == login })]
}

// twilioAlone is what Flex makes of the user's own roles attribute,
// resolved here by Twilio's rules from the IdP's attributes.
func twilioAlone(u samltest.User) ([]string, error) {
	d, err := flexroles.Resolve(flexroles.Login{Source: flexroles.SSO, Attributes: map[string][]string{
		"roles": u.Attributes["roles"], "email": u.Attributes["email"], "full_name": u.Attributes["full_name"]}})
	return d.RoleStrings(), err
}

// policyAlone is what the policy file at path decides for the user.
func policyAlone(t *testing.T, path string, u samltest.User) ([]string, error) {
	t.Helper()
	p, err := flexroles.LoadPolicyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d, err := p.Resolve(flexroles.Login{Source: flexroles.SSO, Attributes: u.Attributes})
	return d.RoleStrings(), err
}

var pageNonce = regexp.MustCompile(`nonce="[^"]*"`)

// samePage is a refusal page without what differs between two answers:
// its correlation id and CSP nonce.
func samePage(body string) string {
	if m := pageCorrelation.FindStringSubmatch(body); m != nil {
		body = strings.ReplaceAll(body, m[1], "ID")
	}
	return pageNonce.ReplaceAllString(body, "")
}

// TestShadowModeChangesNothingFlexReceives runs the same logins through a
// bridge in shadow mode and one in enforce mode: in shadow mode Flex
// receives what the IdP's roles attribute gives by Twilio's rules alone
// (or, when Twilio's rules refuse, the same refusal page as enforce mode),
// while the decision log records the policy's decision, which enforce mode
// sends. Every login leaves one line.
func TestShadowModeChangesNothingFlexReceives(t *testing.T) {
	for _, policy := range []string{"../../examples/policy.yaml", "testdata/rules-only-policy.yaml"} {
		t.Run(filepath.Base(policy), func(t *testing.T) {
			setPolicy := func(c *Config) { c.Policy = policy }
			shadow, shadowLog := shadowWorld(t, ModeShadow, setPolicy)
			enforce, enforceLog := shadowWorld(t, ModeEnforce, setPolicy)
			users := []string{"ana", "rosa", "ray", "sam", "rex", "alex", "kim"}
			for _, login := range users {
				u := user(login)
				sb, sf := shadow.login(login, "")
				eb, ef := enforce.login(login, "")

				wantFlex, flexErr := twilioAlone(u)
				if flexErr != nil {
					if sf.status != 0 || sb.status != http.StatusForbidden {
						t.Errorf("%s: Twilio's rules refuse the IdP's roles (%v), yet the shadow bridge answered HTTP %d and Flex %d", login, flexErr, sb.status, sf.status)
					}
					if want := "<code>" + flexroles.ErrorKindName(flexErr) + "</code>"; !strings.Contains(sb.body, want) {
						t.Errorf("%s: the shadow refusal page does not name kind %s:\n%s", login, want, sb.body)
					}
				} else {
					got, _ := shadow.flex.Last()
					if sf.status != http.StatusOK || !slices.Equal(got.Roles, wantFlex) {
						t.Errorf("%s: in shadow mode Flex received %q (HTTP %d), want the IdP's roles as Twilio reads them %q", login, got.Roles, sf.status, wantFlex)
					}
				}
				wantPolicy, policyErr := policyAlone(t, policy, u)
				if policyErr == nil {
					got, _ := enforce.flex.Last()
					if ef.status != http.StatusOK || !slices.Equal(got.Roles, wantPolicy) {
						t.Errorf("%s: in enforce mode Flex received %q (HTTP %d), want the policy's %q", login, got.Roles, ef.status, wantPolicy)
					}
				} else if ef.status != 0 || eb.status != http.StatusForbidden {
					t.Errorf("%s: the policy refuses (%v), yet enforce mode answered %d/%d", login, policyErr, eb.status, ef.status)
				}
				if flexErr != nil && policyErr != nil && flexroles.ErrorKindName(flexErr) == flexroles.ErrorKindName(policyErr) {
					// Refused by Twilio's rules in both modes: the same page,
					// but for its correlation id.
					if a, b := samePage(sb.body), samePage(eb.body); a != b {
						t.Errorf("%s: the refusal pages of shadow and enforce mode differ:\n%s\n---\n%s", login, a, b)
					}
				}
			}

			sl, el := readDecisions(t, shadowLog), readDecisions(t, enforceLog)
			if len(sl) != len(users) || len(el) != len(users) {
				t.Fatalf("%d logins left %d shadow and %d enforce decision-log lines, want one each", len(users), len(sl), len(el))
			}
			var agreed, disagreed int
			for i, login := range users {
				s, e := sl[i], el[i]
				if s.Identity != user(login).Attributes["email"][0] || e.Identity != s.Identity {
					t.Errorf("%s: identities %q and %q, want the NameID", login, s.Identity, e.Identity)
				}
				if !slices.Equal(s.Policy.Roles, e.Policy.Roles) || (s.Policy.Refused == nil) != (e.Policy.Refused == nil) {
					t.Errorf("%s: the policy decided %q in shadow mode and %q in enforce mode", login, s.Policy.Roles, e.Policy.Roles)
				}
				if e.Agree != nil || s.Agree == nil {
					t.Fatalf("%s: agree is for shadow mode only: shadow %v, enforce %v", login, s.Agree, e.Agree)
				}
				if !slices.Equal(e.Flex.Roles, e.Policy.Roles) && e.Policy.Granted && e.Flex.Granted {
					t.Errorf("%s: in enforce mode Flex received %q, the policy decided %q", login, e.Flex.Roles, e.Policy.Roles)
				}
				wantFlex, flexErr := twilioAlone(user(login))
				if !slices.Equal(s.Flex.Roles, append([]string{}, wantFlex...)) || s.Flex.Granted != (flexErr == nil) {
					t.Errorf("%s: the shadow log says Flex received %q, want %q", login, s.Flex.Roles, wantFlex)
				}
				agree := s.Policy.Granted == s.Flex.Granted && slices.Equal(s.Policy.Roles, s.Flex.Roles)
				if *s.Agree != agree {
					t.Errorf("%s: agree %v, but Flex received %q and the policy decided %q", login, *s.Agree, s.Flex.Roles, s.Policy.Roles)
				}
				if agree {
					agreed++
				} else {
					disagreed++
				}
				if s.PolicyDigest != shadow.bridge.policyInForce().Digest() || !strings.HasPrefix(s.PolicyDigest, "sha256:") {
					t.Errorf("policy_digest %q, want the policy's %q", s.PolicyDigest, shadow.bridge.policyInForce().Digest())
				}
			}
			if agreed == 0 || disagreed == 0 {
				t.Fatalf("the users should both agree and disagree with the policy: %d agreed, %d did not", agreed, disagreed)
			}
			metrics := shadow.bridge.stats.text()
			for _, want := range []string{
				`flexroles_bridge_shadow_logins_total{agree="true"} ` + strconv.Itoa(agreed) + "\n",
				`flexroles_bridge_shadow_logins_total{agree="false"} ` + strconv.Itoa(disagreed) + "\n",
			} {
				if !strings.Contains(metrics, want) {
					t.Errorf("metrics lack %q:\n%s", want, metrics)
				}
			}
			if strings.Contains(enforce.bridge.stats.text(), "shadow") {
				t.Error("a bridge in enforce mode writes shadow metrics")
			}
		})
	}
}

// TestShadowDisagreementKinds: each kind of disagreement is counted for
// the login that shows it: rosa gains (the team leads rule), sam loses
// supervisor (the rules alone make sam an agent), ray's admin from the IdP
// is outside the allow list (refused_by_policy).
func TestShadowDisagreementKinds(t *testing.T) {
	for _, tc := range []struct {
		policy, user, kind string
	}{
		{"../../examples/policy.yaml", "rosa", "gain"},
		{"testdata/rules-only-policy.yaml", "sam", "loss"},
		{"../../examples/policy.yaml", "ray", "refused_by_policy"},
	} {
		t.Run(tc.user, func(t *testing.T) {
			w, log := shadowWorld(t, ModeShadow, func(c *Config) { c.Policy = tc.policy })
			_, fp := w.login(tc.user, "")
			if fp.status != http.StatusOK {
				t.Fatalf("Flex did not receive the IdP's roles: HTTP %d", fp.status)
			}
			metrics := w.bridge.stats.text()
			for _, kind := range disagreementKinds {
				want := `flexroles_bridge_shadow_disagreements_total{kind="` + kind + `"} 0`
				if kind == tc.kind {
					want = want[:len(want)-1] + "1"
				}
				if !strings.Contains(metrics, want+"\n") {
					t.Errorf("metrics lack %q:\n%s", want, metrics)
				}
			}
			recs := readDecisions(t, log)
			if len(recs) != 1 || *recs[0].Agree {
				t.Fatalf("want one disagreeing line, got %d", len(recs))
			}
			if tc.kind == "refused_by_policy" && (recs[0].Policy.Refused == nil || recs[0].Policy.Refused.By != "sso.allow") {
				t.Errorf("the policy's refusal is %+v, want by sso.allow", recs[0].Policy.Refused)
			}
		})
	}
}

// TestDecisionLogOneLinePerLogin: decided logins each leave exactly one
// line with the id their page shows; a response that fails verification
// (a replay) decides nothing and leaves none; concurrent logins write
// whole lines.
func TestDecisionLogOneLinePerLogin(t *testing.T) {
	w, log := shadowWorld(t, ModeEnforce, nil)
	var ids []string
	for _, login := range []string{"alex", "kim", "nomail"} {
		b := w.browser(login)
		up := w.upstreamResponse(b, "")
		bp := b.post(up.action, up.fields)
		if m := pageCorrelation.FindStringSubmatch(bp.body); m != nil {
			ids = append(ids, m[1])
		} else {
			ids = append(ids, "")
		}
		if login == "alex" {
			if replay := b.post(up.action, up.fields); replay.status != http.StatusForbidden {
				t.Fatalf("the replay was not refused: HTTP %d", replay.status)
			}
		}
	}
	recs := readDecisions(t, log)
	if len(recs) != 3 {
		t.Fatalf("3 decided logins and a replay left %d lines, want 3", len(recs))
	}
	for i, r := range recs {
		if ids[i] != "" && r.ID != ids[i] {
			t.Errorf("line %d has id %q, the page showed %q", i+1, r.ID, ids[i])
		}
	}
	if recs[0].Outcome != "granted" || recs[1].Outcome != "refused" || recs[1].Policy.Refused.By != `deny rule "offboarded"` {
		t.Errorf("outcomes %q, %q (%+v)", recs[0].Outcome, recs[1].Outcome, recs[1].Policy.Refused)
	}

	const n = 12
	var wg sync.WaitGroup
	var busy atomic.Int32 // past max_verifications: refused before any decision
	for i := range n {
		wg.Go(func() {
			if bp, _ := w.login([]string{"alex", "lee", "kim"}[i%3], ""); bp.status == http.StatusServiceUnavailable {
				busy.Add(1)
			}
		})
	}
	wg.Wait()
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	if want := 3 + n - int(busy.Load()); len(lines) != want || want < 5 {
		t.Fatalf("%d more logins (%d of them busy) made %d lines in all, want %d", n, busy.Load(), len(lines), want)
	}
	for i, l := range lines {
		var r decisionlog.Record
		if err := json.Unmarshal(l, &r); err != nil || r.ID == "" {
			t.Fatalf("line %d is not a whole record (%v): %s", i+1, err, l)
		}
	}
}

// TestDecisionLogReopen: after the file is moved away, ReopenLog makes the
// bridge write to a new file at the path; the moved file keeps its lines.
func TestDecisionLogReopen(t *testing.T) {
	w, log := shadowWorld(t, ModeShadow, nil)
	w.login("ana", "")
	if err := os.Rename(log, log+".1"); err != nil {
		t.Fatal(err)
	}
	w.login("rosa", "")
	if err := w.bridge.ReopenLog(); err != nil {
		t.Fatal(err)
	}
	w.login("sam", "")
	old, cur := readDecisions(t, log+".1"), readDecisions(t, log)
	if len(old) != 2 || len(cur) != 1 || cur[0].Identity != "sam.roles@owlbank.example" {
		t.Fatalf("the rotated file has %d lines and the new one %d, want 2 and 1 (sam's)", len(old), len(cur))
	}
	info, err := os.Stat(log)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the new decision log has mode %v (%v), want 0600: its lines name users", info.Mode().Perm(), err)
	}
}

// TestDecisionLogPersonalData: by default the lines carry no attribute
// values but roles and the identity; with redact_identity the identity is
// a pseudonym, the same for the same user and different for another; with
// decision_log_attributes the attributes are there, as received.
func TestDecisionLogPersonalData(t *testing.T) {
	w, log := shadowWorld(t, ModeShadow, func(c *Config) { c.RedactIdentity = true })
	for _, login := range []string{"rosa", "typo", "rosa", "ana"} {
		w.login(login, "")
	}
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range testUsers {
		for name, values := range u.Attributes {
			for _, v := range values {
				if name != "roles" && name != "groups" && len(v) > 3 && bytes.Contains(data, []byte(v)) {
					t.Errorf("the redacted decision log holds %s's %s value %q", u.Login, name, v)
				}
			}
		}
	}
	recs := readDecisions(t, log)
	if recs[0].Identity != recs[2].Identity || recs[0].Identity == recs[3].Identity || !strings.HasPrefix(recs[0].Identity, "hmac-sha256:") {
		t.Errorf("pseudonyms %q %q %q: want one per user, stable", recs[0].Identity, recs[2].Identity, recs[3].Identity)
	}

	w, log = shadowWorld(t, ModeShadow, func(c *Config) { c.DecisionLogAttributes = true })
	w.login("rosa", "")
	recs = readDecisions(t, log)
	if got := recs[0].Attributes; !slices.Equal(got["department"], []string{"Sales"}) || !slices.Equal(got["groups"], []string{"CC-Leads"}) {
		t.Errorf("attributes %v, want rosa's as the IdP sent them", got)
	}
}

// TestDecisionLogSchema checks real lines, from both modes, redacted and
// with attributes, against docs/decision-log.schema.json: every field the
// schema requires is there with its type, and nothing it does not know.
// The schema's subset used (type, required, properties,
// additionalProperties, items, enum, pattern, format date-time) is checked
// by a small validator here; a keyword outside it fails the test.
func TestDecisionLogSchema(t *testing.T) {
	raw, err := os.ReadFile("../../docs/decision-log.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	var lines [][]byte
	for _, edit := range []func(*Config){
		func(c *Config) { c.Mode = ModeShadow },
		func(c *Config) { c.Mode = ModeEnforce },
		func(c *Config) { c.Mode, c.RedactIdentity = ModeShadow, true },
		func(c *Config) { c.Mode, c.DecisionLogAttributes = ModeShadow, true },
	} {
		w, log := shadowWorld(t, "", edit)
		for _, login := range []string{"rosa", "ray", "rex", "kim", "typo", "sam"} { // sam's supervisor gets default_insights
			w.login(login, "")
		}
		f, err := os.Open(log)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			lines = append(lines, slices.Clone(sc.Bytes()))
		}
		_ = f.Close()
	}
	if len(lines) != 24 || !bytes.Contains(bytes.Join(lines, nil), []byte(`"default_insights":"wfo.dashboard_viewer"`)) {
		t.Fatalf("%d lines, want 24, one with default_insights", len(lines))
	}
	// The example line of docs/bridge.md too.
	lines = append(lines, []byte(strings.TrimSpace(docBlock(t, "## The decision log", "json"))))
	for i, l := range lines {
		var v any
		d := json.NewDecoder(bytes.NewReader(l))
		d.UseNumber()
		if err := d.Decode(&v); err != nil {
			t.Fatal(err)
		}
		if err := validate(schema, v, "$"); err != nil {
			t.Errorf("line %d: %v\n%s", i+1, err, l)
		}
	}
	// The validator must be able to fail: a line without a required field,
	// one with an unknown field and one with a wrong type.
	for _, broken := range []string{
		strings.Replace(string(lines[0]), `"outcome":`, `"result":`, 1),
		strings.Replace(string(lines[0]), `{"time"`, `{"extra":1,"time"`, 1),
		strings.Replace(string(lines[0]), `"granted":true`, `"granted":"yes"`, 1),
	} {
		var v any
		if err := json.Unmarshal([]byte(broken), &v); err != nil {
			t.Fatal(err)
		}
		if validate(schema, v, "$") == nil {
			t.Errorf("the schema accepts a broken line: %s", broken)
		}
	}
}

// BenchmarkDecision is what the bridge does after verifying a login and
// before signing for Flex, per mode and decision log: resolve with the
// policy (and in shadow mode by Twilio's rules alone too), and write the
// decision-log line. BenchmarkLogin is the whole login around it.
func BenchmarkDecision(b *testing.B) {
	login := flexroles.Login{Source: flexroles.SSO, Attributes: user("rosa").Attributes, Identity: "rosa.roles@owlbank.example"}
	for _, bc := range []struct {
		name string
		edit func(*Config)
	}{
		{"enforce", nil},
		{"enforce-log", func(c *Config) { c.DecisionLog = filepath.Join(b.TempDir(), "d.ndjson") }},
		{"shadow-log", func(c *Config) { c.Mode, c.DecisionLog = ModeShadow, filepath.Join(b.TempDir(), "d.ndjson") }},
		{"shadow-log-attributes", func(c *Config) {
			c.Mode, c.DecisionLog, c.DecisionLogAttributes = ModeShadow, filepath.Join(b.TempDir(), "d.ndjson"), true
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			w := newWorld(b, bc.edit)
			defer w.bridge.Close()
			p := w.bridge.policyInForce()
			b.ReportAllocs()
			for b.Loop() {
				dc := w.bridge.decide(p, login, p.ReadAsFlex(login))
				w.bridge.record("0123456789abcdef", dc, outcomeGranted, nil, login.Identity)
			}
		})
	}
}

// TestDecisionLogFailure: a line that cannot be written (here the file is
// closed under the bridge, as a full disk fails a write) does not refuse
// the login; it is logged and counted.
func TestDecisionLogFailure(t *testing.T) {
	w, _ := shadowWorld(t, ModeEnforce, nil)
	if !strings.Contains(w.bridge.stats.text(), "flexroles_bridge_decision_log_failures_total 0\n") {
		t.Fatalf("metrics:\n%s", w.bridge.stats.text())
	}
	if err := w.bridge.decisions.f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, fp := w.login("alex", ""); fp.status != http.StatusOK {
		t.Fatalf("the login was not granted: HTTP %d", fp.status)
	}
	if !strings.Contains(w.bridge.stats.text(), "flexroles_bridge_decision_log_failures_total 1\n") {
		t.Errorf("the failed line is not counted:\n%s", w.bridge.stats.text())
	}
}

// TestDecisionLogNoAuthnContext: a login answered NoAuthnContext (the IdP
// did not authenticate the user as Flex asked) leaves its one line too:
// Flex received no roles, refused as authn_context, while the policy's
// decision is recorded.
func TestDecisionLogNoAuthnContext(t *testing.T) {
	w, log := shadowWorld(t, ModeEnforce, nil)
	w.flex.SAML.RequestedAuthnContext = &saml.RequestedAuthnContext{AuthnContextClassRefs: []string{classMFA}}
	w.idp.SAML.AssertionMaker = authnBy(classPassword, time.Now().Add(-time.Minute), time.Time{})
	if bp, _ := w.login("lee", ""); bp.fields.Get("SAMLResponse") == "" {
		t.Fatalf("no NoAuthnContext response to Flex: HTTP %d", bp.status)
	}
	recs := readDecisions(t, log)
	if len(recs) != 1 {
		t.Fatalf("%d lines, want 1", len(recs))
	}
	r := recs[0]
	if r.Outcome != "refused" || r.Flex.Granted || r.Flex.Refused == nil || r.Flex.Refused.Kind != "authn_context" || !r.Policy.Granted {
		t.Errorf("outcome %q, flex %+v (refused %+v), policy granted %v", r.Outcome, r.Flex, r.Flex.Refused, r.Policy.Granted)
	}
}
