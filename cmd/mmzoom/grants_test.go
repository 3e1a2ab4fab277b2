package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/sim/mmsim"
)

// Grant management, end to end: system admins see who connected Zoom and when they last used it, revoke one
// user or everyone (revoked at Zoom, tokens deleted, each user told by DM in their language), from Mattermost
// or the command line; and tokens issued to a previous Zoom app are recognised and their users asked to
// connect again.

// restart stops mmzoom and starts it again on the same database with the configuration edited, as an admin
// who changed a setting and restarted the service would.
func (w *world) restart(edit func(*config)) {
	w.t.Helper()
	w.bg.Wait()
	cfg := *w.Config
	edit(&cfg)
	err := w.restartApp(&cfg, options{now: w.clock.Now,
		httpClient: &http.Client{Transport: w.wire, Timeout: 30 * time.Second},
		goFunc: func(f func()) {
			w.bg.Add(1)
			go func() { defer w.bg.Done(); f() }()
		}})
	if err != nil {
		w.t.Fatalf("restarting mmzoom: %v", err)
	}
}

// hasToken reports whether mmzoom holds a Zoom token for owner.
func (w *world) hasToken(owner meeting.Owner) bool {
	w.t.Helper()
	_, err := w.app.store.Token(context.Background(), owner)
	if err != nil && !errors.Is(err, meeting.ErrNotFound) {
		w.t.Fatal(err)
	}
	return err == nil
}

// dmText is everything the bot said to user in their direct channel.
func (w *world) dmText(user mmsim.User) string { return postedText(w.Mattermost.Posts(w.dm(user).ID)) }

func TestAdminSeesConnectedUsersAndRevokesOne(t *testing.T) {
	w := newWorld(t, meeting.KindUser)
	w.connectUser(w.Alice, w.Alice.Email)
	w.connectUser(w.Kenji, w.Kenji.Email)
	w.clock.Advance(2 * time.Hour)
	used := w.clock.Now()
	kenji := w.signIn(w.Kenji)
	kenji.command(w.Town, "/zoom start")
	w.onlyCard(w.Town)

	// Not for everyone.
	maria := w.signIn(w.Maria)
	maria.command(w.GM, "/zoom admin users")
	maria.shows(w.GM, "Only a Mattermost system admin")
	maria.command(w.GM, "/zoom admin revoke @kenji")
	maria.shows(w.GM, "Only a Mattermost system admin")
	if !w.hasToken(meeting.UserOwner(w.Kenji.ID)) || w.Zoom.Stats().Revocations != 0 {
		t.Fatal("a non-admin revoked a connection")
	}

	w.Mattermost.SetRoles(w.Alice.ID, "system_user system_admin")
	alice := w.signIn(w.Alice)
	alice.command(w.Town, "/zoom admin users")
	got := strings.ReplaceAll(alice.shows(w.Town, "Connected Zoom accounts: 2", "@alice", "@kenji", used.UTC().Format("2006-01-02 15:04 UTC"), "never"), "\u200b", "")
	if !strings.Contains(got, w.Kenji.Email) {
		t.Errorf("the list lacks kenji's Zoom e-mail: %q", got)
	}
	for _, secret := range w.wire.Secrets() {
		if strings.Contains(got, secret) {
			t.Fatal("the list shows a token")
		}
	}

	alice.command(w.Town, "/zoom admin revoke @kenji")
	alice.shows(w.Town, "revoked: 1")
	if w.hasToken(meeting.UserOwner(w.Kenji.ID)) || !w.hasToken(meeting.UserOwner(w.Alice.ID)) {
		t.Error("revoking kenji did not delete exactly his token")
	}
	if n := w.Zoom.Stats().Revocations; n != 1 {
		t.Errorf("%d revocations at Zoom, want 1", n)
	}
	if dm := w.dmText(w.Kenji); !strings.Contains(dm, "取り消しました") {
		t.Errorf("kenji was not told in Japanese: %s", dm)
	}
	kenji.command(w.Private, "/zoom start")
	connectLink(t, kenji.lastShown(w.Private).Message)
}

func TestRevokeAllRevokesAtZoomAndDeletesEveryToken(t *testing.T) {
	w := newWorld(t, meeting.KindUser)
	w.connectUser(w.Alice, w.Alice.Email)
	w.connectUser(w.Kenji, w.Kenji.Email)
	kenji := w.signIn(w.Kenji)
	kenji.command(w.Town, "/zoom admin revoke-all")
	kenji.shows(w.Town, "システム管理者")

	w.Mattermost.SetRoles(w.Alice.ID, "system_user system_admin")
	alice := w.signIn(w.Alice)
	alice.command(w.Town, "/zoom admin revoke-all")
	q := alice.question(w.Town, "cancelrevoke")
	if !strings.Contains(q.Message, "(**2**)") {
		t.Errorf("the question %q does not say how many", q.Message)
	}
	if got := alice.clickOK(w.Town, q, "cancelrevoke"); !strings.Contains(got, "Nothing was revoked") {
		t.Errorf("cancel showed %q", got)
	}
	if got := alice.clickOK(w.Town, q, "revokeall"); !strings.Contains(got, "already answered") {
		t.Errorf("a second answer showed %q", got)
	}
	// An admin who lost the role before answering cannot confirm.
	alice.command(w.Town, "/zoom admin revoke-all")
	q = alice.question(w.Town, "revokeall")
	w.Mattermost.SetRoles(w.Alice.ID, "system_user")
	if got := alice.clickOK(w.Town, q, "revokeall"); !strings.Contains(got, "Only a Mattermost system admin") {
		t.Errorf("a former admin's confirmation showed %q", got)
	}
	if w.Zoom.Stats().Revocations != 0 || !w.hasToken(meeting.UserOwner(w.Kenji.ID)) {
		t.Fatal("connections were revoked without a confirmed admin")
	}

	w.Mattermost.SetRoles(w.Alice.ID, "system_user system_admin")
	alice.command(w.Town, "/zoom admin revoke-all")
	if got := alice.clickOK(w.Town, alice.question(w.Town, "revokeall"), "revokeall"); !strings.Contains(got, "revoked: 2") {
		t.Errorf("revoke-all showed %q", got)
	}
	if n := w.Zoom.Stats().Revocations; n != 2 {
		t.Errorf("%d revocations at Zoom, want 2", n)
	}
	if gs, err := w.app.store.Grants(context.Background()); err != nil || len(gs) != 0 {
		t.Errorf("tokens left after revoke-all: %v %v", gs, err)
	}
	if !strings.Contains(w.dmText(w.Alice), "disconnected your Zoom account") || !strings.Contains(w.dmText(w.Kenji), "取り消しました") {
		t.Error("a revoked user was not told by direct message in their language")
	}
}

