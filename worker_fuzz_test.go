package flexroles_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/flexroles/flexroles"
)

// fuzzWorkerSeeds are worker attributes the fuzz targets start from.
var fuzzWorkerSeeds = []string{
	``,
	`{}`,
	` { } `,
	typicalWorker,
	`{"roles":["agent","admin"],"routing":{"skills":["fr"]},"big":123456789012345678901234567890,"f":1.5e300}`,
	`{"roles":"agent","role":"Team Lead","contact_uri":"","skill":7,"languages":["en"]}`,
	`{"contact_uri":null,"email":"x@y.z","nested":{"a":{"b":[1,2,{"c":null}]}}}`,
	`{"a\u0062":1,"ab":2}`,
	`{"roles":1,"roles":2}`,
	`{"\u00e9":"\ud83d\ude00","\ud800":"x","key\"q":"\\"}`,
	"{\"\xff\":1}",
	`{"roles":["flex.readteams","flex.readonlyadmin","wfo.quality_manager"],"contact_uri":"client:a.b","email":"a.b"}`,
	`{"roles":["supervisor","wfo.dashboards_viewer","supervisor"],"contact_uri":"client:a_2Eb_40c","email":"a.b@c"}`,
	`[]`,
	`{"a":1,}`,
	`{"a":1}x`,
}

// fuzzLogin builds a login for FuzzWorkerAttributes. roles "console:R|R"
// makes a Console login with those Console roles (and values as its
// identity); otherwise it is an SSO login with roles split on '|', a valid
// email and full_name, and the attribute name with values split on '|' (no
// value at all when values is empty).
func fuzzLogin(name, values, roles string) flexroles.Login {
	if rest, ok := strings.CutPrefix(roles, "console:"); ok {
		l := flexroles.Login{Source: flexroles.Console, Identity: values}
		for _, r := range strings.Split(rest, "|") {
			l.ConsoleRoles = append(l.ConsoleRoles, flexroles.ConsoleRole(r))
		}
		if name == "roles" {
			l.Attributes = map[string][]string{"roles": strings.Split(values, "|")}
		}
		return l
	}
	attrs := map[string][]string{
		"roles":     strings.Split(roles, "|"),
		"email":     {"jane.doe@example.com"},
		"full_name": {"Jane Doe"},
	}
	if name != "" {
		var vs []string
		if values != "" {
			vs = strings.Split(values, "|")
		}
		attrs[name] = vs
	}
	return flexroles.Login{Source: flexroles.SSO, Attributes: attrs}
}

// storedKey is the worker key an assertion attribute name writes, as SPEC §3
// describes typed names: "skill.int" stores "skill".
func storedKey(name string) string {
	dot := strings.LastIndexByte(name, '.')
	if dot <= 0 {
		return name
	}
	switch name[dot+1:] {
	case "string", "int", "boolean", "stringarray", "intarray", "booleanarray":
		return name[:dot]
	}
	return name
}

// jsonObjectKeys returns the top-level keys of a JSON object in input order
// and its values, as encoding/json decodes them, or ok false when b is not
// a JSON object.
func jsonObjectKeys(b []byte) (keys []string, values []json.RawMessage, ok bool) {
	if !json.Valid(b) {
		return nil, nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, nil, false
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, false
		}
		k, isString := tok.(string)
		if !isString {
			return nil, nil, false
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, false
		}
		keys, values = append(keys, k), append(values, v)
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, false
	}
	return keys, values, true
}

// jsonObjectDistinct reports whether b is a JSON object with distinct keys,
// by encoding/json's reading: Valid, decodes into a map of raw messages, and
// no key (decoded) twice.
func jsonObjectDistinct(b []byte) bool {
	var m map[string]json.RawMessage
	if !json.Valid(b) || json.Unmarshal(b, &m) != nil || m == nil {
		return false
	}
	keys, _, ok := jsonObjectKeys(b)
	if !ok {
		return false
	}
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		if seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}

// decodeNumber decodes a JSON value with UseNumber, so numbers compare by
// their text.
func decodeNumber(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decoding %q: %v", b, err)
	}
	return v
}

