package zoom

import "testing"

// Endpoint templates never carry an id, an e-mail or a UUID, whatever the path.
func TestEndpoint(t *testing.T) {
	cases := []struct{ method, path, want string }{
		{"POST", "/v2/users/me/meetings", "POST /v2/users/me/meetings"},
		{"POST", "/v2/users/alice%40example.com/meetings", "POST /v2/users/{id}/meetings"},
		{"GET", "/v2/meetings/81234567890", "GET /v2/meetings/{id}"},
		{"PUT", "/v2/meetings/81234567890/status", "PUT /v2/meetings/{id}/status"},
		{"GET", "/v2/past_meetings/%252Fab%252F%252Fcd%3D%3D", "GET /v2/past_meetings/{id}"},
		{"POST", "/oauth/token", "POST /oauth/token"},
		{"GET", "/v2/meetings/%252Fab%252F%252Fcd%253D%253D/meeting_summary", "GET /v2/meetings/{id}/meeting_summary"},
		{"PATCH", "/v2/meetings/81234567890", "PATCH /v2/meetings/{id}"},
		{"GET", "/rec/download/f1a2b3", "GET /rec/download/{id}"},
		{"GET", "/zoom-api/v2/users/xyz", "GET /{id}/v2/users/{id}"},
	}
	for _, c := range cases {
		if got := Endpoint(c.method, c.path); got != c.want {
			t.Errorf("Endpoint(%s %s) = %q, want %q", c.method, c.path, got, c.want)
		}
	}
}
