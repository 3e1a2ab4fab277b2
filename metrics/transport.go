package metrics

import (
	"io"
	"net/http"
	"net/url"
	"time"
)

// Endpoint names the endpoint template of an outgoing request ("GET /v2/meetings/{id}"); each vendor's
// adapter provides one (zoom.Endpoint, mattermost.Endpoint), since only it knows which path segments are
// names and which are ids.
type Endpoint func(method, path string) string

// Transport times the calls made through base to upstream ("zoom" or "mattermost") by endpoint template and
// counts their failures. Requests to Zoom's token endpoint are also counted by grant and result, which is
// how token refreshes and their failures are seen (the form's grant_type is read from a copy of the body;
// nothing else of it).
func (m *Metrics) Transport(upstream string, endpoint Endpoint, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{m: m, upstream: upstream, endpoint: endpoint, base: base}
}

type transport struct {
	m        *Metrics
	upstream string
	endpoint Endpoint
	base     http.RoundTripper
}

func (t *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	ep := t.endpoint(r.Method, r.URL.EscapedPath())
	grant := ""
	if t.upstream == "zoom" && ep == "POST /oauth/token" {
		grant = grantType(r)
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(r)
	t.m.upstream.WithLabelValues(t.upstream, ep).Observe(time.Since(start).Seconds())
	class := ""
	switch {
	case err != nil:
		class = "transport"
	case resp.StatusCode == http.StatusTooManyRequests:
		class = "429"
	case resp.StatusCode >= 500:
		class = "5xx"
	case resp.StatusCode >= 400:
		class = "4xx"
	}
	if class != "" {
		t.m.upstreamErrors.WithLabelValues(t.upstream, ep, class).Inc()
	}
	if grant != "" {
		result := "ok"
		switch class {
		case "":
		case "4xx":
			result = "refused" // Zoom no longer accepts the grant: the user must connect again
		default:
			result = "error"
		}
		t.m.tokens.WithLabelValues(grant, result).Inc()
	}
	return resp, err
}

// grantType reads grant_type from a copy of a token request's form body.
func grantType(r *http.Request) string {
	if r.GetBody == nil {
		return "unknown"
	}
	body, err := r.GetBody()
	if err != nil {
		return "unknown"
	}
	defer body.Close()
	b, err := io.ReadAll(io.LimitReader(body, 4096))
	if err != nil {
		return "unknown"
	}
	form, err := url.ParseQuery(string(b))
	if err != nil {
		return "unknown"
	}
	switch g := form.Get("grant_type"); g {
	case "refresh_token", "account_credentials", "authorization_code":
		return g
	default:
		return "other"
	}
}
