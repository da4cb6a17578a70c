//go:build project

package peers

import (
	"testing"

	lib "github.com/flexroles/flexroles"
)

// BenchmarkProject runs the library under test (see project.go) on the same
// cases as the peer engines.
func BenchmarkProject(b *testing.B) { benchEngine(b, ResolveProject) }

// BenchmarkProjectGlue times the adapter's conversions alone, without
// flexroles.Resolve, so their cost can be subtracted.
func BenchmarkProjectGlue(b *testing.B) {
	for _, bc := range benchCases {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				l := bc.login
				if l.Source == SourceConsole {
					_ = projectConsoleRoles[l.ConsoleRole]
					continue
				}
				in := ssoInputs.Get().(*ssoInput)
				in.set(l)
				ssoInputs.Put(in)
			}
		})
	}
}

// BenchmarkProjectFloor times what any implementation of flexroles' API
// must do for the two successful logins, with no rule applied: the
// adapter's glue, the attribute look-ups, and one block holding the roles
// and the two reasons a decision carries, the size Resolve allocates. The
// difference between BenchmarkProject and this is what the rules cost.
func BenchmarkProjectFloor(b *testing.B) {
	b.Run("sso_supervisor_3roles", func(b *testing.B) {
		l := benchCases[0].login
		b.ReportAllocs()
		for b.Loop() {
			in := ssoInputs.Get().(*ssoInput)
			attrs := in.set(l)
			r, e, f := attrs["roles"], attrs["email"], attrs["full_name"]
			blk := new(struct {
				roles   [3]lib.Role
				reasons [2]lib.Reason
			})
			for i := range r {
				blk.roles[i] = lib.Role(r[i])
			}
			blk.reasons[0].Rule, blk.reasons[1].Rule = e[0], f[0]
			ssoInputs.Put(in)
			floorSink = blk
		}
	})
	b.Run("console_support", func(b *testing.B) {
		l := benchCases[1].login
		b.ReportAllocs()
		for b.Loop() {
			rs := projectConsoleRoles[l.ConsoleRole]
			blk := new(struct {
				roles   [2]lib.Role
				reasons [2]lib.Reason
			})
			blk.roles[0], blk.roles[1] = lib.ReadTeams, lib.ReadOnlyAdmin
			blk.reasons[0].Rule = string(rs[0])
			floorSink = blk
		}
	})
}

// floorSink keeps BenchmarkProjectFloor's blocks from being optimised away.
var floorSink any
