package bridge

import (
	"errors"
	"sync"
	"time"
)

// errReplayed refuses an assertion or a login state seen before.
var errReplayed = errors.New("this upstream assertion or login state has been used already")

// errReplayCacheFull refuses a login when the replay cache holds only
// unexpired entries: accepting it could not be checked against replay.
var errReplayCacheFull = errors.New("too many logins in the replay window; the replay cache is full")

// replayCache remembers used assertion IDs and login states until they
// expire; it is bounded, and safe for concurrent use.
type replayCache struct {
	mu    sync.Mutex
	max   int
	until map[string]time.Time
}

func newReplayCache(max int) *replayCache {
	return &replayCache{max: max, until: make(map[string]time.Time)}
}

// consume records key as used until expires, at time now. It fails if key
// is recorded and unexpired, or if the cache is full of unexpired keys.
func (c *replayCache) consume(key string, expires, now time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.until[key]; ok && now.Before(t) {
		return errReplayed
	}
	if len(c.until) >= c.max {
		for k, t := range c.until {
			if !now.Before(t) {
				delete(c.until, k)
			}
		}
		if len(c.until) >= c.max {
			return errReplayCacheFull
		}
	}
	c.until[key] = expires
	return nil
}
