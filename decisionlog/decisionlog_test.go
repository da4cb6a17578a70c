package decisionlog_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/flexroles/flexroles/decisionlog"
)

const granted = `{"time":"2026-12-06T20:15:04.211Z","id":"6f1c0a9e2b7d4c13","mode":"shadow","identity":"lee.lead@owlbank.example","outcome":"granted",` +
	`"flex":{"granted":true,"roles":["agent"],"rules":[]},` +
	`"policy":{"granted":true,"roles":["supervisor","agent","wfo.team_leader"],"rules":[{"name":"team leads","grant":["supervisor","wfo.team_leader"]}]},` +
	`"policy_digest":"sha256:fac1","agree":false}`

// ExampleRead reads a decision log of one line and says what the policy
// would change.
func ExampleRead() {
	err := decisionlog.Read(strings.NewReader(granted+"\n"), func(line int, r *decisionlog.Record) error {
		fmt.Printf("line %d: %s received %v; the policy would give %v (agree %v)\n", line, r.Identity, r.Flex.Roles, r.Policy.Roles, *r.Agree)
		return nil
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// line 1: lee.lead@owlbank.example received [agent]; the policy would give [supervisor agent wfo.team_leader] (agree false)
}

// TestReadStrict: a line that is not a Record stops Read with its line
// number and the reason (rule 1).
func TestReadStrict(t *testing.T) {
	for _, tc := range []struct {
		name, line, want string
	}{
		{"an export's user", `{"email":"a@example.com","name":"A"}`, `no "time" field`},
		{"an unknown field", strings.Replace(granted, `{"time"`, `{"extra":1,"time"`, 1), `unknown field "extra"`},
		{"a wrong type", strings.Replace(granted, `"granted":true`, `"granted":"yes"`, 1), "cannot unmarshal"},
		{"an unknown mode", strings.Replace(granted, `"shadow"`, `"audit"`, 1), `mode "audit"`},
		{"an unknown outcome", strings.Replace(granted, `"outcome":"granted"`, `"outcome":"maybe"`, 1), `outcome "maybe"`},
		{"granted and refused", strings.Replace(granted, `"rules":[]}`, `"rules":[],"refused":{"kind":"denied","by":"sso.allow","message":"m"}}`, 1), "granted and refused"},
		{"no identity", strings.Replace(granted, `"lee.lead@owlbank.example"`, `""`, 1), "identity is empty"},
		{"not JSON", `{"time":`, "not a JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := 0
			err := decisionlog.Read(strings.NewReader(granted+"\n\n"+tc.line+"\n"+granted+"\n"), func(int, *decisionlog.Record) error { n++; return nil })
			var le *decisionlog.LineError
			if !errors.As(err, &le) || le.Line != 3 || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want line 3: …%s…", err, tc.want)
			}
			if n != 1 {
				t.Errorf("%d records before the bad line, want 1", n)
			}
		})
	}
	long := strings.Replace(granted, `"lee.lead@owlbank.example"`, `"`+strings.Repeat("x", decisionlog.MaxLine)+`"`, 1)
	var le *decisionlog.LineError
	if err := decisionlog.Read(strings.NewReader(long), func(int, *decisionlog.Record) error { return nil }); !errors.As(err, &le) || le.Line != 1 {
		t.Errorf("a line past MaxLine: %v", err)
	}
	stop := errors.New("stop")
	if err := decisionlog.Read(strings.NewReader(granted), func(int, *decisionlog.Record) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("each's error: %v", err)
	}
}
