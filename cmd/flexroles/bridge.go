package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/flexroles/flexroles/sso/bridge"
	"github.com/flexroles/flexroles/sso/bridge/demo"
)

const bridgeUsage = `usage:
  flexroles bridge --config BRIDGE.yaml          serve the bridge
  flexroles bridge check --config BRIDGE.yaml    load everything, run the policy's cases, print the setup
  flexroles bridge demo [--config examples/bridge.yaml] [--listen HOST:PORT] [--mode enforce|shadow] [--prepare]

The bridge is a SAML identity provider for Flex that resolves every login
with the policy: docs/bridge.md. serve logs to stderr (JSON), reloads the
policy on SIGHUP (kept only when it loads and its cases pass) and reopens
the decision log, and on SIGINT or SIGTERM answers 503 at readyz for
shutdown_delay, lets requests under way finish and exits 0; check exits 1 when a policy case fails; demo runs a demo IdP, the
bridge and a stand-in for Flex on one loopback address, and with --prepare
only makes the demo's keys and IdP metadata (what check needs) and exits;
demo --mode shadow runs the bridge in shadow mode with the users of
users-roles.csv, whose roles reach Flex while its page shows the policy's
decision beside them.
`

// runBridge runs "flexroles bridge" with the arguments after the command
// name and returns the exit status.
func runBridge(args []string, stdout, stderr io.Writer) int {
	verb := "serve"
	if len(args) > 0 && (args[0] == "check" || args[0] == "demo") {
		verb, args = args[0], args[1:]
	}
	var config, listen, mode string
	var prepare bool
	name := "bridge"
	if verb != "serve" {
		name += " " + verb
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	defaultConfig := ""
	if verb == "demo" {
		defaultConfig = "examples/bridge.yaml"
		fs.StringVar(&listen, "listen", "", "serve the demo here instead of the configuration's address")
		fs.BoolVar(&prepare, "prepare", false, "make the demo's keys and IdP metadata, then exit without serving")
		fs.StringVar(&mode, "mode", "", "run the bridge in this mode (enforce or shadow) instead of the configuration's")
	}
	fs.StringVar(&config, "config", defaultConfig, "the bridge configuration (YAML)")
	if code, done := parseCommand(fs, args, bridgeUsage, stdout, stderr); done {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	if config == "" {
		return usageError(stderr, "%s: --config is required", fs.Name())
	}
	if mode != "" && mode != string(bridge.ModeEnforce) && mode != string(bridge.ModeShadow) {
		return usageError(stderr, "bridge demo: --mode is enforce or shadow, not %q", mode)
	}
	if prepare && listen != "" {
		return usageError(stderr, "bridge demo: --prepare makes the files for the configuration's own address; --listen is for serving")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch verb {
	case "check":
		return bridgeCheck(ctx, config, stdout, stderr)
	case "demo":
		return bridgeDemo(ctx, config, listen, bridge.Mode(mode), prepare, stdout, stderr)
	}
	if err := bridgeServe(ctx, config, stderr); err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	return exitOK
}

// bridgeServe serves the bridge until ctx ends (SIGINT or SIGTERM), then
// drains it; SIGHUP reloads the policy (Bridge.ReloadPolicy, which logs
// and counts the outcome), and a failed reload keeps the bridge serving
// with the policy in force; SIGHUP also reopens the decision log
// (Bridge.ReopenLog, which logs a failure), for rotation.
func bridgeServe(ctx context.Context, config string, stderr io.Writer) error {
	// Caught from the start, so that a SIGHUP while the bridge loads does
	// not end the process; it reloads once the bridge is up.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	cfg, err := bridge.LoadConfigFile(config)
	if err != nil {
		return err
	}
	b, err := bridge.New(ctx, cfg, slog.New(slog.NewJSONHandler(stderr, nil)))
	if err != nil {
		return err
	}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				_ = b.ReloadPolicy(ctx) // logged and counted by the bridge
				_ = b.ReopenLog()       // logged by the bridge
			}
		}
	}()
	return b.ListenAndServe(ctx)
}

func bridgeCheck(ctx context.Context, config string, stdout, stderr io.Writer) int {
	cfg, err := bridge.LoadConfigFile(config)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	setup, results, err := bridge.Check(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, err)
		// Only a demo's configuration names a stand-in for Flex
		// (flex.acs_url); its missing files are the ones the demo makes.
		if errors.Is(err, fs.ErrNotExist) && cfg.Flex.ACSURL != "" {
			fmt.Fprintf(stderr, "(for the demo's configuration, \"flexroles bridge demo --prepare --config %s\" makes the keys and IdP metadata that the configuration names, as does the demo's first run)\n", config)
		}
		return exitUsage
	}
	for _, w := range setup.Warnings {
		fmt.Fprintln(stderr, "flexroles: warning: "+w)
	}
	failed := 0
	for _, r := range results {
		if r.Failure != "" {
			failed++
			fmt.Fprintf(stdout, "FAIL %s (line %d)\n  %s\n", r.Name, r.Line, r.Failure)
		}
	}
	fmt.Fprintf(stdout, "policy %s: %d cases, %d failed\n\n", cfg.Policy, len(results), failed)
	if err := setup.WriteText(stdout); err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	if failed > 0 {
		return exitFailed
	}
	return exitOK
}

func bridgeDemo(ctx context.Context, config, listen string, mode bridge.Mode, prepare bool, stdout, stderr io.Writer) int {
	opt := demo.Options{
		Config:      config,
		Mode:        mode,
		PrepareOnly: prepare,
		Log:         slog.New(slog.NewTextHandler(stderr, nil)),
		Ready: func(u string) {
			fmt.Fprintf(stdout, "flexroles bridge demo: open %s and sign in to Flex (Ctrl-C to stop)\n", u)
		},
	}
	if listen != "" {
		ln, err := net.Listen("tcp", listen)
		if err != nil {
			fmt.Fprintf(stderr, "flexroles: bridge demo: %v\n", err)
			return exitUsage
		}
		opt.Listener = ln
	}
	if err := demo.Run(ctx, opt); err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	if prepare {
		fmt.Fprintf(stdout, "flexroles bridge demo: the keys and IdP metadata %s names are ready; now: flexroles bridge check --config %s\n", config, config)
	}
	return exitOK
}
