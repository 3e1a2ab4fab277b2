import {readFileSync} from 'node:fs';
import {resolve} from 'node:path';

import type {Post, PostList} from '@mattermost/types/posts';
import {fireEvent, render} from '@testing-library/react';
import React from 'react';

import type {PostUtils} from './components/PostMessage';
import {Plugin, type PostTypeProps} from './plugin';
import {readSummary, splitSummary} from './summary';
import {FakeRegistry, FakeStore, post, state, type FakeWorld} from './test_helpers';

// summaryGolden is testdata/summary_reply.golden.json, the summary replies the Go side writes.
const summaryGolden = JSON.parse(readFileSync(resolve(__dirname, '../../testdata/summary_reply.golden.json'), 'utf8')) as {
    post_type: string;
    examples: Record<string, {type: string; message: string; props: Record<string, unknown>}>;
};

const world: FakeWorld = {me: 'alice', users: {alice: {locale: 'en'}, bot: {is_bot: true}, mallory: {}}};

function setup(w: FakeWorld, postUtils?: PostUtils) {
    const reg = new FakeRegistry(false);
    const store = new FakeStore(state(w));
    new Plugin({
        client: {executeCommand: async () => ({}), getPostThread: async () => ({order: [], posts: {}} as unknown as PostList)},
        open: () => null, alert: () => {}, postUtils: () => postUtils,
    }).initialize(reg, store);
    return {store, Summary: reg.postTypes[summaryGolden.post_type] as React.ComponentType<PostTypeProps>};
}

function reply(name: string, userId = 'bot') {
    const ex = summaryGolden.examples[name];
    return post({id: 'r-' + name, user_id: userId, root_id: 'cardpostid0000000000000000', type: ex.type as Post['type'], message: ex.message, props: ex.props});
}

describe('summary replies', () => {
    it('reads the props and the heading as the Go side writes them', () => {
        const ex = summaryGolden.examples.en;
        expect(readSummary(ex.props)).toEqual({cardPostId: 'cardpostid0000000000000000', part: 1, parts: 1});
        expect(splitSummary(ex.message).title).toBe('Meeting summary: Release plan');
        expect(splitSummary('_Meeting summary, continued (part 2 of 3)_\n\nrest').title).toBe('Meeting summary, continued (part 2 of 3)');
        for (const bad of [undefined, {}, {mmzoom_summary: {card_post_id: 1}}, {mmzoom_summary: {card_post_id: 'x', part: 3, parts: 2}}]) {
            expect(readSummary(bad)).toBeUndefined();
        }
    });

    it('is a compact section under the card that opens and closes', () => {
        const {Summary} = setup(world);
        const {container, getByRole, queryByText} = render(<Summary post={reply('en')}/>);
        const toggle = getByRole('button');
        expect(toggle.textContent).toContain('Meeting summary: Release plan');
        expect(toggle.textContent).toContain('Show summary');
        expect(toggle.getAttribute('aria-expanded')).toBe('false');
        expect(queryByText(/Two bugs block the release/)).toBeNull();
        fireEvent.click(toggle);
        expect(toggle.getAttribute('aria-expanded')).toBe('true');
        expect(container.textContent).toContain('Two bugs block the release.');
        expect(container.textContent).toContain('Alice fixes the two bugs');
        expect(container.querySelector('a[href="https://docs.zoom.us/doc/abc"]')).not.toBeNull();
        fireEvent.click(toggle);
        expect(queryByText(/Two bugs block the release/)).toBeNull();
    });

    it('speaks the reader\'s language and renders the body as Mattermost renders posts', () => {
        const formatted: string[] = [];
        const utils: PostUtils = {
            formatText: (text) => {
                formatted.push(text);
                return text;
            },
            messageHtmlToComponent: (html) => <div className='rendered'>{html}</div>,
        };
        const {Summary} = setup({...world, locale: 'ja'}, utils);
        const {getByRole, container} = render(<Summary post={reply('ja')}/>);
        expect(getByRole('button').textContent).toContain('ミーティングの要約: 定例会議のまとめ');
        expect(getByRole('button').textContent).toContain('要約を表示');
        fireEvent.click(getByRole('button'));
        expect(getByRole('button').textContent).toContain('閉じる');
        expect(formatted[0]).toContain('- [ ] リリースノートを翻訳する');
        expect(formatted[0]).not.toContain('ミーティングの要約: 定例会議のまとめ'); // the heading is the section's title
        expect(container.querySelector('.rendered')?.textContent).toContain('健二さんが翻訳を終える。');
    });

    it('shows someone else\'s post of the type as its message, not as mmzoom\'s summary', () => {
        const {Summary} = setup(world);
        const {container, queryByRole} = render(<Summary post={reply('en', 'mallory')}/>);
        expect(queryByRole('button')).toBeNull();
        expect(container.textContent).toContain('Two bugs block the release.');
    });

    it('falls back to the message when rendering fails', () => {
        const broken: PostUtils = {formatText: () => {
            throw new Error('boom');
        }, messageHtmlToComponent: () => null};
        const {Summary} = setup(world, broken);
        const {getByRole, container} = render(<Summary post={reply('en')}/>);
        fireEvent.click(getByRole('button'));
        expect(container.textContent).toContain('Two bugs block the release.');
    });
});
