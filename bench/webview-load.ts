/**
 * What the panel's webview costs to open, per way of bundling Mermaid, in headless Chromium (not VS Code):
 * `node --import tsx bench/webview-load.ts [--json] [--runs N]` (builds its own bundles; no `npm run build` needed).
 *
 * Variants, built here with the same esbuild options as build/esbuild.mjs:
 * - `iife-all`: one classic script with every Mermaid diagram type (the panel's build before this change);
 * - `esm-split-all`: an ES module whose diagram types, layouts and KaTeX are chunks (code splitting alone);
 * - `esm-flowchart`: the panel's build now: split, and the other diagram types and layouts left out
 *   (build/mermaid-flowchart-only.mjs);
 * - `esm-flowchart-unpatched`: the same without build/mermaid-patches.mjs (are the patches still worth it?).
 *
 * Per run: a fresh browser context (no HTTP or code cache) opens the panel's HTML (src/webview-html.ts) served
 * from 127.0.0.1 with `cache-control: no-store`; the stub VS Code API answers the page's `ready` with the graph
 * at once. Figures, medians over the runs:
 * - `script_files`, `script_kb`: the scripts the page fetched (entry + chunks), uncompressed;
 * - `ready_ms`: navigation start → the page posts `ready` (scripts fetched, parsed, run);
 * - `first_graph_ms`: navigation start → the first graph's SVG in the page (`bp-rendered`);
 * - `render_ms`: the page's own render time of that first graph (message received → SVG);
 * - `next_structure_ms`: then a different graph of the same size (a full Mermaid render in a warm page).
 * In VS Code each file is fetched through the webview's service worker and the extension host, so per-file
 * costs are higher than on localhost: read `script_files` beside the times.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { build, type Plugin } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { analyze, toMermaid } from '../src/host/engine';
import { buildPayload } from '../src/host/payload';
import type { GraphPayload } from '../src/protocol';
import { webviewHtml } from '../src/host/webview-html';
import { median, round } from './util';
import { sizedExpression } from './view';

const ROOT = resolve(__dirname, '..');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface PatchModule {
  PATCHES: { name: string }[];
  mermaidPatches(options?: { skip?: string[] }): Plugin;
}

type Variant = 'iife-all' | 'esm-split-all' | 'esm-flowchart' | 'esm-flowchart-unpatched';

async function bundle(variant: Variant, outdir: string, patches: PatchModule, flowchartOnly: () => Plugin): Promise<void> {
  const patch = patches.mermaidPatches(variant === 'esm-flowchart-unpatched' ? { skip: patches.PATCHES.map((p) => p.name) } : {});
  await build({
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    entryPoints: { webview: 'media/webview.ts' },
    outdir,
    plugins: variant.startsWith('esm-flowchart') ? [flowchartOnly(), patch] : [patch],
    ...(variant === 'iife-all' ? { format: 'iife' as const } : { format: 'esm' as const, splitting: true, chunkNames: 'chunks/[name]-[hash]' }),
  });
}

let version = 0;
function payloadFor(nodes: number, variant: number): GraphPayload {
  const r = analyze(sizedExpression(nodes, variant), { lang: 'math', values: { x: 1.5 } });
  if (!r.ok) throw new Error(r.error.message);
  return buildPayload({ toMermaid }, r.value, { title: `${nodes} nodes`, digits: 4, direction: 'LR', version: ++version });
}

/** The page's VS Code API: answers `ready` with the first graph, and notes when each graph was drawn. */
function stub(first: GraphPayload): string {
  return `(() => {
  window.__drawn = {};
  addEventListener('bp-rendered', (e) => { window.__drawn[e.detail.version] = { at: performance.now(), ms: e.detail.ms, mode: e.detail.mode }; });
  let state;
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => {
      if (m && m.kind === 'ready' && window.__readyAt === undefined) {
        window.__readyAt = performance.now();
        window.postMessage({ kind: 'graph', payload: ${JSON.stringify(first)} }, '*');
      }
    },
    getState: () => state,
    setState: (s) => (state = s),
  });
})();`;
}

/** What the stub records in the page. */
interface Timed { __readyAt: number; __drawn: Record<number, { at: number; ms: number }> }
// Functions, not strings: the page's CSP forbids eval, which Playwright would use for a string.
const drawn = (v: number) => Boolean((window as unknown as Partial<Timed>).__drawn?.[v]);

interface Run { scriptFiles: number; scriptBytes: number; readyMs: number; firstGraphMs: number; renderMs: number; nextStructureMs: number }

