package mattermost

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
)

// defaultButtonTTL is how long a button works when its action sets no expiry.
const defaultButtonTTL = time.Hour

// Context keys of a signed integration context. Mattermost never shows the context to clients (it strips it
// from posts and encrypts it for ephemeral posts), but it is still treated as hostile input when it comes back.
const (
	ctxAction    = "action"
	ctxUser      = "user_id"
	ctxChannel   = "channel_id"
	ctxExpires   = "expires"
	ctxNonce     = "nonce"
	ctxEphemeral = "eph" // "1" on the buttons of an ephemeral post; absent on stored posts (and older contexts)
	ctxArgs      = "args"
	ctxSig       = "sig"
)

// ErrBadContext is a button context that is forged, altered, expired, or used by the wrong user or channel.
var ErrBadContext = errors.New("mattermost: invalid button context")

// Signer signs the contexts of the buttons mmzoom posts and verifies them when a click comes back, so a
// click is trusted only for the user, channel and action it was made for, and only until it expires.
type Signer struct {
	key       []byte
	actionURL string
	now       func() time.Time
}

// NewSigner returns a Signer keyed with key; clicks go to actionURL (mmzoom's /mattermost/action).
func NewSigner(key []byte, actionURL string, now func() time.Time) *Signer {
	if now == nil {
		now = time.Now
	}
	return &Signer{key: append([]byte(nil), key...), actionURL: actionURL, now: now}
}

// question is what the buttons of one post share. A post asks one question: its single-use buttons carry one
// nonce, so the first answer spends them all (a second button, or a stale copy on another device, then gets
// "already answered"). ephemeral records that the post is an ephemeral reply, which Mattermost cannot update.
type question struct {
	nonce     string
	expires   time.Time
	ephemeral bool
}

func (s *Signer) newQuestion(ephemeral bool) question {
	return question{nonce: randomNonce(), expires: s.now().Add(defaultButtonTTL), ephemeral: ephemeral}
}

// Context returns the signed integration context for a lone button of a stored post. It is bound to
// a.ChannelID, or to channelID (the channel the button is posted in) when the action names none.
func (s *Signer) Context(a meeting.Action, channelID string) map[string]any {
	return s.context(a, channelID, s.newQuestion(false))
}

func (s *Signer) context(a meeting.Action, channelID string, q question) map[string]any {
	if a.ChannelID == "" {
		a.ChannelID = channelID
	}
	if a.Expires.IsZero() {
		a.Expires = q.expires
	}
	args := map[string]any{}
	for k, v := range a.Args {
		args[k] = v
	}
	ctx := map[string]any{
		ctxAction: a.Name, ctxUser: a.UserID, ctxChannel: a.ChannelID,
		ctxExpires: strconv.FormatInt(a.Expires.Unix(), 10), ctxArgs: args,
	}
	if a.Once {
		ctx[ctxNonce] = q.nonce
	}
	if q.ephemeral {
		ctx[ctxEphemeral] = "1"
	}
	ctx[ctxSig] = s.sign(ctx)
	return ctx
}

