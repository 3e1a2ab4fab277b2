package zoom

import "github.com/mmzoom/mmzoom/meeting"

// Features are the optional things mmzoom does that need scopes of their own (the config file's
// post_summaries, post_transcripts and post_meeting_chat; README, "After the meeting").
type Features struct {
	Summaries   bool // AI Companion summaries: meeting.summary_* events and GET /meetings/{id}/meeting_summary
	Transcripts bool // recording.transcript_completed
	Chat        bool // the CHAT file of recording.completed
}

// FeatureScopes lists what the enabled features need from Zoom, in the kind's form (the :admin variants for
// admin-managed and Server-to-Server apps), granular or classic alike. Zoom lets an app subscribe to an event
// only with its scope, so a missing one means the feature's events never arrive.
func FeatureScopes(kind meeting.AppKind, f Features) []ScopeNeed {
	g := func(s string) string {
		if kind == meeting.KindUser {
			return s
		}
		return s + ":admin"
	}
	var out []ScopeNeed
	if f.Summaries {
		out = append(out, ScopeNeed{"AI Companion summaries, post_summaries",
			[]string{g("meeting:read:summary"), g("meeting_summary:read")}})
	}
	if f.Transcripts || f.Chat {
		out = append(out, ScopeNeed{"transcripts and the meeting chat, post_transcripts/post_meeting_chat",
			[]string{g("cloud_recording:read:recording"), g("recording:read")}})
	}
	return out
}

// MissingFeatureScopes lists what mmzoom needs, the enabled features included, that a space-separated scope
// list does not grant.
func MissingFeatureScopes(kind meeting.AppKind, f Features, granted string) []ScopeNeed {
	return append(MissingScopes(kind, granted), missingOf(FeatureScopes(kind, f), granted)...)
}
