package zoomsim

import (
	"crypto/subtle"
	"html/template"
	"net/http"
	"sort"
	"strconv"
)

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Zoom (simulator)</title>
<style>body{font-family:system-ui,-apple-system,"Hiragino Sans","Noto Sans JP",sans-serif;background:#f7f9fa;margin:0;color:#232333}
header{background:#0b5cff;color:#fff;padding:.8rem 1.5rem;font-weight:600}main{max-width:46rem;margin:2rem auto;padding:0 1rem}
.box{background:#fff;border-radius:10px;padding:1.2rem 1.5rem;box-shadow:0 2px 10px rgba(0,0,0,.06);margin-bottom:1rem}
button{background:#0b5cff;color:#fff;border:0;border-radius:8px;padding:.5rem 1rem;cursor:pointer;margin-right:.4rem}
button.end{background:#e02828}.muted{color:#747487}table{width:100%;border-collapse:collapse}td,th{text-align:left;padding:.4rem}
form{display:inline}</style></head>
<body><header>Zoom (simulator)</header><main>
{{if .Message}}<div class="box"><h2>{{.Message}}</h2>{{if .Meeting}}<p class="muted">Meeting ID {{.Meeting.ID}} · {{.Meeting.Status}} · {{.Meeting.Participants}} participant(s)</p>
{{if eq .Meeting.Status "started"}}<form method="post" action="/sim/meetings/{{.Meeting.ID}}/end"><button class="end">End meeting for all</button></form>{{end}}{{end}}</div>{{end}}
{{with .Summary}}<div class="box">{{if .Overview}}<p>{{.Overview}}</p>{{end}}{{range .Details}}<h3>{{.Label}}</h3><p>{{.Summary}}</p>{{end}}
{{if .NextSteps}}<h3>Next steps</h3><ul>{{range .NextSteps}}<li>{{.}}</li>{{end}}</ul>{{end}}</div>{{end}}
{{if .Ask}}<div class="box"><form method="get"><label>Passcode <input name="pwd"></label> <button>Join</button></form></div>{{end}}
{{if .List}}<div class="box"><h2>Meetings</h2><table><tr><th>Topic</th><th>ID</th><th>Status</th><th>People</th><th></th></tr>
{{range .Meetings}}<tr><td>{{.Topic}}</td><td>{{.ID}}</td><td>{{.Status}}</td><td>{{.Participants}}</td><td>
{{if eq .Status "started"}}<form method="post" action="/sim/meetings/{{.ID}}/join"><button>Join</button></form><form method="post" action="/sim/meetings/{{.ID}}/leave"><button>Leave</button></form><form method="post" action="/sim/meetings/{{.ID}}/end"><button class="end">End</button></form>
{{else}}<form method="post" action="/sim/meetings/{{.ID}}/start"><button>Start</button></form><form method="post" action="/sim/meetings/{{.ID}}/record"><button>Recording ready</button></form><form method="post" action="/sim/meetings/{{.ID}}/summary"><button>Summary ready</button></form><form method="post" action="/sim/meetings/{{.ID}}/transcript"><button>Transcript ready</button></form>{{end}}</td></tr>
{{else}}<tr><td colspan="5" class="muted">No meetings yet. Start one from Mattermost.</td></tr>{{end}}</table></div>
<div class="box"><h2>Users</h2><table><tr><th>User</th><th>E-mail</th><th></th></tr>
{{range .Users}}<tr><td>{{.FirstName}} {{.LastName}}</td><td>{{.Email}}</td><td><form method="post" action="/sim/users/{{.ID}}/deauthorize"><button class="end">Remove the app</button></form></td></tr>{{end}}
</table><p class="muted">"Summary ready" and "Transcript ready" are Zoom's AI Companion summary and the audio transcript of a meeting's last ended instance (meeting.summary_completed, recording.transcript_completed).</p>
<p class="muted">"Remove the app" is the user uninstalling it in Zoom: their access stops and Zoom sends app_deauthorized.</p></div>{{end}}
</main></body></html>
`))

type pageData struct {
	Message  string
	Meeting  *Meeting
	Ask      bool
	List     bool
	Meetings []Meeting
	Users    []User
	Summary  *Summary
}

func (s *Server) page(w http.ResponseWriter, status int, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = pageTmpl.Execute(w, d)
}

// homePage lists the meetings with buttons to start, join and end them.
func (s *Server) homePage(w http.ResponseWriter, r *http.Request) {
	s.page(w, http.StatusOK, s.homeData())
}

// homeData is the home page: the meetings, newest first, and the users.
func (s *Server) homeData() pageData {
	ms := s.Meetings()
	sort.Slice(ms, func(i, j int) bool { return ms[i].CreatedAt.After(ms[j].CreatedAt) })
	s.mu.Lock()
	var users []User
	for _, u := range s.users {
		users = append(users, *u)
	}
	s.mu.Unlock()
	sort.Slice(users, func(i, j int) bool { return users[i].Email < users[j].Email })
	return pageData{List: true, Meetings: ms, Users: users}
}

// deauthorizeUser is the users list's "Remove the app" button.
func (s *Server) deauthorizeUser(w http.ResponseWriter, r *http.Request) {
	s.Deauthorize(r.Context(), r.PathValue("id"))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) pathMeeting(r *http.Request) (Meeting, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return Meeting{}, false
	}
	return s.Meeting(id)
}

// joinPage is a participant following a join link: the passcode must be in the link (pwd) or typed.
func (s *Server) joinPage(w http.ResponseWriter, r *http.Request) {
	m, ok := s.pathMeeting(r)
	if !ok {
		s.page(w, http.StatusNotFound, pageData{Message: "This meeting ID is not valid."})
		return
	}
	pwd := r.URL.Query().Get("pwd")
	if pwd != m.EncryptedPassword && pwd != m.Password {
		s.page(w, http.StatusOK, pageData{Message: "Enter the meeting passcode", Ask: true})
		return
	}
	if m.Status != "started" {
		s.page(w, http.StatusOK, pageData{Message: "Please wait, the host will let you in soon: " + m.Topic, Meeting: &m})
		return
	}
	_, _ = s.JoinMeeting(r.Context(), m.ID, "Guest")
	m, _ = s.Meeting(m.ID)
	s.page(w, http.StatusOK, pageData{Message: "You joined " + m.Topic, Meeting: &m})
}

// startPage is the host following the start link: its zak starts the meeting.
func (s *Server) startPage(w http.ResponseWriter, r *http.Request) {
	m, ok := s.pathMeeting(r)
	if !ok || subtle.ConstantTimeCompare([]byte(r.URL.Query().Get("zak")), []byte(m.zak)) != 1 {
		s.page(w, http.StatusForbidden, pageData{Message: "This start link is not valid."})
		return
	}
	_ = s.StartMeeting(r.Context(), m.ID)
	m, _ = s.Meeting(m.ID)
	s.page(w, http.StatusOK, pageData{Message: "You are hosting " + m.Topic, Meeting: &m})
}

// meetingOp is the list page's start, join and end buttons.
func (s *Server) meetingOp(w http.ResponseWriter, r *http.Request) {
	m, ok := s.pathMeeting(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	var err error // what Zoom would not do (the after-meeting buttons need an ended meeting)
	switch r.PathValue("op") {
	case "start":
		_ = s.StartMeeting(r.Context(), m.ID)
	case "join":
		_, _ = s.JoinMeeting(r.Context(), m.ID, "Guest")
	case "leave":
		s.mu.Lock()
		var pid string
		for id := range s.meetings[m.ID].present {
			pid = id
			break
		}
		s.mu.Unlock()
		if pid != "" {
			_ = s.LeaveMeeting(r.Context(), m.ID, pid)
		}
	case "record":
		s.mu.Lock()
		if _, ok := s.chats[m.ID]; !ok {
			s.chats[m.ID] = DemoChat
		}
		s.mu.Unlock()
		err = s.RecordingCompleted(r.Context(), m.ID)
	case "summary":
		err = s.SummaryCompleted(r.Context(), m.ID, DemoSummary(m.Topic), SummaryOptions{})
	case "transcript":
		err = s.TranscriptCompleted(r.Context(), m.ID, DemoTranscript)
	case "end":
		_ = s.EndMeeting(r.Context(), m.ID)
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		// Said on the page rather than dropped: a demo user who clicks too early learns why nothing came.
		d := s.homeData()
		d.Message = "“" + m.Topic + "” has not ended yet: Zoom makes recordings, summaries and transcripts of ended meetings. Start it and end it first."
		s.page(w, http.StatusConflict, d)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// DemoSummary is the summary the home page's "Summary ready" button makes: English and Japanese, as a
// bilingual team's meeting would have.
func DemoSummary(topic string) Summary {
	return Summary{
		Title:    "Meeting summary for " + topic,
		Overview: "The team reviewed the release plan and agreed to ship on Friday. 金曜日にリリースすることで合意しました。",
		Details: []SummaryDetail{
			{Label: "Release plan", Summary: "Alice walked through the remaining work; two bugs block the release."},
			{Label: "翻訳", Summary: "健二さんが日本語の文言を確認しました。"},
		},
		NextSteps: []string{"Alice will fix the two blocking bugs by Thursday.", "健二さんがリリースノートを翻訳する。"},
	}
}

// DemoTranscript is the transcript the home page's "Transcript ready" button makes (WebVTT, as Zoom's
// audio transcripts are).
const DemoTranscript = `WEBVTT

1
00:00:01.000 --> 00:00:04.000
Alice: Good morning, everyone. Let's look at the release plan.

2
00:00:04.500 --> 00:00:08.000
健二: おはようございます。翻訳は終わりました。

3
00:00:08.500 --> 00:00:12.000
Alice: Great, then we ship on Friday.
`

// DemoChat is the meeting chat the home page's "Recording ready" button saves with the recording (Zoom's
// chat file: one message a line, time, sender and recipients, a tab before the text).
const DemoChat = "09:00:12 From  Alice  to  Everyone:\tThe release notes draft is in the shared folder.\n" +
	"09:01:40 From  健二  to  Everyone:\t確認しました。翻訳は明日までに終えます。\n"
