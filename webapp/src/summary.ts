// The summary reply contract (Go: meeting.PostTypeSummary, meeting.PropSummary): mmzoom posts Zoom's AI
// Companion summary in the card's thread as a custom_mmzoom_summary post whose message is readable Markdown
// (its first line a heading, or an italic "continued" line for later parts) and whose props say which card
// and which part it is: {"mmzoom_summary": {"card_post_id": "...", "part": 1, "parts": 2}}.

// SummaryInfo is what props.mmzoom_summary says, read defensively (props come from the server as any JSON).
export interface SummaryInfo {
    cardPostId: string;
    part: number;
    parts: number;
}

// readSummary reads props.mmzoom_summary, or undefined when it is missing or malformed.
export function readSummary(props: unknown): SummaryInfo | undefined {
    const raw = (props as Record<string, unknown> | null | undefined)?.mmzoom_summary as Record<string, unknown> | undefined;
    if (!raw || typeof raw !== 'object' || typeof raw.card_post_id !== 'string') {
        return undefined;
    }
    const part = Number(raw.part);
    const parts = Number(raw.parts);
    if (!Number.isInteger(part) || !Number.isInteger(parts) || part < 1 || parts < part) {
        return undefined;
    }
    return {cardPostId: raw.card_post_id, part, parts};
}

// splitSummary separates the message's first line (the heading, shown on the collapsed section) from the
// rest (shown when it opens). The heading loses its Markdown heading marks and emphasis underscores; the text
// inside stays escaped as mmzoom wrote it, and is shown as text, never as HTML.
export function splitSummary(message: string): {title: string; body: string} {
    const text = String(message ?? '');
    const nl = text.indexOf('\n');
    const first = nl < 0 ? text : text.slice(0, nl);
    const body = nl < 0 ? '' : text.slice(nl + 1).replace(/^\n+/, '');
    const title = first.replace(/^#{1,6}\s+/, '').replace(/^_(.*)_$/, '$1').replace(/\\([\\`*_[\]()<>!#|~])/g, '$1').trim();
    return {title, body};
}
