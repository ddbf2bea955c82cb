/// <reference lib="dom" />
// (Code passed to page.evaluate runs in the page: it is typed against the DOM.)
/**
 * The graph's structure in the real webview (issue 12): calls and loops drawn as boxes, collapsed groups as
 * one node, a click on a collapsed group opens it and a click on a box's title collapses it, the choice kept
 * across new payloads of the same groups, stepping across groups, branch marks and the "for this input" note.
 * Screenshots: test-output/webview/groups-*.png.
 *
 * The lecture MLP's trace comes from one function (LECTURE_TRACE) so that it can become the real program's
 * trace once the interpreter and the Python front end land.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { OUT_DIR, nextVersion, ROOT, startHarness, type Harness, type WebviewPage } from './harness';
import { look, type Look } from './look';
import * as engine from '../../src/host/engine';
import { buildPayload } from '../../src/host/payload';
import { buildGraph } from '../../src/engine/graph/graph';
import type { Analysis } from '../../src/engine/analyze';
import type { Trace } from '../../src/engine/interpreter/trace';
import type { GraphPayload } from '../../src/protocol';
import { nestedCall, neuronTwice } from '../fixtures/scoped-traces';
import { mlpProgram } from '../fixtures/lecture-mlp';
import { analyze } from '../../src/engine/analyze';

/** The lecture MLP(3, [4, 4, 1]) over 4 samples, as the lecture writes it (classes, calls, loops), interpreted. */
const LECTURE_TRACE: () => Trace = () => {
  const r = analyze(mlpProgram(), { lang: 'python', symbolic: false, gradCheck: false });
  if (!r.ok) throw r.error;
  return r.value.trace;
};

/** A payload as the panel builds it (buildPayload: the default groups collapsed). */
function payloadOf(trace: Trace, title: string, extra: Partial<GraphPayload> = {}): GraphPayload {
  const graph = buildGraph(trace);
  const analysis = { lang: 'python', detected: false, program: trace.program, trace, graph, value: trace.tape.value[trace.output], gradients: {} } as Analysis;
  return { ...buildPayload(engine, analysis, { title, digits: 4, direction: 'auto', version: nextVersion() }), ...extra };
}

let h: Harness;
before(async () => { h = await startHarness(); });
after(async () => { await h?.close(); });

const PANEL_640 = { width: 640, height: 800 };

async function open(size = PANEL_640, theme = 'vscode-light'): Promise<WebviewPage> {
  const w = await h.newPage(theme);
  await w.page.setViewportSize(size);
  return w;
}

async function settle(w: WebviewPage): Promise<Look> {
  await w.page.waitForTimeout(250);
  return look(w.page);
}

/** Waits for the next drawing after `action` (the page's render counter). */
async function redraw(w: WebviewPage, action: () => Promise<unknown>): Promise<void> {
  const before = await w.page.evaluate(() => document.querySelectorAll('#diagram svg').length && (document.querySelector('#diagram svg') as SVGSVGElement).id);
  await action();
  await w.page.waitForFunction((id) => { const svg = document.querySelector('#diagram svg'); return !!svg && svg.id !== id; }, before, { timeout: 60_000 });
}

const groupNodes = (w: WebviewPage) => w.page.evaluate(() => [...document.querySelectorAll<SVGGElement>('#diagram g.node')].map((g) => g.dataset.node!).filter((id) => /^g\d+$/.test(id)));
const clusters = (w: WebviewPage) => w.page.evaluate(() => [...document.querySelectorAll<SVGGElement>('#diagram g.cluster')].map((g) => ({ scope: Number(g.dataset.scope), title: g.querySelector('g.cluster-label')?.textContent?.trim() ?? '' })));

const figures: string[] = [];
after(() => { if (figures.length) console.log(`\ngroups, measured:\n${figures.join('\n')}`); });

