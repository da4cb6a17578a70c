package bridge

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"
)

// TestMetadataSaysWhatIsServed: the bridge's two metadata documents, as
// served and parsed by crewjam/saml, publish only what the bridge does:
// signing certificates (the current and the next) and no encryption key;
// one ACS, HTTP-POST, the binding saml/acs serves; no validUntil, which
// would break a copy imported by hand, and a cacheDuration.
func TestMetadataSaysWhatIsServed(t *testing.T) {
	_, next := keyPair(t, 2)
	w := newWorld(t, func(c *Config) {
		path := filepath.Join(filepath.Dir(c.Keys.Certificate), "next.crt")
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: next.Raw}), 0o600); err != nil {
			t.Fatal(err)
		}
		c.Keys.NextCertificate = path
	})
	fetch := func(u url.URL) (*saml.EntityDescriptor, string) {
		t.Helper()
		p := w.browser("").get(u.String())
		if p.status != http.StatusOK || p.header.Get("Content-Type") != "application/samlmetadata+xml" {
			t.Fatalf("%s: HTTP %d, %s", u.String(), p.status, p.header.Get("Content-Type"))
		}
		md, err := samlsp.ParseMetadata([]byte(p.body))
		if err != nil {
			t.Fatal(err)
		}
		return md, p.body
	}

	idp, raw := fetch(w.bridge.paths.idpMetadata)
	_, cur := keyPair(t, 0)
	if len(idp.IDPSSODescriptors) != 1 {
		t.Fatalf("%d IDPSSODescriptors, want 1", len(idp.IDPSSODescriptors))
	}
	var signing []string
	for _, k := range idp.IDPSSODescriptors[0].KeyDescriptors {
		if k.Use != "signing" {
			t.Errorf("the IdP metadata offers a %q key; the bridge decrypts nothing", k.Use)
		}
		for _, c := range k.KeyInfo.X509Data.X509Certificates {
			signing = append(signing, c.Data)
		}
	}
	if want := []string{base64.StdEncoding.EncodeToString(cur.Raw), base64.StdEncoding.EncodeToString(next.Raw)}; strings.Join(signing, ",") != strings.Join(want, ",") {
		t.Errorf("signing certificates: %d, want the current and the next", len(signing))
	}
	var bindings []string
	for _, s := range idp.IDPSSODescriptors[0].SingleSignOnServices {
		if s.Location != w.bridge.paths.sso.String() {
			t.Errorf("SingleSignOnService at %s, not saml/sso", s.Location)
		}
		bindings = append(bindings, s.Binding)
	}
	if strings.Join(bindings, " ") != saml.HTTPRedirectBinding+" "+saml.HTTPPostBinding {
		t.Errorf("SSO bindings %q, want HTTP-Redirect and HTTP-POST, which saml/sso serves", bindings)
	}
	checkValidity(t, "IdP", idp, raw)

	sp, raw := fetch(w.bridge.paths.spMetadata)
	if len(sp.SPSSODescriptors) != 1 {
		t.Fatalf("%d SPSSODescriptors, want 1", len(sp.SPSSODescriptors))
	}
	d := sp.SPSSODescriptors[0]
	if len(d.AssertionConsumerServices) != 1 || d.AssertionConsumerServices[0].Binding != saml.HTTPPostBinding || d.AssertionConsumerServices[0].Location != w.bridge.paths.acs.String() {
		t.Errorf("ACS %+v, want only HTTP-POST at saml/acs", d.AssertionConsumerServices)
	}
	if len(d.KeyDescriptors) != 0 || len(d.SingleLogoutServices) != 0 || len(d.ArtifactResolutionServices) != 0 {
		t.Errorf("the SP metadata offers %d keys, %d logout and %d artifact services; the bridge has none", len(d.KeyDescriptors), len(d.SingleLogoutServices), len(d.ArtifactResolutionServices))
	}
	if strings.Contains(raw, "Artifact") {
		t.Errorf("the SP metadata names an artifact binding:\n%s", raw)
	}
	checkValidity(t, "SP", sp, raw)
}

