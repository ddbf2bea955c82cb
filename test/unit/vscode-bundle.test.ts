/**
 * The built extension bundle stays cheap: requiring dist/extension.js and running activate() (with a stub
 * `vscode`) loads neither mathjs, TypeScript nor Mermaid (the engine loads on a timer right after), registers everything into context.subscriptions,
 * and the file stays under 300 KB. Needs `npm run build` first (npm test builds before the unit tests).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

const BUNDLE = join(__dirname, '../../dist/extension.js');

// Runs in a fresh node process so the require cache holds only what the bundle itself pulls in.
const CHILD = String.raw`
const Module = require('module');
const registered = [];
const disposable = { dispose() {} };
const api = new Proxy({}, { get: (_, k) => (...a) => { registered.push(String(k)); return disposable; } });
const vscode = {
  EventEmitter: class { constructor() { this.event = () => disposable; } fire() {} dispose() {} },
  window: {
    createOutputChannel: () => ({ info() {}, warn() {}, error() {}, dispose() {} }),
    registerWebviewPanelSerializer: api.registerWebviewPanelSerializer,
    // A markdown editor is on screen when the extension activates (as with onLanguage:markdown).
    visibleTextEditors: [{ document: { languageId: 'markdown' } }],
    visibleNotebookEditors: [],
    onDidChangeVisibleTextEditors: api.onDidChangeVisibleTextEditors,
    onDidChangeVisibleNotebookEditors: api.onDidChangeVisibleNotebookEditors,
  },
  commands: api, languages: api, workspace: api, ExtensionMode: { Production: 1, Development: 2, Test: 3 },
  Uri: { joinPath: (...a) => ({ path: a.join('/') }) }, ViewColumn: { Beside: -2, One: 1 },
};
const resolve = Module._resolveFilename;
Module._resolveFilename = function (r, ...rest) { return r === 'vscode' ? 'vscode' : resolve.call(this, r, ...rest); };
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscode };
const ext = require(process.argv[1]);
const subscriptions = [];
ext.activate({ subscriptions, workspaceState: { get() {}, async update() {} }, extensionUri: 'ext', extension: { packageJSON: { version: '0' } } });
const names = () => Object.keys(require.cache).filter((f) => f !== 'vscode').map((f) => f.split('/').pop());
const loaded = names();
// The warm-up timer: the engine loads in the background shortly after activation, not during it.
setTimeout(() => {
  process.stdout.write(JSON.stringify({ loaded, later: names(), registered, subscriptions: subscriptions.length }));
  process.exit(0);
}, 2000);
`;

test('dist/extension.js requires and activates without the engine, warms it afterwards, and stays small', () => {
  assert.ok(existsSync(BUNDLE), 'dist/extension.js is missing: run `npm run build` first');
  const size = statSync(BUNDLE).size;
  assert.ok(size <= 300 * 1024, `dist/extension.js is ${size} bytes (limit 300 KB)`);
  const r = spawnSync(process.execPath, ['-e', CHILD, BUNDLE], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { loaded: string[]; later: string[]; registered: string[]; subscriptions: number };
  assert.deepEqual(out.loaded, ['extension.js'], `activation loaded more than the bundle: ${out.loaded.join(', ')}`);
  assert.ok(out.later.includes('engine.js'), `with a markdown editor visible the engine was not warmed after activation: ${out.later.join(', ')}`);
  assert.ok(!out.later.includes('ts-parser.js'), 'the warm-up loaded the TypeScript parser too');
  for (const call of ['registerCommand', 'registerHoverProvider', 'registerCodeLensProvider', 'registerWebviewPanelSerializer']) {
    assert.ok(out.registered.includes(call), `${call} not called: ${out.registered.join(', ')}`);
  }
  // Every registration (5 commands, serializer, hover, lens provider and its registration, log, panel) is disposable with the extension.
  assert.ok(out.subscriptions >= 10, `only ${out.subscriptions} subscriptions`);
});
