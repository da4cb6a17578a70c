package samltest_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestIDPUsers: without a user the IdP shows every user on its chooser page
// under its CSP; a user picked there signs in; a user with two emails has
// the Login as NameID, unspecified (rules 3 and 4); a service provider the
// sp function does not return is refused (rule 2).
func TestIDPUsers(t *testing.T) {
	p := newPair(t)
	c := p.browser("")
	chooser := get(t, c, p.flexURL+"/flex/login")
	for _, u := range testUsers {
		if !strings.Contains(chooser.Body, `value="`+u.Login+`"`) {
			t.Errorf("the chooser does not list %s:\n%s", u.Login, chooser.Body)
		}
	}
	if !strings.Contains(chooser.Body, "email=a@owlbank.example,b@owlbank.example; full_name=Two Mail") {
		t.Errorf("the chooser does not sum up twomail's attributes in name order:\n%s", chooser.Body)
	}
	if !strings.HasPrefix(chooser.Header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("chooser CSP %q", chooser.Header.Get("Content-Security-Policy"))
	}
	chooser.Fields.Set("user", "twomail")
	f := post(t, c, chooser.Action, chooser.Fields)
	if r := post(t, c, f.Action, f.Fields); r.Status != http.StatusOK {
		t.Fatalf("twomail: HTTP %d %s", r.Status, r.Body)
	}
	if r, _ := p.flex.Last(); r.NameID != "twomail" || !slices.Equal(r.Attributes["email"], testUsers[1].Attributes["email"]) {
		t.Errorf("twomail received as %+v", r)
	}

	if _, err := p.idp.GetServiceProvider(nil, "https://elsewhere.example/metadata"); err == nil {
		t.Error("the IdP knows a service provider sp does not return")
	}
	if md, err := p.idp.GetServiceProvider(nil, testAudience); err != nil || md.EntityID != testAudience {
		t.Errorf("the IdP does not know the stand-in: %v", err)
	}

	if _, err := p.browser("").SignIn(p.flexURL+"/flex/login", "nobody"); err == nil || !strings.Contains(err.Error(), "does not list the user nobody") {
		t.Errorf("SignIn as a user the IdP does not list: %v", err)
	}
}
