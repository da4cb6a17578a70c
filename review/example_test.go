package review_test

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/export"
	"github.com/flexroles/flexroles/review"
)

// policy loads a policy from text, for the examples.
func policy(text string) *flexroles.Policy {
	p, err := flexroles.LoadPolicy(strings.NewReader(text))
	if err != nil {
		panic(err)
	}
	return p
}

// ExampleComparison compares a policy with a change that makes team leads
// quality managers, over two users, fails the review on any new
// wfo.quality_manager, and prints the text report.
func ExampleComparison() {
	const text = `version: 1
sso:
  rules:
    - name: team leads
      when: {group: CC-Leads}
      grant: [supervisor, wfo.team_leader]
    - name: agents
      when: {group: CC-Agents}
      grant: [agent]
`
	old := policy(text)
	next := policy(strings.Replace(text, "wfo.team_leader", "wfo.quality_manager", 1))
	fail, err := review.ParseFailOn("gain:wfo.quality_manager")
	if err != nil {
		fmt.Println(err)
		return
	}
	c := review.New(old, next, fail)
	w := bufio.NewWriter(os.Stdout)
	out := review.NewTextReporter(w, "users.csv")
	out.Start("policy.yaml", "policy-next.yaml", review.RenameNotes(old, next))
	err = export.Read(strings.NewReader("email,name,groups\nana@example.com,Ana,CC-Leads\nbo@example.com,Bo,CC-Agents\n"), func(u *export.User) error {
		if ch := c.Compare(u); ch != nil {
			out.Change(ch)
		}
		return nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	out.Finish(&c.Summary)
	if err := w.Flush(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// Comparing policy.yaml (old) with policy-next.yaml (new) for the users of users.csv
	//
	// ~ ana@example.com (users.csv:2)
	//     + wfo.quality_manager  from rule "team leads"
	//     - wfo.team_leader      was from rule "team leads"
	//     insights + export_calls, - dashboards=explorer→viewer
	//     fails on gain:wfo.quality_manager
	//
	// 1 of 2 users changes: 1 gains roles, 1 loses roles.
	//   gain wfo.quality_manager: 1 user
	//   lose wfo.team_leader: 1 user
	//   gain Insights export_calls: 1 user
	//   lose Insights dashboards=explorer→viewer: 1 user
	// fails on gain:wfo.quality_manager: 1 user
}

// ExampleParseFailOn shows the error for a misspelt role.
func ExampleParseFailOn() {
	_, err := review.ParseFailOn("refuse, gain:supervisr")
	fmt.Println(err)
	// Output:
	// "gain:supervisr": "supervisr" is no role (did you mean "supervisor"?) nor Insights capability
}
