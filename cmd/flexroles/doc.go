// Flexroles tells which roles Twilio Flex gives a user at login, and why,
// and checks and tests an organisation's role policy.
//
// It applies Twilio's platform rules, as package
// github.com/flexroles/flexroles implements them, and optionally a policy
// file (IdP groups and attributes to roles; see docs/policy.md), to one
// login described on the command line, and prints the roles Flex writes to
// the TaskRouter worker's attributes.roles, what Flex Insights lets the user
// do, and the rule behind each step; or, when the login is refused, the kind
// of refusal and what to change.
//
// Usage:
//
//	flexroles resolve [--json] [--policy POLICY] --console ROLE [--console ROLE ...] [--sso roles=ROLES ...]
//	flexroles resolve [--json] [--policy POLICY] --sso NAME=VALUE [--sso NAME=VALUE ...]
//	flexroles explain --policy POLICY <login flags as resolve>
//	flexroles validate POLICY
//	flexroles test [-v] [--coverage] POLICY
//	flexroles diff [--json | --markdown] [--fail-on CHANGES] [--allow-unjudged] --users USERS OLD NEW
//	flexroles diff [--json | --markdown] [--fail-on CHANGES] --logins DECISIONS [--policy NEXT]
//	flexroles saml [--json] [--policy POLICY] [--idp-metadata FILE]
//	               [--flex-account AC... | --flex-connection JQ... | --audience ID --acs URL]
//	               [--request-id ID] [--now TIME] [RESPONSE]
//	flexroles idp-config --idp okta|entra|google [--policy POLICY]
//	flexroles serve [--addr HOST:PORT] [--allow-host NAME,...] [--policy POLICY] [--idp-metadata FILE]
//	flexroles audit [--json] [--policy POLICY --users USERS] [FILE | --workspace WSxxx]
//	flexroles bridge [check | demo] --config BRIDGE.yaml
//	flexroles version
//	flexroles help
//
// "flexroles COMMAND -h" prints a command's flags. A usage error prints the
// message and that command's lines of the usage above.
//
// Any path argument of resolve, explain, validate, test, diff, idp-config,
// serve, audit and saml (a policy, an IdP export, workers, IdP metadata, a
// SAMLResponse) may be "-" for standard input, named "stdin" in messages.
// Standard input can be read once: two "-" on one command line (diff - - or audit --users - with
// the workers from standard input too) are a usage error.
//
// # Console logins
//
// --console ROLE names one of the user's Twilio Console roles: Owner,
// Administrator, Developer, Billing Manager or Support. Case is ignored and
// '_', '-' and ' ' are alike, so "support" and "billing_manager" work. The
// flag may be repeated; the most privileged role wins. An unknown Console
// role is a refusal (unknown_role), not a usage error.
//
// A Console login may also carry --sso roles=ROLES, a request for roles:
// every requested role this Console user does not get is refused
// (sso_only_role). Any other --sso attribute on a Console login is passed on
// as it is, and refused (invalid_login).
//
// # SSO logins
//
// --sso NAME=VALUE is one SAML attribute value, split at the first '='. A
// repeated NAME gives that attribute several values, in order, as several
// SAML AttributeValues would. Flex needs roles, email and full_name, under
// those exact names; roles may be one comma-separated value, several values,
// or both. For example:
//
//	flexroles resolve --sso roles=supervisor,wfo.team_leader \
//		--sso email=ana.diaz@example.com --sso "full_name=Ana Diaz"
//
// prints
//
//	granted
//	roles: ["supervisor","wfo.team_leader"]
//	insights: open
//	  play calls:     yes
//	  export calls:   no
//	  assess calls:   full
//	  questionnaires: no
//	  dashboards:     explorer
//	reasons:
//	  sso.roles: the SAML roles attribute sets the worker's roles, recomputed at every login
//	  sso.roles.split: roles values were split on commas and trimmed of surrounding white space
//	  insights.open: Insights opens for admin or supervisor with a wfo.* role; ...
//
// The roles line is the JSON array Flex writes to attributes.roles, in the
// library's canonical order. The Insights lines say whether Insights opens
// for the user at all and, if so, what it allows.
// Reasons that are warnings, findings that do not block the login, are
// printed "WARNING rule: message". Rule ids are stable; messages may change.
//
// # Refusals
//
// When Flex would refuse the login, flexroles prints "refused:" and the kind
// of refusal, one of missing_attribute, invalid_attribute, unknown_role,
// console_only_role, sso_only_role, no_flex_access, invalid_login and, with
// --policy, denied (see Policies below); the
// Flex error code when there is one (45050 for missing_attribute); the
// message, which says what to change; and the attribute, value (quoted) and
// did-you-mean suggestion involved, when there are. For example:
//
//	$ flexroles resolve --sso roles=Admin --sso email=a@example.com --sso full_name=A
//	refused: unknown_role
//	message: flexroles: unknown role "Admin" in "roles" (did you mean "admin"?); ...
//	attribute: roles
//	value: "Admin"
//	suggestion: admin
//
//	$ flexroles resolve --sso roles=agent --sso full_name=A
//	refused: missing_attribute
//	code: 45050
//	message: flexroles: Flex error 45050 Missing User Attributes: the assertion has no "email" attribute; ...
//	attribute: email
//
// # JSON
//
// With --json, the outcome is one JSON object on standard output. Granted:
//
//	{"granted": true, "roles": ["supervisor","wfo.team_leader"],
//	 "insights": {"enabled": true, "play_calls": true, "export_calls": false,
//	              "assess_calls": "full", "questionnaires": false, "dashboards": "explorer"},
//	 "reasons": [{"rule": "sso.roles", "warning": false, "message": "..."}, ...]}
//
// assess_calls is "none", "view_only" or "full"; dashboards is "none",
// "viewer", "explorer" or "editor". Refused:
//
//	{"granted": false,
//	 "error": {"kind": "missing_attribute", "code": 45050, "attribute": "email",
//	           "value": "", "suggestion": "", "message": "...", "refused_by": "twilio"}}
//
// refused_by says who refused the login: "twilio" (Twilio's rules), or
// under a policy "sso.allow", "console.allow" or "deny rule"; "rule" then
// names the deny rule or the setting, and "deny_rule" the deny rule (both
// absent otherwise). "value" is only ever the offending value: the role
// sso.allow does not list, the Console role console.allow does not list.
//
// # Policies
//
// --policy POLICY makes resolve decide through a policy file, as
// (*flexroles.Policy).Resolve does: Twilio's checks first, then the deny
// rules, the grant rules, the allow lists and Flex's need for a Flex role.
// Under a policy the roles attribute is optional. A login the policy
// refuses is kind denied, and its rule names the deny rule or the key:
//
//	$ flexroles resolve --policy examples/policy.yaml \
//		--sso email=o@example.com --sso full_name=O --sso groups=Offboarded
//	refused: denied
//	message: flexroles: the policy's deny rule "offboarded" refuses this login; ...
//	rule: "offboarded"
//
// A policy file that cannot be read or is invalid is not a refusal: resolve
// and explain print "flexroles: COMMAND: the policy POLICY does not load"
// and its problems, as validate does, on standard error, nothing on
// standard output, and exit 2.
//
// explain --policy POLICY takes the login flags of resolve and prints each
// deny rule and then each grant rule of the policy in file order, with what
// a grant rule grants, "matched" or "not matched:" and the first condition
// that failed; then a blank line and the outcome exactly as resolve
// --policy prints it, whose reasons name the platform rules applied:
//
//	$ flexroles explain --policy examples/policy.yaml --sso email=q@example.com \
//		--sso full_name=Q --sso groups=CC-Leads --sso department=Sales
//	policy examples/policy.yaml, rules in order:
//	  deny "offboarded": not matched: not in group "Offboarded" (groups has ["CC-Leads"])
//	  rule "agents" grants [agent]: matched
//	  rule "team leads" grants [supervisor, wfo.team_leader]: matched
//	  rule "quality assurance" grants [wfo.quality_manager]: not matched: attribute "department" ["Sales"] has no value equal to ["Quality"]
//	  rule "analysts" grants [supervisor, wfo.data_analyst]: not matched: not in group "CC-Analytics" (groups has ["CC-Leads"])
//
//	granted
//	roles: ["supervisor","agent","wfo.team_leader"]
//	...
//
// A matched grant rule's roles may still be refused later (a deny rule,
// sso.allow). Rules apply to SSO logins only; for a Console login explain
// says so and prints the outcome. explain has no --json.
//
// validate POLICY loads the policy (from standard input when POLICY is "-",
// as every path argument) and prints every
// problem, one a line, as
// FILE:LINE:COL: FIELD: MESSAGE, where FIELD is the YAML path of the
// offending node (a file that cannot be opened has no position or field),
// and exits 1. A valid policy prints its warnings, legal but likely
// mistakes such as a grant rule that a deny rule always overrides, the same
// way prefixed "warning: ", then a summary, and exits 0:
//
//	$ flexroles validate policy.yaml
//	policy.yaml:6:15: sso.rules[0].grant[0]: unknown role "supervisr" (did you mean "supervisor"?)
//	policy.yaml:10:3: sso.colour: unknown key "colour"; known here: attributes, allow, ...
//
//	$ flexroles validate examples/policy.yaml
//	examples/policy.yaml: ok (4 rules, 1 deny rule, 12 tests)
//
// test [-v] [--coverage] POLICY runs the test cases of the policy's tests list in file
// order, like go test: each failing case is "--- FAIL: NAME (FILE:LINE)"
// followed by what it wanted and what it got, indented; with -v each
// passing case is "--- PASS: NAME" too. The last line is "ok  POLICY  N
// passed" or "FAIL  POLICY  N passed, M failed":
//
//	$ flexroles test policy.yaml
//	--- FAIL: agent is supervisor (policy.yaml:17)
//	    roles: want [supervisor], got [agent]
//	FAIL  policy.yaml  2 passed, 1 failed
//
// A policy that does not load prints its problems as validate does and
// "FAIL  POLICY  [invalid policy]"; one with no test cases prints so and
// "FAIL  POLICY  [no tests]": an untested policy proves nothing.
//
// With --coverage, a report follows the results: which of the policy's
// rules and settings the cases reach, each with its line and cases or
// MISSED, and which of Twilio's platform rules no case reaches. A deny rule
// is reached by a case it refuses; a grant rule by a case that meets its
// conditions once Twilio's rules and the deny rules let the login through,
// even if an allow list then refuses it; an allow list by a case it
// refuses; default_insights_role and unknown_roles: drop by a case they
// change. The report leaves the exit status alone:
//
//	$ flexroles test --coverage policy.yaml
//	ok  policy.yaml  7 passed
//	rules reached: 5 of 7 policy rules and settings, 6 of 19 platform rules
//	  reached  deny     offboarded                 line 16  1 case: "leaver"
//	  reached  grant    agents                     line 6  2 cases: "agent", …
//	  reached  grant    leads                      line 9  1 case: "lead"
//	  MISSED   grant    old admins                 line 12
//	  reached  setting  sso.allow                  line 3  1 case: "admin from the IdP"
//	  reached  setting  sso.default_insights_role  line 4  1 case: "supervisor from the IdP"
//	  MISSED   setting  console.allow              line 19
//	  platform rules no case reaches: console.admin, console.requested, sso.roles.split, …
//
// # Reviewing a policy change
//
// diff [--json | --markdown] [--fail-on CHANGES] [--allow-unjudged] --users USERS OLD NEW
// resolves every user of the IdP export USERS (as audit --users reads it)
// under the policies OLD and NEW, as each user's next SSO login would be,
// and prints each user whose outcome changes: "~" other roles, "-" newly
// refused, "+" newly admitted, "!" refused for another reason, with each
// role gained or lost and what gives it on the side that has it, and the
// Insights capabilities gained and lost. A summary counts the users per
// role, capability and refusal:
//
//	$ flexroles diff --users examples/users.csv examples/policy.yaml examples/policy-next.yaml
//	Comparing examples/policy.yaml (old) with examples/policy-next.yaml (new) for the users of examples/users.csv
//
//	- alex.agent@owlbank.example (examples/users.csv:2): newly refused by deny rule "sales agents moved to the partner"
//	    - agent  was from rule "agents"
//	...
//	3 of 9 users change: 1 gains roles, 2 lose roles, 1 newly refused, 1 newly admitted.
//	  gain supervisor: 1 user
//	...
//
// OLD and NEW are files, or git:REF:PATH for the file PATH in commit REF,
// read with git in the current directory: git:origin/main:policy.yaml. The
// flags may follow OLD and NEW. --json prints one document with every change
// and the summary; --markdown prints a pull-request comment, the summary
// first and then at most 100 changed users, with text from the policy and
// the export escaped. --fail-on takes a comma-separated list of any,
// refuse, admit, gain, lose, gain:ROLE, lose:ROLE, gain:CAP and lose:CAP
// (CAP an Insights capability: enabled, play_calls, export_calls,
// assess_calls, questionnaires, dashboards) and makes diff exit 1 when a
// change matches one. A capability level that moves is one gain or one
// loss ("dashboards=viewer→editor"). Each policy reads the export under its
// own sso.attributes names, so an attribute renamed in NEW is a note, not a
// change. The export is read as a stream and must hold at least one user.
//
// A user refused under both policies because the export does not give what
// Flex needs (no email or name, an invalid value, an unknown role in the
// roles column), or refused for the same reason on both sides in an export
// no user of which carries any of the attributes the policies read to grant
// roles (the groups and roles attributes and every attribute a condition
// tests), is
// not judged: neither policy's rules got to decide. The
// report counts those users by cause with the first of each, never says
// "No change" while there are any, and diff exits 1 unless
// --allow-unjudged accepts them:
//
//	Not judged: 9 of 9 users are refused under both policies for what the export does not give them, ...
//	  missing_attribute "full_name": 9 users, first alex.agent@owlbank.example (users.csv:2): flexroles: Flex error 45050 ...
//
// A condition attribute that no user of the export carries is a note:
// the rules that test it hold for no one in the export.
//
// # Reviewing the logins of the bridge
//
// diff [--json | --markdown] [--fail-on CHANGES] --logins DECISIONS [--policy NEXT]
// reads the bridge's decision log (decision_log in bridge.yaml; the format
// is package decisionlog's) instead of an export and takes no OLD and NEW:
// for each identity's latest login, it compares what Flex received (OLD:
// in shadow mode the IdP's roles attribute, in enforce mode the policy's
// decision) with the decision the log records of the policy in force (NEW),
// and prints the same report forms, positions as DECISIONS:LINE:
//
//	$ flexroles diff --logins decisions.ndjson
//	Comparing what Flex received (old) with the policy in force (sha256:fac160aeb817…) (new) for the users of decisions.ndjson
//
//	~ lee.lead@owlbank.example (decisions.ndjson:2)
//	    + supervisor       from rule "team leads"
//	    + wfo.team_leader  from rule "team leads"
//	    insights + enabled, + play_calls, + assess_calls=full, + dashboards=explorer
//	...
//	- vic.moved@owlbank.example (decisions.ndjson:8): newly refused by sso.allow
//	    - admin  was from roles attribute
//	...
//	5 of 9 users change: 3 gain roles, 2 lose roles, 2 newly refused.
//
// (the example users of examples/users-roles.csv through bridge demo --mode
// shadow, with decision_log set).
//
// --policy NEXT resolves the logins again under the policy NEXT (a file or
// git:REF:PATH) instead of taking the logged decision. That needs the
// attribute values, which the log keeps only when the bridge has
// decision_log_attributes: true (they are personal data); diff refuses a
// log without them (exit 2), naming the first line. The name "diff" fits
// because the report is the same comparison of two decisions per user; the
// users are the people who logged in rather than an export's.
//
// # The playground
//
// serve [--addr HOST:PORT] [--allow-host NAME,...] [--policy POLICY] serves
// a local web page to try a policy: a YAML editor as tall as the policy,
// checked as you type with each problem pinned to its line and a status
// such as "valid · 12/12 cases pass"; a login as Console roles, SSO attribute rows or a pasted
// SAMLResponse; and the outcome: attributes.roles, the Insights capability
// grid (each wfo.* role, then the user), the Flex pages the roles open, the
// reasons and the policy's rules for the login. A second tab shows every
// rule, and every user of an IdP export loaded into the page, against the
// roles and capabilities it yields. The page is plain HTML, CSS and
// JavaScript embedded in the command, with no external asset. It calls a
// JSON API, POST /api/validate, /api/resolve and /api/matrix, which runs
// LoadPolicy and Resolve as every other command does; a failed request is
// {"error":{"kind","message"}} with the library's kind names.
//
// The server binds to 127.0.0.1:8080 (--addr to change; port 0 picks one,
// and the address is printed when it is ready) and warns when the address
// is not loopback. It answers only for loopback host names, and off
// loopback for IP addresses and the --allow-host names too, so that no web
// page elsewhere can reach it through DNS rebinding. It caps request bodies
// at 1 MiB, times out slow clients, writes no file, and puts nothing from
// its input into the page as markup. --policy is the policy the editor
// starts with (read once, at most 768 KiB so that a request carries it);
// the example policy otherwise. With --idp-metadata FILE a pasted
// SAMLResponse is verified as saml verifies it (without service provider
// expectations), the login read only from what its signature covers, and a
// response that fails is refused with the reason; without it a pasted
// response is read as it stands.
//
// # Debugging SAML
//
// saml reads a SAMLResponse as copied from the browser's developer tools or
// a SAML tracer (base64, URL-encoded or not, a whole form body
// "SAMLResponse=...&RelayState=...", deflated or not, or the XML) from
// RESPONSE or standard input, verifies it with the package
// github.com/flexroles/flexroles/sso/assertion, and explains it.
//
// With --idp-metadata FILE (the IdP's SAML metadata: an EntityDescriptor,
// or an EntitiesDescriptor whose keys each serve only their own entity; or
// a PEM certificate) the signature of the Response, its Assertion or both
// must verify with a key the metadata gives the response's issuer; a
// certificate outside its dates verifies with a warning naming them. Every
// check is then listed as passed, failed or not run, with what it expected
// and found: signature, algorithm (SHA-1 warns), issuer, status, audience,
// destination, recipient, validity (at --now, default the current time,
// with 3 minutes of skew) and in_response_to (--request-id).
// --flex-account AC... (legacy SSO) or --flex-connection JQ... (enhanced
// SSO) sets Flex's ACS URL and audience; --audience and --acs set others. A
// check with nothing to compare with is not run. The output labels the
// Response and the Assertion signed or unsigned (when only the Assertion is
// signed, the Response's issuer, destination and status are unsigned), then
// the NameID, the contact_uri Flex derives from it, every attribute with
// its values (FriendlyName too; a null for xsi:nil) and what Flex does with
// it (maps it as roles, email or full_name; ignores it, with the exact
// rename, when it is a namespaced claim, an urn:oid or dotted name or
// another spelling; stores it on the worker), every one of roles, email
// and full_name that is missing with the attributes to rename, and the
// verdict: "verdict: REFUSED|verified|NOT VERIFIED: P checks passed, F
// failed, N not run". A refused response (invalid signature, a failed
// check, a non-Success status, an encrypted assertion) is not decided;
// otherwise the decision follows as resolve prints it (--policy too).
// docs/saml.md says how to read it.
//
// Without --idp-metadata nothing is verified, the output says so first, and
// the decision is what Flex would make of the claims if they were true. A
// DOCTYPE, a root other than a SAML 2.0 Response, a prefixed XML attribute,
// several assertions, a signature or assertion out of place, or a document
// past the structure limits is refused before any signature check (exit 1);
// input that is not a SAMLResponse, over 512 KiB as given or over 256 KiB
// of XML (assertion.MaxSize), is exit 2.
//
// --json prints one JSON object whatever the outcome: "signature" ("valid",
// "invalid", "not_checked", or "refused" before any signature check),
// "signed_elements", "verdict" (accepted, passed, failed, not_run, error),
// "checks", "warnings", "issuer" (the Assertion's), "assertion_signed",
// "response" (with "signed"), "name_id", "attributes", "missing" and
// "decision" (null when refused).
//
//	$ flexroles saml --idp-metadata idp.xml --flex-account AC0123456789abcdef0123456789abcdef entra.txt
//	...
//	  http://schemas.microsoft.com/ws/2008/06/identity/claims/role = "supervisor", "wfo.quality_manager"
//	      Flex ignores it: Flex maps attribute names exactly; rename it to "roles"
//	...
//	verdict: verified: 8 checks passed, 0 failed, 1 not run
//
//	refused: missing_attribute
//	code: 45050
//
// idp-config --idp okta|entra|google prints what to set up in that IdP: the
// attribute statements (Okta), claims (Entra ID) or attribute mapping
// (Google Workspace) with Flex's exact names and no namespace, the groups
// and other attributes a --policy's rules read, the roles to offer (the
// policy's sso.allow, or every SSO role), and for Entra ID the app roles as
// the JSON of the app manifest's appRoles, with ids derived from the role
// names so they are the same in every run.
//
// # The bridge
//
// bridge --config BRIDGE.yaml serves the SAML bridge of package
// github.com/flexroles/flexroles/sso/bridge: Flex's identity provider, in
// front of the organisation's, that verifies each login's assertion,
// resolves it with the policy and only on a grant sends Flex a signed
// assertion whose roles are the decision. It starts only when everything
// the configuration names loads, logs one JSON line per login to stderr
// (who refused and why, and the user, whom redact_identity: true leaves
// out; no other personal data). SIGHUP reloads the policy file: the new
// policy is put in force only when it loads and its own test cases pass,
// otherwise the one in force stays and the log says why. SIGINT or SIGTERM
// drains: readyz answers 503 at once while the bridge serves on for
// shutdown_delay (5s), then requests under way get 10 seconds, and the
// command exits 0.
// bridge check --config BRIDGE.yaml loads the same, runs the policy's own
// test cases (printing the failures), warns on stderr of settings that
// weaken the bridge (upstream.allow_idp_initiated: login CSRF), and prints
// what to enter in Flex's SSO settings and in the identity provider. bridge demo [--config
// examples/bridge.yaml] [--listen HOST:PORT] runs a demo identity provider
// with the example users, the bridge and a stand-in for Flex on one
// loopback address, and prints the page to open. The manual, with the
// configuration's keys: docs/bridge.md.
//
// # Auditing workers
//
// audit reads TaskRouter workers and reports every finding of
// flexroles.CheckWorker on their attributes: roles missing, misspelt, not an
// array or holding no Flex role; the read-only administrator pair mixed with
// other roles, or with wfo.* roles that the next Console login removes;
// Insights roles that open nothing; a contact_uri Flex would not write.
// Workers come from FILE or standard input: a JSON array, NDJSON, or the
// TaskRouter ListWorkers responses ({"workers":[...],"meta":{...}}) one
// after another, each worker's "attributes" a JSON string as the API
// returns it, or an object. With --workspace WSxxx they are read live
// through the TaskRouter API with TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN,
// or TWILIO_API_KEY and TWILIO_API_SECRET, from the environment, page by
// page, retrying when rate limited; credentials never appear in the output.
//
// A worker that cannot be read (bad JSON, attributes that are not an
// object) is reported as audit.malformed with its SID and line, and the
// audit goes on. With --policy and --users, each worker whose email is in
// the IdP export USERS is also resolved as that user's next SSO login:
// drift.roles says which roles it gains and loses, drift.refused that the
// login will be refused, drift.no_user (a warning) that no user matches.
// USERS is JSON or NDJSON of {"email","name","groups","roles","attributes"}
// objects, or CSV whose header names email, name, groups, roles (in any
// case; email and name required) and any attribute columns, with ";"
// between several values in a cell.
//
// The default output groups findings by rule, errors first, with a count
// and the first 20 workers of each; --json prints every finding as one
// JSON object per line (line, sid, friendly_name, rule, level, message).
// Memory stays flat however many workers are read; on a terminal, a
// progress line on standard error shows workers read, workers per second
// and findings so far:
//
//	$ flexroles audit examples/workers.ndjson
//	error    worker.console.sso_only_role  (1 finding)
//	    WK7dbe1dd3709c9f9ab20d8cd35e9459aa  sam.support@owlbank.example  line 4
//	        the read-only administrator pair marks a Console Support user, ...
//	...
//	16 workers audited: 12 with findings, 9 errors, 7 warnings
//
// # Exit status
//
// resolve and explain: 0 when the login is granted, 1 when it is refused.
// validate: 0 when the policy is valid, warnings or not, 1 when it is not.
// test: 0 when every case passes, 1 when one fails, the policy does not
// load or has no test cases.
// saml: as resolve, and 1 too when the response is refused (signature,
// check, status, encryption, or a shape refused before any signature
// check); 2 when the input is not a SAMLResponse. idp-config: 0, or 2 on bad usage.
// audit: 0 when no finding is an error (warnings allowed), 1 when one is,
// 2 when the input cannot be read to its end or --policy or --users does not
// load (with --json, the findings of the workers before the break are
// printed already).
// serve: 0 when stopped with Ctrl-C, 2 when it cannot listen or read
// --policy.
// bridge and bridge demo: 0 when stopped, 2 when the configuration does not
// load or the address cannot be listened on. bridge check: 0 when it loads
// and every policy case passes, 1 when a case fails, 2 when it does not
// load.
// diff: 0 when no change matches --fail-on and every user was judged, 1
// when a change matches or users were not judged (unless --allow-unjudged),
// 2 when a policy or the users file does not load.
// Every command: 2 on bad usage (an unknown command or flag, no --console or
// --sso, an --sso without '=', no policy file, a stray argument), and for
// resolve and explain also when the --policy file does not load.
// "flexroles help", -h and --help print the usage and exit 0.
//
// # Version
//
// "flexroles version" prints the version Go recorded in the binary: the
// module version for the command installed with go install
// github.com/flexroles/flexroles/cmd/flexroles@v1.2.0 (or @latest); for a
// build in a clone, the pseudo-version Go derived from the clone's tags and
// commit when it stamped them (go build -buildvcs, the default in a git
// checkout), else (devel); then the commit, its time and "modified" when the
// build stamped them, and the Go version:
//
//	flexroles v1.2.0, go1.25.0
//	flexroles v0.0.0-20261130130000-61af79c01234, commit 61af79c01234 of 2026-11-30T13:00:00Z, go1.25.0
package main
