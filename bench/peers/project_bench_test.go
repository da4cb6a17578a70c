//go:build project

package peers

import "testing"

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
				clear(in.attrs)
				ssoInputs.Put(in)
			}
		})
	}
}
