package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mmzoom/mmzoom/zoom"
)

// spawnFunc makes the command that runs `mmzoom <args>` with env added to the environment. The harness uses
// its own executable; its test uses the test binary, which runs mmzoom when asked (see TestMain).
type spawnFunc func(args []string, env []string) *exec.Cmd

// spawnSelf runs this executable.
func spawnSelf(args []string, env []string) *exec.Cmd {
	exe, err := os.Executable()
	if err != nil {
		exe = os.Args[0]
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

// process is an mmzoom process the harness started: a replica or the bare handler.
type process struct {
	name string
	url  string
	cmd  *exec.Cmd
	logs *lockedBuffer
	// coldStart is the time from the process being started to its first 200 on /healthz.
	coldStart time.Duration
	// waitExited is closed when the process has exited (its Wait returned).
	waitExited chan struct{}
	// pid is the process id, for /proc; 0 for a replica someone else started without saying its pid.
	pid int
}

// lockedBuffer keeps a child's log for the error message when it fails.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// freeAddr picks a free loopback port for a child to listen on.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startProcess starts `mmzoom <args>` listening on addr and waits (up to 30 s) for its /healthz, polling
// every millisecond so that the cold start is measured to within about one.
func startProcess(spawn spawnFunc, name, addr string, args, env []string) (*process, error) {
	p := &process{name: name, url: "http://" + addr, logs: &lockedBuffer{}}
	p.cmd = spawn(args, env)
	p.cmd.Stdout, p.cmd.Stderr = io.Discard, p.logs
	client := &http.Client{Timeout: time.Second}
	began := time.Now()
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(exited) }()
	for time.Since(began) < 30*time.Second {
		select {
		case <-exited:
			return nil, fmt.Errorf("%s exited at start: %s", name, p.logs.String())
		default:
		}
		if resp, err := client.Get(p.url + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				p.coldStart = time.Since(began)
				p.waitExited = exited
				p.pid = p.cmd.Process.Pid
				return p, nil
			}
		}
		time.Sleep(time.Millisecond)
	}
	_ = p.cmd.Process.Kill()
	<-exited
	return nil, fmt.Errorf("%s did not answer /healthz within 30 s: %s", name, p.logs.String())
}

// stop sends SIGTERM and waits for the process to exit.
func (p *process) stop() {
	if p.cmd == nil {
		return // started by someone else, who stops it
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.waitExited:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.waitExited
	}
}

// memory reads the process's resident set size now (VmRSS) and its peak so far (VmHWM) from /proc, in bytes.
func (p *process) memory() (rss, peak int64, err error) {
	if p.pid == 0 {
		return 0, 0, errors.New("no pid")
	}
	f, err := os.Open("/proc/" + strconv.Itoa(p.pid) + "/status")
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			return 0, 0, err
		}
		if k == "VmRSS" {
			rss = kb << 10
		} else {
			peak = kb << 10
		}
	}
	if rss == 0 {
		return 0, 0, errors.New("no VmRSS in /proc status")
	}
	return rss, peak, sc.Err()
}

// cpuTime reads the CPU time (user + system) a process has used so far from /proc/<pid>/stat ("self" for
// the harness itself), at the kernel's clock-tick resolution (10 ms with the usual USER_HZ of 100).
func cpuTime(pid string) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces: count fields after its ')'.
	_, rest, ok := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0, errors.New("unexpected /proc stat format")
	}
	var ticks int64
	for _, v := range f[11:13] { // utime and stime: fields 14 and 15 of the whole line
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, err
		}
		ticks += n
	}
	return time.Duration(ticks) * (time.Second / 100), nil
}

// cpu is the CPU time the process has used so far.
func (p *process) cpu() (time.Duration, error) {
	if p.pid == 0 {
		return 0, errors.New("no pid")
	}
	return cpuTime(strconv.Itoa(p.pid))
}

// awaitReplica waits (up to five minutes) for a replica someone else starts to answer /healthz at url.
func awaitReplica(name, url string, pid int) (*process, error) {
	client := &http.Client{Timeout: time.Second}
	for deadline := time.Now().Add(5 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if resp, err := client.Get(url + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return &process{name: name, url: url, pid: pid}, nil
			}
		}
	}
	return nil, fmt.Errorf("%s at %s did not answer /healthz within five minutes", name, url)
}

// runBare is `mmzoom loadtest -bare ADDR`: the floor the harness compares webhook ingest with, a server that
// reads a webhook's body and checks its signature and timestamp exactly as mmzoom does (zoom.Webhook), then
// answers 200 — no parsing, no replay check, no storage. The secret comes from MMZOOM_ZOOM_WEBHOOK_SECRET.
func runBare(ctx context.Context, addr string, getenv func(string) string) error {
	hook := &zoom.Webhook{Secret: getenv("MMZOOM_ZOOM_WEBHOOK_SECRET"), Now: time.Now}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("POST /zoom/webhook", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, zoom.MaxWebhookBody))
		if err != nil {
			http.Error(w, "unreadable body", http.StatusBadRequest)
			return
		}
		if err := hook.Verify(r.Header, body); err != nil {
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
