package mmsim

import "strings"

// Server plugins register slash commands too (app/plugin_commands.go RegisterPluginCommand), for one team
// or for all (team ""). Mattermost tries them before the custom commands (app/command.go ExecuteCommand:
// "Plugins can override built in and custom commands"), so a plugin's /zoom — the Zoom plugin bundled with
// Mattermost registers one — silently takes /zoom from mmzoom's custom command. Creating the custom
// command still succeeds: createCommand checks the team's commands and the built-in ones only.

// pluginCommand is a command a server plugin registered: model.Command with only the trigger, team,
// autocomplete fields and display name set (no id, token or URL), and what the plugin answers.
type pluginCommand struct {
	pluginID, teamID, trigger, displayName, text string
}

// RegisterPluginCommand makes a server plugin's /trigger answer text in team teamID ("" for every team), as
// a running plugin's RegisterCommand does.
func (s *Server) RegisterPluginCommand(pluginID, teamID, trigger, displayName, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.admin.pluginCommands = append(s.admin.pluginCommands, pluginCommand{pluginID: pluginID, teamID: teamID,
		trigger: strings.ToLower(trigger), displayName: displayName, text: text})
}

// UnregisterPluginCommands removes a plugin's commands, as disabling it does.
func (s *Server) UnregisterPluginCommands(pluginID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var keep []pluginCommand
	for _, pc := range s.admin.pluginCommands {
		if pc.pluginID != pluginID {
			keep = append(keep, pc)
		}
	}
	s.admin.pluginCommands = keep
}

// pluginCommandFor is tryExecutePluginCommand's lookup: the first plugin command with the trigger in the
// team or in every team.
func (s *Server) pluginCommandFor(teamID, trigger string) *pluginCommand {
	for i, pc := range s.admin.pluginCommands {
		if (pc.teamID == "" || pc.teamID == teamID) && pc.trigger == trigger {
			return &s.admin.pluginCommands[i]
		}
	}
	return nil
}

// pluginCommandJSON is a plugin command as the command listings show it: no id, token, URL or creator.
func pluginCommandJSON(pc pluginCommand) map[string]any {
	return map[string]any{"id": "", "token": "", "create_at": 0, "update_at": 0, "delete_at": 0, "creator_id": "",
		"team_id": pc.teamID, "trigger": pc.trigger, "method": "", "username": "", "icon_url": "", "auto_complete": true,
		"auto_complete_desc": "", "auto_complete_hint": "", "display_name": pc.displayName, "description": "", "url": "",
		"plugin_id": ""}
}
