package assertion

import (
	"fmt"
	"strings"
)

// FlexServiceProvider is what Flex, as a SAML service provider, expects of
// an IdP: where responses go and whom assertions are for. Flex has two SSO
// flavours, chosen by when the account set SSO up.
type FlexServiceProvider struct {
	// Enhanced is Flex's enhanced SSO (Flex UI 2.5 and later), named by a
	// connection id; legacy SSO is named by the account SID.
	Enhanced bool
	ID       string // the account SID (AC…) or the connection id (JQ…)
	ACS      string // Flex's assertion consumer service URL: Destination and Recipient
	Audience string // Flex's service provider entity ID: the Audience
}

// NewFlexServiceProvider returns Flex's ACS URL and audience for an account
// SID ("AC" and 32 hexadecimal digits: legacy SSO,
// https://iam.twilio.com/v1/Accounts/{AccountSid}/saml2 and its /metadata)
// or an SSO connection id ("JQ" and 32 hexadecimal digits: enhanced SSO,
// https://login.flex.{region}.twilio.com/login/callback?connection={ConnectionId}
// and urn:flex:{ConnectionId}) in the Twilio region region ("" is us1).
// Legacy SSO has one ACS in every region, so a region other than us1 with
// an account SID is a mistake. It returns ErrServiceProvider, saying what
// is wrong, for anything else.
func NewFlexServiceProvider(id, region string) (FlexServiceProvider, error) {
	id = strings.TrimSpace(id)
	if region == "" {
		region = "us1"
	}
	switch {
	case validSID(id, "AC"):
		if region != "us1" {
			return FlexServiceProvider{}, errorf(ErrServiceProvider, fmt.Sprintf("the region %q applies to enhanced SSO (an SSO connection id, JQ…); legacy SSO (an account SID) has one ACS, at iam.twilio.com", region))
		}
		acs := "https://iam.twilio.com/v1/Accounts/" + id + "/saml2"
		return FlexServiceProvider{ID: id, ACS: acs, Audience: acs + "/metadata"}, nil
	case validSID(id, "JQ"):
		if !validRegion(region) {
			return FlexServiceProvider{}, errorf(ErrServiceProvider, fmt.Sprintf("%q is not a Twilio region such as us1 or ie1", region))
		}
		return FlexServiceProvider{
			Enhanced: true, ID: id,
			ACS:      "https://login.flex." + region + ".twilio.com/login/callback?connection=" + id,
			Audience: "urn:flex:" + id,
		}, nil
	}
	return FlexServiceProvider{}, errorf(ErrServiceProvider, fmt.Sprintf("%q is neither an account SID (AC and 32 hex digits, legacy SSO) nor an SSO connection id (JQ and 32 hex digits, enhanced SSO, shown on Flex's \"Set up your identity provider\" page)", id))
}

// validRegion reports whether region is a Twilio region's name: two
// lower-case letters and a digit (us1, ie1, au1).
func validRegion(region string) bool {
	return len(region) == 3 && 'a' <= region[0] && region[0] <= 'z' && 'a' <= region[1] && region[1] <= 'z' && '0' <= region[2] && region[2] <= '9'
}

// Expectations returns the expectations of a response to Flex through sp.
func (sp FlexServiceProvider) Expectations() Expectations {
	return Expectations{Audience: sp.Audience, ACS: sp.ACS}
}

func validSID(id, prefix string) bool {
	if len(id) != 34 || !strings.HasPrefix(id, prefix) {
		return false
	}
	for i := 2; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
