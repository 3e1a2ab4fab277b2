import {Client4} from '@mattermost/client';

import type {PostUtils} from './components/PostMessage';
import {pluginId} from './manifest';
import {Plugin} from './plugin';

declare global {
    interface Window {
        registerPlugin(id: string, plugin: unknown): void;
        basename?: string;
        PostUtils?: PostUtils;
    }
}

const client = new Client4();
client.setUrl(window.location.origin + (window.basename ?? ''));

window.registerPlugin(pluginId, new Plugin({
    client: {
        executeCommand: (command, args) => client.executeCommand(command, args),
        // The whole thread (no perPage): a meeting's updates can outnumber one page of replies.
        getPostThread: (postId) => client.getPaginatedPostThread(postId, {fetchAll: true}),
        doPostAction: (postId, actionId) => client.doPostAction(postId, actionId),
    },
    open: () => window.open('', '_blank'),
    alert: (message) => window.alert(message),
    postUtils: () => window.PostUtils,
}));
