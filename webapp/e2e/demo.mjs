// Real-browser test of the plugin in `mmzoom demo`: Chromium (headless, Debian's) opens the Mattermost
// simulator's page, which hosts the built plugin the way Mattermost does; a user clicks the channel header
// button, sees the card appear and go "in progress", ends the meeting on the Zoom simulator's page and sees
// the card say it ended and how long it lasted. Then the same in Japanese for kenji.
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

const browser = await chromium.launch({executablePath: browserPath, args: ['--no-sandbox']});
let failed = false;
try {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(urls.mm);

    for (const user of [{name: 'alice', waiting: 'Waiting for the host', started: 'In progress', ended: 'Ended', lasted: /Lasted/},
        {name: 'kenji', waiting: 'ホストの開始待ち', started: '進行中', ended: '終了', lasted: /所要時間/}]) {
        await page.selectOption('#user', user.name);
        const header = page.locator('.plugin-button.header');
        await header.waitFor({timeout: 20000});
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
            throw new Error(`${user.name}: the Join button has no passcode in its link: ${join}`);
        }
        await sleep(1500); // let the meeting last a moment

        // End it on the Zoom simulator's page.
        await host.getByRole('button', {name: 'End meeting for all'}).click();
        await page.waitForFunction(([i, label]) => {
            const c = document.querySelectorAll('.mmzoom-card')[i];
            return c && c.getAttribute('data-status') === 'ended' && c.textContent.includes(label);
        }, [before, user.ended], {timeout: 20000});
        const text = await card.textContent();
        if (!user.lasted.test(text)) {
            throw new Error(`${user.name}: the ended card does not say how long it lasted: ${text}`);
        }
        if (await card.locator('a.mmzoom-join').count() !== 0) {
            throw new Error(`${user.name}: an ended card still offers Join`);
        }
        await host.close();
        console.log(`ok: ${user.name} started, saw "${user.started}", ended, saw "${text.trim().slice(0, 80)}"`);
    }
} catch (err) {
    failed = true;
    console.error('FAIL:', err.message);
} finally {
    await browser.close();
    demo.kill('SIGTERM');
}
process.exit(failed ? 1 : 0);
