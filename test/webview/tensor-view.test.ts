/// <reference lib="dom" />
// (Code passed to page.evaluate runs in the page: it is typed against the DOM.)
/**
 * The two views of one matrix trace in real Chromium: the 1.2 network (2 inputs → 3 hidden ReLU → 1 sigmoid,
 * binary cross-entropy) traced by the real engine from math text, its payload built by the real buildPayload.
 * Screenshots: test-output/webview/tensor-view.png and scalar-view.png.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, OUT_DIR, payloadFor, startHarness, type Harness, type WebviewPage } from './harness';
import * as engine from '../../src/host/engine';
import { buildPayload } from '../../src/host/payload';
import { formatNumber } from '../../src/engine/base/format';
import type { FromWebview, WebviewState } from '../../src/protocol';
import { readSource } from '../../media/source';
import { selfContainedHtml } from '../../src/host/webview-html';
import { TWO_LAYER_NETWORK_MATH as NETWORK } from '../fixtures/two-layer-network';

const DRAW_TIMEOUT = 60_000; // the scalar view lays out ~100 nodes; the test machine is shared and loaded

function network() {
  const r = engine.analyze(NETWORK, { values: {} });
  if (!r.ok) throw r.error;
  const analysis = r.value;
  const payload = buildPayload(engine, analysis, { title: 'two-layer network', digits: 4, direction: 'LR', version: 1 });
  return { analysis, payload };
}

let h: Harness;
before(async () => { h = await startHarness(); });
after(async () => { await h?.close(); });

const nodeTexts = (w: WebviewPage) => w.page.evaluate(() => [...document.querySelectorAll('#diagram g.node')].map((g) => ({
  id: (g as SVGGElement).dataset.node ?? '',
  lines: [...g.querySelectorAll('text > tspan')].map((t) => (t.textContent ?? '').replace(/\s+/g, ' ').trim()),
})));

const waitForView = (w: WebviewPage, view: 'tensor' | 'scalar') =>
  w.page.waitForFunction((v) => document.body.dataset.graphView === v && document.body.dataset.phase === 'data', view, { timeout: DRAW_TIMEOUT });

/** The side panel's matrix table (value or grad) as rows of cell texts. */
const tableCells = (w: WebviewPage, what: 'value' | 'grad') => w.page.evaluate((k) => {
  const t = document.querySelector(`#tensor-details table.matrix[data-what="${k}"]`);
  if (!t) return undefined;
  return [...t.querySelectorAll('tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')).filter((r) => r.length);
}, what);

