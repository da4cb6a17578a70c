package bridge

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// FuzzLoadConfig: the configuration loader never panics, and an error
// always comes with the zero Config and at least one issue.
func FuzzLoadConfig(f *testing.F) {
	f.Add(goodConfig)
	f.Add("policy: [a, b]\n")
	f.Add("upstream: {refresh: -1s}\nflex: 3\n")
	f.Add("a: &x 1\nb: *x\n")
	f.Add("pass_through: {skill.int: }\n")
	f.Add("\t- x")
	f.Fuzz(func(t *testing.T, doc string) {
		cfg, err := LoadConfig(strings.NewReader(doc))
		if err == nil {
			return
		}
		if !reflect.DeepEqual(cfg, Config{}) {
			t.Errorf("error %v with a non-zero Config %+v", err, cfg)
		}
		var ce *ConfigError
		if !errors.As(err, &ce) || len(ce.Issues) == 0 {
			t.Errorf("error %v is not a *ConfigError with issues", err)
		}
	})
}
