package meeting

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Hand-written fakes of the service's collaborators, recording what the service asked of them.

var (
	_ Zoom       = (*fakeZoom)(nil)
	_ Chat       = (*fakeChat)(nil)
	_ Store      = (*memStore)(nil)
	_ Authorizer = (*fakeAuth)(nil)
	_ Translator = keyText{}
)

// keyText "translates" to the key followed by its arguments, so tests can assert which message was chosen.
type keyText struct{}

func (keyText) T(locale, key string, args ...any) string {
	var b strings.Builder
	b.WriteString(locale + ":" + key)
	for i := 0; i+1 < len(args); i += 2 {
		fmt.Fprintf(&b, " %v=%v", args[i], args[i+1])
	}
	return b.String()
}

type fakeZoom struct {
	mu       sync.Mutex
	users    map[string]*ZoomUser // by "me" or e-mail
	err      error                // returned by CreateMeeting when set
	created  []MeetingRequest
	hosts    []string
	owners   []Owner
	nextID   int64
	joinBase string
	status   map[int64]string       // meeting id → Zoom's status, for Meeting
	past     map[string]PastMeeting // uuid → ended instance, for PastMeeting
	// gate, when set, holds each CreateMeeting until a value arrives; entered hears of each one held.
	gate, entered         chan struct{}
	inFlight, maxInFlight int
}

func newFakeZoom() *fakeZoom {
	return &fakeZoom{users: map[string]*ZoomUser{}, nextID: 81234567890, joinBase: "https://zoom.example/j/",
		status: map[int64]string{}, past: map[string]PastMeeting{}}
}

func (z *fakeZoom) User(_ context.Context, owner Owner, userID string) (*ZoomUser, error) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if u, ok := z.users[userID]; ok {
		return u, nil
	}
	return nil, &Error{Kind: KindZoomUserNotFound}
}

func (z *fakeZoom) CreateMeeting(_ context.Context, owner Owner, userID string, req MeetingRequest) (*ZoomMeeting, error) {
	if z.gate != nil {
		z.mu.Lock()
		z.inFlight++
		z.maxInFlight = max(z.maxInFlight, z.inFlight)
		z.mu.Unlock()
		z.entered <- struct{}{}
		<-z.gate
		z.mu.Lock()
		z.inFlight--
		z.mu.Unlock()
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.err != nil {
		return nil, z.err
	}
	z.created = append(z.created, req)
	z.hosts = append(z.hosts, userID)
	z.owners = append(z.owners, owner)
	z.nextID++
	id := fmt.Sprint(z.nextID)
	z.status[z.nextID] = "waiting"
	return &ZoomMeeting{ID: z.nextID, UUID: "uuid-" + id + "==", HostID: "host-" + userID, Topic: req.Topic,
		JoinURL: z.joinBase + id + "?pwd=enc" + id, StartURL: "https://zoom.example/s/" + id + "?zak=HOSTSECRET",
		Password: "123456", Status: "waiting"}, nil
}

type fakeChat struct {
	mu          sync.Mutex
	users       map[string]*ChatUser
	channels    map[string]*Channel
	requireVer  bool
	posts       map[string]*Post
	order       []string
	direct      []*Post
	joined      []string
	createErr   map[string]error // by channel id, until the bot joined
	patchErr    map[string]error // by channel id, until the bot joined
	channelErr  map[string]error // by channel id, for the next Channel call only
	joinErr     map[string]error // by channel id, for the next JoinChannel call only
	patches     int
	nextPostNum int
	outside     map[string]bool // channels the bot is not a member of
}

func newFakeChat() *fakeChat {
	return &fakeChat{users: map[string]*ChatUser{}, channels: map[string]*Channel{}, posts: map[string]*Post{},
		createErr: map[string]error{}, patchErr: map[string]error{}, outside: map[string]bool{},
		channelErr: map[string]error{}, joinErr: map[string]error{}}
}

func (c *fakeChat) BotIsMember(_ context.Context, id string) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.outside[id], nil
}

func (c *fakeChat) User(_ context.Context, id string) (*ChatUser, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if u, ok := c.users[id]; ok {
		return u, nil
	}
	return nil, &Error{Kind: KindNotFound}
}

func (c *fakeChat) UserByEmail(_ context.Context, email string) (*ChatUser, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, u := range c.users {
		if email != "" && strings.EqualFold(u.Email, email) {
			return u, nil
		}
	}
	return nil, &Error{Kind: KindNotFound}
}

func (c *fakeChat) Channel(_ context.Context, id string) (*Channel, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.channelErr[id]; err != nil {
		delete(c.channelErr, id)
		return nil, err
	}
	if ch, ok := c.channels[id]; ok {
		return ch, nil
	}
	return nil, &Error{Kind: KindNotFound}
}

