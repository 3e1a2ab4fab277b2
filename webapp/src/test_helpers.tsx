// Helpers shared by the unit tests: the golden props contract, and hand-written fakes of Mattermost's store
// and plugin registry. Each test makes its own; nothing here holds state between tests.
import {readFileSync} from 'node:fs';
import {resolve} from 'node:path';

import type {Post} from '@mattermost/types/posts';
import type {GlobalState} from '@mattermost/types/store';
import type {UserProfile} from '@mattermost/types/users';
import type React from 'react';

import type {PostTypeProps, Registry} from './plugin';
import type {Store} from './store';

// golden is testdata/card_props.golden.json, the contract the Go side writes.
export const golden = JSON.parse(readFileSync(resolve(__dirname, '../../testdata/card_props.golden.json'), 'utf8')) as {
    post_type: string;
    examples: Record<string, Record<string, unknown>>;
    reply_examples: Record<string, {mmzoom_schema: number; mmzoom_card_post_id: string; mmzoom_card: Record<string, unknown>}>;
};

// post makes a post with the fields the plugin reads; the rest of Post does not matter to it.
export function post(fields: Partial<Post> & Pick<Post, 'id' | 'user_id'>): Post {
    return {create_at: 1, message: '', props: {}, root_id: '', type: '', reply_count: 0, ...fields} as Post;
}

export interface FakeWorld {
    me: string;
    locale?: string;
    users: Record<string, Partial<UserProfile>>;
    posts?: Post[];
    channelId?: string;
    teamId?: string;
}

// state builds the slices of Mattermost's GlobalState the plugin reads (a real state has many more).
export function state(w: FakeWorld): GlobalState {
    const profiles: Record<string, Partial<UserProfile>> = {};
    for (const [id, u] of Object.entries(w.users)) {
        profiles[id] = {id, ...u};
    }
    if (w.locale !== undefined) {
        profiles[w.me] = {...profiles[w.me], locale: w.locale};
    }
    const posts: Record<string, Post> = {};
    const postsInThread: Record<string, string[]> = {};
    for (const p of w.posts ?? []) {
        posts[p.id] = p;
        if (p.root_id) {
            (postsInThread[p.root_id] ??= []).push(p.id);
        }
    }
    return {entities: {
        general: {config: {DefaultClientLocale: 'en'}},
        users: {currentUserId: w.me, profiles},
        channels: {currentChannelId: w.channelId ?? 'current'},
        teams: {currentTeamId: w.teamId ?? 'team1'},
        posts: {posts, postsInThread},
    }} as unknown as GlobalState;
}

// FakeStore is a redux-like store whose state a test replaces.
export class FakeStore implements Store {
    private listeners = new Set<() => void>();

    constructor(private current: GlobalState) {}

    getState = () => this.current;

    subscribe = (l: () => void) => {
        this.listeners.add(l);
        return () => {
            this.listeners.delete(l);
        };
    };

    set(next: GlobalState) {
        this.current = next;
        this.listeners.forEach((l) => l());
    }

    listenerCount() {
        return this.listeners.size;
    }
}

type Action = (c?: {id: string; team_id: string}) => void;

// FakeRegistry records what the plugin registers, as Mattermost's registry does, including unregistering.
export class FakeRegistry implements Registry {
    header = new Map<string, {icon: React.ReactNode; action: Action; dropdownText: string; tooltipText: string}>();
    appBar = new Map<string, {iconUrl: string; action: Action; tooltipText: string}>();
    postTypes: Record<string, React.ComponentType<PostTypeProps>> = {};
    translations?: (l: string) => Record<string, string>;
    registerAppBarComponent?: Registry['registerAppBarComponent'];
    private next = 0;

    constructor(withAppBar: boolean) {
        if (withAppBar) {
            this.registerAppBarComponent = (iconUrl, action, tooltipText) => {
                const id = `c${++this.next}`;
                this.appBar.set(id, {iconUrl, action, tooltipText});
                return id;
            };
        }
    }

    registerChannelHeaderButtonAction(icon: React.ReactNode, action: Action, dropdownText: string, tooltipText: string) {
        const id = `c${++this.next}`;
        this.header.set(id, {icon, action, dropdownText, tooltipText});
        return id;
    }

    registerPostTypeComponent(type: string, component: React.ComponentType<PostTypeProps>) {
        this.postTypes[type] = component;
        return `c${++this.next}`;
    }

    registerTranslations(f: (l: string) => Record<string, string>) {
        this.translations = f;
    }

    unregisterComponent(id: string) {
        this.header.delete(id);
        this.appBar.delete(id);
    }
}
