package mmsim

import (
	"net/http"
)

// PluginFiles is a webapp plugin for the chat page to load the way Mattermost's web app does: the page puts
// React and ReactDOM on window, defines window.registerPlugin, loads the bundle, and renders what the plugin
// registers (channel header buttons, App Bar items, post type components) in one React tree, as Mattermost
// does. The plugin gets the host's React, so the page carries the UMD builds (MIT licensed, webui/vendor) of
// the versions Mattermost ships: 16.13 (5.x), 17.0 (9.x and 10.x) and 18.3 (11.x, which pins 18.2); the
// page's ?react=16|17|18 picks one, 18 by default.
type PluginFiles struct {
	ID     string // the plugin id
	MainJS []byte // the built bundle (main.js)
}

// reactBuilds are the React versions the page can host a plugin with, by major version.
var reactBuilds = map[string]string{"16": "16.13.1", "17": "17.0.2", "18": "18.3.1"}

// defaultReact is the major version the page uses without ?react=.
const defaultReact = "18"

// pluginRoutes serves the configured plugin, if any: GET /sim/plugins lists it with the React builds,
// /static/plugins/main.js serves it.
func (s *Server) pluginRoutes(mux *http.ServeMux) {
	p := s.opts.Plugin
	mux.HandleFunc("GET /sim/plugins", func(w http.ResponseWriter, r *http.Request) {
		out := []map[string]any{}
		if p != nil {
			builds := map[string]map[string]string{}
			for major, version := range reactBuilds {
				dir := "/webui/vendor/react-" + version + "/"
				builds[major] = map[string]string{"version": version, "react": dir + "react.production.min.js", "react_dom": dir + "react-dom.production.min.js"}
			}
			out = append(out, map[string]any{"id": p.ID, "bundle": "/static/plugins/main.js",
				"react": builds[defaultReact]["react"], "react_dom": builds[defaultReact]["react_dom"], "react_builds": builds})
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
