package httpapi

import (
	"errors"
	"html/template"
	"net/http"
	"strings"

	"github.com/mmzoom/mmzoom/meeting"
)

// connectCookie binds an OAuth flow to the browser that started it.
const connectCookie = "mmzoom_oauth"

// connectPage serves GET /oauth2/connect?state=…, the link shown to a user. Before anything is bound or
// anyone is sent to Zoom, the page names the Mattermost account the link connects: a link forwarded to
// someone else must not quietly connect their Zoom account to the sender. Continuing posts the form.
func (s *Server) connectPage(w http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	info, err := s.svc.ConnectLink(r.Context(), state)
	if err != nil {
		s.logError(r.Context(), "oauth", "connect link refused", err)
		s.errorPage(w, r, err)
		return
	}
	loc := info.Locale
	if r.Header.Get("Accept-Language") != "" {
		loc = browserLocale(r) // the page speaks to whoever opened it
	}
	key := "page.connect.body"
	if info.Account {
		key = "page.connect.account_body"
	}
	body := s.text.T(loc, key, "Account", accountName(info.Username, info.DisplayName))
	s.render(w, http.StatusOK, loc, pageData{Title: s.text.T(loc, "page.connect.title"), Body: body,
		Form: &pageForm{Action: "/oauth2/connect", State: state, Button: s.text.T(loc, "page.connect.continue")}})
}

// accountName is how a page names a Mattermost account: "@kenji (Kenji Tanaka)".
func accountName(username, display string) string {
	if display == "" {
		return "@" + username
	}
	return "@" + username + " (" + display + ")"
}

// connect serves POST /oauth2/connect (the page's Continue): it binds the flow to this browser and sends it
// to Zoom's consent page.
func (s *Server) connect(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	authURL, cookie, err := s.svc.OpenConnect(r.Context(), r.PostFormValue("state"))
	if err != nil {
		s.logError(r.Context(), "oauth", "connect link refused", err)
		s.errorPage(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: connectCookie, Value: cookie, Path: "/oauth2/", MaxAge: int(meeting.ConnectTTL.Seconds()),
		HttpOnly: true, Secure: s.cfg.SecureCookies,
		// Lax: the redirect back from Zoom is a top-level GET navigation, which Lax cookies accompany.
		SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, authURL, http.StatusSeeOther)
}

// complete serves GET /oauth2/complete?code=…&state=…, where Zoom sends the browser back.
func (s *Server) complete(w http.ResponseWriter, r *http.Request) {
	var cookie string
	if c, err := r.Cookie(connectCookie); err == nil {
		cookie = c.Value
	}
	http.SetCookie(w, &http.Cookie{Name: connectCookie, Path: "/oauth2/", MaxAge: -1, HttpOnly: true, Secure: s.cfg.SecureCookies})
	q := r.URL.Query()
	res, err := s.svc.CompleteConnect(r.Context(), q.Get("state"), cookie, q.Get("code"))
	if err != nil {
		s.logError(r.Context(), "oauth", "OAuth completion refused", err)
		s.errorPage(w, r, err)
		return
	}
	loc := res.Locale
	key := "page.connected.body"
	if res.Account {
		key = "page.connected.account"
	}
	body := s.text.T(loc, key, "ZoomEmail", res.ZoomEmail, "Account", accountName(res.Username, res.DisplayName))
	s.page(w, http.StatusOK, loc, s.text.T(loc, "page.connected.title"), body)
}

// errorPage shows a failed connection in the browser's language (the Mattermost user is unknown here).
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, err error) {
	loc := browserLocale(r)
	var e *meeting.Error
	if errors.As(err, &e) && e.Kind == meeting.KindNotConnected {
		// The code exchange itself failed: the link is spent, a new one is needed.
		err = &meeting.Error{Kind: meeting.KindLinkInvalid}
	}
	status := meeting.HandlingOf(meeting.KindOf(err)).Status
	s.page(w, status, loc, s.text.T(loc, "page.error.title"), s.userMessage(loc, err)+" "+s.text.T(loc, "page.error.back"))
}

// browserLocale picks ja when the browser prefers Japanese.
func browserLocale(r *http.Request) string {
	if al := strings.ToLower(r.Header.Get("Accept-Language")); strings.HasPrefix(al, "ja") {
		return "ja"
	}
	return "en"
}

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}}</title>
<style>body{font-family:system-ui,-apple-system,"Hiragino Sans","Noto Sans JP",sans-serif;background:#f4f5f7;color:#1f2329;margin:0}
main{max-width:34rem;margin:12vh auto;background:#fff;border-radius:8px;padding:2rem 2.5rem;box-shadow:0 2px 8px rgba(0,0,0,.08)}
h1{font-size:1.3rem;margin-top:0;color:#2d8cff}p{line-height:1.6}</style></head>
<body><main><h1>{{.Title}}</h1><p>{{.Body}}</p>
{{with .Form}}<form method="post" action="{{.Action}}"><input type="hidden" name="state" value="{{.State}}">
<button type="submit" style="font:inherit;background:#0b5cad;color:#fff;border:0;border-radius:4px;padding:.6rem 1.2rem;cursor:pointer">{{.Button}}</button></form>{{end}}
</main></body></html>
`))

// pageData is what a page shows; Form, when set, is a single button posting the state.
type pageData struct {
	Lang, Title, Body string
	Form              *pageForm
}

type pageForm struct{ Action, State, Button string }

func (s *Server) page(w http.ResponseWriter, status int, loc, title, body string) {
	s.render(w, status, loc, pageData{Title: title, Body: body})
}

func (s *Server) render(w http.ResponseWriter, status int, loc string, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	lang := "en"
	if strings.HasPrefix(loc, "ja") {
		lang = "ja"
	}
	// Messages carry Markdown for Mattermost; in a page the link syntax and emphasis are dropped.
	d.Body = strings.NewReplacer("**", "", "`", "").Replace(d.Body)
	d.Lang = lang
	_ = pageTmpl.Execute(w, d)
}
