package meeting

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeInspector answers the policy's questions about channels.
type fakeInspector struct {
	mu     sync.Mutex
	info   map[string]*ChannelInfo
	counts map[string]int
	errs   map[string]error // by channel id, for ChannelInfo and MemberCount
	admins map[string]bool  // "channel/user"
}

var _ ChannelInspector = (*fakeInspector)(nil)

func (f *fakeInspector) ChannelInfo(_ context.Context, id string, _ bool) (*ChannelInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.errs[id]; err != nil {
		return nil, err
	}
	if i, ok := f.info[id]; ok {
		cp := *i
		return &cp, nil
	}
	return nil, ErrNotFound
}

func (f *fakeInspector) MemberCount(_ context.Context, id string) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.errs[id]; err != nil {
		return 0, err
	}
	return f.counts[id], nil
}

func (f *fakeInspector) IsChannelAdmin(_ context.Context, channelID, userID string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.errs[channelID]; err != nil {
		return false, err
	}
	return f.admins[channelID+"/"+userID], nil
}

// memPolicy is a PolicyStore in memory.
type memPolicy struct {
	mu       sync.Mutex
	policy   *ChannelPolicy
	switches map[string]*ChannelSwitch
}

var _ PolicyStore = (*memPolicy)(nil)

func (m *memPolicy) ChannelPolicy(context.Context) (*ChannelPolicy, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.policy == nil {
		return &ChannelPolicy{Mode: ChannelsAll}, nil
	}
	cp := *m.policy
	return &cp, nil
}

func (m *memPolicy) SaveChannelPolicy(_ context.Context, p *ChannelPolicy) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	cp := *p
	m.policy = &cp
	return nil
}

func (m *memPolicy) ChannelSwitch(_ context.Context, id string) (*ChannelSwitch, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if sw, ok := m.switches[id]; ok {
		cp := *sw
		return &cp, nil
	}
	return nil, ErrNotFound
}

func (m *memPolicy) SaveChannelSwitch(_ context.Context, sw *ChannelSwitch) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	cp := *sw
	m.switches[sw.ChannelID] = &cp
	return nil
}

func newPolicyFixture(cfgs ...func(*Config)) (*fixture, *fakeInspector, *memPolicy) {
	f := newFixture(KindS2S, append([]func(*Config){func(c *Config) { c.Policy.BigChannel = 50 }}, cfgs...)...)
	f.chat.requireVer = true
	insp := &fakeInspector{info: map[string]*ChannelInfo{
		"town":   {ID: "town", Type: ChannelOpen, Name: "town-square"},
		"design": {ID: "design", Type: ChannelPrivate, Name: "design"},
	}, counts: map[string]int{"town": 3, "design": 2}, errs: map[string]error{}, admins: map[string]bool{}}
	pol := &memPolicy{switches: map[string]*ChannelSwitch{}}
	f.svc.Channels, f.svc.Policy = insp, pol
	return f, insp, pol
}

func TestChannelPolicyWhenTheBotCannotSeeTheChannel(t *testing.T) {
	f, insp, pol := newPolicyFixture()
	// A private channel the bot is not in: its type, moderation and member count are hidden from the bot.
	insp.errs["secret"] = &Error{Kind: KindForbidden}
	f.chat.channels["secret"] = &Channel{ID: "secret", TeamID: "team", Type: ChannelPrivate}
	_ = pol.SaveChannelPolicy(context.Background(), &ChannelPolicy{Mode: ChannelsNoPublic})
	if r := f.start(t, "alice", "secret", "x"); len(f.zoom.created) != 1 {
		t.Fatalf("no-public refused a channel the bot cannot see (it is not public): %q", r.Text)
	}
	_ = pol.SaveChannelPolicy(context.Background(), &ChannelPolicy{Mode: ChannelsListed, Channels: []string{"design"}})
	if r := f.start(t, "alice", "secret", "y"); !strings.Contains(r.Text, "policy.not_listed") || len(f.zoom.created) != 1 {
		t.Errorf("an unlisted channel: %q", r.Text)
	}
}

func TestMemberCountUnavailableStartsWithoutAsking(t *testing.T) {
	f, insp, _ := newPolicyFixture()
	insp.counts["town"] = 500
	r := f.start(t, "alice", "town", "x")
	if !strings.Contains(r.Text, "big.question Count=500") || len(f.zoom.created) != 0 {
		t.Fatalf("500 members: %q", r.Text)
	}
	// Mattermost failing to count must not stop meetings: the start goes on without the question.
	insp.info["other"] = &ChannelInfo{ID: "other", Type: ChannelOpen}
	f.chat.channels["other"] = &Channel{ID: "other", TeamID: "team", Type: ChannelOpen}
	insp.counts["other"] = 500
	f.svc.Channels = &countFails{insp}
	if r := f.start(t, "alice", "other", "y"); len(f.zoom.created) != 1 {
		t.Errorf("a failed count stopped the meeting: %q", r.Text)
	}
}

// countFails is an inspector whose member count fails as Mattermost down would.
type countFails struct{ *fakeInspector }

func (c *countFails) MemberCount(context.Context, string) (int, error) {
	return 0, &Error{Kind: KindChatUnavailable, Err: errors.New("503")}
}

