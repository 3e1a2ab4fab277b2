package mattermost

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// The ids of ~channels and @users named in a command arrive as repeated form keys (observed on real servers).
func TestParseCommandMentions(t *testing.T) {
	body := "channel_id=c1&team_id=t1&user_id=u1&token=x&text=channel-policy+listed+~a+~b" +
		"&channel_mentions=a&channel_mentions_ids=id-a&channel_mentions=b&channel_mentions_ids=id-b" +
		"&user_mentions=kenji&user_mentions_ids=id-k"
	r := httptest.NewRequest("POST", "/mattermost/command", strings.NewReader(body))
	c, err := ParseCommand(r)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.ChannelMentionIDs, []string{"id-a", "id-b"}) || !slices.Equal(c.UserMentionIDs, []string{"id-k"}) {
		t.Errorf("mentions %v %v", c.ChannelMentionIDs, c.UserMentionIDs)
	}
}
