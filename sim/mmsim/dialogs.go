package mmsim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Interactive dialogs, as Mattermost runs them (server/channels/app/integration_action.go and
// api4/integration_action.go): an integration answers a slash command or a click by opening a dialog with
// the trigger_id that came with it (POST /api/v4/actions/dialogs/open, no session needed: the trigger id is
// the credential); the dialog reaches the user's clients with its url and state; the user's submission is
// POSTed to the url, without credentials, as {"type":"dialog_submission", …}. An answer of {"errors":{…}}
// keeps the dialog open with the errors under their fields and everything the user typed; {} closes it.

// Trigger ids live for OutgoingIntegrationRequestsTimeout (the simulator's CommandTimeout) on 9.0 and later, and
// for 3 s before (model/integration_action.go, DecodeAndVerifyTriggerId).
type trigger struct {
	userID string
	issued time.Time
}

// Dialog is a dialog open in a user's client.
type Dialog struct {
	URL       string
	TriggerID string
	// CallbackID, Title, IntroductionText, SubmitLabel, NotifyOnCancel, State and Elements are the dialog as
	// the integration sent it.
	CallbackID       string
	Title            string
	IntroductionText string
	SubmitLabel      string
	NotifyOnCancel   bool
	State            string
	Elements         []DialogElement
	// ChannelID and TeamID are where the dialog was opened (the command's channel).
	ChannelID, TeamID string
	// Errors are the field errors of the last submission ({"errors":{…}}), shown under each field; Error is
	// a general error ({"error":"…"}).
	Errors map[string]string
	Error  string
	// Values are what the user typed last (kept when the submission came back with errors).
	Values map[string]string
}

// DialogElement is one field of a dialog.
type DialogElement struct {
	DisplayName    string         `json:"display_name"`
	DatetimeConfig map[string]any `json:"datetime_config"`
	Name           string         `json:"name"`
	Type           string         `json:"type"`
	SubType        string         `json:"subtype"`
	Default        string         `json:"default"`
	Placeholder    string         `json:"placeholder"`
	HelpText       string         `json:"help_text"`
	Optional       bool           `json:"optional"`
	MinLength      int            `json:"min_length"`
	MaxLength      int            `json:"max_length"`
	Options        []DialogOption `json:"options"`
}

// DialogOption is an option of a select or radio element.
type DialogOption struct {
	Text  string `json:"text"`
	Value string `json:"value"`
}

// DialogResult is what a submission did, as the user's client saw it.
type DialogResult struct {
	// Status is the status the client's /actions/dialogs/submit got (200, or the AppError's).
	Status int
	// Closed is true when the dialog closed (an empty or {} answer).
	Closed bool
	Errors map[string]string
	Error  string
}

// newTrigger issues a trigger id for userID (a slash command or a click). Callers hold s.mu.
func (s *Server) newTrigger(userID string) string {
	id := newID()
	if s.triggers == nil {
		s.triggers = map[string]*trigger{}
	}
	s.triggers[id] = &trigger{userID: userID, issued: s.opts.Now()}
	return id
}

// openDialog is POST /api/v4/actions/dialogs/open.
func (s *Server) openDialog(w http.ResponseWriter, r *http.Request) {
	var req struct {
		TriggerID string `json:"trigger_id"`
		URL       string `json:"url"`
		Dialog    struct {
			CallbackID       string          `json:"callback_id"`
			Title            string          `json:"title"`
			IntroductionText string          `json:"introduction_text"`
			Elements         []DialogElement `json:"elements"`
			SubmitLabel      string          `json:"submit_label"`
			NotifyOnCancel   bool            `json:"notify_on_cancel"`
			State            string          `json:"state"`
		} `json:"dialog"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
		appError(w, http.StatusBadRequest, "api.context.invalid_body_param.app_error", "Invalid or missing dialog in request body.")
		return
	}
	if req.URL == "" {
		appError(w, http.StatusBadRequest, "api.context.invalid_body_param.app_error", "Invalid or missing url in request body.")
		return
	}
	d := req.Dialog
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.triggers[req.TriggerID]
	switch {
	case t == nil:
		appError(w, http.StatusBadRequest, "interactive_message.decode_trigger_id.verify_signature_failed", "Signature verification failed for trigger ID for interactive dialog.")
		return
	case !s.opts.Now().Before(t.issued.Add(s.triggerLifetime())):
		appError(w, http.StatusBadRequest, "interactive_message.decode_trigger_id.expired",
			"Trigger ID for interactive dialog is expired. Trigger IDs live for a maximum of "+s.triggerLifetime().String()+".")
		return
	}
	// Mattermost keeps no record of trigger ids (a signed user id and time): the same one opens the dialog
	// again while it lives. An invalid dialog is only logged ("Interactive dialog is invalid") and still sent
	// to the client, which leaves out the elements it cannot show.
	if problems := dialogProblems(d.Title, d.Elements, s.versionAtLeastLocked(11, 1)); len(problems) > 0 {
		s.dialogWarnings = append(s.dialogWarnings, problems...)
	}
	shown := make([]DialogElement, 0, len(d.Elements))
	for _, e := range d.Elements {
		if clientShows(e.Type, s.versionAtLeastLocked(11, 1)) {
			shown = append(shown, e)
		}
	}
	d.Elements = shown
	values := map[string]string{}
	for _, e := range d.Elements {
		if e.Default != "" {
			values[e.Name] = e.Default
		}
	}
	if s.dialogs == nil {
		s.dialogs = map[string]*Dialog{}
	}
	ch := s.dialogChannel[t.userID]
	s.dialogs[t.userID] = &Dialog{URL: req.URL, TriggerID: req.TriggerID, CallbackID: d.CallbackID, Title: d.Title,
		IntroductionText: d.IntroductionText, SubmitLabel: d.SubmitLabel, NotifyOnCancel: d.NotifyOnCancel, State: d.State,
		Elements: d.Elements, ChannelID: ch[0], TeamID: ch[1], Values: values}
	writeJSON(w, http.StatusOK, map[string]string{"status": "OK"})
}

// versionAtLeastLocked compares the simulated server's Version (client config) with major.minor. Callers hold
// s.mu.
func (s *Server) versionAtLeastLocked(major, minor int) bool {
	v := s.config["Version"]
	var ma, mi int
	if _, err := fmt.Sscanf(v, "%d.%d", &ma, &mi); err != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
}

// OpenDialog returns the dialog open in userID's client, if any.
func (s *Server) OpenDialog(userID string) (Dialog, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.dialogs[userID]
	if d == nil {
		return Dialog{}, false
	}
	return copyJSON(*d), true
}

// SubmitDialog is userID filling in the open dialog (values replace what was typed before, field by field)
// and pressing the submit button, or cancelling it. The submission is POSTed to the dialog's url as
// Mattermost does; errors in the answer keep the dialog open.
func (s *Server) SubmitDialog(ctx context.Context, userID string, values map[string]string, cancelled bool) (*DialogResult, error) {
	s.mu.Lock()
	d := s.dialogs[userID]
	if d == nil {
		s.mu.Unlock()
		return nil, errors.New("mmsim: no dialog open")
	}
	for k, v := range values {
		d.Values[k] = v
	}
	submission := map[string]any{}
	for _, e := range d.Elements {
		v, ok := d.Values[e.Name]
		if !ok || v == "" && e.Type != "bool" {
			continue // Mattermost leaves out fields left empty
		}
		if e.Type == "bool" {
			submission[e.Name] = v == "true"
			continue
		}
		submission[e.Name] = v
	}
	if cancelled {
		delete(s.dialogs, userID)
		// The client sends only url, callback_id, state and cancelled: the server's SubmitDialogRequest then
		// marshals "submission":null.
		submission = nil
		if !d.NotifyOnCancel {
			s.mu.Unlock()
			return &DialogResult{Status: http.StatusOK, Closed: true}, nil
		}
	}
	// The web client fills channel_id and team_id with the channel and team it shows when the user submits
	// (mattermost-redux submitInteractiveDialog: getCurrentChannelId, getCurrentTeamId), not where the dialog
	// was opened: a command run in the thread of another channel (the right-hand side) is submitted with
	// the channel in view.
	view := s.dialogChannel[userID]
	body, _ := json.Marshal(map[string]any{"type": "dialog_submission", "callback_id": d.CallbackID, "state": d.State,
		"user_id": userID, "channel_id": view[0], "team_id": view[1], "submission": submission, "cancelled": cancelled})
	url := d.URL
	s.mu.Unlock()
	return s.postDialog(ctx, userID, url, body, cancelled)
}

// SubmitDialogRaw POSTs body to url as Mattermost's server would for userID's submission: tests use it to
// send what a modified client could (Mattermost takes url, state and callback_id from the client).
func (s *Server) SubmitDialogRaw(ctx context.Context, userID, url string, body []byte) (*DialogResult, error) {
	return s.postDialog(ctx, userID, url, body, false)
}

func (s *Server) postDialog(ctx context.Context, userID, url string, body []byte, cancelled bool) (*DialogResult, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.CommandTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	// app/integration_action.go (DoActionRequest, SubmitInteractiveDialog): an integration that cannot be
	// reached or answers other than 200 is a 400 "Action integration error."; an empty body closes the dialog;
	// a body that is not JSON (whitespace included) is a 500.
	resp, err := s.opts.HTTPClient.Do(req)
	if err != nil {
		return &DialogResult{Status: http.StatusBadRequest, Error: "Action integration error."}, nil
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxIntegrationResponse))
	if resp.StatusCode != http.StatusOK {
		return &DialogResult{Status: http.StatusBadRequest, Error: "Action integration error."}, nil
	}
	var out struct {
		Errors map[string]string `json:"errors"`
		Error  string            `json:"error"`
	}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			return &DialogResult{Status: http.StatusInternalServerError, Error: "Encountered an error decoding the JSON response of the interactive dialog."}, nil
		}
	}
	res := &DialogResult{Status: http.StatusOK, Errors: out.Errors, Error: out.Error}
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := s.dialogs[userID]; d != nil && !cancelled {
		d.Errors, d.Error = out.Errors, out.Error
		if len(out.Errors) == 0 && strings.TrimSpace(out.Error) == "" {
			delete(s.dialogs, userID)
			res.Closed = true
		}
	}
	return res, nil
}

// simDialog serves the chat page's dialog (Mattermost pushes it over the WebSocket as open_dialog): GET shows
// the caller's open dialog (204 when none), POST submits it ({"submission":{…},"cancelled":false}).
func (s *Server) simDialog(w http.ResponseWriter, r *http.Request) {
	me := userOf(r).ID
	if r.Method == http.MethodGet {
		d, ok := s.OpenDialog(me)
		if !ok {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeJSON(w, http.StatusOK, d)
		return
	}
	var body struct {
		Submission map[string]string `json:"submission"`
		Cancelled  bool              `json:"cancelled"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil {
		appError(w, http.StatusBadRequest, "api.context.invalid_body_param.app_error", "Invalid or missing submission in request body.")
		return
	}
	res, err := s.SubmitDialog(r.Context(), me, body.Submission, body.Cancelled)
	if err != nil {
		appError(w, http.StatusNotFound, "api.dialog.not_open", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, res)
}