func TestOptionsReachTheCreateRequestOnlyWhenAllowed(t *testing.T) {
	on, off := true, false
	f, _, _ := newPolicyFixture(func(c *Config) {
		c.Defaults = MeetingDefaults{Options: MeetingOptions{WaitingRoom: &on, Passcode: &off}, UsersMayChange: []string{OptMuteUponEntry}}
	})
	ctx := context.Background()
	r, err := f.svc.Start(ctx, StartRequest{UserID: "alice", ChannelID: "town", TeamID: "team", Options: Overrides{OptWaitingRoom: "false"}})
	if err != nil || !strings.Contains(r.Text, "options.not_allowed Flags=`--waiting-room`") || len(f.zoom.created) != 0 {
		t.Fatalf("a forbidden override: %v %q", err, r.Text)
	}
	if _, err := f.svc.Start(ctx, StartRequest{UserID: "alice", ChannelID: "town", TeamID: "team", Options: Overrides{OptMuteUponEntry: "true"}}); err != nil {
		t.Fatal(err)
	}
	got := f.zoom.created[0].Options
	if !*got.WaitingRoom || *got.Passcode || !*got.MuteUponEntry || got.HostVideo != nil {
		t.Errorf("create request options %+v", got)
	}
}

// fakeGrants is a GrantStore in memory over memStore's tokens.
type fakeGrants struct {
	store   *memStore
	clients map[Owner]string
	used    map[Owner]time.Time
}

var _ GrantStore = (*fakeGrants)(nil)

func (g *fakeGrants) Grants(ctx context.Context) ([]Grant, error) {
	var out []Grant
	for _, o := range []Owner{AccountOwner, UserOwner("alice"), UserOwner("kenji")} {
		if gr, err := g.Grant(ctx, o); err == nil {
			out = append(out, *gr)
		}
	}
	return out, nil
}

func (g *fakeGrants) Grant(ctx context.Context, o Owner) (*Grant, error) {
	t, err := g.store.Token(ctx, o)
	if err != nil {
		return nil, err
	}
	return &Grant{Owner: o, ZoomEmail: t.ZoomEmail, ClientID: g.clients[o], LastUsed: g.used[o]}, nil
}

func (g *fakeGrants) SetTokenClient(ctx context.Context, o Owner, id string) error {
	if _, err := g.store.Token(ctx, o); err == nil {
		g.clients[o] = id
	}
	return nil
}

func (g *fakeGrants) TouchToken(ctx context.Context, o Owner, at time.Time) error {
	if _, err := g.store.Token(ctx, o); err == nil {
		g.used[o] = at
	}
	return nil
}

func TestTokensFromBeforeClientIDsWereKeptCountAsTheCurrentApp(t *testing.T) {
	f := newFixture(KindUser, func(c *Config) { c.ClientID = "app2" })
	g := &fakeGrants{store: f.store, clients: map[Owner]string{}, used: map[Owner]time.Time{}}
	f.svc.Grants = g
	ctx := context.Background()
	_ = f.store.SaveToken(ctx, UserOwner("alice"), &Token{AccessToken: "a", ZoomEmail: "alice@example.com", Confirmed: true})
	f.start(t, "alice", "town", "x")
	if len(f.zoom.created) != 1 || g.clients[UserOwner("alice")] != "app2" || !g.used[UserOwner("alice")].Equal(f.now) {
		t.Fatalf("created %d, client %q, last use %v", len(f.zoom.created), g.clients[UserOwner("alice")], g.used[UserOwner("alice")])
	}
	// The same token, once issued by app1: unusable now.
	g.clients[UserOwner("alice")] = "app1"
	r := f.start(t, "alice", "design", "y")
	if !strings.Contains(r.Text, "grants.app_changed") || len(f.zoom.created) != 1 {
		t.Errorf("a token of the previous app: %q", r.Text)
	}
	if _, err := f.store.Token(ctx, UserOwner("alice")); !errors.Is(err, ErrNotFound) {
		t.Error("the previous app's token was kept")
	}
}

// manyGrants lists n grants, the i-th last used i minutes after t0.
type manyGrants struct {
	fakeGrants
	n  int
	t0 time.Time
}

func (m *manyGrants) Grants(context.Context) ([]Grant, error) {
	var out []Grant
	for i := range m.n {
		out = append(out, Grant{Owner: UserOwner(fmt.Sprintf("u%03d", i)), ZoomEmail: fmt.Sprintf("u%03d@example.com", i),
			LastUsed: m.t0.Add(time.Duration(i) * time.Minute)})
	}
	return out, nil
}

func TestAdminUsersListsTheMostRecentFirstAndCountsTheRest(t *testing.T) {
	f := newFixture(KindUser)
	f.svc.Grants = &manyGrants{n: 105, t0: f.now}
	r, err := f.svc.AdminUsers(context.Background(), "root")
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Count(r.Text, "example.com |")
	if rows != maxGrantRows || !strings.Contains(r.Text, "grants.more Count=5") {
		t.Errorf("%d rows, want %d and the rest counted: %s", rows, maxGrantRows, r.Text)
	}
	if first := strings.Index(r.Text, "u104@"); first < 0 || first > strings.Index(r.Text, "u103@") || strings.Contains(r.Text, "u004@") {
		t.Errorf("not the most recently used first, or the oldest shown")
	}
	if _, err := f.svc.AdminUsers(context.Background(), "alice"); KindOf(err) != KindNotAdmin {
		t.Errorf("a non-admin: %v", err)
	}
}
