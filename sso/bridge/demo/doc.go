// Package demo runs a whole Flex login through the bridge on one machine,
// with no account anywhere: `flexroles bridge demo` is [Run]. A demo
// identity provider with the example users (at /idp/), the bridge (at its
// configuration's base URL) and a page standing in for Flex (at Flex's ACS
// path) serve on one loopback address; the two parties are package
// samltest's.
//
// The rules, in order:
//
//  1. The configuration (default examples/bridge.yaml) is read as the
//     bridge reads it; [Options.Mode], when set, replaces its mode. Its
//     base_url must be plain http on a loopback host with a path of its
//     own, not /idp or /flex: http://127.0.0.1:8080/bridge. The users
//     (default users.csv beside the configuration, users-roles.csv in
//     shadow mode) are read by samltest.ReadUsers.
//  2. [Prepare] makes what the configuration names and no repository
//     ships, in the directory of its keys.key: the bridge's key pair and
//     the demo IdP's (idp.key, idp.crt) when missing, and at each run the
//     IdP's metadata (upstream.metadata_file) for the address served. It
//     points the configuration at that address: base_url keeps its path,
//     listen and flex.acs_url take the address.
//  3. [Run] serves at that address (the listener given, or the
//     configuration's listen, default 127.0.0.1:8080): / a start page,
//     /flex/login the stand-in's login, Flex's ACS path the stand-in's
//     ACS, /idp/ the IdP, and the bridge below its base URL's path, with
//     the bridge's own server bounds (bridge.NewServer). The start URL,
//     http://127.0.0.1:8080/, goes to [Options.Ready].
//  4. In shadow mode the bridge's record of each login
//     ([bridge.Bridge.OnDecision]) goes to the stand-in, whose page shows
//     the policy's decision beside what Flex received, found by the user
//     the record names: a shadow-mode configuration with redact_identity,
//     which hides the user, is refused.
//  5. When ctx ends Run stops serving, gives requests under way 10 seconds
//     and returns nil; it returns the first error of any step before.
package demo
