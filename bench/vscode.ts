/**
 * Section `vscode`: what the user waits for in a real VS Code (code-server 4.139.1, the packaged extension),
 * from pressing Enter on the palette's "Show Backprop Graph" to the graph's node SVG painted in the webview:
 *  - cold: the first graph in a fresh window (new workbench and extension host), beside the cold open of an
 *    empty webview panel measured in the same run (bench/empty-webview-ext: one command, one inline SVG node);
 *  - warm: a second expression in the same window (a structure that window has not drawn);
 *  - large: a 25-term sum (224 nodes) in the same window, until visible and until every node is inside the
 *    diagram area (fitted), with the longest main-thread task (PerformanceObserver 'longtask') meanwhile.
 * The clock: Enter is stamped by a keydown listener in the workbench page, the paint by a requestAnimationFrame
 * loop in the webview's host frame (VS Code's pre/index.html) that looks into its content frame; both read
 * performance.timeOrigin + performance.now(), one clock for every frame of the browser.
 * Skipped with `npm run bench -- --skip vscode` (or when the e2e tools are missing).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { analyze } from '../src/host/engine';
import { EXTENSION_ID, sleep, toolsReady, VsCodeSession, waitFor } from '../test/e2e/harness';
import { median, round, type BenchRecord } from './util';

const COLD_SAMPLES = 3;
const REF_ID = 'backprop-graph-bench.empty-webview';
const SHOW = 'Backprop Graph: Show Backprop Graph';
const OPEN_EMPTY = 'Empty Webview: Open Empty Webview';
const FILE = 'lessons/bench/speed.md';
const TERMS = 25;

/** The cold graph: the seed. Warm: small expressions, each a structure the window has not drawn. */
const COLD_EXPR = '(x^2+1)^3';
const WARM_EXPRS = ['sin(x^2+1)', 'x^3 + 2*x', 'exp(-x^2)', 'tanh(3*x)', 'sqrt(x^2+1)', 'x*sin(x)'];
/**
 * The large graph: a layer of 25 tanh units, each with its own input, weight, bias and output weight, summed —
 * 100 inputs, 4 ops a term and 24 additions = 224 nodes, no constants (so every node is drawn whether or not
 * constants are folded). Three spellings of it (operand order), so each sample is a structure not drawn before.
 */
const LARGE_VARIANTS: Array<(i: number) => string> = [
  (i) => `w${i}*tanh(v${i}*x${i} + b${i})`,
  (i) => `tanh(v${i}*x${i} + b${i})*w${i}`,
  (i) => `w${i}*tanh(x${i}*v${i} + b${i})`,
];
const largeExpr = (variant: number) => Array.from({ length: TERMS }, (_, k) => LARGE_VARIANTS[variant](k + 1)).join(' + ');

/** The bench's lesson file: the values in a ts block, then one math block per expression. */
function speedLesson(): { text: string; lineOf: Map<string, number> } {
  const values: string[] = ['const x = 2;'];
  for (let i = 1; i <= TERMS; i++) {
    values.push(`const x${i} = ${round(((i * 37) % 19) / 10 - 0.9)};`, `const w${i} = ${round(((i * 53) % 23) / 20 - 0.55)};`,
      `const v${i} = ${round(((i * 29) % 17) / 10 - 0.8)};`, `const b${i} = ${round(((i * 41) % 13) / 20 - 0.3)};`);
  }
  const lines = ['# Bench: speed in VS Code', '', '```ts', ...values, '```', ''];
  const lineOf = new Map<string, number>();
  for (const e of [COLD_EXPR, ...WARM_EXPRS, ...LARGE_VARIANTS.map((_, v) => largeExpr(v))]) {
    lines.push('```math');
    lineOf.set(e, lines.length + 1); // 1-based line of the expression
    lines.push(e, '```', '');
  }
  return { text: lines.join('\n'), lineOf };
}

