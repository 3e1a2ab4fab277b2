import type {Post} from '@mattermost/types/posts';
import React from 'react';

import {badgeColors, cardActions, formatDuration, formatMeetingId, formatStart, readCard, safeLink, type CardProps} from '../card';
import {has, t, type Locale} from '../i18n';

import {PostMessage, type PostUtils} from './PostMessage';

// Theme is the part of Mattermost's theme (the `theme` prop of post components) the card uses, so it follows
// light and dark themes. @mattermost/types has no Theme type (it lives in mattermost-redux, which the plugin
// does not depend on), so these few keys are declared here.
export interface Theme {
    centerChannelBg?: string;
    centerChannelColor?: string;
    buttonBg?: string;
    buttonColor?: string;
    linkColor?: string;
    onlineIndicator?: string;
}

// CardPost is what the card reads of a post.
export type CardPost = Pick<Post, 'id' | 'user_id' | 'message' | 'props'>;

export interface MeetingCardProps {
    post: CardPost;
    // update is a newer state of the card from a reply in its thread (already checked by cardUpdate).
    update?: CardProps;
    theme?: Theme;
    locale: Locale;
    // fromBot says whether the post's author is a bot: anyone can create a post of this type through the
    // REST API, so only bots' posts are rendered as cards.
    fromBot: boolean;
    postUtils?: PostUtils;
    // timezone is the reader's IANA timezone: a scheduled card shows its start in it.
    timezone?: string;
    // onAction clicks a button of the post's attachment (a scheduled card's host controls).
    onAction?: (actionId: string) => void;
}

// MeetingCard renders a custom_mmzoom_meeting post: topic, state, Join, meeting ID, passcode when shown,
// participants, duration when ended and the recording. Anything not from a bot, of an unknown contract
// version or with a join link that is not https is shown as its message.
export function MeetingCard({post, update, theme, locale, fromBot, postUtils, timezone, onAction}: MeetingCardProps) {
    const own = fromBot ? readCard(post.props) : undefined;
    const card = own && (update ?? own);
    const join = card && safeLink(card.meeting_join_url);
    if (!card || !join) {
        return <PostMessage message={post.message} locale={locale} postUtils={postUtils}/>;
    }
    const th = theme ?? {};
    const status = card.meeting_status;
    const recording = safeLink(card.meeting_recording_url);
    const border = th.centerChannelColor ? `1px solid ${th.centerChannelColor}33` : '1px solid #ddd';
    const badge = badgeColors(status, th.onlineIndicator);
    if (status === 'scheduled' || status === 'cancelled') {
        return <ScheduledCard post={post} card={card} join={join} th={th} border={border} badge={badge} locale={locale} timezone={timezone} onAction={onAction}/>;
    }
    return (
        <div
            className='mmzoom-card'
            data-status={status}
            data-source={update ? 'thread' : 'post'}
            style={{border, borderRadius: 8, padding: 12, maxWidth: 480, minWidth: 0, background: th.centerChannelBg, color: th.centerChannelColor,
                overflowWrap: 'anywhere', wordBreak: 'break-word'}}
        >
            <span className='mmzoom-status' style={{...badge, borderRadius: 10, padding: '1px 8px', fontSize: 12, fontWeight: 600}}>
                {t(locale, `status.${status}`)}
            </span>
            <h4 className='mmzoom-topic' style={{margin: '6px 0', overflowWrap: 'anywhere', wordBreak: 'break-word'}}>{card.meeting_topic}</h4>
            <dl style={{display: 'grid', gridTemplateColumns: 'auto minmax(0, 1fr)', gap: '2px 12px', margin: '4px 0'}}>
                <dt>{t(locale, 'meetingId')}</dt>
                <dd className='mmzoom-id' style={{margin: 0}}>{formatMeetingId(card.meeting_id)}</dd>
                {card.meeting_passcode && (
                    <>
                        <dt>{t(locale, 'passcode')}</dt>
                        <dd className='mmzoom-passcode' style={{margin: 0}}>{card.meeting_passcode}</dd>
                    </>
                )}
                {status === 'started' && (card.meeting_participant_count ?? 0) > 0 && (
                    <>
                        <dt>{t(locale, 'participants')}</dt>
                        <dd className='mmzoom-participants' style={{margin: 0}}>{card.meeting_participant_count}</dd>
                    </>
                )}
            </dl>
            {status === 'ended' && (card.meeting_duration_seconds ?? 0) > 0 && (
                <p className='mmzoom-duration' style={{margin: '4px 0'}}>
                    {t(locale, 'lasted', {duration: formatDuration(locale, card.meeting_duration_seconds ?? 0)})}
                </p>
            )}
            {card.meeting_creator_username && (
                <p style={{margin: '4px 0', opacity: 0.7}}>{t(locale, 'startedBy', {user: '@' + card.meeting_creator_username})}</p>
            )}
            {status !== 'ended' && (
                <a
                    className='mmzoom-join'
                    href={join}
                    target='_blank'
                    rel='noopener noreferrer'
                    style={{display: 'inline-block', marginTop: 6, padding: '6px 16px', borderRadius: 4, textDecoration: 'none',
                        background: th.buttonBg ?? '#0b5cff', color: th.buttonColor ?? '#fff', fontWeight: 600}}
                >
                    {t(locale, 'join')}
                </a>
            )}
            {recording && (
                <a className='mmzoom-recording' href={recording} target='_blank' rel='noopener noreferrer' style={{display: 'block', marginTop: 6, color: th.linkColor}}>
                    {t(locale, 'recording')}
                </a>
            )}
            {(own.meeting_updates_in_thread || card.meeting_updates_in_thread) && (
                <p className='mmzoom-in-thread' style={{margin: '6px 0 0', fontSize: 12, opacity: 0.75}}>{t(locale, 'updatesInThread')}</p>
            )}
        </div>
    );
}

