import {render, screen} from '@testing-library/react';
import React from 'react';

import {badgeColors, cardUpdate, contrastRatio, formatDuration, formatMeetingId, newestUpdate, readCard, type CardProps} from './card';
import {MeetingCard, type Theme} from './components/MeetingCard';
import type {PostUtils} from './components/PostMessage';
import {postType} from './manifest';
import {golden, post} from './test_helpers';

const card = (props: Record<string, unknown>, message = 'Zoom meeting: Weekly sync') => post({id: 'p1', user_id: 'bot', message, props});

describe('the meeting card reads the shared props contract', () => {
    it('uses the post type the Go side posts', () => {
        expect(golden.post_type).toBe(postType);
    });

    const cases: Array<{example: string; locale: 'en' | 'ja'; label: string; join: boolean; passcode: boolean; text?: RegExp}> = [
        {example: 'waiting', locale: 'en', label: 'Waiting for the host', join: true, passcode: true},
        {example: 'started', locale: 'en', label: 'In progress', join: true, passcode: true, text: /Participants\s*3/},
        {example: 'ended', locale: 'en', label: 'Ended', join: false, passcode: true, text: /Lasted 46 min/},
        {example: 'passcode_hidden', locale: 'en', label: 'Waiting for the host', join: true, passcode: false},
        {example: 'updates_in_thread', locale: 'en', label: 'Waiting for the host', join: true, passcode: true, text: /Updates to this meeting follow in the thread/},
        {example: 'waiting', locale: 'ja', label: 'ホストの開始待ち', join: true, passcode: true},
        {example: 'ended', locale: 'ja', label: '終了', join: false, passcode: true, text: /所要時間 46分/},
        {example: 'updates_in_thread', locale: 'ja', label: 'ホストの開始待ち', join: true, passcode: true, text: /更新はスレッドに投稿されます/},
    ];
    it.each(cases)('$example in $locale', ({example, locale, label, join, passcode, text}) => {
        const props = golden.examples[example];
        const {container} = render(<MeetingCard post={card(props)} locale={locale} fromBot={true}/>);
        expect(screen.getByText(label)).toBeTruthy();
        expect(screen.getByText(props.meeting_topic as string)).toBeTruthy();
        expect(container.querySelector('.mmzoom-id')?.textContent).toBe(formatMeetingId(props.meeting_id as string));
        const link = container.querySelector('a.mmzoom-join');
        expect(Boolean(link)).toBe(join);
        if (link) {
            expect(link.getAttribute('href')).toBe(props.meeting_join_url);
            expect(link.getAttribute('rel')).toContain('noopener');
        }
        expect(Boolean(container.querySelector('.mmzoom-passcode'))).toBe(passcode);
        if (text) {
            expect(container.textContent).toMatch(text);
        }
    });

    it('only a card that updates in its thread says so', () => {
        const {container} = render(<MeetingCard post={card(golden.examples.waiting)} locale='en' fromBot={true}/>);
        expect(container.querySelector('.mmzoom-in-thread')).toBeNull();
    });

    it('links the recording when there is one', () => {
        const props = {...golden.examples.ended, meeting_recording_url: 'https://zoom.us/rec/share/abc'};
        const {container} = render(<MeetingCard post={card(props)} locale='en' fromBot={true}/>);
        expect(container.querySelector('a.mmzoom-recording')?.getAttribute('href')).toBe('https://zoom.us/rec/share/abc');
    });

    it('wraps a long unbroken word in the topic instead of widening the card', () => {
        const topic = 'x'.repeat(300);
        const {container} = render(<MeetingCard post={card({...golden.examples.waiting, meeting_topic: topic})} locale='en' fromBot={true}/>);
        const h = container.querySelector('.mmzoom-topic') as HTMLElement;
        expect(h.textContent).toBe(topic);
        expect(h.style.overflowWrap).toBe('anywhere');
        expect((container.querySelector('.mmzoom-card') as HTMLElement).style.maxWidth).toBe('480px');
    });
});