func TestRevokeFromTheCommandLine(t *testing.T) {
	w := newWorld(t, meeting.KindUser)
	w.connectUser(w.Alice, w.Alice.Email)
	w.connectUser(w.Kenji, w.Kenji.Email)
	env := map[string]string{}
	for _, kv := range w.Config.environ("") {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	cli := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, func(k string) string { return env[k] }, &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}
	if code, stdout, _ := cli("revoke", "--help"); code != 0 || !strings.Contains(stdout, "usage: mmzoom revoke") || !strings.Contains(stdout, "-yes") {
		t.Errorf("revoke --help: %d %s", code, stdout)
	}
	if code, _, stderr := cli("revoke"); code != 2 || !strings.Contains(stderr, "--user NAME") {
		t.Errorf("revoke without a flag: %d %s", code, stderr)
	}
	if code, _, stderr := cli("revoke", "--user", "@maria"); code != 2 || !strings.Contains(stderr, "no stored Zoom connection for maria") {
		t.Errorf("revoke of a user without a connection: %d %s", code, stderr)
	}
	if code, stdout, stderr := cli("revoke", "--user", "@kenji"); code != 0 || !strings.Contains(stdout, "revoked: 1") {
		t.Fatalf("revoke --user kenji: %d %s %s", code, stdout, stderr)
	}
	if w.hasToken(meeting.UserOwner(w.Kenji.ID)) || w.Zoom.Stats().Revocations != 1 || !strings.Contains(w.dmText(w.Kenji), "取り消しました") {
		t.Error("kenji's connection was not revoked at Zoom, deleted and announced")
	}
	if code, _, stderr := cli("revoke", "--all"); code != 2 || !strings.Contains(stderr, "every stored Zoom connection (1)") || !w.hasToken(meeting.UserOwner(w.Alice.ID)) {
		t.Errorf("revoke --all without --yes: %d %s", code, stderr)
	}
	if code, stdout, _ := cli("revoke", "--all", "--yes"); code != 0 || !strings.Contains(stdout, "revoked: 1") || w.hasToken(meeting.UserOwner(w.Alice.ID)) {
		t.Errorf("revoke --all --yes: %d %s", code, stdout)
	}
}

func TestZoomClientIDChangeAsksUsersToReconnect(t *testing.T) {
	t.Run("user kind", func(t *testing.T) {
		w := newWorld(t, meeting.KindUser)
		w.connectUser(w.Alice, w.Alice.Email)
		w.connectUser(w.Kenji, w.Kenji.Email)
		w.restart(func(c *config) { c.ClientID = "anotherClientID" })

		w.Mattermost.SetRoles(w.Alice.ID, "system_user system_admin")
		alice := w.signIn(w.Alice)
		alice.command(w.Town, "/zoom admin users")
		if got := alice.lastShown(w.Town).Message; strings.Count(got, "previous app") != 2 {
			t.Errorf("the list does not mark both connections as from the previous app: %q", got)
		}

		calls := w.Zoom.Stats().APICalls
		kenji := w.signIn(w.Kenji)
		kenji.command(w.Town, "/zoom start")
		got := kenji.shows(w.Town, "別の Zoom アプリ")
		connectLink(t, got)
		if w.Zoom.Stats().APICalls != calls || len(w.cards(w.Town)) != 0 {
			t.Error("the token of the previous app was used")
		}
		if w.hasToken(meeting.UserOwner(w.Kenji.ID)) {
			t.Error("the unusable token was kept")
		}
		// Revoking a previous app's connection deletes it, and says Zoom could not be asked (only that app can).
		alice.command(w.Town, "/zoom admin revoke-all")
		got = alice.clickOK(w.Town, alice.question(w.Town, "revokeall"), "revokeall")
		if !strings.Contains(got, "revoked: 1") || !strings.Contains(got, "not confirmed revoked by Zoom: 1") {
			t.Errorf("revoke-all of a previous app's connection showed %q", got)
		}
		if w.Zoom.Stats().Revocations != 0 || w.hasToken(meeting.UserOwner(w.Alice.ID)) {
			t.Error("a previous app's token was sent to Zoom with the new app's credentials, or kept")
		}
	})
	t.Run("account kind", func(t *testing.T) {
		w := newWorld(t, meeting.KindAccount)
		w.connectAccount()
		w.restart(func(c *config) { c.ClientID = "anotherClientID" })
		kenji := w.signIn(w.Kenji)
		kenji.command(w.Town, "/zoom start")
		kenji.shows(w.Town, "別の Zoom アプリ", "/zoom connect")
		if len(w.Zoom.Meetings()) != 0 || w.hasToken(meeting.AccountOwner) {
			t.Error("the account token of the previous app was used or kept")
		}
	})
}
