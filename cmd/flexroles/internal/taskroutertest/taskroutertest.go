// Package taskroutertest stands in for TaskRouter on a loopback port, for
// the tests of package taskrouter and of the command's live audit: Server
// serves the Workers list of Workspace as TaskRouter does (Basic auth
// checked, pages linked by an absolute next_page_url with a page token,
// Twilio's error bodies), and Config points a taskrouter.Config at it with
// a Sleep that records its waits instead of waiting.
package taskroutertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flexroles/flexroles/cmd/flexroles/internal/taskrouter"
)

// Credentials and SIDs of the tests. The token and secret are alphanumeric,
// as the SDK requires, and distinctive, so that a leak shows.
const (
	Account        = "AC0123456789abcdef0123456789abcdef"
	Token          = "tokenS3cr3tXq7Zv9Lw2Mn4Bp6Rt8Yu0Kd"
	Key            = "SKfedcba9876543210fedcba9876543210"
	Secret         = "apiSecretW4nd3rHq2Jx5Pc8Gf1Tz6Nb3"
	Workspace      = "WS00112233445566778899aabbccddeeff" // the workspace Server serves
	OtherWorkspace = "WSffeeddccbbaa99887766554433221100" // a workspace Server does not know
	Host           = "taskrouter.twilio.com"
)

// TokenEnv returns an environment with the account's auth token.
func TokenEnv() map[string]string {
	return map[string]string{"TWILIO_ACCOUNT_SID": Account, "TWILIO_AUTH_TOKEN": Token}
}

// KeyEnv returns an environment with an API key and secret.
func KeyEnv() map[string]string {
	return map[string]string{"TWILIO_ACCOUNT_SID": Account, "TWILIO_API_KEY": Key, "TWILIO_API_SECRET": Secret}
}

// Worker is a worker Server lists. A nil Attributes is listed as null.
type Worker struct {
	SID, Name  string
	Attributes any
}

// Workers returns five Flex workers, whose attributes hold what escaping
// must survive: quotes, non-ASCII text, escapes and nesting.
func Workers() []Worker {
	return []Worker{
		{WorkerSID(1), "ana.diaz@example.com", `{"roles":["agent"],"email":"ana.diaz@example.com","full_name":"Ana Diaz","contact_uri":"client:ana.diaz"}`},
		{WorkerSID(2), "bo.chen@example.com", `{"roles":["supervisor","wfo.team_leader"],"full_name":"Bo \"Bobby\" Chen","routing":{"skills":["sales"],"levels":{"sales":3}}}`},
		{WorkerSID(3), "zoe.orsted@example.com", `{"roles":["admin"],"full_name":"Zoë Ørsted \u2603","note":"a\\b\/c"}`},
		{WorkerSID(4), "system", `{}`},
		{WorkerSID(5), "dev.one@example.com", `{"roles":["agent","wfo.quality_process_manager"],"email":"dev.one@example.com"}`},
	}
}

// WorkerSID returns the SID of test worker n.
func WorkerSID(n int) string { return fmt.Sprintf("WK%032x", n) }

// Server serves the Workers list of Workspace as TaskRouter does: Basic
// auth checked, pages of pageSize workers whatever PageSize asks for, each
// linking to the next by an absolute next_page_url with a page token. It
// records the path and query of every request.
type Server struct {
	// Intercept, when set before the first request, may answer request n
	// (from 0) itself, which it tells by returning true.
	Intercept func(n int, w http.ResponseWriter, r *http.Request) bool

	user, pass string
	workers    []Worker
	pageSize   int
	srv        *httptest.Server
	mu         sync.Mutex
	requests   []string
}

// New starts a Server on a loopback port expecting the credentials of env,
// closed when the test ends.
func New(t testing.TB, env map[string]string, workers []Worker, pageSize int) *Server {
	s := &Server{user: env["TWILIO_ACCOUNT_SID"], pass: env["TWILIO_AUTH_TOKEN"], workers: workers, pageSize: pageSize}
	if env["TWILIO_API_KEY"] != "" {
		s.user, s.pass = env["TWILIO_API_KEY"], env["TWILIO_API_SECRET"]
	}
	s.srv = httptest.NewServer(s)
	t.Cleanup(s.srv.Close)
	return s
}

