// Package samltest runs, on loopback, the two SAML parties the bridge sits
// between: an identity provider whose users are picked on a page instead of
// typing a password, and a stand-in for Flex that verifies what it is sent
// as Flex does and shows what Flex would receive. The bridge demo
// (package github.com/flexroles/flexroles/sso/bridge/demo), the bridge's
// own tests, the command's tests and the browser tests use them; nothing
// here belongs in a login path. Both parties are crewjam/saml's, whose
// checks are not the bridge's: a response the bridge should not have sent
// is refused by an implementation other than the one that made it.
//
// The rules, in the order a login meets them:
//
//  1. The stand-in for Flex ([NewFlexStandIn]) is a service provider with
//     Flex's ACS URL and audience, given as plain values, that trusts only
//     the identity-provider metadata it is given (the bridge's). At
//     [FlexStandIn.Login] it starts a login as Flex does: an AuthnRequest
//     with the HTTP-Redirect binding to the SSO URL of that metadata, with
//     the RelayState of the relay query parameter (default
//     "flex-relay-state"); the request's ID is kept until a response
//     answers it. GET /flex/login?relay=r → 302 to the bridge's saml/sso
//     with SAMLRequest and RelayState=r.
//  2. The identity provider ([NewIDP]) serves its metadata at base/metadata
//     and its SSO endpoint at base/sso, and knows one service provider:
//     the metadata its sp function returns at each request, by entity ID;
//     an AuthnRequest from any other is refused.
//  3. The user is the one the form's user field names, or else the
//     [UserCookie] cookie, by [User.Login]; without one, or with a name no
//     user has, the IdP answers with a page listing every user with their
//     attributes, each a button that posts the request again with the user
//     picked.
//  4. The signed assertion (RSA-SHA256) has the NameID the user's email,
//     format emailAddress, when the user has exactly one email value, and
//     otherwise the Login, format unspecified; then one attribute per name
//     of [User.Attributes], in name order, format basic, one xs:string
//     AttributeValue per value, sent as they are. The user
//     {Login: "quinn.qa", Attributes: {email: [quinn.qa@owlbank.example],
//     groups: [CC-Leads QA]}} signs in as NameID quinn.qa@owlbank.example
//     with attributes email, groups (two values).
//  5. At [FlexStandIn.ACS] the stand-in verifies the posted SAMLResponse
//     as crewjam/saml's service provider does (the signature against the
//     metadata it trusts, issuer, audience, recipient, validity times,
//     InResponseTo one of its pending requests); a response that fails is
//     answered with HTTP 403 and the reason, and nothing is received. A
//     response that passes is received ([FlexStandIn.Last],
//     [FlexStandIn.All]), its request is answered (a second response to it
//     is refused), and the page shows the roles, the Issuer, NameID,
//     audience, RelayState and every attribute in name order.
//  6. In shadow mode, a record given to [FlexStandIn.NoteDecision] (the
//     bridge's [bridge.Bridge.OnDecision] record) for the user the NameID
//     names puts the policy's decision on that page beside what Flex
//     received: the policy's roles and grant rules or its refusal, whether
//     the two agree, and the roles the policy would add and take away. A
//     record of enforce mode shows nothing.
//
// Every page is served under a Content-Security-Policy that allows only the
// page's own nonce-bearing style, and is not cached.
//
// The users and keys the parties need: [ReadUsers] reads users from a CSV
// (email,name,groups,department,location and optionally roles; groups and
// roles separated by ";") and adds a user no.email, the first user without
// an email, whose login the bridge refuses. [NewKeyPair] makes an RSA key
// and a self-signed certificate valid for ten years, [WriteKeyPair] writes
// them as PEM (the key readable by its owner only) and [ReadKeyPair] reads
// such a pair back. They are made where they are used, never shipped.
//
// [Browser] walks a login as a person's browser does, one step at a time:
// cookies kept, redirects followed, each answer read as a [Page] with its
// form, which is posted only when the test says so; [Browser.SignIn] walks
// the whole login, from the stand-in's Login through the chooser page.
package samltest
