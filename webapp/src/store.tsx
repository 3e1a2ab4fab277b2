import type {Post} from '@mattermost/types/posts';
import type {GlobalState} from '@mattermost/types/store';
import React from 'react';

import {newestUpdate, readCard} from './card';
import {toLocale, type Locale} from './i18n';

// Store is the part of Mattermost's redux store a plugin receives in initialize(registry, store) that the
// plugin uses.
export interface Store {
    getState(): GlobalState;
    subscribe(listener: () => void): () => void;
    // dispatch records what the host's reducers need (a dialog's trigger id); absent in some tests.
    dispatch?(action: {type: string; data?: unknown}): unknown;
}

// The selectors read the state defensively: the plugin runs on several Mattermost versions, whose states
// differ, and a missing slice must give "unknown", never an exception.

// currentLocale is the current user's language, falling back to the server's default client language.
export function currentLocale(state: GlobalState): Locale {
    const users = state?.entities?.users;
    const me = users?.profiles?.[users?.currentUserId];
    return toLocale(me?.locale || state?.entities?.general?.config?.DefaultClientLocale);
}

// currentTimezone is the current user's timezone as Mattermost keeps it (automatic or manual, strings),
// falling back to the browser's own.
export function currentTimezone(state: GlobalState): string | undefined {
    const users = state?.entities?.users;
    const tz = users?.profiles?.[users?.currentUserId]?.timezone as {useAutomaticTimezone?: string | boolean; automaticTimezone?: string; manualTimezone?: string} | undefined;
    const auto = tz?.useAutomaticTimezone === 'true' || tz?.useAutomaticTimezone === true;
    const zone = (auto ? tz?.automaticTimezone : tz?.manualTimezone) || tz?.automaticTimezone;
    if (zone) {
        return zone;
    }
    try {
        return Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch {
        return undefined;
    }
}

// isBot says whether the user is a bot account according to the server (user.is_bot of the store's
// profiles). Posts of mmzoom's type render as cards only when a bot wrote them: anyone can create a post of
// any custom type through the REST API, while only an administrator can create a bot. props.from_bot is
// not used: it travels in the props the client sends, and it is not confirmed that every server version
// removes it from a user's post.
export function isBot(state: GlobalState, userId: string): boolean {
    return Boolean(state?.entities?.users?.profiles?.[userId]?.is_bot);
}

// threadUpdate is the newest reply in the store that updates the card post (see cardUpdate), if any.
export function threadUpdate(state: GlobalState, post: Post): Post | undefined {
    const own = readCard(post?.props);
    const posts = state?.entities?.posts;
    const ids = posts?.postsInThread?.[post?.id];
    if (!own || !ids?.length) {
        return undefined;
    }
    return newestUpdate(post, own, ids.map((id) => posts?.posts?.[id]));
}

// shallowEqual compares the values a selector returns, key by key.
export function shallowEqual(a: object, b: object): boolean {
    const ka = Object.keys(a) as Array<keyof typeof a>;
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.is(a[k], b[k]));
}

// connect gives a component what select reads from the store, re-rendering it only when that changes, like
// react-redux's connect but written for every React Mattermost ships (16.8+: a class component, no hooks
// newer than the oldest supported React). Each connected component reads only its own slice: an update to
// the store runs select and compares, and leaves the component alone when its slice did not change.
export function connect<Own extends object, Selected extends object>(
    store: Store,
    select: (state: GlobalState, own: Own) => Selected,
    Inner: React.ComponentType<Own & Selected>,
): React.ComponentType<Own> {
    return class Connected extends React.Component<Own> {
        private unsubscribe?: () => void;
        private selected?: Selected;

        componentDidMount() {
            this.unsubscribe = store.subscribe(this.onStoreChange);
            this.onStoreChange(); // the state may have changed between render and subscribe
        }

        componentWillUnmount() {
            this.unsubscribe?.();
            this.unsubscribe = undefined;
        }

        // onStoreChange runs inside the host's dispatch: it must never throw there. A selector that fails is
        // left to fail again in render, where the plugin's error boundary catches it.
        private onStoreChange = () => {
            if (!this.unsubscribe) {
                return;
            }
            try {
                const next = select(store.getState(), this.props);
                if (this.selected && shallowEqual(next, this.selected)) {
                    return;
                }
            } catch {
                // render reports it
            }
            try {
                this.forceUpdate();
            } catch {
                // React 16/17 render synchronously here; the boundary has already shown the fallback.
            }
        };

        render() {
            this.selected = select(store.getState(), this.props);
            return <Inner {...this.props} {...this.selected}/>;
        }
    };
}