// FuzzWorkerAttributes checks WorkerAttributes on arbitrary current
// attributes and logins: no panic; on error a nil result; on success a JSON
// object with sorted, distinct keys, the decision's roles, every key of
// current the login does not write kept with an equal value, no key from
// nowhere, and a second application giving the same bytes. A refused login's
// zero Decision is never written.
func FuzzWorkerAttributes(f *testing.F) {
	logins := []struct{ name, values, roles string }{
		{"", "", "agent"},
		{"department", "Sales", "supervisor|wfo.team_leader"},
		{"skill.int", "7", "agent"},
		{"skill.int", "", "agent"},
		{"skill.int", "x", "agent"},
		{"languages.stringarray", "en, fr|de", "agent,admin"},
		{"flags.booleanarray", "TRUE,false", "agent"},
		{"level.intarray", "1,-2, 3", "admin"},
		{"contact_uri", "", "agent"},
		{"contact_uri", "sip:a@b.c", "agent"},
		{"email", "a.b_c@d.e", "agent"},
		{"email", "", "agent"},
		{"note.string", "a|b", "agent"},
		{"routing", "x", "agent"},
		{"roles.stringarray", "admin", "agent"},
		{"roles", "admin", "console:Support"},
		{"", "support@example.com", "console:Owner"},
		{"", "", "console:Billing Manager"},
		{"x", "", "agent"},
		{"x", "||", "agent"},
	}
	for i, s := range fuzzWorkerSeeds {
		l := logins[i%len(logins)]
		f.Add([]byte(s), l.name, l.values, l.roles)
	}
	for _, l := range logins {
		f.Add([]byte(typicalWorker), l.name, l.values, l.roles)
	}
	f.Fuzz(func(t *testing.T, current []byte, name, values, roles string) {
		l := fuzzLogin(name, values, roles)
		d, err := flexroles.Resolve(l)
		if err != nil {
			out, err := flexroles.WorkerAttributes(current, l, flexroles.Decision{})
			if err == nil || out != nil {
				t.Fatalf("a refused login's zero Decision was written: %q, %v", out, err)
			}
			return
		}
		out, err := flexroles.WorkerAttributes(current, l, d)
		if err != nil {
			if out != nil {
				t.Fatalf("error %v with a result %q", err, out)
			}
			var e *flexroles.Error
			if !errors.As(err, &e) || !strings.HasPrefix(err.Error(), "flexroles: ") {
				t.Fatalf("error %v is not a flexroles *Error", err)
			}
			return
		}

		trimmed := bytes.TrimSpace(current)
		if len(trimmed) > 0 && !jsonObjectDistinct(trimmed) {
			t.Fatalf("current %q is not a JSON object with distinct keys, yet WorkerAttributes wrote %q", current, out)
		}
		if !json.Valid(out) {
			t.Fatalf("output is not valid JSON: %q", out)
		}
		outKeys, outValues, ok := jsonObjectKeys(out)
		if !ok {
			t.Fatalf("output is not a JSON object: %q", out)
		}
		for i := 1; i < len(outKeys); i++ {
			if outKeys[i-1] >= outKeys[i] {
				t.Fatalf("output keys not sorted and distinct: %q before %q in %q", outKeys[i-1], outKeys[i], out)
			}
		}
		outByKey := make(map[string]json.RawMessage, len(outKeys))
		for i, k := range outKeys {
			outByKey[k] = outValues[i]
		}
		var gotRoles []string
		if err := json.Unmarshal(outByKey["roles"], &gotRoles); err != nil || !slices.Equal(gotRoles, d.RoleStrings()) {
			t.Fatalf("output roles %s, decision's roles %q (%v)", outByKey["roles"], d.RoleStrings(), err)
		}

		written := map[string]bool{"roles": true}
		if l.Source == flexroles.SSO {
			for n := range l.Attributes {
				written[storedKey(n)] = true
			}
		}
		var curKeys []string
		var curValues []json.RawMessage
		if len(trimmed) > 0 {
			curKeys, curValues, _ = jsonObjectKeys(trimmed)
		}
		curByKey := make(map[string]json.RawMessage, len(curKeys))
		for i, k := range curKeys {
			curByKey[k] = curValues[i]
		}
		if v, ok := curByKey["contact_uri"]; !ok || string(v) == `""` || string(v) == "null" {
			written["contact_uri"] = true
		}
		for k, v := range curByKey {
			if written[k] {
				continue
			}
			got, ok := outByKey[k]
			if !ok {
				t.Fatalf("key %q of current is gone from %q", k, out)
			}
			if !reflect.DeepEqual(decodeNumber(t, v), decodeNumber(t, got)) {
				t.Fatalf("key %q: current %s, output %s", k, v, got)
			}
		}
		for _, k := range outKeys {
			if _, ok := curByKey[k]; !ok && !written[k] {
				t.Fatalf("output key %q comes from neither current %q nor the login", k, current)
			}
		}

		again, err := flexroles.WorkerAttributes(out, l, d)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("not idempotent:\nfirst  %q\nsecond %q (%v)", out, again, err)
		}
	})
}

