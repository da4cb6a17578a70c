// Package assertion verifies a SAML 2.0 Response from an IdP against the
// IdP's metadata and what the service provider expects, and says which
// checks ran, which passed, and what in the response was signed. It is the
// one verifier of flexroles: `flexroles saml --idp-metadata`, the
// playground given metadata, and the SAML bridge in front of every Flex
// login use it.
//
// The XML signature is checked by github.com/russellhaering/goxmldsig on
// the etree of github.com/beevik/etree, and the SAML elements are read with
// the types of github.com/crewjam/saml; this package adds the pre-scan, the
// binding of keys to entities, and the checks. The two kinds of signature
// goxmldsig refuses although the metadata's key made them (a digest under
// ADFS's URI for SHA-384, an RSA key under 1024 bits) are verified by this
// package with goxmldsig's canonicalizers, and its tests hold that check to
// goxmldsig's verdicts on every attack and every response of the corpus.
//
// # Rules, in order
//
//  1. Decode takes what a browser posts or an administrator copies: XML,
//     base64, URL-encoded base64, a whole form body
//     ("SAMLResponse=...&RelayState=..."), or a deflated response.
//     "SAMLResponse=PHNhbWxw...&RelayState=x" → "<samlp:Response ...>".
//  2. A streaming pre-scan refuses, before any tree is built, anything but
//     one samlp:Response root; a DOCTYPE or processing instruction;
//     more than MaxDepth levels, MaxElements elements,
//     MaxNamespaceDeclarations declarations in scope or MaxXMLAttributes
//     XML attributes on one element; an XML attribute with a namespace prefix other than
//     xsi:type, xsi:nil, x500:Encoding and xml:lang; a namespace prefix
//     that does not start with a lower-case letter; a duplicate attribute;
//     and every shape in which the element read could differ from the
//     element verified: a Signature whose parent is not the Response or an
//     Assertion, an Assertion outside the Response or an Advice, two
//     assertions, two elements with one ID. Issue 17's document with 8,000
//     namespace declarations → ErrRefused, for 4 MB; at 20,000 it is over
//     MaxSize. Within every limit, verifying allocates at most 64 MiB.
//  3. Keys come only from the metadata, bound to their entity: the response
//     names its issuer, and only that entity's signing certificates may
//     verify it (metadata of one IdP: that IdP's). A KeyInfo in the
//     response is ignored. A federation member's key for another member's
//     issuer → ErrSignature.
//  4. The Response signature, the Assertion signature, or both, must
//     verify; each is checked in its document context (the namespaces the
//     element inherits), a present signature must be valid, and a
//     Reference URI of "" signs the whole Response. A certificate outside
//     its dates verifies, with a warning naming the dates. RSA and ECDSA
//     with SHA-1, SHA-256, SHA-384 or SHA-512 verify, under the URIs of
//     XML Signature, RFC 6931 and XML Encryption, and ADFS's
//     xmlenc#sha384; any other signature, digest, canonicalization or
//     transform algorithm → ErrSignature naming it as unsupported
//     (xmldsig-more#rsa-sha1 → "an unsupported signature algorithm").
//  5. What is read as signed comes from the bytes the signature digested:
//     the Response when it is signed, else the Assertion, whose Response
//     fields are then labelled unsigned (Response.Signed false). Comments
//     are not part of signed text: "ada@example.com<!---->.evil" reads as
//     signed only if "ada@example.com.evil" was signed.
//  6. The checks then run in the order of the Check constants: algorithm
//     (SHA-1 warns, or fails with RejectSHA1; an RSA key under 1024 bits,
//     which anyone can factor, fails), issuer (the signed Issuer
//     is the verifying entity's ID, and an unsigned Response Issuer
//     agrees), status (Success), audience, destination, recipient (a
//     bearer SubjectConfirmationData names the ACS), validity (NotBefore
//     and NotOnOrAfter of the Conditions and the bearer confirmation, at
//     Now within ClockSkew; no NotOnOrAfter at all fails), InResponseTo.
//     A value outside what was signed (the Response's Issuer, Status,
//     Destination and InResponseTo when only the Assertion is signed) can
//     fail a check but never pass one: an unsolicited Assertion in a
//     Response whose unsigned InResponseTo names the request → ErrCheck.
//     A check with nothing to compare with fails, or with AllowUnchecked
//     is "not run". Every check is listed in Result.Checks with what it
//     expected and found.
//  7. The response is accepted only when Verify returns a nil error; on
//     any error the Result is nil, so nothing of a refused response can be
//     used (go-oidc's Verify, crewjam's ParseResponse). The error
//     precedence: ErrMetadata (no metadata: Verify verifies against
//     metadata or not at all), ErrUnreadable, ErrRefused, ErrEncrypted (an
//     encrypted assertion in an unsigned Response), ErrSignature, ErrStatus,
//     ErrCheck (the first failed check in order), ErrEncrypted (an
//     encrypted assertion in a signed Response). A non-Success status is
//     never accepted, signed or not. A response signed with an algorithm
//     this package does not verify is ErrSignature naming the algorithm as
//     unsupported, never as a change after signing. Inspect, for a
//     debugger or a playground, runs the same steps and returns the same
//     error with the Result: every check with what it expected and found,
//     the content labelled signed or not (nil metadata: nothing verified,
//     the claims as they stand); its Result is nil only when nothing
//     could be read (ErrUnreadable, a shape ErrRefused before parsing).
//  8. Encrypted NameIDs and attributes are named in Result.Warnings (Flex
//     needs them in the clear); xsi:nil values are Nil, a nested NameID is
//     read as ruby-saml reads it ("NameQualifier/value"), nested status
//     codes and the StatusMessage are kept. Each AuthnStatement gives its
//     AuthnInstant, SessionNotOnOrAfter and AuthnContextClassRef
//     (Okta's "…:ac:classes:PasswordProtectedTransport").
//  9. Result.Login makes the flexroles.Login of the signed attributes of
//     an accepted response only: a Result of Inspect with an error makes
//     none (ErrSignature), and Result.UnverifiedLogin, the claims as they
//     stand, explains a response and lets no one in;
//     MissingFlexAttributes lists every one of roles, email and full_name
//     the assertion lacks or sends empty, as flexroles reads the login
//     ((*flexroles.Policy).ReadAsFlex: roles [","] is empty), each with the
//     attributes that look meant for it (FlexClaim, which asks
//     flexroles.MisnamedAttribute of the Name, then the FriendlyName: Entra
//     ID claims, urn:oid mail and displayName, OneLogin's User.email).
//
// Output order is the document's: attributes, values, subject
// confirmations, audiences and authentication statements as the IdP sent
// them; checks in the order of
// the Check constants. Nothing is built by ranging over a map. The package
// keeps no global state, logs nothing and never panics on input.
package assertion