func (c *fakeChat) RequireEmailVerification(context.Context) (bool, error) { return c.requireVer, nil }

func (c *fakeChat) JoinChannel(_ context.Context, id string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.joinErr[id]; err != nil {
		delete(c.joinErr, id)
		return err
	}
	c.joined = append(c.joined, id)
	delete(c.createErr, id)
	delete(c.patchErr, id)
	return nil
}

func (c *fakeChat) CreatePost(_ context.Context, p *Post) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.createErr[p.ChannelID]; err != nil {
		return "", err
	}
	c.nextPostNum++
	id := fmt.Sprintf("post%d", c.nextPostNum)
	cp := *p
	c.posts[id] = &cp
	c.order = append(c.order, id)
	return id, nil
}

func (c *fakeChat) PatchPost(_ context.Context, id string, p *Post) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	old, ok := c.posts[id]
	if !ok {
		return &Error{Kind: KindNotFound}
	}
	if err := c.patchErr[old.ChannelID]; err != nil {
		return err
	}
	c.patches++
	cp := *p
	cp.ChannelID, cp.RootID = old.ChannelID, old.RootID
	c.posts[id] = &cp
	return nil
}

func (c *fakeChat) SendDirect(_ context.Context, userID string, p *Post) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cp := *p
	cp.ChannelID = "dm-" + userID
	c.direct = append(c.direct, &cp)
	return fmt.Sprintf("dm%d", len(c.direct)), nil
}

// postsIn returns the posts of a channel in creation order.
func (c *fakeChat) postsIn(channelID string) []*Post {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*Post
	for _, id := range c.order {
		if c.posts[id].ChannelID == channelID {
			out = append(out, c.posts[id])
		}
	}
	return out
}

type fakeAuth struct {
	tok      *Token
	revoked  []*Token
	verifier string
}

func (a *fakeAuth) AuthCodeURL(state, verifier string) string {
	a.verifier = verifier
	return "https://zoom.example/oauth/authorize?state=" + state
}

func (a *fakeAuth) Exchange(_ context.Context, code, verifier string) (*Token, error) {
	if code != "good-code" || verifier != a.verifier {
		return nil, &Error{Kind: KindNotConnected}
	}
	t := *a.tok
	return &t, nil
}

func (a *fakeAuth) Revoke(_ context.Context, t *Token) error {
	a.revoked = append(a.revoked, t)
	return nil
}

// memStore is an in-memory Store.
type memStore struct {
	mu       sync.Mutex
	tokens   map[Owner]Token
	connects map[string]ConnectState
	cards    map[int64]Card
	settings map[string]UserSettings
	bound    map[string]string
	nonces   map[string]time.Time // nonce → expiry
	nextCard int64
	present  map[int64]map[string]Presence
}

func newMemStore() *memStore {
	return &memStore{tokens: map[Owner]Token{}, connects: map[string]ConnectState{}, cards: map[int64]Card{},
		settings: map[string]UserSettings{}, bound: map[string]string{}, nonces: map[string]time.Time{}}
}

func (m *memStore) Token(_ context.Context, o Owner) (*Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tokens[o]
	if !ok {
		return nil, &Error{Kind: KindNotFound}
	}
	return &t, nil
}

func (m *memStore) SaveToken(_ context.Context, o Owner, t *Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tokens[o] = *t
	return nil
}

func (m *memStore) DeleteToken(_ context.Context, o Owner) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.tokens, o)
	return nil
}

func (m *memStore) SaveConnect(_ context.Context, c *ConnectState) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.connects[c.ID] = *c
	return nil
}

func (m *memStore) Connect(_ context.Context, id string) (*ConnectState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.connects[id]
	if !ok {
		return nil, &Error{Kind: KindNotFound}
	}
	return &c, nil
}

func (m *memStore) TakeConnect(_ context.Context, id string) (*ConnectState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.connects[id]
	if !ok {
		return nil, &Error{Kind: KindNotFound}
	}
	delete(m.connects, id)
	return &c, nil
}

func (m *memStore) CreateCard(_ context.Context, c *Card) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.nextCard++
	c.ID = m.nextCard
	m.cards[c.ID] = *c
	return nil
}

func (m *memStore) UpdateCard(_ context.Context, c *Card) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.cards[c.ID]; !ok {
		return &Error{Kind: KindNotFound}
	}
	m.cards[c.ID] = *c
	return nil
}

func (m *memStore) Card(_ context.Context, id int64) (*Card, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.cards[id]
	if !ok {
		return nil, &Error{Kind: KindNotFound}
	}
	return &c, nil
}

