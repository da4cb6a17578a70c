package bridge

import (
	"container/heap"
	"errors"
	"sync"
	"time"
)

// errReplayed refuses an assertion or a login state seen before.
var errReplayed = errors.New("this upstream assertion or login state has been used already")

// errReplayCacheFull refuses a login when the assertion-ID cache holds only
// unexpired IDs: accepting it could not be checked against replay. Only
// verified logins enter that cache, so only signed logins from the
// upstream IdP can fill it.
var errReplayCacheFull = errors.New("too many logins in the replay window; the assertion replay cache is full (raise replay_cache_size)")

// replayCache remembers keys until they expire. It is bounded by max and
// safe for concurrent use; expired keys leave it in order of expiry, each
// at a cost of O(log n), so no call walks the whole cache. When it is full
// of unexpired keys, a cache that evicts forgets the key that expires
// first to make room; one that does not refuses the new key.
type replayCache struct {
	mu    sync.Mutex
	max   int
	evict bool
	until map[string]time.Time
	order expiryHeap
}

// newStateCache remembers the handles of login states used by a verified
// response. When full it forgets the oldest: a forgotten handle is still
// bound to its request ID, which only the upstream IdP's signature can
// answer, and the assertion-ID cache refuses a second use of that answer.
func newStateCache(max int) *replayCache {
	return &replayCache{max: max, evict: true, until: make(map[string]time.Time)}
}

// newAssertionCache remembers the IDs of verified assertions until they
// expire. When full of unexpired IDs it refuses new ones, since an
// assertion it forgot could be replayed.
func newAssertionCache(max int) *replayCache {
	return &replayCache{max: max, until: make(map[string]time.Time)}
}

// consume records key as used until expires, at time now. It fails with
// errReplayed if key is recorded and unexpired, and with errReplayCacheFull
// if the cache does not evict and is full of unexpired keys.
func (c *replayCache) consume(key string, expires, now time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.order) > 0 && !now.Before(c.order[0].expires) {
		delete(c.until, heap.Pop(&c.order).(expiring).key)
	}
	if _, ok := c.until[key]; ok {
		return errReplayed
	}
	if len(c.until) >= c.max {
		if !c.evict {
			return errReplayCacheFull
		}
		delete(c.until, heap.Pop(&c.order).(expiring).key)
	}
	c.until[key] = expires
	heap.Push(&c.order, expiring{key: key, expires: expires})
	return nil
}

// len returns the number of keys held, expired or not.
func (c *replayCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.until)
}

// expiring is one key of a replayCache and the time it expires.
type expiring struct {
	key     string
	expires time.Time
}

// expiryHeap orders a replayCache's keys by expiry, earliest first
// (container/heap).
type expiryHeap []expiring

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].expires.Before(h[j].expires) }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(expiring)) }
func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
