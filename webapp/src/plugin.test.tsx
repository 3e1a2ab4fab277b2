import type {Post, PostList} from '@mattermost/types/posts';
import type {GlobalState} from '@mattermost/types/store';
import {act, render} from '@testing-library/react';
import React from 'react';

import {ErrorBoundary} from './components/ErrorBoundary';
import type {PostUtils} from './components/PostMessage';
import {CameraIcon, Plugin, type Options, type PostTypeProps} from './plugin';
import {Starter, type StartClient, type WindowLike} from './start';
import {connect} from './store';
import {FakeRegistry, FakeStore, golden, post, state, type FakeWorld} from './test_helpers';

function fakeWindow() {
    return {location: {href: ''}, closed: false, close() {
        this.closed = true;
    }} as WindowLike & {closed: boolean};
}

describe('Starter', () => {
    it('runs /zoom start in the channel and sends the opened window to the meeting', async () => {
        const calls: unknown[] = [];
        const client: StartClient = {executeCommand: async (command, args) => {
            calls.push({command, args});
            return {goto_location: 'https://zoom.us/s/1?zak=x'};
        }};
        const win = fakeWindow();
        let opened = 0;
        const err = await new Starter(client, () => {
            opened++;
            return win;
        }).start('ch1', 'team1');
        expect(err).toBeUndefined();
        expect(opened).toBe(1);
        expect(calls).toEqual([{command: '/zoom start', args: {channel_id: 'ch1', team_id: 'team1', root_id: ''}}]);
        expect(win.location.href).toBe('https://zoom.us/s/1?zak=x');
    });

    it('opens the window before the answer (popup blockers allow only that) and closes it when there is no meeting', async () => {
        const order: string[] = [];
        const win = fakeWindow();
        await new Starter({executeCommand: async () => {
            order.push('command');
            return {};
        }}, () => {
            order.push('open');
            return win;
        }).start('ch1', 't');
        expect(order).toEqual(['open', 'command']);
        expect(win.closed).toBe(true);
    });

    it('reports errors instead of swallowing them', async () => {
        const win = fakeWindow();
        const err = await new Starter({executeCommand: async () => {
            throw new Error('Command with a trigger of \'/zoom\' failed.');
        }}, () => win).start('ch1', 't');
        expect(err).toContain('failed');
        expect(win.closed).toBe(true);
    });

    it('ignores a second click while a start is running, and the icon shows it is busy', async () => {
        let release: (v: {goto_location?: string}) => void = () => {};
        let calls = 0;
        const starter = new Starter({executeCommand: () => {
            calls++;
            return new Promise((resolve) => {
                release = resolve;
            });
        }}, () => fakeWindow());
        const icon = render(<CameraIcon starter={starter}/>);
        const busy = () => icon.container.querySelector('svg')?.getAttribute('aria-busy');
        expect(busy()).toBe('false');
        let first: Promise<unknown> = Promise.resolve();
        act(() => {
            first = starter.start('ch1', 't');
        });
        await starter.start('ch1', 't');
        expect(calls).toBe(1);
        expect(busy()).toBe('true');
        await act(async () => {
            release({});
            await first;
        });
        expect(busy()).toBe('false');
    });

    it('keeps its state to itself: another Starter is not busy', () => {
        const a = new Starter({executeCommand: () => new Promise(() => {})}, () => null);
        void a.start('ch1', 't');
        expect(a.busy()).toBe(true);
        expect(new Starter({executeCommand: async () => ({})}, () => null).busy()).toBe(false);
    });
});

// The bot is deliberately not called zoom: any bot's posts render as cards.
const world: FakeWorld = {me: 'me', locale: 'ja', users: {me: {username: 'me'}, bot: {is_bot: true, username: 'meetings'}, mallory: {username: 'zoom'}}};
const cardPost = (fields: Partial<Post> = {}) => post({id: 'card1', user_id: 'bot', message: 'Zoom meeting: Weekly sync', props: golden.examples.waiting, ...fields});

function options(extra: Partial<Options> = {}): Options {
    return {
        client: {executeCommand: async () => ({}), getPostThread: async () => ({order: [], posts: {}} as unknown as PostList)},
        open: () => null,
        alert: () => {},
        ...extra,
    };
}

