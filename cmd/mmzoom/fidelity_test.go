package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mmzoom/mmzoom/mattermost"
	"github.com/mmzoom/mmzoom/meeting"
)

// Setup and doctor against behaviours of a real Mattermost that the simulator first got wrong (see
// sim/mmsim/fidelity_test.go for where each was read).

func TestSetupSaysCommandsAreOffWhenTheListingIsRefused(t *testing.T) {
	w := newSetupWorld(t)
	w.sim.SetConfig("ServiceSettings", "EnableCommands", false)
	out, err := w.run(w.adminToken, "--yes", "--team", "eng")
	want := "✘ cannot list the slash commands of team eng: Mattermost answered 501 api.command.disabled.app_error; custom slash commands are off: turn on ServiceSettings.EnableCommands"
	if !errors.Is(err, errSetupFailed) || !strings.Contains(out, want) {
		t.Fatalf("err=%v, no line %q in:\n%s", err, want, out)
	}
}

func TestDoctorSaysCommandsAreOff(t *testing.T) {
	w, env := doctorWorld(t, meeting.KindS2S)
	w.Mattermost.SetConfig("ServiceSettings", "EnableCommands", false)
	out, err := w.doctor(t, env, "--zoom-user", w.Alice.Email)
	want := "✘ command tokens: custom slash commands are off in Mattermost (ServiceSettings.EnableCommands) → turn them on"
	if !errors.Is(err, errDoctorFailed) || !strings.Contains(out, want) {
		t.Fatalf("err=%v, no line %q in:\n%s", err, want, out)
	}
}

