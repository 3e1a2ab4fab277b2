import React from 'react';

import {t, type Locale} from '../i18n';

import {ErrorBoundary} from './ErrorBoundary';

// PostUtils is what Mattermost's web app puts on window.PostUtils for plugins to render a message as it
// renders posts: formatText turns Markdown into HTML, messageHtmlToComponent turns that HTML into React
// elements (links, mentions, emoji). The plugin calls both with the text alone, which every version accepts.
export interface PostUtils {
    formatText(text: string): string;
    messageHtmlToComponent(html: string): React.ReactNode;
}

export interface PostMessageProps {
    message: string;
    // join is a Join link to add after the message, for a bot's card the plugin could not draw.
    join?: string;
    locale: Locale;
    postUtils?: PostUtils;
}

// PostMessage is how the plugin shows a post it does not render as a card: the message as Mattermost renders
// it (Markdown, so its links are clickable), or, where window.PostUtils is missing or fails, as text whose
// http(s) links are links.
export function PostMessage(props: PostMessageProps) {
    const plain = <PlainMessage {...props}/>;
    if (!props.postUtils) {
        return plain;
    }
    return (
        <ErrorBoundary
            name='message'
            fallback={plain}
        >
            <MarkdownMessage {...props}/>
        </ErrorBoundary>
    );
}

function MarkdownMessage({message, join, locale, postUtils}: PostMessageProps) {
    const body = postUtils!.messageHtmlToComponent(postUtils!.formatText(message));
    return (
        <div className='mmzoom-message'>
            {body}
            {join && <JoinLink join={join} locale={locale}/>}
        </div>
    );
}

// linkPattern finds Markdown links to http(s) addresses and bare http(s) addresses.
const linkPattern = /\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])/g;

// PlainMessage shows the message as text, with its http(s) links as links: nothing is interpreted as HTML.
export function PlainMessage({message, join, locale}: PostMessageProps) {
    const text = String(message ?? '');
    const parts: React.ReactNode[] = [];
    let last = 0;
    for (const m of text.matchAll(linkPattern)) {
        parts.push(text.slice(last, m.index));
        const href = m[2] ?? m[3];
        parts.push(
            <a key={m.index} href={href} target='_blank' rel='noopener noreferrer'>{m[1] ?? href}</a>,
        );
        last = (m.index ?? 0) + m[0].length;
    }
    parts.push(text.slice(last));
    return (
        <div className='mmzoom-message mmzoom-plain'>
            <p style={{margin: 0, whiteSpace: 'pre-wrap', overflowWrap: 'anywhere'}}>{parts}</p>
            {join && <JoinLink join={join} locale={locale}/>}
        </div>
    );
}

function JoinLink({join, locale}: {join: string; locale: Locale}) {
    return (
        <p style={{margin: '4px 0 0'}}>
            <a className='mmzoom-fallback-join' href={join} target='_blank' rel='noopener noreferrer'>{t(locale, 'join')}</a>
        </p>
    );
}
