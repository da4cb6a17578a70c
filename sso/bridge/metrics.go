package bridge

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Login outcomes, the outcome label of the logins metric.
const (
	outcomeGranted    = "granted"     // Flex was sent an assertion
	outcomeRefused    = "refused"     // the policy or Flex's rules refused the user
	outcomeRejected   = "rejected"    // the upstream response or the login state failed a check
	outcomeBadRequest = "bad_request" // Flex's request or the form could not be used
	outcomeError      = "error"       // the bridge failed
	outcomeBusy       = "busy"        // too many responses were being verified: HTTP 503
)

// latencyBuckets are the upper bounds, in seconds, of the login latency
// histogram.
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

// metrics counts logins by outcome and kind, and their latency, in the
// Prometheus text format.
type metrics struct {
	mu               sync.Mutex
	logins           map[[2]string]uint64
	buckets          []uint64 // cumulative counts are computed when served
	count            uint64
	sum              float64
	metadataFailures uint64
	storeErrors      uint64
	reloadsOK        uint64
	reloadsFailed    uint64
	// policyDigest names the policy in force when the metrics are served.
	policyDigest func() string
	// shadowLogins counts shadow-mode logins by agreement ([0] false,
	// [1] true); disagreements by kind. Both are written, from zero, only
	// by a bridge in shadow mode.
	shadowLogins  [2]uint64
	disagreements map[string]uint64
	shadowMode    bool
	// decisionLogFailures counts the decision-log lines that could not be
	// written; written only by a bridge with a decision log.
	decisionLogFailures uint64
	decisionLog         bool
}

func newMetrics() *metrics {
	return &metrics{logins: map[[2]string]uint64{}, buckets: make([]uint64, len(latencyBuckets))}
}

// login counts one login; latency 0 is not observed (requests refused
// before any work).
func (m *metrics) login(outcome, kind string, latency time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.logins[[2]string{outcome, kind}]++
	if latency <= 0 {
		return
	}
	s := latency.Seconds()
	m.count++
	m.sum += s
	for i, le := range latencyBuckets {
		if s <= le {
			m.buckets[i]++
			break
		}
	}
}

// disagreementKinds are the kind labels of the disagreements counter, in
// the order written.
var disagreementKinds = []string{"gain", "loss", "refused_by_policy"}

// shadow counts a shadow-mode login: whether the policy agreed with what
// Flex received and, when not, each kind of the disagreement.
func (m *metrics) shadow(agree bool, kinds []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if agree {
		m.shadowLogins[1]++
	} else {
		m.shadowLogins[0]++
	}
	if m.disagreements == nil {
		m.disagreements = map[string]uint64{}
	}
	for _, k := range kinds {
		m.disagreements[k]++
	}
}

func (m *metrics) decisionLogFailure() {
	m.mu.Lock()
	m.decisionLogFailures++
	m.mu.Unlock()
}

func (m *metrics) metadataFailure() {
	m.mu.Lock()
	m.metadataFailures++
	m.mu.Unlock()
}

func (m *metrics) storeError() {
	m.mu.Lock()
	m.storeErrors++
	m.mu.Unlock()
}

func (m *metrics) policyReload(ok bool) {
	m.mu.Lock()
	if ok {
		m.reloadsOK++
	} else {
		m.reloadsFailed++
	}
	m.mu.Unlock()
}

func (m *metrics) serve(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	_, _ = w.Write([]byte(m.text()))
}

