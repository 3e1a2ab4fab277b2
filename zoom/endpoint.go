package zoom

import "strings"

// endpointNames are the path segments of the Zoom URLs mmzoom calls that are names, not ids.
var endpointNames = map[string]bool{
	"v2": true, "users": true, "me": true, "meetings": true, "status": true, "past_meetings": true,
	"oauth": true, "token": true, "revoke": true, "authorize": true, "data": true, "compliance": true,
}

// Endpoint is the template of a request to Zoom for metrics and logs: "GET /v2/meetings/{id}". Every path
// segment that is not one of the names above (a meeting id, a UUID, a user's e-mail) becomes {id}, so a
// template never carries an identifier, whatever the path.
func Endpoint(method, path string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i, s := range segs {
		if s != "" && !endpointNames[s] {
			segs[i] = "{id}"
		}
	}
	return method + " /" + strings.Join(segs, "/")
}