// checkValidity: no validUntil anywhere, a cacheDuration of
// metadataCacheDuration.
func checkValidity(t *testing.T, which string, md *saml.EntityDescriptor, raw string) {
	t.Helper()
	if strings.Contains(raw, "validUntil") || !md.ValidUntil.IsZero() {
		t.Errorf("the %s metadata has a validUntil; an imported copy would stop working", which)
	}
	if md.CacheDuration != metadataCacheDuration || !strings.Contains(raw, `cacheDuration="PT1H"`) {
		t.Errorf("the %s metadata's cacheDuration is %v, want %v", which, md.CacheDuration, metadataCacheDuration)
	}
}

// TestMetadataURLHTTPS: upstream metadata comes over https, or plain http
// on a loopback address only, and a redirect cannot lead elsewhere; the
// refusal comes before any request is made.
func TestMetadataURLHTTPS(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want bool
	}{
		{"https://example.okta.com/app/exk1/sso/saml/metadata", true},
		{"http://127.0.0.1:8080/idp/metadata", true},
		{"http://[::1]/metadata", true},
		{"http://localhost/metadata", true},
		{"http://example.okta.com/app/exk1/sso/saml/metadata", false},
		{"http://10.0.0.1/metadata", false},
		{"ftp://127.0.0.1/metadata", false},
		{"https:///metadata", false},
	} {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := metadataURLAllowed(u); got != tc.want {
			t.Errorf("%s: allowed %v, want %v", tc.url, got, tc.want)
		}
	}

	w := newWorld(t, nil)
	cfg := w.cfg
	cfg.Upstream.MetadataURL = "http://idp.example.com/metadata"
	if _, err := New(context.Background(), cfg, nil); err == nil || !strings.Contains(err.Error(), "must be an https URL (plain http only on a loopback address") {
		t.Errorf("plain http metadata_url: %v", err)
	}
	redirect := w.bridge.up.client.CheckRedirect
	to := func(s string) error {
		u, _ := url.Parse(s)
		return redirect(&http.Request{URL: u}, []*http.Request{{}})
	}
	if err := to("http://idp.example.com/metadata"); err == nil {
		t.Errorf("a redirect to plain http off loopback is followed")
	}
	if err := to("https://idp.example.com/metadata"); err != nil {
		t.Errorf("a redirect to https is refused: %v", err)
	}
}

// TestMetadataCopies attacks the metadata accessors: a caller that
// rewrites every string reachable from what IDPMetadata and SPMetadata
// return changes neither what the bridge serves nor what the next call
// returns.
func TestMetadataCopies(t *testing.T) {
	w := newWorld(t, nil)
	for _, tc := range []struct {
		name string
		md   func() *saml.EntityDescriptor
		path url.URL
	}{
		{"IDPMetadata", w.bridge.IDPMetadata, w.bridge.paths.idpMetadata},
		{"SPMetadata", w.bridge.SPMetadata, w.bridge.paths.spMetadata},
	} {
		served := w.browser("").get(tc.path.String()).body
		before, err := xml.Marshal(tc.md())
		if err != nil {
			t.Fatal(err)
		}
		if n := scribble(reflect.ValueOf(tc.md())); n < 5 {
			t.Fatalf("%s: only %d strings rewritten; the walk reaches too little to test anything", tc.name, n)
		}
		if after := w.browser("").get(tc.path.String()).body; after != served {
			t.Errorf("%s: a caller's change to its copy reached the served metadata:\n%s", tc.name, after)
		}
		if after, _ := xml.Marshal(tc.md()); !bytes.Equal(after, before) {
			t.Errorf("%s: a caller's change to its copy reached the next copy:\n%s", tc.name, after)
		}
	}
}

// scribble sets every settable string reachable from v through pointers,
// slices, arrays, maps and exported struct fields to "forged", and flips
// every settable bool, and returns how many it changed.
func scribble(v reflect.Value) int {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return 0
		}
		return scribble(v.Elem())
	case reflect.Slice, reflect.Array:
		n := 0
		for i := range v.Len() {
			n += scribble(v.Index(i))
		}
		return n
	case reflect.Map:
		n := 0
		for it := v.MapRange(); it.Next(); {
			n += scribble(it.Value())
		}
		return n
	case reflect.Struct:
		n := 0
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				n += scribble(v.Field(i))
			}
		}
		return n
	case reflect.String:
		if v.CanSet() {
			v.SetString("forged")
			return 1
		}
	case reflect.Bool:
		if v.CanSet() {
			v.SetBool(!v.Bool())
			return 1
		}
	}
	return 0
}
