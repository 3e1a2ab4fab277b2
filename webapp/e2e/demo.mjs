// Real-browser test of the plugin in `mmzoom demo`: Chromium (headless, Debian's) opens the Mattermost
// simulator's page, which hosts the built plugin the way Mattermost does, with the React of each Mattermost
// version: 17 (9.x, 10.x), 18 (11.x) and 16 (5.x, older than the plugin supports, where it must still not break
// the page). For each, a user clicks the channel header button, sees the card appear and go "in progress",
// ends the meeting on the Zoom simulator's page and sees the card say it ended and how long it lasted; then
// the same in Japanese for kenji, whose labels appear on switching user, without a reload. A long unbroken
// topic must wrap inside its card. Last, the page passes the cards a theme that throws: each card shows its
// fallback (the message and a Join link) and the rest of the plugin's tree stays mounted. Then Zoom's AI
// Companion summary of the last meeting arrives under its card as a collapsible section.
// MMZOOM_E2E_REACT=17,18 picks the versions; MMZOOM_E2E_SCREENSHOT=file.png saves the React 17 page;
// MMZOOM_E2E_LIMIT_MINUTES bounds the whole run (6 by default).
import {execFileSync, spawn} from 'node:child_process';
import {existsSync, mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';

import {chromium} from 'playwright-core';

const browserPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(existsSync);
if (!browserPath) {
    throw new Error('no Chromium: install Debian\'s chromium package');
}

// Build mmzoom and start its demo on free ports; read the URLs it prints.
const bin = join(mkdtempSync(join(tmpdir(), 'mmzoom-e2e-')), 'mmzoom');
execFileSync('go', ['build', '-o', bin, './cmd/mmzoom'], {cwd: '..', stdio: 'inherit'});
const demo = spawn(bin, ['demo', '-mattermost', '127.0.0.1:0', '-zoom', '127.0.0.1:0', '-listen', '127.0.0.1:0'],
    {cwd: '..', stdio: ['ignore', 'pipe', 'pipe']});
let out = '';
demo.stdout.on('data', (d) => { out += d; });
let errOut = '';
demo.stderr.on('data', (d) => { errOut += d; });
const urls = await (async () => {
    for (let i = 0; i < 600; i++) {
        const mm = out.match(/Open Mattermost \(simulator\):\s+(\S+)/);
        const zoom = out.match(/Zoom \(simulator\):\s+(\S+)/);
        if (mm && zoom) {
            return {mm: mm[1], zoom: zoom[1]};
        }
        if (demo.exitCode !== null) {
            break;
        }
        await sleep(100);
    }
    throw new Error('the demo did not start:\n' + out + errOut);
})();
if (!out.includes('runs mmzoom\'s webapp plugin')) {
    throw new Error('the demo did not load the plugin:\n' + out);
}

const versions = (process.env.MMZOOM_E2E_REACT || '17,18,16').split(',').map((v) => v.trim()).filter(Boolean);
const users = [
    {name: 'alice', button: 'Start Zoom meeting', waiting: 'Waiting for the host', started: 'In progress', ended: 'Ended', lasted: /Lasted/},
    {name: 'kenji', button: 'Zoom ミーティングを開始', waiting: 'ホストの開始待ち', started: '進行中', ended: '終了', lasted: /所要時間/},
];

// open loads the simulator's page with a React version and collects what the page throws.
async function open(context, query) {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(urls.mm + query);
    await page.waitForFunction(() => document.body.dataset.react, null, {timeout: 20000});
    return {page, errors};
}

// healthy fails when a plugin component crashed the page's React tree or the page threw.
async function healthy(page, errors, what) {
    const crashed = await page.evaluate(() => document.body.dataset.pluginCrashed === 'true');
    if (crashed || errors.length) {
        throw new Error(`${what}: the page broke: ${errors.join('; ') || await page.locator('#error').textContent()}`);
    }
}

// submit clicks a form's button on a Zoom simulator page and waits for the page the form leads to. The form's
// request is what makes Zoom send its webhook, and a page closed in the middle of it cancels it; a page closed
// while it follows the form's redirect makes page.close() hang (Chromium 156, Playwright 1.65: two runs in
// three under CI=true before this wait).
async function submit(page, button) {
    await Promise.all([page.waitForEvent('load', {timeout: 20000}), button.click()]);
}

async function startEndFlow(context, page, user, react) {
    await page.selectOption('#user', user.name);
    const header = page.locator('.plugin-button.header');
    await header.waitFor({timeout: 20000});
    // The label follows the user's language without a reload.
    await page.waitForFunction((label) => document.querySelector('.plugin-button.header .plugin-label')?.textContent === label, user.button, {timeout: 20000});
    if (!await header.locator('svg').count()) {
        throw new Error(`React ${react}, ${user.name}: the header button has no icon`);
    }
    const before = await page.locator('.mmzoom-card').count();

    // Click the plugin's button: the host's Zoom page opens in a new window, the card appears.
    const [host] = await Promise.all([context.waitForEvent('page'), header.click()]);
    await host.waitForURL(/\/s\/\d+/, {timeout: 20000});
    await host.getByText('You are hosting').waitFor();
    const card = page.locator('.mmzoom-card').nth(before);
    await card.waitFor({timeout: 20000});
    await page.waitForFunction(([i, label]) => {
        const c = document.querySelectorAll('.mmzoom-card')[i];
        return c && c.getAttribute('data-status') === 'started' && c.textContent.includes(label);
    }, [before, user.started], {timeout: 20000});
    const join = await card.locator('a.mmzoom-join').getAttribute('href');
    if (!join || !join.includes('pwd=')) {
        throw new Error(`React ${react}, ${user.name}: the Join button has no passcode in its link: ${join}`);
    }
    await sleep(1500); // let the meeting last a moment

    // End it on the Zoom simulator's page.
    await submit(host, host.getByRole('button', {name: 'End meeting for all'}));
    await page.waitForFunction(([i, label]) => {
        const c = document.querySelectorAll('.mmzoom-card')[i];
        return c && c.getAttribute('data-status') === 'ended' && c.textContent.includes(label);
    }, [before, user.ended], {timeout: 20000});
    const text = await card.textContent();
    if (!user.lasted.test(text)) {
        throw new Error(`React ${react}, ${user.name}: the ended card does not say how long it lasted: ${text}`);
    }
    if (await card.locator('a.mmzoom-join').count() !== 0) {
        throw new Error(`React ${react}, ${user.name}: an ended card still offers Join`);
    }
    await host.close();
    console.log(`ok: React ${react}, ${user.name} started, saw "${user.started}", ended, saw "${text.trim().slice(0, 60)}"`);
}

// longTopic starts a meeting whose topic is one long word, and checks it wraps inside the card.
async function longTopic(context, page, react) {
    await page.selectOption('#user', 'alice');
    const word = 'Supercalifragilisticexpialidocious'.repeat(4);
    const [host] = await Promise.all([context.waitForEvent('page'), (async () => {
        await page.fill('#msg', `/zoom start ${word}`);
        await page.press('#msg', 'Enter');
    })()]);
    const card = page.locator('.mmzoom-card', {hasText: word}).first();
    await card.waitFor({timeout: 20000});
    const box = await card.evaluate((c) => {
        const topic = c.querySelector('.mmzoom-topic');
        return {card: c.getBoundingClientRect().right, topic: topic.getBoundingClientRect().right, scroll: c.scrollWidth, client: c.clientWidth};
    });
    if (box.topic > box.card + 1 || box.scroll > box.client + 1) {
        throw new Error(`React ${react}: a long topic overflows its card: ${JSON.stringify(box)}`);
    }
    // End it: a user with a running meeting gets no new one.
    await host.waitForURL(/\/s\/\d+/, {timeout: 20000});
    await submit(host, host.getByRole('button', {name: 'End meeting for all'}));
    await page.locator('.mmzoom-card[data-status="ended"]', {hasText: word}).first().waitFor({timeout: 20000});
    await host.close();
    console.log(`ok: React ${react}, a ${word.length}-character word wraps inside the card`);
}

// scheduleFlow: kenji (Tokyo) schedules a meeting through the dialog; alice (Berlin) sees its start on the
// card in her own time, and as its host kenji cancels it from the card.
async function scheduleFlow(page, react) {
    await page.selectOption('#user', 'kenji');
    await page.waitForFunction(() => document.querySelector('.plugin-button.header .plugin-label')?.textContent === 'Zoom ミーティングを開始', null, {timeout: 20000});
    await page.fill('#msg', '/zoom schedule 設計レビュー');
    await page.press('#msg', 'Enter');
    const dialog = page.locator('#dialog form');
    await dialog.waitFor({timeout: 20000});
    if (!(await dialog.innerText()).includes('Asia/Tokyo (UTC+09:00)')) {
        throw new Error(`React ${react}: the dialog does not name kenji's timezone: ${await dialog.innerText()}`);
    }
    await page.fill('#dialog input[name=when]', '2027-01-15 18:00');
    await page.click('#dialog button.primary');
    await page.locator('#dialog').waitFor({state: 'detached', timeout: 20000});
    const card = page.locator('.mmzoom-card[data-status="scheduled"]', {hasText: '設計レビュー'}).first();
    await card.waitFor({timeout: 20000});
    const tokyo = await card.locator('.mmzoom-start').textContent();
    await page.selectOption('#user', 'alice');
    await page.waitForFunction(() => [...document.querySelectorAll('.mmzoom-card[data-status="scheduled"] .mmzoom-start')]
        .some((s) => s.textContent.includes('10:00') && s.textContent.includes('(UTC+01:00)')), null, {timeout: 20000});
    // Only the host may cancel: alice is told so, and the card stays.
    await page.locator('.mmzoom-card[data-status="scheduled"] button.mmzoom-action', {hasText: 'Cancel meeting'}).first().click();
    await sleep(1500);
    if (await page.locator('.mmzoom-card[data-status="scheduled"]', {hasText: '設計レビュー'}).count() !== 1) {
        throw new Error(`React ${react}: someone else's click changed the scheduled card`);
    }
    await page.selectOption('#user', 'kenji');
    await page.locator('.mmzoom-card[data-status="scheduled"] button.mmzoom-action', {hasText: 'キャンセル'}).first().click();
    await page.locator('.mmzoom-card[data-status="cancelled"]', {hasText: '設計レビュー'}).first().waitFor({timeout: 20000});
    console.log(`ok: React ${react}, kenji scheduled for ${tokyo.trim()}, alice saw it in Berlin time, kenji cancelled it`);
}

// What Chromium printed, kept to explain a crash: a browser that dies mid-test only says "closed".
const browserLog = [];
// The flags a closed-network CI machine needs: no background networking (refused connections, many at a
// time), no /dev/shm (a container's is 64 MB and a renderer that runs out of it dies).
const browser = await chromium.launch({
    executablePath: browserPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    logger: {
        // 'api' is each Playwright call as it starts and ends: the last one is where a hang is.
        isEnabled: (name) => name === 'browser' || name === 'api',
        log: (name, severity, message) => {
            browserLog.push(`${new Date().toISOString()} ${name}: ${message}`);
            browserLog.splice(0, browserLog.length - 80);
        },
    },
});
browser.on('disconnected', () => browserLog.push('<the browser disconnected>'));

// The whole run is bounded: a hang (a browser that neither answers nor exits) fails the test with what the
// browser and the demo printed, instead of holding CI until its own limit.
const limitMinutes = Number(process.env.MMZOOM_E2E_LIMIT_MINUTES) || 6;
const watchdog = setTimeout(() => {
    console.error(`FAIL: the browser test did not finish within ${limitMinutes} minutes`);
    report();
    demo.kill('SIGKILL');
    process.exit(1); // Playwright's exit hook kills Chromium's process group
}, limitMinutes * 60 * 1000);

// step records where the test is, for report.
const steps = [];
function step(what) {
    steps.push(`${new Date().toISOString()} ${what}`);
}

// report prints the end of what Chromium and the demo printed.
function report() {
    console.error('-- steps:\n' + steps.join('\n'));
    console.error('-- Chromium and Playwright calls (last lines):\n' + browserLog.slice(-40).join('\n'));
    console.error('-- mmzoom demo (last lines):\n' + (out + errOut).split('\n').slice(-40).join('\n'));
}

let failed = false;
try {
    const context = await browser.newContext();
    context.on('page', (p) => p.on('crash', () => browserLog.push(`<page crashed: ${p.url()}>`)));
    for (const react of versions) {
        const {page, errors} = await open(context, `?react=${react}`);
        const version = await page.evaluate(() => window.React.version);
        if (!version.startsWith(react + '.')) {
            throw new Error(`asked for React ${react}, the page has ${version}`);
        }
        for (const user of users) {
            await startEndFlow(context, page, user, version);
        }
        if (react === versions[0]) {
            await longTopic(context, page, version);
            await scheduleFlow(page, version);
        }
        await healthy(page, errors, `React ${version}`);
        if (react === '17' && process.env.MMZOOM_E2E_SCREENSHOT) {
            await page.selectOption('#user', 'alice');
            await page.waitForFunction(() => document.querySelector('.mmzoom-card')?.textContent.includes('Ended'));
            await page.screenshot({path: process.env.MMZOOM_E2E_SCREENSHOT, fullPage: true});
        }
        await page.close();
    }

    // The error boundary in a real browser: every card's theme throws.
    for (const react of versions) {
        const {page, errors} = await open(context, `?react=${react}&fault=theme`);
        await page.selectOption('#user', 'alice');
        // Without its own boundary, a failing card takes the plugin's whole tree down (the page says so).
        await page.waitForFunction(() => {
            const posts = [...document.querySelectorAll('.plugin-post')];
            return document.body.dataset.pluginCrashed === 'true' || (posts.length > 0 && posts.every((p) => p.querySelector('.mmzoom-fallback-join')));
        }, null, {timeout: 20000});
        await healthy(page, errors, `React ${react}, failing cards`);
        const shown = await page.evaluate(() => ({
            cards: document.querySelectorAll('.mmzoom-card').length,
            fallbacks: document.querySelectorAll('.plugin-post .mmzoom-message').length,
            icon: Boolean(document.querySelector('.plugin-button.header svg')),
        }));
        if (shown.cards !== 0 || shown.fallbacks === 0 || !shown.icon) {
            throw new Error(`React ${react}, failing cards: ${JSON.stringify(shown)}`);
        }
        console.log(`ok: React ${react}, ${shown.fallbacks} failing cards show their message and Join link; the header button stays`);
        await page.close();
    }

    // Zoom's AI Companion summary of the newest meeting, from the Zoom simulator's home page: a compact
    // section under the card that opens on a click, in each reader's language.
    {
        step('summary: opening the Mattermost page');
        const {page, errors} = await open(context, `?react=${versions[0]}`);
        await page.selectOption('#user', 'alice');
        step('summary: opening the Zoom page');
        const zoomPage = await context.newPage();
        await zoomPage.goto(urls.zoom);
        step('summary: clicking "Summary ready"');
        await submit(zoomPage, zoomPage.getByRole('button', {name: 'Summary ready'}).first());
        step('summary: closing the Zoom page');
        await zoomPage.close();
        step('summary: waiting for the summary');
        const section = page.locator('.mmzoom-summary').first();
        await section.waitFor({timeout: 20000});
        const toggle = section.locator('.mmzoom-summary-toggle');
        if (await toggle.getAttribute('aria-expanded') !== 'false' || await section.locator('.mmzoom-summary-body').count() !== 0) {
            throw new Error('the summary is not collapsed at first');
        }
        await toggle.click();
        await section.locator('.mmzoom-summary-body').waitFor({timeout: 20000});
        const body = await section.locator('.mmzoom-summary-body').textContent();
        if (!body.includes('Alice will fix the two blocking bugs by Thursday.') || !body.includes('金曜日にリリースすることで合意しました。')) {
            throw new Error(`the opened summary: ${body}`);
        }
        await page.selectOption('#user', 'kenji');
        await page.waitForFunction(() => document.querySelector('.mmzoom-summary-toggle')?.textContent.includes('閉じる') ||
            document.querySelector('.mmzoom-summary-toggle')?.textContent.includes('要約を表示'), null, {timeout: 20000});
        await healthy(page, errors, 'summary');
        console.log('ok: the summary reply opens and closes, in English and Japanese');
        await page.close();
    }
} catch (err) {
    failed = true;
    console.error('FAIL:', err.message);
    report();
} finally {
    // A crashed browser's orphaned helpers can hold its pipes open, and then close() never returns.
    await Promise.race([browser.close(), sleep(15000)]);
    demo.kill('SIGTERM');
    clearTimeout(watchdog);
}
process.exit(failed ? 1 : 0);
