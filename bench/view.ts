/**
 * Section `view`: the real webview page (src/host/webview-html.ts + media/dist/webview.js with the real Mermaid)
 * in Debian's Chromium through playwright-core. Times, inside the page, from posting a `graph` message to the
 * page's `bp-rendered` event with the SVG in the DOM. Cold: the first graph in a freshly loaded page.
 * Warm: the next graph in a page that has drawn one — the same structure with new numbers (a live update,
 * drawn in place), a different structure of the same size never drawn in that page (a full Mermaid render),
 * and then the first structure again with new numbers (seen before in the page: its cached drawing is re-used).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { analyze, toMermaid } from '../src/host/engine';
import { buildPayload } from '../src/host/payload';
import type { GraphPayload } from '../src/protocol';
import { webviewHtml } from '../src/host/webview-html';
import { median, round, type BenchRecord } from './util';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const FUNCS = ['tanh', 'sin', 'exp', 'sigmoid', 'cos'];

/**
 * A math expression whose graph has exactly `nodes` nodes: the seed `(x^2+1)^3` (7 nodes), terms `+ f(x*c)`
 * (4 nodes each: the constant, ×, f, +) and a tail of `+ x` / `+ x*x` / `+ x*x*x` (1–3 nodes).
 * `variant` > 0 gives a different structure of the same size (the seed moves among the terms, so the edges
 * between node ids differ, and the functions rotate); `scale` changes only numbers.
 */
const BASES = ['(x^2+1)^3', '(1+x^2)^3', '3*(x^2+1)', '(1+x*2)^3', '2^(x*3+1)'];
export function sizedExpression(nodes: number, variant = 0, scale = 1): string {
  const terms: string[] = [];
  let count = 7;
  for (let k = 0; count + 4 <= nodes; k++) {
    const c = round((0.1 + (k % 17) * 0.05) * scale);
    terms.push(`${FUNCS[(k + variant) % FUNCS.length]}(x*${c})`);
    count += 4;
  }
  const at = variant === 0 ? 0 : Math.min(terms.length, 1 + ((variant * 7) % (terms.length + 1)));
  terms.splice(at, 0, BASES[variant % BASES.length]);
  const tail = ['', ' + x', ' + x*x', ' + x*x*x'][nodes - count];
  return terms.join(' + ') + tail;
}

let version = 0;
function payloadFor(nodes: number, variant: number, scale: number, x: number): GraphPayload {
  const text = sizedExpression(nodes, variant, scale);
  const r = analyze(text, { lang: 'math', values: { x } });
  if (!r.ok) throw new Error(r.error.message);
  if (r.value.graph.nodes.length !== nodes) throw new Error(`expected ${nodes} nodes, got ${r.value.graph.nodes.length}`);
  return buildPayload({ toMermaid }, r.value, { title: `${nodes} nodes`, digits: 4, direction: 'LR', version: ++version });
}

/**
 * In-page code, kept as source text: functions handed to page.evaluate are serialized, and a transpiler's
 * helpers (tsx adds `__name(…)`) would not exist in the page.
 */
const TIME_RENDER = `(p) => new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('no render within 60 s')), 60000);
  const t0 = performance.now();
  const done = (e) => {
    if (e.detail.version !== p.version) return;
    const svg = document.querySelector('#diagram svg');
    if (!svg) return;
    const ms = performance.now() - t0;
    window.removeEventListener('bp-rendered', done);
    clearTimeout(timer);
    resolve({ ms, mode: e.detail.mode, svgNodes: svg.querySelectorAll('g.node').length });
  };
  window.addEventListener('bp-rendered', done);
  window.postMessage({ kind: 'graph', payload: p }, '*');
})`;
const STUB_VSCODE_API = `window.__posted = [];
let state;
window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => state, setState: (s) => (state = s) });`;
const READY = `window.__posted.some((m) => m.kind === 'ready')`;

/** Posts the message inside the page and resolves with the milliseconds until the SVG for it is drawn. */
async function timeRender(page: Page, payload: GraphPayload): Promise<{ ms: number; mode: string; svgNodes: number }> {
  return page.evaluate(`(${TIME_RENDER})(${JSON.stringify(payload)})`) as Promise<{ ms: number; mode: string; svgNodes: number }>;
}

