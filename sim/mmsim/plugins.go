package mmsim

import (
	"net/http"
)

// PluginFiles is a webapp plugin for the chat page to load the way Mattermost's web app does: the page puts
// React and ReactDOM on window (the simulator carries React 18's UMD builds, MIT licensed, in webui/vendor),
// defines window.registerPlugin, loads the bundle, and renders what the plugin registers (channel header
// buttons, App Bar items, post type components).
type PluginFiles struct {
	ID     string // the plugin id
	MainJS []byte // the built bundle (main.js)
}

// pluginRoutes serves the configured plugin, if any: GET /sim/plugins lists it, /static/plugins/main.js
// serves it.
func (s *Server) pluginRoutes(mux *http.ServeMux) {
	p := s.opts.Plugin
	mux.HandleFunc("GET /sim/plugins", func(w http.ResponseWriter, r *http.Request) {
		out := []map[string]string{}
		if p != nil {
			out = append(out, map[string]string{"id": p.ID, "bundle": "/static/plugins/main.js",
				"react": "/webui/vendor/react.production.min.js", "react_dom": "/webui/vendor/react-dom.production.min.js"})
		}
		writeJSON(w, http.StatusOK, out)
	})
	mux.HandleFunc("GET /static/plugins/main.js", func(w http.ResponseWriter, r *http.Request) {
		if p == nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(p.MainJS)
	})
}
