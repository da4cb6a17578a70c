package bridge

import (
	"errors"
	"strconv"
	"testing"
	"time"
)

// TestReplayCache: both caches refuse a key until it expires; a full state
// cache forgets the state that expires first, a full assertion cache
// refuses, and expired keys make room in either.
func TestReplayCache(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	for _, tc := range []struct {
		name  string
		cache *replayCache
		full  error // what a new key meets when the cache is full of unexpired keys
	}{
		{"states", newStateCache(3), nil},
		{"assertions", newAssertionCache(3), errReplayCacheFull},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.cache
			for i := 0; i < 3; i++ { // k0 expires first
				if err := c.consume("k"+strconv.Itoa(i), now.Add(time.Duration(i+1)*time.Minute), now); err != nil {
					t.Fatalf("k%d: %v", i, err)
				}
			}
			if err := c.consume("k1", now.Add(time.Hour), now); !errors.Is(err, errReplayed) {
				t.Errorf("k1 again: %v, want errReplayed", err)
			}
			if err := c.consume("k3", now.Add(time.Hour), now); !errors.Is(err, tc.full) {
				t.Errorf("k3 into a full cache: %v, want %v", err, tc.full)
			}
			if tc.full == nil {
				if err := c.consume("k0", now.Add(time.Hour), now); err != nil {
					t.Errorf("k0 after it was evicted, oldest first: %v", err)
				}
				if err := c.consume("k2", now.Add(time.Hour), now); !errors.Is(err, errReplayed) {
					t.Errorf("k2, not the oldest, was evicted: %v", err)
				}
				return
			}
			later := now.Add(90 * time.Second) // k0 has expired
			if err := c.consume("k3", now.Add(time.Hour), later); err != nil {
				t.Errorf("k3 once k0 expired: %v", err)
			}
			if err := c.consume("k0", now.Add(time.Hour), later.Add(time.Hour)); err != nil {
				t.Errorf("k0 after every key expired: %v", err)
			}
			if n := c.len(); n != 1 {
				t.Errorf("%d keys held after every other key expired, want 1", n)
			}
		})
	}
}
