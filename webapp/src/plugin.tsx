import React, {useSyncExternalStore} from 'react';

import {MeetingCard, type PostLike, type Theme} from './components/MeetingCard';
import {toLocale, translations, t} from './i18n';
import {postType} from './manifest';
import {startMeeting, starting, subscribeStarting, type StartClient, type WindowLike} from './start';

// Registry is the part of Mattermost's plugin registry the plugin uses.
export interface Registry {
    registerChannelHeaderButtonAction(icon: React.ReactNode, action: (channel?: {id: string; team_id: string}) => void, dropdownText: string, tooltipText: string): string;
    registerAppBarComponent?(iconUrl: string, action: (channel?: {id: string; team_id: string}) => void, tooltipText: string): string;
    registerPostTypeComponent(type: string, component: React.ComponentType<{post: PostLike; theme?: Theme}>): string;
    registerTranslations?(getTranslations: (locale: string) => Record<string, string>): void;
}

// State is the part of Mattermost's redux state the plugin reads.
export interface State {
    entities: {
        users: {currentUserId: string; profiles: Record<string, {locale?: string; is_bot?: boolean; username?: string}>};
        channels: {currentChannelId: string};
        teams: {currentTeamId: string};
    };
}

// Store is Mattermost's redux store.
export interface Store {
    getState(): State;
    subscribe(listener: () => void): () => void;
}

// Options are the plugin's collaborators, replaceable in tests.
export interface Options {
    client: StartClient;
    open: () => WindowLike | null;
    alert: (message: string) => void;
    // botUsernames are the usernames of mmzoom's bot, whose posts alone render as cards.
    botUsernames: string[];
}

// CameraIcon is the header button's icon; it dims while a start is running (further clicks do nothing).
export function CameraIcon() {
    const busy = useSyncExternalStore(subscribeStarting, starting);
    return (
        <svg width='18' height='18' viewBox='0 0 24 24' aria-hidden='true' aria-busy={busy} style={{opacity: busy ? 0.4 : 1}}>
            <path fill='currentColor' d='M3 7a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v2.5l4.3-3A1 1 0 0 1 22 7.3v9.4a1 1 0 0 1-1.7.8L16 14.5V17a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V7z'/>
        </svg>
    );
}

const cameraIconURL = 'data:image/svg+xml;utf8,' + encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24"><path fill="#2D8CFF" d="M3 7a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v2.5l4.3-3A1 1 0 0 1 22 7.3v9.4a1 1 0 0 1-1.7.8L16 14.5V17a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V7z"/></svg>');

// Plugin is mmzoom's webapp plugin: the camera buttons and the meeting card.
export class Plugin {
    constructor(private readonly opts: Options) {}

    initialize(registry: Registry, store: Store) {
        const locale = () => {
            const users = store.getState().entities.users;
            return toLocale(users.profiles[users.currentUserId]?.locale);
        };
        const start = async (channel?: {id: string; team_id: string}) => {
            // The App Bar gives no channel in some views (threads): the current one is used.
            const state = store.getState();
            const channelId = channel?.id || state.entities.channels.currentChannelId;
            const teamId = channel?.team_id || state.entities.teams.currentTeamId;
            const err = await startMeeting(this.opts.client, this.opts.open, channelId, teamId);
            if (err) {
                this.opts.alert(t(locale(), 'startFailed', {error: err}));
            }
        };
        registry.registerChannelHeaderButtonAction(<CameraIcon/>, start, t(locale(), 'startButton'), t(locale(), 'startButton'));
        if (registry.registerAppBarComponent) {
            registry.registerAppBarComponent(cameraIconURL, start, t(locale(), 'startButton'));
        }
        const bots = this.opts.botUsernames;
        const Card = ({post, theme}: {post: PostLike; theme?: Theme}) => {
            const state = useSyncExternalStore(store.subscribe, store.getState);
            const users = state.entities.users;
            const author = users.profiles[post.user_id];
            const fromBot = Boolean(author?.is_bot && author.username && bots.includes(author.username));
            return <MeetingCard post={post} theme={theme} locale={toLocale(users.profiles[users.currentUserId]?.locale)} fromBot={fromBot}/>;
        };
        registry.registerPostTypeComponent(postType, Card);
        registry.registerTranslations?.(translations);
    }
}
