package assertion_test

import (
	"fmt"

	"github.com/flexroles/flexroles/sso/assertion"
)

func ExampleNewFlexServiceProvider() {
	sp, err := assertion.NewFlexServiceProvider("JQ0123456789abcdef0123456789abcdef", "ie1")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sp.ACS)
	fmt.Println(sp.Audience)
	// Output:
	// https://login.flex.ie1.twilio.com/login/callback?connection=JQ0123456789abcdef0123456789abcdef
	// urn:flex:JQ0123456789abcdef0123456789abcdef
}

func ExampleFlexClaim() {
	for _, a := range []assertion.Attribute{
		{Name: "urn:oid:0.9.2342.19200300.100.1.3", FriendlyName: "mail"},
		{Name: "User.email"},
		{Name: "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"},
		{Name: "urn:oid:2.5.4.42", FriendlyName: "givenName"},
	} {
		fmt.Printf("%s → %q\n", a.Name, assertion.FlexClaim(a))
	}
	// Output:
	// urn:oid:0.9.2342.19200300.100.1.3 → "email"
	// User.email → "email"
	// http://schemas.microsoft.com/ws/2008/06/identity/claims/role → "roles"
	// urn:oid:2.5.4.42 → ""
}
