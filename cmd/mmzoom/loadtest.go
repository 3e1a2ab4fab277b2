package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/seal"
	"github.com/mmzoom/mmzoom/sim/mmsim"
	"github.com/mmzoom/mmzoom/sim/zoomsim"
	"github.com/mmzoom/mmzoom/zoom"
)

const loadtestHelp = `usage: mmzoom loadtest [flags]

Measures mmzoom through its real HTTP surface. It starts the Zoom and Mattermost simulators on loopback
(with the round-trip times given), starts -replicas mmzoom processes (this executable, 'mmzoom serve')
against them, and then, with a bounded number of requests:

  1. cold start: time from starting each replica to its first 200 on /healthz; resident memory when idle;
  2. /zoom start: every one of -users users starts a meeting at the same moment (after one unmeasured
     round that warms the caches), as Mattermost would call mmzoom; latency ÷ (Zoom RTT + Mattermost RTT)
     at p50 and p99, upstream calls per start, errors, resident memory under that load;
  3. webhook ingest: -webhooks signed Zoom events from -senders concurrent senders, spread over the
     replicas; events/s and p99, compared with a bare handler process that only checks the HMAC (the two
     take turns on quarters of the events, so that a drifting machine affects both alike).

Replicas you run yourself (another host layout, a profiler attached) are driven through -urls: the harness
writes the environment they must run with to -env-file (add MMZOOM_LISTEN), waits for their /healthz, and
reads their memory and CPU when -pids gives their process ids.

Several replicas share one database: -database must then be a postgres:// DSN (SQLite serves one process).
Performance depends on the machine: run it under 'nice' on an otherwise idle machine and compare figures
of one run with each other. Resident memory is read from /proc (Linux).

flags:
`

// loadFlags are the flags of `mmzoom loadtest`.
type loadFlags struct {
	replicas, users, webhooks, senders *int
	zoomRTT, mmRTT                     *time.Duration
	database, bare                     *string
	tls                                *bool
	urls, pids, envFile                *string
}

