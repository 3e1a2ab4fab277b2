import {act, render} from '@testing-library/react';
import React from 'react';

import {CameraIcon, Plugin, type Registry, type State, type Store} from './plugin';
import {startMeeting, type StartClient, type WindowLike} from './start';

function fakeWindow() {
    return {location: {href: ''}, closed: false, close() {
        this.closed = true;
    }} as WindowLike & {closed: boolean};
}

describe('startMeeting', () => {
    it('runs /zoom start in the channel and sends the opened window to the meeting', async () => {
        const calls: unknown[] = [];
        const client: StartClient = {executeCommand: async (command, args) => {
            calls.push({command, args});
            return {goto_location: 'https://zoom.us/s/1?zak=x'};
        }};
        const win = fakeWindow();
        let opened = 0;
        const err = await startMeeting(client, () => {
            opened++;
            return win;
        }, 'ch1', 'team1');
        expect(err).toBeUndefined();
        expect(opened).toBe(1);
        expect(calls).toEqual([{command: '/zoom start', args: {channel_id: 'ch1', team_id: 'team1', root_id: ''}}]);
        expect(win.location.href).toBe('https://zoom.us/s/1?zak=x');
    });

    it('opens the window before the answer (popup blockers allow only that) and closes it when there is no meeting', async () => {
        const order: string[] = [];
        const win = fakeWindow();
        await startMeeting({executeCommand: async () => {
            order.push('command');
            return {};
        }}, () => {
            order.push('open');
            return win;
        }, 'ch1', 't');
        expect(order).toEqual(['open', 'command']);
        expect(win.closed).toBe(true);
    });

    it('reports errors instead of swallowing them', async () => {
        const win = fakeWindow();
        const err = await startMeeting({executeCommand: async () => {
            throw new Error('Command with a trigger of \'/zoom\' failed.');
        }}, () => win, 'ch1', 't');
        expect(err).toContain('failed');
        expect(win.closed).toBe(true);
    });

    it('ignores a second click while a start is running', async () => {
        let release: (v: {goto_location?: string}) => void = () => {};
        let calls = 0;
        const client: StartClient = {executeCommand: () => {
            calls++;
            return new Promise((resolve) => {
                release = resolve;
            });
        }};
        const first = startMeeting(client, () => fakeWindow(), 'ch1', 't');
        await startMeeting(client, () => fakeWindow(), 'ch1', 't');
        expect(calls).toBe(1);
        const icon = render(<CameraIcon/>);
        expect(icon.container.querySelector('svg')?.getAttribute('aria-busy')).toBe('true');
        release({});
        await first;
        await startMeeting({executeCommand: async () => ({})}, () => fakeWindow(), 'ch1', 't');
    });
});

function fakeRegistry(withAppBar: boolean) {
    const reg = {
        header: [] as Array<(c?: {id: string; team_id: string}) => void>,
        appBar: [] as unknown[],
        postTypes: {} as Record<string, React.ComponentType<any>>,
        translations: undefined as undefined | ((l: string) => Record<string, string>),
        registerChannelHeaderButtonAction(_icon: React.ReactNode, action: (c?: {id: string; team_id: string}) => void) {
            reg.header.push(action);
            return 'h';
        },
        registerPostTypeComponent(type: string, c: React.ComponentType<any>) {
            reg.postTypes[type] = c;
            return 'p';
        },
        registerTranslations(f: (l: string) => Record<string, string>) {
            reg.translations = f;
        },
    } as Registry & Record<string, any>;
    if (withAppBar) {
        reg.registerAppBarComponent = (_icon: string, action: unknown) => {
            reg.appBar.push(action);
            return 'a';
        };
    }
    return reg;
}

const state: State = {entities: {
    users: {currentUserId: 'me', profiles: {me: {locale: 'ja'}, bot: {is_bot: true, username: 'zoom'}, mallory: {username: 'mallory'}}},
    channels: {currentChannelId: 'current'},
    teams: {currentTeamId: 'team1'},
}};
const store: Store = {getState: () => state, subscribe: () => () => {}};

describe('Plugin', () => {
    it.each([true, false])('registers its UI (App Bar available: %s)', (appBar) => {
        const reg = fakeRegistry(appBar);
        new Plugin({client: {executeCommand: async () => ({})}, open: () => null, alert: () => {}, botUsernames: ['zoom']}).initialize(reg, store);
        expect(reg.header).toHaveLength(1);
        expect(reg.appBar).toHaveLength(appBar ? 1 : 0);
        expect(reg.postTypes.custom_mmzoom_meeting).toBeDefined();
        expect(reg.translations?.('ja')['com.mmzoom.meetings.join']).toBe('ミーティングに参加');
    });

    it('starts in the current channel when the App Bar gives none, and shows errors in the user\'s language', async () => {
        const reg = fakeRegistry(true);
        const args: unknown[] = [];
        const alerts: string[] = [];
        new Plugin({client: {executeCommand: async (_c, a) => {
            args.push(a);
            throw new Error('boom');
        }}, open: () => null, alert: (m) => alerts.push(m), botUsernames: ['zoom']}).initialize(reg, store);
        await (reg.appBar[0] as () => Promise<void>)();
        expect(args).toEqual([{channel_id: 'current', team_id: 'team1', root_id: ''}]);
        expect(alerts[0]).toContain('Zoom ミーティングを開始できませんでした');
    });

    it('renders cards only for posts by mmzoom\'s bot', async () => {
        const reg = fakeRegistry(false);
        new Plugin({client: {executeCommand: async () => ({})}, open: () => null, alert: () => {}, botUsernames: ['zoom']}).initialize(reg, store);
        const Card = reg.postTypes.custom_mmzoom_meeting;
        const props = {mmzoom_schema: 1, meeting_id: '92674392836', meeting_topic: 'Sync', meeting_join_url: 'https://zoom.us/j/1', meeting_status: 'waiting'};
        let r = render(<Card post={{id: '1', user_id: 'bot', message: 'm', props}}/>);
        await act(async () => {});
        expect(r.container.querySelector('.mmzoom-card')).not.toBeNull();
        expect(r.container.textContent).toContain('ホストの開始待ち');
        r.unmount();
        r = render(<Card post={{id: '2', user_id: 'mallory', message: 'fake card', props}}/>);
        expect(r.container.querySelector('.mmzoom-card')).toBeNull();
        expect(r.container.textContent).toBe('fake card');
    });
});
