package audit_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/flexroles/flexroles/audit"
)

// ExampleAuditor_Run audits an NDJSON file of three workers: a clean agent,
// a worker with a role Flex does not know, and a line that is not JSON.
func ExampleAuditor_Run() {
	workers := `{"sid":"WK01","friendly_name":"ana","attributes":"{\"roles\":[\"agent\"],\"email\":\"ana@example.com\",\"full_name\":\"Ana\"}"}
{"sid":"WK02","friendly_name":"bo","attributes":{"roles":["Admin"]}}
{"sid":"WK03","attributes":
`
	var a audit.Auditor
	report := audit.NewTableReport()
	stats, err := a.Run(audit.NewFile(strings.NewReader(workers)), func(f []audit.Finding, _ int) error {
		return report.Add(f)
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := report.Finish(os.Stdout, stats); err != nil {
		fmt.Println(err)
	}
	// Output:
	// error    audit.malformed  (1 finding)
	//     WK03  line 3
	//         cannot read this worker: not valid JSON
	//
	// error    worker.roles.no_flex_role  (1 finding)
	//     WK02  bo  line 2
	//         roles has no Flex role (admin, supervisor or agent): Flex opens nothing for it, and its next SSO login fails with error 45050 unless the IdP sends one
	//
	// error    worker.roles.unknown  (1 finding)
	//     WK02  bo  line 2
	//         unknown role "Admin" (did you mean "admin"?); Flex ignores it, and an SSO login that sends it is refused; roles are exact and case-sensitive
	//
	// 3 workers audited: 2 with findings, 3 errors, 0 warnings
}
