package mattermost

import "strings"

// endpointNames are the path segments of the Mattermost URLs mmzoom calls that are names, not ids.
var endpointNames = map[string]bool{
	"api": true, "v4": true, "users": true, "me": true, "email": true, "channels": true, "members": true,
	"direct": true, "posts": true, "patch": true, "config": true, "client": true, "hooks": true, "commands": true,
}

// Endpoint is the template of a request to Mattermost for metrics and logs: "PUT /api/v4/posts/{id}/patch".
// Every path segment that is not one of the names above (a user, channel or post id, an e-mail, a
// response URL's id, which is a credential) becomes {id}, so a template never carries an identifier.
func Endpoint(method, path string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i, s := range segs {
		if s != "" && !endpointNames[s] {
			segs[i] = "{id}"
		}
	}
	return method + " /" + strings.Join(segs, "/")
}
