// Flexroles tells which roles Twilio Flex gives a user at login, and why.
//
// It applies Twilio's platform rules, as package
// github.com/flexroles/flexroles implements them, to one login described
// on the command line, and prints the roles Flex writes to the TaskRouter
// worker's attributes.roles, what Flex Insights lets the user do, and the
// rule behind each step; or, when Flex would refuse the login, the kind of
// refusal and what to change.
//
// Usage:
//
//	flexroles resolve [--json] --console ROLE [--console ROLE ...] [--sso roles=ROLES ...]
//	flexroles resolve [--json] --sso NAME=VALUE [--sso NAME=VALUE ...]
//	flexroles help
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
// console_only_role, sso_only_role, no_flex_access and invalid_login; the
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
//	           "value": "", "suggestion": "", "message": "..."}}
//
// # Exit status
//
// 0 when the login is granted, 1 when it is refused, 2 on bad usage (an
// unknown command or flag, no --console or --sso, an --sso without '=').
// "flexroles help", -h and --help print the usage and exit 0.
package main
