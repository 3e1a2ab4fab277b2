import {readFileSync} from 'node:fs';
import {resolve} from 'node:path';

import {render, screen} from '@testing-library/react';
import React from 'react';

import {formatDuration, formatMeetingId} from './card';
import {MeetingCard} from './components/MeetingCard';
import {postType} from './manifest';

// The props contract is defined once, by the Go side, in testdata/card_props.golden.json.
const golden = JSON.parse(readFileSync(resolve(__dirname, '../../testdata/card_props.golden.json'), 'utf8')) as {
    post_type: string;
    examples: Record<string, Record<string, unknown>>;
};

const post = (props: Record<string, unknown>, message = 'Zoom meeting: Weekly sync') => ({id: 'p1', user_id: 'bot', message, props});

describe('the meeting card reads the shared props contract', () => {
    it('uses the post type the Go side posts', () => {
        expect(golden.post_type).toBe(postType);
    });

    const cases: Array<{example: string; locale: 'en' | 'ja'; label: string; join: boolean; passcode: boolean; text?: RegExp}> = [
        {example: 'waiting', locale: 'en', label: 'Waiting for the host', join: true, passcode: true},
        {example: 'started', locale: 'en', label: 'In progress', join: true, passcode: true, text: /Participants\s*3/},
        {example: 'ended', locale: 'en', label: 'Ended', join: false, passcode: true, text: /Lasted 46 min/},
        {example: 'passcode_hidden', locale: 'en', label: 'Waiting for the host', join: true, passcode: false},
        {example: 'waiting', locale: 'ja', label: 'ホストの開始待ち', join: true, passcode: true},
        {example: 'ended', locale: 'ja', label: '終了', join: false, passcode: true, text: /所要時間 46分/},
    ];
    it.each(cases)('$example in $locale', ({example, locale, label, join, passcode, text}) => {
        const props = golden.examples[example];
        const {container} = render(<MeetingCard post={post(props)} locale={locale} fromBot={true}/>);
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

    it('links the recording when there is one', () => {
        const props = {...golden.examples.ended, meeting_recording_url: 'https://zoom.us/rec/share/abc'};
        const {container} = render(<MeetingCard post={post(props)} locale='en' fromBot={true}/>);
        expect(container.querySelector('a.mmzoom-recording')?.getAttribute('href')).toBe('https://zoom.us/rec/share/abc');
    });
});

describe('posts that are not mmzoom cards are shown as plain messages', () => {
    const base = golden.examples.waiting;
    const cases: Array<{name: string; props: Record<string, unknown>; fromBot: boolean}> = [
        {name: 'not by the bot', props: base, fromBot: false},
        {name: 'unknown contract version', props: {...base, mmzoom_schema: 99}, fromBot: true},
        {name: 'javascript: join link', props: {...base, meeting_join_url: 'javascript:alert(1)'}, fromBot: true},
        {name: 'plain http join link', props: {...base, meeting_join_url: 'http://evil.example/j/1'}, fromBot: true},
        {name: 'meeting id not a string', props: {...base, meeting_id: 92674392836}, fromBot: true},
    ];
    it.each(cases)('$name', ({props, fromBot}) => {
        const {container} = render(<MeetingCard post={post(props, 'plain **text**')} locale='en' fromBot={fromBot}/>);
        expect(container.querySelector('.mmzoom-card')).toBeNull();
        expect(container.querySelector('a')).toBeNull();
        expect(container.textContent).toBe('plain **text**');
    });

    it('accepts loopback http links (the demo)', () => {
        const {container} = render(<MeetingCard post={post({...base, meeting_join_url: 'http://127.0.0.1:9090/j/1?pwd=x'})} locale='en' fromBot={true}/>);
        expect(container.querySelector('a.mmzoom-join')).not.toBeNull();
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

describe('the card follows the Mattermost theme', () => {
    it('uses the dark theme\'s colours', () => {
        const dark = {centerChannelBg: '#1f1f1f', centerChannelColor: '#dddddd', buttonBg: '#4cbba4', buttonColor: '#000000'};
        const {container} = render(<MeetingCard post={post(golden.examples.waiting)} theme={dark} locale='en' fromBot={true}/>);
        const card = container.querySelector('.mmzoom-card') as HTMLElement;
        expect(card.style.background).toBe('rgb(31, 31, 31)');
        expect(card.style.color).toBe('rgb(221, 221, 221)');
        const join = container.querySelector('a.mmzoom-join') as HTMLElement;
        expect(join.style.background).toBe('rgb(76, 187, 164)');
        expect(join.style.color).toBe('rgb(0, 0, 0)');
    });
});
