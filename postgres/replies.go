package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mmzoom/mmzoom/meeting"
)

var _ meeting.ReplyStore = (*Store)(nil)

// ReplyPosts lists the posts of kind made in a card's thread, in order.
func (s *Store) ReplyPosts(ctx context.Context, cardID int64, kind string) ([]string, error) {
	var ids string
	err := s.pool.QueryRow(ctx, `SELECT post_ids FROM card_replies WHERE card_id = $1 AND kind = $2`, cardID, kind).Scan(&ids)
	if errors.Is(err, pgx.ErrNoRows) {
		return []string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: reply posts: %w", err)
	}
	return strings.Fields(ids), nil
}

// SaveReplyPosts replaces the posts of kind made in a card's thread.
func (s *Store) SaveReplyPosts(ctx context.Context, cardID int64, kind string, postIDs []string, at time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO card_replies (card_id, kind, post_ids, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (card_id, kind) DO UPDATE SET post_ids = excluded.post_ids, updated_at = excluded.updated_at`,
		cardID, kind, strings.Join(postIDs, " "), ms(at))
	if err != nil {
		return fmt.Errorf("postgres: save reply posts: %w", err)
	}
	return nil
}

// DeleteReplyPosts forgets the posts of kind made in a card's thread.
func (s *Store) DeleteReplyPosts(ctx context.Context, cardID int64, kind string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM card_replies WHERE card_id = $1 AND kind = $2`, cardID, kind); err != nil {
		return fmt.Errorf("postgres: delete reply posts: %w", err)
	}
	return nil
}
