import {Client4} from '@mattermost/client';

import {pluginId} from './manifest';
import {Plugin} from './plugin';

declare global {
    interface Window {
        registerPlugin(id: string, plugin: unknown): void;
        basename?: string;
    }
}

const client = new Client4();
client.setUrl(window.location.origin + (window.basename ?? ''));

window.registerPlugin(pluginId, new Plugin({
    client,
    open: () => window.open('', '_blank'),
    alert: (message) => window.alert(message),
    botUsernames: ['zoom'],
}));
