package mattermost

import (
	"context"
	"fmt"
	"net/http"
)

// Ping asks GET /api/v4/system/ping (which needs no session) and returns the server's version from the
// X-Version-Id header ("<version>.<build>.<config hash>.<licensed>").
func (c *Client) Ping(ctx context.Context) (string, error) {
	req, err := c.NewRequest(ctx, http.MethodGet, "api/v4/system/ping", nil)
	if err != nil {
		return "", err
	}
	resp, err := c.Do(req, nil)
	if err != nil {
		return "", err
	}
	v := versionOf(resp.Header.Get("X-Version-Id"))
	if v == "" {
		return "", fmt.Errorf("mattermost: no version in X-Version-Id %q: is this Mattermost?", resp.Header.Get("X-Version-Id"))
	}
	return v, nil
}

// MyTeams lists the teams the bot is a member of (GET /users/me/teams).
func (c *Client) MyTeams(ctx context.Context) ([]Team, error) {
	var ts []Team
	err := c.call(ctx, http.MethodGet, "api/v4/users/me/teams", nil, &ts)
	return ts, err
}
