package flexroles

import "testing"

// TestInsightsOfIsTheUnion checks the set arithmetic of insightsOf against
// the role table, for every set of roles: each capability is the highest
// any wfo.* role grants, and Insights opens only for admin or supervisor
// with a wfo.* role.
func TestInsightsOfIsTheUnion(t *testing.T) {
	for s := roleSet(0); s < 1<<roleCount; s++ {
		var want Insights
		if s&insightsGate != 0 && s&wfoRoles != 0 {
			want.Enabled = true
			for i := 0; i < roleCount; i++ {
				if s&(1<<i) == 0 {
					continue
				}
				c := capabilityAt(i)
				want.PlayCalls = want.PlayCalls || c.PlayCalls
				want.ExportCalls = want.ExportCalls || c.ExportCalls
				want.AssessCalls = max(want.AssessCalls, c.AssessCalls)
				want.Questionnaires = want.Questionnaires || c.Questionnaires
				want.Dashboards = max(want.Dashboards, c.Dashboards)
			}
		}
		if got := insightsOf(s); got != want {
			t.Fatalf("insightsOf(%s) = %+v, the table gives %+v", s, got, want)
		}
	}
}

// TestPrintableASCII puts every byte value at every position of a value:
// only 0x20 to 0x7e are plain text.
func TestPrintableASCII(t *testing.T) {
	base := []byte("abcdefghijklmnopqrstuvw")
	for c := 0; c < 256; c++ {
		for pos := 0; pos < len(base); pos++ {
			b := append([]byte(nil), base...)
			b[pos] = byte(c)
			want := c >= 0x20 && c < 0x7f
			if got := printableASCII(string(b)); got != want {
				t.Fatalf("printableASCII with byte %#x at %d = %v, want %v", c, pos, got, want)
			}
		}
	}
}