// checkWorkerRules are the rule ids CheckWorker's doc comment lists, each
// with whether the doc marks it a warning (W).
var checkWorkerRules = map[string]bool{
	"worker.roles.missing":         false,
	"worker.roles.singular":        true,
	"worker.roles.not_array":       false,
	"worker.roles.unknown":         false,
	"worker.roles.duplicate":       true,
	"worker.roles.no_flex_role":    false,
	"worker.readonly.mixed":        false,
	"worker.console.sso_only_role": false,
	"worker.insights.agent_wfo":    true,
	"worker.insights.no_wfo":       true,
	"worker.contact_uri.unescaped": false,
	"worker.contact_uri.mismatch":  true,
}

// FuzzCheckWorker checks that CheckWorker never panics, refuses exactly the
// input that is not a JSON object with distinct keys (as encoding/json
// reads it), reports only the documented rule ids with their documented
// level, and gives the same answer twice.
func FuzzCheckWorker(f *testing.F) {
	for _, s := range fuzzWorkerSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"role":"Team Lead"}`))
	f.Add([]byte(`{"roles":["Admin","agent","agent"],"contact_uri":"client:a_2eb","email":"a.b"}`))
	f.Add([]byte(`{"roles":["admin"],"contact_uri":"client:jane_2Edoe_40example_2Ecom","email":" jane.doe@example.com "}`))
	f.Add([]byte(`{"roles":["flex.readonlyadmin"],"contact_uri":"client:","email":""}`))
	f.Add([]byte(`{"roles":["agent","wfo.full_access"],"contact_uri":"client:_41","email":"A"}`))
	f.Add([]byte(`{"roles":[],"rol\u0065s":[]}`))
	f.Fuzz(func(t *testing.T, attributes []byte) {
		reasons, err := flexroles.CheckWorker(attributes)
		want := jsonObjectDistinct(attributes)
		if (err == nil) != want {
			t.Fatalf("CheckWorker(%q): error %v, but encoding/json says a JSON object with distinct keys is %v", attributes, err, want)
		}
		if err != nil {
			if reasons != nil || !errors.Is(err, flexroles.ErrInvalidWorker) {
				t.Fatalf("CheckWorker(%q): reasons %v with error %v", attributes, reasons, err)
			}
		}
		for _, r := range reasons {
			warning, ok := checkWorkerRules[r.Rule]
			if !ok {
				t.Fatalf("CheckWorker(%q): undocumented rule %q", attributes, r.Rule)
			}
			if r.Warning != warning || r.Message == "" {
				t.Fatalf("CheckWorker(%q): rule %q warning %v, documented %v, message %q", attributes, r.Rule, r.Warning, warning, r.Message)
			}
		}
		again, err2 := flexroles.CheckWorker(attributes)
		if !reflect.DeepEqual(reasons, again) || (err == nil) != (err2 == nil) || (err != nil && err.Error() != err2.Error()) {
			t.Fatalf("CheckWorker(%q) differs between calls: %v %v / %v %v", attributes, reasons, err, again, err2)
		}
	})
}
