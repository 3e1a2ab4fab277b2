package deploy

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The reverse-proxy examples are run, not only parsed: nginx and Caddy serve HTTPS on loopback with a
// certificate made by the test, in front of a stand-in for mmzoom that records what reaches it. The
// examples are changed only where a machine differs (ports, certificate files, mmzoom's address), each
// change checked to apply exactly once.

// seen is what reached the stand-in for mmzoom.
type seen struct {
	method, path string
	header       http.Header
	body         []byte
}

// backend is a stand-in for mmzoom on loopback.
type backend struct {
	mu   sync.Mutex
	reqs []seen
	srv  *httptest.Server
}

func newBackend(t *testing.T) *backend {
	b := &backend{}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		b.mu.Lock()
		b.reqs = append(b.reqs, seen{r.Method, r.URL.Path, r.Header.Clone(), body})
		b.mu.Unlock()
		_, _ = w.Write([]byte("from mmzoom"))
	}))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *backend) addr() string { return strings.TrimPrefix(b.srv.URL, "http://") }

func (b *backend) take() []seen {
	b.mu.Lock()
	defer b.mu.Unlock()
	r := b.reqs
	b.reqs = nil
	return r
}

// publicSurface is what the Internet may and may not reach through the proxy.
var publicSurface = []struct {
	method, path string
	body         int  // bytes of body to send
	reaches      bool // the request reaches mmzoom; otherwise the proxy answers 4xx itself
}{
	{"POST", "/zoom/webhook", 2000, true},
	{"POST", "/zoom/webhook", 1 << 20, true}, // mmzoom's own limit, exactly, still passes
	{"POST", "/mattermost/command", 300, true},
	{"POST", "/mattermost/action", 300, true},
	{"GET", "/oauth2/connect", 0, true},
	{"POST", "/oauth2/connect", 100, true},
	{"GET", "/oauth2/complete", 0, true},
	{"GET", "/plugin/com.mmzoom.meetings.tar.gz", 0, true},

	{"POST", "/zoom/webhook", 2 << 20, false}, // over mmzoom's 1 MiB limit: refused at the edge
	{"GET", "/zoom/webhook", 0, false},
	{"DELETE", "/mattermost/command", 0, false},
	{"GET", "/metrics", 0, false},
	{"GET", "/healthz", 0, false},
	{"GET", "/readyz", 0, false},
	{"GET", "/", 0, false},
	{"GET", "/zoom/webhook/../../metrics", 0, false},
	{"GET", "/oauth2/connect/extra", 0, false},
	{"POST", "/mattermost/commandx", 10, false},
}

