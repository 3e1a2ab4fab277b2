// The plugin's texts in English and Japanese; English is the fallback.
export const messages: Record<'en' | 'ja', Record<string, string>> = {
    en: {
        'status.waiting': 'Waiting for the host',
        'status.started': 'In progress',
        'status.ended': 'Ended',
        join: 'Join meeting',
        meetingId: 'Meeting ID',
        passcode: 'Passcode',
        participants: 'Participants',
        startedBy: 'Started by {user}',
        lasted: 'Lasted {duration}',
        recording: 'Watch the recording',
        minutes: '{m} min',
        hours: '{h} h',
        hoursMinutes: '{h} h {m} min',
        underMinute: 'less than a minute',
        startButton: 'Start Zoom meeting',
        startFailed: 'Could not start the Zoom meeting: {error}',
        updatesInThread: 'Updates to this meeting follow in the thread.',
        'summary.title': 'Meeting summary',
        'summary.show': 'Show summary',
        'summary.hide': 'Hide',
        'status.scheduled': 'Scheduled',
        'status.cancelled': 'Cancelled',
        startsAt: 'Starts',
        yourTime: 'your time',
        duration: 'Duration',
        repeats: 'Repeats',
        scheduledBy: 'Scheduled by {user}',
        actionFailed: 'That did not work: {error}',
        'action.cancel': 'Cancel meeting',
        'action.cancelnext': 'Cancel next',
        'action.cancelseries': 'Cancel series',
        'action.reschedule': 'Reschedule',
    },
    ja: {
        'status.waiting': 'ホストの開始待ち',
        'status.started': '進行中',
        'status.ended': '終了',
        join: 'ミーティングに参加',
        meetingId: 'ミーティングID',
        passcode: 'パスコード',
        participants: '参加者',
        startedBy: '{user} さんが開始',
        lasted: '所要時間 {duration}',
        recording: 'レコーディングを見る',
        minutes: '{m}分',
        hours: '{h}時間',
        hoursMinutes: '{h}時間{m}分',
        underMinute: '1分未満',
        startButton: 'Zoom ミーティングを開始',
        startFailed: 'Zoom ミーティングを開始できませんでした: {error}',
        updatesInThread: 'このミーティングの更新はスレッドに投稿されます。',
        'summary.title': 'ミーティングの要約',
        'summary.show': '要約を表示',
        'summary.hide': '閉じる',
        'status.scheduled': '予定',
        'status.cancelled': 'キャンセル',
        startsAt: '開始',
        yourTime: 'あなたの時刻',
        duration: '所要時間',
        repeats: '繰り返し',
        scheduledBy: '{user} さんが予約',
        actionFailed: '操作できませんでした: {error}',
        'action.cancel': 'キャンセル',
        'action.cancelnext': '次回をキャンセル',
        'action.cancelseries': 'シリーズをキャンセル',
        'action.reschedule': '日時を変更',
    },
};

export type Locale = keyof typeof messages;

// toLocale picks ja for Japanese users and en for everyone else.
export function toLocale(locale?: string): Locale {
    return locale?.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

// t returns the text for key in locale with {name} placeholders filled in.
export function t(locale: Locale, key: string, args: Record<string, string | number> = {}): string {
    const text = messages[locale][key] ?? messages.en[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (_, name: string) => String(args[name] ?? ''));
}

// has reports whether the plugin has its own text for key (the buttons it knows are labelled in the reader's
// language; others keep the label mmzoom gave them).
export function has(key: string): boolean {
    return key in messages.en;
}

// registry translations, keyed by the plugin's message ids, as registerTranslations expects.
export function translations(locale: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(messages[toLocale(locale)])) {
        out[`com.mmzoom.meetings.${k}`] = v;
    }
    return out;
}