func TestSetupAddsTheBotBackToATeamItWasRemovedFrom(t *testing.T) {
	w := newSetupWorld(t)
	if out, err := w.run(w.adminToken, "--yes", "--team", "eng"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	bot, _ := w.sim.UserByUsername("zoom")
	w.sim.RemoveTeamMember(w.teams[1].ID, bot.ID) // Mattermost keeps the membership, delete_at set
	out, err := w.run(w.adminToken, "--yes", "--team", "eng")
	if err != nil || !strings.Contains(out, "✔ added @zoom to team eng") || !w.sim.IsTeamMember(w.teams[1].ID, bot.ID) {
		t.Fatalf("err=%v member=%v\n%s", err, w.sim.IsTeamMember(w.teams[1].ID, bot.ID), out)
	}
}

func TestSetupExplainsATeamDisplayName(t *testing.T) {
	w := newSetupWorld(t)
	out, err := w.run(w.adminToken, "--yes", "--team", "Engineering")
	want := `✘ no team is named "Engineering": --team takes a team's URL name`
	if !errors.Is(err, errSetupFailed) || !strings.Contains(out, want) {
		t.Fatalf("err=%v, no line %q in:\n%s", err, want, out)
	}
}

func TestSetupNamesTheEnvironmentVariableThatPinsASetting(t *testing.T) {
	w := newSetupWorld(t)
	w.sim.SetConfigFromEnv("ServiceSettings", "EnableBotAccountCreation", false)
	out, err := w.run(w.adminToken, "--yes")
	want := `✘ Mattermost kept ServiceSettings.EnableBotAccountCreation off: the environment variable MM_SERVICESETTINGS_ENABLEBOTACCOUNTCREATION decides it; set MM_SERVICESETTINGS_ENABLEBOTACCOUNTCREATION="true" where Mattermost runs and restart it`
	if !errors.Is(err, errSetupFailed) || !strings.Contains(out, want) || strings.Contains(out, "create_bot") {
		t.Fatalf("err=%v, no line %q in:\n%s", err, want, out)
	}

	w = newSetupWorld(t)
	w.sim.SetConfigFromEnv("ServiceSettings", "AllowedUntrustedInternalConnections", "")
	out, err = w.run(w.adminToken, "--yes")
	want = `✘ Mattermost kept ServiceSettings.AllowedUntrustedInternalConnections at "": the environment variable MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS decides it`
	if !errors.Is(err, errSetupFailed) || !strings.Contains(out, want) {
		t.Fatalf("err=%v, no line %q in:\n%s", err, want, out)
	}
}

func TestSetupSaysPluginsAreOff(t *testing.T) {
	w := newSetupWorld(t)
	w.sim.SetConfig("PluginSettings", "Enable", false)
	out, err := w.run(w.adminToken, "--yes")
	if err != nil || !strings.Contains(out, "not installed: plugins are off in Mattermost (PluginSettings.Enable)") {
		t.Fatalf("err=%v\n%s", err, out)
	}
}

func TestSetupExplainsARoleMattermostRefuses(t *testing.T) {
	for roles, want := range map[string]string{
		"system_user zoom_poster":    `✘ cannot give @zoom the roles "system_user zoom_poster": Mattermost answered 400 app.role.check_roles_exist.role_not_found; a role in --bot-roles does not exist in Mattermost`,
		"system_user system_manager": `Mattermost answered 400 api.user.update_user_roles.license.app_error; system_manager, system_user_manager and system_read_only_admin need a Mattermost licence`,
	} {
		w := newSetupWorld(t)
		out, err := w.run(w.adminToken, "--yes", "--bot-roles", roles)
		if !errors.Is(err, errSetupFailed) || !strings.Contains(out, want) {
			t.Errorf("--bot-roles %q: err=%v, no line %q in:\n%s", roles, err, want, out)
		}
	}
}

func TestSetupNamesEnableUserAccessTokensWhenTheAdminTokenIsRefused(t *testing.T) {
	w := newSetupWorld(t)
	root, _ := w.sim.UserByUsername("root")
	w.sim.SetConfig("ServiceSettings", "EnableUserAccessTokens", true)
	tok, err := mattermost.NewAdmin(w.url, w.adminToken, nil).CreateToken(context.Background(), root.ID, "setup")
	if err != nil {
		t.Fatal(err)
	}
	// Turning the setting off makes Mattermost refuse every person's access token (401).
	w.sim.SetConfig("ServiceSettings", "EnableUserAccessTokens", false)
	out, err := w.run(tok, "--yes")
	if !errors.Is(err, errSetupFailed) || !strings.Contains(out, "refused MMZOOM_MATTERMOST_ADMIN_TOKEN") ||
		!strings.Contains(out, "such tokens work only while ServiceSettings.EnableUserAccessTokens is on") {
		t.Fatalf("err=%v\n%s", err, out)
	}
}

func TestSetupExplainsABotUsernameWithCapitals(t *testing.T) {
	w := newSetupWorld(t)
	out, err := w.run(w.adminToken, "--yes", "--bot-username", "Zoom")
	want := `✘ "Zoom" is not a Mattermost username: --bot-username takes 1 to 64 lower-case letters`
	if !errors.Is(err, errSetupFailed) || !strings.Contains(out, want) {
		t.Fatalf("err=%v, no line %q in:\n%s", err, want, out)
	}
	if writes := w.sim.Writes(); len(writes) != 0 {
		t.Fatalf("writes: %+v", writes)
	}
}

func TestSetupSaysWhenAPluginsZoomCommandComesFirst(t *testing.T) {
	w := newSetupWorld(t)
	w.sim.RegisterPluginCommand("zoom", "", "zoom", "Zoom", "Please connect your Zoom account")
	out, err := w.run(w.adminToken, "--yes", "--team", "eng")
	want := "✘ /zoom in team eng never reaches mmzoom: a plugin's /zoom answers before mmzoom's (Mattermost runs plugins' commands first), most likely the Zoom plugin bundled with Mattermost: disable it"
	if !errors.Is(err, errSetupFailed) || !strings.Contains(out, want) {
		t.Fatalf("err=%v, no line %q in:\n%s", err, want, out)
	}
	w.sim.UnregisterPluginCommands("zoom")
	if out, err := w.run(w.adminToken, "--yes", "--team", "eng"); err != nil || strings.Contains(out, "never reaches") {
		t.Fatalf("with the plugin disabled: %v\n%s", err, out)
	}
}

func TestDoctorSaysWhenAPluginsZoomCommandComesFirst(t *testing.T) {
	w, env := doctorWorld(t, meeting.KindS2S)
	w.Mattermost.RegisterPluginCommand("zoom", "", "zoom", "Zoom", "Please connect your Zoom account")
	out, err := w.doctor(t, env, "--zoom-user", w.Alice.Email)
	want := "✘ command tokens: /zoom in team " + w.Team.Name + " never reaches mmzoom → a plugin's /zoom answers before mmzoom's"
	if !errors.Is(err, errDoctorFailed) || !strings.Contains(out, want) {
		t.Fatalf("err=%v, no line %q in:\n%s", err, want, out)
	}
}

func TestSetupWarnsThatMattermostsOwnAddressIsRefused(t *testing.T) {
	w := newSetupWorld(t)
	w.siteURL = "https://203.0.113.7:8443"
	out, err := w.run(w.adminToken, "--yes", "--team", "eng")
	want := `✔ 203.0.113.7 is a public address: Mattermost may call mmzoom at https://203.0.113.7:8443, unless mmzoom runs on Mattermost's own host, whose addresses Mattermost refuses like private ones (then add "203.0.113.7/32" to ServiceSettings.AllowedUntrustedInternalConnections)`
	if err != nil || !strings.Contains(out, want) {
		t.Fatalf("err=%v, no line %q in:\n%s", err, want, out)
	}
}

func TestSetupSaysWhenARestrictedAdminCannotAllowThePrivateAddress(t *testing.T) {
	w := newSetupWorld(t)
	w.sim.SetConfig("ExperimentalSettings", "RestrictSystemAdmin", true)
	out, err := w.run(w.adminToken, "--yes")
	want := `✘ Mattermost kept ServiceSettings.AllowedUntrustedInternalConnections at "": the environment variable MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS decides it`
	if !errors.Is(err, errSetupFailed) || !strings.Contains(out, want) || !strings.Contains(out, "ExperimentalSettings.RestrictSystemAdmin") {
		t.Fatalf("err=%v, no line %q in:\n%s", err, want, out)
	}
}
