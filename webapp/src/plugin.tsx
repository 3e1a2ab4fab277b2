import type {Post, PostList} from '@mattermost/types/posts';
import type {GlobalState} from '@mattermost/types/store';
import React from 'react';

import {cardUpdate, readCard, safeLink} from './card';
import {ErrorBoundary} from './components/ErrorBoundary';
import {MeetingCard, type Theme} from './components/MeetingCard';
import {PostMessage, type PostUtils} from './components/PostMessage';
import {SummaryPost} from './components/SummaryPost';
import {t, translations, type Locale} from './i18n';
import {postType, summaryPostType} from './manifest';
import {Starter, type StartClient, type WindowLike} from './start';
import {connect, currentLocale, currentTimezone, isBot, threadUpdate, type Store} from './store';

// Registry is the part of Mattermost's plugin registry the plugin uses (@mattermost/types does not describe
// the registry). The texts are strings, as Mattermost documents them: the header button's aria-label is
// taken from them.
export interface Registry {
    registerChannelHeaderButtonAction(icon: React.ReactNode, action: (channel?: {id: string; team_id: string}) => void, dropdownText: string, tooltipText: string): string;
    registerAppBarComponent?(iconUrl: string, action: (channel?: {id: string; team_id: string}) => void, tooltipText: string): string;
    registerPostTypeComponent(type: string, component: React.ComponentType<PostTypeProps>): string;
    registerTranslations?(getTranslations: (locale: string) => Record<string, string>): void;
    unregisterComponent?(componentId: string): void;
}

// PostTypeProps are what Mattermost passes a post type component.
export interface PostTypeProps {
    post: Post;
    theme?: Theme;
    compactDisplay?: boolean;
    isRHS?: boolean;
}

// ThreadClient reads a post's thread (Client4.getPostThread / getPaginatedPostThread).
export interface ThreadClient {
    getPostThread(postId: string): Promise<PostList>;
}

// ActionClient clicks a post's button as the current user (Client4.doPostAction); the answer's trigger_id
// lets the integration open a dialog.
export interface ActionClient {
    doPostAction(postId: string, actionId: string): Promise<{trigger_id?: string}>;
}

// receivedDialogTriggerId is mattermost-redux's IntegrationTypes.RECEIVED_DIALOG_TRIGGER_ID: the webapp
// opens a dialog pushed over the WebSocket only when its trigger id is the one recorded with this action.
export const receivedDialogTriggerId = 'RECEIVED_DIALOG_TRIGGER_ID';

// Options are the plugin's collaborators, replaceable in tests.
export interface Options {
    client: StartClient & ThreadClient & Partial<ActionClient>;
    open: () => WindowLike | null;
    alert: (message: string) => void;
    // postUtils returns Mattermost's window.PostUtils (absent in old versions and in tests).
    postUtils?: () => PostUtils | undefined;
}

const cameraPath = 'M3 7a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v2.5l4.3-3A1 1 0 0 1 22 7.3v9.4a1 1 0 0 1-1.7.8L16 14.5V17a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V7z';

function CameraSVG({busy}: {busy: boolean}) {
    return (
        <svg width='18' height='18' viewBox='0 0 24 24' aria-hidden='true' aria-busy={busy} style={{opacity: busy ? 0.4 : 1}}>
            <path fill='currentColor' d={cameraPath}/>
        </svg>
    );
}

// CameraIcon is the header button's icon; it dims while a start is running (further clicks do nothing).
// A class component subscribing by hand: useSyncExternalStore does not exist before React 18.
export class CameraIcon extends React.Component<{starter: Starter}, {busy: boolean}> {
    state = {busy: this.props.starter.busy()};
    private unsubscribe?: () => void;

    componentDidMount() {
        this.unsubscribe = this.props.starter.subscribe(this.update);
        this.update();
    }

    componentWillUnmount() {
        this.unsubscribe?.();
        this.unsubscribe = undefined;
    }

    private update = () => {
        const busy = this.props.starter.busy();
        if (this.unsubscribe && busy !== this.state.busy) {
            this.setState({busy});
        }
    };

    render() {
        return <CameraSVG busy={this.state.busy}/>;
    }
}

const cameraIconURL = 'data:image/svg+xml;utf8,' + encodeURIComponent(
    `<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24"><path fill="#2D8CFF" d="${cameraPath}"/></svg>`);

