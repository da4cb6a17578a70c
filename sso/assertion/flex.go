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
// https://login.flex.us1.twilio.com/login/callback?connection={ConnectionId}
// and urn:flex:{ConnectionId}). It returns ErrServiceProvider, saying what
// is wrong, for anything else.
func NewFlexServiceProvider(id string) (FlexServiceProvider, error) {
	id = strings.TrimSpace(id)
	switch {
	case validSID(id, "AC"):
		acs := "https://iam.twilio.com/v1/Accounts/" + id + "/saml2"
		return FlexServiceProvider{ID: id, ACS: acs, Audience: acs + "/metadata"}, nil
	case validSID(id, "JQ"):
		return FlexServiceProvider{
			Enhanced: true, ID: id,
			ACS:      "https://login.flex.us1.twilio.com/login/callback?connection=" + id,
			Audience: "urn:flex:" + id,
		}, nil
	}
	return FlexServiceProvider{}, errorf(ErrServiceProvider, fmt.Sprintf("%q is neither an account SID (AC and 32 hex digits, legacy SSO) nor an SSO connection id (JQ and 32 hex digits, enhanced SSO, shown on Flex's \"Set up your identity provider\" page)", id))
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
