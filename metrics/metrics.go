// Package metrics is mmzoom's Prometheus adapter (github.com/prometheus/client_golang): the counters and
// histograms of inbound requests, of calls to Zoom and Mattermost, of token requests, refused webhooks and
// failures by error kind, and gauges of the durable queue read from the store at each scrape. Everything
// lives in a registry of its own, never the library's global one, so two mmzoom instances in one process
// (tests, the demo) never share a series.
//
// Label values are fixed sets chosen by mmzoom (route patterns, endpoint templates, error kinds, reasons):
// nothing from a request or a URL with ids in it ever becomes a label, so a scrape shows no secret and the
// number of series stays bounded.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/mmzoom/mmzoom/meeting"
)

// Metrics holds mmzoom's metrics and the registry they are exposed from.
type Metrics struct {
	reg *prometheus.Registry

	requests        *prometheus.CounterVec
	requestDuration *prometheus.HistogramVec
	upstream        *prometheus.HistogramVec
	upstreamErrors  *prometheus.CounterVec
	tokens          *prometheus.CounterVec
	refused         *prometheus.CounterVec
	failures        *prometheus.CounterVec
}

var _ meeting.Failures = (*Metrics)(nil)

// New returns mmzoom's metrics. queue, when not nil, is read at each scrape for the queue gauges (with the
// clock now); the Go runtime's and the process's own collectors (memory, CPU, file descriptors) are
// registered too.
func New(queue meeting.QueueStatser, now func() time.Time, logger *slog.Logger) *Metrics {
	if now == nil {
		now = time.Now
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// Latency buckets from 1 ms (a webhook stored in SQLite) to 30 s (Mattermost's slash-command limit).
	buckets := []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mmzoom_http_requests_total",
			Help: "Inbound HTTP requests by route pattern and status code.",
		}, []string{"route", "code"}),
		requestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "mmzoom_http_request_duration_seconds", Buckets: buckets,
			Help: "Time to answer an inbound HTTP request, by route pattern.",
		}, []string{"route"}),
		upstream: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "mmzoom_upstream_request_duration_seconds", Buckets: buckets,
			Help: "Calls to Zoom and Mattermost by upstream and endpoint template, until the response headers.",
		}, []string{"upstream", "endpoint"}),
		upstreamErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mmzoom_upstream_errors_total",
			Help: "Failed calls to Zoom and Mattermost by upstream, endpoint template and class (transport, 4xx, 429, 5xx).",
		}, []string{"upstream", "endpoint", "class"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mmzoom_zoom_token_requests_total",
			Help: "Requests to Zoom's token endpoint by grant (refresh_token, account_credentials, authorization_code) and result (ok, refused, error).",
		}, []string{"grant", "result"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mmzoom_webhook_refused_total",
			Help: "Zoom webhooks refused before they reached the domain, by reason.",
		}, []string{"reason"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mmzoom_failures_total",
			Help: "Errors by where they happened (an inbound endpoint or the queue), domain error kind, log level and whether the kind is retried.",
		}, []string{"where", "kind", "level", "retryable"}),
	}
	m.reg.MustRegister(m.requests, m.requestDuration, m.upstream, m.upstreamErrors, m.tokens, m.refused, m.failures,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if queue != nil {
		m.reg.MustRegister(newQueueCollector(queue, now, logger))
	}
	// Kinds and reasons appear at zero before the first one happens, so that rate() and alerts see them.
	for _, k := range meeting.Kinds() {
		m.failures.WithLabelValues(failureLabels("queue", k)...)
	}
	return m
}

// WatchStarts adds gauges of the starts running and waiting for a slot, read from load at each scrape.
func (m *Metrics) WatchStarts(load func() (running, waiting int)) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "mmzoom_starts_running",
			Help: "Meeting starts in progress (each holds calls to Zoom and Mattermost).",
		}, func() float64 { r, _ := load(); return float64(r) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "mmzoom_starts_waiting",
			Help: "Meeting starts waiting for one of the slots that bound the starts in progress.",
		}, func() float64 { _, w := load(); return float64(w) }))
}

// Registry is the registry the metrics live in, for tests and for adding collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in Prometheus' text format (GET /metrics).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Failure counts one error of kind k in where, labelled with its kind's log level and retryability from
// meeting's Handling table.
func (m *Metrics) Failure(where string, k meeting.Kind) {
	m.failures.WithLabelValues(failureLabels(where, k)...).Inc()
}

func failureLabels(where string, k meeting.Kind) []string {
	h := meeting.HandlingOf(k)
	return []string{where, string(k), h.Level.String(), strconv.FormatBool(h.Retry)}
}

// Refused counts a webhook refused for reason (one of httpapi's Refused* values).
func (m *Metrics) Refused(reason string) { m.refused.WithLabelValues(reason).Inc() }

// queueCollector reads the queue's statistics at each scrape, so the gauges are the database's truth (shared
// by every replica on PostgreSQL) rather than what one process saw.
type queueCollector struct {
	stats meeting.QueueStatser
	now   func() time.Time
	log   *slog.Logger

	depth, due, age, dead, up *prometheus.Desc
}

func newQueueCollector(stats meeting.QueueStatser, now func() time.Time, log *slog.Logger) *queueCollector {
	return &queueCollector{stats: stats, now: now, log: log,
		depth: prometheus.NewDesc("mmzoom_queue_depth", "Work not done yet: received Zoom events and pending jobs.", nil, nil),
		due:   prometheus.NewDesc("mmzoom_queue_due", "Queued work that could run now.", nil, nil),
		age:   prometheus.NewDesc("mmzoom_queue_oldest_due_age_seconds", "How long the oldest due work has waited (0 when nothing is due).", nil, nil),
		dead:  prometheus.NewDesc("mmzoom_queue_dead_letters", "Jobs that can never succeed (mmzoom dead-letters lists them).", nil, nil),
		up:    prometheus.NewDesc("mmzoom_queue_stats_up", "1 when the queue's statistics could be read from the database at this scrape, else 0.", nil, nil),
	}
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.depth, c.due, c.age, c.dead, c.up} {
		ch <- d
	}
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	now := c.now()
	st, err := c.stats.QueueStats(ctx, now)
	if err != nil {
		c.log.WarnContext(ctx, "metrics: reading the queue's statistics failed", "err", err)
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1)
	ch <- prometheus.MustNewConstMetric(c.depth, prometheus.GaugeValue, float64(st.Depth))
	ch <- prometheus.MustNewConstMetric(c.due, prometheus.GaugeValue, float64(st.Due))
	ch <- prometheus.MustNewConstMetric(c.age, prometheus.GaugeValue, st.OldestDueAge(now).Seconds())
	ch <- prometheus.MustNewConstMetric(c.dead, prometheus.GaugeValue, float64(st.DeadLetters))
}
