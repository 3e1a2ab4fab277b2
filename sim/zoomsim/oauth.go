package zoomsim

import (
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// codeTTL is how long an authorization code works (Zoom: 5 minutes, error 4733 after).
const codeTTL = 5 * time.Minute

var consentTmpl = template.Must(template.New("consent").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Zoom (simulator) — Allow app</title>
<style>body{font-family:system-ui,sans-serif;background:#f7f9fa;margin:0}main{max-width:30rem;margin:10vh auto;background:#fff;
padding:2rem;border-radius:10px;box-shadow:0 2px 10px rgba(0,0,0,.08)}h1{color:#0b5cff;font-size:1.3rem}
button{background:#0b5cff;color:#fff;border:0;border-radius:8px;padding:.7rem 1.4rem;font-size:1rem;cursor:pointer}
select{font-size:1rem;padding:.4rem;margin:.5rem 0 1.2rem}</style></head>
<body><main><h1>Zoom (simulator)</h1><p>An app is asking to use your Zoom account.</p>
<form method="post" action="/oauth/authorize">
{{range $k, $v := .Params}}<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}
<label>Signed in as<br><select name="email">{{range .Users}}<option value="{{.Email}}">{{.FirstName}} {{.LastName}} &lt;{{.Email}}&gt;{{if .Admin}} (admin){{end}}</option>{{end}}</select></label><br>
<button type="submit">Allow</button></form></main></body></html>
`))

// authorizePage is Zoom's consent page.
func (s *Server) authorizePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := s.checkAuthorize(q); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	params := map[string]string{}
	for _, k := range []string{"response_type", "client_id", "redirect_uri", "state", "code_challenge", "code_challenge_method"} {
		params[k] = q.Get(k)
	}
	s.mu.Lock()
	users := make([]User, 0, len(s.users))
	for _, u := range s.users {
		users = append(users, *u)
	}
	s.mu.Unlock()
	sort.Slice(users, func(i, j int) bool { return users[i].Email < users[j].Email })
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = consentTmpl.Execute(w, struct {
		Params map[string]string
		Users  []User
	}{params, users})
}

func (s *Server) checkAuthorize(q url.Values) error {
	if q.Get("response_type") != "code" {
		return errors.New("Invalid response_type")
	}
	if q.Get("client_id") != s.opts.ClientID {
		return errors.New("Invalid client_id")
	}
	if u, err := url.Parse(q.Get("redirect_uri")); err != nil || u.Scheme == "" || u.Host == "" {
		return errors.New("Invalid redirect: the redirect URI must be an absolute URL")
	}
	return nil
}

// authorizeApprove is the user clicking "Allow".
func (s *Server) authorizeApprove(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	to, err := s.approve(r.PostForm, r.PostForm.Get("email"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, to, http.StatusFound)
}

// Approve does what clicking "Allow" on the consent page at authorizeURL does, signed in as the user with
// email: it returns the redirect back to the app, with the code and state.
func (s *Server) Approve(authorizeURL, email string) (string, error) {
	u, err := url.Parse(authorizeURL)
	if err != nil {
		return "", err
	}
	if !strings.HasSuffix(u.Path, "/oauth/authorize") {
		return "", errors.New("zoomsim: not an authorize URL: " + u.Path)
	}
	return s.approve(u.Query(), email)
}

func (s *Server) approve(q url.Values, email string) (string, error) {
	if err := s.checkAuthorize(q); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	user := s.userByEmail(email)
	if user == nil {
		return "", errors.New("zoomsim: no user " + email)
	}
	code := randomToken()
	method := q.Get("code_challenge_method")
	if method == "" && q.Get("code_challenge") != "" {
		method = "plain"
	}
	s.codes[code] = &authCode{clientID: q.Get("client_id"), redirectURI: q.Get("redirect_uri"), challenge: q.Get("code_challenge"),
		method: method, userID: user.ID, expires: s.opts.Now().Add(codeTTL)}
	back, _ := url.Parse(q.Get("redirect_uri"))
	bq := back.Query()
	bq.Set("code", code)
	if st := q.Get("state"); st != "" {
		bq.Set("state", st)
	}
	back.RawQuery = bq.Encode()
	return back.String(), nil
}

// oauthError answers like Zoom's token endpoint: {"reason": …, "error": …}.
func oauthError(w http.ResponseWriter, status int, errCode, reason string) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"reason": reason, "error": errCode})
}

// token is POST /oauth/token.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm() // merges the query string and a form body, both of which Zoom accepts
	grantType := r.Form.Get("grant_type")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.TokenRequests[grantType]++
	if s.down {
		oauthError(w, http.StatusServiceUnavailable, "server_error", "Service Unavailable")
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok || id != s.opts.ClientID || secret != s.opts.ClientSecret {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "Invalid client_id or client_secret")
		return
	}
	now := s.opts.Now()
	var g *grant
	switch grantType {
	case "authorization_code":
		code := s.codes[r.Form.Get("code")]
		delete(s.codes, r.Form.Get("code")) // a code works once, even when the exchange fails
		switch {
		case code == nil:
			oauthError(w, http.StatusBadRequest, "invalid_grant", "Invalid authorization code")
			return
		case !now.Before(code.expires):
			oauthError(w, http.StatusBadRequest, "invalid_grant", "Code is expired")
			return
		case code.redirectURI != r.Form.Get("redirect_uri"):
			oauthError(w, http.StatusBadRequest, "invalid_request", "Redirect URI mismatch.")
			return
		case code.challenge != "" && !pkceOK(code, r.Form.Get("code_verifier")):
			oauthError(w, http.StatusBadRequest, "invalid_request", "Invalid code verifier")
			return
		}
		u := s.users[code.userID]
		g = &grant{userID: u.ID, account: u.Admin, scope: s.scopes(u.Admin)}
	case "refresh_token":
		rt := r.Form.Get("refresh_token")
		old := s.byRefresh[rt]
		if old == nil || old.revoked {
			// A rotated-out, revoked or unknown refresh token: Zoom's answer.
			oauthError(w, http.StatusBadRequest, "invalid_request", "Invalid Token!")
			return
		}
		delete(s.byRefresh, rt)
		delete(s.byAccess, old.access)
		s.spent[rt] = true
		g = &grant{userID: old.userID, account: old.account, scope: old.scope}
		s.stats.Refreshes++
	case "account_credentials":
		if r.Form.Get("account_id") != s.opts.AccountID {
			oauthError(w, http.StatusBadRequest, "invalid_request", "Invalid account_id")
			return
		}
		g = &grant{account: true, scope: s.scopes(true)}
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant type")
		return
	}
	g.access = randomToken()
	g.accessExpires = now.Add(s.opts.AccessTokenTTL)
	s.byAccess[g.access] = g
	body := map[string]any{"access_token": g.access, "token_type": "bearer",
		"expires_in": int(s.opts.AccessTokenTTL/time.Second) - 1, "scope": g.scope, "api_url": s.baseURL}
	if grantType != "account_credentials" {
		g.refresh = randomToken()
		s.byRefresh[g.refresh] = g
		body["refresh_token"] = g.refresh
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	_ = json.NewEncoder(w).Encode(body)
}

func pkceOK(c *authCode, verifier string) bool {
	if verifier == "" {
		return false
	}
	if c.method == "S256" {
		return s256(verifier) == c.challenge
	}
	return verifier == c.challenge
}

// scopes are what a new grant carries: the app's scopes (SetGrantedScopes), or by default the user-level
// or admin-level write and user-read scopes.
func (s *Server) scopes(admin bool) string {
	if v, ok := s.granted[admin]; ok {
		return v
	}
	if admin {
		return "meeting:write:meeting:admin user:read:user:admin"
	}
	return "meeting:write:meeting user:read:user"
}

// revoke is POST /oauth/revoke: the whole grant stops working.
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	s.mu.Lock()
	defer s.mu.Unlock()
	id, secret, ok := r.BasicAuth()
	if !ok || id != s.opts.ClientID || secret != s.opts.ClientSecret {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "Invalid client_id or client_secret")
		return
	}
	tok := r.Form.Get("token")
	g := s.byAccess[tok]
	if g == nil {
		g = s.byRefresh[tok]
	}
	if g == nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "Invalid Token!")
		return
	}
	g.revoked = true
	s.stats.Revocations++
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	_ = json.NewEncoder(w).Encode(map[string]string{"status": "success"})
}

// SetGrantedScopes sets the scopes (space-separated) Zoom grants new tokens, for account-level grants
// (admin-managed and Server-to-Server apps) or user-level ones: the scopes the app was given in the
// Marketplace.
func (s *Server) SetGrantedScopes(admin bool, scopes string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.granted == nil {
		s.granted = map[bool]string{}
	}
	s.granted[admin] = scopes
}
