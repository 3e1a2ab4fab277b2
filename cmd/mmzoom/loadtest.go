package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// loadFlags are the flags of `mmzoom loadtest`.
type loadFlags struct {
	replicas, users, webhooks, senders *int
	zoomRTT, mmRTT, spread             *time.Duration
	database, bare                     *string
	tls                                *bool
	urls, pids, envFile                *string
}

// newLoadFlags defines the flags of `mmzoom loadtest` on fs.
func newLoadFlags(fs *flag.FlagSet) loadFlags {
	return loadFlags{
		replicas: fs.Int("replicas", 1, "mmzoom processes to start; more than one needs a postgres:// -database"),
		database: fs.String("database", "", "MMZOOM_DATABASE for the replicas (default: a new SQLite file in a temporary directory)"),
		users:    fs.Int("users", 200, "concurrent users running /zoom start (one start each, after a warm-up round)"),
		spread:   fs.Duration("spread", 0, "spread the measured starts evenly over this time instead of starting them all at the same moment"),
		zoomRTT:  fs.Duration("zoom-rtt", 150*time.Millisecond, "simulated round-trip time of every Zoom API and token call"),
		mmRTT:    fs.Duration("mm-rtt", 20*time.Millisecond, "simulated round-trip time of every Mattermost REST call"),
		webhooks: fs.Int("webhooks", 20000, "signed Zoom webhook events to send (to mmzoom, then to the bare handler)"),
		senders:  fs.Int("senders", 32, "concurrent webhook senders"),
		bare:     fs.String("bare", "", "(used by the harness itself) run only the bare HMAC handler on this address"),
		urls:     fs.String("urls", "", "comma-separated URLs of replicas you start yourself (instead of -replicas), with the environment written to -env-file"),
		pids:     fs.String("pids", "", "with -urls: comma-separated process ids of those replicas, for memory and CPU figures"),
		envFile:  fs.String("env-file", "", "with -urls: where to write the environment the replicas must run with (add MMZOOM_LISTEN)"),
		tls:      fs.Bool("tls", false, "simulators serve HTTPS with HTTP/2 (ALPN), as Zoom and most Mattermost servers do; replicas trust them through SSL_CERT_FILE"),
	}
}

// loadRun is one load test run.
type loadRun struct {
	replicas, users, webhooks, senders int
	zoomRTT, mmRTT                     time.Duration
	spread                             time.Duration // the measured starts are spread evenly over it (0: all at once)
	database                           string
	tls                                bool   // the simulators serve HTTPS (HTTP/2 by ALPN)
	dir                                string // for the SQLite file and the config file
	spawn                              spawnFunc
	progress                           io.Writer // one line per phase; nil for none
	// urls, when set, are replicas started by someone else with the environment written to envFile (pids
	// their process ids, 0 where unknown); otherwise the harness starts `replicas` itself.
	urls    []string
	pids    []int
	envFile string
}