describe('posts that are not mmzoom cards are shown as their message', () => {
    const base = golden.examples.waiting;
    const cases: Array<{name: string; props: Record<string, unknown>; fromBot: boolean}> = [
        {name: 'not by a bot', props: base, fromBot: false},
        {name: 'unknown contract version', props: {...base, mmzoom_schema: 99}, fromBot: true},
        {name: 'javascript: join link', props: {...base, meeting_join_url: 'javascript:alert(1)'}, fromBot: true},
        {name: 'plain http join link', props: {...base, meeting_join_url: 'http://evil.example/j/1'}, fromBot: true},
        {name: 'meeting id not a string', props: {...base, meeting_id: 92674392836}, fromBot: true},
    ];
    it.each(cases)('$name', ({props, fromBot}) => {
        const {container} = render(<MeetingCard post={card(props, 'plain **text**')} locale='en' fromBot={fromBot}/>);
        expect(container.querySelector('.mmzoom-card')).toBeNull();
        expect(container.querySelector('a')).toBeNull();
        expect(container.textContent).toBe('plain **text**');
    });

    it('renders the message as Mattermost renders Markdown when the page offers window.PostUtils', () => {
        const utils: PostUtils = {
            formatText: (text) => text.replace(/\*\*(.+?)\*\*/g, '<b>$1</b>'),
            messageHtmlToComponent: (html) => <span className='host-markdown' dangerouslySetInnerHTML={{__html: html}}/>,
        };
        const {container} = render(<MeetingCard post={card(base, 'plain **text**')} locale='en' fromBot={false} postUtils={utils}/>);
        expect(container.querySelector('.host-markdown b')?.textContent).toBe('text');
    });

    it('shows links of the message as links without PostUtils, and nothing else as HTML', () => {
        const message = 'Zoom meeting: [Join](https://zoom.us/j/1?pwd=x) or https://zoom.us/j/2. <b>no</b> javascript:alert(1)';
        const {container} = render(<MeetingCard post={card({}, message)} locale='en' fromBot={true}/>);
        const links = [...container.querySelectorAll('a')].map((a) => [a.textContent, a.getAttribute('href')]);
        expect(links).toEqual([['Join', 'https://zoom.us/j/1?pwd=x'], ['https://zoom.us/j/2', 'https://zoom.us/j/2']]);
        expect(container.querySelector('b')).toBeNull();
        expect(container.textContent).toContain('<b>no</b> javascript:alert(1)');
    });

    it('accepts loopback http links (the demo)', () => {
        const {container} = render(<MeetingCard post={card({...base, meeting_join_url: 'http://127.0.0.1:9090/j/1?pwd=x'})} locale='en' fromBot={true}/>);
        expect(container.querySelector('a.mmzoom-join')).not.toBeNull();
    });
});

describe('a card whose updates follow in its thread', () => {
    const own = readCard(golden.examples.updates_in_thread) as CardProps;
    const reply = golden.reply_examples.ended_in_thread;
    const root = {id: reply.mmzoom_card_post_id, user_id: 'bot'};
    const r = (fields: Partial<{user_id: string; root_id: string; create_at: number; props: Record<string, unknown>}>) => ({
        user_id: 'bot', root_id: root.id, create_at: 10, props: reply as unknown as Record<string, unknown>, ...fields,
    });

    it('reads the reply contract the Go side writes', () => {
        expect(cardUpdate(root, own, r({}))).toEqual(reply.mmzoom_card);
        expect(cardUpdate(root, own, r({}))?.meeting_updates_in_thread).toBe(true);
    });

    it.each([
        {name: 'by another user', reply: r({user_id: 'mallory'})},
        {name: 'in another thread', reply: r({root_id: 'elsewhere'})},
        {name: 'naming another card', reply: r({props: {...reply, mmzoom_card_post_id: 'other'}})},
        {name: 'of an unknown contract version', reply: r({props: {...reply, mmzoom_schema: 2}})},
        {name: 'for another meeting', reply: r({props: {...reply, mmzoom_card: {...reply.mmzoom_card, meeting_id: '1'}}})},
        {name: 'with a card that is not valid', reply: r({props: {...reply, mmzoom_card: {...reply.mmzoom_card, meeting_join_url: 'javascript:x'}}})},
        {name: 'without props', reply: r({props: undefined})},
    ])('ignores a reply $name', ({reply: bad}) => {
        expect(cardUpdate(root, own, bad as never)).toBeUndefined();
    });

    it('takes the newest valid reply by create_at, whatever the order', () => {
        const started = {...reply, mmzoom_card: {...reply.mmzoom_card, meeting_status: 'started'}};
        const replies = [r({create_at: 30}), r({create_at: 20, props: started}), r({create_at: 40, user_id: 'mallory'})];
        expect(newestUpdate(root, own, replies)?.create_at).toBe(30);
    });

    it('shows the state of the update, keeping the note', () => {
        const {container} = render(<MeetingCard post={card(golden.examples.updates_in_thread)} update={reply.mmzoom_card as unknown as CardProps} locale='en' fromBot={true}/>);
        const c = container.querySelector('.mmzoom-card') as HTMLElement;
        expect(c.dataset.status).toBe('ended');
        expect(c.dataset.source).toBe('thread');
        expect(c.textContent).toMatch(/Lasted 46 min/);
        expect(c.querySelector('.mmzoom-in-thread')).not.toBeNull();
    });
});

