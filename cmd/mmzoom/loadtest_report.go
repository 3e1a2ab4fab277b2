package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// latencies summarises request durations.
type latencies struct {
	N        int
	P50, P99 time.Duration
	Max      time.Duration
}

// summarize gives the nearest-rank percentiles of d.
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
	Spread          time.Duration   // the measured starts were spread evenly over it (0: all at once)
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
	// Applied is the time from the start of each of mmzoom's webhook turns until its events were applied
	// (the queue had no due work left), added up.
	Applied time.Duration
	// CPU time used by the replicas together to store and apply the webhooks, and by the bare handler to
	// verify them.
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

// mb formats a size in bytes as MB, or says it was not measured.
func mb(b int64) string {
	if b <= 0 {
		return "not measured"
	}
	return fmt.Sprintf("%.1f MB", float64(b)/(1<<20))
}

// ms3 formats a duration in milliseconds with one decimal.
func ms3(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// mbs formats one size per replica.
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
	if r.Spread > 0 {
		fmt.Fprintf(w, "\n/zoom start, %d users, spread evenly over %v (%.0f starts a second)\n", r.Users, r.Spread,
			float64(r.Users)/r.Spread.Seconds())
	} else {
		fmt.Fprintf(w, "\n/zoom start, %d concurrent users\n", r.Users)
	}
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
	if r.Applied > 0 {
		fmt.Fprintf(w, "  mmzoom, until applied       %8.0f events/s (applying ran %s past the acknowledgements)\n",
			float64(r.Webhooks.Acked)/r.Applied.Seconds(), ms3(r.Applied-r.Webhooks.Elapsed))
	}
	if r.Webhooks.Acked > 0 && r.Bare.Acked > 0 {
		fmt.Fprintf(w, "  CPU per event               mmzoom %.0f µs (stored and applied), bare %.0f µs\n",
			float64(r.IngestCPU)/float64(r.Webhooks.Acked)/1e3, float64(r.BareCPU)/float64(r.Bare.Acked)/1e3)
	}
}
