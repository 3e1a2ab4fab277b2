import React from 'react';

import {t, type Locale} from '../i18n';
import {splitSummary} from '../summary';

import {PostMessage, type PostUtils} from './PostMessage';
import type {Theme} from './MeetingCard';

export interface SummarySectionProps {
    message: string;
    locale: Locale;
    theme?: Theme;
    postUtils?: PostUtils;
    // open starts the section opened (a later part of a summary someone is reading).
    open?: boolean;
}

// SummarySection shows a summary reply compactly: its heading on one line with a button that opens the
// summary (as Markdown, the way Mattermost renders posts) and closes it again. A class component: the
// plugin runs on React 16.8 and later.
export class SummarySection extends React.Component<SummarySectionProps, {open: boolean}> {
    state = {open: Boolean(this.props.open)};

    private toggle = () => this.setState((s) => ({open: !s.open}));

    render() {
        const {message, locale, theme, postUtils} = this.props;
        const {title, body} = splitSummary(message);
        const {open} = this.state;
        const accent = theme?.linkColor ?? '#2D8CFF';
        return (
            <div
                className='mmzoom-summary'
                style={{borderLeft: `3px solid ${accent}`, padding: '4px 0 4px 10px', margin: '4px 0'}}
            >
                <button
                    type='button'
                    className='mmzoom-summary-toggle'
                    aria-expanded={open}
                    onClick={this.toggle}
                    style={{background: 'none', border: 0, padding: 0, cursor: 'pointer', color: 'inherit', font: 'inherit', textAlign: 'left'}}
                >
                    <span aria-hidden='true' style={{display: 'inline-block', width: '1em', color: accent}}>{open ? '▾' : '▸'}</span>
                    <strong className='mmzoom-summary-title'>{title || t(locale, 'summary.title')}</strong>
                    <span style={{marginLeft: 8, color: accent}}>{t(locale, open ? 'summary.hide' : 'summary.show')}</span>
                </button>
                {open && (
                    <div className='mmzoom-summary-body' style={{marginTop: 6}}>
                        <PostMessage message={body} locale={locale} postUtils={postUtils}/>
                    </div>
                )}
            </div>
        );
    }
}
