package mmsim

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Plugin management (api4/plugin.go): POST /plugins uploads a bundle, POST /plugins/{id}/enable enables it,
// GET /plugins lists what is installed.

// maxPluginUpload bounds an uploaded bundle here. api4's MaximumPluginFileSize (50 MiB) is only what
// ParseMultipartForm keeps in memory; the real bound on the request was not found in the source.
const maxPluginUpload = 50 << 20

type installedPlugin struct {
	manifest map[string]any
	enabled  bool
}

var pluginIDRE = regexp.MustCompile(`^[a-zA-Z0-9-_\.]{3,190}$`)

// Plugin says whether a plugin is installed, its version and whether it is enabled.
func (s *Server) Plugin(id string) (version string, enabled, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.admin.plugins[id]
	if p == nil {
		return "", false, false
	}
	v, _ := p.manifest["version"].(string)
	return v, p.enabled, true
}

// bundleManifest reads <id>/plugin.json from a .tar.gz bundle.
func bundleManifest(r io.Reader) (map[string]any, error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil, errors.New("no plugin.json")
		}
		if err != nil {
			return nil, err
		}
		if path.Base(h.Name) == "plugin.json" && path.Dir(path.Clean(h.Name)) != "." {
			var m map[string]any
			if err := json.NewDecoder(io.LimitReader(tr, 1<<20)).Decode(&m); err != nil {
				return nil, err
			}
			return m, nil
		}
	}
}

// uploadPlugin is POST /plugins (api4/plugin.go uploadPlugin; multipart: "plugin", the bundle; "force"). It
// needs PluginSettings.Enable and EnableUploads, and RequirePluginSignature off (else 501
// app.plugin.upload_disabled.app_error), and sysconsole_write_plugins; a body that is not a multipart form
// is answered by http.Error: 400 in text/plain, not an AppError; an installed id needs force=true (else 400
// app.plugin.install_id.app_error). Answers 201 with the manifest; the plugin is installed disabled, or
// keeps its enabled state when replaced.
func (s *Server) uploadPlugin(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	allowed := s.configBool("PluginSettings", "Enable") && s.configBool("PluginSettings", "EnableUploads") &&
		!s.configBool("PluginSettings", "RequirePluginSignature")
	admin := isAdmin(userOf(r))
	s.mu.Unlock()
	if !allowed {
		appError(w, http.StatusNotImplemented, "app.plugin.upload_disabled.app_error", "Plugins and/or plugin uploads have been disabled.")
		return
	}
	if !admin {
		forbidden(w)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxPluginUpload+1<<20)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f, _, err := r.FormFile("plugin")
	if err != nil {
		appError(w, http.StatusBadRequest, "api.plugin.upload.no_file.app_error", "Missing file in multipart/form request.")
		return
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, maxPluginUpload+1))
	if err != nil || len(raw) > maxPluginUpload {
		http.Error(w, "http: request body too large", http.StatusBadRequest)
		return
	}
	m, err := bundleManifest(bytes.NewReader(raw))
	id, _ := m["id"].(string)
	if err != nil || !pluginIDRE.MatchString(id) {
		appError(w, http.StatusBadRequest, "app.plugin.manifest.app_error", "Unable to find manifest for extracted plugin.")
		return
	}
	// Only the form part counts (m.Value["force"][0] == "true"), not a force=true in the query string.
	force := len(r.MultipartForm.Value["force"]) > 0 && r.MultipartForm.Value["force"][0] == "true"
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.admin.plugins[id]
	if old != nil && !force {
		appError(w, http.StatusBadRequest, "app.plugin.install_id.app_error", "Unable to install plugin. A plugin with the same ID is already installed.")
		return
	}
	p := &installedPlugin{manifest: m}
	if old != nil {
		p.enabled = old.enabled
	}
	s.admin.plugins[id] = p
	writeJSON(w, http.StatusCreated, m)
}

func pluginsDisabled(w http.ResponseWriter) {
	appError(w, http.StatusNotImplemented, "app.plugin.disabled.app_error", "Plugins have been disabled. Please check your logs for details.")
}

// running says whether an enabled plugin runs: one whose min_server_version is above the server's version
// is enabled but does not start (§8).
func (s *Server) running(p *installedPlugin) bool {
	minVersion, _ := p.manifest["min_server_version"].(string)
	return p.enabled && !versionBelow(s.admin.version, minVersion)
}

// versionBelow says whether version a ("9.9.0") is below b; an unreadable b is no requirement.
func versionBelow(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < 3; i++ {
		var x, y int
		if i < len(pa) {
			x, _ = strconv.Atoi(pa[i])
		}
		if i < len(pb) {
			y, _ = strconv.Atoi(pb[i])
		}
		if x != y {
			return x < y
		}
	}
	return false
}

// listPlugins is GET /plugins: {"active": [...], "inactive": [...]} manifests. 501
// app.plugin.disabled.app_error when PluginSettings.Enable is off; sysconsole_read_plugins. "active" are
// the running plugins (the plugin environment's IsActive), not the enabled ones: an enabled plugin that
// failed to start is listed inactive.
func (s *Server) listPlugins(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.configBool("PluginSettings", "Enable") {
		pluginsDisabled(w)
		return
	}
	if !isAdmin(userOf(r)) {
		forbidden(w)
		return
	}
	active, inactive := []map[string]any{}, []map[string]any{}
	ids := make([]string, 0, len(s.admin.plugins))
	for id := range s.admin.plugins {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if p := s.admin.plugins[id]; s.running(p) {
			active = append(active, p.manifest)
		} else {
			inactive = append(inactive, p.manifest)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"active": active, "inactive": inactive})
}

// enablePlugin is POST /plugins/{id}/enable: 501 when PluginSettings.Enable is off, 404
// app.plugin.not_installed.app_error for an unknown id. A plugin whose min_server_version is above the
// server's is enabled all the same (it then fails to start, §8).
func (s *Server) enablePlugin(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.configBool("PluginSettings", "Enable") {
		pluginsDisabled(w)
		return
	}
	if !isAdmin(userOf(r)) {
		forbidden(w)
		return
	}
	p := s.admin.plugins[r.PathValue("id")]
	if p == nil {
		appError(w, http.StatusNotFound, "app.plugin.not_installed.app_error", "Plugin is not installed.")
		return
	}
	p.enabled = true
	writeJSON(w, http.StatusOK, map[string]string{"status": "OK"})
}
