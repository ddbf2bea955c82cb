/// <reference lib="dom" />
// (Code passed to page.evaluate runs in the page: it is typed against the DOM.)
/**
 * The Markdown preview's script (media/dist/preview.js + preview.css) drawing what our markdown-it plugin
 * renders, in Chromium, on a page built like VS Code's preview: the preview's CSP (scripts by nonce only, no
 * network), body class vscode-light / vscode-dark, content in .markdown-body, and the
 * 'vscode.markdown.updateContent' event after an update. Measured on the rendered page: every node inside the
 * preview's width, on-screen text size, text contrast, no NaN; screenshots in test-output/webview/preview-*.png.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import * as engine from '../../src/host/engine';
import { backpropMarkdownIt, type MarkdownItLike } from '../../src/markdown/plugin';
import { previewLooks, problemsOf, type GraphLook } from './preview-look';

const ROOT = resolve(__dirname, '../..');
const OUT_DIR = join(ROOT, 'test-output/webview');
const SCRIPT = join(ROOT, 'media/dist/preview.js');
const STYLE = join(ROOT, 'media/dist/preview.css');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const NONCE = 'bpPreviewTestNonce';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const MarkdownIt = require('markdown-it') as new () => MarkdownItLike & { render(src: string): string };
const md = backpropMarkdownIt(new MarkdownIt(), { engine: () => engine });
const lesson = (name: string) => readFileSync(join(ROOT, 'lessons', name), 'utf8');

/** VS Code's preview page, reduced: its CSP, its body classes, a few of its theme variables. */
function pageHtml(body: string, theme: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self' data:; media-src 'self' data:; script-src 'nonce-${NONCE}'; style-src 'self' 'unsafe-inline' data:; font-src 'self' data:;">
<style>
  body { font-family: system-ui, sans-serif; font-size: 14px; padding: 0 26px; margin: 0; }
  body.vscode-light { background: #ffffff; color: #1f1f1f; --vscode-editor-foreground: #1f1f1f; --vscode-descriptionForeground: #616161; --vscode-inputValidation-errorBorder: #be1100; --vscode-inputValidation-errorBackground: #f2dede; }
  body.vscode-dark { background: #1f1f1f; color: #cccccc; --vscode-editor-foreground: #cccccc; --vscode-descriptionForeground: #9d9d9d; --vscode-inputValidation-errorBorder: #be1100; --vscode-inputValidation-errorBackground: #5a1d1d; }
  pre { background: rgba(127,127,127,0.1); padding: 8px; }
</style>
<link rel="stylesheet" href="/media/dist/preview.css">
</head><body class="vscode-body ${theme}"><div class="markdown-body">${body}</div>
<script async src="/media/dist/preview.js" nonce="${NONCE}"></script></body></html>`;
}

let server: Server;
let baseUrl = '';
let context: BrowserContext;
let profile = '';
const pages = new Map<string, string>();
const offsite: string[] = [];

before(async () => {
  assert.ok(existsSync(SCRIPT) && existsSync(STYLE), 'media/dist/preview.js or .css is missing: run `npm run build` first');
  mkdirSync(OUT_DIR, { recursive: true });
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const file = url.pathname === '/media/dist/preview.js' ? SCRIPT : url.pathname === '/media/dist/preview.css' ? STYLE : undefined;
    if (file) {
      res.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/css' });
      res.end(readFileSync(file));
    } else if (pages.has(url.pathname)) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(pages.get(url.pathname));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  profile = mkdtempSync(join(tmpdir(), 'bp-preview-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, viewport: { width: 760, height: 900 } });
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${baseUrl}/`)) return route.continue();
    offsite.push(url);
    return route.abort();
  });
}, { timeout: 60_000 });

after(async () => {
  await context?.close();
  await new Promise<void>((ok) => server.close(() => ok()));
  rmSync(profile, { recursive: true, force: true });
});

interface Problems { errors: string[] }