describe('groups: calls and loops drawn as the program is written', () => {
  test('Mermaid parses every source the emitter writes for groups (subgraphs, collapsed nodes, branch marks)', async () => {
    const page = await h.context.newPage();
    await page.goto('about:blank');
    await page.addScriptTag({ path: join(ROOT, 'node_modules/mermaid/dist/mermaid.min.js') });
    // The panel's limits (media/render.ts): the full lecture graph has 500 edges.
    await page.evaluate(() => (window as unknown as { mermaid: { initialize(c: object): void } }).mermaid.initialize({ startOnLoad: false, maxEdges: 2000, maxTextSize: 400_000, securityLevel: 'strict' }));
    const lecture = buildGraph(LECTURE_TRACE());
    const sources = [
      engine.toMermaid(buildGraph(neuronTwice())),
      engine.toMermaid(buildGraph(nestedCall())),
      engine.toMermaid(engine.collapseScopes(buildGraph(nestedCall()), [1, 2])),
      engine.toMermaid(lecture),
      // A TypeScript loop's title: `;` stays as it is, `<` is escaped.
      engine.toMermaid({ ...buildGraph(nestedCall()), scopes: buildGraph(nestedCall()).scopes!.map((s) => ({ ...s, title: 'for (let i = 0; i < 3; i++) · line 6' })) }),
      engine.toMermaid(engine.collapseScopes(lecture, engine.defaultCollapsedScopes(lecture))),
    ];
    for (const source of sources) {
      const error = await page.evaluate(async (text) => {
        try {
          await (window as unknown as { mermaid: { parse(t: string): Promise<unknown> } }).mermaid.parse(text);
          return '';
        } catch (e) {
          return String(e);
        }
      }, source);
      assert.equal(error, '', source.slice(0, 400));
    }
    await page.close();
  });

  test('the lecture MLP (~400 nodes) opens with its nested calls collapsed, whole in a 640 px panel; a click opens one group', async () => {
    const w = await open();
    const payload = payloadOf(LECTURE_TRACE(), 'lecture MLP(3, [4, 4, 1]) over 4 samples');
    assert.ok(payload.graph.nodes.length > 350, `${payload.graph.nodes.length} nodes`);
    assert.ok(payload.collapsedScopes!.length > 0);
    await w.showGraph(payload);
    const l = await settle(w);
    figures.push(`lecture MLP, collapsed: ${l.nodesInView}/${l.nodes} nodes in view, node text ${l.minNodePx.toFixed(1)} px, edge contrast ${l.minEdgeContrast.toFixed(2)}, ${l.direction} ×${l.scale.toFixed(3)}, ${await w.page.evaluate(() => document.body.dataset.renderMs)} ms`);
    assert.deepEqual(l.outside, [], 'every node inside the visible area');
    assert.ok(l.minEdgeContrast >= 4.5, `edge label contrast ${l.minEdgeContrast}`);
    const collapsed = await groupNodes(w);
    const scopes = payload.graph.scopes!;
    const shownCollapsed = scopes.filter((sc) => payload.collapsedScopes!.includes(sc.id) && !(sc.parent !== undefined && payload.collapsedScopes!.includes(sc.parent)));
    assert.equal(collapsed.length, shownCollapsed.length, 'every outermost collapsed group is one node');
    assert.equal(collapsed.length, 4, 'the loop over the layers inside each of the 4 n(x) calls, collapsed');
    // The boxes: the four n(x) calls of `ypred = [n(x) for x in xs]`, titled as the interpreter titled them.
    const boxes = await clusters(w);
    assert.equal(boxes.filter((b) => b.title === 'n(x) · line 49').length, 4, JSON.stringify(boxes));
    assert.ok(boxes.every((b) => !b.title.includes('#')), 'titles decoded');
    await w.page.screenshot({ path: join(OUT_DIR, 'groups-lecture-collapsed.png') });
    // The side panel says what the boxes are.
    assert.match(await w.page.locator('#side .groups-notice').innerText(), new RegExp(`${payload.collapsedScopes!.length} are collapsed`));
    // Double-click zooms to a readable size.
    const area = (await w.page.locator('#diagram-area').boundingBox())!;
    await w.page.mouse.dblclick(area.x + area.width / 2, area.y + area.height / 2);
    await w.page.waitForTimeout(150);
    const zoomed = await look(w.page);
    assert.ok(zoomed.minNodePx >= 12, `after double-click: ${zoomed.minNodePx.toFixed(1)} px`);
    await w.page.click('#btn-fit');

    // Open the first sample's loop over the layers: its three passes appear inside its box, collapsed.
    const first = collapsed[0];
    const children = scopes.filter((sc) => sc.parent === Number(first.slice(1)));
    assert.equal(children.length, 3, 'three layers, three passes');
    await redraw(w, () => w.page.click(`#diagram g.node[data-node="${first}"]`));
    const opened = await settle(w);
    assert.deepEqual(opened.outside, [], 'the opened graph is fitted whole');
    const afterOpen = await groupNodes(w);
    assert.ok(!afterOpen.includes(first), 'the opened group is no node any more');
    assert.equal(afterOpen.length, collapsed.length - 1 + children.length, 'the other loops stay collapsed; its passes take its place');
    const openedBox = (await clusters(w)).find((b) => b.scope === Number(first.slice(1)));
    assert.equal(openedBox?.title, 'for layer in self.layers · line 33');
    const inside = await w.page.evaluate((scope) => {
      const box = document.querySelector(`#diagram g.cluster[data-scope="${scope}"] > rect`)!.getBoundingClientRect();
      return [...document.querySelectorAll<SVGGElement>('#diagram g.node')].filter((g) => {
        const r = g.getBoundingClientRect();
        return r.left >= box.left && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom;
      }).map((g) => g.querySelector('text')?.textContent ?? '');
    }, first.slice(1));
    for (const child of children) assert.equal(inside.filter((t) => t.startsWith(child.title)).length, 1, `pass '${child.title}' inside its box: ${inside.join(' | ')}`);
    await w.page.screenshot({ path: join(OUT_DIR, 'groups-lecture-one-expanded.png') });
    // Zoomed in on the opened group (a double-click inside its box, off its nodes): its labels at a readable size.
    const boxRect = (await w.page.locator(`#diagram g.cluster[data-scope="${first.slice(1)}"] > rect`).boundingBox())!;
    await w.page.mouse.dblclick(boxRect.x + 2, boxRect.y + boxRect.height - 2);
    await w.page.waitForTimeout(150);
    assert.ok((await look(w.page)).minNodePx >= 12);
    assert.deepEqual((await groupNodes(w)).length, afterOpen.length, 'a double-click inside a box zooms; it does not collapse the box');
    await w.page.screenshot({ path: join(OUT_DIR, 'groups-lecture-one-expanded-zoomed.png') });
    await w.page.click('#btn-fit');

    // A new payload with the same groups (new numbers): the opened group stays open.
    await w.showGraph(payloadOf(LECTURE_TRACE(), 'lecture MLP(3, [4, 4, 1]) over 4 samples'));
    await settle(w);
    assert.deepEqual((await groupNodes(w)).sort(), [...afterOpen].sort(), 'the choice survives a payload of the same structure');

    // A click on its title collapses it again.
    await redraw(w, () => w.page.click(`#diagram g.cluster[data-scope="${first.slice(1)}"] g.cluster-label`));
    await settle(w);
    assert.deepEqual((await groupNodes(w)).sort(), [...collapsed].sort());
    await w.page.close();
  });

  test('stepping walks across a collapsed group and into an open one; a branch shows its condition and the note', async () => {
    const w = await open();
    // The layer open, its first neuron collapsed, the second open.
    const payload = payloadOf(nestedCall(), 'nested call', { collapsedScopes: [1] });
    payload.mermaid = engine.toMermaid(engine.collapseScopes(payload.graph, [1]), { direction: 'LR', digits: 4 });
    await w.showGraph(payload);
    await settle(w);
    assert.deepEqual(await groupNodes(w), ['g1']);
    const seen: { node: string; text: string }[] = [];
    for (let i = 0; i < 12; i++) {
      await w.page.click('#btn-step');
      const status = await w.page.evaluate(() => ({ node: document.getElementById('step-status')!.dataset.node ?? '', text: document.getElementById('step-status')!.innerText }));
      if (seen.at(-1)?.node === status.node) break;
      seen.push(status);
    }
    const order = seen.map((s) => s.node);
    // Backward from the output: y, h, then both neurons' outputs (the collapsed one as one step), and on.
    assert.equal(order[0], 'n13');
    assert.ok(order.includes('g1') && order.includes('n10') && order.includes('n8'), order.join(' '));
    const atGroup = seen.find((s) => s.node === 'g1')!;
    assert.match(atGroup.text, /neuron\(x, w0, b0\) · line 7/);
    assert.match(atGroup.text, /x: local 0\.3558 × upstream 2 = 0\.7116/);
    // At the group's step, its node reads "grad 2" and the edges into it show their products.
    await w.page.keyboard.press('Escape');
    for (let i = 0; i <= order.indexOf('g1'); i++) await w.page.click('#btn-step');
    const label = await w.page.evaluate(() => document.querySelector('#diagram g.node[data-node="g1"] text')?.textContent ?? '');
    assert.match(label, /grad 2/);
    await w.page.screenshot({ path: join(OUT_DIR, 'groups-step-at-group.png') });
    await w.page.keyboard.press('Escape');
    // The branch: a mark with the condition, and the note in the side panel.
    const mark = await w.page.evaluate(() => document.querySelector('#diagram g.node[data-node="b0"] text')?.textContent ?? '');
    assert.match(mark, /if h > 0/);
    assert.match(mark, /false here · line 12/);
    assert.match(await w.page.locator('#side .branch-notice').innerText(), /for this input: h > 0 was false.*another input may take the other branch/i);
    await w.page.screenshot({ path: join(OUT_DIR, 'groups-branch.png') });
    await w.page.close();
  });

  test('in the dark theme the boxes\' titles and collapsed nodes are in contrast', async () => {
    const w = await open(PANEL_640, 'vscode-dark');
    await w.showGraph(payloadOf(neuronTwice(), 'neuron twice', { collapsedScopes: [0] }));
    await settle(w);
    const colours = await w.page.evaluate(() => {
      const title = document.querySelector('#diagram g.cluster-label text') as SVGTextElement | null;
      return { title: title ? getComputedStyle(title).fill : '', titleText: title?.textContent ?? '' };
    });
    assert.equal(colours.title, 'rgb(240, 240, 240)');
    assert.match(colours.titleText, /neuron\(x2, w2, b2\) · line 8/);
    await w.page.screenshot({ path: join(OUT_DIR, 'groups-dark.png') });
    await w.page.close();
  });
});
