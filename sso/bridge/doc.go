// Package bridge is a SAML identity-provider proxy that makes a flexroles
// policy take effect at every Flex login. Flex is set up with the bridge as
// its identity provider; the bridge is a service provider of the
// organisation's identity provider (Okta, Entra ID, Google Workspace or any
// SAML 2.0 IdP, by its metadata).
//
// The rules, in the order a login meets them:
//
//  1. Flex's AuthnRequest (HTTP-Redirect or HTTP-POST, at saml/sso) is
//     accepted only from the configured Flex account (its Issuer is Flex's
//     audience) and only for Flex's ACS URL, which comes from the
//     configuration: an assertion is never posted to a URL taken from a
//     request. Anything else is answered with HTTP 400 and a page that
//     names the field that was wrong (Issuer, Destination, …), never the
//     value sent, which anyone can write into a link; nothing goes
//     upstream.
//  2. The request's ID and RelayState (at most 1024 bytes), the classes of an
//     exact RequestedAuthnContext and the ID of the bridge's own
//     AuthnRequest go into a login state sealed with AES-GCM, bound to its
//     handle, valid for state_ttl (10 minutes); the random handle is the
//     RelayState sent upstream, with Flex's RequestedAuthnContext. A
//     browser's states share one cookie (__Host-flexroles_login on https:
//     Secure, Path=/, no Domain; flexroles_login on loopback http), newest
//     first, at most 4 and 3,800 bytes: a new login drops the oldest, so
//     no number of logins started in a browser makes its requests too
//     large. The browser goes to the upstream IdP.
//  3. The upstream Response (at saml/acs, a form of at most 512 KiB; at
//     most max_verifications at once, HTTP 503 past them) is used only with
//     the state its RelayState names, once: the state leaves the cookie.
//     It is verified with every check: signature against the upstream
//     metadata, issuer, audience and destination (the bridge's service
//     provider), validity times with clock_skew, InResponseTo equal to the
//     ID in the state, Status, an AuthnStatement. Only then is the state's
//     handle recorded as used, until the state expires, and the assertion
//     ID, until it expires: a second use of either is refused. They are
//     recorded in the store that store.url names. With memory (the
//     default) each instance keeps two caches (the oldest handle is
//     forgotten when replay_cache_size are held; a full cache of unexpired
//     IDs refuses logins), so a replay is refused only by the instance that
//     saw the first use. With a Redis or Valkey server, every instance
//     writes both in one round trip (MULTI, SET NX with the same expiries,
//     EXEC) under keys named by the bridge's issuer, and a login is granted
//     only when both were new: a replay at any instance is refused. When
//     the server does not answer within its bounds the login is refused
//     (HTTP 503, kind store), never granted unchecked, and readyz answers
//     503 until it answers again. Without a state the response is refused,
//     unless upstream.allow_idp_initiated is true; it is then accepted only
//     without InResponseTo.
//  4. The signed assertion's attributes, by name, become a flexroles.Login
//     (Identity the NameID) and the policy decides, Twilio's rules first;
//     the policy's sso.attributes say which attribute names it reads. The
//     policy is read once per login: the policy in force when the decision
//     starts makes all of it (steps 5 and 6), even if a reload swaps in
//     another meanwhile.
//  5. Granted: Flex is sent a new Response, Response and Assertion both
//     signed with RSA-SHA256 and exclusive canonicalisation, with Issuer the
//     bridge's metadata URL, NameID the email, bearer confirmation bound to
//     Flex's request ID and ACS, validity 5 minutes (from 30 seconds before
//     it was made), audience Flex's, the upstream's AuthnInstant,
//     AuthnContextClassRef and SessionNotOnOrAfter, and untyped attributes
//     roles (one value per role, the decision's), email, full_name and the
//     pass_through attributes, which must fit their Flex type (skill.int
//     …). It is auto-posted with Flex's RelayState under a CSP that allows
//     only the page's nonce. When Flex asked for an authentication context
//     exactly and the upstream's class is not one it named, Flex is
//     posted instead a signed Response of status NoAuthnContext without
//     an assertion.
//  6. Refused (by the policy, by Twilio's rules, or a pass-through value of
//     the wrong type), or rejected at any step above: Flex receives
//     nothing. The page (HTTP 403, or 400, 503, 500) says in plain words
//     that sign-in to Flex was refused, the account when the IdP's signed
//     response named it, what the person can do and a reference (the
//     correlation id); then, for the administrator, who refused (a deny
//     rule by name, sso.allow, Twilio's rules, or every failed check of
//     the upstream response), the kind, the message and what to change,
//     showing a value of the response only where the IdP signed it and a
//     SAML status only by its standard codes. The login's one log line
//     has the same id, the outcome, kind, who refused, the attribute's
//     name, the message (attribute values but roles redacted), the user
//     (the verified NameID or email; "[redacted]" with redact_identity),
//     the policy's digest and the login through flexroles.Login's
//     LogValue; a grant's line has the user, roles, the grant rules that
//     fired and the digest. Values a stranger sent are logged only inside
//     the handler's quoting: a newline in them starts no line.
//  7. In shadow mode (mode: shadow) rule 4's policy decision is only
//     recorded: Flex is sent, by rules 5 and 6, what it would make of the
//     upstream IdP's own roles attribute (shadow_roles_attribute, default
//     roles) with the email, full_name and pass_through attributes, by
//     Twilio's rules alone (flexroles.Resolve); a login Flex itself would
//     refuse is refused with rule 6's page. The policy never changes what
//     Flex receives, and its refusal refuses nothing.
//  8. With decision_log, every login that reached rule 4 leaves one JSON
//     line (package decisionlog's format), written before the answer with
//     one write under a lock to a file opened O_APPEND (reopened by
//     ReopenLog): what Flex received, the policy's decision with the grant
//     rules that fired, the policy's digest, in shadow mode whether the
//     two agree, and with decision_log_attributes the verified attributes.
//     In shadow mode the metrics count logins by agreement and
//     disagreements by kind (gain, loss, refused_by_policy). A program's
//     [Bridge.OnDecision] function then gets a copy of the same record,
//     with or without decision_log, before the answer.
//
// For example, with the repository's examples/policy.yaml, a user whose IdP
// sends groups [CC-Leads] and department Quality reaches Flex with roles
// [supervisor agent wfo.team_leader wfo.quality_manager]; one whose groups
// hold Offboarded sees a page naming the deny rule offboarded, and Flex
// hears nothing.
//
// The other endpoints: saml/metadata (the bridge as Flex's IdP: signing
// certificates only, the next one too when configured), saml/sp-metadata
// (the bridge as the upstream IdP's service provider: one HTTP-POST ACS),
// both without validUntil and cached an hour, healthz, readyz and metrics
// (Prometheus text: logins by outcome and kind, login latency, metadata
// refresh failures, failed calls to the store, policy reloads by result,
// the digest of the policy in force, and in shadow mode agreement with
// the policy).
//
// Operating it: [Bridge.ReloadPolicy] (SIGHUP in the command, or every
// policy_reload when the file's bytes change) puts a new policy in force
// only when it loads, its own test cases pass and pass_through holds
// against it; otherwise the policy in force stays and the problems are
// logged (file:line:column, failing cases by name and line) and counted.
// When [Bridge.Serve]'s context ends, readyz answers 503 at once while the
// bridge serves on for shutdown_delay (5s), then requests under way get 10
// seconds and Serve returns nil. [Bridge.ReopenLog] (SIGHUP too) opens the
// decision log's path again, for rotation.
//
// [LoadConfigFile] reads bridge.yaml strictly (an unknown key is an error
// with its line and column and the key it most likely meant); [New] loads
// everything it names, at any base URL (the root of a host or a path below
// it), reports every part that does not load at once (a store that is down
// is not one: the bridge starts not ready), and returns the [Bridge], an
// http.Handler a Go service can mount and [Bridge.Close] releases. [Serve]
// runs it with timeouts on every phase ([NewServer] is that server, for a
// mux that mounts the bridge) and a graceful shutdown; [Check] loads it,
// runs the policy's own test cases and returns the [Setup] to enter in
// Flex and the upstream IdP, with warnings (upstream.allow_idp_initiated
// is login CSRF). [Bridge.IDPMetadata] and
// [Bridge.SPMetadata] are the two metadata documents, and
// [Bridge.OnDecision] hands a program a copy of each login's decision-log
// record (rule 8), with or without a decision_log, which changes nothing
// the bridge does. Package demo (bridge demo) runs a demo IdP, the bridge
// and a stand-in for Flex on one loopback address. The manual, with the
// IdP and Flex set-up, is docs/bridge.md.
package bridge
