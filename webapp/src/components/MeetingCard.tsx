import React from 'react';

import {formatDuration, formatMeetingId, readCard, safeLink} from '../card';
import {t, type Locale} from '../i18n';

// Theme is the part of Mattermost's theme the card uses, so it follows light and dark themes.
export interface Theme {
    centerChannelBg?: string;
    centerChannelColor?: string;
    buttonBg?: string;
    buttonColor?: string;
    linkColor?: string;
    onlineIndicator?: string;
}

// PostLike is what the card reads of a post.
export interface PostLike {
    id: string;
    user_id: string;
    message: string;
    props?: Record<string, unknown>;
}

export interface MeetingCardProps {
    post: PostLike;
    theme?: Theme;
    locale: Locale;
    // fromBot says whether the post's author is mmzoom's bot: anyone can create a post of this type through
    // the REST API, so only the bot's are rendered as cards.
    fromBot: boolean;
}

// MeetingCard renders a custom_mmzoom_meeting post: topic, state, Join, meeting ID, passcode when shown,
// participants, duration when ended and the recording. Anything not from mmzoom's bot, of an unknown
// contract version or with a join link that is not https is shown as its plain message.
export function MeetingCard({post, theme = {}, locale, fromBot}: MeetingCardProps) {
    const card = fromBot ? readCard(post.props) : undefined;
    const join = card && safeLink(card.meeting_join_url);
    if (!card || !join) {
        return <p className='mmzoom-plain'>{post.message}</p>;
    }
    const status = card.meeting_status;
    const recording = safeLink(card.meeting_recording_url);
    const border = theme.centerChannelColor ? `1px solid ${theme.centerChannelColor}33` : '1px solid #ddd';
    const badgeBg = status === 'started' ? (theme.onlineIndicator ?? '#06d6a0') : status === 'ended' ? '#8c8c8c' : '#ffbc1f';
    return (
        <div
            className='mmzoom-card'
            data-status={status}
            style={{border, borderRadius: 8, padding: 12, maxWidth: 480, background: theme.centerChannelBg, color: theme.centerChannelColor}}
        >
            <span className='mmzoom-status' style={{background: badgeBg, color: '#fff', borderRadius: 10, padding: '1px 8px', fontSize: 12, fontWeight: 600}}>
                {t(locale, `status.${status}`)}
            </span>
            <h4 className='mmzoom-topic' style={{margin: '6px 0'}}>{card.meeting_topic}</h4>
            <dl style={{display: 'grid', gridTemplateColumns: 'auto 1fr', gap: '2px 12px', margin: '4px 0'}}>
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
                        background: theme.buttonBg ?? '#0b5cff', color: theme.buttonColor ?? '#fff', fontWeight: 600}}
                >
                    {t(locale, 'join')}
                </a>
            )}
            {recording && (
                <a className='mmzoom-recording' href={recording} target='_blank' rel='noopener noreferrer' style={{display: 'block', marginTop: 6, color: theme.linkColor}}>
                    {t(locale, 'recording')}
                </a>
            )}
        </div>
    );
}
