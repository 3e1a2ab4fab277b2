package mattermost

import "strings"

// endpointName reports whether a path segment of the Mattermost URLs mmzoom calls is a name, not an id.
func endpointName(seg string) bool {
	switch seg {
	case "api", "v4", "users", "me", "email", "channels", "members",
		"direct", "posts", "patch", "config", "client", "hooks", "commands", "system", "ping", "actions", "dialogs",
		"open", "files", "stats", "moderations", "teams":
		return true
	}
	return false
}

// Endpoint is the template of a request to Mattermost for metrics and logs: "PUT /api/v4/posts/{id}/patch".
// Every path segment that is not one of the names above (a user, channel or post id, an e-mail, a
// response URL's id, which is a credential) becomes {id}, so a template never carries an identifier.
func Endpoint(method, path string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i, s := range segs {
		if s != "" && !endpointName(s) {
			segs[i] = "{id}"
		}
	}
	return method + " /" + strings.Join(segs, "/")
}
