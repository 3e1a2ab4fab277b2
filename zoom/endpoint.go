package zoom

import "strings"

// endpointName reports whether a path segment of the Zoom URLs mmzoom calls is a name, not an id.
func endpointName(seg string) bool {
	switch seg {
	case "v2", "users", "me", "meetings", "status", "past_meetings",
		"oauth", "token", "revoke", "authorize", "data", "compliance", "meeting_summary", "rec", "download":
		return true
	}
	return false
}

// Endpoint is the template of a request to Zoom for metrics and logs: "GET /v2/meetings/{id}". Every path
// segment that is not one of the names above (a meeting id, a UUID, a user's e-mail) becomes {id}, so a
// template never carries an identifier, whatever the path.
func Endpoint(method, path string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i, s := range segs {
		if s != "" && !endpointName(s) {
			segs[i] = "{id}"
		}
	}
	return method + " /" + strings.Join(segs, "/")
}