// attempt runs f and gives fallback when it throws: for reads of the host's state outside React, where no
// error boundary can help.
function attempt<T>(f: () => T, fallback: T): T {
    try {
        return f();
    } catch {
        return fallback;
    }
}

interface CardSelected {
    locale: Locale;
    timezone?: string;
    fromBot: boolean;
    // storeUpdate is the newest reply in the store that updates the card.
    storeUpdate?: Post;
}

interface ThreadCardProps extends PostTypeProps, CardSelected {
    threads: ThreadClient;
    postUtils?: PostUtils;
    onAction?: (postId: string, actionId: string) => void;
}

// ThreadCard shows a card with its newest state: the card post's own props, unless a reply in its thread by
// the same bot carries a newer one (meeting_updates_in_thread: the bot could post the card but can never edit
// it). Replies can be missing from the store (collapsed reply threads load none), so the thread is read once
// when the card mounts, and again when Mattermost reports new replies on the post (reply_count,
// last_reply_at).
class ThreadCard extends React.Component<ThreadCardProps, {fetched?: {postId: string; update?: Post}}> {
    state: {fetched?: {postId: string; update?: Post}} = {};
    private fetchedKey = '';
    private mounted = false;

    componentDidMount() {
        this.mounted = true;
        this.fetchThread();
    }

    componentDidUpdate() {
        this.fetchThread();
    }

    componentWillUnmount() {
        this.mounted = false;
    }

    private fetchThread() {
        const {post, fromBot, threads} = this.props;
        const own = fromBot ? readCard(post.props) : undefined;
        if (!own?.meeting_updates_in_thread) {
            return;
        }
        const key = `${post.id}/${post.reply_count ?? ''}/${post.last_reply_at ?? ''}`;
        if (key === this.fetchedKey) {
            return;
        }
        this.fetchedKey = key;
        Promise.resolve().then(() => threads.getPostThread(post.id)).then((list) => {
            if (!this.mounted) {
                return;
            }
            const replies = Object.values(list?.posts ?? {});
            let update: Post | undefined;
            for (const r of replies) {
                if (cardUpdate(post, own, r) && (!update || r.create_at > update.create_at)) {
                    update = r;
                }
            }
            this.setState({fetched: {postId: post.id, update}});
        }).catch(() => {
            // The card keeps showing what it has: its own props or the replies in the store.
        });
    }

    render() {
        const {post, theme, locale, fromBot, storeUpdate, postUtils, timezone, onAction} = this.props;
        const fetched = this.state.fetched?.postId === post.id ? this.state.fetched.update : undefined;
        const newest = [storeUpdate, fetched].reduce<Post | undefined>((a, b) => (b && (!a || b.create_at > a.create_at) ? b : a), undefined);
        const own = fromBot ? readCard(post.props) : undefined;
        const update = own ? cardUpdate(post, own, newest) : undefined;
        const act = onAction && ((actionId: string) => onAction(post.id, actionId));
        return <MeetingCard post={post} update={update} theme={theme} locale={locale} fromBot={fromBot} postUtils={postUtils} timezone={timezone} onAction={act}/>;
    }
}

// Plugin is mmzoom's webapp plugin: the camera buttons, the meeting card and the summary replies.
export class Plugin {
    private unsubscribe?: () => void;

    constructor(private readonly opts: Options) {}

