package bridge

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
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

// FuzzNew: a configuration that loads never makes New panic, and a bridge
// that New returns serves every endpoint without panicking. The files the
// documented configuration names exist; metadata_url is answered here, so
// no input reaches the network.
func FuzzNew(f *testing.F) {
	dir, client := fakeDeployment(f)
	doc := docBlock(f, "## Configuration", "yaml")
	f.Add(doc)
	for _, base := range []string{"https://flex-sso.example.com/", "https://flex-sso.example.com/bridge", "https://flex-sso.example.com/a/b/",
		"https://flex-sso.example.com/{x}", "https://flex-sso.example.com/a%2Fb", "https://flex-sso.example.com:8443//", "http://[::1]:8080/x y", "https://h/#"} {
		f.Add(strings.Replace(doc, "https://flex-sso.example.com ", base+" ", 1))
	}
	f.Add(strings.Replace(doc, "replay_cache_size: 100000", "replay_cache_size: 9223372036854775807", 1))
	f.Add(strings.Replace(doc, "max_verifications: 4", "max_verifications: 9223372036854775807", 1))
	f.Fuzz(func(t *testing.T, yaml string) {
		path := filepath.Join(dir, "bridge.yaml")
		if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := LoadConfigFile(path)
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		b, err := newBridge(ctx, cfg, nil, client)
		if err != nil {
			return
		}
		for _, p := range []*url.URL{&b.paths.sso, &b.paths.acs, &b.paths.idpMetadata, &b.paths.spMetadata, &b.paths.health, &b.paths.ready, &b.paths.metrics} {
			for _, method := range []string{http.MethodGet, http.MethodPost} {
				r := httptest.NewRequest(method, "/", strings.NewReader(""))
				r.URL = &url.URL{Path: p.Path}
				b.ServeHTTP(httptest.NewRecorder(), r)
			}
		}
	})
}
