import React from 'react';

import {pluginId} from '../manifest';

export interface ErrorBoundaryProps {
    // fallback is shown instead of the children once they have thrown; it should be too simple to fail.
    fallback: React.ReactNode;
    // name says which component failed, in the console.
    name: string;
    children?: React.ReactNode;
}

// ErrorBoundary keeps a failure of the plugin's own components inside the plugin. Mattermost 5.x has no error
// boundary around plugin components, so an exception there unmounts the whole web app (a blank page for
// every user); later versions may have one, but the plugin does not count on it. Every component the plugin
// registers sits inside one of these. getDerivedStateFromError exists since React 16.6.
export class ErrorBoundary extends React.Component<ErrorBoundaryProps, {failed: boolean}> {
    state = {failed: false};

    static getDerivedStateFromError() {
        return {failed: true};
    }

    componentDidCatch(error: unknown) {
        try {
            console.error(`${pluginId}: ${this.props.name} failed; showing its fallback`, error);
        } catch {
            // the console may be missing
        }
    }

    render() {
        return this.state.failed ? this.props.fallback : this.props.children;
    }
}
