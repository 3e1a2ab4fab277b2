package mmsim

// ViewChannel is userID's client switching to channelID of teamID (the center channel). Commands and clicks
// also set it; a command run in the thread of another channel (the right-hand side) does not, which tests
// reproduce by viewing the other channel after the command.
func (s *Server) ViewChannel(userID, channelID, teamID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dialogChannel == nil {
		s.dialogChannel = map[string][2]string{}
	}
	s.dialogChannel[userID] = [2]string{channelID, teamID}
}