describe('formatting matches the Go side', () => {
    it.each([
        [20, 'en', 'less than a minute'], [2730, 'en', '46 min'], [3600, 'en', '1 h'], [3900, 'en', '1 h 5 min'],
        [2730, 'ja', '46分'], [3900, 'ja', '1時間5分'],
    ] as const)('%d s in %s', (seconds, locale, want) => {
        expect(formatDuration(locale, seconds)).toBe(want);
    });
    it('groups meeting ids like Zoom', () => {
        expect(formatMeetingId('92674392836')).toBe('926 7439 2836');
        expect(formatMeetingId('9032745177')).toBe('90 3274 5177');
    });
});

// Mattermost's default light (Denim) and dark (Onyx) themes, the keys the card uses.
const themes: Record<string, Theme> = {
    light: {centerChannelBg: '#ffffff', centerChannelColor: '#3f4350', buttonBg: '#1c58d9', buttonColor: '#ffffff', linkColor: '#386fe5', onlineIndicator: '#3db887'},
    dark: {centerChannelBg: '#191b1f', centerChannelColor: '#e3e4e8', buttonBg: '#4a7ce8', buttonColor: '#ffffff', linkColor: '#5d89ea', onlineIndicator: '#3db887'},
    none: {},
};

describe('the card follows the Mattermost theme', () => {
    it('uses the dark theme\'s colours', () => {
        const dark = {centerChannelBg: '#1f1f1f', centerChannelColor: '#dddddd', buttonBg: '#4cbba4', buttonColor: '#000000'};
        const {container} = render(<MeetingCard post={card(golden.examples.waiting)} theme={dark} locale='en' fromBot={true}/>);
        const c = container.querySelector('.mmzoom-card') as HTMLElement;
        expect(c.style.background).toBe('rgb(31, 31, 31)');
        expect(c.style.color).toBe('rgb(221, 221, 221)');
        const join = container.querySelector('a.mmzoom-join') as HTMLElement;
        expect(join.style.background).toBe('rgb(76, 187, 164)');
        expect(join.style.color).toBe('rgb(0, 0, 0)');
    });

    it('computes WCAG contrast ratios', () => {
        expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
        expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
    });

    const statuses = ['waiting', 'started', 'ended'] as const;
    it.each(Object.keys(themes).flatMap((theme) => statuses.map((status) => ({theme, status}))))(
        'badge text "$status" meets WCAG AA (4.5:1) in the $theme theme, as rendered', ({theme, status}) => {
            const {container} = render(
                <MeetingCard post={card({...golden.examples.waiting, meeting_status: status})} theme={themes[theme]} locale='en' fromBot={true}/>);
            const badge = container.querySelector('.mmzoom-status') as HTMLElement;
            expect(contrastRatio(hex(badge.style.background), hex(badge.style.color))).toBeGreaterThanOrEqual(4.5);
        });

    it('keeps AA even with an odd online colour', () => {
        for (const c of ['#ffff00', '#000080', '#06d6a0', '#777777', '#808080']) {
            const b = badgeColors('started', c);
            expect(contrastRatio(b.background, b.color)).toBeGreaterThanOrEqual(4.5);
        }
        expect(badgeColors('started', 'rgba(1,2,3,0.5)').background).toBe('#06d6a0');
    });
});

// hex turns the rgb(r, g, b) jsdom reports for a style back into #rrggbb.
function hex(rgb: string): string {
    const m = /^rgb\((\d+), (\d+), (\d+)\)$/.exec(rgb);
    if (!m) {
        throw new Error(`not an rgb() colour: ${rgb}`);
    }
    return '#' + m.slice(1).map((v) => Number(v).toString(16).padStart(2, '0')).join('');
}