async function serve(dir: string) {
  const files = new Map<string, Buffer>();
  const add = (rel: string) => files.set(`/media/dist/${rel}`, readFileSync(join(dir, rel)));
  add('webview.js');
  add('webview.css');
  if (existsSync(join(dir, 'chunks'))) for (const f of readdirSync(join(dir, 'chunks'))) add(`chunks/${f}`);
  const fetched: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const body = url.pathname === '/'
      ? Buffer.from(webviewHtml({ cspSource: origin, nonce: randomBytes(16).toString('base64'), scriptUri: `${origin}/media/dist/webview.js`, styleUri: `${origin}/media/dist/webview.css` }).replace('<body>', '<body class="vscode-light">'))
      : files.get(url.pathname);
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    fetched.push(url.pathname);
    const type = url.pathname === '/' ? 'text/html; charset=utf-8' : url.pathname.endsWith('.css') ? 'text/css' : 'text/javascript';
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, files, fetched, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

async function openOnce(browser: Browser, site: Awaited<ReturnType<typeof serve>>, nodes: number): Promise<Run> {
  const first = payloadFor(nodes, 0);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    await context.route('**/*', (route) => (route.request().url().startsWith(site.base) ? route.continue() : route.abort()));
    await context.addInitScript({ content: stub(first) });
    const page = await context.newPage();
    site.fetched.length = 0;
    await page.goto(`${site.base}/`);
    await page.waitForFunction(drawn, first.version, { timeout: 60_000 });
    const scripts = site.fetched.filter((p) => p.endsWith('.js'));
    const t = await page.evaluate((v) => ({ ready: (window as unknown as Timed).__readyAt, drawn: (window as unknown as Timed).__drawn[v] }), first.version);
    const next = payloadFor(nodes, 1);
    await page.evaluate((m) => window.postMessage(m, '*'), { kind: 'graph', payload: next });
    await page.waitForFunction(drawn, next.version, { timeout: 60_000 });
    const nextMs = await page.evaluate((v) => (window as unknown as Timed).__drawn[v].ms, next.version);
    return {
      scriptFiles: scripts.length,
      scriptBytes: scripts.reduce((n, p) => n + (site.files.get(p)?.length ?? 0), 0),
      readyMs: t.ready,
      firstGraphMs: t.drawn.at,
      renderMs: t.drawn.ms,
      nextStructureMs: nextMs,
    };
  } finally {
    await context.close();
  }
}

async function main() {
  const json = process.argv.includes('--json');
  const runsArg = process.argv.indexOf('--runs');
  const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;
  const patches = (await import(join(ROOT, 'build/mermaid-patches.mjs'))) as PatchModule;
  const { mermaidFlowchartOnly } = (await import(join(ROOT, 'build/mermaid-flowchart-only.mjs'))) as { mermaidFlowchartOnly(): Plugin };
  const dir = mkdtempSync(join(tmpdir(), 'bp-webview-load-'));
  const variants: Variant[] = ['iife-all', 'esm-split-all', 'esm-flowchart', 'esm-flowchart-unpatched'];
  const sites = new Map<Variant, Awaited<ReturnType<typeof serve>>>();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    for (const v of variants) {
      await bundle(v, join(dir, v), patches, mermaidFlowchartOnly);
      sites.set(v, await serve(join(dir, v)));
    }
    // One throwaway open per variant: the first page of a browser also pays for starting its renderer.
    for (const v of variants) await openOnce(browser, sites.get(v)!, 7);
    for (const nodes of [7, 200]) {
      const results = new Map<Variant, Run[]>(variants.map((v) => [v, []]));
      // Interleaved, so that a slow stretch of the shared machine hits every variant alike.
      for (let r = 0; r < runs; r++) for (const v of variants) results.get(v)!.push(await openOnce(browser, sites.get(v)!, nodes));
      for (const v of variants) {
        const rs = results.get(v)!;
        const m = (f: (x: Run) => number) => round(median(rs.map(f)));
        const row = {
          name: 'webview.load', variant: v, nodes, runs: rs.length,
          script_files: rs[0].scriptFiles, script_kb: round(rs[0].scriptBytes / 1024),
          ready_ms: m((x) => x.readyMs), first_graph_ms: m((x) => x.firstGraphMs), render_ms: m((x) => x.renderMs), next_structure_ms: m((x) => x.nextStructureMs),
        };
        console.log(json ? JSON.stringify(row) : `${String(nodes).padStart(4)} nodes  ${v.padEnd(24)} ${String(row.script_files).padStart(3)} files ${String(row.script_kb).padStart(7)} KB  ready ${String(row.ready_ms).padStart(6)} ms  first graph ${String(row.first_graph_ms).padStart(6)} ms  (render ${String(row.render_ms).padStart(6)} ms)  next structure ${String(row.next_structure_ms).padStart(6)} ms`);
      }
    }
  } finally {
    await browser.close();
    for (const s of sites.values()) await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
