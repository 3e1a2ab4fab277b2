package mattermost

import "testing"

// Endpoint templates never carry an id, an e-mail or a response URL's secret id.
func TestEndpoint(t *testing.T) {
	cases := []struct{ method, path, want string }{
		{"GET", "/api/v4/users/me", "GET /api/v4/users/me"},
		{"GET", "/api/v4/users/q8mz1gh5ij8tppkb8e6rwsk3ky", "GET /api/v4/users/{id}"},
		{"GET", "/api/v4/users/email/alice@example.com", "GET /api/v4/users/email/{id}"},
		{"PUT", "/api/v4/posts/p1/patch", "PUT /api/v4/posts/{id}/patch"},
		{"GET", "/api/v4/channels/c1/members/b1", "GET /api/v4/channels/{id}/members/{id}"},
		{"POST", "/hooks/commands/secretresponseid", "POST /hooks/commands/{id}"},
		{"POST", "/api/v4/actions/dialogs/open", "POST /api/v4/actions/dialogs/open"},
		{"GET", "/api/v4/channels/c1/stats", "GET /api/v4/channels/{id}/stats"},
		{"GET", "/api/v4/users/me/teams", "GET /api/v4/users/me/teams"},
		{"POST", "/api/v4/files", "POST /api/v4/files"},
	}
	for _, c := range cases {
		if got := Endpoint(c.method, c.path); got != c.want {
			t.Errorf("Endpoint(%s %s) = %q, want %q", c.method, c.path, got, c.want)
		}
	}
}
