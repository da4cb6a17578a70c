package flexroles

// SetOptimize turns the shortcut for the usual SSO assertion on or off and
// returns the previous setting, so that tests rerun their tables on the
// general path:
//
//	defer flexroles.SetOptimize(flexroles.SetOptimize(false))
func SetOptimize(on bool) bool {
	old := optimize
	optimize = on
	return old
}