// runLoadtest is `mmzoom loadtest`.
func runLoadtest(ctx context.Context, f loadFlags, getenv func(string) string, stdout, stderr io.Writer) error {
	if *f.bare != "" {
		return runBare(ctx, *f.bare, getenv)
	}
	if *f.replicas < 1 || *f.users < 1 || *f.webhooks < 1 || *f.senders < 1 {
		return &usageError{"-replicas, -users, -webhooks and -senders must be at least 1"}
	}
	if *f.spread < 0 {
		return &usageError{"-spread must not be negative"}
	}
	dir, err := os.MkdirTemp("", "mmzoom-loadtest-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var urls []string
	var pids []int
	for _, u := range strings.Split(*f.urls, ",") {
		if u = strings.TrimRight(strings.TrimSpace(u), "/"); u != "" {
			urls = append(urls, u)
		}
	}
	for _, v := range strings.Split(*f.pids, ",") {
		if v = strings.TrimSpace(v); v != "" {
			pid, err := strconv.Atoi(v)
			if err != nil {
				return &usageError{fmt.Sprintf("-pids: %q is not a process id", v)}
			}
			pids = append(pids, pid)
		}
	}
	if len(urls) > 0 && *f.envFile == "" {
		return &usageError{"-urls needs -env-file: the replicas must run with the environment the harness writes there"}
	}
	if len(pids) > 0 && len(pids) != len(urls) {
		return &usageError{"-pids must name one process id per URL in -urls"}
	}
	for len(pids) < len(urls) {
		pids = append(pids, 0)
	}
	if len(urls) > 0 {
		*f.replicas = len(urls)
	}
	cfg := loadRun{urls: urls, pids: pids, envFile: *f.envFile, replicas: *f.replicas, users: *f.users, webhooks: *f.webhooks, senders: *f.senders,
		zoomRTT: *f.zoomRTT, mmRTT: *f.mmRTT, spread: *f.spread, database: *f.database, tls: *f.tls, dir: dir, spawn: spawnSelf, progress: stderr}
	rep, err := loadtest(ctx, cfg)
	if err != nil {
		return err
	}
	rep.write(stdout)
	return nil
}

func (c *loadRun) say(format string, args ...any) {
	if c.progress != nil {
		fmt.Fprintf(c.progress, "loadtest: "+format+"\n", args...)
	}
}

// loadtest runs the phases and returns what they measured.
func loadtest(ctx context.Context, c loadRun) (*loadReport, error) {
	if c.replicas > 1 && !strings.HasPrefix(c.database, "postgres") {
		return nil, &usageError{"several replicas share one database: -database must be a postgres:// DSN"}
	}
	w, err := newLoadWorld(c)
	if err != nil {
		return nil, err
	}
	defer w.close()
	rep := &loadReport{Replicas: c.replicas, ZoomRTT: c.zoomRTT, MMRTT: c.mmRTT, Users: c.users, Spread: c.spread, TLS: c.tls}
	rep.Database, _, _ = strings.Cut(w.config.Database, "://")

	// A meeting started a moment ago is not "running here" for the next start in the same channel: each
	// user's measured start follows their warm-up start in the same channel.
	cfgFile := filepath.Join(c.dir, "mmzoom.json")
	if err := os.WriteFile(cfgFile, []byte(`{"recent_meeting_window":"1ms","log_level":"warn"}`), 0o600); err != nil {
		return nil, err
	}
	var replicas []*process
	defer func() {
		for _, p := range replicas {
			p.stop()
		}
	}()
	if len(c.urls) > 0 {
		// The replicas are someone else's: tell them how to run, then wait for them.
		cfg := *w.config
		cfg.SiteURL = c.urls[0]
		var env []string
		for _, kv := range append(cfg.environ(cfgFile), w.env...) {
			if !strings.HasPrefix(kv, "MMZOOM_LISTEN=") {
				env = append(env, kv)
			}
		}
		if err := os.WriteFile(c.envFile, []byte(strings.Join(env, "\n")+"\n"), 0o600); err != nil {
			return nil, err
		}
		c.say("start the replicas with the environment in %s (plus MMZOOM_LISTEN); waiting for %s", c.envFile, strings.Join(c.urls, ", "))
		for i, u := range c.urls {
			p, err := awaitReplica(fmt.Sprintf("replica %d", i+1), u, c.pids[i])
			if err != nil {
				return nil, err
			}
			replicas = append(replicas, p)
		}
	}
	for i := range c.replicas - len(replicas) {
		addr, err := freeAddr()
		if err != nil {
			return nil, err
		}
		cfg := *w.config
		cfg.Listen, cfg.SiteURL = addr, "http://"+addr
		p, err := startProcess(c.spawn, fmt.Sprintf("replica %d", i+1), addr, []string{"serve"}, append(cfg.environ(cfgFile), w.env...))
		if err != nil {
			return nil, err
		}
		replicas = append(replicas, p)
		rep.ColdStart = append(rep.ColdStart, p.coldStart)
		c.say("replica %d answers /healthz at %s after %v", i+1, p.url, p.coldStart.Round(100*time.Microsecond))
	}
	time.Sleep(time.Second) // idle: the start's garbage collected, nothing asked
	for _, p := range replicas {
		rss, _, _ := p.memory() // 0: not measured (a replica whose pid is unknown)
		rep.IdleRSS = append(rep.IdleRSS, rss)
	}
	w.zoom.SetLatency(c.zoomRTT)
	w.mm.SetLatency(c.mmRTT)

	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{
		MaxIdleConns: c.users + c.senders + 16, MaxIdleConnsPerHost: c.users + c.senders + 16, IdleConnTimeout: time.Minute}}
	defer client.CloseIdleConnections()

	c.say("warm-up: %d users start a meeting each (not measured)", c.users)
	if _, err := startRound(ctx, client, w, replicas, 0, nil); err != nil {
		return nil, err
	}
	time.Sleep(500 * time.Millisecond)
	zoomBefore, mmBefore := w.zoom.Stats(), len(w.mm.Requests())
	sums0, counts0, err := histogramTotals(client, replicas[0].url)
	if err != nil {
		return nil, err
	}
	if c.spread > 0 {
		c.say("measuring: %d users start a meeting each, spread evenly over %v", c.users, c.spread)
	} else {
		c.say("measuring: %d users start a meeting each at the same moment", c.users)
	}
	samples := make([]int64, len(replicas))
	stopSampling := make(chan struct{})
	var sampling sync.WaitGroup
	sampling.Add(1)
	go func() {
		defer sampling.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			for i, p := range replicas {
				if rss, _, err := p.memory(); err == nil && rss > samples[i] {
					samples[i] = rss
				}
			}
			select {
			case <-stopSampling:
				return
			case <-t.C:
			}
		}
	}()
	cpuBefore, harnessBefore := replicasCPU(replicas), selfCPU()
	round, err := startRound(ctx, client, w, replicas, c.spread, rep)
	close(stopSampling)
	sampling.Wait()
	if err != nil {
		return nil, err
	}
	time.Sleep(time.Second) // late work of the round (answers through response_url) counts too
	rep.StartCPU, rep.StartHarnessCPU = replicasCPU(replicas)-cpuBefore, selfCPU()-harnessBefore
	rep.LoadRSS = samples
	zoomAfter := w.zoom.Stats()
	rep.ZoomCalls = zoomAfter.APICalls - zoomBefore.APICalls
	for grant, n := range zoomAfter.TokenRequests {
		rep.ZoomCalls += n - zoomBefore.TokenRequests[grant]
	}
	rep.MattermostCalls = len(w.mm.Requests()) - mmBefore
	sums1, counts1, err := histogramTotals(client, replicas[0].url)
	if err != nil {
		return nil, err
	}
	means := meansBetween(sums0, counts0, sums1, counts1)
	rep.Upstream = map[string]time.Duration{}
	for k, d := range means {
		if labels, ok := strings.CutPrefix(k, "mmzoom_upstream_request_duration_seconds{"); ok {
			rep.Upstream[strings.TrimSuffix(labels, "}")] = d
		}
	}
	rep.Served = means[`mmzoom_http_request_duration_seconds{route="POST /mattermost/command"}`]

	events := participantEvents(w, round, c.webhooks)
	var urls []string
	for _, p := range replicas {
		urls = append(urls, p.url)
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	bare, err := startProcess(c.spawn, "bare HMAC handler", addr, []string{"loadtest", "-bare", addr},
		[]string{"MMZOOM_ZOOM_WEBHOOK_SECRET=" + w.config.WebhookSecret})
	if err != nil {
		return nil, err
	}
	// mmzoom and the bare handler take turns on quarters of the events, so that a machine whose speed
	// drifts during the run (other work on it) affects both alike.
	c.say("webhook ingest: %d events from %d senders, in turns with the bare HMAC handler", c.webhooks, c.senders)
	const turns = 4
	for k := range turns {
		part := events[k*len(events)/turns : (k+1)*len(events)/turns]
		if len(part) == 0 {
			continue
		}
		before, began := replicasCPU(replicas), time.Now()
		rep.Webhooks.add(ingest(ctx, client, urls, part, c.senders, w.config.WebhookSecret))
		// The replicas go on applying what they acknowledged. The bare handler's turn waits until they are
		// done, so that it does not run beside mmzoom's leftover work, and the time until then is how fast
		// mmzoom turns deliveries into cards.
		if err := waitApplied(ctx, client, replicas[0].url); err != nil {
			return nil, err
		}
		rep.Applied += time.Since(began)
		rep.IngestCPU += replicasCPU(replicas) - before
		bareBefore, _ := bare.cpu()
		rep.Bare.add(ingest(ctx, client, []string{bare.url}, part, c.senders, w.config.WebhookSecret))
		bareAfter, _ := bare.cpu()
		rep.BareCPU += bareAfter - bareBefore
	}
	bare.stop()

	for _, p := range replicas {
		_, peak, _ := p.memory()
		rep.PeakRSS = append(rep.PeakRSS, peak)
	}
	return rep, nil
}