func newLoadFlags(fs *flag.FlagSet) loadFlags {
	return loadFlags{
		replicas: fs.Int("replicas", 1, "mmzoom processes to start; more than one needs a postgres:// -database"),
		database: fs.String("database", "", "MMZOOM_DATABASE for the replicas (default: a new SQLite file in a temporary directory)"),
		users:    fs.Int("users", 200, "concurrent users running /zoom start (one start each, after a warm-up round)"),
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

// latencies summarises request durations.
type latencies struct {
	N        int
	P50, P99 time.Duration
	Max      time.Duration
}

func summarize(d []time.Duration) latencies {
	if len(d) == 0 {
		return latencies{}
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	at := func(q float64) time.Duration {
		i := int(float64(len(s))*q+0.999999) - 1
		return s[max(0, min(i, len(s)-1))]
	}
	return latencies{N: len(s), P50: at(0.50), P99: at(0.99), Max: s[len(s)-1]}
}

// loadReport is what a run measured.
type loadReport struct {
	Replicas        int
	Database        string // the scheme only
	TLS             bool   // the simulators served HTTPS
	ZoomRTT, MMRTT  time.Duration
	Users           int
	ColdStart       []time.Duration // per replica, the first one on a new database
	IdleRSS         []int64         // bytes, per replica
	LoadRSS         []int64         // the most sampled during the measured starts, per replica
	PeakRSS         []int64         // VmHWM at the end of the run, per replica
	Starts          latencies       // measured /zoom start requests that opened the meeting
	StartErrors     int             // answers that were an error, or no answer
	StartLate       int             // answers "working on it" (the start budget ran out; finished later)
	ZoomCalls       int             // Zoom API and token calls during the measured round
	MattermostCalls int             // Mattermost REST calls during the measured round
	// Upstream is the mean duration of replica 1's calls by upstream and endpoint during the measured round,
	// as mmzoom measured them (its /metrics).
	Upstream map[string]time.Duration
	// Served is the mean time replica 1 took to answer a /zoom start in the measured round, as it timed it.
	Served   time.Duration
	Webhooks ingestResult
	Bare     ingestResult
	// CPU time used during the measured starts: by the replicas together, and by the harness (the
	// simulators and the load generator). Unlike latencies on a shared machine, these do not depend on what
	// else the machine runs.
	StartCPU, StartHarnessCPU time.Duration
	// CPU time used during webhook ingest by the replicas together and by the bare handler.
	IngestCPU, BareCPU time.Duration
}

// ingestResult is webhook bursts added up.
type ingestResult struct {
	Sent, Acked int
	Elapsed     time.Duration
	Latency     latencies
	samples     []time.Duration
}

// add adds another burst.
func (r *ingestResult) add(o ingestResult) {
	r.Sent += o.Sent
	r.Acked += o.Acked
	r.Elapsed += o.Elapsed
	r.samples = append(r.samples, o.samples...)
	r.Latency = summarize(r.samples)
}

// PerSecond is acknowledged events per second.
func (r ingestResult) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Acked) / r.Elapsed.Seconds()
}

// ratio is the measured latency over the sum of the simulated round-trip times.
func (r *loadReport) ratio(d time.Duration) float64 {
	if r.ZoomRTT+r.MMRTT <= 0 {
		return 0
	}
	return float64(d) / float64(r.ZoomRTT+r.MMRTT)
}

// runLoadtest is `mmzoom loadtest`.
func runLoadtest(ctx context.Context, f loadFlags, getenv func(string) string, stdout, stderr io.Writer) error {
	if *f.bare != "" {
		return runBare(ctx, *f.bare, getenv)
	}
	if *f.replicas < 1 || *f.users < 1 || *f.webhooks < 1 || *f.senders < 1 {
		return &usageError{"-replicas, -users, -webhooks and -senders must be at least 1"}
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
		zoomRTT: *f.zoomRTT, mmRTT: *f.mmRTT, database: *f.database, tls: *f.tls, dir: dir, spawn: spawnSelf, progress: stderr}
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

// loadWorld is the simulators and the seeded users the replicas serve.
type loadWorld struct {
	zoom    *zoomsim.Server
	mm      *mmsim.Server
	servers []*http.Server
	served  sync.WaitGroup
	team    mmsim.Team
	users   []mmsim.User
	chans   []mmsim.Channel
	command mmsim.Command
	config  *config
	mmURL   string
	// env is added to the replicas' environment (SSL_CERT_FILE when the simulators serve HTTPS).
	env []string
}

func (w *loadWorld) close() {
	for _, s := range w.servers {
		_ = s.Close()
	}
	w.served.Wait()
	w.zoom.Close()
}

// newLoadWorld starts the simulators and seeds a team with n users, each with a public channel of their own
// and a Zoom user with the same e-mail (a Server-to-Server app matches them by e-mail).
func newLoadWorld(c loadRun) (*loadWorld, error) {
	lnZoom, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	lnMM, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		lnZoom.Close()
		return nil, err
	}
	scheme := "http://"
	var certs *simulatorTLS
	if c.tls {
		if certs, err = newSimulatorTLS(filepath.Join(c.dir, "simulators.pem")); err != nil {
			lnZoom.Close()
			lnMM.Close()
			return nil, err
		}
		scheme = "https://"
	}
	zoomURL, mmURL := scheme+lnZoom.Addr().String(), scheme+lnMM.Addr().String()
	const clientID, clientSecret, accountID, webhookSecret = "loadClientID", "loadClientSecret", "loadAccountID", "loadWebhookSecret"
	w := &loadWorld{
		zoom: zoomsim.New(zoomsim.Options{ClientID: clientID, ClientSecret: clientSecret, AccountID: accountID, WebhookSecret: webhookSecret}),
		mm:   mmsim.New(mmsim.Options{}),
	}
	w.mmURL = mmURL
	w.zoom.SetBaseURL(zoomURL)
	w.zoom.SetDailyLimit(-1)
	w.mm.SetSiteURL(mmURL)
	for _, p := range []struct {
		ln net.Listener
		h  http.Handler
	}{{lnZoom, w.zoom.Handler()}, {lnMM, w.mm.Handler()}} {
		srv := &http.Server{Handler: p.h, ReadHeaderTimeout: 10 * time.Second}
		w.servers = append(w.servers, srv)
		w.served.Add(1)
		if certs != nil {
			srv.TLSConfig = certs.config
			go func() { defer w.served.Done(); _ = srv.ServeTLS(p.ln, "", "") }()
			continue
		}
		go func() { defer w.served.Done(); _ = srv.Serve(p.ln) }()
	}
	w.team = w.mm.AddTeam(mmsim.Team{Name: "load", DisplayName: "Load"})
	w.mm.SetClientConfig("RequireEmailVerification", "true")
	bot, botToken := w.mm.AddBot("zoom", "Zoom")
	w.mm.SetRoles(bot.ID, "system_user system_post_all")
	w.mm.AddTeamMember(w.team.ID, bot.ID)
	w.command = w.mm.AddCommand(w.team.ID, "zoom", "http://mmzoom.invalid/mattermost/command")
	for i := range c.users {
		u := w.mm.AddUser(mmsim.User{Username: fmt.Sprintf("user%d", i), Email: fmt.Sprintf("user%d@example.com", i),
			FirstName: "User", Locale: "en"}, w.team.ID)
		w.users = append(w.users, u)
		w.chans = append(w.chans, w.mm.AddChannel(mmsim.Channel{TeamID: w.team.ID, Type: "O", Name: fmt.Sprintf("load-%d", i),
			DisplayName: fmt.Sprintf("Load %d", i)}, u.ID))
		w.zoom.AddUser(zoomsim.User{Email: u.Email, FirstName: "User", LastName: strconv.Itoa(i), EmbedPasswordInJoinLink: true})
	}
	if certs != nil {
		w.env = append(w.env, "SSL_CERT_FILE="+certs.caFile)
	}
	raw, err := seal.GenerateKey()
	if err != nil {
		return nil, err
	}
	key, err := seal.ParseKey(raw)
	if err != nil {
		return nil, err
	}
	db := c.database
	if db == "" {
		db = "sqlite://" + filepath.Join(c.dir, "mmzoom.db")
	}
	w.config = &config{Database: db, EncryptionKey: key, MattermostURL: mmURL, BotToken: botToken,
		CommandTokens: []string{w.command.Token}, Kind: meeting.KindS2S, ClientID: clientID, ClientSecret: clientSecret,
		AccountID: accountID, WebhookSecret: webhookSecret, ZoomURL: zoomURL, ZoomAPIURL: zoomURL + "/v2"}
	return w, nil
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
	rep := &loadReport{Replicas: c.replicas, ZoomRTT: c.zoomRTT, MMRTT: c.mmRTT, Users: c.users, TLS: c.tls}
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
	if _, err := startRound(ctx, client, w, replicas, nil); err != nil {
		return nil, err
	}
	time.Sleep(500 * time.Millisecond)
	zoomBefore, mmBefore := w.zoom.Stats(), len(w.mm.Requests())
	sums0, counts0, err := histogramTotals(client, replicas[0].url)
	if err != nil {
		return nil, err
	}
	c.say("measuring: %d users start a meeting each at the same moment", c.users)
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
	round, err := startRound(ctx, client, w, replicas, rep)
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
		before := replicasCPU(replicas)
		rep.Webhooks.add(ingest(ctx, client, urls, part, c.senders, w.config.WebhookSecret))
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

// replicasCPU is the CPU time the replicas have used so far, together (0 where /proc cannot tell).
func replicasCPU(replicas []*process) time.Duration {
	var sum time.Duration
	for _, p := range replicas {
		if d, err := p.cpu(); err == nil {
			sum += d
		}
	}
	return sum
}

// selfCPU is the CPU time the harness has used so far.
func selfCPU() time.Duration {
	d, _ := cpuTime("self")
	return d
}

// startedMeeting is a meeting a measured start opened.
type startedMeeting struct {
	id   int64
	uuid string
}

// startRound has every user run /zoom start at the same moment, as Mattermost calls mmzoom (the slash
// command's form, with the team's command token), spread over the replicas. With rep, it records the
// latencies and outcomes and returns the meetings opened.
func startRound(ctx context.Context, client *http.Client, w *loadWorld, replicas []*process, rep *loadReport) ([]startedMeeting, error) {
	var mu sync.Mutex
	var durations []time.Duration
	var opened []startedMeeting
	var wg sync.WaitGroup
	gate := make(chan struct{})
	var failures atomic.Int64
	var firstErr atomic.Value
	for i, u := range w.users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch := w.chans[i]
			form := url.Values{"token": {w.command.Token}, "team_id": {w.team.ID}, "team_domain": {w.team.Name},
				"channel_id": {ch.ID}, "channel_name": {ch.Name}, "user_id": {u.ID}, "user_name": {u.Username},
				"command": {"/zoom"}, "text": {"start Load"}, "response_url": {w.mmURL + "/hooks/commands/" + strconv.Itoa(i)},
				"trigger_id": {"t"}}.Encode()
			<-gate
			began := time.Now()
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, replicas[i%len(replicas)].url+"/mattermost/command", strings.NewReader(form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := client.Do(req)
			var out struct {
				Text         string `json:"text"`
				GotoLocation string `json:"goto_location"`
			}
			if err == nil {
				err = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out)
				resp.Body.Close()
				if err == nil && resp.StatusCode != http.StatusOK {
					err = fmt.Errorf("HTTP %d", resp.StatusCode)
				}
			}
			took := time.Since(began)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				failures.Add(1)
				firstErr.CompareAndSwap(nil, err.Error())
				if rep != nil {
					rep.StartErrors++
				}
			case out.GotoLocation == "" && strings.Contains(out.Text, "Zoom"):
				// "Zoom is taking a while …": the start budget ran out; the answer follows later.
				if rep != nil {
					rep.StartLate++
				}
			case out.GotoLocation == "":
				failures.Add(1)
				firstErr.CompareAndSwap(nil, "no meeting: "+out.Text)
				if rep != nil {
					rep.StartErrors++
				}
			default:
				durations = append(durations, took)
				if m, ok := meetingOf(w.zoom, out.GotoLocation); ok {
					opened = append(opened, m)
				}
			}
		}()
	}
	close(gate)
	wg.Wait()
	if rep == nil && failures.Load() > 0 {
		return nil, fmt.Errorf("%d of %d warm-up starts failed, e.g. %v", failures.Load(), len(w.users), firstErr.Load())
	}
	if rep != nil {
		rep.Starts = summarize(durations)
	}
	return opened, nil
}

