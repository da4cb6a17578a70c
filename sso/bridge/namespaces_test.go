package bridge

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/flexroles/flexroles/sso/assertion"
)

// TestAttackNamespaceRebinding: a namespace declaration that exclusive
// canonicalisation leaves out of both signatures is rewritten on the way
// to Flex (xmlns:xs, used only inside attribute values such as
// xsi:type="xs:string", on every element that declares it, given another
// URI). Either a signature of
// the bridge's response then fails, or nothing signed depends on the
// binding: no verified attribute value is typed with a QName whose prefix
// the rewrite changed the meaning of. The bridge sends untyped values
// (as Entra ID does), so its signed assertion means the same under any
// binding of prefixes it does not use in names.
func TestAttackNamespaceRebinding(t *testing.T) {
	w := newWorld(t, nil)
	b := w.browser("alex")
	up := w.upstreamResponse(b, "")
	bp := b.post(up.action, up.fields)
	if bp.fields.Get("SAMLResponse") == "" {
		t.Fatalf("refused: HTTP %d\n%.600s", bp.status, bp.body)
	}
	doc := parse(t, decode(t, bp))
	rebound := 0
	for _, el := range append([]*etree.Element{doc.Root()}, doc.Root().FindElements("//*")...) {
		for i, a := range el.Attr {
			if a.Space == "xmlns" && a.Key == "xs" {
				el.Attr[i].Value = "urn:example:evil:" + a.Key
				rebound++
			}
		}
	}
	if rebound == 0 {
		t.Log("the response declares no xs prefix")
	}
	out := write(t, doc)
	wellFormed(t, out)

	resp, err := http.Get(w.bridge.paths.idpMetadata.String())
	if err != nil {
		t.Fatal(err)
	}
	mdXML := readAll(t, resp)
	md, err := assertion.ParseMetadata(mdXML)
	if err != nil {
		t.Fatal(err)
	}
	res, err := assertion.Verify(out, md, assertion.Expectations{
		Audience: w.bridge.flex.audience, ACS: w.bridge.flex.acs,
		RequestIDs: []string{doc.Root().SelectAttrValue("InResponseTo", "")},
		Now:        time.Now(), RejectSHA1: true,
	})
	if err != nil {
		if !errors.Is(err, assertion.ErrSignature) {
			t.Fatalf("refused for another reason than a signature: %v", err)
		}
		t.Logf("a signature covers the binding: %v", err)
		return
	}
	if !res.Signature.Verified || len(res.Signature.Elements) != 2 {
		t.Fatalf("signatures verified: %v", res.Signature.Elements)
	}
	for _, a := range res.Assertion.Attributes {
		for _, v := range a.Values {
			if prefix, _, ok := strings.Cut(v.Type, ":"); ok {
				t.Errorf("attribute %s is typed %q, a QName whose prefix %s no signature binds: the signatures still verify after %d declarations were rewritten", a.Name, v.Type, prefix, rebound)
			}
		}
	}
}

func readAll(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
