package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/sim/mmsim"
)

// The end-to-end tests run mmzoom exactly as `mmzoom demo` does — the Zoom and Mattermost simulators on
// loopback and mmzoom on a SQLite file — and drive it only through HTTP: Mattermost's simulator calls the
// slash command and the buttons as Mattermost does, and a browser with a cookie jar follows OAuth links.

// testClock is a clock shared by mmzoom and both simulators, so tests can make time pass.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock { return &testClock{t: time.Now().UTC().Truncate(time.Second)} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// wire records what mmzoom receives from Zoom (tokens, host start URLs) by wrapping its HTTP transport, so
// tests can look for those secrets where they must not be; it can also slow Zoom down.
type wire struct {
	base http.RoundTripper

	mu        sync.Mutex
	secrets   []string
	zoomDelay time.Duration
}

func (wr *wire) RoundTrip(r *http.Request) (*http.Response, error) {
	wr.mu.Lock()
	delay := wr.zoomDelay
	wr.mu.Unlock()
	isZoom := strings.HasPrefix(r.URL.Path, "/v2/") || strings.HasPrefix(r.URL.Path, "/oauth/")
	if isZoom && delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return nil, r.Context().Err()
		}
	}
	resp, err := wr.base.RoundTrip(r)
	if err != nil || !isZoom {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var fields map[string]any
	if json.Unmarshal(body, &fields) == nil {
		wr.mu.Lock()
		for _, k := range []string{"access_token", "refresh_token", "start_url"} {
			if v, ok := fields[k].(string); ok && v != "" {
				wr.secrets = append(wr.secrets, v)
				if k == "start_url" {
					if u, err := url.Parse(v); err == nil && u.Query().Get("zak") != "" {
						wr.secrets = append(wr.secrets, u.Query().Get("zak"))
					}
				}
			}
		}
		wr.mu.Unlock()
	}
	return resp, nil
}

func (wr *wire) Secrets() []string {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	return append([]string(nil), wr.secrets...)
}

func (wr *wire) SlowZoom(d time.Duration) {
	wr.mu.Lock()
	wr.zoomDelay = d
	wr.mu.Unlock()
}

// syncBuffer is a log sink tests can read while mmzoom writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// world is a running demo world plus the test's handles on it.
type world struct {
	*demoWorld
	t     *testing.T
	clock *testClock
	wire  *wire
	logs  *syncBuffer
	bg    sync.WaitGroup
	dir   string
}

