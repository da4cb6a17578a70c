package bridge

import (
	"bufio"
	"encoding/json"
	"net"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/flexroles/flexroles/internal/mdtext"
)

// docSection returns the text of docs/bridge.md from the heading line
// (exactly as written) up to the next heading of the same or a higher level
// (mdtext.Section).
func docSection(t *testing.T, heading string) string {
	t.Helper()
	section, err := mdtext.Section(bridgeDoc(t), heading)
	if err != nil {
		t.Fatal("docs/bridge.md has " + err.Error())
	}
	return section
}

// k8sDeployment is the part of a Kubernetes Deployment the docs' example is
// checked on.
type k8sDeployment struct {
	Kind string
	Spec struct {
		Template struct {
			Spec struct {
				TerminationGracePeriodSeconds int `yaml:"terminationGracePeriodSeconds"`
				SecurityContext               struct {
					RunAsNonRoot bool `yaml:"runAsNonRoot"`
					RunAsUser    int  `yaml:"runAsUser"`
				} `yaml:"securityContext"`
				Containers []struct {
					Ports []struct {
						Name          string
						ContainerPort int `yaml:"containerPort"`
					}
					ReadinessProbe  k8sProbe `yaml:"readinessProbe"`
					LivenessProbe   k8sProbe `yaml:"livenessProbe"`
					Lifecycle       any
					SecurityContext struct {
						ReadOnlyRootFilesystem bool `yaml:"readOnlyRootFilesystem"`
					} `yaml:"securityContext"`
					VolumeMounts []struct {
						Name      string
						MountPath string `yaml:"mountPath"`
					} `yaml:"volumeMounts"`
				}
			}
		}
	}
}

type k8sProbe struct {
	HTTPGet struct {
		Path string
		Port yaml.Node
	} `yaml:"httpGet"`
	PeriodSeconds    int `yaml:"periodSeconds"`
	FailureThreshold int `yaml:"failureThreshold"`
}

// finalStage reads the instructions of the Dockerfile's last stage.
func finalStage(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile("../../deploy/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	stage := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		op, arg, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch op {
		case "FROM":
			stage = map[string]string{"FROM": arg}
		case "EXPOSE", "USER", "ENTRYPOINT":
			stage[op] = arg
		}
	}
	return stage
}

// unitService reads the [Service] settings of the systemd unit; a key
// given twice keeps both values, one a line.
func unitService(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("../../deploy/flexroles-bridge.service")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	service := map[string]string{}
	section := ""
	for s := bufio.NewScanner(f); s.Scan(); {
		line := strings.TrimSpace(s.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			section = line
		case section == "[Service]":
			k, v, _ := strings.Cut(line, "=")
			if service[k] != "" {
				v = service[k] + "\n" + v
			}
			service[k] = v
		}
	}
	return service
}

// TestDocsKubernetes: the Kubernetes example of docs/bridge.md, parsed as
// written, fits the bridge: its bridge.yaml loads and listens where the
// container port is; the probes ask healthz and readyz below base_url's
// path on that port; the readiness probe notices the drain within
// shutdown_delay, and the grace period outlasts the drain and the requests'
// grace; it runs as the image's user, read-only, where the image reads its
// configuration, and needs no preStop hook.
func TestDocsKubernetes(t *testing.T) {
	cfg, err := LoadConfig(strings.NewReader(docBlock(t, "### Kubernetes", "yaml")))
	if err != nil {
		t.Fatalf("the section's bridge.yaml: %v", err)
	}
	cfg = cfg.withDefaults()
	base, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		t.Fatal(err)
	}
	paths := newEndpoints(base)
	host, listenPort, err := net.SplitHostPort(cfg.Listen)
	if err != nil || (host != "0.0.0.0" && host != "") {
		t.Errorf("listen %q: in a container the bridge must listen on all addresses", cfg.Listen)
	}

	var d k8sDeployment
	if err := yaml.Unmarshal([]byte(docBlock(t, "and this Deployment:", "yaml")), &d); err != nil || d.Kind != "Deployment" {
		t.Fatalf("the Deployment: %v (kind %q)", err, d.Kind)
	}
	pod := d.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers", len(pod.Containers))
	}
	c := pod.Containers[0]
	ports := map[string]int{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
		ports[strconv.Itoa(p.ContainerPort)] = p.ContainerPort
	}
	image := finalStage(t)
	if strconv.Itoa(ports["http"]) != listenPort || image["EXPOSE"] != listenPort {
		t.Errorf("container port %d, listen port %s, the image exposes %s: want one port", ports["http"], listenPort, image["EXPOSE"])
	}
	for _, probe := range []struct {
		name string
		p    k8sProbe
		want string
	}{
		{"readinessProbe", c.ReadinessProbe, paths.ready.Path},
		{"livenessProbe", c.LivenessProbe, paths.health.Path},
	} {
		if probe.p.HTTPGet.Path != probe.want {
			t.Errorf("%s asks %q, the bridge serves it at %q", probe.name, probe.p.HTTPGet.Path, probe.want)
		}
		if port := ports[probe.p.HTTPGet.Port.Value]; strconv.Itoa(port) != listenPort {
			t.Errorf("%s asks port %q, the bridge listens on %s", probe.name, probe.p.HTTPGet.Port.Value, listenPort)
		}
	}
	r := c.ReadinessProbe
	if noticed := time.Duration(r.PeriodSeconds*max(r.FailureThreshold, 1)) * time.Second; r.PeriodSeconds == 0 || noticed > cfg.ShutdownDelay {
		t.Errorf("the readiness probe notices the drain after %v (period %ds × threshold %d), past shutdown_delay %v", noticed, r.PeriodSeconds, r.FailureThreshold, cfg.ShutdownDelay)
	}
	if grace := time.Duration(pod.TerminationGracePeriodSeconds) * time.Second; grace <= cfg.ShutdownDelay+shutdownTimeout {
		t.Errorf("terminationGracePeriodSeconds %v is not above shutdown_delay %v + %v", grace, cfg.ShutdownDelay, shutdownTimeout)
	}
	if c.Lifecycle != nil {
		t.Errorf("the example has a lifecycle hook; the drain makes preStop unneeded")
	}
	if user := strconv.Itoa(pod.SecurityContext.RunAsUser); !pod.SecurityContext.RunAsNonRoot || image["USER"] != user+":"+user {
		t.Errorf("the pod runs as %s (non-root %v), the image as %s", user, pod.SecurityContext.RunAsNonRoot, image["USER"])
	}
	if !c.SecurityContext.ReadOnlyRootFilesystem {
		t.Errorf("the example does not make the root filesystem read-only")
	}

	// The image's configuration is in the ConfigMap's mount; the key in the
	// Secret's.
	var entry []string
	if err := json.Unmarshal([]byte(image["ENTRYPOINT"]), &entry); err != nil || len(entry) < 4 || entry[len(entry)-2] != "--config" {
		t.Fatalf("the image's ENTRYPOINT %s does not end in --config FILE (%v)", image["ENTRYPOINT"], err)
	}
	mounts := map[string]string{}
	for _, m := range c.VolumeMounts {
		mounts[m.Name] = m.MountPath
	}
	configFile := entry[len(entry)-1]
	if path.Dir(configFile) != mounts["config"] {
		t.Errorf("the image reads %s, the ConfigMap is mounted at %s", configFile, mounts["config"])
	}
	for _, f := range []string{cfg.Policy, cfg.Keys.Certificate, cfg.Keys.Key} {
		if !path.IsAbs(f) {
			f = path.Join(path.Dir(configFile), f)
		}
		if dir := path.Dir(f); dir != mounts["config"] && dir != mounts["key"] {
			t.Errorf("bridge.yaml names %s, in neither mount (%v)", f, mounts)
		}
	}
	if path.Dir(cfg.Keys.Key) != mounts["key"] {
		t.Errorf("the key %s is not read from the Secret's mount %s", cfg.Keys.Key, mounts["key"])
	}
}

