package mmsim

import (
	"net/http"
)

// PluginFiles is a webapp plugin for the chat page to load the way Mattermost's web app does: the page puts
// React and ReactDOM on window, defines window.registerPlugin, loads the bundle, and renders what the
// plugin registers (channel header buttons, App Bar items, post type components).
type PluginFiles struct {
	ID       string // the plugin id
	MainJS   string // path of the built bundle (main.js)
	React    string // path of React's UMD build
	ReactDOM string // path of ReactDOM's UMD build
}

// pluginRoutes serves the configured plugin, if any: GET /sim/plugins lists it, /static/plugins/ serves it.
func (s *Server) pluginRoutes(mux *http.ServeMux) {
	p := s.opts.Plugin
	mux.HandleFunc("GET /sim/plugins", func(w http.ResponseWriter, r *http.Request) {
		out := []map[string]string{}
		if p != nil {
			out = append(out, map[string]string{"id": p.ID, "bundle": "/static/plugins/main.js",
				"react": "/static/plugins/react.js", "react_dom": "/static/plugins/react-dom.js"})
		}
		writeJSON(w, http.StatusOK, out)
	})
	mux.HandleFunc("GET /static/plugins/{file}", func(w http.ResponseWriter, r *http.Request) {
		if p == nil {
			http.NotFound(w, r)
			return
		}
		files := map[string]string{"main.js": p.MainJS, "react.js": p.React, "react-dom.js": p.ReactDOM}
		path, ok := files[r.PathValue("file")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		http.ServeFile(w, r, path)
	})
}