    initialize(registry: Registry, store: Store) {
        const starter = new Starter(this.opts.client, this.opts.open);
        const locale = () => attempt(() => currentLocale(store.getState()), 'en' as Locale);
        const postUtils = () => attempt(() => this.opts.postUtils?.(), undefined);

        const start = async (channel?: {id: string; team_id: string}) => {
            // The App Bar gives no channel in some views (threads): the current one is used.
            const state = attempt(() => store.getState(), undefined);
            const channelId = channel?.id || attempt(() => state?.entities.channels.currentChannelId ?? '', '');
            const teamId = channel?.team_id || attempt(() => state?.entities.teams.currentTeamId ?? '', '');
            const err = await starter.start(channelId, teamId);
            if (err) {
                this.opts.alert(t(locale(), 'startFailed', {error: err}));
            }
        };

        // The buttons' texts are strings, so they are registered again when the user's language changes
        // (where the registry can unregister): the labels follow without a page reload.
        const icon = (
            <ErrorBoundary name='camera icon' fallback={<CameraSVG busy={false}/>}>
                <CameraIcon starter={starter}/>
            </ErrorBoundary>
        );
        let buttons: {locale: Locale; ids: string[]} | undefined;
        const registerButtons = () => {
            const l = locale();
            if (buttons?.locale === l) {
                return;
            }
            buttons?.ids.forEach((id) => registry.unregisterComponent?.(id));
            const text = t(l, 'startButton');
            const ids = [registry.registerChannelHeaderButtonAction(icon, start, text, text)];
            if (registry.registerAppBarComponent) {
                ids.push(registry.registerAppBarComponent(cameraIconURL, start, text));
            }
            buttons = {locale: l, ids};
        };
        registerButtons();
        if (registry.unregisterComponent) {
            this.unsubscribe = store.subscribe(() => attempt(registerButtons, undefined));
        }

        const Connected = connect(store, (state: GlobalState, own: PostTypeProps & {threads: ThreadClient; postUtils?: PostUtils;
            onAction?: (postId: string, actionId: string) => void;}): CardSelected => ({
            locale: currentLocale(state),
            timezone: currentTimezone(state),
            fromBot: isBot(state, own.post?.user_id),
            storeUpdate: threadUpdate(state, own.post),
        }), ThreadCard);
        const threads = this.opts.client;
        const client = this.opts.client;
        // onAction clicks a card's button through the user's session, as Mattermost's own attachment buttons
        // do, and records the trigger id so that a dialog the integration opens (Reschedule) is shown.
        const onAction = client.doPostAction ? (postId: string, actionId: string) => {
            Promise.resolve().then(() => client.doPostAction!(postId, actionId)).then((res) => {
                if (res?.trigger_id) {
                    store.dispatch?.({type: receivedDialogTriggerId, data: res.trigger_id});
                }
            }).catch((err: unknown) => {
                const e = err as {message?: string};
                this.opts.alert(t(locale(), 'actionFailed', {error: e?.message || String(err)}));
            });
        } : undefined;

        // MeetingPost is the registered post type component. A failure anywhere inside it shows the post's
        // message (and, for a bot's post, its Join link) instead of the card; it never reaches Mattermost.
        const MeetingPost = (props: PostTypeProps) => {
            const utils = postUtils();
            return (
                <ErrorBoundary name='meeting card' fallback={<CardFallback post={props.post} store={store} postUtils={utils}/>}>
                    <Connected {...props} threads={threads} postUtils={utils} onAction={onAction}/>
                </ErrorBoundary>
            );
        };
        registry.registerPostTypeComponent(postType, MeetingPost);

        // The AI Companion summary replies in a card's thread: a compact section that opens on a click.
        const ConnectedSummary = connect(store, (state: GlobalState, own: PostTypeProps & {postUtils?: PostUtils}) => ({
            locale: currentLocale(state),
            fromBot: isBot(state, own.post?.user_id),
        }), SummaryPost);
        const SummaryType = (props: PostTypeProps) => {
            const utils = postUtils();
            return (
                <ErrorBoundary name='meeting summary' fallback={<CardFallback post={props.post} store={store} postUtils={utils}/>}>
                    <ConnectedSummary {...props} postUtils={utils}/>
                </ErrorBoundary>
            );
        };
        registry.registerPostTypeComponent(summaryPostType, SummaryType);
        registry.registerTranslations?.(translations);
    }

    uninitialize() {
        this.unsubscribe?.();
        this.unsubscribe = undefined;
    }
}

// CardFallback is what a meeting post shows when its card failed: the message as Markdown and, when the author
// is a bot and the props hold a valid join link, a Join link. Every read is guarded; a failure of the Markdown
// rendering itself leaves plain text (see PostMessage).
function CardFallback({post, store, postUtils}: {post: Post; store: Store; postUtils?: PostUtils}) {
    const state = attempt(() => store.getState(), undefined);
    const locale = attempt(() => (state ? currentLocale(state) : 'en'), 'en' as Locale);
    const join = attempt(() => (state && isBot(state, post.user_id) ? safeLink(readCard(post.props)?.meeting_join_url) : undefined), undefined);
    const message = attempt(() => String(post?.message ?? ''), '');
    return <PostMessage message={message} join={join} locale={locale} postUtils={postUtils}/>;
}