func (m *memStore) selectCards(keep func(*Card) bool) []*Card {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*Card
	for _, c := range m.cards {
		if keep(&c) {
			cp := c
			out = append(out, &cp)
		}
	}
	// Newest first, as the stores list them (created_at, then id).
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.After(out[j].CreatedAt)
		}
		return out[i].ID > out[j].ID
	})
	return out
}

func (m *memStore) OpenCards(_ context.Context, channelID string, since time.Time) ([]*Card, error) {
	return m.selectCards(func(c *Card) bool {
		return c.ChannelID == channelID && c.Status != StatusEnded && !c.CreatedAt.Before(since)
	}), nil
}

func (m *memStore) CardsByMeeting(ctx context.Context, id int64) ([]*Card, error) {
	return m.CardsByMeetings(ctx, []int64{id})
}

func (m *memStore) CardsByMeetings(_ context.Context, ids []int64) ([]*Card, error) {
	return m.selectCards(func(c *Card) bool { return slices.Contains(ids, c.MeetingID) }), nil
}

func (m *memStore) Settings(_ context.Context, userID string) (*UserSettings, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.settings[userID]
	s.UserID = userID
	return &s, nil
}

func (m *memStore) SaveSettings(_ context.Context, s *UserSettings) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.settings[s.UserID] = *s
	return nil
}

func (m *memStore) BindCommandToken(_ context.Context, tokenID, teamID string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t, ok := m.bound[tokenID]; ok {
		return t, nil
	}
	m.bound[tokenID] = teamID
	return teamID, nil
}

func (m *memStore) UseNonce(_ context.Context, nonce string, expires time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, used := m.nonces[nonce]; used {
		return &Error{Kind: KindActionInvalid}
	}
	m.nonces[nonce] = expires
	return nil
}

// Prune forgets connect states that expired a day ago and nonces an hour past their expiry, as the stores do.
func (m *memStore) Prune(_ context.Context, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, c := range m.connects {
		if c.Expires.Before(now.Add(-24 * time.Hour)) {
			delete(m.connects, id)
		}
	}
	for n, exp := range m.nonces {
		if exp.Before(now.Add(-time.Hour)) {
			delete(m.nonces, n)
		}
	}
	return nil
}

func (m *memStore) MarkAnnounced(_ context.Context, id int64, s Status) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.cards[id]
	if !ok {
		return &Error{Kind: KindNotFound}
	}
	c.Announced = s
	m.cards[id] = c
	return nil
}

func (m *memStore) SetParticipants(_ context.Context, ps []Presence) (map[int64]Headcount, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.present == nil {
		m.present = map[int64]map[string]Presence{}
	}
	out := map[int64]Headcount{}
	for _, p := range LatestPresence(ps) {
		set := m.present[p.CardID]
		if set == nil {
			set = map[string]Presence{}
			m.present[p.CardID] = set
		}
		hc := out[p.CardID]
		if old, seen := set[p.Key]; !seen || p.Supersedes(old) {
			hc.Changed = hc.Changed || old.Present != p.Present
			set[p.Key] = p
		}
		out[p.CardID] = hc
	}
	for id, hc := range out {
		for _, p := range m.present[id] {
			if p.Present {
				hc.In++
			}
		}
		out[id] = hc
	}
	return out, nil
}

func (m *memStore) TokenOwners(_ context.Context, zoomUserID string) ([]Owner, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Owner
	for o, t := range m.tokens {
		if t.ZoomUserID == zoomUserID {
			out = append(out, o)
		}
	}
	return out, nil
}

func (z *fakeZoom) Meeting(_ context.Context, _ Owner, id int64) (*ZoomMeeting, error) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if st, ok := z.status[id]; ok {
		return &ZoomMeeting{ID: id, Status: st}, nil
	}
	return nil, &Error{Kind: KindNotFound}
}

func (z *fakeZoom) PastMeeting(_ context.Context, _ Owner, uuid string) (*PastMeeting, error) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if p, ok := z.past[uuid]; ok {
		return &p, nil
	}
	return nil, &Error{Kind: KindNotFound}
}

func (m *memStore) StaleCards(_ context.Context, before time.Time, limit int) ([]*Card, error) {
	out := m.selectCards(func(c *Card) bool { return c.Status != StatusEnded && c.UpdatedAt.Before(before) })
	// Oldest news first, as the stores list them.
	sort.Slice(out, func(i, j int) bool {
		if !out[i].UpdatedAt.Equal(out[j].UpdatedAt) {
			return out[i].UpdatedAt.Before(out[j].UpdatedAt)
		}
		return out[i].ID < out[j].ID
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
