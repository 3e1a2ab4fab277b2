package meeting

// PostType is the Mattermost post type of a meeting card. It is custom_ (so Mattermost accepts it from
// REST) and distinct from the official Zoom plugin's custom_zoom, so both can be installed.
const PostType = "custom_mmzoom_meeting"

// Post is a bot post (or an ephemeral reply) in domain terms; the Mattermost adapter turns Attachments into
// props.attachments and Buttons into signed interactive actions.
type Post struct {
	ChannelID   string
	RootID      string
	Type        string
	Message     string
	Props       map[string]any // excluding "attachments"
	Attachments []Attachment
	FileIDs     []string // files uploaded with Files.UploadFile
	// PendingID, when set, makes creating the post idempotent for a short while: Mattermost answers a
	// create with a pending_post_id it saw in the last 30 seconds with the post already made (see
	// postRecorded).
	PendingID string
}

// Attachment is a Slack-style message attachment: what mobile apps and servers without the webapp plugin
// show of a card, and how buttons are carried.
type Attachment struct {
	Fallback  string
	Color     string
	Pretext   string
	Title     string
	TitleLink string
	Text      string
	Fields    []Field
	Footer    string
	Buttons   []Button
}

// Field is one short field of an attachment.
type Field struct {
	Title string
	Value string
	Short bool
}

// Reply is what the user who asked is shown, and only them: the ephemeral answer to a slash command or a
// button click.
type Reply struct {
	// Text is what the user reads. In the answer to a click it must carry everything the user needs (a start
	// link included): Mattermost ignores goto_location for clicks and shows no attachments with it.
	Text         string
	Attachments  []Attachment // buttons; only a slash command's answer can show them
	GotoLocation string       // a URL the user's client should open (Zoom's start_url for the starter)
	// Update, when set, replaces the clicked post (used to retire the buttons of an answered question). Only a
	// stored post can be replaced: the answer to a click on an ephemeral reply never has one, since Mattermost
	// would answer the user 404 and drop the text.
	Update *Post
}

// StartRequest asks for a meeting in a channel on behalf of a Mattermost user.
type StartRequest struct {
	UserID    string
	ChannelID string
	TeamID    string
	RootID    string
	Topic     string
	// UsePMI, when set, answers the Personal Meeting ID question; nil means "use the user's preference".
	UsePMI *bool
	// Force skips the "a meeting is already running here" question.
	Force bool
	// Options are the user's per-meeting options (/zoom start flags); the admin decides which may be set.
	Options Overrides `json:",omitempty"`
	// BigOK says the user confirmed starting a meeting in a channel with many members.
	BigOK bool `json:",omitempty"`
	// Fresh asks for the channel's state past any cache: the start answers a button clicked some time after
	// the command (the channel may have been archived since; Mattermost checks only commands).
	Fresh bool `json:"-"`
}
