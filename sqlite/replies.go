package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
)

var _ meeting.ReplyStore = (*Store)(nil)

// ReplyPosts lists the posts of kind made in a card's thread, in order.
func (s *Store) ReplyPosts(ctx context.Context, cardID int64, kind string) ([]string, error) {
	var ids string
	err := s.db.QueryRowContext(ctx, `SELECT post_ids FROM card_replies WHERE card_id = ? AND kind = ?`, cardID, kind).Scan(&ids)
	if errors.Is(err, sql.ErrNoRows) {
		return []string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: reply posts: %w", err)
	}
	return strings.Fields(ids), nil
}

// SaveReplyPosts replaces the posts of kind made in a card's thread.
func (s *Store) SaveReplyPosts(ctx context.Context, cardID int64, kind string, postIDs []string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO card_replies (card_id, kind, post_ids, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (card_id, kind) DO UPDATE SET post_ids = excluded.post_ids, updated_at = excluded.updated_at`,
		cardID, kind, strings.Join(postIDs, " "), ms(at))
	if err != nil {
		return fmt.Errorf("sqlite: save reply posts: %w", err)
	}
	return nil
}

// DeleteReplyPosts forgets the posts of kind made in a card's thread.
func (s *Store) DeleteReplyPosts(ctx context.Context, cardID int64, kind string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM card_replies WHERE card_id = ? AND kind = ?`, cardID, kind); err != nil {
		return fmt.Errorf("sqlite: delete reply posts: %w", err)
	}
	return nil
}
