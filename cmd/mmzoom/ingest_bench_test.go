package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/zoom"
)

// BenchmarkWebhookIngest measures Zoom webhook ingest on SQLite: each request is verified (HMAC, timestamp,
// replay check) and its event durably stored (sealed, deduplicated) before the 200, as in production. The
// "bare" case only reads the body and checks the HMAC: the limit no ingest can beat. Both run in the same
// process, over loopback HTTP with keep-alive connections, with concurrent requests.
func BenchmarkWebhookIngest(b *testing.B) {
	w, err := startWorld(context.Background(), demoSetup{kind: meeting.KindS2S, dir: b.TempDir(),
		logger: slog.New(slog.DiscardHandler), manualQueue: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(w.Close)
	secret := w.Config.WebhookSecret
	verifier := &zoom.Webhook{Secret: secret, Now: time.Now}
	bare := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(http.MaxBytesReader(rw, r.Body, zoom.MaxWebhookBody))
		if verifier.Verify(r.Header, body) != nil {
			rw.WriteHeader(http.StatusUnauthorized)
			return
		}
		rw.WriteHeader(http.StatusOK)
	})
	bareSrv := httptest.NewServer(bare)
	b.Cleanup(bareSrv.Close)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var seq atomic.Int64 // across runs: every event is new, or it would be refused as a replay
	for _, c := range []struct {
		name string
		url  string
	}{{"stored", w.MMZoomURL + "/zoom/webhook"}, {"bare", bareSrv.URL}} {
		b.Run(c.name, func(b *testing.B) {
			var mu sync.Mutex
			var lat []time.Duration
			b.ReportAllocs()
			b.SetParallelism(16) // Zoom delivers concurrently
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				var mine []time.Duration
				for pb.Next() {
					n := seq.Add(1)
					body := fmt.Appendf(nil, `{"event":"meeting.participant_joined","event_ts":%d,"payload":{"account_id":"a","object":{"id":"81234567890","uuid":"bench==","host_id":"h","topic":"Bench","participant":{"user_id":"u%d","user_name":"P %d","participant_uuid":"p%d","join_time":"2026-11-24T09:00:00Z"}}}}`, n, n, n, n)
					ts := strconv.FormatInt(time.Now().Unix(), 10)
					req, _ := http.NewRequest(http.MethodPost, c.url, bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json; charset=utf-8")
					req.Header.Set("x-zm-request-timestamp", ts)
					req.Header.Set("x-zm-signature", zoom.Signature(secret, ts, body))
					t0 := time.Now()
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					mine = append(mine, time.Since(t0))
					if resp.StatusCode != http.StatusOK {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			})
			elapsed := time.Since(start)
			slices.Sort(lat)
			if len(lat) > 0 {
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			}
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
		})
	}
}