// meetingOf finds the meeting a host start link (…/s/{id}?zak=…) opens.
func meetingOf(z *zoomsim.Server, startURL string) (startedMeeting, bool) {
	u, err := url.Parse(startURL)
	if err != nil {
		return startedMeeting{}, false
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(u.Path, "/s/"), 10, 64)
	if err != nil {
		return startedMeeting{}, false
	}
	m, ok := z.Meeting(id)
	return startedMeeting{id: id, uuid: m.UUID}, ok
}

// participantEvents builds n meeting.participant_joined bodies spread over the meetings (as Zoom sends
// them), each with its own participant.
func participantEvents(w *loadWorld, meetings []startedMeeting, n int) [][]byte {
	if len(meetings) == 0 {
		meetings = []startedMeeting{{id: 81000000000, uuid: "none"}}
	}
	at := time.Now().UTC().Truncate(time.Second).Format(time.RFC3339)
	out := make([][]byte, n)
	for i := range out {
		m := meetings[i%len(meetings)]
		out[i] = fmt.Appendf(nil, `{"event":"meeting.participant_joined","event_ts":%d,"payload":{"account_id":"loadAccountID",`+
			`"object":{"id":"%d","uuid":%q,"host_id":"h","topic":"Load","type":1,"participant":{"user_id":"lt%d",`+
			`"user_name":"Participant %d","id":"","participant_uuid":"lt-%d","join_time":%q,"email":""}}}}`,
			time.Now().UnixMilli(), m.id, m.uuid, i, i, i, at)
	}
	return out
}

