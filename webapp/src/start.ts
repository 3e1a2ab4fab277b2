// StartClient runs a slash command as the current user (Client4.executeCommand from @mattermost/client).
export interface StartClient {
    executeCommand(command: string, args: {channel_id: string; team_id: string; root_id?: string}): Promise<{goto_location?: string}>;
}

// WindowLike is the part of a browser window startMeeting needs.
export interface WindowLike {
    location: {href: string};
    close(): void;
}

// Starter runs `/zoom start` and remembers which channels have a start running, for the button's busy look.
// One belongs to each Plugin instance, so nothing is shared between plugins (or tests) through module state.
export class Starter {
    private readonly inFlight = new Set<string>();
    private readonly listeners = new Set<() => void>();

    constructor(private readonly client: StartClient, private readonly open: () => WindowLike | null) {}

    // busy reports whether a start is running; subscribe tells when that changes.
    busy(): boolean {
        return this.inFlight.size > 0;
    }

    subscribe(l: () => void): () => void {
        this.listeners.add(l);
        return () => {
            this.listeners.delete(l);
        };
    }

    private changed() {
        this.listeners.forEach((l) => {
            try {
                l();
            } catch {
                // A listener's failure must not stop the start or the other listeners.
            }
        });
    }

    // start runs `/zoom start` in a channel through the user's own session, so mmzoom receives an ordinary,
    // token-verified slash command. Mattermost's client does not follow goto_location, so a window is opened
    // synchronously (inside the click, where popup blockers allow it) and sent to the meeting when the answer
    // arrives, or closed when there is none. A second click while a start is running does nothing.
    // It resolves to an error message for the user, or undefined.
    async start(channelId: string, teamId: string, rootId = ''): Promise<string | undefined> {
        if (!channelId || this.inFlight.has(channelId)) {
            return undefined;
        }
        this.inFlight.add(channelId);
        this.changed();
        const win = this.open();
        try {
            const res = await this.client.executeCommand('/zoom start', {channel_id: channelId, team_id: teamId, root_id: rootId});
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
            this.inFlight.delete(channelId);
            this.changed();
        }
    }
}
