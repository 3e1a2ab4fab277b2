import type {Post} from '@mattermost/types/posts';

import {t, type Locale} from './i18n';

// CardProps is the props contract of a custom_mmzoom_meeting post (testdata/card_props.golden.json).
export interface CardProps {
    mmzoom_schema: number;
    meeting_id: string;
    meeting_uuid?: string;
    meeting_topic: string;
    meeting_join_url: string;
    meeting_passcode?: string;
    meeting_personal?: boolean;
    meeting_status: 'waiting' | 'started' | 'ended' | 'scheduled' | 'cancelled';
    meeting_creator_id?: string;
    meeting_creator_username?: string;
    meeting_created_at?: string;
    meeting_started_at?: string;
    meeting_ended_at?: string;
    meeting_duration_seconds?: number;
    meeting_participant_count?: number;
    meeting_recording_url?: string;
    // meeting_updates_in_thread is set where the bot can post the card but never edit it (a private channel,
    // DM or group it is not a member of): each change of state follows as a reply in the card's thread.
    meeting_updates_in_thread?: boolean;
    // Scheduled cards (testdata/scheduled_card_props.golden.json): the next start (RFC 3339, UTC), the
    // scheduler's timezone, the planned minutes and the recurrence in the scheduler's words.
    meeting_scheduled_start?: string;
    meeting_scheduled_timezone?: string;
    meeting_scheduled_minutes?: number;
    meeting_recurrence?: string;
}

// statuses are the card states this plugin renders.
const statuses = ['waiting', 'started', 'ended', 'scheduled', 'cancelled'];

// ReplyProps is the props contract of such a reply (testdata/card_props.golden.json, "reply_examples").
export interface ReplyProps {
    mmzoom_schema: number;
    mmzoom_card_post_id: string;
    mmzoom_card: CardProps;
}

// The contract versions this plugin renders.
export const knownSchemas = [1];

// readCard checks that props follow the contract, returning undefined for anything else.
export function readCard(props: unknown): CardProps | undefined {
    if (!props || typeof props !== 'object') {
        return undefined;
    }
    const p = props as Partial<CardProps>;
    if (!knownSchemas.includes(p.mmzoom_schema as number) || typeof p.meeting_id !== 'string' ||
        typeof p.meeting_topic !== 'string' || typeof p.meeting_join_url !== 'string' ||
        !statuses.includes(p.meeting_status as string)) {
        return undefined;
    }
    return p as CardProps;
}

// cardUpdate returns the card state a thread reply carries for the card post, or undefined when the reply is
// not one: it must be by the card's own author (the bot), name the card and carry a valid card of the same
// meeting. Anyone can reply in the thread with any props, so nothing else is trusted.
export function cardUpdate(card: Pick<Post, 'id' | 'user_id'>, current: CardProps, reply: Pick<Post, 'user_id' | 'root_id' | 'props'> | undefined): CardProps | undefined {
    if (!reply || reply.user_id !== card.user_id || reply.root_id !== card.id) {
        return undefined;
    }
    const p = reply.props as Partial<ReplyProps> | undefined;
    if (!p || !knownSchemas.includes(p.mmzoom_schema as number) || p.mmzoom_card_post_id !== card.id) {
        return undefined;
    }
    const next = readCard(p.mmzoom_card);
    if (!next || next.meeting_id !== current.meeting_id || !safeLink(next.meeting_join_url)) {
        return undefined;
    }
    return next;
}

// newestUpdate picks, among posts of the card's thread, the newest reply that updates the card (by create_at).
export function newestUpdate<P extends Pick<Post, 'user_id' | 'root_id' | 'props' | 'create_at'>>(
    card: Pick<Post, 'id' | 'user_id'>, current: CardProps, replies: Iterable<P | undefined>,
): P | undefined {
    let best: P | undefined;
    for (const r of replies) {
        if (r && cardUpdate(card, current, r) && (!best || r.create_at > best.create_at)) {
            best = r;
        }
    }
    return best;
}

// safeLink accepts https links, and http on loopback (the demo's simulators); anything else is refused.
export function safeLink(raw?: string): string | undefined {
    if (!raw) {
        return undefined;
    }
    try {
        const u = new URL(raw);
        if (u.protocol === 'https:' || (u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname))) {
            return u.href;
        }
    } catch {
        // not a URL
    }
    return undefined;
}

// formatMeetingId groups a meeting id as Zoom shows it: 926 7439 2836.
export function formatMeetingId(id: string): string {
    if (!/^\d{9,}$/.test(id)) {
        return id;
    }
    const cut = id.length - 8;
    return `${id.slice(0, cut)} ${id.slice(cut, cut + 4)} ${id.slice(cut + 4)}`;
}

