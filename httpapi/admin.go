package httpapi

import (
	"context"
	"strings"

	"github.com/mmzoom/mmzoom/mattermost"
	"github.com/mmzoom/mmzoom/meeting"
)

// admin routes `/zoom admin <sub-command>`: the system admins' commands. The service checks that the user
// is a system admin; channels and users named in the text come resolved by Mattermost (~ and @ mentions).
func (s *Server) admin(ctx context.Context, req *mattermost.CommandRequest, text string) (*meeting.Reply, error) {
	sub, rest, _ := strings.Cut(strings.TrimSpace(text), " ")
	switch strings.ToLower(sub) {
	case "users":
		return s.svc.AdminUsers(ctx, req.UserID)
	case "revoke":
		return s.svc.AdminRevoke(ctx, req.UserID, req.UserMentionIDs)
	case "revoke-all":
		return s.svc.AdminRevokeAll(ctx, req.UserID, req.ChannelID)
	case "channel-policy":
		return s.svc.ChannelPolicyCommand(ctx, req.UserID, rest, req.ChannelMentionIDs)
	}
	return s.svc.AdminHelp(ctx, req.UserID)
}
