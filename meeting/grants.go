package meeting

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Grant is one stored Zoom token seen from the admin's side: whose it is, which Zoom app issued it, and when
// it was last used to start a meeting. It never carries the token itself.
type Grant struct {
	Owner      Owner
	ZoomUserID string
	ZoomEmail  string
	// ClientID is the Zoom app (client ID) that issued the token; "" for tokens stored before mmzoom kept it.
	ClientID string
	LastUsed time.Time // zero: never used since mmzoom started keeping it
	Updated  time.Time // when the token was last written (connected or refreshed)
}

// GrantStore lists and annotates stored Zoom tokens; packages sqlite and postgres implement it (migration
// 0008: the client_id and last_used_at columns of tokens).
type GrantStore interface {
	// Grants lists every stored token, oldest owner first.
	Grants(ctx context.Context) ([]Grant, error)
	// Grant returns one owner's (KindNotFound: no token).
	Grant(ctx context.Context, owner Owner) (*Grant, error)
	// SetTokenClient records which Zoom app issued owner's token (no-op without a token).
	SetTokenClient(ctx context.Context, owner Owner, clientID string) error
	// TouchToken records that owner's token was used at at (no-op without a token).
	TouchToken(ctx context.Context, owner Owner, at time.Time) error
}

// UserID is the Mattermost user a user-kind owner stands for ("" for the account).
func (o Owner) UserID() string {
	id, ok := strings.CutPrefix(string(o), "user:")
	if !ok {
		return ""
	}
	return id
}