/** Node counts the drawing may have: every model node, or every node but the constants (folded into their op). */
function drawnCounts(text: string, values: Record<string, number>): number[] {
  const r = analyze(text, { lang: 'math', values });
  if (!r.ok) throw new Error(`${text}: ${r.error.message}`);
  const all = r.value.graph.nodes.length;
  const consts = r.value.graph.nodes.filter((n) => n.kind === 'const').length;
  return [...new Set([all, all - consts])];
}

function lessonValues(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^const (\w+) = (-?[\d.]+);$/gm)) out[m[1]] = Number(m[2]);
  return out;
}

/**
 * Injected into every frame before its scripts (Playwright init script; CSP does not apply to it). In the
 * workbench page: stamps each Enter. In a webview host frame (pre/index.html): each animation frame, looks at
 * its content frame's `#diagram svg` and records an event whenever the drawing changes (a new SVG element or
 * node count) or its fit changes: when, how many nodes, how many on screen and inside the diagram area, and
 * the time of the next animation frame (the drawing has been painted by then). Long tasks are observed in the
 * host frame and in the content frame. Kept as source text (tsx would wrap named functions in __name).
 */
const PROBE = `(() => {
  const now = () => performance.timeOrigin + performance.now();
  if (window === window.top) {
    window.addEventListener('keydown', (e) => { if (e.key === 'Enter') window.__bpEnterAt = now(); }, true);
    return;
  }
  if (!/\\/pre\\/index\\.html$/.test(location.pathname)) return;
  const look = { events: [], longtasks: [], observedInner: 0 };
  window.__bpLook = look;
  const observe = (win, where) => {
    try {
      new win.PerformanceObserver((list) => {
        for (const e of list.getEntries()) look.longtasks.push({ start: win.performance.timeOrigin + e.startTime, ms: e.duration, where });
      }).observe({ type: 'longtask', buffered: true });
    } catch (err) { look.observeError = String(err); }
  };
  observe(window, 'host');
  let lastSvg = null, lastCount = -1, lastFitted = null, innerWin = null;
  const tick = () => {
    requestAnimationFrame(tick);
    try { step(); } catch (err) { look.error = String(err && err.stack || err); }
  };
  const step = () => {
    const t = now();
    const frame = document.getElementById('active-frame');
    let doc = null;
    try { doc = frame && frame.contentDocument; } catch (err) { doc = null; }
    if (doc && doc.defaultView && doc.getElementById('diagram') && innerWin !== doc.defaultView) {
      innerWin = doc.defaultView;
      look.observedInner++;
      observe(innerWin, 'content');
    }
    const svg = doc && doc.querySelector('#diagram svg');
    if (svg) {
      const nodes = svg.querySelectorAll('g.node');
      const changed = svg !== lastSvg || nodes.length !== lastCount;
      if (changed || lastFitted === false) {
        const area = (doc.getElementById('diagram-area') || doc.body).getBoundingClientRect();
        let shown = 0, inside = 0;
        for (const g of nodes) {
          const r = g.getBoundingClientRect();
          if (r.width <= 0 || r.height <= 0) continue;
          if (r.right > area.left && r.left < area.right && r.bottom > area.top && r.top < area.bottom) shown++;
          if (r.left >= area.left - 0.5 && r.top >= area.top - 0.5 && r.right <= area.right + 0.5 && r.bottom <= area.bottom + 0.5) inside++;
        }
        const fitted = nodes.length > 0 && inside === nodes.length;
        if (changed || fitted !== lastFitted) {
          const ev = { t, painted: 0, n: nodes.length, shown, inside, fitted, renderMs: Number(doc.body.dataset.renderMs || NaN) };
          look.events.push(ev);
          requestAnimationFrame(() => { ev.painted = now(); });
        }
        lastSvg = svg; lastCount = nodes.length; lastFitted = fitted;
      }
    }
  };
  requestAnimationFrame(tick);
})();`;