func (m *metrics) text() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var b strings.Builder
	b.WriteString("# HELP flexroles_bridge_logins_total Logins through the bridge by outcome and refusal kind.\n")
	b.WriteString("# TYPE flexroles_bridge_logins_total counter\n")
	keys := make([][2]string, 0, len(m.logins))
	for k := range m.logins {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, c [2]string) int { return strings.Compare(a[0]+"\x00"+a[1], c[0]+"\x00"+c[1]) })
	for _, k := range keys {
		fmt.Fprintf(&b, "flexroles_bridge_logins_total{outcome=%q,kind=%q} %d\n", k[0], k[1], m.logins[k])
	}
	b.WriteString("# HELP flexroles_bridge_login_duration_seconds Time from the upstream response's arrival to the bridge's answer.\n")
	b.WriteString("# TYPE flexroles_bridge_login_duration_seconds histogram\n")
	var cum uint64
	for i, le := range latencyBuckets {
		cum += m.buckets[i]
		fmt.Fprintf(&b, "flexroles_bridge_login_duration_seconds_bucket{le=\"%g\"} %d\n", le, cum)
	}
	fmt.Fprintf(&b, "flexroles_bridge_login_duration_seconds_bucket{le=\"+Inf\"} %d\n", m.count)
	fmt.Fprintf(&b, "flexroles_bridge_login_duration_seconds_sum %g\n", m.sum)
	fmt.Fprintf(&b, "flexroles_bridge_login_duration_seconds_count %d\n", m.count)
	b.WriteString("# HELP flexroles_bridge_metadata_refresh_failures_total Failed refreshes of the upstream metadata URL.\n")
	b.WriteString("# TYPE flexroles_bridge_metadata_refresh_failures_total counter\n")
	fmt.Fprintf(&b, "flexroles_bridge_metadata_refresh_failures_total %d\n", m.metadataFailures)
	b.WriteString("# HELP flexroles_bridge_store_errors_total Calls to the replay store (logins and readyz checks) that failed.\n")
	b.WriteString("# TYPE flexroles_bridge_store_errors_total counter\n")
	fmt.Fprintf(&b, "flexroles_bridge_store_errors_total %d\n", m.storeErrors)
	b.WriteString("# HELP flexroles_bridge_policy_reloads_total Policy reloads by result: ok (put in force) or failed (the policy in force stays).\n")
	b.WriteString("# TYPE flexroles_bridge_policy_reloads_total counter\n")
	fmt.Fprintf(&b, "flexroles_bridge_policy_reloads_total{result=\"failed\"} %d\n", m.reloadsFailed)
	fmt.Fprintf(&b, "flexroles_bridge_policy_reloads_total{result=\"ok\"} %d\n", m.reloadsOK)
	if m.policyDigest != nil {
		b.WriteString("# HELP flexroles_bridge_policy_info The policy in force, by the sha256 digest of its file's bytes.\n")
		b.WriteString("# TYPE flexroles_bridge_policy_info gauge\n")
		fmt.Fprintf(&b, "flexroles_bridge_policy_info{digest=%q} 1\n", m.policyDigest())
	}
	if m.decisionLog {
		b.WriteString("# HELP flexroles_bridge_decision_log_failures_total Decision-log lines that could not be written; the logins went on.\n")
		b.WriteString("# TYPE flexroles_bridge_decision_log_failures_total counter\n")
		fmt.Fprintf(&b, "flexroles_bridge_decision_log_failures_total %d\n", m.decisionLogFailures)
	}
	if m.shadowMode {
		b.WriteString("# HELP flexroles_bridge_shadow_logins_total Shadow-mode logins by whether the policy's decision is what Flex received.\n")
		b.WriteString("# TYPE flexroles_bridge_shadow_logins_total counter\n")
		fmt.Fprintf(&b, "flexroles_bridge_shadow_logins_total{agree=\"false\"} %d\n", m.shadowLogins[0])
		fmt.Fprintf(&b, "flexroles_bridge_shadow_logins_total{agree=\"true\"} %d\n", m.shadowLogins[1])
		b.WriteString("# HELP flexroles_bridge_shadow_disagreements_total Shadow-mode logins where the policy would give a role Flex did not receive (gain), not give one it received (loss), or refuse the login (refused_by_policy).\n")
		b.WriteString("# TYPE flexroles_bridge_shadow_disagreements_total counter\n")
		for _, k := range disagreementKinds {
			fmt.Fprintf(&b, "flexroles_bridge_shadow_disagreements_total{kind=%q} %d\n", k, m.disagreements[k])
		}
	}
	return b.String()
}
