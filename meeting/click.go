package meeting

import (
	"context"
	"errors"
	"strconv"
	"strings"
)

// Click carries out a verified button click. The caller has checked the context's signature, user, channel
// and expiry; Click spends the single-use nonce of the click's question.
//
// The answer to a click on an ephemeral reply (every question but the direct message asking to confirm a
// Zoom account) is text only: Mattermost cannot update a post it never stored, and it ignores goto_location
// for clicks, so the text carries the links the user needs.
func (s *Service) Click(ctx context.Context, a Action, userID, channelID string) (*Reply, error) {
	if a.Once {
		if r, err := s.spend(ctx, userID, a); r != nil || err != nil {
			return r, err
		}
	}
	switch a.Name {
	case ActionJoinRecent:
		id, _ := strconv.ParseInt(a.Args["card"], 10, 64)
		c, err := s.Store.Card(ctx, id)
		if err != nil {
			return nil, err
		}
		loc := s.Locale(ctx, userID)
		return &Reply{Text: s.Text.T(loc, "recent.joined", "Topic", s.Escape(c.Topic), "JoinURL", c.JoinURL), GotoLocation: c.JoinURL}, nil
	case ActionStartNew:
		req := startFromArgs(userID, channelID, a.Args)
		req.Force = true
		return s.answered(ctx, userID, req)
	case ActionStartPMI, ActionStartFresh:
		req := startFromArgs(userID, channelID, a.Args)
		use := a.Name == ActionStartPMI
		req.UsePMI = &use
		return s.answered(ctx, userID, req)
	case ActionSetPMI:
		p := PMIPreference(a.Args["pmi"])
		if !p.Valid() {
			return nil, &Error{Kind: KindActionInvalid}
		}
		if err := s.Store.SaveSettings(ctx, &UserSettings{UserID: userID, PMI: p}); err != nil {
			return nil, err
		}
		loc := s.Locale(ctx, userID)
		return &Reply{Text: s.Text.T(loc, "settings.saved", "Choice", s.Text.T(loc, "settings.pmi."+string(p)))}, nil
	case ActionConfirmLink:
		return s.confirmLink(ctx, userID, a.Args)
	case ActionCancelStart:
		return &Reply{Text: s.Text.T(s.Locale(ctx, userID), "big.cancelled")}, nil
	case ActionRevokeAll:
		return s.revokeAllConfirmed(ctx, userID)
	case ActionCancelAdmin:
		return &Reply{Text: s.Text.T(s.Locale(ctx, userID), "grants.revoke_all_cancelled")}, nil
	case ActionCancelOccurrence, ActionCancelSeries:
		return s.cancelScheduled(ctx, a, userID)
	case ActionReschedule:
		return s.openReschedule(ctx, a, userID)
	case ActionRejectLink:
		loc := s.Locale(ctx, userID)
		owner := UserOwner(userID)
		if tok, err := s.Store.Token(ctx, owner); err == nil {
			if err := s.Store.DeleteToken(ctx, owner); err != nil {
				return nil, err
			}
			if rerr := s.Authorizer.Revoke(ctx, tok); rerr != nil {
				s.Logger.WarnContext(ctx, "revoking a rejected Zoom grant failed", "err", rerr)
			}
		}
		return &Reply{Update: &Post{Message: s.Text.T(loc, "confirm.rejected")}}, nil
	}
	return nil, &Error{Kind: KindActionInvalid, Err: errors.New("unknown action " + a.Name)}
}

// spend records the nonce of a single-use click's question. The first answer wins; a later click on any
// button of the same question (another answer, or a stale copy of it on another device) gets a reply saying
// it was answered, and does nothing else.
func (s *Service) spend(ctx context.Context, userID string, a Action) (*Reply, error) {
	if a.Nonce == "" {
		return nil, &Error{Kind: KindActionInvalid, Err: errors.New("single-use action without a nonce")}
	}
	err := s.Store.UseNonce(ctx, a.Nonce, a.Expires)
	if KindOf(err) == KindActionInvalid {
		s.Logger.InfoContext(ctx, "click on an answered question", "action", a.Name, "user_id", userID)
		return &Reply{Text: s.Text.T(s.Locale(ctx, userID), "action.already_answered")}, nil
	}
	return nil, err
}

// answered runs a start whose question was answered by a click.
func (s *Service) answered(ctx context.Context, userID string, req StartRequest) (*Reply, error) {
	if req.UsePMI == nil {
		// The question was asked before the user chose "ask each time": the answer to a click cannot ask
		// again, so the default applies.
		set, err := s.Store.Settings(ctx, userID)
		if err != nil {
			return nil, err
		}
		if set.PMI.Effective() == PMIAsk {
			use := DefaultPMI == PMIAlways
			req.UsePMI = &use
		}
	}
	r, err := s.Start(ctx, req)
	if err != nil {
		return nil, err
	}
	return s.withStartLink(ctx, userID, r), nil
}

// withStartLink writes r's start link (the host's start_url) into its text, as a Markdown link: the answer to
// a click cannot open it, since Mattermost ignores goto_location there. The text is ephemeral, shown to the
// starter only and never stored by Mattermost.
func (s *Service) withStartLink(ctx context.Context, userID string, r *Reply) *Reply {
	if r.GotoLocation == "" {
		return r
	}
	link := s.Text.T(s.Locale(ctx, userID), "start.host_link", "StartURL", r.GotoLocation)
	r.Text = strings.TrimSpace(r.Text + "\n" + link)
	return r
}

// confirmLink marks the user's linked Zoom account as confirmed and runs the start that asked for it.
func (s *Service) confirmLink(ctx context.Context, userID string, args map[string]string) (*Reply, error) {
	owner := UserOwner(userID)
	tok, err := s.Store.Token(ctx, owner)
	if errors.Is(err, ErrNotFound) {
		return nil, &Error{Kind: KindNotConnected, Err: err}
	}
	if err != nil {
		return nil, err
	}
	tok.Confirmed = true
	if err := s.Store.SaveToken(ctx, owner, tok); err != nil {
		return nil, err
	}
	loc := s.Locale(ctx, userID)
	done := &Post{Message: s.Text.T(loc, "confirm.done", "ZoomEmail", s.Escape(tok.ZoomEmail))}
	if args["channel"] == "" {
		return &Reply{Update: done}, nil
	}
	req := startFromArgs(userID, args["channel"], args)
	r, err := s.Start(ctx, req)
	if err != nil {
		return nil, err
	}
	// The direct message is stored: it may be updated, but the start link stays out of it (ephemeral text).
	done.Message += "\n" + r.Text
	return s.withStartLink(ctx, userID, &Reply{Update: done, GotoLocation: r.GotoLocation}), nil
}