// ingest sends every event once, signed as Zoom signs it, from senders concurrent senders spread over urls,
// and measures each request.
func ingest(ctx context.Context, client *http.Client, urls []string, events [][]byte, senders int, secret string) ingestResult {
	next := make(chan int)
	var mu sync.Mutex
	var durations []time.Duration
	acked := 0
	var wg sync.WaitGroup
	began := time.Now()
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			ok := 0
			for i := range next {
				body := events[i]
				ts := strconv.FormatInt(time.Now().Unix(), 10)
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, urls[i%len(urls)]+"/zoom/webhook", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json; charset=utf-8")
				req.Header.Set("x-zm-request-timestamp", ts)
				req.Header.Set("x-zm-signature", zoom.Signature(secret, ts, body))
				t := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mine = append(mine, time.Since(t))
				if resp.StatusCode == http.StatusOK {
					ok++
				}
			}
			mu.Lock()
			durations = append(durations, mine...)
			acked += ok
			mu.Unlock()
		}()
	}
	for i := range events {
		next <- i
	}
	close(next)
	wg.Wait()
	return ingestResult{Sent: len(events), Acked: acked, Elapsed: time.Since(began), Latency: summarize(durations), samples: durations}
}

func mb(b int64) string {
	if b <= 0 {
		return "not measured"
	}
	return fmt.Sprintf("%.1f MB", float64(b)/(1<<20))
}

