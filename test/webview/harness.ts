/// <reference lib="dom" />
// (Code passed to page.evaluate runs in the page: it is typed against the DOM.)
/**
 * Runs the real webview page (the HTML from src/host/webview-html.ts, the bundled media/dist/webview.js and .css)
 * in Debian's Chromium through playwright-core, served from 127.0.0.1, with a stub `acquireVsCodeApi` that
 * records what the page posts. Every request leaving 127.0.0.1 is blocked and recorded.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { analyze, toMermaid } from '../../src/host/engine';
import type { GraphModel } from '../../src/engine/graph/graph';
import type { FromWebview, GraphPayload, ToWebview } from '../../src/protocol';
import { webviewHtml } from '../../src/host/webview-html';

export const ROOT = resolve(__dirname, '../..');
export const OUT_DIR = join(ROOT, 'test-output/webview');
const SCRIPT = join(ROOT, 'media/dist/webview.js');
const STYLE = join(ROOT, 'media/dist/webview.css');

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let version = 0;
/** Payload versions rise across every payload a test builds (the page ignores older ones). */
export const nextVersion = () => ++version;

/** A graph message's payload from the real engine. */
export function payloadFor(text: string, values: Record<string, number>, extra: Partial<GraphPayload> = {}, symbolic = true): GraphPayload {
  const r = analyze(text, { values, symbolic });
  if (!r.ok) throw r.error;
  const a = r.value;
  return payloadFromGraph(text, a.graph, {
    check: a.check?.rows,
    checkSkipped: a.check?.skipped,
    symbolic: a.symbolic,
    value: a.value,
    lang: a.lang === 'ts' ? 'ts' : 'math',
    ...extra,
  });
}

export function payloadFromGraph(title: string, graph: GraphModel, extra: Partial<GraphPayload> = {}): GraphPayload {
  const out = graph.nodes.find((n) => n.id === graph.output);
  return {
    version: ++version,
    title,
    lang: 'math',
    mermaid: toMermaid(graph, { direction: 'LR', digits: 4 }),
    graph,
    value: out?.value ?? NaN,
    inputs: graph.inputs.map((i) => ({ name: i.name, value: i.value, grad: i.grad, source: `test value ${i.name} = ${i.value}` })),
    warnings: graph.warnings,
    digits: 4,
    direction: 'auto', // the panel's default (graphDirection "auto"); `mermaid` is LR then
    pinned: false,
    ...extra,
  };
}

export interface Harness {
  context: BrowserContext;
  /** Requests that tried to leave 127.0.0.1 (blocked). */
  offsite: string[];
  /** Chunk paths the pages fetched (/media/dist/chunks/…), in order, with repeats. */
  served: string[];
  baseUrl: string;
  newPage(theme?: string): Promise<WebviewPage>;
  close(): Promise<void>;
}

export interface WebviewPage {
  page: Page;
  posted(): Promise<FromWebview[]>;
  send(message: ToWebview): Promise<void>;
  /** Sends a graph and waits until the page reports it drawn. */
  showGraph(payload: GraphPayload): Promise<{ ms: number; mode: string }>;
  waitForMessage(kind: FromWebview['kind'], after?: number): Promise<FromWebview>;
}

export interface HarnessOptions {
  /** Another build of the webview bundle (default media/dist/webview.js and .css). */
  script?: string;
  style?: string;
  /** Extra script run in every page before the bundle. */
  initScript?: string;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const scriptPath = options.script ?? SCRIPT;
  const stylePath = options.style ?? STYLE;
  if (!existsSync(scriptPath) || !existsSync(stylePath)) throw new Error(`${scriptPath} is missing: run \`npm run build\` first`);
  mkdirSync(OUT_DIR, { recursive: true });
  const script = readFileSync(scriptPath);
  const style = readFileSync(stylePath);
  let currentTheme = 'vscode-light';
  const served: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (url.pathname === '/') {
      const nonce = randomBytes(16).toString('base64');
      const html = webviewHtml({ cspSource: origin, nonce, scriptUri: `${origin}/media/dist/webview.js`, styleUri: `${origin}/media/dist/webview.css` })
        .replace('<body>', `<body class="${url.searchParams.get('theme') ?? currentTheme}">`);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html);
    } else if (url.pathname === '/media/dist/webview.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(script);
    } else if (url.pathname === '/media/dist/webview.css') {
      res.writeHead(200, { 'content-type': 'text/css' });
      res.end(style);
    } else if (/^\/media\/dist\/chunks\/[\w.-]+\.js$/.test(url.pathname) && existsSync(join(dirname(scriptPath), url.pathname.slice('/media/dist/'.length)))) {
      // The module's chunks (Mermaid's diagram types, layouts), next to the script as in the extension's media.
      served.push(url.pathname);
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(readFileSync(join(dirname(scriptPath), url.pathname.slice('/media/dist/'.length))));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const profile = mkdtempSync(join(tmpdir(), 'bp-webview-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 760 },
  });
  const offsite: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${baseUrl}/`) || url === baseUrl || url.startsWith('file://')) return route.continue();
    offsite.push(url);
    return route.abort();
  });
  // A string, not a function: tsx would wrap a function's inner arrows in helpers the page does not have.
  await context.addInitScript({
    content: `(() => {
      window.__posted = [];
      window.__state = undefined;
      window.acquireVsCodeApi = () => ({
        postMessage: (m) => { window.__posted.push(JSON.parse(JSON.stringify(m))); },
        getState: () => window.__state,
        // VS Code keeps a webview's state as JSON: what survives a reload is what survives JSON.
        setState: (s) => { window.__state = JSON.parse(JSON.stringify(s)); return s; },
      });
    })();`,
  });
  if (options.initScript) await context.addInitScript({ content: options.initScript });

  async function newPage(theme = 'vscode-light'): Promise<WebviewPage> {
    currentTheme = theme;
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(`${baseUrl}/?theme=${encodeURIComponent(theme)}`);
    const posted = () => page.evaluate(() => (window as unknown as { __posted: FromWebview[] }).__posted);
    const waitForMessage = async (kind: FromWebview['kind'], after = 0) => {
      const handle = await page.waitForFunction(
        ([k, n]) => (window as unknown as { __posted: { kind: string }[] }).__posted.slice(n as number).find((m) => m.kind === k),
        [kind, after] as const,
        { timeout: 20_000 },
      );
      return (await handle.jsonValue()) as FromWebview;
    };
    await waitForMessage('ready');
    const send = (message: ToWebview) => page.evaluate((m) => window.postMessage(m, '*'), message);
    return {
      page,
      posted,
      send,
      waitForMessage,
      async showGraph(payload) {
        await send({ kind: 'graph', payload });
        await page.waitForFunction((v) => document.body.dataset.version === String(v), payload.version, { timeout: 30_000 });
        if (errors.length) throw new Error(`page errors: ${errors.join('\n')}`);
        return page.evaluate(() => ({ ms: Number(document.body.dataset.renderMs), mode: document.body.dataset.renderMode ?? '' }));
      },
    };
  }

  return {
    context,
    offsite,
    served,
    baseUrl,
    newPage,
    async close() {
      await context.close();
      await new Promise<void>((ok) => server.close(() => ok()));
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