function setup(w: FakeWorld = world, extra: Partial<Options> = {}, withAppBar = false) {
    const reg = new FakeRegistry(withAppBar);
    const store = new FakeStore(state(w));
    const plugin = new Plugin(options(extra));
    plugin.initialize(reg, store);
    const Card = reg.postTypes.custom_mmzoom_meeting as React.ComponentType<PostTypeProps>;
    return {reg, store, plugin, Card};
}

describe('Plugin', () => {
    it.each([true, false])('registers its UI (App Bar available: %s)', (appBar) => {
        const {reg} = setup(world, {}, appBar);
        expect(reg.header.size).toBe(1);
        expect(reg.appBar.size).toBe(appBar ? 1 : 0);
        expect(reg.postTypes.custom_mmzoom_meeting).toBeDefined();
        expect(reg.translations?.('ja')['com.mmzoom.meetings.join']).toBe('ミーティングに参加');
    });

    it('starts in the current channel when the App Bar gives none, and shows errors in the user\'s language', async () => {
        const args: unknown[] = [];
        const alerts: string[] = [];
        const {reg} = setup(world, {
            client: {...options().client, executeCommand: async (_c, a) => {
                args.push(a);
                throw new Error('boom');
            }},
            alert: (m) => alerts.push(m),
        }, true);
        await [...reg.appBar.values()][0].action();
        expect(args).toEqual([{channel_id: 'current', team_id: 'team1', root_id: ''}]);
        expect(alerts[0]).toContain('Zoom ミーティングを開始できませんでした');
    });

    it('labels its buttons in the user\'s language and follows a change without a page reload', () => {
        const {reg, store, plugin} = setup({...world, locale: 'en'}, {}, true);
        const labels = () => [...[...reg.header.values()].map((h) => h.tooltipText), ...[...reg.appBar.values()].map((a) => a.tooltipText)];
        expect(labels()).toEqual(['Start Zoom meeting', 'Start Zoom meeting']);
        store.set(state({...world, locale: 'ja'}));
        expect(labels()).toEqual(['Zoom ミーティングを開始', 'Zoom ミーティングを開始']);
        store.set(state({...world, locale: 'ja', channelId: 'other'})); // no change of language: nothing registered again
        expect(reg.header.size).toBe(1);
        plugin.uninitialize();
        expect(store.listenerCount()).toBe(0);
    });

    it('renders cards for posts by a bot of any name, and not for other users\' posts', () => {
        const {Card} = setup();
        let r = render(<Card post={cardPost()}/>);
        expect(r.container.querySelector('.mmzoom-card')).not.toBeNull();
        expect(r.container.textContent).toContain('ホストの開始待ち');
        r.unmount();
        r = render(<Card post={cardPost({id: '2', user_id: 'mallory', message: 'fake card'})}/>);
        expect(r.container.querySelector('.mmzoom-card')).toBeNull();
        expect(r.container.textContent).toBe('fake card');
    });

    it('shows a card once the author\'s profile arrives in the store', () => {
        const {Card, store} = setup({...world, users: {me: {}}});
        const r = render(<Card post={cardPost()}/>);
        expect(r.container.querySelector('.mmzoom-card')).toBeNull();
        act(() => store.set(state(world)));
        expect(r.container.querySelector('.mmzoom-card')).not.toBeNull();
    });

    it('re-renders a mounted card in the new language when the user changes it', () => {
        const {Card, store} = setup({...world, locale: 'en'});
        const r = render(<Card post={cardPost()}/>);
        const el = r.container.querySelector('.mmzoom-card');
        expect(el?.textContent).toContain('Waiting for the host');
        act(() => store.set(state({...world, locale: 'ja'})));
        expect(r.container.querySelector('.mmzoom-card')?.textContent).toContain('ホストの開始待ち');
        act(() => store.set(state({...world, locale: ''}))); // no language of one's own: the server's default
        expect(r.container.querySelector('.mmzoom-card')?.textContent).toContain('Waiting for the host');
    });
});