interface ScheduledCardProps {
    post: CardPost;
    card: CardProps;
    join: string;
    th: Theme;
    border: string;
    badge: {background: string; color: string};
    locale: Locale;
    timezone?: string;
    onAction?: (actionId: string) => void;
}

// ScheduledCard renders a scheduled (or cancelled) meeting: the next start in the reader's own timezone, the
// duration, the recurrence, Join, and the host's buttons (anyone sees them; mmzoom refuses all but the host).
function ScheduledCard({post, card, join, th, border, badge, locale, timezone, onAction}: ScheduledCardProps) {
    const status = card.meeting_status;
    const start = status === 'scheduled' && card.meeting_scheduled_start ? formatStart(locale, card.meeting_scheduled_start, timezone) : undefined;
    const actions = status === 'scheduled' && onAction ? cardActions(post.props) : [];
    const row = (label: string, value: React.ReactNode, className: string) => (
        <>
            <dt>{label}</dt>
            <dd className={className} style={{margin: 0}}>{value}</dd>
        </>
    );
    return (
        <div
            className='mmzoom-card'
            data-status={status}
            data-source='post'
            style={{border, borderRadius: 8, padding: 12, maxWidth: 480, minWidth: 0, background: th.centerChannelBg, color: th.centerChannelColor,
                overflowWrap: 'anywhere', wordBreak: 'break-word'}}
        >
            <span className='mmzoom-status' style={{...badge, borderRadius: 10, padding: '1px 8px', fontSize: 12, fontWeight: 600}}>
                {t(locale, `status.${status}`)}
            </span>
            <h4 className='mmzoom-topic' style={{margin: '6px 0', overflowWrap: 'anywhere', wordBreak: 'break-word'}}>{card.meeting_topic}</h4>
            <dl style={{display: 'grid', gridTemplateColumns: 'auto minmax(0, 1fr)', gap: '2px 12px', margin: '4px 0'}}>
                {start && row(t(locale, 'startsAt'), start, 'mmzoom-start')}
                {status === 'scheduled' && (card.meeting_scheduled_minutes ?? 0) > 0 &&
                    row(t(locale, 'duration'), formatDuration(locale, (card.meeting_scheduled_minutes ?? 0) * 60), 'mmzoom-planned')}
                {status === 'scheduled' && card.meeting_recurrence && row(t(locale, 'repeats'), card.meeting_recurrence, 'mmzoom-recurrence')}
                {row(t(locale, 'meetingId'), formatMeetingId(card.meeting_id), 'mmzoom-id')}
                {status === 'scheduled' && card.meeting_passcode && row(t(locale, 'passcode'), card.meeting_passcode, 'mmzoom-passcode')}
            </dl>
            {card.meeting_creator_username && (
                <p style={{margin: '4px 0', opacity: 0.7}}>{t(locale, 'scheduledBy', {user: '@' + card.meeting_creator_username})}</p>
            )}
            {status === 'scheduled' && (
                <a
                    className='mmzoom-join'
                    href={join}
                    target='_blank'
                    rel='noopener noreferrer'
                    style={{display: 'inline-block', marginTop: 6, marginRight: 8, padding: '6px 16px', borderRadius: 4, textDecoration: 'none',
                        background: th.buttonBg ?? '#0b5cff', color: th.buttonColor ?? '#fff', fontWeight: 600}}
                >
                    {t(locale, 'join')}
                </a>
            )}
            {actions.map((a) => (
                <button
                    key={a.id}
                    type='button'
                    className='mmzoom-action'
                    data-action={a.id}
                    onClick={() => onAction?.(a.id)}
                    style={{marginTop: 6, marginRight: 8, padding: '5px 12px', borderRadius: 4, cursor: 'pointer', background: 'transparent',
                        color: a.style === 'danger' ? '#d24b4e' : th.centerChannelColor, border}}
                >
                    {has(`action.${a.id}`) ? t(locale, `action.${a.id}`) : a.name}
                </button>
            ))}
        </div>
    );
}