// newWorld starts the simulators and mmzoom for one test.
func newWorld(t *testing.T, kind meeting.AppKind, opts ...func(*demoSetup)) *world {
	t.Helper()
	w := &world{t: t, clock: newTestClock(), wire: &wire{base: http.DefaultTransport}, logs: &syncBuffer{}, dir: t.TempDir()}
	setup := demoSetup{
		kind: kind, dir: w.dir, now: w.clock.Now, manualQueue: true,
		logger:     slog.New(slog.NewJSONHandler(w.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		httpClient: &http.Client{Transport: w.wire, Timeout: 30 * time.Second},
		goFunc: func(f func()) {
			w.bg.Add(1)
			go func() { defer w.bg.Done(); f() }()
		},
	}
	for _, o := range opts {
		o(&setup)
	}
	dw, err := startWorld(context.Background(), setup)
	if err != nil {
		t.Fatalf("starting the world: %v", err)
	}
	w.demoWorld = dw
	t.Cleanup(func() {
		w.bg.Wait()
		dw.Close()
	})
	return w
}

// run executes a slash command as user in channel, as Mattermost does.
func (w *world) run(user mmsim.User, ch mmsim.Channel, line string) *mmsim.CommandResult {
	w.t.Helper()
	res, err := w.Mattermost.ExecuteCommand(context.Background(), user.ID, ch.ID, w.Team.ID, "", line)
	if err != nil {
		w.t.Fatalf("%s in %s: %v", line, ch.Name, err)
	}
	return res
}

// settle waits for mmzoom's background work and the Zoom simulator's webhook deliveries, then runs every
// queued job that is due.
func (w *world) settle() {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		if err := w.Zoom.WaitDeliveries(ctx); err != nil {
			w.t.Fatalf("waiting for webhook deliveries: %v", err)
		}
		w.bg.Wait()
		n, err := w.app.queue.RunOnce(ctx)
		if err != nil {
			w.t.Fatalf("running queued jobs: %v", err)
		}
		if n == 0 {
			return
		}
	}
}

// cards returns the meeting cards posted in a channel, oldest first.
func (w *world) cards(ch mmsim.Channel) []mmsim.Post {
	var out []mmsim.Post
	for _, p := range w.Mattermost.Posts(ch.ID) {
		if p.Type == meeting.PostType {
			out = append(out, p)
		}
	}
	return out
}

// onlyCard asserts that ch holds exactly one card and returns it.
func (w *world) onlyCard(ch mmsim.Channel) mmsim.Post {
	w.t.Helper()
	cards := w.cards(ch)
	if len(cards) != 1 {
		w.t.Fatalf("%s holds %d meeting cards, want 1 (posts: %+v)", ch.Name, len(cards), w.Mattermost.Posts(ch.ID))
	}
	return cards[0]
}

var connectLinkRE = regexp.MustCompile(`https?://[^\s)\]]+/oauth2/connect\?state=[A-Za-z0-9_-]+`)

// connectLink finds the connect link in a message.
func connectLink(t *testing.T, text string) string {
	t.Helper()
	link := connectLinkRE.FindString(text)
	if link == "" {
		t.Fatalf("no connect link in %q", text)
	}
	return link
}

// browser is a user's web browser: it keeps cookies and does not follow redirects by itself.
type browser struct {
	t      *testing.T
	client *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, client: &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// get fetches u and returns the status, the Location header and the body.
func (b *browser) get(u string) (int, string, string) {
	b.t.Helper()
	resp, err := b.client.Get(u)
	if err != nil {
		b.t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

// post submits a form and returns the status, the Location header and the body.
func (b *browser) post(u string, form url.Values) (int, string, string) {
	b.t.Helper()
	resp, err := b.client.PostForm(u, form)
	if err != nil {
		b.t.Fatalf("POST %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

// formState finds the hidden state of the page's form.
var formState = regexp.MustCompile(`<form method="post" action="([^"]+)"><input type="hidden" name="state" value="([^"]+)">`)

// open follows a connect link as a person does: the page naming the Mattermost account, then Continue. It
// returns the final status, the Location (Zoom's consent page) and the body of the last page.
func (b *browser) open(link string) (int, string, string) {
	b.t.Helper()
	status, loc, body := b.get(link)
	m := formState.FindStringSubmatch(body)
	if status != http.StatusOK || m == nil {
		return status, loc, body
	}
	base, _ := url.Parse(link)
	action, _ := base.Parse(html.UnescapeString(m[1]))
	return b.post(action.String(), url.Values{"state": {html.UnescapeString(m[2])}})
}

// connectAs follows a connect link in browser b and approves the consent page as the Zoom user with email;
// it returns the status and body of mmzoom's completion page.
func (w *world) connectAs(b *browser, link, email string) (int, string) {
	w.t.Helper()
	status, loc, body := b.open(link)
	if status != http.StatusSeeOther {
		return status, body
	}
	back, err := w.Zoom.Approve(loc, email)
	if err != nil {
		w.t.Fatalf("approving at Zoom: %v", err)
	}
	status, _, body = b.get(back)
	return status, body
}

// findButton returns the post (among posts) holding a button with the given id.
func findButton(posts []mmsim.Post, id string) (mmsim.Post, bool) {
	for i := len(posts) - 1; i >= 0; i-- {
		atts, _ := json.Marshal(posts[i].Props["attachments"])
		if bytes.Contains(atts, []byte(`"id":"`+id+`"`)) {
			return posts[i], true
		}
	}
	return mmsim.Post{}, false
}

// click clicks button id on the newest post (channel post or ephemeral) that has it, as user.
func (w *world) click(user mmsim.User, posts []mmsim.Post, id string) *mmsim.ActionResult {
	w.t.Helper()
	p, ok := findButton(posts, id)
	if !ok {
		w.t.Fatalf("no post with button %q among %+v", id, posts)
	}
	res, err := w.Mattermost.ClickButton(context.Background(), user.ID, p.ID, id)
	if err != nil {
		w.t.Fatalf("clicking %s: %v", id, err)
	}
	return res
}

// dm is the direct channel between the bot and user.
func (w *world) dm(user mmsim.User) mmsim.Channel {
	return w.Mattermost.DirectChannel(w.Bot.ID, user.ID)
}

// postedText is everything a channel shows: messages and attachment text and props, as JSON.
func postedText(posts []mmsim.Post) string {
	b, _ := json.Marshal(posts)
	return string(b)
}

// rendered is the text of a post that Mattermost renders as Markdown: its message and its attachments'
// pretext, title, text, fields and fallback (props are data, not rendered).
func rendered(p mmsim.Post) string {
	parts := []string{p.Message}
	atts, _ := p.Props["attachments"].([]any)
	for _, a := range atts {
		m, _ := a.(map[string]any)
		for _, k := range []string{"pretext", "title", "text", "fallback", "footer"} {
			s, _ := m[k].(string)
			parts = append(parts, s)
		}
		fields, _ := m["fields"].([]any)
		for _, f := range fields {
			fm, _ := f.(map[string]any)
			parts = append(parts, fmt.Sprint(fm["title"]), fmt.Sprint(fm["value"]))
		}
	}
	return strings.Join(parts, "\n")
}
