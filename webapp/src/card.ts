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
    meeting_status: 'waiting' | 'started' | 'ended';
    meeting_creator_id?: string;
    meeting_creator_username?: string;
    meeting_created_at?: string;
    meeting_started_at?: string;
    meeting_ended_at?: string;
    meeting_duration_seconds?: number;
    meeting_participant_count?: number;
    meeting_recording_url?: string;
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
        !['waiting', 'started', 'ended'].includes(p.meeting_status as string)) {
        return undefined;
    }
    return p as CardProps;
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