describe('tensor view and scalar view of the 1.2 network', () => {
  test('payload: matrix programs carry a tensor view, scalar programs do not', () => {
    const { analysis, payload } = network();
    assert.ok(payload.tensor, 'tensor view present');
    assert.equal(payload.tensor.graph, analysis.tensor);
    assert.match(payload.tensor.mermaid, /^flowchart LR\n/);
    assert.match(payload.tensor.mermaid, /W1<br\/>3×2/);
    const scalar = engine.analyze('x*x', { values: { x: 3 } });
    assert.ok(scalar.ok);
    assert.equal(buildPayload(engine, scalar.value, { title: 'x*x', digits: 4, direction: 'LR' }).tensor, undefined);
    // A caller that passes only toMermaid still gets a (scalar) payload.
    assert.equal(buildPayload({ toMermaid: engine.toMermaid }, analysis, { title: 't', digits: 4, direction: 'LR' }).tensor, undefined);
  });

  test('tensor view by default: shapes in nodes, W1 gradient matrix on click; switch to scalar view and back', async () => {
    const { analysis, payload } = network();
    const w = await h.newPage('vscode-light');
    // A roomy panel: the whole tensor graph fits at a readable scale (fit() otherwise keeps the output in view).
    await w.page.setViewportSize({ width: 1600, height: 900 });
    await w.send({ kind: 'graph', payload });
    await waitForView(w, 'tensor');

    // The switch is shown, tensor view pressed; stepping is off here and says where it works.
    assert.equal(await w.page.isVisible('#btn-view-tensor'), true);
    assert.equal(await w.page.getAttribute('#btn-view-tensor', 'aria-pressed'), 'true');
    assert.equal(await w.page.getAttribute('#btn-view-scalar', 'aria-pressed'), 'false');
    assert.equal(await w.page.isDisabled('#btn-step'), true);
    assert.match(await w.page.getAttribute('#btn-step', 'title') ?? '', /scalar view/);
    assert.match(await w.page.locator('#side .view-notice').innerText(), /Tensor view\..*Stepping .* scalar view/s);

    const tensorNodes = await nodeTexts(w);
    assert.equal(tensorNodes.length, payload.tensor!.graph.nodes.length);
    assert.ok(tensorNodes.length < 30, `${tensorNodes.length} tensor nodes`);
    const w1 = payload.tensor!.graph.nodes.find((n) => n.kind === 'input' && n.name === 'W1')!;
    assert.deepEqual(tensorNodes.find((n) => n.id === w1.id)?.lines, ['W1', '3×2']);
    const shapes = tensorNodes.map((n) => n.lines[1]);
    for (const s of ['3×2', '1×3', '2-vector', '3-vector']) assert.ok(shapes.includes(s), `${s} among ${shapes.join(', ')}`);
    assert.ok(!tensorNodes.some((n) => /\[\d+,\d+\]/.test(n.lines[0])), 'no unrolled entries in the tensor view');
    // With y = 1 the (1 − y)·log(1 − p) branch gets no gradient: its nodes are marked vanishing, the weights are not.
    const zeroGrad = payload.tensor!.graph.nodes.filter((t) => t.kind === 'op' && [t.grad].flat(2).every((g) => g === 0)).map((t) => t.id);
    assert.ok(zeroGrad.length > 0);
    const vanishing = await w.page.evaluate(() => [...document.querySelectorAll('#diagram g.node.bp-vanish')].map((g) => (g as SVGGElement).dataset.node));
    for (const id of zeroGrad) assert.ok(vanishing.includes(id), `${id} marked vanishing (marked: ${vanishing.join(', ')})`);
    assert.ok(!vanishing.includes(w1.id) && !vanishing.includes(payload.tensor!.graph.output));

    // Clicking W1: reveal with its span, and its value and gradient as tables in the panel.
    const n = (await w.posted()).length;
    await w.page.click(`#diagram g.node[data-node="${w1.id}"]`);
    const reveal = await w.waitForMessage('reveal', n) as Extract<FromWebview, { kind: 'reveal' }>;
    assert.equal(reveal.nodeId, w1.id);
    assert.deepEqual(reveal.span, w1.span);
    assert.ok(w1.span, 'W1 has a source span');
    await w.page.waitForFunction((id) => document.getElementById('tensor-details')?.dataset.node === id, w1.id);
    const fmt = (rows: number[][]) => rows.map((r) => r.map((x) => formatNumber(x, 4)));
    const grads = engine.tensorGradients(analysis.graph);
    assert.deepEqual(await tableCells(w, 'grad'), fmt(grads.W1 as number[][]));
    assert.deepEqual(await tableCells(w, 'value'), fmt([[0.5, -0.3], [0.2, 0.8], [-0.4, 0.6]]));
    assert.match(await w.page.locator('#tensor-details').innerText(), /gradient ∂L\/∂W1/);
    // The oracle: by hand, ∂L/∂W1 = (W2ᵀ(p − y) ⊙ relu′(z1)) xᵀ; the third hidden unit is off (z1 < 0).
    const W2 = [0.3, -0.6, 0.9];
    const z1 = [0.5 - 0.15 + 0.1, 0.2 + 0.4 - 0.1, -0.4 + 0.3 + 0.2];
    const hidden = z1.map((z) => Math.max(0, z));
    const pOut = 1 / (1 + Math.exp(-(W2[0] * hidden[0] + W2[1] * hidden[1] + W2[2] * hidden[2] + 0.05)));
    const byHand = z1.map((z, j) => (z > 0 ? W2[j] * (pOut - 1) : 0)).map((d) => [d * 1.0, d * 0.5]);
    assert.deepEqual(await tableCells(w, 'grad'), fmt(byHand));
    // The side panel's list opens other nodes from the keyboard too.
    const b1 = payload.tensor!.graph.nodes.find((t) => t.name === 'b1')!;
    await w.page.focus(`#side .tensor-list button[data-node="${b1.id}"]`);
    await w.page.keyboard.press('Enter');
    await w.page.waitForFunction((id) => document.getElementById('tensor-details')?.dataset.node === id, b1.id);
    assert.deepEqual(await tableCells(w, 'grad'), (grads.b1 as number[]).map((x) => [formatNumber(x, 4)]));
    await w.page.click(`#diagram g.node[data-node="${w1.id}"]`);
    await w.page.waitForFunction((id) => document.getElementById('tensor-details')?.dataset.node === id, w1.id);
    await w.page.screenshot({ path: join(OUT_DIR, 'tensor-view.png') });

    // Scalar view: the unrolled graph, every scalar node, stepping back on.
    await w.page.click('#btn-view-scalar');
    await waitForView(w, 'scalar');
    assert.equal(await w.page.getAttribute('#btn-view-scalar', 'aria-pressed'), 'true');
    assert.equal(await w.page.getAttribute('#btn-view-tensor', 'aria-pressed'), 'false');
    assert.equal(await w.page.isDisabled('#btn-step'), false);
    const scalarNodes = await nodeTexts(w);
    // Literals are folded into their op's node: every drawn node of the scalar source, no more.
    assert.equal(scalarNodes.length, readSource(payload.mermaid).nodeCount);
    assert.ok(scalarNodes.length >= 40, `${scalarNodes.length} scalar nodes`);
    const titles = scalarNodes.map((s) => s.lines[0]);
    for (const name of ['W1[0,1]', 'W1[2,0]', 'x[1]', 'W2[0,2]']) assert.ok(titles.includes(name), `${name} drawn`);
    const w1entry = analysis.graph.inputs.find((i) => i.name === 'W1[0,1]')!;
    assert.deepEqual(scalarNodes.find((s) => s.id === w1entry.id)?.lines, ['W1[0,1]', 'value -0.3', `grad ${formatNumber((grads.W1 as number[][])[0][1], 4)}`]);
    const state = await w.page.evaluate(() => (window as unknown as { __state?: WebviewState }).__state);
    assert.equal(state?.graphView, 'scalar', 'the choice is kept in the webview state');
    // Fit keeps the output readable and in view; one step out shows the unrolled W1 entries on the left too.
    await w.page.click('#btn-fit');
    await w.page.click('#btn-zoom-out');
    const box = (await w.page.locator('#diagram-area').boundingBox())!;
    await w.page.mouse.move(box.x + 300, box.y + 500);
    await w.page.mouse.down();
    await w.page.mouse.move(box.x + 490, box.y + 510, { steps: 8 }); // drag the left end (W1's entries) into view
    await w.page.mouse.up();
    await w.page.mouse.move(0, 0);
    await w.page.screenshot({ path: join(OUT_DIR, 'scalar-view.png') });
    // Stepping works in the scalar view: the first backward step is the output.
    await w.page.click('#btn-step');
    assert.equal(await w.page.evaluate(() => document.getElementById('step-status')?.dataset.node), analysis.graph.output);

    // And back, from the keyboard: the switch button is a real button.
    await w.page.focus('#btn-view-tensor');
    await w.page.keyboard.press('Enter');
    await waitForView(w, 'tensor');
    assert.equal(await w.page.getAttribute('#btn-view-tensor', 'aria-pressed'), 'true');
    assert.deepEqual((await nodeTexts(w)).find((t) => t.id === w1.id)?.lines, ['W1', '3×2']);
    assert.equal(await w.page.locator('#diagram g.node.bp-current').count(), 0, 'stepping left behind');
    await w.page.close();
  });

  test('the choice survives new payloads and a reload (restored webview state)', async () => {
    const { payload } = network();
    const w = await h.newPage('vscode-light');
    await w.page.evaluate(() => window.dispatchEvent(new KeyboardEvent('keydown', { key: 'v' }))); // no graph yet: nothing happens
    await w.send({ kind: 'graph', payload });
    await waitForView(w, 'tensor');
    await w.page.keyboard.press('v');
    await waitForView(w, 'scalar');
    await w.send({ kind: 'graph', payload: { ...payload, version: 2 } });
    await w.page.waitForFunction(() => document.body.dataset.version === '2', undefined, { timeout: DRAW_TIMEOUT });
    assert.equal(await w.page.evaluate(() => document.body.dataset.graphView), 'scalar');
    // VS Code restores a panel from its saved state: the page comes back drawing the scalar view.
    const state = await w.page.evaluate(() => (window as unknown as { __state?: WebviewState }).__state);
    assert.equal(state?.graphView, 'scalar');
    assert.ok(state?.payload?.tensor, 'the saved payload keeps its tensor view');
    await w.page.addInitScript({ content: `window.__state = ${JSON.stringify(state)};` });
    await w.page.reload();
    await waitForView(w, 'scalar');
    assert.ok((await nodeTexts(w)).some((t) => t.lines[0] === 'W1[0,1]'));
    assert.equal(await w.page.getAttribute('#btn-view-scalar', 'aria-pressed'), 'true');
    await w.page.close();
  });

  test('the CLI\'s self-contained page opens a matrix program in the tensor view, offline from file://', async () => {
    const html = selfContainedHtml({
      script: readFileSync(join(ROOT, 'dist/webview-inline.js'), 'utf8'),
      css: readFileSync(join(ROOT, 'dist/webview-inline.css'), 'utf8'),
      payload: network().payload,
    });
    const file = join(OUT_DIR, 'standalone-tensor.html');
    writeFileSync(file, html);
    const page = await h.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => document.body.dataset.graphView === 'tensor' && document.body.dataset.phase === 'data', undefined, { timeout: DRAW_TIMEOUT });
    const text = await page.evaluate(() => [...document.querySelectorAll('#diagram g.node')].map((g) => g.textContent).join(' | '));
    assert.match(text, /W1\s*3×2/);
    await page.click('#btn-view-scalar');
    await page.waitForFunction(() => document.body.dataset.graphView === 'scalar', undefined, { timeout: DRAW_TIMEOUT });
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a scalar program shows no view switch', async () => {
    const w = await h.newPage('vscode-light');
    await w.showGraph(payloadFor('(x^2+1)^3', { x: 2 }));
    assert.equal(await w.page.isVisible('#btn-view-tensor'), false);
    assert.equal(await w.page.evaluate(() => document.body.dataset.graphView), 'scalar');
    assert.equal(await w.page.isDisabled('#btn-step'), false);
    await w.page.close();
  });

  test('no request ever left 127.0.0.1', () => {
    assert.deepEqual(h.offsite, []);
  });
});