// formatDuration writes a duration in whole minutes, as the Go side does.
export function formatDuration(locale: Locale, seconds: number): string {
    const m = Math.round(seconds / 60);
    if (m < 1) {
        return t(locale, 'underMinute');
    }
    if (m < 60) {
        return t(locale, 'minutes', {m});
    }
    if (m % 60 === 0) {
        return t(locale, 'hours', {h: m / 60});
    }
    return t(locale, 'hoursMinutes', {h: Math.floor(m / 60), m: m % 60});
}

// contrastRatio is WCAG 2's contrast ratio of two #rrggbb colours (1 to 21).
export function contrastRatio(a: string, b: string): number {
    const la = luminance(a);
    const lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

function luminance(hex: string): number {
    const rgb = parseHex(hex) ?? [0, 0, 0];
    const [r, g, b] = rgb.map((v) => {
        const c = v / 255;
        return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

// parseHex reads #rgb and #rrggbb; anything else (rgba(), names) is undefined.
export function parseHex(color?: string): [number, number, number] | undefined {
    const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color?.trim() ?? '');
    if (!m) {
        return undefined;
    }
    const h = m[1].length === 3 ? m[1].split('').map((c) => c + c).join('') : m[1];
    return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)) as [number, number, number];
}

const badgeDefaults: Record<CardProps['meeting_status'], string> = {waiting: '#ffbc1f', started: '#06d6a0', ended: '#8c8c8c',
    scheduled: '#6b8e23', cancelled: '#8c8c8c'};

// badgeColors gives a status badge its background (the theme's online colour for a running meeting) and the
// text colour, black or white, that contrasts more with it: one of the two always reaches WCAG AA's 4.5:1.
export function badgeColors(status: CardProps['meeting_status'], onlineIndicator?: string): {background: string; color: string} {
    const background = (status === 'started' && parseHex(onlineIndicator)) ? onlineIndicator!.trim() : badgeDefaults[status];
    const color = contrastRatio(background, '#ffffff') >= contrastRatio(background, '#000000') ? '#ffffff' : '#000000';
    return {background, color};
}

// validZone returns zone when the browser knows it as an IANA timezone, else undefined.
export function validZone(zone?: string): string | undefined {
    if (!zone) {
        return undefined;
    }
    try {
        new Intl.DateTimeFormat('en-US', {timeZone: zone});
        return zone;
    } catch {
        return undefined;
    }
}

// zoneOffset is zone's UTC offset at instant, as "UTC+09:00" (computed from the wall time Intl gives, which
// every supported browser has; the shortOffset name style is newer).
export function zoneOffset(instant: Date, zone: string): string {
    const parts = new Intl.DateTimeFormat('en-US', {timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
        hour: 'numeric', minute: 'numeric'}).formatToParts(instant);
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
    const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'));
    const minutes = Math.round((wall - Math.floor(instant.getTime() / 60000) * 60000) / 60000);
    const sign = minutes < 0 ? '-' : '+';
    const abs = Math.abs(minutes);
    return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

// formatStart writes a start for a reader in their own timezone, with its UTC offset:
// "Tue, Dec 8, 2026, 14:00 (UTC+01:00)" or "2026年12月8日(火) 14:00 (UTC+01:00)". An unknown zone is UTC.
export function formatStart(locale: Locale, iso: string, zone?: string): string | undefined {
    const instant = new Date(iso);
    if (isNaN(instant.getTime())) {
        return undefined;
    }
    const tz = validZone(zone) ?? 'UTC';
    const f = new Intl.DateTimeFormat(locale === 'ja' ? 'ja-JP' : 'en-US', {timeZone: tz, weekday: 'short', year: 'numeric',
        month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23'});
    return `${f.format(instant)} (${zoneOffset(instant, tz)})`;
}

// PostAction is a button of the card's attachment (the scheduled card's host controls): Mattermost does not
// show attachments beside a plugin's card, so the card shows them itself.
export interface PostAction {
    id: string;
    name: string;
    style?: string;
}

// cardActions reads the buttons of a post's attachments (ids and names only; their integration stays on the
// server).
export function cardActions(props: unknown): PostAction[] {
    const atts = (props as {attachments?: unknown} | undefined)?.attachments;
    const out: PostAction[] = [];
    if (!Array.isArray(atts)) {
        return out;
    }
    for (const a of atts) {
        const actions = (a as {actions?: unknown})?.actions;
        if (!Array.isArray(actions)) {
            continue;
        }
        for (const b of actions) {
            const {id, name, style} = (b ?? {}) as Partial<PostAction>;
            if (typeof id === 'string' && /^[a-z0-9]{1,32}$/i.test(id) && typeof name === 'string') {
                out.push({id, name, style: typeof style === 'string' ? style : undefined});
            }
        }
    }
    return out;
}