// sign is the HMAC of a canonical encoding of every context field but the signature. The ephemeral mark is
// encoded only when present, so contexts signed before it existed still verify, while adding or removing it
// breaks the signature like any other change.
func (s *Signer) sign(ctx map[string]any) string {
	m := hmac.New(sha256.New, s.key)
	enc := json.NewEncoder(m)
	for _, k := range []string{ctxAction, ctxUser, ctxChannel, ctxExpires, ctxNonce} {
		v, _ := ctx[k].(string)
		_ = enc.Encode([2]string{k, v})
	}
	if e, ok := ctx[ctxEphemeral]; ok {
		v, _ := e.(string)
		_ = enc.Encode([2]string{ctxEphemeral, v})
	}
	args, _ := ctx[ctxArgs].(map[string]any)
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, _ := args[k].(string)
		_ = enc.Encode([2]string{"arg:" + k, v})
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Verify checks a context that came back with a click by userID in channelID. The action it returns carries
// the question's nonce for a single-use button (the service spends it) and whether the button sits on an
// ephemeral post.
func (s *Signer) Verify(ctx map[string]any, userID, channelID string) (meeting.Action, error) {
	str := func(k string) (string, bool) {
		v, ok := ctx[k].(string)
		return v, ok
	}
	sig, ok1 := str(ctxSig)
	name, ok2 := str(ctxAction)
	user, ok3 := str(ctxUser)
	channel, ok4 := str(ctxChannel)
	exp, ok5 := str(ctxExpires)
	if !(ok1 && ok2 && ok3 && ok4 && ok5) {
		return meeting.Action{}, ErrBadContext
	}
	if n, ok := ctx[ctxNonce]; ok {
		if _, isString := n.(string); !isString {
			return meeting.Action{}, ErrBadContext
		}
	}
	_, eph := ctx[ctxEphemeral]
	if eph && ctx[ctxEphemeral] != "1" {
		return meeting.Action{}, ErrBadContext
	}
	rawArgs, _ := ctx[ctxArgs].(map[string]any)
	args := make(map[string]string, len(rawArgs))
	for k, v := range rawArgs {
		sv, ok := v.(string)
		if !ok {
			return meeting.Action{}, ErrBadContext
		}
		args[k] = sv
	}
	if !hmac.Equal([]byte(sig), []byte(s.sign(ctx))) {
		return meeting.Action{}, ErrBadContext
	}
	expUnix, err := strconv.ParseInt(exp, 10, 64)
	// An empty user is a button anyone may click (a scheduled card's host controls): the service checks who
	// may act. Only mmzoom can sign such a context.
	if err != nil || user != "" && user != userID || channel != channelID || !s.now().Before(time.Unix(expUnix, 0)) {
		return meeting.Action{}, ErrBadContext
	}
	nonce, _ := str(ctxNonce)
	return meeting.Action{Name: name, UserID: user, ChannelID: channel, Once: nonce != "", Nonce: nonce, OnEphemeral: eph,
		Args: args, Expires: time.Unix(expUnix, 0)}, nil
}

func randomNonce() string {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Attachments turns the domain attachments of a stored post into Mattermost attachments whose buttons carry
// signed contexts. The post is one question: its single-use buttons share one nonce.
func (s *Signer) Attachments(atts []meeting.Attachment, channelID string) []Attachment {
	return s.attachments(atts, channelID, s.newQuestion(false))
}

func (s *Signer) attachments(atts []meeting.Attachment, channelID string, q question) []Attachment {
	out := make([]Attachment, 0, len(atts))
	for _, a := range atts {
		ma := Attachment{Fallback: a.Fallback, Color: a.Color, Pretext: a.Pretext, Title: a.Title, TitleLink: a.TitleLink,
			Text: a.Text, Footer: a.Footer}
		for _, f := range a.Fields {
			ma.Fields = append(ma.Fields, Field{Title: f.Title, Value: f.Value, Short: f.Short})
		}
		for _, b := range a.Buttons {
			style := b.Style
			if style == "" {
				style = "default"
			}
			ma.Actions = append(ma.Actions, PostAction{ID: b.ID, Type: "button", Name: b.Name, Style: style,
				Integration: &Integration{URL: s.actionURL, Context: s.context(b.Action, channelID, q)}})
		}
		out = append(out, ma)
	}
	return out
}

// CommandResponse is the ephemeral answer to a slash command showing r. Its buttons are marked as sitting on
// an ephemeral post, so that a click on them is answered with text only (see ActionResponse).
func (s *Signer) CommandResponse(r *meeting.Reply, channelID string) *CommandResponse {
	if r == nil {
		r = &meeting.Reply{}
	}
	return &CommandResponse{ResponseType: "ephemeral", Text: r.Text, GotoLocation: r.GotoLocation,
		Attachments: s.attachments(r.Attachments, channelID, s.newQuestion(true))}
}

// ActionResponse is the answer to the verified click a showing r: r.Text is shown to the clicker only, and
// r.Update replaces the clicked post (its props are always replaced, so answered buttons disappear).
//
// A click on an ephemeral post never gets an update: Mattermost would try to update a post it never stored,
// answer the user 404 and drop the ephemeral text (observed on 5.36.1; current source does the same). Should
// the domain ask for one anyway, its message is shown as ephemeral text instead, so the user still gets it.
func (s *Signer) ActionResponse(r *meeting.Reply, a meeting.Action) *ActionResponse {
	out := &ActionResponse{EphemeralText: r.Text, GotoLocation: r.GotoLocation}
	if r.Update == nil {
		return out
	}
	if a.OnEphemeral {
		out.EphemeralText = strings.TrimSpace(r.Update.Message + "\n" + r.Text)
		return out
	}
	props := map[string]any{}
	for k, v := range r.Update.Props {
		props[k] = v
	}
	if len(r.Update.Attachments) > 0 {
		props["attachments"] = s.Attachments(r.Update.Attachments, a.ChannelID)
	}
	out.Update = &PostUpdate{Message: r.Update.Message, Props: props}
	return out
}

// CommandResponse is Mattermost's slash-command response.
type CommandResponse struct {
	ResponseType     string         `json:"response_type,omitempty"`
	Text             string         `json:"text"`
	GotoLocation     string         `json:"goto_location,omitempty"`
	Type             string         `json:"type,omitempty"`
	Props            map[string]any `json:"props,omitempty"`
	Attachments      []Attachment   `json:"attachments,omitempty"`
	SkipSlackParsing bool           `json:"skip_slack_parsing,omitempty"`
}

// ActionResponse is Mattermost's answer format for a button click.
type ActionResponse struct {
	Update           *PostUpdate `json:"update,omitempty"`
	EphemeralText    string      `json:"ephemeral_text,omitempty"`
	GotoLocation     string      `json:"goto_location,omitempty"`
	SkipSlackParsing bool        `json:"skip_slack_parsing,omitempty"`
}

// PostUpdate replaces the clicked post's message and props.
type PostUpdate struct {
	Message string         `json:"message"`
	Props   map[string]any `json:"props"`
}

// Attachment is a Slack-style message attachment.
type Attachment struct {
	Fallback  string       `json:"fallback,omitempty"`
	Color     string       `json:"color,omitempty"`
	Pretext   string       `json:"pretext,omitempty"`
	Title     string       `json:"title,omitempty"`
	TitleLink string       `json:"title_link,omitempty"`
	Text      string       `json:"text,omitempty"`
	Fields    []Field      `json:"fields,omitempty"`
	Footer    string       `json:"footer,omitempty"`
	Actions   []PostAction `json:"actions,omitempty"`
}

// Field is a short attachment field.
type Field struct {
	Title string `json:"title"`
	Value any    `json:"value"`
	Short bool   `json:"short"`
}

// PostAction is an interactive button.
type PostAction struct {
	ID          string       `json:"id"`
	Type        string       `json:"type"`
	Name        string       `json:"name"`
	Style       string       `json:"style,omitempty"`
	Integration *Integration `json:"integration,omitempty"`
}

// Integration is where a click goes and the context it carries.
type Integration struct {
	URL     string         `json:"url"`
	Context map[string]any `json:"context,omitempty"`
}
