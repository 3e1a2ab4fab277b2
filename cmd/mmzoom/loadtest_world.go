package main

import (
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/seal"
	"github.com/mmzoom/mmzoom/sim/mmsim"
	"github.com/mmzoom/mmzoom/sim/zoomsim"
)

// loadWorld is the simulators and the seeded users the replicas serve.
type loadWorld struct {
	zoom    *zoomsim.Server
	mm      *mmsim.Server
	servers []*http.Server
	served  sync.WaitGroup
	team    mmsim.Team
	users   []mmsim.User
	chans   []mmsim.Channel
	command mmsim.Command
	config  *config
	mmURL   string
	// env is added to the replicas' environment (SSL_CERT_FILE when the simulators serve HTTPS).
	env []string
}

func (w *loadWorld) close() {
	for _, s := range w.servers {
		_ = s.Close()
	}
	w.served.Wait()
	w.zoom.Close()
}

// newLoadWorld starts the simulators and seeds a team with n users, each with a public channel of their own
// and a Zoom user with the same e-mail (a Server-to-Server app matches them by e-mail).
func newLoadWorld(c loadRun) (*loadWorld, error) {
	lnZoom, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	lnMM, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		lnZoom.Close()
		return nil, err
	}
	scheme := "http://"
	var certs *simulatorTLS
	if c.tls {
		if certs, err = newSimulatorTLS(filepath.Join(c.dir, "simulators.pem")); err != nil {
			lnZoom.Close()
			lnMM.Close()
			return nil, err
		}
		scheme = "https://"
	}
	zoomURL, mmURL := scheme+lnZoom.Addr().String(), scheme+lnMM.Addr().String()
	const clientID, clientSecret, accountID, webhookSecret = "loadClientID", "loadClientSecret", "loadAccountID", "loadWebhookSecret"
	w := &loadWorld{
		zoom: zoomsim.New(zoomsim.Options{ClientID: clientID, ClientSecret: clientSecret, AccountID: accountID, WebhookSecret: webhookSecret}),
		mm:   mmsim.New(mmsim.Options{}),
	}
	w.mmURL = mmURL
	w.zoom.SetBaseURL(zoomURL)
	w.zoom.SetDailyLimit(-1)
	w.mm.SetSiteURL(mmURL)
	for _, p := range []struct {
		ln net.Listener
		h  http.Handler
	}{{lnZoom, w.zoom.Handler()}, {lnMM, w.mm.Handler()}} {
		srv := &http.Server{Handler: p.h, ReadHeaderTimeout: 10 * time.Second}
		w.servers = append(w.servers, srv)
		w.served.Add(1)
		if certs != nil {
			srv.TLSConfig = certs.config
			go func() { defer w.served.Done(); _ = srv.ServeTLS(p.ln, "", "") }()
			continue
		}
		go func() { defer w.served.Done(); _ = srv.Serve(p.ln) }()
	}
	w.team = w.mm.AddTeam(mmsim.Team{Name: "load", DisplayName: "Load"})
	w.mm.SetClientConfig("RequireEmailVerification", "true")
	bot, botToken := w.mm.AddBot("zoom", "Zoom")
	w.mm.SetRoles(bot.ID, "system_user system_post_all")
	w.mm.AddTeamMember(w.team.ID, bot.ID)
	w.command = w.mm.AddCommand(w.team.ID, "zoom", "http://mmzoom.invalid/mattermost/command")
	for i := range c.users {
		u := w.mm.AddUser(mmsim.User{Username: fmt.Sprintf("user%d", i), Email: fmt.Sprintf("user%d@example.com", i),
			FirstName: "User", Locale: "en"}, w.team.ID)
		w.users = append(w.users, u)
		w.chans = append(w.chans, w.mm.AddChannel(mmsim.Channel{TeamID: w.team.ID, Type: "O", Name: fmt.Sprintf("load-%d", i),
			DisplayName: fmt.Sprintf("Load %d", i)}, u.ID))
		w.zoom.AddUser(zoomsim.User{Email: u.Email, FirstName: "User", LastName: strconv.Itoa(i), EmbedPasswordInJoinLink: true})
	}
	if certs != nil {
		w.env = append(w.env, "SSL_CERT_FILE="+certs.caFile)
	}
	raw, err := seal.GenerateKey()
	if err != nil {
		return nil, err
	}
	key, err := seal.ParseKey(raw)
	if err != nil {
		return nil, err
	}
	db := c.database
	if db == "" {
		db = "sqlite://" + filepath.Join(c.dir, "mmzoom.db")
	}
	w.config = &config{Database: db, EncryptionKey: key, MattermostURL: mmURL, BotToken: botToken,
		CommandTokens: []string{w.command.Token}, Kind: meeting.KindS2S, ClientID: clientID, ClientSecret: clientSecret,
		AccountID: accountID, WebhookSecret: webhookSecret, ZoomURL: zoomURL, ZoomAPIURL: zoomURL + "/v2"}
	return w, nil
}
