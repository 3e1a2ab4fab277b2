import type {PostList} from '@mattermost/types/posts';
import type {UserProfile} from '@mattermost/types/users';
import {act, fireEvent, render, screen} from '@testing-library/react';
import {readFileSync} from 'node:fs';
import {resolve} from 'node:path';
import React from 'react';

import {cardActions, formatStart, readCard, zoneOffset} from './card';
import {MeetingCard} from './components/MeetingCard';
import {Plugin, receivedDialogTriggerId, type Options, type PostTypeProps} from './plugin';
import {currentTimezone} from './store';
import {FakeRegistry, FakeStore, post, state} from './test_helpers';

// scheduled is testdata/scheduled_card_props.golden.json, the scheduled cards the Go side writes.
const scheduled = JSON.parse(readFileSync(resolve(__dirname, '../../testdata/scheduled_card_props.golden.json'), 'utf8')) as {
    examples: Record<string, {props: Record<string, unknown>; actions: Array<{id: string; name: string; style: string}> | null; message: string}>;
};

// cardPost is a scheduled card as Mattermost hands it to the plugin: props with the attachment's buttons.
function cardPost(example: string) {
    const e = scheduled.examples[example];
    const props = {...e.props, attachments: [{actions: (e.actions ?? []).map((a) => ({...a, type: 'button'}))}]};
    return post({id: 'card1', user_id: 'bot', message: e.message, props});
}

describe('scheduled cards show the start in the reader\'s own timezone', () => {
    it('reads every scheduled example of the contract', () => {
        for (const e of Object.values(scheduled.examples)) {
            expect(readCard(e.props)).toBeDefined();
        }
    });

    it.each([
        {zone: 'Europe/Berlin', locale: 'en' as const, want: ['14:00', '(UTC+01:00)', 'Dec 8, 2026']},
        {zone: 'Asia/Tokyo', locale: 'ja' as const, want: ['22:00', '(UTC+09:00)', '2026年12月8日']},
        {zone: 'America/New_York', locale: 'en' as const, want: ['08:00', '(UTC-05:00)']},
        {zone: 'Asia/Kolkata', locale: 'en' as const, want: ['18:30', '(UTC+05:30)']},
        {zone: 'Mars/Base', locale: 'en' as const, want: ['13:00', '(UTC+00:00)']},
    ])('$zone', ({zone, locale, want}) => {
        const text = formatStart(locale, '2026-12-08T13:00:00Z', zone);
        for (const w of want) {
            expect(text).toContain(w);
        }
    });

    it('follows daylight saving time', () => {
        expect(zoneOffset(new Date('2026-07-08T13:00:00Z'), 'Europe/Berlin')).toBe('UTC+02:00');
        expect(zoneOffset(new Date('2026-12-08T13:00:00Z'), 'Europe/Berlin')).toBe('UTC+01:00');
    });

    it('shows a one-off meeting with Join and the host\'s buttons', () => {
        const clicked: string[] = [];
        const {container} = render(<MeetingCard post={cardPost('scheduled_once')} locale='en' fromBot={true} timezone='America/New_York'
            onAction={(id) => clicked.push(id)}/>);
        expect(screen.getByText('Scheduled')).toBeTruthy();
        expect(container.querySelector('.mmzoom-start')?.textContent).toContain('08:00');
        expect(container.querySelector('.mmzoom-start')?.textContent).toContain('(UTC-05:00)');
        expect(container.querySelector('.mmzoom-planned')?.textContent).toBe('30 min');
        expect(container.querySelector('a.mmzoom-join')?.getAttribute('href')).toBe(scheduled.examples.scheduled_once.props.meeting_join_url);
        const buttons = [...container.querySelectorAll('button.mmzoom-action')].map((b) => b.textContent);
        expect(buttons).toEqual(['Cancel meeting', 'Reschedule']);
        fireEvent.click(screen.getByText('Reschedule'));
        expect(clicked).toEqual(['reschedule']);
    });

    it('labels the host\'s buttons in the reader\'s language, whatever the scheduler\'s', () => {
        const {container} = render(<MeetingCard post={cardPost('scheduled_series')} locale='en' fromBot={true} timezone='Europe/Berlin' onAction={() => {}}/>);
        expect([...container.querySelectorAll('button.mmzoom-action')].map((b) => b.textContent)).toEqual(['Cancel next', 'Cancel series', 'Reschedule']);
    });

    it('shows a series with its recurrence in Japanese for a reader in Berlin', () => {
        const {container} = render(<MeetingCard post={cardPost('scheduled_series')} locale='ja' fromBot={true} timezone='Europe/Berlin' onAction={() => {}}/>);
        expect(screen.getByText('予定')).toBeTruthy();
        expect(container.querySelector('.mmzoom-start')?.textContent).toContain('06:30');
        expect(container.querySelector('.mmzoom-recurrence')?.textContent).toBe('毎週木曜日（3 回）');
        expect(container.querySelectorAll('button.mmzoom-action')).toHaveLength(3);
    });

    it('shows a cancelled meeting without Join or buttons', () => {
        const {container} = render(<MeetingCard post={cardPost('cancelled')} locale='en' fromBot={true} timezone='Europe/Berlin' onAction={() => {}}/>);
        expect(screen.getByText('Cancelled')).toBeTruthy();
        expect(container.querySelector('a.mmzoom-join')).toBeNull();
        expect(container.querySelector('button.mmzoom-action')).toBeNull();
    });

    it('takes only well-formed buttons from the attachment', () => {
        expect(cardActions({attachments: [{actions: [{id: 'ok1', name: 'OK'}, {id: '<bad>', name: 'x'}, {name: 'no id'}, null]}, 'junk']}))
            .toEqual([{id: 'ok1', name: 'OK', style: undefined}]);
        expect(cardActions(undefined)).toEqual([]);
    });
});

