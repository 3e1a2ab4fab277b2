// The Mattermost simulator's chat page. It talks to the simulator's REST API v4 like Mattermost's web app
// does (session token from /users/login), polls the channel, and renders mmzoom's meeting cards from the
// props contract (testdata/card_props.golden.json).
'use strict';
const $ = (id) => document.getElementById(id);
const state = {token: '', me: null, team: null, channel: null, users: {}, channels: []};

function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
}
function safeURL(u) {
  try { const p = new URL(u); return (p.protocol === 'https:' || p.protocol === 'http:') ? p.href : ''; } catch { return ''; }
}
// Minimal Markdown: escape first, then links, bold and code; backslash escapes are honoured.
function md(s) {
  const stash = [];
  let t = String(s ?? '').replace(/\\([\\`*_\[\]()<>!#|~])/g, (_, c) => { stash.push(esc(c)); return `\u0000${stash.length - 1}\u0000`; });
  t = esc(t);
  t = t.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (m, text, url) => {
    const u = safeURL(url.replace(/&amp;/g, '&'));
    return u ? `<a href="${esc(u)}" target="_blank" rel="noopener noreferrer">${text}</a>` : m;
  });
  t = t.replace(/\*\*([^*]+)\*\*/g, '<b>$1</b>').replace(/`([^`]+)`/g, '<code>$1</code>').replace(/\n/g, '<br>');
  return t.replace(/\u0000(\d+)\u0000/g, (_, i) => stash[+i]);
}

async function api(method, path, body) {
  const r = await fetch('/api/v4' + path, {method, headers: {'Authorization': 'Bearer ' + state.token, 'Content-Type': 'application/json'},
    body: body === undefined ? undefined : JSON.stringify(body)});
  const data = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(data.message || ('HTTP ' + r.status));
  return data;
}
function showError(e) { $('error').hidden = !e; $('error').textContent = e ? String(e.message || e) : ''; }

const L = {
  en: {waiting: 'Waiting for the host', started: 'In progress', ended: 'Ended', join: 'Join meeting', id: 'Meeting ID',
    pass: 'Passcode', by: 'Started by', people: 'Participants', lasted: 'Lasted', min: 'min', h: 'h', fb: 'Show what clients without the plugin see'},
  ja: {waiting: 'ホストの開始待ち', started: '進行中', ended: '終了', join: 'ミーティングに参加', id: 'ミーティングID',
    pass: 'パスコード', by: '開始した人', people: '参加者', lasted: '所要時間', min: '分', h: '時間', fb: 'プラグインなしの表示を見る'},
};
function tr() { return L[(state.me && state.me.locale || 'en').startsWith('ja') ? 'ja' : 'en']; }
function fmtID(id) {
  const s = String(id || '');
  if (s.length === 11) return `${s.slice(0, 3)} ${s.slice(3, 7)} ${s.slice(7)}`;
  if (s.length === 10) return `${s.slice(0, 3)} ${s.slice(3, 6)} ${s.slice(6)}`;
  return s;
}
function fmtDuration(sec) {
  const t = tr(), m = Math.round(sec / 60), ja = t === L.ja;
  if (m < 60) return ja ? `${m}${t.min}` : `${m} ${t.min}`;
  return ja ? `${Math.floor(m / 60)}${t.h}${m % 60}${t.min}` : `${Math.floor(m / 60)} ${t.h} ${m % 60} ${t.min}`;
}

function card(p) {
  const pr = p.props || {}, t = tr(), st = pr.meeting_status;
  if (pr.mmzoom_schema !== 1) return `<div>${md(p.message)}</div>`;
  const join = safeURL(pr.meeting_join_url);
  let html = `<div class="card"><span class="badge ${esc(st)}">${esc(t[st] || st)}</span><h3>${esc(pr.meeting_topic)}</h3><dl>`;
  html += `<dt>${t.id}</dt><dd>${esc(fmtID(pr.meeting_id))}</dd>`;
  if (pr.meeting_passcode) html += `<dt>${t.pass}</dt><dd>${esc(pr.meeting_passcode)}</dd>`;
  html += `<dt>${t.by}</dt><dd>@${esc(pr.meeting_creator_username)}</dd>`;
  if (pr.meeting_participant_count > 0 && st === 'started') html += `<dt>${t.people}</dt><dd>${esc(pr.meeting_participant_count)}</dd>`;
  if (st === 'ended' && pr.meeting_duration_seconds) html += `<dt>${t.lasted}</dt><dd>${esc(fmtDuration(pr.meeting_duration_seconds))}</dd>`;
  html += '</dl>';
  if (st !== 'ended' && join) html += `<a class="join" href="${esc(join)}" target="_blank" rel="noopener noreferrer">${t.join}</a>`;
  html += `<div class="fb" data-fb="${esc(p.id)}">▸ ${t.fb}</div><div hidden id="fb-${esc(p.id)}">${md(p.message)}${attachments(p)}</div></div>`;
  return html;
}

function attachments(p) {
  const atts = (p.props && p.props.attachments) || [];
  return atts.map((a) => {
    let h = `<div class="att" style="border-left-color:${/^#[0-9a-f]{6}$/i.test(a.color || '') ? a.color : '#ccc'}">`;
    if (a.pretext) h += `<div>${md(a.pretext)}</div>`;
    if (a.title) { const u = safeURL(a.title_link); h += `<div class="ft">${u ? `<a href="${esc(u)}" target="_blank" rel="noopener noreferrer">${esc(a.title)}</a>` : esc(a.title)}</div>`; }
    if (a.text) h += `<div>${md(a.text)}</div>`;
    if (a.fields && a.fields.length) h += '<div class="fields">' + a.fields.map((f) => `<div class="field${f.short ? ' short' : ''}"><div class="ft">${esc(f.title)}</div><div>${md(f.value)}</div></div>`).join('') + '</div>';
    if (a.footer) h += `<div class="time">${esc(a.footer)}</div>`;
    // Buttons of ephemeral posts carry a sealed cookie: the server does not store those posts, so the click
    // must bring it back, as Mattermost's web app does.
    (a.actions || []).forEach((b) => { h += `<button class="${esc(b.style || '')}" data-post="${esc(p.id)}" data-action="${esc(b.id)}" data-cookie="${esc(b.cookie || '')}">${esc(b.name)}</button>`; });
    return h + '</div>';
  }).join('');
}

function renderPost(p) {
  const u = state.users[p.user_id] || {username: '?'};
  const time = new Date(p.create_at).toLocaleTimeString();
  let body = plugin.postTypes[p.type] ? `<div class="plugin-slot" data-pid="${esc(p.id)}"></div>`
    : p.type === 'custom_mmzoom_meeting' ? card(p) : `<div>${md(p.message)}</div>${attachments(p)}`;
  ((p.metadata && p.metadata.files) || []).forEach((f) => { body += `<div class="file">📎 ${esc(f.name)} <span class="note">${esc(String(f.size))} bytes</span></div>`; });
  const who = p.ephemeral ? 'System' : esc(u.username);
  return `<div class="post${p.ephemeral ? ' eph' : ''}${p.root_id ? ' thread' : ''}"><span class="who">${who}</span>${u.is_bot && !p.ephemeral ? '<span class="bot">BOT</span>' : ''}` +
    `<span class="time">${esc(time)}</span>${p.ephemeral ? '<span class="note">(Only visible to you)</span>' : ''}${body}</div>`;
}

let open = new Set();
async function refresh() {
  if (!state.channel) return;
  try {
    const list = await api('GET', `/channels/${state.channel.id}/posts`);
    const eph = await fetch('/sim/ephemeral?channel_id=' + state.channel.id, {headers: {'Authorization': 'Bearer ' + state.token}}).then((r) => r.json());
    // With collapsed reply threads, Mattermost's channel view loads no replies: neither the page nor the store
    // has them, and a plugin must read the thread itself.
    const channelPosts = list.order.map((id) => list.posts[id]).filter((p) => !(hostOptions.crt && p.root_id));
    const posts = channelPosts.concat(eph.map((p) => ({...p, ephemeral: true})));
    posts.sort((a, b) => a.create_at - b.create_at);
    const box = $('posts'), atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 20;
    box.innerHTML = posts.map(renderPost).join('') || '<p class="time">No messages yet.</p>';
    placePluginPosts(channelPosts);
    open.forEach((id) => { const el = $('fb-' + id); if (el) el.hidden = false; });
    if (atBottom) box.scrollTop = box.scrollHeight;
  } catch (e) { showError(e); }
}

function channelName(c) {
  if (c.type === 'D') {
    const other = c.name.split('__').find((id) => id !== state.me.id);
    return '@' + ((state.users[other] || {}).username || 'direct');
  }
  if (c.type === 'G') return c.display_name || 'group';
  return (c.type === 'P' ? '🔒 ' : '# ') + (c.display_name || c.name);
}

function selectChannel(c) {
  state.channel = c;
  $('chname').textContent = channelName(c);
  document.querySelectorAll('#channels li').forEach((li) => li.classList.toggle('on', li.dataset.id === c.id));
  updatePluginState();
  refresh();
}

async function signIn(username) {
  const r = await fetch('/api/v4/users/login', {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({login_id: username, password: 'demo'})});
  if (!r.ok) throw new Error('login failed');
  state.token = r.headers.get('Token');
  state.me = await r.json();
  localStorage.setItem('mmsim-user', username);
  const teams = await api('GET', '/users/me/teams');
  state.team = teams[0];
  $('team').textContent = state.team ? state.team.display_name : '';
  state.channels = state.team ? await api('GET', `/users/me/teams/${state.team.id}/channels`) : [];
  const order = {O: 0, P: 1, G: 2, D: 3};
  state.channels.sort((a, b) => order[a.type] - order[b.type] || channelName(a).localeCompare(channelName(b)));
  $('channels').innerHTML = state.channels.map((c) => `<li data-id="${esc(c.id)}">${esc(channelName(c))}</li>`).join('');
  const keep = state.channel && state.channels.find((c) => c.id === state.channel.id);
  selectChannel(keep || state.channels[0]);
}

async function runCommand(command) {
  // Open the meeting window inside the click so no popup blocker stops it; it is closed when not needed.
  const win = command.startsWith('/zoom start') ? window.open('', '_blank') : null;
  try {
    const res = await api('POST', '/commands/execute', {channel_id: state.channel.id, team_id: state.team.id, root_id: '', command});
    if (win) { if (res.goto_location) win.location.href = res.goto_location; else win.close(); }
    showError(null);
  } catch (e) { if (win) win.close(); showError(e); }
  refresh();
  checkDialog();
}

async function main() {
  const users = await fetch('/sim/users').then((r) => r.json());
  users.forEach((u) => { state.users[u.id] = u; });
  const people = users.filter((u) => !u.is_bot);
  $('user').innerHTML = people.map((u) => `<option value="${esc(u.username)}">${esc(u.username)}${u.locale === 'ja' ? ' (日本語)' : ''}</option>`).join('');
  const saved = localStorage.getItem('mmsim-user');
  if (saved && people.some((u) => u.username === saved)) $('user').value = saved;
  $('user').onchange = () => signIn($('user').value).catch(showError);
  $('channels').onclick = (e) => { const li = e.target.closest('li'); if (li) selectChannel(state.channels.find((c) => c.id === li.dataset.id)); };
  $('start').onclick = async () => { $('start').disabled = true; try { await runCommand('/zoom start'); } finally { $('start').disabled = false; } };
  $('box').onsubmit = async (e) => {
    e.preventDefault();
    const text = $('msg').value.trim();
    $('msg').value = '';
    if (!text) return;
    if (text.startsWith('/')) return runCommand(text);
    try { await api('POST', '/posts', {channel_id: state.channel.id, message: text}); } catch (err) { showError(err); }
    refresh();
  };
  $('posts').onclick = async (e) => {
    const fb = e.target.closest('[data-fb]');
    if (fb) { const id = fb.dataset.fb; open.has(id) ? open.delete(id) : open.add(id); $('fb-' + id).hidden = !open.has(id); return; }
    const b = e.target.closest('button[data-action]');
    if (!b) return;
    const body = b.dataset.cookie ? {cookie: b.dataset.cookie} : {};
    try { await api('POST', `/posts/${b.dataset.post}/actions/${b.dataset.action}`, body); showError(null); } catch (err) { showError(err); }
    refresh();
  };
  await signIn($('user').value);
  await loadPlugins().catch((e) => showError(new Error('The plugin could not be loaded: ' + e.message)));
  setInterval(refresh, 1500);
  setInterval(checkDialog, 1000);
}

// Interactive dialogs: Mattermost pushes an opened dialog to the user's clients; the page asks the simulator
// for it and shows it as a modal form, with the field errors of a submission under their fields.
let shownDialog = '';
async function checkDialog() {
  if (!state.token) return;
  try {
    const r = await fetch('/sim/dialog', {headers: {'Authorization': 'Bearer ' + state.token}});
    const d = r.status === 200 ? await r.json() : null;
    const key = d ? d.TriggerID + JSON.stringify(d.Errors || {}) + (d.Error || '') : '';
    if (key !== shownDialog) { shownDialog = key; renderDialog(d); }
  } catch (e) { /* the next poll tries again */ }
}

function renderDialog(d) {
  let el = $('dialog');
  if (!d) { if (el) el.remove(); return; }
  if (!el) { el = document.createElement('div'); el.id = 'dialog'; document.body.appendChild(el); }
  const errs = d.Errors || {};
  const field = (e) => {
    const v = (d.Values || {})[e.name] || '';
    let input;
    if (e.type === 'textarea') input = `<textarea name="${esc(e.name)}">${esc(v)}</textarea>`;
    else if (e.type === 'select') input = `<select name="${esc(e.name)}">` + (e.options || []).map((o) => `<option value="${esc(o.value)}"${o.value === v ? ' selected' : ''}>${esc(o.text)}</option>`).join('') + '</select>';
    else if (e.type === 'datetime') input = `<input type="datetime-local" name="${esc(e.name)}" data-datetime="1" value="${esc(v.slice(0, 16))}">`;
    else input = `<input name="${esc(e.name)}" value="${esc(v)}" placeholder="${esc(e.placeholder || '')}">`;
    return `<label><b>${esc(e.display_name)}</b>${e.optional ? '' : ' *'}${input}` +
      (errs[e.name] ? `<div class="derr">${esc(errs[e.name])}</div>` : '') + (e.help_text ? `<div class="time">${esc(e.help_text)}</div>` : '') + '</label>';
  };
  el.innerHTML = `<form><h3>${esc(d.Title)}</h3>${d.IntroductionText ? `<div>${md(d.IntroductionText)}</div>` : ''}` +
    (d.Error ? `<div class="derr">${esc(d.Error)}</div>` : '') + (d.Elements || []).map(field).join('') +
    `<div class="dbuttons"><button type="button" data-cancel="1">Cancel</button><button class="primary">${esc(d.SubmitLabel || 'Submit')}</button></div></form>`;
  const form = el.querySelector('form');
  const send = async (cancelled) => {
    const submission = {};
    form.querySelectorAll('[name]').forEach((i) => {
      submission[i.name] = i.dataset.datetime && i.value ? new Date(i.value).toISOString().replace('.000Z', 'Z') : i.value;
    });
    try { await fetch('/sim/dialog', {method: 'POST', headers: {'Authorization': 'Bearer ' + state.token, 'Content-Type': 'application/json'},
      body: JSON.stringify({submission, cancelled})}); } catch (e) { showError(e); }
    shownDialog = '-';
    checkDialog();
    refresh();
  };
  form.onsubmit = (e) => { e.preventDefault(); send(false); };
  form.querySelector('[data-cancel]').onclick = () => send(true);
}
// The plugin host: what Mattermost's web app offers a webapp plugin, enough for mmzoom's. React and ReactDOM
// go on window (plugins take them as webpack externals) in the version ?react= asks for (16, 17 or 18: the
// React of Mattermost 5.x, 9.x/10.x and 11.x), window.registerPlugin hands the plugin a registry and a
// redux-like store, and what it registers is rendered: header buttons, App Bar items, post components.
// Like Mattermost, the page renders every plugin component in one React tree (portals into the page): a
// component that throws without an error boundary of its own unmounts all of them, as it blanks Mattermost 5.x.
// ?fault=theme passes post components a theme whose every read throws, to show what a failing component does.
// ?crt=on hides thread replies from the page and the store, as collapsed reply threads do.
const params = new URLSearchParams(location.search);
const hostOptions = {react: params.get('react') || '18', fault: params.get('fault') || '', crt: params.get('crt') === 'on'};
const plugin = {header: new Map(), appBar: new Map(), postTypes: {}, listeners: new Set(), state: null, nextId: 0,
  portals: new Map(), postEls: new Map(), posts: {}, profiles: {}, root: null, hostEl: null, crashed: false};
const lightTheme = {centerChannelBg: '#ffffff', centerChannelColor: '#3f4350', buttonBg: '#1c58d9', buttonColor: '#ffffff',
  linkColor: '#386fe5', onlineIndicator: '#06d6a0'};
const explodingTheme = new Proxy({}, {get: (_, key) => { throw new Error('simulated fault: theme.' + String(key)); }});
const registry = {
  registerChannelHeaderButtonAction(icon, action, dropdownText, tooltipText) {
    const id = 'plugin' + ++plugin.nextId;
    plugin.header.set(id, {icon, action, text: dropdownText, tooltip: tooltipText});
    renderPluginButtons();
    return id;
  },
  registerAppBarComponent(iconUrl, action, tooltipText) {
    const id = 'plugin' + ++plugin.nextId;
    plugin.appBar.set(id, {iconUrl, action, tooltip: tooltipText});
    renderPluginButtons();
    return id;
  },
  registerPostTypeComponent(type, component) { plugin.postTypes[type] = component; return 'plugin' + ++plugin.nextId; },
  registerTranslations() {},
  unregisterComponent(id) {
    plugin.header.delete(id);
    plugin.appBar.delete(id);
    renderPluginButtons();
  },
};
const pluginStore = {
  getState: () => plugin.state,
  subscribe: (fn) => { plugin.listeners.add(fn); return () => plugin.listeners.delete(fn); },
  dispatch: () => {},
};
// Mattermost's markdown helpers for plugins (window.PostUtils), here backed by the page's own Markdown.
window.PostUtils = {
  formatText: (text) => md(text),
  messageHtmlToComponent: (html) => React.createElement('span', {className: 'markdown', dangerouslySetInnerHTML: {__html: html}}),
};
// keep returns the stored copy of an object while it has not changed, as redux keeps unchanged entities, so
// plugins that compare what they select are not re-rendered for nothing.
function keep(cache, id, next, same) {
  const old = cache[id];
  return old && same(old, next) ? old : next;
}
function updatePluginState(posts) {
  const profiles = {};
  Object.values(state.users).forEach((u) => {
    // timezone is what Mattermost keeps in the profile: three strings (automatic or manual).
    profiles[u.id] = keep(plugin.profiles, u.id, {id: u.id, username: u.username, is_bot: u.is_bot, locale: u.locale, timezone: u.timezone},
      (a, b) => a.username === b.username && a.is_bot === b.is_bot && a.locale === b.locale && JSON.stringify(a.timezone) === JSON.stringify(b.timezone));
  });
  plugin.profiles = profiles;
  if (posts) {
    const byId = {};
    posts.forEach((p) => { byId[p.id] = keep(plugin.posts, p.id, p, (a, b) => a.update_at === b.update_at && a.edit_at === b.edit_at && a.reply_count === b.reply_count); });
    plugin.posts = byId;
  }
  const postsInThread = {};
  Object.values(plugin.posts).forEach((p) => { if (p.root_id) (postsInThread[p.root_id] = postsInThread[p.root_id] || []).push(p.id); });
  plugin.state = {entities: {
    general: {config: {DefaultClientLocale: 'en'}},
    users: {currentUserId: state.me ? state.me.id : '', profiles},
    channels: {currentChannelId: state.channel ? state.channel.id : ''},
    teams: {currentTeamId: state.team ? state.team.id : ''},
    posts: {posts: plugin.posts, postsInThread},
  }};
  plugin.listeners.forEach((fn) => fn());
}
function loadScript(src) {
  return new Promise((resolve, reject) => {
    const el = document.createElement('script');
    el.src = src;
    el.onload = resolve;
    el.onerror = () => reject(new Error('cannot load ' + src));
    document.head.appendChild(el);
  });
}
async function loadPlugins() {
  const list = await fetch('/sim/plugins').then((r) => r.json());
  if (!list.length) return;
  const p = list[0];
  const build = p.react_builds[hostOptions.react];
  if (!build) throw new Error('no React ' + hostOptions.react + ' here; try ' + Object.keys(p.react_builds).join(', '));
  await loadScript(build.react);
  await loadScript(build.react_dom);
  document.body.dataset.react = React.version;
  $('banner').append(` Plugin host: React ${React.version}.`);
  plugin.hostEl = document.createElement('div');
  plugin.hostEl.id = 'plugin-host';
  document.body.appendChild(plugin.hostEl);
  // React 18 reports an error no boundary caught as an uncaught error, after unmounting the whole tree;
  // React 16/17 throw it from render (renderHost). The page itself throws nothing uncaught.
  window.addEventListener('error', (e) => pluginCrashed(e.error || e.message));
  window.registerPlugin = (id, obj) => { updatePluginState(); obj.initialize(registry, pluginStore); };
  await loadScript(p.bundle);
  renderPluginButtons();
  refresh();
}
function pluginCrashed(err) {
  plugin.crashed = true;
  document.body.dataset.pluginCrashed = 'true';
  showError(new Error('A plugin component crashed the page (Mattermost 5.x would now be blank): ' + (err && err.message || err)));
}
// renderHost renders every plugin component, each through a portal into its place on the page.
function renderHost() {
  if (!plugin.hostEl || plugin.crashed) return;
  const children = [...plugin.portals.entries()].map(([key, p]) => ReactDOM.createPortal(p.element, p.container, key));
  const tree = React.createElement(React.Fragment, null, children);
  try {
    if (ReactDOM.createRoot) {
      plugin.root = plugin.root || ReactDOM.createRoot(plugin.hostEl);
      plugin.root.render(tree);
    } else {
      ReactDOM.render(tree, plugin.hostEl);
    }
  } catch (e) { pluginCrashed(e); }
}
function renderPluginButtons() {
  if (!plugin.hostEl) return;
  let bar = $('plugin-buttons');
  if (!bar) {
    bar = document.createElement('span');
    bar.id = 'plugin-buttons';
    $('head').appendChild(bar);
  }
  $('start').hidden = plugin.header.size > 0;
  bar.textContent = '';
  [...plugin.portals.keys()].filter((k) => k.startsWith('icon:')).forEach((k) => plugin.portals.delete(k));
  const buttons = [...plugin.header].map(([id, h]) => ({...h, id, kind: 'header'})).concat([...plugin.appBar].map(([id, a]) => ({...a, id, kind: 'appbar'})));
  buttons.forEach((b) => {
    const el = document.createElement('button');
    el.className = 'plugin-button ' + b.kind;
    el.title = b.tooltip || '';
    el.dataset.kind = b.kind;
    if (b.kind === 'appbar') {
      const img = document.createElement('img');
      img.src = b.iconUrl;
      img.alt = b.tooltip || '';
      el.appendChild(img);
    } else {
      const icon = document.createElement('span');
      icon.className = 'plugin-icon';
      plugin.portals.set('icon:' + b.id, {container: icon, element: b.icon});
      el.appendChild(icon);
      const label = document.createElement('span');
      label.className = 'plugin-label';
      label.textContent = b.text;
      el.appendChild(label);
    }
    // The plugin opens the meeting window inside this click, so no popup blocker stops it.
    el.onclick = () => { b.action(b.kind === 'appbar' ? undefined : {id: state.channel.id, team_id: state.team.id}); setTimeout(refresh, 300); };
    bar.appendChild(el);
  });
  renderHost();
}
// placePluginPosts puts each plugin post's element (kept across refreshes, so its component stays mounted and
// receives the updated post, as in Mattermost) into its slot on the page, and renders the components.
function placePluginPosts(posts) {
  updatePluginState(posts);
  const shown = new Set();
  document.querySelectorAll('.plugin-slot').forEach((slot) => {
    const p = plugin.posts[slot.dataset.pid];
    const Comp = p && plugin.postTypes[p.type];
    if (!Comp) return;
    let el = plugin.postEls.get(p.id);
    if (!el) {
      el = document.createElement('div');
      el.className = 'plugin-post';
      el.dataset.pid = p.id;
      plugin.postEls.set(p.id, el);
    }
    slot.replaceWith(el);
    shown.add(p.id);
    const theme = hostOptions.fault === 'theme' ? explodingTheme : lightTheme;
    plugin.portals.set('post:' + p.id, {container: el, element: React.createElement(Comp, {post: p, theme, compactDisplay: false, isRHS: false})});
  });
  [...plugin.postEls.keys()].filter((id) => !shown.has(id)).forEach((id) => { plugin.postEls.delete(id); plugin.portals.delete('post:' + id); });
  renderHost();
}

main().catch(showError);