// checkPublicSurface sends every request of publicSurface to base and checks what reached mmzoom.
func checkPublicSurface(t *testing.T, base string, pool *x509.CertPool, b *backend) {
	t.Helper()
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, Proxy: nil},
	}
	for _, c := range publicSurface {
		body := bytes.Repeat([]byte("x"), c.body)
		req, err := http.NewRequest(c.method, base+c.path, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		// Go would clean the path; send it as written, as an attacker would.
		req.URL.Opaque = c.path
		resp, err := client.Do(req)
		if err != nil {
			t.Errorf("%s %s: %v", c.method, c.path, err)
			continue
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		got := b.take()
		switch {
		case c.reaches && (resp.StatusCode != 200 || len(got) != 1):
			t.Errorf("%s %s (%d bytes): status %d, %d request(s) reached mmzoom; want 200 from mmzoom", c.method, c.path, c.body, resp.StatusCode, len(got))
		case c.reaches:
			r := got[0]
			if r.method != c.method || r.path != c.path || !bytes.Equal(r.body, body) {
				t.Errorf("%s %s reached mmzoom as %s %s with %d bytes (want the same request, body unchanged: webhooks are signed over it)",
					c.method, c.path, r.method, r.path, len(r.body))
			}
			if p := r.header.Get("X-Forwarded-Proto"); p != "https" {
				t.Errorf("%s %s: X-Forwarded-Proto %q, want https", c.method, c.path, p)
			}
			if f := r.header.Get("X-Forwarded-For"); !strings.Contains(f, "127.0.0.1") {
				t.Errorf("%s %s: X-Forwarded-For %q, want the client's address", c.method, c.path, f)
			}
			if h := r.header.Get("X-Forwarded-Host"); h == "" {
				t.Errorf("%s %s: no X-Forwarded-Host", c.method, c.path)
			}
		case len(got) != 0 || resp.StatusCode < 400 || resp.StatusCode > 499:
			t.Errorf("%s %s (%d bytes): status %d, %d request(s) reached mmzoom; want a 4xx from the proxy and nothing at mmzoom",
				c.method, c.path, c.body, resp.StatusCode, len(got))
		}
	}
}

// TestNginx checks deploy/nginx/mmzoom.conf with `nginx -t`, then serves it and checks what reaches
// mmzoom through it.
func TestNginx(t *testing.T) {
	nginx := needTool(t, "nginx", "nginx")
	const file = "nginx/mmzoom.conf"
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cert, key, pool := selfSigned(t, dir)
	b := newBackend(t)
	httpsPort, httpPort := freePort(t), freePort(t)
	conf := string(src)
	for _, r := range [][2]string{
		{"/etc/letsencrypt/live/mmzoom.example.com/fullchain.pem", cert},
		{"/etc/letsencrypt/live/mmzoom.example.com/privkey.pem", key},
		{"server 127.0.0.1:8090;", "server " + b.addr() + ";"},
		{"listen 443 ssl;", "listen 127.0.0.1:" + httpsPort + " ssl;"},
		{"listen [::]:443 ssl;", ""},
		{"listen 80;", "listen 127.0.0.1:" + httpPort + ";"},
		{"listen [::]:80;", ""},
	} {
		conf = replaceOnce(t, file, conf, r[0], r[1])
	}
	site := filepath.Join(dir, "mmzoom.conf")
	if err := os.WriteFile(site, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	// The main configuration Debian's nginx.conf would be, reduced to one process and this directory.
	main := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(main, []byte(`daemon off;
master_process off;
pid `+dir+`/nginx.pid;
error_log `+dir+`/error.log warn;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path `+dir+`/body;
    proxy_temp_path `+dir+`/proxy;
    fastcgi_temp_path `+dir+`/fastcgi;
    uwsgi_temp_path `+dir+`/uwsgi;
    scgi_temp_path `+dir+`/scgi;
    include `+site+`;
}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-p", dir, "-c", main, "-e", filepath.Join(dir, "error.log")}
	out, err := runTool(t, dir, nil, nginx, append([]string{"-t", "-q"}, args...)...)
	if err != nil || strings.Contains(out, "[warn]") {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}
	logs := func() string { b, _ := os.ReadFile(filepath.Join(dir, "error.log")); return string(b) }
	exited := startProcess(t, exec.Command(nginx, args...))
	waitListening(t, "127.0.0.1:"+httpsPort, exited, logs)
	checkPublicSurface(t, "https://127.0.0.1:"+httpsPort, pool, b)

	// Plain HTTP only redirects to HTTPS.
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get("http://127.0.0.1:" + httpPort + "/zoom/webhook")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently || !strings.HasPrefix(resp.Header.Get("Location"), "https://") || len(b.take()) != 0 {
		t.Errorf("plain HTTP answered %d Location %q, want 301 to https:// without reaching mmzoom", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestCaddy checks deploy/caddy/Caddyfile with `caddy validate` and `caddy fmt`, then serves it and
// checks what reaches mmzoom through it.
func TestCaddy(t *testing.T) {
	caddy := needTool(t, "caddy", "caddy")
	const file = "caddy/Caddyfile"
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// Caddy keeps certificates and its autosave under HOME and XDG directories: keep them in the test's.
	env := []string{"HOME=" + dir, "XDG_DATA_HOME=" + dir, "XDG_CONFIG_HOME=" + dir}
	if out, err := runTool(t, dir, env, caddy, "validate", "--config", mustAbs(t, file), "--adapter", "caddyfile"); err != nil {
		t.Fatalf("caddy validate %s: %v\n%s", file, err, out)
	}
	formatted, err := runTool(t, dir, env, caddy, "fmt", mustAbs(t, file))
	if err != nil {
		t.Fatalf("caddy fmt: %v\n%s", err, formatted)
	}
	if strings.TrimSpace(formatted) != strings.TrimSpace(string(src)) {
		t.Errorf("%s is not formatted as `caddy fmt --overwrite %s` would write it", file, file)
	}

	cert, key, pool := selfSigned(t, dir)
	b := newBackend(t)
	port := freePort(t)
	conf := replaceOnce(t, file, string(src), "reverse_proxy 127.0.0.1:8090", "reverse_proxy "+b.addr())
	conf = replaceOnce(t, file, conf, "\nmmzoom.example.com {\n", "\nhttps://127.0.0.1:"+port+" {\n\ttls "+cert+" "+key+"\n")
	conf = "{\n\tadmin off\n\tauto_https disable_redirects\n\tdefault_sni 127.0.0.1\n\tstorage file_system " + dir + "/storage\n}\n\n" + conf
	site := filepath.Join(dir, "Caddyfile")
	if err := os.WriteFile(site, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	var mu sync.Mutex
	cmd := exec.Command(caddy, "run", "--config", site, "--adapter", "caddyfile")
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = lockedWriter{&mu, &logs}, lockedWriter{&mu, &logs}
	exited := startProcess(t, cmd)
	waitListening(t, "127.0.0.1:"+port, exited, func() string { mu.Lock(); defer mu.Unlock(); return logs.String() })
	checkPublicSurface(t, "https://127.0.0.1:"+port, pool, b)
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// lockedWriter lets a child process's stdout and stderr share one buffer the test reads.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
