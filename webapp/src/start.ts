// StartClient runs a slash command as the current user (Client4.executeCommand from @mattermost/client).
export interface StartClient {
    executeCommand(command: string, args: {channel_id: string; team_id: string; root_id?: string}): Promise<{goto_location?: string}>;
}

// WindowLike is the part of a browser window startMeeting needs.
export interface WindowLike {
    location: {href: string};
    close(): void;
}

const inFlight = new Set<string>();
const listeners = new Set<() => void>();

function changed() {
    listeners.forEach((l) => l());
}

// starting reports whether a start is running (for the button's busy look); subscribeStarting tells when
// that changes.
export function starting(): boolean {
    return inFlight.size > 0;
}

export function subscribeStarting(l: () => void): () => void {
    listeners.add(l);
    return () => listeners.delete(l);
}

// startMeeting runs `/zoom start` in a channel through the user's own session, so mmzoom receives an
// ordinary, token-verified slash command. Mattermost's client does not follow goto_location, so a window is
// opened synchronously (inside the click, where popup blockers allow it) and sent to the meeting when the
// answer arrives, or closed when there is none. A second click while a start is running does nothing.
// It resolves to an error message for the user, or undefined.
export async function startMeeting(
    client: StartClient,
    open: () => WindowLike | null,
    channelId: string,
    teamId: string,
    rootId = '',
): Promise<string | undefined> {
    if (!channelId || inFlight.has(channelId)) {
        return undefined;
    }
    inFlight.add(channelId);
    changed();
    const win = open();
    try {
        const res = await client.executeCommand('/zoom start', {channel_id: channelId, team_id: teamId, root_id: rootId});
        if (win) {
            if (res?.goto_location) {
                win.location.href = res.goto_location;
            } else {
                win.close();
            }
        }
        return undefined;
    } catch (err) {
        win?.close();
        const e = err as {message?: string};
        return e?.message || String(err);
    } finally {
        inFlight.delete(channelId);
        changed();
    }
}
