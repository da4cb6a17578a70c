// Package playground is the handler of "flexroles serve": a local page to
// edit a policy and see what a login gets, and its JSON API.
//
// Routes, in the order a request meets them:
//
//  1. Every response carries a strict Content-Security-Policy, nosniff,
//     no-referrer and no-store. A Host the playground does not answer for
//     is 421 Misdirected Request: on loopback, loopback names only
//     (localhost, 127.0.0.1, [::1]); elsewhere IP addresses too; the names
//     New is given in both cases. This keeps a page elsewhere from reaching
//     it through DNS rebinding.
//  2. GET / is the page, with the policy the editor starts with
//     (StartPolicy: a file, or the embedded copy of examples/policy.yaml);
//     /static/ its script and style; any other page is 404.
//  3. POST /api/validate, /api/resolve and /api/matrix take a JSON body of
//     at most 1 MiB, decoded strictly, and answer JSON: the policy's
//     problems and test results; one login's outcome (as resolve --json
//     prints it), its trace and the Flex pages it opens; every rule and
//     every user of an IdP export against the roles and capabilities it
//     yields. A bad request is a JSON error with a kind.
//
// It keeps no state between requests and writes nothing.
package playground
