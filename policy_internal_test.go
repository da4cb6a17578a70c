package flexroles

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUserGroupsWords holds a user's group bits to one word per 64 groups
// the policy names, in the caller's buffer when it holds exactly that many:
// a buffer sized otherwise changes no decision, so only this test sees it.
func TestUserGroupsWords(t *testing.T) {
	for groups, words := range map[int]int{1: 1, 63: 1, 64: 1, 65: 2, 128: 2, 129: 3} {
		names := make([]string, groups)
		for i := range names {
			names[i] = fmt.Sprintf("G%d", i)
		}
		src := "version: 1\nsso:\n  rules:\n    - {name: r, when: {any_group: [" + strings.Join(names, ", ") + "]}, grant: [agent]}\n"
		p, err := LoadPolicy(strings.NewReader(src))
		require.NoError(t, err)

		bits := p.userGroups([]string{names[groups-1]}, nil)
		assert.Len(t, bits, words, "%d groups", groups)
		assert.True(t, bits.has(groups-1), "%d groups: the last group's bit", groups)

		buf := make([]uint64, 0, words)
		bits = p.userGroups(nil, buf)
		assert.Same(t, &buf[:1][0], &bits[0], "%d groups: a buffer of exactly %d words is used", groups, words)
	}
}