async function open(name: string, markdown: string, theme: string): Promise<Page & Problems> {
  pages.set(`/${name}`, pageHtml(md.render(markdown), theme));
  const page = (await context.newPage()) as Page & Problems;
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) page.errors.push(m.text()); });
  await page.addInitScript({ content: `document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));` });
  await page.goto(`${baseUrl}/${name}`);
  // tsx names inner functions with a `__name` helper that only exists in Node: give the page a stand-in.
  await page.evaluate('window.__name = window.__name || ((f) => f)');
  return page;
}

/** Each placeholder as drawn (preview-look.ts, measured in the page). */
async function looks(page: Page): Promise<GraphLook[]> {
  await page.evaluate('window.__name = window.__name || ((f) => f)');
  return page.evaluate(previewLooks);
}

async function waitDrawn(page: Page, count: number): Promise<void> {
  await page.waitForFunction((n) => document.querySelectorAll('.bp-preview[data-bp-mermaid] .bp-preview-diagram svg g.node').length > 0
    && [...document.querySelectorAll('.bp-preview[data-bp-mermaid]')].filter((e) => e.querySelector('svg')).length >= n, count, { timeout: 30_000 });
}

const fillOf = (page: Page, cls: string) => page.evaluate((c) => {
  const shape = document.querySelector(`.bp-preview svg g.node.${c} rect, .bp-preview svg g.node.${c} path`);
  return shape ? getComputedStyle(shape).fill : '';
}, cls);

