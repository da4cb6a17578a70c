// Package audittest holds what the tests of package audit and of the
// command's audit verb share: the documented JSON form of a finding, its
// decoding, and the table report's summary line.
package audittest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Finding is the documented JSON form of one finding of audit --json
// (audit.JSONReport).
type Finding struct {
	Line         int    `json:"line"`
	SID          string `json:"sid"`
	FriendlyName string `json:"friendly_name"`
	Rule         string `json:"rule"`
	Level        string `json:"level"`
	Message      string `json:"message"`
}

// DecodeFindings decodes JSON report output, one finding per line, each
// with only the documented fields and a level and message.
func DecodeFindings(t testing.TB, out string) []Finding {
	t.Helper()
	var got []Finding
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields()
		var f Finding
		require.NoError(t, dec.Decode(&f), "output line %d is one finding: %s", n, sc.Text())
		require.False(t, dec.More(), "output line %d holds one object only: %s", n, sc.Text())
		require.Contains(t, []string{"error", "warning"}, f.Level, "output line %d", n)
		require.NotEmpty(t, f.Message, "output line %d", n)
		got = append(got, f)
	}
	require.NoError(t, sc.Err())
	return got
}

// SummaryLine is the last line of the table report for the counts given.
func SummaryLine(workers, withFindings, errors, warnings int) string {
	return fmt.Sprintf("%s audited: %d with findings, %s, %s\n",
		plural(workers, "worker"), withFindings, plural(errors, "error"), plural(warnings, "warning"))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// SID returns the SID of worker n of the test inputs.
func SID(n int) string { return fmt.Sprintf("WK%032x", n) }