// TestDocsDeployFiles: docs/bridge.md links the files of deploy/ rather
// than copying them, and what it says of them holds: the systemd unit
// reloads with SIGHUP, stops with SIGTERM within a timeout above the
// drain, hands over the key at the path the docs give for bridge.yaml, and
// runs sandboxed; the image runs the bridge with --config.
func TestDocsDeployFiles(t *testing.T) {
	section := docSection(t, "## Deployment")
	for _, link := range []string{"](../deploy/Dockerfile)", "](../deploy/flexroles-bridge.service)"} {
		if !strings.Contains(section, link) {
			t.Errorf("the Deployment section does not link %s", link)
		}
	}
	for _, m := range regexp.MustCompile(`deploy/[A-Za-z.-]+`).FindAllString(section, -1) {
		if _, err := os.Stat(filepath.Join("..", "..", m)); err != nil {
			t.Errorf("the docs name %s: %v", m, err)
		}
	}

	unit := unitService(t)
	delay := Config{}.withDefaults().ShutdownDelay
	stop, err := time.ParseDuration(unit["TimeoutStopSec"])
	if err != nil || stop <= delay+shutdownTimeout {
		t.Errorf("TimeoutStopSec=%s is not above shutdown_delay %v + %v (%v)", unit["TimeoutStopSec"], delay, shutdownTimeout, err)
	}
	for key, want := range map[string]string{
		"ExecReload":              "/bin/kill -HUP $MAINPID",
		"KillSignal":              "SIGTERM",
		"ExecStart":               "/usr/local/bin/flexroles bridge --config /etc/flexroles/bridge.yaml",
		"DynamicUser":             "yes",
		"NoNewPrivileges":         "yes",
		"ProtectSystem":           "strict",
		"ProtectHome":             "yes",
		"PrivateTmp":              "yes",
		"PrivateDevices":          "yes",
		"CapabilityBoundingSet":   "",
		"ConfigurationDirectory":  "flexroles",
		"RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
	} {
		if got, ok := unit[key]; !ok || got != want {
			t.Errorf("the unit's %s=%q, want %q", key, got, want)
		}
	}
	if !strings.Contains(unit["SystemCallFilter"], "@system-service") {
		t.Errorf("the unit's SystemCallFilter does not start from @system-service")
	}
	name, _, ok := strings.Cut(unit["LoadCredential"], ":")
	if want := "key: /run/credentials/flexroles-bridge.service/" + name; !ok || !strings.Contains(section, want) {
		t.Errorf("the unit hands over %q; the docs do not tell bridge.yaml to read it as %q", unit["LoadCredential"], want)
	}
	if !strings.Contains(section, "`"+unit["ExecStart"][:strings.Index(unit["ExecStart"], " --config")]) {
		t.Errorf("the docs do not give the unit's command %q", unit["ExecStart"])
	}
	entry := finalStage(t)["ENTRYPOINT"]
	if !strings.Contains(entry, `"bridge", "--config", "/etc/flexroles/bridge.yaml"`) || !strings.Contains(section, "/etc/flexroles/bridge.yaml") {
		t.Errorf("the image's ENTRYPOINT %s and the docs disagree on the configuration's path", entry)
	}
}
