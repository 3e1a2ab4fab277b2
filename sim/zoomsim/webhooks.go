package zoomsim

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// sign is Zoom's webhook signature: "v0=" + hex HMAC-SHA256(secret, "v0:{timestamp}:{body}").
func (s *Server) sign(ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(s.opts.WebhookSecret))
	fmt.Fprintf(m, "v0:%s:", ts)
	m.Write(body)
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}

// notify delivers a meeting event notification in the background, as Zoom does.
func (s *Server) notify(event string, object map[string]any) {
	s.notifyBody(event, map[string]any{
		"event": event, "event_ts": s.opts.Now().UnixMilli(),
		"payload": map[string]any{"account_id": "simAccount", "object": object},
	})
}

// notifyBody delivers an event body in the background, retrying on 5xx and network errors after
// RetryDelays (3 retries); 4xx answers are not retried.
func (s *Server) notifyBody(event string, v any) {
	s.mu.Lock()
	paused := s.webhooksOff
	s.mu.Unlock()
	if s.opts.WebhookURL == "" || paused {
		return
	}
	body, _ := json.Marshal(v)
	s.mu.Lock()
	s.lastEvent, s.lastBody = event, body
	s.mu.Unlock()
	s.send(event, body)
}

func (s *Server) send(event string, body []byte) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for attempt := 0; ; attempt++ {
			status := s.deliver(event, body, attempt)
			if status != 0 && status < 500 {
				return
			}
			if attempt >= len(s.opts.RetryDelays) {
				return
			}
			select {
			case <-time.After(s.opts.RetryDelays[attempt]):
			case <-s.ctx.Done():
				return
			}
		}
	}()
}

// deliver makes one signed delivery attempt and returns the status (0 when the request failed).
func (s *Server) deliver(event string, body []byte, attempt int) int {
	ts := strconv.FormatInt(s.opts.Now().Unix(), 10)
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, s.opts.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return 0
	}
	h := req.Header
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("User-Agent", "Zoom Marketplace/1.0a")
	h.Set("x-zm-request-timestamp", ts)
	h.Set("x-zm-signature", s.sign(ts, body))
	h.Set("x-zm-request-id", randomID(36))
	h.Set("x-zm-trackingid", "v=2.0;clid=us05;rid="+randomID(16))
	status := 0
	if resp, err := s.opts.HTTPClient.Do(req); err == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		status = resp.StatusCode
	}
	s.mu.Lock()
	s.stats.WebhookDeliveries++
	s.deliveries = append(s.deliveries, Delivery{Event: event, Status: status, Attempt: attempt + 1, At: s.opts.Now()})
	s.mu.Unlock()
	return status
}

// SetWebhooksDisabled stops (or resumes) event notifications, as when Zoom disables a subscription after
// failed revalidations: events in between are never sent.
func (s *Server) SetWebhooksDisabled(off bool) {
	s.mu.Lock()
	s.webhooksOff = off
	s.mu.Unlock()
}

// WaitDeliveries waits until every queued webhook delivery (retries included) is done, or ctx ends.
func (s *Server) WaitDeliveries(ctx context.Context) error {
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ValidateEndpoint sends Zoom's signed endpoint.url_validation request and checks the answer.
func (s *Server) ValidateEndpoint(ctx context.Context) (bool, error) {
	plain := randomID(22)
	body, _ := json.Marshal(map[string]any{"payload": map[string]string{"plainToken": plain},
		"event_ts": s.opts.Now().UnixMilli(), "event": "endpoint.url_validation"})
	ts := strconv.FormatInt(s.opts.Now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.opts.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("x-zm-request-timestamp", ts)
	req.Header.Set("x-zm-signature", s.sign(ts, body))
	resp, err := s.opts.HTTPClient.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
		return false, fmt.Errorf("zoomsim: validation answered %d", resp.StatusCode)
	}
	var out struct {
		PlainToken     string `json:"plainToken"`
		EncryptedToken string `json:"encryptedToken"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out); err != nil {
		return false, errors.New("zoomsim: validation answer is not JSON")
	}
	m := hmac.New(sha256.New, []byte(s.opts.WebhookSecret))
	m.Write([]byte(plain))
	return out.PlainToken == plain && hmac.Equal([]byte(out.EncryptedToken), []byte(hex.EncodeToString(m.Sum(nil)))), nil
}
