package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/mmzoom/mmzoom/meeting"
)

var _ meeting.PolicyStore = (*Store)(nil)

// ChannelPolicy returns the system admin's channel policy; never set, it is "all".
func (s *Store) ChannelPolicy(ctx context.Context) (*meeting.ChannelPolicy, error) {
	p := &meeting.ChannelPolicy{Mode: meeting.ChannelsAll}
	var mode string
	var at int64
	err := s.pool.QueryRow(ctx, `SELECT mode, updated_by, updated_at FROM channel_policy WHERE id = 1`).Scan(&mode, &p.UpdatedBy, &at)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, nil
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: channel policy: %w", err)
	}
	p.Mode, p.UpdatedAt = meeting.ChannelMode(mode), fromMS(at)
	rows, err := s.pool.Query(ctx, `SELECT channel_id FROM channel_policy_channels ORDER BY channel_id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: channel policy channels: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: channel policy channels: %w", err)
	}
	p.Channels = ids
	return p, nil
}

// SaveChannelPolicy replaces the channel policy and its list of channels in one transaction.
func (s *Store) SaveChannelPolicy(ctx context.Context, p *meeting.ChannelPolicy) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO channel_policy (id, mode, updated_by, updated_at) VALUES (1, $1, $2, $3)
			ON CONFLICT (id) DO UPDATE SET mode = excluded.mode, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			string(p.Mode), p.UpdatedBy, ms(p.UpdatedAt)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM channel_policy_channels`); err != nil {
			return err
		}
		for _, id := range p.Channels {
			if _, err := tx.Exec(ctx, `INSERT INTO channel_policy_channels (channel_id) VALUES ($1) ON CONFLICT (channel_id) DO NOTHING`, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: save channel policy: %w", err)
	}
	return nil
}

// ChannelSwitch returns a channel admin's switch for channelID (KindNotFound when never switched).
func (s *Store) ChannelSwitch(ctx context.Context, channelID string) (*meeting.ChannelSwitch, error) {
	sw := &meeting.ChannelSwitch{ChannelID: channelID}
	var at int64
	err := s.pool.QueryRow(ctx, `SELECT off, updated_by, updated_at FROM channel_switches WHERE channel_id = $1`, channelID).
		Scan(&sw.Off, &sw.UpdatedBy, &at)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("channel switch")
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: channel switch: %w", err)
	}
	sw.UpdatedAt = fromMS(at)
	return sw, nil
}

// SaveChannelSwitch records a channel admin's switch.
func (s *Store) SaveChannelSwitch(ctx context.Context, sw *meeting.ChannelSwitch) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO channel_switches (channel_id, off, updated_by, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (channel_id) DO UPDATE SET off = excluded.off, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		sw.ChannelID, sw.Off, sw.UpdatedBy, ms(sw.UpdatedAt))
	if err != nil {
		return fmt.Errorf("postgres: save channel switch: %w", err)
	}
	return nil
}