interface ProbeEvent { t: number; painted: number; n: number; shown: number; inside: number; fitted: boolean; renderMs: number }
interface LongTask { start: number; ms: number; where: string }
interface Probe { events: ProbeEvent[]; longtasks: LongTask[]; observedInner: number; observeError?: string }

/** The webview host frames of one extension's panels in the current window. */
function hostFrames(vs: VsCodeSession, extensionId: string): Frame[] {
  return vs.page.frames().filter((f) => f.url().includes('/pre/index.html') && f.url().includes(`extensionId=${extensionId}&`));
}

async function probes(vs: VsCodeSession, extensionId: string): Promise<Probe[]> {
  const out: Probe[] = [];
  for (const f of hostFrames(vs, extensionId)) {
    const p = (await f.evaluate('window.__bpLook').catch(() => undefined)) as Probe | undefined;
    if (p) out.push(p);
  }
  return out;
}

interface Shown {
  /** Enter → the drawing's next animation frame (painted), ms. */
  visibleMs: number;
  /** Enter → painted with every node inside the diagram area, ms (NaN: not within the wait). */
  fittedMs: number;
  nodes: number;
  inside: number;
  /** The webview's own render time for this graph (its data-render-ms), when it reports one. */
  renderMs: number;
  longestTaskMs: number;
  longTasks: number;
}

/**
 * Waits for a drawing with one of `counts` nodes, at least one on screen, first seen after `enterAt`; then
 * (if `wantFit`) up to `fitWaitMs` more for it to be fitted (the webview fits in the task that draws, so a
 * drawing that is not fitted when it appears is not fitted later either, unless the panel resizes). Long tasks are the ones that started after Enter.
 */
async function shownAfter(vs: VsCodeSession, extensionId: string, enterAt: number, counts: number[], wantFit: boolean, fitWaitMs = 1_500): Promise<Shown> {
  const find = async () => {
    const all = await probes(vs, extensionId);
    const events = all.flatMap((p) => p.events).filter((e) => e.t >= enterAt && counts.includes(e.n)).sort((a, b) => a.t - b.t);
    return { all, events };
  };
  const first = await waitFor(`a ${counts.join(' or ')}-node drawing of ${extensionId}`, 60_000, async () => {
    const { events } = await find();
    return events.find((x) => x.shown > 0 && x.painted > 0);
  }, 200).catch(async (e) => {
    const seen = (await probes(vs, extensionId)).map((p) => ({ events: p.events.map((x) => ({ ...x, t: round(x.t - enterAt) })), error: (p as { error?: string }).error }));
    throw new Error(`${(e as Error).message}; ${hostFrames(vs, extensionId).length} host frames; probes: ${JSON.stringify(seen).slice(0, 600)}`);
  });
  let fitted: ProbeEvent | undefined;
  if (wantFit) {
    fitted = await waitFor('fitted', fitWaitMs, async () => (await find()).events.find((x) => x.fitted && x.painted > 0), 150).catch(() => undefined);
  }
  const { all, events } = await find();
  const last = fitted ?? events[events.length - 1] ?? first;
  const end = (fitted ?? first).painted;
  const tasks = all.flatMap((p) => p.longtasks).filter((l) => l.start + l.ms >= enterAt && l.start <= end);
  // The host and content frames can both report one task: count each start once.
  const unique = [...new Map(tasks.map((l) => [Math.round(l.start), l])).values()];
  return {
    visibleMs: first.painted - enterAt,
    fittedMs: fitted ? fitted.painted - enterAt : NaN,
    nodes: first.n,
    inside: last.inside,
    renderMs: Number.isFinite(last.renderMs) ? last.renderMs : first.renderMs,
    longestTaskMs: unique.reduce((m, l) => Math.max(m, l.ms), 0),
    longTasks: unique.length,
  };
}

/** Runs a palette command after putting the cursor on `line`; returns the Enter's time stamp. */
async function runOn(vs: VsCodeSession, line: number, title: string): Promise<number> {
  await vs.goTo(line, 1);
  await vs.runCommand(title, false);
  const at = (await vs.page.evaluate('window.__bpEnterAt')) as number | undefined;
  if (typeof at !== 'number') throw new Error('the Enter was not stamped');
  return at;
}

