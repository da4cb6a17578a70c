package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flexroles/flexroles/audit"
)

// FuzzAuditInput feeds arbitrary input to "flexroles audit --json": it never
// panics; the exit status is 0, 1 or 2; with 2 nothing is reported on
// stdout; otherwise every stdout line is one finding object with a rule, a
// level and a message, and the status is 1 exactly when a finding is an
// error. A finding's line is within the input.
func FuzzAuditInput(f *testing.F) {
	for _, pattern := range []string{"../../audit/testdata/*json", "../../examples/workers.ndjson"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil {
				f.Add(b)
			}
		}
	}
	for _, s := range []string{
		``,
		"\n \n",
		"\xEF\xBB\xBF[]",
		`[]`,
		`[{"sid":"WK1","attributes":{}}]`,
		"[\n" + `{"sid":"WK1","attributes":{}}` + "\n" + `{"sid":"WK2","attributes":{}}` + "\n]\n",
		`{"sid":"WK1","attributes":"{\"roles\":[\"agent\"]}"}` + "\n" + `{"sid":"WK2","attributes":"{bad"}` + "\n",
		`{"workers":[{"sid":"WK1","attributes":"{}"},` + "\n" + `{"sid":"WK2","attributes":"[]"}],"meta":{}}`,
		"{\n  \"sid\": \"WK1\",\n  \"attributes\": {\"roles\": [\"Admin\"]}\n}\n{\"sid\":\"WK2\",\"attributes\":{}}",
		`{"sid":"WK1","attributes":{"roles":["agent"],"roles":["admin"]}}`,
		`{"sid":"WK1","attributes":"{\"roles\":[\"agent\"]"}` + "\n" + `[1]` + "\n" + `"x"` + "\n",
		`{"workers":{},"meta":{}}`,
		`{"sid":"WK1"`,
		`[1,"a",null,{"attributes":7}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var stdout, stderr bytes.Buffer
		code := run([]string{"audit", "--json"}, bytes.NewReader(data), &stdout, &stderr)
		switch code {
		case exitOK, exitFailed:
		case exitUsage:
			// --json streams: findings of the workers read before the input
			// turned out unreadable may be on stdout, but stderr says why.
			if !bytes.HasPrefix(stderr.Bytes(), []byte("flexroles: audit: ")) {
				t.Fatalf("exit 2 without a reason on stderr: %q", stderr.Bytes())
			}
			return
		default:
			t.Fatalf("exit status %d", code)
		}
		lines := bytes.Count(data, []byte{'\n'}) + 1
		errorsSeen := false
		sc := bufio.NewScanner(bytes.NewReader(stdout.Bytes()))
		sc.Buffer(nil, 1<<26)
		for sc.Scan() {
			dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
			dec.DisallowUnknownFields()
			var fd audit.Finding
			if err := dec.Decode(&fd); err != nil || dec.More() {
				t.Fatalf("stdout line %q is not one finding object: %v", sc.Bytes(), err)
			}
			if fd.Rule == "" || fd.Message == "" || (fd.Level != audit.LevelError && fd.Level != audit.LevelWarning) {
				t.Fatalf("finding %+v lacks a rule, a message or a level", fd)
			}
			if fd.Line < 1 || fd.Line > lines {
				t.Fatalf("finding %+v: line %d outside the input's %d lines", fd, fd.Line, lines)
			}
			errorsSeen = errorsSeen || fd.Level == audit.LevelError
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		if errorsSeen != (code == exitFailed) {
			t.Fatalf("exit %d, error-level findings %v:\n%s", code, errorsSeen, stdout.Bytes())
		}
		if strings.Contains(stderr.String(), "panic") {
			t.Fatalf("stderr: %s", stderr.Bytes())
		}
	})
}
