package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// spawnTestBinary runs mmzoom as a child the way TestMain allows.
func spawnTestBinary(args []string, env []string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), env...), "MMZOOM_TEST_CHILD="+strings.Join(args, " "))
	return cmd
}

// The load harness runs end to end on a small load and counts right: every start opens a meeting with one
// Zoom call and one Mattermost call, every webhook is acknowledged by mmzoom and by the bare handler, and
// memory and cold start are read from the running replica. (It measures; nothing here asserts a duration.)
func TestLoadtestHarnessCounts(t *testing.T) {
	if testing.Short() {
		t.Skip("starts mmzoom processes")
	}
	for _, c := range []struct {
		name   string
		tls    bool
		spread time.Duration
	}{{"plain", false, 0}, {"tls", true, 0}, {"spread", false, 60 * time.Millisecond}} {
		t.Run(c.name, func(t *testing.T) { checkHarness(t, c.tls, c.spread) })
	}
}

// checkHarness runs a small load over plain HTTP or HTTPS, its starts at once or spread, and checks what the
// report counted.
func checkHarness(t *testing.T, tls bool, spread time.Duration) {
	var progress bytes.Buffer
	rep, err := loadtest(context.Background(), loadRun{replicas: 1, users: 6, webhooks: 60, senders: 4, tls: tls, spread: spread,
		zoomRTT: 5 * time.Millisecond, mmRTT: time.Millisecond, dir: t.TempDir(), spawn: spawnTestBinary, progress: &progress})
	if err != nil {
		t.Fatalf("%v\n%s", err, progress.String())
	}
	if rep.Starts.N != 6 || rep.StartErrors != 0 || rep.StartLate != 0 {
		t.Errorf("starts: %d opened, %d errors, %d late; want 6, 0, 0", rep.Starts.N, rep.StartErrors, rep.StartLate)
	}
	if rep.ZoomCalls != 6 || rep.MattermostCalls != 6 {
		t.Errorf("upstream calls for 6 warm starts: Zoom %d, Mattermost %d; want 6 and 6", rep.ZoomCalls, rep.MattermostCalls)
	}
	if rep.Webhooks.Sent != 60 || rep.Webhooks.Acked != 60 || rep.Bare.Acked != 60 || rep.Webhooks.Latency.N != 60 {
		t.Errorf("webhooks: mmzoom %+v, bare %+v; want 60 sent and acknowledged by both", rep.Webhooks, rep.Bare)
	}
	if rep.Applied < rep.Webhooks.Elapsed {
		t.Errorf("events applied after %v, before the last of them was acknowledged (%v)", rep.Applied, rep.Webhooks.Elapsed)
	}
	if len(rep.ColdStart) != 1 || rep.ColdStart[0] <= 0 || len(rep.IdleRSS) != 1 || rep.IdleRSS[0] <= 0 ||
		len(rep.LoadRSS) != 1 || rep.LoadRSS[0] <= 0 || len(rep.PeakRSS) != 1 || rep.PeakRSS[0] < rep.IdleRSS[0] {
		t.Errorf("cold start %v, memory idle %v, under load %v, peak %v", rep.ColdStart, rep.IdleRSS, rep.LoadRSS, rep.PeakRSS)
	}
	if rep.Upstream[`endpoint="POST /v2/users/{id}/meetings",upstream="zoom"`] <= 0 {
		t.Errorf("the replica's own timing of Zoom's create call is missing: %v", rep.Upstream)
	}
	if rep.Served <= 0 {
		t.Error("the replica's own timing of /zoom start is missing")
	}
	var out bytes.Buffer
	rep.write(&out)
	round := "/zoom start, 6 concurrent users"
	if spread > 0 {
		round = "/zoom start, 6 users, spread evenly over 60ms (100 starts a second)"
	}
	for _, want := range []string{"cold start to /healthz", round, "upstream calls per start    2.00", "CPU per start", "bare HMAC handler", "ratio", "until applied", "CPU per event"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, out.String())
		}
	}
}

// summarize picks the nearest-rank percentiles.
func TestSummarize(t *testing.T) {
	var d []time.Duration
	for i := 100; i >= 1; i-- {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	s := summarize(d)
	if s.N != 100 || s.P50 != 50*time.Millisecond || s.P99 != 99*time.Millisecond || s.Max != 100*time.Millisecond {
		t.Errorf("summarize 1..100 ms = %+v", s)
	}
	if s := summarize([]time.Duration{7}); s.P50 != 7 || s.P99 != 7 {
		t.Errorf("one sample: %+v", s)
	}
	if s := summarize(nil); s.N != 0 {
		t.Errorf("no samples: %+v", s)
	}
}

// A replica started by someone else (here the test, with the environment the harness wrote) is driven
// through its URL; its memory and CPU are read through the pid it was given.
func TestLoadtestDrivesReplicasItDidNotStart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts mmzoom processes")
	}
	dir := t.TempDir()
	envFile := filepath.Join(dir, "replica.env")
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	// The harness writes the environment, then waits for the replica: the test starts it in between.
	type started struct {
		cmd *exec.Cmd
		err error
	}
	ready := make(chan started, 1)
	go func() {
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			b, err := os.ReadFile(envFile)
			if err != nil || !bytes.HasSuffix(b, []byte("\n")) {
				continue
			}
			env := append(strings.Split(strings.TrimSpace(string(b)), "\n"), "MMZOOM_LISTEN="+addr)
			cmd := spawnTestBinary([]string{"serve"}, env)
			cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
			ready <- started{cmd, cmd.Start()}
			return
		}
		ready <- started{err: errors.New("the harness wrote no environment")}
	}()
	var progress bytes.Buffer
	rep, err := loadtest(context.Background(), loadRun{replicas: 1, urls: []string{"http://" + addr}, pids: []int{0},
		envFile: envFile, users: 3, webhooks: 20, senders: 2, dir: dir, spawn: spawnTestBinary, progress: &progress})
	s := <-ready
	if s.cmd != nil && s.cmd.Process != nil {
		defer func() { _ = s.cmd.Process.Kill(); _ = s.cmd.Wait() }()
	}
	if s.err != nil {
		t.Fatal(s.err)
	}
	if err != nil {
		t.Fatalf("%v\n%s", err, progress.String())
	}
	if rep.Starts.N != 3 || rep.StartErrors != 0 || rep.Webhooks.Acked != 20 || rep.ZoomCalls != 3 || rep.MattermostCalls != 3 {
		t.Errorf("starts %d (errors %d), webhooks %d, calls Zoom %d Mattermost %d; want 3, 0, 20, 3, 3",
			rep.Starts.N, rep.StartErrors, rep.Webhooks.Acked, rep.ZoomCalls, rep.MattermostCalls)
	}
	if len(rep.ColdStart) != 0 || rep.IdleRSS[0] != 0 {
		t.Errorf("cold start %v and memory %v of a replica the harness did not start: want none", rep.ColdStart, rep.IdleRSS)
	}
	var out bytes.Buffer
	rep.write(&out)
	if !strings.Contains(out.String(), "not measured") {
		t.Errorf("the report does not say what it could not measure:\n%s", out.String())
	}
}
