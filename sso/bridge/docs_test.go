package bridge

import (
	"bytes"
	"context"
	"github.com/flexroles/flexroles/internal/mdtext"
	"github.com/flexroles/flexroles/sso/samltest"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// bridgeDoc is docs/bridge.md.
func bridgeDoc(t testing.TB) string {
	t.Helper()
	doc, err := os.ReadFile("../../docs/bridge.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(doc)
}

// docBlock returns the first fenced block of kind lang after heading in
// docs/bridge.md, exactly as written there (mdtext.Block).
func docBlock(t testing.TB, heading, lang string) string {
	t.Helper()
	block, err := mdtext.Block(bridgeDoc(t), heading, lang)
	if err != nil {
		t.Fatal("docs/bridge.md has " + err.Error())
	}
	return block
}

// metadataAnswerer answers every request with the test IdP's metadata: the
// documented metadata_url names an IdP this machine cannot reach, and no
// request may leave it.
type metadataAnswerer struct{ metadata []byte }

func (m metadataAnswerer) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(bytes.NewReader(m.metadata)), Header: http.Header{}, Request: r}, nil
}

// fakeDeployment writes the files the documented configuration names
// (policy.yaml, bridge.key, bridge.crt) into a new directory, and returns
// it with a client that answers its metadata_url.
func fakeDeployment(t testing.TB) (string, *http.Client) {
	t.Helper()
	w := newWorld(t, nil)
	resp, err := http.Get(w.cfg.Upstream.MetadataURL)
	if err != nil {
		t.Fatal(err)
	}
	md, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "policy.yaml"), []byte(examplePolicy(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	key, cert := keyPair(t, 0)
	if err := samltest.WriteKeyPair(filepath.Join(dir, "bridge.key"), filepath.Join(dir, "bridge.crt"), key, cert); err != nil {
		t.Fatal(err)
	}
	return dir, &http.Client{Transport: metadataAnswerer{md}}
}

// TestDocumentedConfiguration: the configuration block of docs/bridge.md
// loads as written and the bridge starts on it, with every endpoint at its
// documented URL below the documented base_url.
func TestDocumentedConfiguration(t *testing.T) {
	block := docBlock(t, "## Configuration", "yaml")
	dir, client := fakeDeployment(t)
	path := filepath.Join(dir, "bridge.yaml")
	if err := os.WriteFile(path, []byte(block), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfigFile(path)
	if err != nil {
		t.Fatalf("the documented configuration does not load: %v", err)
	}
	b, err := newBridge(context.Background(), cfg, nil, client)
	if err != nil {
		t.Fatalf("the bridge does not start on the documented configuration: %v", err)
	}
	if got := b.paths.sso.String(); got != "https://flex-sso.example.com/saml/sso" {
		t.Errorf("SSO URL %q", got)
	}
	doc, err := os.ReadFile("../../docs/bridge.md")
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]int{"saml/sso": 400, "saml/acs": 405, "saml/metadata": 200, "saml/sp-metadata": 200, "healthz": 200, "readyz": 200, "metrics": 200} {
		if !bytes.Contains(doc, []byte("| `"+path+"` |")) {
			t.Errorf("the Endpoints table does not list %s", path)
		}
		rec := httptest.NewRecorder()
		b.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "https://flex-sso.example.com/"+path, nil))
		if rec.Code != want {
			t.Errorf("GET %s: HTTP %d, want %d", path, rec.Code, want)
		}
	}
}
