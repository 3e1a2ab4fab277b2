// The built bundle on the React versions Mattermost gives plugins: the production webpack build of src/index.tsx,
// run against the UMD builds the Mattermost simulator's page carries (sim/mmsim/webui/vendor), the way the web
// app runs it: window.React and window.ReactDOM are the host's, window.registerPlugin receives the plugin.
// React 17 is what Mattermost 9.x and 10.x ship, 18 is Mattermost 11's; 16.13 (Mattermost 5.x) is older than the
// plugin supports, and the plugin still must not break it.
import {mkdtempSync, readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';

import type {GlobalState} from '@mattermost/types/store';

import type {Plugin, PostTypeProps} from './plugin';
import {FakeRegistry, FakeStore, golden, post, state, type FakeWorld} from './test_helpers';

const require = createRequire(import.meta.url);
const webappDir = resolve(__dirname, '..');
const vendor = resolve(webappDir, '../sim/mmsim/webui/vendor');

// build runs webpack with the plugin's own configuration, writing main.js to a temporary folder.
async function build(): Promise<string> {
    const webpack = require('webpack') as typeof import('webpack');
    const config = require(join(webappDir, 'webpack.config.js'));
    const out = mkdtempSync(join(tmpdir(), 'mmzoom-bundle-'));
    const stats = await new Promise<import('webpack').Stats>((ok, fail) => {
        webpack({...config, mode: 'production', context: webappDir, output: {...config.output, path: out}}, (err, s) => (err || !s ? fail(err) : ok(s)));
    });
    if (stats.hasErrors()) {
        throw new Error(stats.toString('errors-only'));
    }
    return readFileSync(join(out, 'main.js'), 'utf8');
}

// umd evaluates a UMD build as CommonJS, with require answering its dependencies.
function umd(file: string, deps: Record<string, unknown> = {}): any {
    const module = {exports: {} as any};
    new Function('module', 'exports', 'require', readFileSync(file, 'utf8'))(module, module.exports, (name: string) => deps[name]);
    return module.exports;
}

let bundle = '';
beforeAll(async () => {
    bundle = await build();
}, 120_000);

const world: FakeWorld = {me: 'me', locale: 'ja', users: {me: {}, bot: {is_bot: true, username: 'meetings'}}};
const card = (fields = {}) => post({id: 'card1', user_id: 'bot', message: 'Zoom meeting: Weekly sync', props: golden.examples.waiting, ...fields});

describe.each(['16.13.1', '17.0.2', '18.3.1'])('the bundle on React %s', (version) => {
    const R = umd(join(vendor, `react-${version}`, 'react.production.min.js'));
    const RD = umd(join(vendor, `react-${version}`, 'react-dom.production.min.js'), {react: R});
    let plugin: Plugin;
    let reg: FakeRegistry;
    let store: FakeStore;
    let errors: ReturnType<typeof vi.spyOn>;

    beforeEach(() => {
        errors = vi.spyOn(console, 'error').mockImplementation(() => {});
        const w = window as any;
        w.React = R;
        w.ReactDOM = RD;
        (globalThis as any).React = R;
        (globalThis as any).ReactDOM = RD;
        w.registerPlugin = (_id: string, p: Plugin) => {
            plugin = p;
        };
        new Function(bundle)();
        reg = new FakeRegistry(true);
        store = new FakeStore(state(world));
        plugin.initialize(reg, store);
    });
    afterEach(() => {
        plugin.uninitialize();
        errors.mockRestore();
    });

    // mount renders as the host does: one root for the whole page, updates flushed synchronously.
    function mount(el: unknown) {
        const container = document.createElement('div');
        if (RD.createRoot) {
            const root = RD.createRoot(container);
            RD.flushSync(() => root.render(el));
        } else {
            RD.render(el, container);
        }
        return container;
    }
    const h = R.createElement;
    const Card = () => reg.postTypes.custom_mmzoom_meeting as React.ComponentType<PostTypeProps>;

    it('is that React', () => {
        expect(R.version).toBe(version);
    });

    it('renders the header icon, and the card in the user\'s language, following a change', () => {
        const icon = mount([...reg.header.values()][0].icon);
        expect(icon.querySelector('svg path')).not.toBeNull();
        const page = mount(h(Card(), {post: card()}));
        expect(page.querySelector('.mmzoom-card')?.textContent).toContain('ホストの開始待ち');
        RD.flushSync(() => store.set(state({...world, locale: 'en'})));
        expect(page.querySelector('.mmzoom-card')?.textContent).toContain('Waiting for the host');
        expect([...reg.header.values()][0].tooltipText).toBe('Start Zoom meeting');
    });

    it('shows the newest state from the bot\'s replies in the thread', () => {
        const reply = post({id: 'r1', user_id: 'bot', root_id: 'card1', create_at: 5, props: {...golden.reply_examples.ended_in_thread, mmzoom_card_post_id: 'card1'}});
        store.set(state({...world, posts: [card(), reply]}));
        const page = mount(h(Card(), {post: card()}));
        expect(page.querySelector('.mmzoom-card')?.getAttribute('data-status')).toBe('ended');
    });

    it('keeps the host page when a card fails, showing the post\'s message and Join link', () => {
        const exploding = new Proxy({}, {get: () => {
            throw new Error('unexpected theme');
        }});
        const page = mount(h('div', null,
            h('p', {className: 'host'}, 'the host page'),
            h(Card(), {post: card(), theme: exploding}),
            h(Card(), {post: card({id: 'card2'})})));
        expect(page.querySelector('.host')?.textContent).toBe('the host page');
        expect(page.querySelector('a.mmzoom-fallback-join')?.getAttribute('href')).toBe(golden.examples.waiting.meeting_join_url);
        expect(page.querySelectorAll('.mmzoom-card')).toHaveLength(1);
    });

    it('does not throw into the host\'s dispatch when the store fails', () => {
        const page = mount(h(Card(), {post: card()}));
        store.getState = () => {
            throw new Error('state gone');
        };
        expect(() => RD.flushSync(() => store.set(undefined as unknown as GlobalState))).not.toThrow();
        expect(page.textContent).toBe('Zoom meeting: Weekly sync');
    });
});
