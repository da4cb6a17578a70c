package bridge

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/crewjam/saml"

	"github.com/flexroles/flexroles/sso/assertion"
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

// sidProblem says what is wrong with the value of flex.account (key
// "account": an account SID, AC and 32 hex digits) or flex.connection
// ("connection": an SSO connection ID, JQ and 32 hex digits), or "" when it
// is one. The value's own characters are named only by position, and a
// value of the other key is pointed there.
func sidProblem(key, v string) string {
	prefix, what, where, other, otherKey := "AC", "an account SID", "from the Twilio Console", "JQ", "connection"
	if key == "connection" {
		prefix, what, where, other, otherKey = "JQ", "an SSO connection ID", "from Flex's \"Set up your identity provider\" page", "AC", "account"
	}
	want := what + " is " + prefix + " and 32 hex digits, " + where
	switch {
	case strings.HasPrefix(v, other):
		return "this value starts with " + other + ", which is not " + what + "; " + want +
			". A value starting " + other + " goes under flex." + otherKey + " instead"
	case !strings.HasPrefix(v, prefix):
		return "this value does not start with " + prefix + "; " + want
	case len(v) != 2+32:
		return "this value has " + strconv.Itoa(len(v)) + " characters, not 34; " + want
	}
	for i := 2; i < len(v); i++ {
		if c := v[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return "character " + strconv.Itoa(i+1) + " is not a hex digit; " + want
		}
	}
	return ""
}

// flexSP is what the bridge knows of Flex as a service provider.
type flexSP struct {
	acs      string // where assertions are posted
	audience string // Flex's entity ID
	flavour  string // "legacy" or "enhanced"
}

// resolve checks the target and gives Flex's ACS URL and audience, as
// sso/assertion derives them from the account SID or connection ID.
func (t FlexTarget) resolve() (flexSP, error) {
	var id string
	switch {
	case t.Account != "" && t.Connection != "":
		return flexSP{}, errors.New("flexroles: flex: give account (legacy SSO) or connection (enhanced SSO), not both")
	case t.Account != "":
		if msg := sidProblem("account", t.Account); msg != "" {
			return flexSP{}, errors.New("flexroles: flex.account: " + msg)
		}
		id = t.Account
	case t.Connection != "":
		if msg := sidProblem("connection", t.Connection); msg != "" {
			return flexSP{}, errors.New("flexroles: flex.connection: " + msg)
		}
		id = t.Connection
	default:
		return flexSP{}, errors.New("flexroles: flex: give account (legacy SSO, AC…) or connection (enhanced SSO, JQ…)")
	}
	fsp, err := assertion.NewFlexServiceProvider(id, t.Region)
	if err != nil {
		// The id has been checked above: what is left is the region.
		var e *assertion.Error
		if errors.As(err, &e) {
			return flexSP{}, errors.New("flexroles: flex.region: " + e.Detail)
		}
		return flexSP{}, err
	}
	sp := flexSP{acs: fsp.ACS, audience: fsp.Audience, flavour: "legacy"}
	if fsp.Enhanced {
		sp.flavour = "enhanced"
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
