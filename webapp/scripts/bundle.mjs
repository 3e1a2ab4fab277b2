// Packs the plugin as Mattermost accepts it: a .tar.gz holding <id>/plugin.json and <id>/main.js.
import {copyFileSync, mkdirSync, readFileSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import * as tar from 'tar';

const manifest = JSON.parse(readFileSync('plugin.json', 'utf8'));
const stage = join('dist', 'stage');
rmSync(stage, {recursive: true, force: true});
mkdirSync(join(stage, manifest.id), {recursive: true});
copyFileSync('plugin.json', join(stage, manifest.id, 'plugin.json'));
copyFileSync(join('dist', 'main.js'), join(stage, manifest.id, 'main.js'));
const out = join('dist', `${manifest.id}.tar.gz`);
await tar.create({gzip: true, file: out, cwd: stage, portable: true}, [manifest.id]);
rmSync(stage, {recursive: true, force: true});
console.log(out);
