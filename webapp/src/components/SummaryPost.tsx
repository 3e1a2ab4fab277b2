import type {Post} from '@mattermost/types/posts';
import React from 'react';

import type {Locale} from '../i18n';
import {readSummary} from '../summary';

import type {Theme} from './MeetingCard';
import {PostMessage, type PostUtils} from './PostMessage';
import {SummarySection} from './SummarySection';

export interface SummaryPostProps {
    post: Post;
    theme?: Theme;
    locale: Locale;
    // fromBot: the server says the author is a bot. Only a bot's summary reply becomes a collapsible
    // section; anyone else's post of this type shows its message as it is.
    fromBot: boolean;
    postUtils?: PostUtils;
}

// SummaryPost renders a custom_mmzoom_summary post: mmzoom's AI Companion summary reply as a compact,
// collapsible section, or, for a post that is not a bot's or whose props are not a summary's, its message.
export function SummaryPost({post, theme, locale, fromBot, postUtils}: SummaryPostProps) {
    const message = String(post?.message ?? '');
    if (!fromBot || !readSummary(post?.props)) {
        return <PostMessage message={message} locale={locale} postUtils={postUtils}/>;
    }
    return <SummarySection message={message} locale={locale} theme={theme} postUtils={postUtils}/>;
}