describe('the reader\'s timezone', () => {
    const world = (timezone: Record<string, string>) => state({me: 'me', users: {me: {timezone} as unknown as Partial<UserProfile>}});
    it.each([
        [{useAutomaticTimezone: 'true', automaticTimezone: 'Asia/Tokyo', manualTimezone: 'Europe/Berlin'}, 'Asia/Tokyo'],
        [{useAutomaticTimezone: 'false', automaticTimezone: 'Asia/Tokyo', manualTimezone: 'Europe/Berlin'}, 'Europe/Berlin'],
    ])('%o → %s', (tz, want) => {
        expect(currentTimezone(world(tz))).toBe(want);
    });
    it('falls back to the browser\'s', () => {
        expect(currentTimezone(world({useAutomaticTimezone: 'true', automaticTimezone: '', manualTimezone: ''}))).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    });
});

describe('a card\'s button clicked through the plugin', () => {
    it('clicks as the user and records the trigger id so the Reschedule dialog opens', async () => {
        const calls: string[][] = [];
        const dispatched: unknown[] = [];
        const opts: Options = {
            client: {executeCommand: async () => ({}), getPostThread: async () => ({order: [], posts: {}} as unknown as PostList),
                doPostAction: async (postId, actionId) => {
                    calls.push([postId, actionId]);
                    return {trigger_id: 'trig1'};
                }},
            open: () => null,
            alert: () => {},
        };
        const reg = new FakeRegistry(false);
        const store = new FakeStore(state({me: 'me', users: {me: {}, bot: {is_bot: true}}}));
        (store as unknown as {dispatch: (a: unknown) => void}).dispatch = (a) => dispatched.push(a);
        new Plugin(opts).initialize(reg, store);
        const Card = reg.postTypes.custom_mmzoom_meeting as React.ComponentType<PostTypeProps>;
        render(<Card post={cardPost('scheduled_once')}/>);
        await act(async () => {
            fireEvent.click(screen.getByText('Reschedule'));
        });
        expect(calls).toEqual([['card1', 'reschedule']]);
        expect(dispatched).toEqual([{type: receivedDialogTriggerId, data: 'trig1'}]);
    });
});
