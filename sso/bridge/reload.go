package bridge

import (
	"bytes"
	"context"
	"errors"
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
	data, err := readFileAtMost(b.cfg.Policy, "policy", flexroles.MaxPolicySize)
	return b.reload(data, err)
}

// reload puts the policy of data (read with readErr) in force, as
// ReloadPolicy says: the bytes checked are the bytes put in force.
func (b *Bridge) reload(data []byte, readErr error) error {
	b.reloading.Lock()
	defer b.reloading.Unlock()
	old := b.policyInForce()
	err := readErr
	var next *flexroles.Policy
	if err == nil {
		next, err = b.checkedPolicy(data)
	}
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

// checkedPolicy loads the policy file's bytes, read once, and checks them
// as ReloadPolicy says.
func (b *Bridge) checkedPolicy(data []byte) (*flexroles.Policy, error) {
	p, err := flexroles.LoadPolicy(bytes.NewReader(data))
	if err != nil {
		var pe *flexroles.PolicyError
		if errors.As(err, &pe) {
			pe.File = b.cfg.Policy // its issues name the file, as LoadPolicyFile's do
		}
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
// New bytes are tried only once two looks in a row find them, so that a
// file caught half-written (which may still load, short of its last deny
// rules and cases) is not put in force. Bytes that were tried once are not
// tried again until they change, so a broken file is reported once, not
// at every look; bytes that load into the policy in force (the same
// digest) are no reload at all.
func (b *Bridge) watchPolicy(ctx context.Context) {
	if b.cfg.PolicyReload <= 0 {
		return
	}
	t := time.NewTicker(b.cfg.PolicyReload)
	defer t.Stop()
	type seen struct{ data, err string }
	var last, tried seen
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		var now seen
		data, err := readFileAtMost(b.cfg.Policy, "policy", flexroles.MaxPolicySize)
		if err != nil {
			now.err = err.Error()
		} else {
			now.data = string(data)
		}
		stable := now == last
		last = now
		if !stable || now == tried {
			continue // new bytes wait for the next look; tried ones for a change
		}
		tried = now
		if err == nil {
			if p, err := flexroles.LoadPolicy(strings.NewReader(now.data)); err == nil && p.Digest() == b.policyInForce().Digest() {
				continue
			}
		}
		_ = b.reload(data, err) // the bytes compared are the bytes checked; logged and counted there
	}
}
