package bridge

import (
	"errors"
	"net/url"
	"regexp"

	"github.com/crewjam/saml"
)

// FlexTarget is the Flex account the bridge logs users in to: its legacy SSO
// (Account) or its enhanced SSO (Connection), exactly one.
type FlexTarget struct {
	// Account is the account SID (AC + 32 hex digits), for legacy SSO:
	// ACS https://iam.twilio.com/v1/Accounts/{Account}/saml2, audience
	// that URL + "/metadata".
	Account string
	// Connection is the SSO connection ID (JQ…) shown on Flex's "Set up
	// your identity provider" page, for enhanced SSO: ACS
	// https://login.flex.{Region}.twilio.com/login/callback?connection={Connection},
	// audience urn:flex:{Connection}.
	Connection string
	// Region is the Flex region of enhanced SSO; default us1.
	Region string
	// ACSURL replaces the Flex ACS URL's scheme and host (its path and query
	// stay Flex's), for a stand-in for Flex such as bridge demo's. Empty for
	// Flex itself.
	ACSURL string
}

var (
	accountSID   = regexp.MustCompile(`^AC[0-9a-f]{32}$`)
	connectionID = regexp.MustCompile(`^JQ[0-9A-Za-z]{8,64}$`)
	regionName   = regexp.MustCompile(`^[a-z]{2}[0-9]$`)
)

// flexSP is what the bridge knows of Flex as a service provider.
type flexSP struct {
	acs      string // where assertions are posted
	audience string // Flex's entity ID
	flavour  string // "legacy" or "enhanced"
}

// resolve checks the target and gives Flex's ACS URL and audience.
func (t FlexTarget) resolve() (flexSP, error) {
	var sp flexSP
	switch {
	case t.Account != "" && t.Connection != "":
		return sp, errors.New("flexroles: flex: give account (legacy SSO) or connection (enhanced SSO), not both")
	case t.Account != "":
		if !accountSID.MatchString(t.Account) {
			return sp, errors.New("flexroles: flex.account: " + quote(t.Account) + " is not an account SID (AC followed by 32 lowercase hex digits, from the Twilio Console)")
		}
		sp = flexSP{
			acs:      "https://iam.twilio.com/v1/Accounts/" + t.Account + "/saml2",
			audience: "https://iam.twilio.com/v1/Accounts/" + t.Account + "/saml2/metadata",
			flavour:  "legacy",
		}
	case t.Connection != "":
		if !connectionID.MatchString(t.Connection) {
			return sp, errors.New("flexroles: flex.connection: " + quote(t.Connection) + " is not a Flex SSO connection ID (JQ followed by letters and digits, from Flex's \"Set up your identity provider\" page)")
		}
		region := t.Region
		if region == "" {
			region = "us1"
		}
		if !regionName.MatchString(region) {
			return sp, errors.New("flexroles: flex.region: " + quote(region) + " is not a Twilio region such as us1 or ie1")
		}
		sp = flexSP{
			acs:      "https://login.flex." + region + ".twilio.com/login/callback?connection=" + t.Connection,
			audience: "urn:flex:" + t.Connection,
			flavour:  "enhanced",
		}
	default:
		return sp, errors.New("flexroles: flex: give account (legacy SSO, AC…) or connection (enhanced SSO, JQ…)")
	}
	if t.ACSURL != "" {
		base, err := url.Parse(t.ACSURL)
		if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" || base.Path != "" && base.Path != "/" {
			return sp, errors.New("flexroles: flex.acs_url: " + quote(t.ACSURL) + " must be a scheme and host only, such as http://127.0.0.1:9000")
		}
		u, _ := url.Parse(sp.acs)
		u.Scheme, u.Host = base.Scheme, base.Host
		sp.acs = u.String()
	}
	return sp, nil
}

// metadata is Flex's service provider metadata as the bridge's identity
// provider checks AuthnRequests against it: one ACS, HTTP-POST.
func (sp flexSP) metadata() *saml.EntityDescriptor {
	return &saml.EntityDescriptor{
		EntityID: sp.audience,
		SPSSODescriptors: []saml.SPSSODescriptor{{
			SSODescriptor: saml.SSODescriptor{
				RoleDescriptor: saml.RoleDescriptor{ProtocolSupportEnumeration: "urn:oasis:names:tc:SAML:2.0:protocol"},
				NameIDFormats:  []saml.NameIDFormat{saml.EmailAddressNameIDFormat},
			},
			AssertionConsumerServices: []saml.IndexedEndpoint{{
				Binding:   saml.HTTPPostBinding,
				Location:  sp.acs,
				Index:     0,
				IsDefault: ptrTrue(),
			}},
		}},
	}
}

func ptrTrue() *bool { t := true; return &t }
