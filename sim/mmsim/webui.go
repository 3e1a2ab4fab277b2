package mmsim

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed webui
var webUIFiles embed.FS

// webUIHandler serves the simulator's chat page: GET / and its assets under /webui/.
func webUIHandler() http.Handler {
	sub, _ := fs.Sub(webUIFiles, "webui")
	files := http.StripPrefix("/webui/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			w.Header().Set("Cache-Control", "no-store")
			http.ServeFileFS(w, r, sub, "index.html")
			return
		}
		files.ServeHTTP(w, r)
	})
}
