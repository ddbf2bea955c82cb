/// <reference lib="dom" />
// (Code passed to page.evaluate runs in the page: it is typed against the DOM.)
/**
 * Render timings of the real webview bundle in Chromium (not a test: nothing is asserted).
 * `node --import tsx test/webview/measure.ts [--json]` after `npm run build`.
 * cold: first graph in a fresh page; warm: a graph of new structure in a page that has drawn before;
 * update: same structure, new numbers (labels rewritten in place). Times are from the page receiving the
 * message to the SVG being in the page, medians of the runs; "page load + draw" is from opening the page
 * (the panel's HTML) to the SVG, with the graph sent as soon as the page posts `ready`.
 */
import { payloadFor, startHarness } from './harness';

/** A sum of `terms` neurons tanh(w·x + b): 7 nodes per term, minus one. */
function neurons(terms: number, shift = 0) {
  const parts: string[] = [];
  const values: Record<string, number> = {};
  for (let i = 0; i < terms; i++) {
    parts.push(`tanh(w${i}*x${i}+b${i})`);
    values[`w${i}`] = 0.5 + shift;
    values[`x${i}`] = 1 + i / 10;
    values[`b${i}`] = 0.1;
  }
  return { text: parts.join(' + '), values };
}

const SIZES: { label: string; make: (shift: number) => { text: string; values: Record<string, number> } }[] = [
  { label: 'seed (x^2+1)^3', make: (s) => ({ text: '(x^2+1)^3', values: { x: 2 + s } }) },
  { label: '~50 nodes', make: (s) => neurons(7, s) },
  { label: '~200 nodes', make: (s) => neurons(29, s) },
  { label: '~1000 nodes', make: (s) => neurons(143, s) },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const runs = Number(process.env.RUNS ?? 5);
  const json = process.argv.includes('--json');
  const h = await startHarness();
  try {
    for (const size of SIZES) {
      const cold: number[] = [];
      const warm: number[] = [];
      const update: number[] = [];
      const loadAndDraw: number[] = [];
      let nodes = 0;
      let drawnNodes = 0;
      for (let r = 0; r < runs; r++) {
        const first = size.make(0);
        const p1 = payloadFor(first.text, first.values, { direction: 'LR' }, false); // LR, then TB below: two layouts
        nodes = p1.graph.nodes.length;
        const t0 = performance.now();
        const w = await h.newPage('vscode-light');
        cold.push((await w.showGraph(p1)).ms);
        loadAndDraw.push(performance.now() - t0);
        drawnNodes = await w.page.evaluate(() => document.querySelectorAll('#diagram g.node').length);
        const u = size.make(0.25);
        const upd = await w.showGraph(payloadFor(u.text, u.values, { direction: 'LR' }, false));
        if (upd.mode === 'inplace') update.push(upd.ms);
        // New structure in the warm page: direction TB forces a new layout of the same graph.
        const p3 = payloadFor(first.text, first.values, { direction: 'TB' }, false);
        p3.mermaid = p3.mermaid.replace(/^flowchart LR/, 'flowchart TB');
        warm.push((await w.showGraph(p3)).ms);
        await w.page.close();
      }
      const row = { name: `view.render`, case: size.label, nodes, drawnNodes, cold_ms: median(cold), page_load_and_draw_ms: median(loadAndDraw), warm_ms: median(warm), update_ms: update.length ? median(update) : null, runs };
      console.log(json ? JSON.stringify(row) : `${size.label.padEnd(16)} nodes ${String(nodes).padStart(5)} (drawn ${String(drawnNodes).padStart(4)})  cold ${row.cold_ms.toFixed(0).padStart(6)} ms (page load + draw ${row.page_load_and_draw_ms.toFixed(0).padStart(6)} ms)  warm ${row.warm_ms.toFixed(0).padStart(6)} ms  in-place update ${row.update_ms === null ? '   n/a' : row.update_ms.toFixed(0).padStart(6)} ms`);
    }
  } finally {
    await h.close();
  }
}

void main();