// Seen returns the requests served so far, as path and query.
func (s *Server) Seen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// ServeHTTP answers one request as TaskRouter would.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	n := len(s.requests)
	s.requests = append(s.requests, r.URL.RequestURI())
	s.mu.Unlock()

	if user, pass, ok := r.BasicAuth(); !ok || user != s.user || pass != s.pass {
		WriteError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	if r.Method != http.MethodGet || r.Host != Host || r.URL.Path != "/v1/Workspaces/"+Workspace+"/Workers" {
		WriteError(w, http.StatusNotFound, 20404, "The requested resource "+strings.TrimPrefix(r.URL.Path, "/v1")+" was not found")
		return
	}
	if s.Intercept != nil && s.Intercept(n, w, r) {
		return
	}
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("Page"))
	from := min(page*s.pageSize, len(s.workers))
	to := min(from+s.pageSize, len(s.workers))
	if page > 0 && q.Get("PageToken") != PageToken(s.workers[from-1]) {
		WriteError(w, http.StatusBadRequest, 20001, "Invalid PageToken")
		return
	}

	listed := []map[string]any{}
	for _, wk := range s.workers[from:to] {
		listed = append(listed, workerJSON(wk))
	}
	size := q.Get("PageSize")
	meta := map[string]any{
		"first_page_url":    pageURL(size, 0, ""),
		"key":               "workers",
		"next_page_url":     nil,
		"page":              page,
		"page_size":         len(listed),
		"previous_page_url": nil,
		"url":               pageURL(size, page, q.Get("PageToken")),
	}
	if to < len(s.workers) {
		meta["next_page_url"] = pageURL(size, page+1, PageToken(s.workers[to-1]))
	}
	if page > 0 {
		meta["previous_page_url"] = pageURL(size, page-1, "PB"+s.workers[from].SID)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"workers": listed, "meta": meta})
}

// PageToken returns the token of the page after the one ending with w.
func PageToken(w Worker) string { return "PA" + w.SID }

// pageURL returns the absolute URL of a page of Workspace's workers, as
// TaskRouter writes it in meta.
func pageURL(size string, page int, token string) string {
	return "https://" + Host + PagePath(size, page, token)
}

// PagePath returns the path and query of a page of Workspace's workers;
// the first page is asked for without Page and PageToken.
func PagePath(size string, page int, token string) string {
	p := "/v1/Workspaces/" + Workspace + "/Workers?PageSize=" + size
	if page > 0 || token != "" {
		p += "&Page=" + strconv.Itoa(page) + "&PageToken=" + token
	}
	return p
}

// workerJSON returns a worker as the TaskRouter API lists it: attributes is
// a JSON string holding the JSON object.
func workerJSON(w Worker) map[string]any {
	ws := "https://" + Host + "/v1/Workspaces/" + Workspace
	activity := "WA" + strings.Repeat("0a", 16)
	return map[string]any{
		"account_sid":         Account,
		"activity_name":       "Offline",
		"activity_sid":        activity,
		"attributes":          w.Attributes,
		"available":           false,
		"date_created":        "2024-03-05T10:12:45Z",
		"date_status_changed": "2024-06-11T16:03:27Z",
		"date_updated":        "2024-06-11T16:03:27Z",
		"friendly_name":       w.Name,
		"sid":                 w.SID,
		"workspace_sid":       Workspace,
		"url":                 ws + "/Workers/" + w.SID,
		"links": map[string]any{
			"activity":     ws + "/Activities/" + activity,
			"channels":     ws + "/Workers/" + w.SID + "/Channels",
			"reservations": ws + "/Workers/" + w.SID + "/Reservations",
			"workspace":    ws,
		},
	}
}

// WriteError answers with a Twilio error body.
func WriteError(w http.ResponseWriter, status, code int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"code":      code,
		"message":   message,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code),
		"status":    status,
	})
}

// Transport returns a transport that sends every request to the server,
// keeping its path, query and Host header, as if the server were
// taskrouter.twilio.com.
func (s *Server) Transport() http.RoundTripper { return toServer{s.srv} }

// toServer sends every request to srv, keeping its path, query and Host
// header.
type toServer struct{ srv *httptest.Server }

// RoundTrip implements http.RoundTripper.
func (ts toServer) RoundTrip(req *http.Request) (*http.Response, error) {
	u, err := url.Parse(ts.srv.URL)
	if err != nil {
		return nil, err
	}
	r := req.Clone(req.Context())
	r.URL.Scheme, r.URL.Host = u.Scheme, u.Host
	return ts.srv.Client().Transport.RoundTrip(r)
}

// Sleep records the waits asked for and returns at once, or with ctx's
// error when ctx is done.
type Sleep struct {
	mu    sync.Mutex
	waits []time.Duration
}

// Sleep is a taskrouter.Config.Sleep.
func (s *Sleep) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

// Waits returns the waits asked for so far.
func (s *Sleep) Waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// Config returns a configuration reading the server's workspace with env,
// and the Sleep it waits with.
func (s *Server) Config(env map[string]string) (taskrouter.Config, *Sleep) {
	sl := &Sleep{}
	return taskrouter.Config{
		Workspace: Workspace,
		Getenv:    func(name string) string { return env[name] },
		Transport: s.Transport(),
		Sleep:     sl.Sleep,
	}, sl
}