/** Opens the lesson in a fresh window and waits until both extensions are active (lens shown, status item). */
let windows = 0;
async function freshWindow(vs: VsCodeSession, line: number): Promise<number> {
  // A copy of the workspace per window: on a folder it has seen, the workbench restores the last editors and
  // panels (our serializer would revive the graph before the Enter); a new folder starts with nothing open.
  const folder = `${vs.workspace}-window-${++windows}`;
  cpSync(vs.workspace, folder, { recursive: true });
  const loadMs = await vs.newWindow(folder);
  await vs.openFile(FILE);
  await vs.goTo(line, 1); // CodeLenses are drawn for the lines in view only
  await vs.page.locator('.statusbar-item', { hasText: 'empty-webview ready' }).first().waitFor({ state: 'visible', timeout: 30_000 });
  await vs.codeLenses().filter({ hasText: 'Show Backprop Graph' }).first().waitFor({ state: 'visible', timeout: 30_000 });
  await sleep(1000); // let activation and the first CodeLens pass settle before the clock starts
  return loadMs;
}

function packageReference(root: string, outDir: string): string {
  const vsix = join(outDir, 'empty-webview.vsix');
  const r = spawnSync(join(root, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', vsix], {
    cwd: join(root, 'bench/empty-webview-ext'), encoding: 'utf8', timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`vsce package of the reference extension failed: ${r.stderr || r.stdout}`);
  return vsix;
}

const stats = (xs: number[]) => ({ median: round(median(xs)), min: round(Math.min(...xs)), max: round(Math.max(...xs)) });

export async function vscodeSection(emit: (r: BenchRecord) => void, root: string): Promise<void> {
  const missing = toolsReady();
  if (missing) {
    emit({ name: 'vscode', median_ms: NaN, unavailable: `${missing} (or E2E_TOOLS_DIR)` });
    return;
  }
  const { text, lineOf } = speedLesson();
  const values = lessonValues(text);
  const tmp = mkdtempSync(join(tmpdir(), 'bp-bench-vscode-'));
  let vs: VsCodeSession | undefined;
  const started = performance.now();
  try {
    const ref = packageReference(root, tmp);
    vs = await VsCodeSession.start({ files: { [FILE]: text }, extraVsix: [ref], shotPrefix: 'bench-' });
    const setupMs = performance.now() - started;

    // The start-up window (not measured) opens both panels first, so every measured window finds the same warm
    // browser caches (as a desktop VS Code finds its files in the OS cache): cold means a new window, not a
    // first install.
    await vs.openFile(FILE);
    for (const [title, id] of [[SHOW, EXTENSION_ID], [OPEN_EMPTY, REF_ID]]) {
      await vs.goTo(lineOf.get(COLD_EXPR)!, 1);
      await vs.runCommand(title);
      await vs.page.frameLocator(`iframe.webview.ready[src*="extensionId=${id}&"]`).frameLocator('iframe#active-frame')
        .locator('#diagram svg g.node').first().waitFor({ state: 'visible', timeout: 60_000 });
    }
    await vs.context!.addInitScript({ content: PROBE });

    const coldOurs: Shown[] = [];
    const coldEmpty: Shown[] = [];
    const loads: number[] = [];
    const warm: Shown[] = [];
    const large: Shown[] = [];
    let warmNext = 0;
    for (let i = 0; i < COLD_SAMPLES; i++) {
      // Alternate which panel goes first, so neither always runs on the fresher machine.
      for (const which of i % 2 === 0 ? ['empty', 'ours'] : ['ours', 'empty']) {
        loads.push(await freshWindow(vs, lineOf.get(COLD_EXPR)!));
        if (which === 'empty') {
          coldEmpty.push(await shownAfter(vs, REF_ID, await runOn(vs, lineOf.get(COLD_EXPR)!, OPEN_EMPTY), [1], false));
          continue;
        }
        coldOurs.push(await shownAfter(vs, EXTENSION_ID, await runOn(vs, lineOf.get(COLD_EXPR)!, SHOW), drawnCounts(COLD_EXPR, values), true));
        for (let w = 0; w < 2; w++) {
          const e = WARM_EXPRS[warmNext++ % WARM_EXPRS.length];
          warm.push(await shownAfter(vs, EXTENSION_ID, await runOn(vs, lineOf.get(e)!, SHOW), drawnCounts(e, values), true));
        }
        const big = largeExpr(i % LARGE_VARIANTS.length);
        large.push(await shownAfter(vs, EXTENSION_ID, await runOn(vs, lineOf.get(big)!, SHOW), drawnCounts(big, values), true, 2_000));
        await vs.screenshot(`vscode-large-${i + 1}`);
      }
    }
    const oursCold = stats(coldOurs.map((s) => s.visibleMs));
    const emptyCold = stats(coldEmpty.map((s) => s.visibleMs));
    const ratio = oursCold.median / emptyCold.median;
    emit({
      name: 'vscode.cold', median_ms: oursCold.median, runs: coldOurs.length,
      min_ms: oursCold.min, max_ms: oursCold.max,
      empty_ms: emptyCold.median, empty_min_ms: emptyCold.min, empty_max_ms: emptyCold.max,
      ratio: round(ratio),
      render_ms: round(median(coldOurs.map((s) => s.renderMs))),
      fitted: coldOurs.filter((s) => Number.isFinite(s.fittedMs)).length,
      nodes: coldOurs[0]?.nodes,
      window_load_ms: round(median(loads)),
      target: 'cold ≤ 1.2 × the cold open of an empty webview panel (same run)', met: ratio <= 1.2,
    });
    const warmVisible = stats(warm.map((s) => s.visibleMs));
    emit({
      name: 'vscode.warm', median_ms: warmVisible.median, runs: warm.length, min_ms: warmVisible.min, max_ms: warmVisible.max,
      render_ms: round(median(warm.map((s) => s.renderMs))),
      fitted: warm.filter((s) => Number.isFinite(s.fittedMs)).length,
      target: 'warm (a second expression in the same window) ≤ 250 ms', met: warmVisible.median <= 250,
    });
    const largeVisible = stats(large.map((s) => s.visibleMs));
    const fittedAll = large.every((s) => Number.isFinite(s.fittedMs));
    const largeFitted = fittedAll ? stats(large.map((s) => s.fittedMs)) : undefined;
    emit({
      name: 'vscode.large', n: large[0]?.nodes, median_ms: largeFitted?.median ?? NaN, runs: large.length,
      visible_ms: largeVisible.median, visible_min_ms: largeVisible.min, visible_max_ms: largeVisible.max,
      fitted: large.filter((s) => Number.isFinite(s.fittedMs)).length,
      fitted_min_ms: largeFitted?.min, fitted_max_ms: largeFitted?.max,
      inside: large.map((s) => s.inside).join('/'),
      render_ms: round(median(large.map((s) => s.renderMs))),
      longest_task_ms: round(Math.max(...large.map((s) => s.longestTaskMs))),
      longest_task_median_ms: round(median(large.map((s) => s.longestTaskMs))),
      long_tasks: round(median(large.map((s) => s.longTasks))),
      terms: TERMS,
      target: '25-term sum fitted and visible ≤ 1.5 s', met: fittedAll && (largeFitted?.median ?? Infinity) <= 1500,
    });
    emit({ name: 'vscode.session', median_ms: round(performance.now() - started), setup_ms: round(setupMs), windows: 2 * COLD_SAMPLES });
  } catch (e) {
    await vs?.screenshot('vscode-bench-failed').catch(() => undefined);
    emit({ name: 'vscode', median_ms: NaN, unavailable: `code-server run failed: ${(e as Error).message.split('\n')[0]}` });
  } finally {
    await vs?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}