func ms3(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func mbs(v []int64) string {
	var s []string
	for _, b := range v {
		s = append(s, mb(b))
	}
	return strings.Join(s, ", ")
}

// write prints the report.
func (r *loadReport) write(w io.Writer) {
	proto := "HTTP/1.1"
	if r.TLS {
		proto = "HTTPS (HTTP/2)"
	}
	fmt.Fprintf(w, "mmzoom load test: %d replica(s) on %s; simulators over %s with RTT Zoom %v, Mattermost %v\n\n",
		r.Replicas, r.Database, proto, r.ZoomRTT, r.MMRTT)
	var cold []string
	for _, d := range r.ColdStart {
		cold = append(cold, ms3(d))
	}
	if len(cold) == 0 {
		cold = []string{"not measured (replicas started by someone else)"}
	}
	fmt.Fprintf(w, "cold start to /healthz        %s (the first on a new database)\n", strings.Join(cold, ", "))
	fmt.Fprintf(w, "resident memory, idle         %s\n", mbs(r.IdleRSS))
	fmt.Fprintf(w, "\n/zoom start, %d concurrent users\n", r.Users)
	fmt.Fprintf(w, "  opened a meeting            %d (errors %d, answered later %d)\n", r.Starts.N, r.StartErrors, r.StartLate)
	fmt.Fprintf(w, "  latency p50 / p99 / max     %s / %s / %s\n", ms3(r.Starts.P50), ms3(r.Starts.P99), ms3(r.Starts.Max))
	fmt.Fprintf(w, "  ÷ (Zoom RTT + MM RTT)       p50 %.3f, p99 %.3f\n", r.ratio(r.Starts.P50), r.ratio(r.Starts.P99))
	if n := r.Starts.N + r.StartLate + r.StartErrors; n > 0 {
		fmt.Fprintf(w, "  upstream calls per start    %.2f (Zoom %.2f, Mattermost %.2f)\n", float64(r.ZoomCalls+r.MattermostCalls)/float64(n),
			float64(r.ZoomCalls)/float64(n), float64(r.MattermostCalls)/float64(n))
	}
	if n := r.Starts.N + r.StartLate + r.StartErrors; n > 0 {
		fmt.Fprintf(w, "  CPU per start               mmzoom %s, harness (simulators, load generator) %s\n",
			ms3(r.StartCPU/time.Duration(n)), ms3(r.StartHarnessCPU/time.Duration(n)))
	}
	fmt.Fprintf(w, "  resident memory under load  %s (peak over the run: %s)\n", mbs(r.LoadRSS), mbs(r.PeakRSS))
	fmt.Fprintf(w, "  mean time to answer         %s as mmzoom timed it\n", ms3(r.Served))
	var eps []string
	for k := range r.Upstream {
		eps = append(eps, k)
	}
	sort.Strings(eps)
	for _, k := range eps {
		fmt.Fprintf(w, "  mean upstream call          %s  %s\n", ms3(r.Upstream[k]), k)
	}
	fmt.Fprintf(w, "\nwebhook ingest, %d events\n", r.Webhooks.Sent)
	for _, x := range []struct {
		name string
		res  ingestResult
	}{{"mmzoom (verified, stored)", r.Webhooks}, {"bare HMAC handler", r.Bare}} {
		fmt.Fprintf(w, "  %-27s %8.0f events/s, p99 %s (acknowledged %d)\n", x.name, x.res.PerSecond(), ms3(x.res.Latency.P99), x.res.Acked)
	}
	if r.Bare.PerSecond() > 0 {
		fmt.Fprintf(w, "  ratio                       %.2f×\n", r.Webhooks.PerSecond()/r.Bare.PerSecond())
	}
	if r.Webhooks.Acked > 0 && r.Bare.Acked > 0 {
		fmt.Fprintf(w, "  CPU per event               mmzoom %.0f µs, bare %.0f µs\n",
			float64(r.IngestCPU)/float64(r.Webhooks.Acked)/1e3, float64(r.BareCPU)/float64(r.Bare.Acked)/1e3)
	}
}

// histogramTotals reads a replica's /metrics and returns the sum and count of each series of its request
// and upstream call histograms, keyed by name{labels}, so that a report can say where a start's time went.
func histogramTotals(client *http.Client, replicaURL string) (sums, counts map[string]float64, err error) {
	resp, err := client.Get(replicaURL + "/metrics")
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, nil, err
	}
	sums, counts = map[string]float64{}, map[string]float64{}
	for _, line := range strings.Split(string(b), "\n") {
		for _, name := range []string{"mmzoom_upstream_request_duration_seconds", "mmzoom_http_request_duration_seconds"} {
			for suffix, into := range map[string]map[string]float64{"_sum": sums, "_count": counts} {
				rest, ok := strings.CutPrefix(line, name+suffix+"{")
				if !ok {
					continue
				}
				labels, value, ok := strings.Cut(rest, "} ")
				if v, err := strconv.ParseFloat(value, 64); ok && err == nil {
					into[name+"{"+labels+"}"] = v
				}
			}
		}
	}
	return sums, counts, nil
}

// meansBetween is the mean of each series over what happened between two readings of histogramTotals.
func meansBetween(sums0, counts0, sums1, counts1 map[string]float64) map[string]time.Duration {
	out := map[string]time.Duration{}
	for k, n := range counts1 {
		if d := n - counts0[k]; d > 0 {
			out[k] = time.Duration((sums1[k] - sums0[k]) / d * float64(time.Second))
		}
	}
	return out
}
