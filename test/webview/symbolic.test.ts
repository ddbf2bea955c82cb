/// <reference lib="dom" />
// (Code passed to page.evaluate runs in the page: it is typed against the DOM.)
/**
 * A symbolic graph on the rendered page (sympy with no values; seed 1.2's Function('g')(x) cell): node labels
 * and edge labels are formulas, every node in view, no NaN anywhere on the page (diagram, side panel, step
 * bar), stepping off. Screenshots: test-output/webview/symbolic-*.png.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyze } from '../../src/engine/analyze';
import * as engine from '../../src/host/engine';
import { buildPayload } from '../../src/host/payload';
import { OUT_DIR, nextVersion, startHarness, type Harness } from './harness';
import { look } from './look';
import { CELL_15_SYMPY_SIN, CELL_5_SYMPY_CHAIN_RULE } from '../fixtures/seed-1.2-cells';

let h: Harness;
before(async () => { h = await startHarness(); });
after(async () => { await h?.close(); });

function payload(text: string, title: string) {
  const r = analyze(text, { lang: 'python', symbolic: true });
  if (!r.ok) throw r.error;
  assert.equal(r.value.graph.symbolic, true);
  return { ...buildPayload(engine, r.value, { title, digits: 4, direction: 'auto' }), version: nextVersion() };
}

describe('symbolic graphs in the panel', () => {
  for (const [name, text, edges, side] of [
    ['cell-5-abstract', CELL_5_SYMPY_CHAIN_RULE, ['dg/dx', '∂f/∂g'], '∂f/∂g·dg/dx'],
    ['cell-15-no-values', CELL_15_SYMPY_SIN, ['2x', 'cos(x² + 1)'], '2x·cos(x² + 1)'],
  ] as const) {
    test(`${name}: formulas on nodes and edges, all in view, no NaN, stepping off`, async () => {
      const w = await h.newPage('vscode-light');
      await w.page.setViewportSize({ width: 640, height: 800 });
      await w.showGraph(payload(text, name));
      await w.page.waitForTimeout(250);
      const l = await look(w.page);
      assert.ok(l.nodes >= 3, `${l.nodes} nodes drawn`);
      assert.deepEqual(l.outside, [], `${l.nodesInView} of ${l.nodes} nodes in view`);
      assert.ok(l.minNodePx >= 12, `node text ${l.minNodePx} px`);
      const shown = await w.page.evaluate(() => ({
        page: document.body.innerText,
        edges: [...document.querySelectorAll('#diagram g.edgeLabel')].map((e) => (e.textContent ?? '').trim()).filter(Boolean),
        nodes: [...document.querySelectorAll('#diagram g.node')].map((e) => (e.textContent ?? '').trim()),
        stepDisabled: (document.getElementById('btn-step') as HTMLButtonElement).disabled,
        stepTitle: document.getElementById('btn-step')!.title,
      }));
      assert.doesNotMatch(shown.page, /NaN/);
      assert.doesNotMatch(shown.nodes.join('\n'), /NaN/);
      for (const e of edges) assert.ok(shown.edges.includes(e), `edge label ${e} in ${JSON.stringify(shown.edges)}`);
      assert.match(shown.page, new RegExp(side.replace(/[()+]/g, '\\$&')));
      assert.match(shown.page, /Symbolic graph:/);
      assert.equal(shown.stepDisabled, true);
      assert.match(shown.stepTitle, /Stepping needs numbers/);
      // Keyboard stepping does nothing either.
      await w.page.keyboard.press('.');
      assert.doesNotMatch(await w.page.evaluate(() => document.body.innerText), /NaN/);
      await w.page.screenshot({ path: join(OUT_DIR, `symbolic-${name}-640.png`) });
      await w.page.close();
    });
  }
});
