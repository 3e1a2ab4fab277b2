package meeting

import (
	"context"
	"time"
)

// Zoom's word can go missing: an event lost after Zoom's last retry, or a subscription Zoom disabled after
// failed revalidations. Cards that have not ended and have not changed for a while are therefore checked
// with the meeting and past-meeting APIs.
const (
	// staleAfter is how long a card that has not ended may go without news before Zoom is asked.
	staleAfter = 2 * time.Hour
	// expireAfter is how long a meeting may stay unstarted before its card says it is over (an instant
	// meeting nobody started).
	expireAfter = 24 * time.Hour
	// reconcileBatch bounds the Zoom calls of one pass.
	reconcileBatch = 50
)

// RunReconcile checks stale cards every interval until ctx ends.
func (s *Service) RunReconcile(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.Reconcile(ctx); err != nil {
			s.Logger.WarnContext(ctx, "checking stale meeting cards failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunJanitor prunes the store every interval (and once at once) until ctx ends: expired connect links,
// nonces and remembered events are deleted here and nowhere else.
func (s *Service) RunJanitor(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := s.prune(ctx); err != nil && ctx.Err() == nil {
			s.Logger.WarnContext(ctx, "pruning the store failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// prune runs the store's Prune unless another process sharing the store is at it.
func (s *Service) prune(ctx context.Context) error {
	unlock, ok, err := s.Locker.TryLock(ctx, "prune")
	if err != nil || !ok {
		return err
	}
	defer unlock()
	return s.Store.Prune(ctx, s.Now())
}

// Reconcile checks the cards that have not ended and have had no news for a while, and returns how many
// it ended. One process sharing the store reconciles at a time (the others find nothing to do), and each
// card checked is touched, so a card is checked once per staleAfter, whichever replicas run.
func (s *Service) Reconcile(ctx context.Context) (int, error) {
	unlock, ok, err := s.Locker.TryLock(ctx, "reconcile")
	if err != nil || !ok {
		return 0, err
	}
	defer unlock()
	cards, err := s.Store.StaleCards(ctx, s.Now().Add(-staleAfter), reconcileBatch)
	if err != nil {
		return 0, err
	}
	ended := 0
	for _, c := range cards {
		done, err := s.recheck(ctx, c)
		if err != nil {
			s.Logger.InfoContext(ctx, "a stale card could not be checked with Zoom; it is checked again later", "card_id", c.ID, "err", err)
		}
		if done {
			ended++
		}
	}
	return ended, nil
}

// recheck asks Zoom about one card: an ended instance ends the card with Zoom's own times; a meeting Zoom
// no longer knows, or one never started for a day, ends it without a duration; a meeting still running is
// checked again later.
func (s *Service) recheck(ctx context.Context, c *Card) (bool, error) {
	switch c.Status {
	case StatusScheduled:
		// A meeting scheduled for next week is not stale: it ends only when its schedule is over.
		return s.recheckScheduled(ctx, c)
	case StatusCancelled:
		return false, s.touch(ctx, c.ID, nil)
	}
	owner := AccountOwner
	if s.cfg.Kind == KindUser {
		owner = UserOwner(c.CreatorID)
	}
	if c.UUID != "" {
		p, err := s.Zoom.PastMeeting(ctx, owner, c.UUID)
		switch {
		case err == nil:
			return s.endCard(ctx, c.ID, p.StartTime, p.EndTime)
		case KindOf(err) != KindNotFound:
			return false, s.touch(ctx, c.ID, err)
		}
	}
	m, err := s.Zoom.Meeting(ctx, owner, c.MeetingID)
	switch {
	case KindOf(err) == KindNotFound:
		return s.endCard(ctx, c.ID, time.Time{}, s.Now())
	case err != nil:
		return false, s.touch(ctx, c.ID, err)
	case c.Status == StatusWaiting && m.Status != "started" && s.Now().Sub(c.CreatedAt) > expireAfter:
		return s.endCard(ctx, c.ID, time.Time{}, s.Now())
	}
	return false, s.touch(ctx, c.ID, nil)
}

// endCard ends a card Zoom's events did not end. start is zero when the meeting never started (or Zoom
// does not say): the card then shows no duration.
func (s *Service) endCard(ctx context.Context, id int64, start, end time.Time) (bool, error) {
	ended := false
	err := s.withCard(ctx, id, func(c *Card) error {
		if !c.Advance(StatusEnded) {
			return nil
		}
		if !start.IsZero() {
			c.StartedAt = start
		}
		if c.StartedAt.IsZero() {
			c.EndedAt = time.Time{}
		} else {
			c.EndedAt = end
		}
		c.UpdatedAt = s.Now()
		if err := s.Store.UpdateCard(ctx, c); err != nil {
			return err
		}
		ended = true
		s.Logger.InfoContext(ctx, "a card Zoom never finished was ended after checking with Zoom", "card_id", c.ID, "meeting_id", c.MeetingID)
		return s.scheduleRefresh(ctx, c, s.Now())
	})
	return ended, err
}

// touch records that a card was checked, so it is checked again only after staleAfter; cause is passed on.
func (s *Service) touch(ctx context.Context, id int64, cause error) error {
	err := s.withCard(ctx, id, func(c *Card) error {
		c.UpdatedAt = s.Now()
		return s.Store.UpdateCard(ctx, c)
	})
	if err != nil {
		return err
	}
	return cause
}
