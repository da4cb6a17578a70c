package assertion_test

import (
	"fmt"
	"os"
	"time"

	"github.com/flexroles/flexroles/sso/assertion"
)

// A service provider verifies a response it was posted, and reads the login
// only when Verify returns no error. The same response an hour later is
// refused with nothing to use; Inspect explains the refusal check by check.
func ExampleVerify() {
	mdXML, err := os.ReadFile("testdata/example/idp-metadata.xml")
	if err != nil {
		fmt.Println(err)
		return
	}
	md, err := assertion.ParseMetadata(mdXML)
	if err != nil {
		fmt.Println(err)
		return
	}
	posted, err := os.ReadFile("testdata/example/response.xml") // what Decode makes of the posted form
	if err != nil {
		fmt.Println(err)
		return
	}
	sp, err := assertion.NewFlexServiceProvider("AC0123456789abcdef0123456789abcdef", "")
	if err != nil {
		fmt.Println(err)
		return
	}
	want := sp.Expectations()
	want.RequestIDs = []string{"_req-1"} // the ID of the AuthnRequest this login sent
	want.Now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

	res, err := assertion.Verify(posted, md, want)
	if err != nil {
		fmt.Println(err)
		return
	}
	login, err := res.Login()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(login.Identity, login.Attributes["roles"])

	want.Now = want.Now.Add(time.Hour)
	res, err = assertion.Verify(posted, md, want)
	fmt.Println(res == nil, err)

	inspected, _ := assertion.Inspect(posted, md, want)
	for _, c := range inspected.Checks {
		fmt.Printf("%-14s %s\n", c.Name, c.Outcome)
	}
	// Output:
	// ada@example.com [agent supervisor]
	// true flexroles: SAML check failed: validity: Conditions expired at 2026-03-01T12:04:00Z; SubjectConfirmationData expired at 2026-03-01T12:04:00Z: a response is good for minutes: capture a fresh one, or check the IdP's clock
	// signature      passed
	// algorithm      passed
	// issuer         passed
	// status         passed
	// audience       passed
	// destination    passed
	// recipient      passed
	// validity       failed
	// in_response_to passed
}
