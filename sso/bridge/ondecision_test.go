package bridge

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/flexroles/flexroles/decisionlog"
)

// decisions collects what OnDecision hands over.
type decisions struct {
	mu   sync.Mutex
	recs []decisionlog.Record
}

func (d *decisions) note(rec decisionlog.Record) {
	d.mu.Lock()
	d.recs = append(d.recs, rec)
	d.mu.Unlock()
}

func (d *decisions) all() []decisionlog.Record {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.recs)
}

// TestOnDecision: without a decision log, the function OnDecision sets gets
// one record per decided login, with the id the page shows, what Flex
// received and who refused; a replay, which decides nothing, gives none;
// OnDecision(nil) stops it.
func TestOnDecision(t *testing.T) {
	w := newWorld(t, nil)
	var got decisions
	w.bridge.OnDecision(got.note)

	w.login("lee", "")
	received, _ := w.flex.Last()
	b := w.browser("kim")
	up := w.upstreamResponse(b, "")
	refused := b.post(up.action, up.fields)
	if replay := b.post(up.action, up.fields); replay.status == 200 {
		t.Fatalf("the replay was not refused")
	}
	recs := got.all()
	if len(recs) != 2 {
		t.Fatalf("two decided logins and a replay gave %d records, want 2", len(recs))
	}
	if r := recs[0]; r.Outcome != decisionlog.Granted || !slices.Equal(r.Flex.Roles, received.Roles) || r.Identity != user("lee").Attributes["email"][0] {
		t.Errorf("lee's record: outcome %q, Flex roles %q (Flex received %q), identity %q", r.Outcome, r.Flex.Roles, received.Roles, r.Identity)
	}
	m := pageCorrelation.FindStringSubmatch(refused.body)
	if r := recs[1]; m == nil || r.ID != m[1] || r.Outcome != decisionlog.Refused || r.Flex.Refused == nil || r.Flex.Refused.By != `deny rule "offboarded"` {
		t.Errorf("kim's record %+v, page id %q", r, m)
	}

	w.bridge.OnDecision(nil)
	w.login("lee", "")
	if n := len(got.all()); n != 2 {
		t.Errorf("after OnDecision(nil) a login still gave a record: %d in all", n)
	}
}

// TestOnDecisionChangesNothing attacks the bridge through what OnDecision
// hands over: the function rewrites every slice, map and pointer of each
// record (roles, grants, refusal, agreement, attributes). The decision log
// still holds each line as handed over, the bridge's log line names none
// of the forged values, and the next login of the same user is decided and
// sent to Flex as the first was.
func TestOnDecisionChangesNothing(t *testing.T) {
	w, log := shadowWorld(t, ModeShadow, func(c *Config) { c.DecisionLogAttributes = true })
	var logged bytes.Buffer
	w.bridge.log = slog.New(slog.NewJSONHandler(&logged, nil))
	var handed []string // each record as handed over, before it was changed
	w.bridge.OnDecision(func(rec decisionlog.Record) {
		line, err := json.Marshal(rec)
		if err != nil {
			t.Error(err)
		}
		handed = append(handed, string(line))
		for _, d := range []*decisionlog.Decision{&rec.Flex, &rec.Policy} {
			for i := range d.Roles {
				d.Roles[i] = "admin"
			}
			for i := range d.Rules {
				d.Rules[i].Name = "forged"
				for j := range d.Rules[i].Grant {
					d.Rules[i].Grant[j] = "admin"
				}
			}
			if d.Refused != nil {
				d.Refused.Kind, d.Refused.By = "forged", "forged"
			}
		}
		if rec.Agree != nil {
			*rec.Agree = !*rec.Agree
		}
		for name, values := range rec.Attributes {
			for i := range values {
				values[i] = "Offboarded"
			}
			rec.Attributes[name] = append(values, "forged")
		}
		rec.Attributes["roles"] = []string{"admin"}
	})

	rosa := user("rosa")
	wantFlex, err := twilioAlone(rosa)
	if err != nil {
		t.Fatal(err)
	}
	wantPolicy, err := policyAlone(t, w.cfg.Policy, rosa)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if _, fp := w.login("rosa", ""); fp.status != 200 {
			t.Fatalf("login %d: Flex's page HTTP %d", i+1, fp.status)
		}
		if got, _ := w.flex.Last(); !slices.Equal(got.Roles, wantFlex) {
			t.Errorf("login %d: Flex received %q, want the IdP's %q", i+1, got.Roles, wantFlex)
		}
	}
	if strings.Contains(logged.String(), "admin") || strings.Contains(logged.String(), "forged") {
		t.Errorf("the bridge's log holds what the function wrote into its records:\n%s", logged.String())
	}
	recs := readDecisions(t, log)
	if len(recs) != 2 || len(handed) != 2 {
		t.Fatalf("%d lines, %d records handed over; want 2 each", len(recs), len(handed))
	}
	for i, r := range recs {
		line, _ := json.Marshal(r)
		if string(line) != handed[i] {
			t.Errorf("line %d is not the record handed over:\n%s\n%s", i+1, line, handed[i])
		}
		if !slices.Equal(r.Policy.Roles, wantPolicy) || !slices.Equal(r.Attributes["groups"], rosa.Attributes["groups"]) || r.Agree == nil || *r.Agree {
			t.Errorf("line %d: policy roles %q (want %q), groups %q, agree %v", i+1, r.Policy.Roles, wantPolicy, r.Attributes["groups"], r.Agree)
		}
	}
}

// TestCloneRecordSharesNothing: a record with every field filled in, once
// cloned, does not change when everything reachable from the clone is
// rewritten (its roles, rules and grants, refusals, agreement and
// attribute values).
func TestCloneRecordSharesNothing(t *testing.T) {
	agree := true
	side := func(who string) decisionlog.Decision {
		return decisionlog.Decision{Granted: true, Roles: []string{"agent", "wfo.team_leader"},
			Rules:           []decisionlog.Rule{{Name: who + " rule", Grant: []string{"agent"}}, {Name: "leads", Grant: []string{"wfo.team_leader"}}},
			DefaultInsights: "enabled", Refused: &decisionlog.Refusal{Kind: "deny", By: `deny rule "x"`, Message: "refused"}}
	}
	rec := decisionlog.Record{ID: "id", Mode: "shadow", Identity: "ana@example.com", Outcome: decisionlog.Refused,
		Flex: side("flex"), Policy: side("policy"), PolicyDigest: "sha256:00", Agree: &agree,
		Attributes: map[string][]string{"groups": {"CC-Agents", "QA"}, "email": {"ana@example.com"}}}
	before, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	clone := cloneRecord(rec)
	if n := scribble(reflect.ValueOf(&clone)); n < 20 {
		t.Fatalf("only %d fields rewritten; the walk reaches too little to test anything", n)
	}
	if after, _ := json.Marshal(rec); !bytes.Equal(after, before) {
		t.Errorf("rewriting the clone changed the record:\n%s\nwas\n%s", after, before)
	}
}
