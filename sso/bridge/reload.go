package bridge

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/flexroles/flexroles"
)

// ReloadPolicy reads the policy file again and puts the new policy in
// force only when all of these hold, in this order:
//
//  1. it loads (a problem is reported as file:line:column: field: message,
//     every one at once);
//  2. every one of its own test cases passes (a failure names the case and
//     its line);
//  3. the pass_through configuration holds against it (no entry sends the
//     attribute the new policy reads roles from).
//
// Otherwise the policy in force stays, and the returned error, logged at
// level ERROR, lists the problems. Every reload is counted in
// flexroles_bridge_policy_reloads_total by result ("ok" or "failed"), and
// flexroles_bridge_policy_info names the digest in force.
//
// The swap is atomic: each login reads the policy once, so a login is
// decided wholly by the policy in force when its decision started (its
// grant or refusal, the attributes sent to Flex, the pass-through checks),
// never by a mix of two. Reloads run one at a time. A ctx that has ended
// before the reload starts leaves everything as it was and returns its
// error. The command reloads on SIGHUP, and, with policy_reload set, Refresh
// reloads whenever the file's bytes change.
func (b *Bridge) ReloadPolicy(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.reloading.Lock()
	defer b.reloading.Unlock()
	old := b.policyInForce()
	next, err := b.checkedPolicy()
	if err != nil {
		b.stats.policyReload(false)
		b.log.Error("policy reload failed; the policy in force stays", "file", b.cfg.Policy, "policy", old.Digest(), "error", err.Error())
		return err
	}
	b.policy.Store(next)
	b.stats.policyReload(true)
	b.log.Info("policy reloaded", "file", b.cfg.Policy, "policy", next.Digest(), "previous", old.Digest())
	return nil
}

// checkedPolicy loads the policy file and checks it as ReloadPolicy says.
func (b *Bridge) checkedPolicy() (*flexroles.Policy, error) {
	p, err := flexroles.LoadPolicyFile(b.cfg.Policy)
	if err != nil {
		return nil, errors.Join(errors.New("flexroles: policy reload: the file does not load"), err)
	}
	var problems []string
	for _, r := range p.Test() {
		if r.Failure != "" {
			problems = append(problems, b.cfg.Policy+":"+strconv.Itoa(r.Line)+": case "+quote(r.Name)+" fails: "+
				strings.ReplaceAll(r.Failure, "\n", "\n    "))
		}
	}
	for _, to := range sortedKeys(b.cfg.PassThrough) {
		if err := checkPassThrough(to, b.cfg.PassThrough[to], p); err != nil {
			problems = append(problems, strings.TrimPrefix(err.Error(), "flexroles: "))
		}
	}
	if len(problems) > 0 {
		return nil, errors.New("flexroles: policy reload: " + b.cfg.Policy + " (" + p.Digest() + ") loads but is not put in force:\n  " +
			strings.Join(problems, "\n  "))
	}
	return p, nil
}

// watchPolicy reloads the policy whenever the file's bytes change, looking
// every cfg.PolicyReload, until ctx ends; off when PolicyReload is zero.
// Bytes that were tried once are not tried again until they change, so a
// broken file is reported once, not at every look; bytes that load into
// the policy in force (the same digest) are no reload at all.
func (b *Bridge) watchPolicy(ctx context.Context) {
	if b.cfg.PolicyReload <= 0 {
		return
	}
	t := time.NewTicker(b.cfg.PolicyReload)
	defer t.Stop()
	type seen struct{ data, err string }
	var last seen
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		var now seen
		data, err := os.ReadFile(b.cfg.Policy)
		if err != nil {
			now.err = err.Error()
		} else {
			now.data = string(data)
		}
		if now == last {
			continue
		}
		last = now
		if err == nil {
			if p, err := flexroles.LoadPolicy(strings.NewReader(now.data)); err == nil && p.Digest() == b.policyInForce().Digest() {
				continue
			}
		}
		_ = b.ReloadPolicy(ctx) // logged and counted there
	}
}