describe('connect', () => {
    it('re-renders a component only when what it selects changes', () => {
        const store = new FakeStore(state(world));
        let renders = 0;
        const Inner = ({locale}: {locale: string}) => {
            renders++;
            return <span>{locale}</span>;
        };
        const C = connect(store, (s: GlobalState) => ({locale: s.entities.users.profiles.me?.locale ?? ''}), Inner);
        const r = render(<C/>);
        expect(renders).toBe(1);
        act(() => store.set(state({...world, channelId: 'elsewhere', posts: [post({id: 'x', user_id: 'me'})]})));
        expect(renders).toBe(1);
        act(() => store.set(state({...world, locale: 'en'})));
        expect(renders).toBe(2);
        expect(r.container.textContent).toBe('en');
        r.unmount();
        expect(store.listenerCount()).toBe(0);
    });
});

describe('a card whose updates follow in its thread', () => {
    const example = golden.reply_examples.ended_in_thread;
    const id = example.mmzoom_card_post_id;
    const root = cardPost({id, props: golden.examples.updates_in_thread});
    const reply = (fields: Partial<Post> = {}) => post({id: 'r' + (fields.create_at ?? 10), user_id: 'bot', root_id: id, create_at: 10, message: 'The meeting ended.', props: example, ...fields});
    const started = {...example, mmzoom_card: {...example.mmzoom_card, meeting_status: 'started', meeting_participant_count: 2}};
    const status = (c: HTMLElement) => c.querySelector('.mmzoom-card')?.getAttribute('data-status');

    it('shows the newest state among the bot\'s replies in the store', async () => {
        const {Card, store} = setup({...world, posts: [root, reply({create_at: 20, props: started})]});
        const r = render(<Card post={root}/>);
        await act(async () => {}); // the thread read (empty here)
        expect(status(r.container)).toBe('started');
        act(() => store.set(state({...world, posts: [root, reply({create_at: 20, props: started}), reply({create_at: 30})]})));
        expect(status(r.container)).toBe('ended');
        // A newer reply by someone else, or an older one by the bot, does not change it.
        act(() => store.set(state({...world, posts: [root, reply({create_at: 30}), reply({create_at: 40, user_id: 'mallory', props: started}), reply({create_at: 5, props: started})]})));
        expect(status(r.container)).toBe('ended');
    });

    it('reads the thread when the store has none of its replies (collapsed reply threads), once', async () => {
        const asked: string[] = [];
        let answer: PostList = {order: [], posts: {}} as unknown as PostList;
        const getPostThread = async (postId: string) => {
            asked.push(postId);
            return answer;
        };
        answer = {order: ['r10', id], posts: {[id]: root, r10: reply()}} as unknown as PostList;
        const {Card, store} = setup(world, {client: {...options().client, getPostThread}});
        const r = render(<Card post={root}/>);
        expect(status(r.container)).toBe('waiting');
        await act(async () => {});
        expect(status(r.container)).toBe('ended');
        act(() => store.set(state({...world, locale: 'en'})));
        r.rerender(<Card post={root}/>);
        await act(async () => {});
        expect(asked).toEqual([id]);
        // Mattermost counts a new reply on the post: the thread is read again.
        r.rerender(<Card post={{...root, reply_count: 1}}/>);
        await act(async () => {});
        expect(asked).toEqual([id, id]);
    });

    it('keeps the card\'s own state when the thread cannot be read, and reads no thread for other cards', async () => {
        const asked: string[] = [];
        const getPostThread = async (postId: string) => {
            asked.push(postId);
            throw new Error('403');
        };
        const {Card} = setup(world, {client: {...options().client, getPostThread}});
        const r = render(<><Card post={root}/><Card post={cardPost({id: 'plain'})}/></>);
        await act(async () => {});
        expect(asked).toEqual([id]);
        expect([...r.container.querySelectorAll('.mmzoom-card')].map((c) => c.getAttribute('data-status'))).toEqual(['waiting', 'waiting']);
    });
});

// A component that throws while rendering, as the plugin's did on React 17 (a hook React 17 lacks).
function Thrower(): React.ReactElement {
    throw new TypeError('(0 , n(...).useSyncExternalStore) is not a function');
}

