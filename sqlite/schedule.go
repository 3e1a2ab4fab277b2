package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
)

var _ meeting.ScheduleStore = (*Store)(nil)

const scheduleColumns = `id, card_id, meeting_id, channel_id, creator_id, subscription, cancelled, data, updated_at`

// SaveSchedule inserts or updates a schedule.
func (s *Store) SaveSchedule(ctx context.Context, sc *meeting.Schedule) error {
	data, err := sc.MarshalDocument()
	if err != nil {
		return err
	}
	first, last := sc.StartSpan()
	args := []any{sc.CardID, sc.MeetingID, sc.ChannelID, sc.CreatorID, boolInt(sc.Subscription), boolInt(sc.Cancelled), first, last,
		string(data), ms(sc.UpdatedAt)}
	if sc.ID == 0 {
		err = s.db.QueryRowContext(ctx, `INSERT INTO schedules (card_id, meeting_id, channel_id, creator_id, subscription, cancelled,
			first_start, last_start, data, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, args...).Scan(&sc.ID)
	} else {
		var res sql.Result
		res, err = s.db.ExecContext(ctx, `UPDATE schedules SET card_id = ?, meeting_id = ?, channel_id = ?, creator_id = ?,
			subscription = ?, cancelled = ?, first_start = ?, last_start = ?, data = ?, updated_at = ? WHERE id = ?`, append(args, sc.ID)...)
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				return notFound("schedule")
			}
		}
	}
	if err != nil {
		return fmt.Errorf("sqlite: save schedule: %w", err)
	}
	return nil
}

func scanSchedule(row interface{ Scan(...any) error }) (*meeting.Schedule, error) {
	var sc meeting.Schedule
	var sub, cancelled int
	var data string
	var updated int64
	if err := row.Scan(&sc.ID, &sc.CardID, &sc.MeetingID, &sc.ChannelID, &sc.CreatorID, &sub, &cancelled, &data, &updated); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, notFound("schedule")
		}
		return nil, fmt.Errorf("sqlite: schedule: %w", err)
	}
	if err := sc.UnmarshalDocument([]byte(data)); err != nil {
		return nil, fmt.Errorf("sqlite: schedule %d: %w", sc.ID, err)
	}
	sc.Subscription, sc.Cancelled, sc.UpdatedAt = sub == 1, cancelled == 1, fromMS(updated)
	return &sc, nil
}

func (s *Store) schedules(ctx context.Context, where string, args ...any) ([]*meeting.Schedule, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+scheduleColumns+` FROM schedules WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: schedules: %w", err)
	}
	defer rows.Close()
	var out []*meeting.Schedule
	for rows.Next() {
		sc, err := scanSchedule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}

// Schedule returns one schedule.
func (s *Store) Schedule(ctx context.Context, id int64) (*meeting.Schedule, error) {
	return scanSchedule(s.db.QueryRowContext(ctx, `SELECT `+scheduleColumns+` FROM schedules WHERE id = ?`, id))
}

// ScheduleByCard returns the schedule a scheduled card shows.
func (s *Store) ScheduleByCard(ctx context.Context, cardID int64) (*meeting.Schedule, error) {
	if cardID == 0 {
		return nil, notFound("schedule")
	}
	return scanSchedule(s.db.QueryRowContext(ctx, `SELECT `+scheduleColumns+` FROM schedules WHERE card_id = ? ORDER BY id LIMIT 1`, cardID))
}

// SchedulesByMeeting lists a meeting's schedules and subscriptions.
func (s *Store) SchedulesByMeeting(ctx context.Context, meetingID int64) ([]*meeting.Schedule, error) {
	return s.schedules(ctx, `meeting_id = ? ORDER BY id`, meetingID)
}

// UpcomingSchedules lists the schedules of a channel or a creator, not cancelled, with an occurrence
// starting in [from, to) (the occurrences themselves are checked by the caller).
func (s *Store) UpcomingSchedules(ctx context.Context, channelID, creatorID string, from, to time.Time) ([]*meeting.Schedule, error) {
	col, v := "channel_id", channelID
	if creatorID != "" {
		col, v = "creator_id", creatorID
	}
	// last_start is compared a day early: an occurrence that started may not have ended yet.
	return s.schedules(ctx, col+` = ? AND cancelled = 0 AND subscription = 0 AND last_start >= ? AND first_start < ? ORDER BY first_start, id`,
		v, from.Add(-24*time.Hour).UnixMilli(), to.UnixMilli())
}

// Subscriptions lists a channel's subscriptions.
func (s *Store) Subscriptions(ctx context.Context, channelID string) ([]*meeting.Schedule, error) {
	return s.schedules(ctx, `channel_id = ? AND subscription = 1 ORDER BY id`, channelID)
}

// DeleteSchedule removes a schedule.
func (s *Store) DeleteSchedule(ctx context.Context, id int64) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM schedules WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("sqlite: delete schedule: %w", err)
	}
	return nil
}
