package observe

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/rexbuild/rex/integration/testenv"
)

// rex-server with --http: a few compiles, then the status page as a
// browser renders it (headless Chromium) shows the worker, the recent
// actions and the hit ratio, and /metrics parses and counts them.
func TestStatusPageInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: runs the binaries and a browser")
	}
	browser, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium is not installed (scripts/install-deps installs it): %v", err)
	}
	httpAddr := fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t))
	srv := testenv.StartServer(t, "", "--workers", "1", "--http", httpAddr, "--max-size", "1GiB")
	tr := newTree(t, srv.Addr, map[string]string{
		"a.c": "int a(void) { return 1; }\n", "b.c": "int b(void) { return 2; }\n", "c.c": "int c(void) { return 3; }\n",
	})
	// The page shows the server's own hit ratio: the client asks it every
	// time, without a local cache of its own.
	tr.env = append(tr.env, "REX_LOCAL_CACHE_SIZE=0")
	for _, f := range []string{"a.c", "b.c", "c.c", "a.c"} {
		tr.compile(nil, "gcc", "-c", f)
	}
	dom := runChromium(t, browser, "--dump-dom", "http://"+httpAddr+"/")
	for what, re := range map[string]string{
		"the worker":     `<td>embedded</td>`,
		"three actions":  `(?s)(<td><code>[0-9a-f]{64}/\d+</code></td><td>embedded</td>.*){3}`,
		"their outcome":  `class="ok">ok<`,
		"the hit ratio":  `action cache hit ratio<b>25.0 %</b>1 hits, 3 misses`,
		"the store size": `of 1.0 GiB`,
	} {
		if !regexp.MustCompile(re).MatchString(dom) {
			t.Errorf("the status page does not show %s (%s):\n%s", what, re, dom)
		}
	}
	shot := screenshotPath(t)
	runChromium(t, browser, "--window-size=1366,900", "--screenshot="+shot, "http://"+httpAddr+"/")
	if st, err := os.Stat(shot); err != nil || st.Size() == 0 {
		t.Errorf("no screenshot: %v", err)
	}
	t.Logf("status page screenshot: %s", shot)
	checkMetrics(t, "http://"+httpAddr+"/metrics")
}

// runChromium runs headless Chromium with a fresh profile and returns what
// it printed.
func runChromium(t *testing.T, browser string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, browser, append(base, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return string(out)
}

// screenshotPath is where the screenshot is kept after the test: under
// REX_ARTIFACTS_DIR, else the repository's .cache/artifacts.
func screenshotPath(t *testing.T) string {
	dir := os.Getenv("REX_ARTIFACTS_DIR")
	if dir == "" {
		dir = filepath.Join(testenv.RepoRoot(), ".cache", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "rex-server-status.png")
}

func checkMetrics(t *testing.T, url string) {
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	one := func(name string) *dto.Metric {
		if f := families[name]; f != nil && len(f.GetMetric()) > 0 {
			return f.GetMetric()[0]
		}
		t.Fatalf("/metrics lacks %s", name)
		return nil
	}
	if v := one("rex_server_action_cache_hit_ratio").GetGauge().GetValue(); v != 0.25 {
		t.Errorf("hit ratio %v, want 0.25", v)
	}
	if v := one("rex_server_workers").GetGauge().GetValue(); v != 1 {
		t.Errorf("workers %v, want 1", v)
	}
	if v := one("rex_server_store_bytes").GetGauge().GetValue(); v <= 0 {
		t.Errorf("store bytes %v", v)
	}
	if n := one("rex_server_action_duration_seconds").GetHistogram().GetSampleCount(); n != 3 {
		t.Errorf("%d action durations, want 3", n)
	}
	execs := 0.0
	for _, m := range families["rex_server_requests_total"].GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["method"] == "Execute" && labels["code"] == "OK" {
			execs = m.GetCounter().GetValue()
		}
	}
	if execs != 3 {
		t.Errorf("%v Execute calls counted, want 3", execs)
	}
}