describe('the error boundary keeps failures inside the plugin', () => {
    let errors: ReturnType<typeof vi.spyOn>;
    beforeEach(() => {
        errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    });
    afterEach(() => {
        errors.mockRestore();
    });

    it('a component that throws shows its fallback and leaves the host page mounted', () => {
        const r = render(
            <div>
                <p className='host'>the host page</p>
                <ErrorBoundary name='test' fallback={<span className='fallback'>fallback</span>}><Thrower/></ErrorBoundary>
            </div>,
        );
        expect(r.container.querySelector('.host')?.textContent).toBe('the host page');
        expect(r.container.querySelector('.fallback')).not.toBeNull();
        expect(errors.mock.calls.some((c) => String(c[0]).includes('com.mmzoom.meetings: test failed'))).toBe(true);
    });

    // A theme whose every read throws stands for anything the card did not expect from its host.
    const explodingTheme = new Proxy({}, {get: () => {
        throw new Error('unexpected theme');
    }});
    const markdown: PostUtils = {
        formatText: (text) => text.replace(/\[([^\]]+)\]\(([^)]+)\)/g, '<a href="$2">$1</a>'),
        messageHtmlToComponent: (html) => <span className='host-markdown' dangerouslySetInnerHTML={{__html: html}}/>,
    };

    it('a card that fails shows the post\'s message as Markdown and its Join link, and the page stays', () => {
        const {Card} = setup(world, {postUtils: () => markdown});
        const r = render(
            <div>
                <p className='host'>the host page</p>
                <Card post={cardPost({message: 'Zoom meeting: [Weekly sync](https://zoom.us/j/1)'})} theme={explodingTheme}/>
                <Card post={cardPost({id: 'ok'})}/>
            </div>,
        );
        expect(r.container.querySelector('.host')).not.toBeNull();
        expect(r.container.querySelector('.host-markdown a')?.getAttribute('href')).toBe('https://zoom.us/j/1');
        expect(r.container.querySelector('a.mmzoom-fallback-join')?.getAttribute('href')).toBe(golden.examples.waiting.meeting_join_url);
        expect(r.container.querySelector('a.mmzoom-fallback-join')?.textContent).toBe('ミーティングに参加');
        expect(r.container.querySelectorAll('.mmzoom-card')).toHaveLength(1); // the other card is unaffected
    });

    it('a fallback whose Markdown rendering fails too shows plain text with clickable links', () => {
        const broken: PostUtils = {formatText: () => {
            throw new Error('no emoji map');
        }, messageHtmlToComponent: () => null};
        const {Card} = setup(world, {postUtils: () => broken});
        const r = render(<Card post={cardPost({message: 'Zoom meeting: https://zoom.us/j/1'})} theme={explodingTheme}/>);
        expect([...r.container.querySelectorAll('a')].map((a) => a.getAttribute('href'))).toEqual(['https://zoom.us/j/1', golden.examples.waiting.meeting_join_url]);
    });

    it('a fake card by another user that fails gets no Join link from its props', () => {
        const {Card} = setup();
        const r = render(<Card post={cardPost({user_id: 'mallory', message: 'totally a card'})} theme={explodingTheme}/>);
        expect(r.container.querySelector('a')).toBeNull();
    });

    it('a store that starts failing never throws into the host\'s dispatch', () => {
        const {Card, store} = setup();
        const r = render(<Card post={cardPost()}/>);
        expect(r.container.querySelector('.mmzoom-card')).not.toBeNull();
        store.getState = () => {
            throw new Error('state gone');
        };
        expect(() => act(() => store.set(undefined as unknown as GlobalState))).not.toThrow();
        expect(r.container.querySelector('.mmzoom-card')).toBeNull();
        expect(r.container.textContent).toBe('Zoom meeting: Weekly sync');
    });

    it('the header icon is inside a boundary too', () => {
        const {reg} = setup();
        const icon = [...reg.header.values()][0].icon as React.ReactElement<{name: string}>;
        expect(icon.type).toBe(ErrorBoundary);
        expect(render(<>{icon}</>).container.querySelector('svg')).not.toBeNull();
    });
});