// staleClient reports whether owner's token was issued by another Zoom app than the configured one. A token
// stored before mmzoom recorded client IDs is taken to be the current app's, and recorded as such.
func (s *Service) staleClient(ctx context.Context, owner Owner) (bool, error) {
	if s.Grants == nil || s.cfg.ClientID == "" {
		return false, nil
	}
	g, err := s.Grants.Grant(ctx, owner)
	switch {
	case errors.Is(err, ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	case g.ClientID == "":
		return false, s.Grants.SetTokenClient(ctx, owner, s.cfg.ClientID)
	}
	return g.ClientID != s.cfg.ClientID, nil
}

// dropStaleToken forgets a token issued by a Zoom app mmzoom no longer uses. It cannot be revoked: only the
// app that issued it may revoke it, and mmzoom no longer has that app's secret.
func (s *Service) dropStaleToken(ctx context.Context, owner Owner) error {
	s.Logger.InfoContext(ctx, "token issued by another Zoom app (client ID changed): forgotten, reconnection asked", "owner", string(owner))
	return s.Store.DeleteToken(ctx, owner)
}

// recordGrant notes the configured app as the issuer of owner's new token.
func (s *Service) recordGrant(ctx context.Context, owner Owner) {
	if s.Grants == nil || s.cfg.ClientID == "" {
		return
	}
	if err := s.Grants.SetTokenClient(ctx, owner, s.cfg.ClientID); err != nil {
		s.Logger.WarnContext(ctx, "recording the Zoom app of a token failed", "owner", string(owner), "err", err)
	}
}

// touchGrant records that owner's token just started a meeting.
func (s *Service) touchGrant(ctx context.Context, owner Owner) {
	if s.Grants == nil {
		return
	}
	if err := s.Grants.TouchToken(ctx, owner, s.Now()); err != nil {
		s.Logger.WarnContext(ctx, "recording the last use of a token failed", "owner", string(owner), "err", err)
	}
}

// FreshUserReader is a Chat that can read a user past its cache; package mattermost's Client is one. Admin
// commands check roles with it, so that a role taken away counts at once.
type FreshUserReader interface {
	FreshUser(ctx context.Context, id string) (*ChatUser, error)
}

// freshUser reads a user past any cache when the Chat can.
func (s *Service) freshUser(ctx context.Context, userID string) (*ChatUser, error) {
	if f, ok := s.Chat.(FreshUserReader); ok {
		return f.FreshUser(ctx, userID)
	}
	return s.Chat.User(ctx, userID)
}

// requireAdmin returns the user when they are a system admin (as of now, not as cached), and KindNotAdmin
// otherwise.
func (s *Service) requireAdmin(ctx context.Context, userID string) (*ChatUser, error) {
	user, err := s.freshUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	if !user.IsSystemAdmin() {
		return nil, &Error{Kind: KindNotAdmin}
	}
	return user, nil
}

// adminGrants is where the admin commands about connections begin: a system admin's locale and the stored
// grants, or the reply to give instead (not an admin's error, no connections in this app kind, none at all).
func (s *Service) adminGrants(ctx context.Context, userID string) (string, []Grant, *Reply, error) {
	admin, err := s.requireAdmin(ctx, userID)
	if err != nil {
		return "", nil, nil, err
	}
	loc := admin.Locale
	if s.Grants == nil || s.cfg.Kind == KindS2S {
		return loc, nil, &Reply{Text: s.Text.T(loc, "grants.s2s")}, nil
	}
	grants, err := s.Grants.Grants(ctx)
	if err != nil {
		return loc, nil, nil, err
	}
	if len(grants) == 0 {
		return loc, nil, &Reply{Text: s.Text.T(loc, "grants.none")}, nil
	}
	return loc, grants, nil, nil
}

// AdminUsers is `/zoom admin users` (system admins): the connected users with their Zoom e-mail and last use.
func (s *Service) AdminUsers(ctx context.Context, userID string) (*Reply, error) {
	loc, grants, r, err := s.adminGrants(ctx, userID)
	if r != nil || err != nil {
		return r, err
	}
	var b strings.Builder
	b.WriteString(s.Text.T(loc, "grants.title", "Count", len(grants)))
	b.WriteString("\n\n| " + s.Text.T(loc, "grants.col_user") + " | " + s.Text.T(loc, "grants.col_email") + " | " +
		s.Text.T(loc, "grants.col_last_used") + " | " + s.Text.T(loc, "grants.col_app") + " |\n|---|---|---|---|\n")
	// Most recently used first; a reply has room for maxGrantRows (Mattermost caps a message at 16,383
	// characters), and the rest are counted.
	sort.SliceStable(grants, func(i, j int) bool { return grants[i].LastUsed.After(grants[j].LastUsed) })
	more := 0
	if len(grants) > maxGrantRows {
		grants, more = grants[:maxGrantRows], len(grants)-maxGrantRows
	}
	for _, g := range grants {
		who := s.Text.T(loc, "grants.account")
		if id := g.Owner.UserID(); id != "" {
			who = s.username(ctx, id)
			if who == "" {
				who = id
			}
		}
		last := s.Text.T(loc, "grants.never")
		if !g.LastUsed.IsZero() {
			last = g.LastUsed.UTC().Format("2006-01-02 15:04 UTC")
		}
		app := s.Text.T(loc, "grants.app_current")
		if g.ClientID != "" && s.cfg.ClientID != "" && g.ClientID != s.cfg.ClientID {
			app = s.Text.T(loc, "grants.app_old")
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", who, s.Escape(g.ZoomEmail), last, app)
	}
	if more > 0 {
		b.WriteString("\n" + s.Text.T(loc, "grants.more", "Count", more))
	}
	return &Reply{Text: strings.TrimRight(b.String(), "\n")}, nil
}

// maxGrantRows bounds the rows of /zoom admin users.
const maxGrantRows = 100

// RevokeResult counts what a revocation did.
type RevokeResult struct {
	Revoked   int // tokens deleted
	NotAtZoom int // of those, how many Zoom did not confirm revoking (deleted here all the same)
}

// RevokeOwners revokes the grants of owners at Zoom and deletes their tokens, then tells each user by direct
// message, in their language. Revoking at Zoom is best effort: the token is deleted either way, so mmzoom
// can no longer use it. It is the work behind `/zoom admin revoke` and `mmzoom revoke`.
func (s *Service) RevokeOwners(ctx context.Context, owners []Owner) (RevokeResult, error) {
	var res RevokeResult
	for _, owner := range owners {
		tok, err := s.Store.Token(ctx, owner)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return res, err
		}
		// Only the app that issued a token can revoke it: one from a previous Zoom app is only deleted.
		stale, err := s.staleClient(ctx, owner)
		if err != nil {
			return res, err
		}
		// Zoom first: a crash between the two leaves a dead token here (forgotten at its next use), never a
		// live grant at Zoom that mmzoom no longer holds and so can never revoke.
		atZoom := false
		if s.Authorizer != nil && !stale {
			if err := s.Authorizer.Revoke(ctx, tok); err != nil {
				s.Logger.WarnContext(ctx, "revoking a Zoom grant at Zoom failed; the token is deleted", "owner", string(owner), "err", err)
			} else {
				atZoom = true
			}
		}
		if err := s.Store.DeleteToken(ctx, owner); err != nil {
			return res, err
		}
		res.Revoked++
		if !atZoom {
			res.NotAtZoom++
		}
		s.Logger.InfoContext(ctx, "Zoom grant revoked by an admin", "owner", string(owner))
		s.tellRevoked(ctx, owner)
	}
	return res, nil
}

// tellRevoked tells a user by direct message that an admin disconnected their Zoom account.
func (s *Service) tellRevoked(ctx context.Context, owner Owner) {
	id := owner.UserID()
	if id == "" {
		return
	}
	loc := s.Locale(ctx, id)
	if _, err := s.Chat.SendDirect(ctx, id, &Post{Message: s.Text.T(loc, "grants.revoked_dm")}); err != nil {
		s.Logger.WarnContext(ctx, "telling a user their Zoom grant was revoked failed", "user_id", id, "err", err)
	}
}

// AdminRevoke is `/zoom admin revoke @user…` (system admins): users are the ids of the users named.
func (s *Service) AdminRevoke(ctx context.Context, userID string, users []string) (*Reply, error) {
	admin, err := s.requireAdmin(ctx, userID)
	if err != nil {
		return nil, err
	}
	loc := admin.Locale
	if s.cfg.Kind != KindUser {
		return &Reply{Text: s.Text.T(loc, "grants.revoke_user_kind_only")}, nil
	}
	if len(users) == 0 {
		return &Reply{Text: s.Text.T(loc, "grants.revoke_usage")}, nil
	}
	var owners []Owner
	var names []string
	for _, id := range users {
		owners = append(owners, UserOwner(id))
		names = append(names, s.username(ctx, id))
	}
	res, err := s.RevokeOwners(ctx, owners)
	if err != nil {
		return nil, err
	}
	if res.Revoked == 0 {
		return &Reply{Text: s.Text.T(loc, "grants.revoke_nothing", "Users", strings.Join(names, ", "))}, nil
	}
	return &Reply{Text: s.revokedText(loc, "grants.revoked", res)}, nil
}

// revokedText says what a revocation did, and how many grants Zoom did not confirm revoking.
func (s *Service) revokedText(loc, key string, res RevokeResult) string {
	text := s.Text.T(loc, key, "Count", res.Revoked)
	if res.NotAtZoom > 0 {
		text += "\n" + s.Text.T(loc, "grants.not_at_zoom", "Count", res.NotAtZoom)
	}
	return text
}

// AdminRevokeAll is `/zoom admin revoke-all` (system admins): it asks for confirmation first, with the count.
func (s *Service) AdminRevokeAll(ctx context.Context, userID, channelID string) (*Reply, error) {
	loc, grants, r, err := s.adminGrants(ctx, userID)
	if r != nil || err != nil {
		return r, err
	}
	expires := s.Now().Add(10 * time.Minute)
	return &Reply{
		Text: s.Text.T(loc, "grants.revoke_all_question", "Count", len(grants)),
		Attachments: []Attachment{{Buttons: []Button{
			{ID: "revokeall", Name: s.Text.T(loc, "grants.revoke_all_yes", "Count", len(grants)), Style: "danger",
				Action: Action{Name: ActionRevokeAll, UserID: userID, ChannelID: channelID, Once: true, Expires: expires}},
			{ID: "cancelrevoke", Name: s.Text.T(loc, "grants.revoke_all_no"),
				Action: Action{Name: ActionCancelAdmin, UserID: userID, ChannelID: channelID, Once: true, Expires: expires}},
		}}},
	}, nil
}

// revokeAllConfirmed is the admin's "yes" to revoke-all: the clicker must still be a system admin.
func (s *Service) revokeAllConfirmed(ctx context.Context, userID string) (*Reply, error) {
	admin, err := s.requireAdmin(ctx, userID)
	if err != nil {
		return nil, err
	}
	res, err := s.RevokeAll(ctx)
	if err != nil {
		return nil, err
	}
	return &Reply{Text: s.revokedText(admin.Locale, "grants.revoked_all", res)}, nil
}

// RevokeAll revokes every stored grant (users' and the account's) and deletes the tokens.
func (s *Service) RevokeAll(ctx context.Context) (RevokeResult, error) {
	if s.Grants == nil {
		return RevokeResult{}, nil
	}
	grants, err := s.Grants.Grants(ctx)
	if err != nil {
		return RevokeResult{}, err
	}
	owners := make([]Owner, 0, len(grants))
	for _, g := range grants {
		owners = append(owners, g.Owner)
	}
	sort.Slice(owners, func(i, j int) bool { return owners[i] < owners[j] })
	return s.RevokeOwners(ctx, owners)
}

// AdminHelp lists the system admins' commands (system admins only).
func (s *Service) AdminHelp(ctx context.Context, userID string) (*Reply, error) {
	admin, err := s.requireAdmin(ctx, userID)
	if err != nil {
		return nil, err
	}
	return &Reply{Text: s.Text.T(admin.Locale, "admin.usage")}, nil
}