export async function viewSection(emit: (r: BenchRecord) => void, root: string): Promise<void> {
  const script = join(root, 'media/dist/webview.js');
  const style = join(root, 'media/dist/webview.css');
  if (!existsSync(script)) {
    emit({ name: 'view', median_ms: NaN, unavailable: 'media/dist/webview.js is missing (run npm run build)' });
    return;
  }
  const files: Record<string, Buffer> = {
    '/media/dist/webview.js': readFileSync(script),
    '/media/dist/webview.css': existsSync(style) ? readFileSync(style) : Buffer.from(''),
  };
  // The module's chunks (Mermaid's core, diagram types, layouts), imported relative to webview.js.
  const chunks = join(root, 'media/dist/chunks');
  if (existsSync(chunks)) for (const f of readdirSync(chunks)) files[`/media/dist/chunks/${f}`] = readFileSync(join(chunks, f));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (url.pathname === '/') {
      const nonce = randomBytes(16).toString('base64');
      const html = webviewHtml({ cspSource: origin, nonce, scriptUri: `${origin}/media/dist/webview.js`, styleUri: `${origin}/media/dist/webview.css` })
        .replace('<body>', '<body class="vscode-light">');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html);
    } else if (files[url.pathname]) {
      res.writeHead(200, { 'content-type': url.pathname.endsWith('.js') ? 'text/javascript' : 'text/css' });
      res.end(files[url.pathname]);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const profile = mkdtempSync(join(tmpdir(), 'bp-bench-view-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 800 },
    });
    await context.route('**/*', (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));
    await context.addInitScript({ content: STUB_VSCODE_API });
    const openPage = async () => {
      const page = await context!.newPage();
      const t0 = performance.now();
      await page.goto(base);
      await page.waitForFunction(READY, undefined, { timeout: 30_000 });
      return { page, loadMs: performance.now() - t0 };
    };
    // One throwaway page so the first measured cold page does not also pay for starting Chromium's renderer.
    (await openPage()).page.close();

    const targets: Record<string, [string, (c: number, w: number) => boolean]> = {
      7: ['cold ≤ 400 ms, warm ≤ 150 ms', (c, w) => c <= 400 && w <= 150],
      200: ['≤ 600 ms (cold and warm)', (c, w) => c <= 600 && w <= 600],
    };
    for (const nodes of [7, 50, 200, 1000]) {
      const cold: number[] = [];
      const loads: number[] = [];
      const warmNumbers: number[] = [];
      const warmStructure: number[] = [];
      const warmSeen: number[] = [];
      let modes = new Set<string>();
      let svgNodes = 0;
      // ≥ 5 fresh pages per size, unless a size is so slow that 5 would blow the bench's 5-minute budget:
      // then at least 3, and the record says how many.
      const sizeStart = performance.now();
      for (let r = 0; r < 5; r++) {
        if (r >= 3 && performance.now() - sizeStart > 40_000) break;
        const { page, loadMs } = await openPage();
        loads.push(loadMs);
        const first = await timeRender(page, payloadFor(nodes, 0, 1, 2));
        cold.push(first.ms);
        svgNodes = first.svgNodes;
        // Live update: same expression, new value of x → same structure, new numbers.
        const upd = await timeRender(page, payloadFor(nodes, 0, 1, 2 + 0.25 * (r + 1)));
        warmNumbers.push(upd.ms);
        modes.add(`numbers:${upd.mode}`);
        // A different expression of the same size.
        const other = await timeRender(page, payloadFor(nodes, 1 + (r % 4), 1, 1.5));
        warmStructure.push(other.ms);
        modes.add(`structure:${other.mode}`);
        // Back to the first expression at yet another x: a structure this page has drawn before.
        const back = await timeRender(page, payloadFor(nodes, 0, 1, 1 + 0.25 * (r + 1)));
        warmSeen.push(back.ms);
        modes.add(`seen:${back.mode}`);
        await page.close();
      }
      const c = median(cold);
      const wn = median(warmNumbers);
      const ws = median(warmStructure);
      const t = targets[nodes];
      emit({
        name: 'view.render',
        n: nodes,
        median_ms: round(c),
        runs: cold.length,
        cold_ms: round(c),
        warm_numbers_ms: round(wn),
        warm_structure_ms: round(ws),
        warm_seen_structure_ms: round(median(warmSeen)),
        page_load_ms: round(median(loads)),
        svg_nodes: svgNodes,
        modes: [...modes].join(' '),
        ...(t ? { target: t[0], met: t[1](c, Math.max(wn, ws)) } : {}),
      });
      modes = new Set();
    }
  } catch (e) {
    emit({ name: 'view', median_ms: NaN, unavailable: `Chromium run failed: ${(e as Error).message.split('\n')[0]}` });
  } finally {
    await context?.close().catch(() => undefined);
    await new Promise<void>((ok) => server.close(() => ok()));
    rmSync(profile, { recursive: true, force: true });
  }
}
