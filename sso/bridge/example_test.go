package bridge_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/flexroles/flexroles/decisionlog"
	"github.com/flexroles/flexroles/sso/bridge"
)

// A configuration is read strictly: a misspelt key is reported with its
// line and column, as in policies.
func ExampleLoadConfig() {
	_, err := bridge.LoadConfig(strings.NewReader(`policy: policy.yaml
base_url: https://flex-sso.example.com
upstream: {metadata_url: https://idp.example.com/metadata}
flex: {acount: AC0123456789abcdef0123456789abcdef}
keys: {key: bridge.key, certificate: bridge.crt}
`))
	fmt.Println(err)
	// Output:
	// flexroles: invalid bridge configuration
	//   1:1: flex: missing; the bridge needs it
	//   4:8: flex.acount: unknown key (did you mean "account"?); known here: account, connection, region, acs_url
}

// A Go service mounts the bridge in its own server, below the path of the
// configuration's base_url.
func ExampleNew() {
	cfg, err := bridge.LoadConfigFile("bridge.yaml")
	if err != nil {
		log.Fatal(err)
	}
	b, err := bridge.New(context.Background(), cfg, slog.New(slog.NewJSONHandler(os.Stderr, nil)))
	if err != nil {
		log.Fatal(err)
	}
	go b.Refresh(context.Background()) // keep the IdP's metadata (and, with policy_reload, the policy) fresh
	mux := http.NewServeMux()
	mux.Handle("/sso/", b)            // base_url: https://example.com/sso
	srv := bridge.NewServer(mux, nil) // the bridge's own timeouts
	srv.Addr = "127.0.0.1:8080"
	log.Fatal(srv.ListenAndServe())
}

// A service that mounts the bridge can act on each decided login, here
// counting, in shadow mode, the logins whose policy decision differs from
// what Flex received. The function gets a copy of the decision-log record:
// it changes nothing the bridge does.
func ExampleBridge_OnDecision() {
	cfg, err := bridge.LoadConfigFile("bridge.yaml")
	if err != nil {
		log.Fatal(err)
	}
	b, err := bridge.New(context.Background(), cfg, slog.New(slog.NewJSONHandler(os.Stderr, nil)))
	if err != nil {
		log.Fatal(err)
	}
	var disagreements atomic.Int64
	b.OnDecision(func(rec decisionlog.Record) {
		if rec.Agree != nil && !*rec.Agree {
			disagreements.Add(1)
		}
	})
	log.Fatal(b.ListenAndServe(context.Background()))
}

// A service that mounts the bridge reloads the policy when it is told to,
// here on SIGHUP as the command does: a policy that does not load, fails
// one of its own cases or breaks pass_through is refused, and the policy in
// force goes on deciding logins.
func ExampleBridge_ReloadPolicy() {
	cfg, err := bridge.LoadConfigFile("bridge.yaml")
	if err != nil {
		log.Fatal(err)
	}
	b, err := bridge.New(context.Background(), cfg, slog.New(slog.NewJSONHandler(os.Stderr, nil)))
	if err != nil {
		log.Fatal(err)
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		for range hup {
			if err := b.ReloadPolicy(context.Background()); err != nil {
				log.Print(err) // also logged by the bridge and counted in its metrics
			}
		}
	}()
	log.Fatal(b.ListenAndServe(context.Background()))
}