test('day-40 lesson in the preview, light then dark: 125 and 300 on the graph, nodes inside, text legible, no NaN', async () => {
  const page = await open('day40.html', lesson('day40-chain-rule.md'), 'vscode-light');
  await waitDrawn(page, 2);
  const [seed, named] = await looks(page);
  assert.deepEqual([...problemsOf(seed, 'light (x^2+1)^3'), ...problemsOf(named, 'light named form')], []);
  const text = (g: GraphLook) => g.nodes.map((n) => n.lines).join(' | ');
  assert.match(text(seed), /\bx \/ value 2 \/ grad 300\b/, text(seed));
  assert.match(text(seed), /value 125 \/ grad 1\b/, text(seed));
  assert.deepEqual(seed.edges, ['2x = 4', '1', '3·(x² + 1)² = 75']);
  assert.equal(seed.caption, 'output = 125 · ∂output/∂x = 300 at x = 2');
  console.log(`# day-40 seed drawn ${seed.direction} in a ${seed.width.toFixed(0)} px preview`);
  const lightInput = await fillOf(page, 'bpInput');
  await page.locator('.bp-preview').first().evaluate((el) => el.previousElementSibling?.scrollIntoView());
  await page.screenshot({ path: join(OUT_DIR, 'preview-day40-light.png') });

  // VS Code switches the preview's theme by the body class: the graph is drawn again in the dark colours.
  await page.evaluate(() => { document.body.classList.replace('vscode-light', 'vscode-dark'); });
  await page.waitForFunction((before) => {
    const shape = document.querySelector('.bp-preview svg g.node.bpInput rect, .bp-preview svg g.node.bpInput path');
    return shape && getComputedStyle(shape).fill !== before && [...document.querySelectorAll('.bp-preview[data-bp-mermaid]')].every((e) => e.querySelector('svg'));
  }, lightInput, { timeout: 20_000 });
  const [darkSeed, darkNamed] = await looks(page);
  assert.deepEqual([...problemsOf(darkSeed, 'dark (x^2+1)^3'), ...problemsOf(darkNamed, 'dark named form')], []);
  assert.equal(await fillOf(page, 'bpInput'), 'rgb(19, 50, 77)', 'the dark theme\'s input colour (theme.ts)');
  await page.screenshot({ path: join(OUT_DIR, 'preview-day40-dark.png') });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('day-05 TypeScript fence: top to bottom in a narrow preview (left to right would shrink it), left to right once widened, legible', async () => {
  await context.pages()[0]?.setViewportSize({ width: 760, height: 900 });
  const page = await open('day05.html', lesson('day05-backprop-intuition.md'), 'vscode-dark');
  await page.setViewportSize({ width: 520, height: 1000 });
  await waitDrawn(page, 1);
  const [network] = await looks(page);
  assert.deepEqual(problemsOf(network, 'day-05 network'), []);
  assert.equal(network.nodes.length, 10, network.nodes.map((n) => n.lines).join(' | '));
  assert.ok(network.nodes.some((n) => /^L = .* \/ value 0\.6809 \/ grad 1$/.test(n.lines)), network.nodes.map((n) => n.lines).join(' | '));
  assert.match(network.caption, /^L = 0\.6809 · ∂L\/∂w1 = 0\.2847 · ∂L\/∂x = 0\.3417 · ∂L\/∂w2 = -0\.9728/);
  await page.locator('.bp-preview').first().evaluate((el) => el.previousElementSibling?.scrollIntoView());
  await page.screenshot({ path: join(OUT_DIR, 'preview-day05-ts-narrow-dark.png') });
  console.log(`# day-05 network in a 520 px preview: drawn ${network.direction}, smallest node text ${Math.min(...network.nodes.map((n) => n.textPx)).toFixed(1)} px`);
  // Widened enough for the whole left-to-right drawing (about 1670 px), the preview chooses again.
  await page.setViewportSize({ width: 1800, height: 1000 });
  await page.waitForFunction(() => (document.querySelector('.bp-preview') as HTMLElement | null)?.dataset.bpDirection === 'LR', undefined, { timeout: 20_000 });
  const [wide] = await looks(page);
  assert.deepEqual(problemsOf(wide, 'day-05 network, wide'), []);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('after an update (new content + vscode.markdown.updateContent) the edited fence is redrawn, unchanged ones at once from the cache', async () => {
  const first = '```backprop x=2\n(x^2 + 1)^3\n```\n\n```backprop y=3\ny^2\n```\n';
  const page = await open('update.html', first, 'vscode-light');
  await waitDrawn(page, 2);
  // What VS Code's preview does on an edit: new HTML into .markdown-body, then the event, synchronously.
  const edited = md.render(first.replace('x=2', 'x=3'));
  const sameTick = await page.evaluate((html) => {
    document.querySelector('.markdown-body')!.innerHTML = html;
    window.dispatchEvent(new CustomEvent('vscode.markdown.updateContent'));
    return [...document.querySelectorAll('.bp-preview[data-bp-mermaid]')].map((e) => Boolean(e.querySelector('svg')));
  }, edited);
  assert.deepEqual(sameTick, [false, true], 'the unchanged y² fence is drawn in the same task (no flash); the edited one is not yet');
  await page.waitForFunction(() => /value 1000/.test(document.querySelector('.bp-preview svg')?.textContent ?? ''), undefined, { timeout: 20_000 });
  const [seed] = await looks(page);
  assert.deepEqual(problemsOf(seed, 'edited fence'), []);
  assert.match(seed.nodes.map((n) => n.lines).join(' | '), /x \/ value 3 \/ grad 1800/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('errors show in place with their line; the page around them is drawn; nothing leaves the machine', async () => {
  const src = '# Errors\n\n```backprop\nfoo(x)\n```\n\n```backprop\nx * z\n```\n\nText after.\n\n```backprop x=1\nx + 1\n```\n';
  const page = await open('errors.html', src, 'vscode-light');
  await waitDrawn(page, 1);
  const all = await looks(page);
  assert.equal(all.length, 3);
  assert.match(all[0].error, /^Backprop Graph line 4:1 unknown function 'foo'/);
  assert.match(all[1].error, /^Backprop Graph line 7:1 no value for x, z: give them in the fence \(```backprop x=1 z=1\)/);
  assert.deepEqual(problemsOf(all[2], 'fence after the errors'), []);
  // The messages are on screen, readable: not hidden, at the page's text size.
  const shown = await page.locator('.bp-preview-error').first().evaluate((e) => ({ h: e.getBoundingClientRect().height, px: parseFloat(getComputedStyle(e).fontSize) }));
  assert.ok(shown.h > 10 && shown.px >= 12, JSON.stringify(shown));
  await page.screenshot({ path: join(OUT_DIR, 'preview-errors-light.png') });
  assert.deepEqual(page.errors, []);
  assert.deepEqual(offsite, [], 'requests left 127.0.0.1');
  await page.close();
});
