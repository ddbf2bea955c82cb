/// <reference lib="dom" />
// (Code passed to page.evaluate runs in the page: it is typed against the DOM.)
/**
 * The first look (issue 9), measured on the rendered page in Chromium: every graph fitted whole in 640 px
 * and 420 px panels, text big enough on screen, edge labels in contrast in light, dark and high-contrast
 * themes, no state carried from one graph to the next, complete exports whatever the step, a step
 * explanation beside the controls, and messages and state validated. Screenshots: test-output/webview/look-*.png.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { OUT_DIR, payloadFor, startHarness, type Harness, type WebviewPage } from './harness';
import { day05, day40Named, mlp, seed, sum25, sum33, twoLayer } from './graphs';
import { look, type Look } from './look';
import type { FromWebview, GraphPayload } from '../../src/protocol';
import { readSource } from '../../media/source';

let h: Harness;
before(async () => { h = await startHarness(); });
after(async () => { await h?.close(); });

/** A VS Code editor group beside the code: 640 px wide, or squeezed to 420 px; 800 px tall. */
const PANEL_640 = { width: 640, height: 800 };
const PANEL_420 = { width: 420, height: 800 };
const THEMES = ['vscode-light', 'vscode-dark', 'vscode-high-contrast'];
const DRAW = 60_000;

async function open(theme: string, size: { width: number; height: number }): Promise<WebviewPage> {
  const w = await h.newPage(theme);
  await w.page.setViewportSize(size);
  return w;
}

/** Shows a payload and waits for the drawing and the debounced resize handling to settle. */
async function show(w: WebviewPage, payload: GraphPayload): Promise<Look> {
  await w.showGraph(payload);
  await w.page.waitForTimeout(250);
  return look(w.page);
}

const figures: string[] = [];
function record(name: string, l: Look) {
  figures.push(`${name.padEnd(34)} ${String(l.nodesInView).padStart(3)}/${String(l.nodes).padEnd(3)} in view  node ${l.minNodePx.toFixed(1)} px  edge ${l.minEdgePx.toFixed(1)} px  contrast ${l.minEdgeContrast.toFixed(2)}  ${l.direction} ×${l.scale.toFixed(3)}`);
}
after(() => { if (figures.length) console.log(`\nfirst look, measured:\n${figures.join('\n')}`); });

function assertWhole(l: Look, what: string) {
  assert.ok(l.nodes > 0, `${what}: nothing drawn`);
  assert.deepEqual(l.outside, [], `${what}: ${l.nodesInView} of ${l.nodes} nodes in view`);
}

describe('first look: fitted, legible, in contrast', () => {
  const small: [string, () => GraphPayload][] = [['seed (x^2+1)^3', seed], ['day-40 named form', day40Named], ['day-05 network', day05]];
  for (const theme of THEMES) {
    test(`${theme}: small lesson graphs in a 640 px panel — whole, node text ≥ 12 px, edge labels ≥ 11 px at ≥ 4.5:1`, async () => {
      const w = await open(theme, PANEL_640);
      for (const [name, make] of small) {
        const payload = make();
        assert.ok(payload.graph.nodes.length <= 12, `${name} has ${payload.graph.nodes.length} nodes`);
        const l = await show(w, payload);
        record(`${name} 640 ${theme.slice(7)}`, l);
        await w.page.screenshot({ path: join(OUT_DIR, `look-${name.split(' ')[0]}-640-${theme.slice(7)}.png`) });
        assertWhole(l, name);
        assert.ok(l.minNodePx >= 12, `${name}: node text ${l.minNodePx.toFixed(2)} px`);
        assert.ok(l.minEdgePx >= 11, `${name}: edge labels ${l.minEdgePx.toFixed(2)} px`);
        assert.ok(l.minEdgeContrast >= 4.5, `${name}: edge label contrast ${l.minEdgeContrast.toFixed(2)}`);
      }
      // The two-layer network: its tensor view (the default) and its scalar view, whole and in contrast.
      const l = await show(w, twoLayer());
      record(`two-layer tensor view 640 ${theme.slice(7)}`, l);
      assertWhole(l, 'two-layer tensor view');
      await w.page.screenshot({ path: join(OUT_DIR, `look-two-layer-640-${theme.slice(7)}.png`) });
      await w.page.click('#btn-view-scalar');
      await w.page.waitForFunction(() => document.body.dataset.graphView === 'scalar', undefined, { timeout: DRAW });
      await w.page.waitForTimeout(250);
      const scalar = await look(w.page);
      record(`two-layer scalar view 640 ${theme.slice(7)}`, scalar);
      assertWhole(scalar, 'two-layer scalar view');
      assert.ok(scalar.minEdgeContrast >= 4.5);
      await w.page.close();
    });
  }

  for (const [label, size] of [['640', PANEL_640], ['420', PANEL_420]] as const) {
    test(`${label} px panel: lesson graphs, a 2-4-1 MLP (51 nodes), the 25-term sum (224) and a 296-node sum are fitted whole; the overview helps read them`, async () => {
      const w = await open('vscode-light', size);
      const graphs = [['seed', seed], ['day-05', day05], ['two-layer', twoLayer], ['2-4-1 MLP', mlp], ['296-node sum', sum33], ['25-term sum', sum25]] as const;
      for (const [name, make] of graphs) {
        const payload = make();
        const l = await show(w, payload);
        if (name.endsWith('sum')) assert.equal(l.nodes, readSource(payload.mermaid).nodeCount, `${name}: drawn whole, not summarized`);
        record(`${name} ${label}`, l);
        assertWhole(l, `${name} in ${label} px`);
        assert.ok(!l.overviewShown, 'no overview over a graph shown whole');
        await w.page.screenshot({ path: join(OUT_DIR, `look-${name.split(' ')[0]}-${label}.png`) });
      }
      // Shown whole, the 224 nodes are too small to read: double-click zooms in where clicked, the
      // overview appears with the part in view framed, and a click in it moves there.
      assert.match(await w.page.locator('#zoom-level').innerText(), /^\d+ %/);
      const area = (await w.page.locator('#diagram-area').boundingBox())!;
      await w.page.mouse.dblclick(area.x + area.width / 2, area.y + area.height / 2);
      await w.page.waitForTimeout(100);
      const zoomed = await look(w.page);
      assert.ok(zoomed.minNodePx >= 12, `after double-click: ${zoomed.minNodePx.toFixed(1)} px`);
      assert.ok(zoomed.overviewShown, 'overview shown once part of the graph is out of view');
      const frame = await w.page.locator('#overview .overview-view').boundingBox();
      const box = (await w.page.locator('#overview').boundingBox())!;
      assert.ok(frame && frame.width < box.width && frame.height <= box.height + 1, 'the frame marks the part in view');
      const before = await w.page.evaluate(() => document.getElementById('viewport')!.style.transform);
      await w.page.mouse.click(box.x + 4, box.y + 4);
      const moved = await w.page.evaluate(() => document.getElementById('viewport')!.style.transform);
      assert.notEqual(moved, before, 'a click in the overview moves the view');
      await w.page.screenshot({ path: join(OUT_DIR, `look-overview-${label}.png`) });
      // Fit shows it whole again.
      await w.page.click('#btn-fit');
      assertWhole(await look(w.page), 'after Fit');
      await w.page.close();
    });
  }

  test('direction follows the panel (TB tall and narrow, LR wide) unless the payload says it was chosen', async () => {
    const w = await open('vscode-light', { width: 420, height: 900 });
    await show(w, seed());
    assert.equal(await w.page.evaluate(() => document.body.dataset.direction), 'TB');
    await w.page.setViewportSize({ width: 1400, height: 500 });
    await w.page.waitForFunction(() => document.body.dataset.direction === 'LR', undefined, { timeout: DRAW });
    await w.page.waitForTimeout(250);
    assertWhole(await look(w.page), 'after the panel turned wide');
    await w.page.setViewportSize({ width: 420, height: 900 });
    const explicit = await show(w, { ...seed(), direction: 'LR' });
    assert.equal(explicit.direction, 'LR', 'an explicit graphDirection wins');
    assertWhole(explicit, 'explicit LR in a narrow panel');
    await w.page.close();
  });
});

describe('first look: no state leaks between graphs', () => {
  test('new numbers keep zoom and pan; a new structure resets them, after a scalar view or a summary too', async () => {
    const w = await open('vscode-light', PANEL_640);
    await show(w, seed());
    await w.page.click('#btn-zoom-in');
    await w.page.click('#btn-zoom-in');
    await w.page.keyboard.press('ArrowLeft');
    const transform = () => w.page.evaluate(() => document.getElementById('viewport')!.style.transform);
    const zoomed = await transform();
    const again = await w.showGraph(payloadFor('(x^2+1)^3', { x: 3 }));
    assert.equal(again.mode, 'inplace');
    assert.equal(await transform(), zoomed, 'same structure: the user\'s view stays');
    // A scalar view of the two-layer network, zoomed in: the next graph still opens whole.
    await show(w, twoLayer());
    await w.page.click('#btn-view-scalar');
    await w.page.waitForFunction(() => document.body.dataset.graphView === 'scalar', undefined, { timeout: DRAW });
    for (let i = 0; i < 6; i++) await w.page.click('#btn-zoom-in');
    assertWhole(await show(w, day05()), 'day-05 after a zoomed scalar view');
    // A summary (maxNodes 20), a collapsed node opened, zoomed: the next graph still opens whole.
    await show(w, { ...sum25(), maxNodes: 20 });
    await w.page.click('#btn-zoom-in');
    await w.page.keyboard.press('ArrowDown');
    assertWhole(await show(w, seed()), 'seed after a zoomed summary');
    await w.page.close();
  });

  test('a new expression opens complete, not mid-step; exports are the complete graph whatever the step', async () => {
    const w = await open('vscode-dark', PANEL_640);
    await show(w, seed());
    const complete = await exported(w);
    await w.page.click('#btn-step');
    await w.page.click('#btn-step');
    // The explanation is beside the controls, on screen, above the diagram: no scrolling.
    const status = (await w.page.locator('#step-status').boundingBox())!;
    const area = (await w.page.locator('#diagram-area').boundingBox())!;
    const toolbar = (await w.page.locator('#toolbar').boundingBox())!;
    assert.match(await w.page.locator('#step-status').innerText(), /Backward step 2 of 3/);
    assert.ok(status.y >= toolbar.y + toolbar.height - 1 && status.y + status.height <= area.y + 1 && status.height > 20, JSON.stringify({ status, toolbar, area }));
    await w.page.screenshot({ path: join(OUT_DIR, 'look-step-beside-controls.png') });
    // Mid-step, the drawing says "grad ?"; the export says every value and gradient.
    const onScreen = await w.page.evaluate(() => document.getElementById('diagram')!.textContent ?? '');
    assert.match(onScreen, /grad \?/);
    const during = await exported(w);
    assert.equal(during.svg, complete.svg, 'SVG export while stepping = SVG export of the complete graph');
    assert.doesNotMatch(during.text, /\?/);
    assert.match(during.text, /value 125/);
    assert.match(during.text, /grad 300/);
    assert.equal(during.png, complete.png, 'PNG export while stepping = PNG of the complete graph');
    assert.match(during.svg, /fill="#1e1e1e"/, 'exported in the current (dark) theme, on its background');
    // A new structure: complete, fitted, no step.
    const l = await show(w, day05());
    assertWhole(l, 'day-05 after stepping the seed');
    const state = await w.page.evaluate(() => ({
      status: document.getElementById('step-status')!.dataset.node,
      current: document.querySelectorAll('#diagram g.node.bp-current, #diagram svg.stepping').length,
      unknown: /\?/.test(document.getElementById('diagram')!.textContent ?? ''),
    }));
    assert.deepEqual(state, { status: undefined, current: 0, unknown: false });
    await w.page.close();
  });

  test('buttons that need a graph are disabled until there is one', async () => {
    const w = await open('vscode-light', PANEL_640);
    const ids = ['btn-fit', 'btn-zoom-in', 'btn-zoom-out', 'btn-copy', 'btn-svg', 'btn-png', 'btn-step', 'btn-play', 'btn-step-mode'];
    const disabled = () => w.page.evaluate((list) => list.filter((id) => (document.getElementById(id) as HTMLButtonElement).disabled), ids);
    assert.deepEqual(await disabled(), ids);
    const n = (await w.posted()).length;
    await w.page.click('#btn-svg', { force: true });
    assert.equal((await w.posted()).slice(n).filter((m) => m.kind === 'save').length, 0);
    await show(w, seed());
    assert.deepEqual(await disabled(), []);
    await w.page.close();
  });
});

describe('first look: messages and saved state are validated', () => {
  test('malformed and outdated messages are ignored with a console warning; the panel keeps working', async () => {
    const w = await open('vscode-light', PANEL_640);
    const warnings: string[] = [];
    w.page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
    const good = seed();
    await show(w, good);
    const bad: unknown[] = [
      null,
      'graph',
      { kind: 'explode' },
      { kind: 'graph', payload: { ...good, version: good.version + 1, graph: { ...good.graph, nodes: 'many' } } },
      { kind: 'graph', payload: { ...good, version: good.version + 2, mermaid: 'graph TD\n  a-->b' } },
      { kind: 'graph', payload: { ...day05(), version: good.version - 1 } }, // outdated
      { kind: 'error' },
    ];
    for (const m of bad) await w.page.evaluate((msg) => window.postMessage(msg, '*'), m);
    await w.page.waitForTimeout(300);
    assert.equal(warnings.length, bad.length, warnings.join('\n'));
    assert.ok(warnings.every((t) => /^Backprop Graph webview: ignored/.test(t)), warnings.join('\n'));
    assert.match(warnings[3], /payload\.graph\.nodes: expected an array/);
    const state = await w.page.evaluate(() => ({ phase: document.body.dataset.phase, version: document.body.dataset.version, nodes: document.querySelectorAll('#diagram g.node').length }));
    assert.deepEqual(state, { phase: 'data', version: String(good.version), nodes: readSource(good.mermaid).nodeCount });
    // Still working: the next good message draws.
    assertWhole(await show(w, day05()), 'day-05 after the bad messages');
    await w.page.close();
  });

  test('saved state carries a version; an outdated one is dropped with a warning, a current one restores graph and view', async () => {
    const page = await h.context.newPage();
    const warnings: string[] = [];
    page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
    await page.addInitScript({ content: `window.__state = ${JSON.stringify({ stateVersion: 1, payload: seed(), view: { scale: 5, x: -4000, y: 0 } })};` });
    await page.goto(`${h.baseUrl}/?theme=vscode-light`);
    await page.waitForFunction(() => (window as unknown as { __posted: { kind: string }[] }).__posted.some((m) => m.kind === 'ready'));
    await page.waitForTimeout(300);
    assert.equal(await page.locator('#diagram g.node').count(), 0, 'outdated state not drawn');
    assert.ok(warnings.some((t) => /ignored the saved state \(state\.stateVersion/.test(t)), warnings.join('\n'));
    // A page that draws saves a versioned state; a reload with it restores the same view.
    const w = await open('vscode-light', PANEL_640);
    await show(w, seed());
    await w.page.click('#btn-zoom-in');
    const saved = await w.page.evaluate(() => (window as unknown as { __state: Record<string, unknown> }).__state);
    assert.equal(saved.stateVersion, 2);
    const transform = await w.page.evaluate(() => document.getElementById('viewport')!.style.transform);
    const again = await h.context.newPage();
    await again.setViewportSize(PANEL_640);
    await again.addInitScript({ content: `window.__state = ${JSON.stringify(saved)};` });
    await again.goto(`${h.baseUrl}/?theme=vscode-light`);
    await again.waitForFunction(() => document.body.dataset.phase === 'data', undefined, { timeout: DRAW });
    assert.equal(await again.evaluate(() => document.getElementById('viewport')!.style.transform), transform);
    await page.close();
    await again.close();
    await w.page.close();
  });

  test('a graph with -Infinity and NaN in it (log(x) at x = 0) survives the reload: its saved state is still valid JSON state', async () => {
    const w = await open('vscode-light', PANEL_640);
    await show(w, payloadFor('log(x) * x', { x: 0 }));
    const saved = await w.page.evaluate(() => (window as unknown as { __state: unknown }).__state);
    const again = await h.context.newPage();
    const warnings: string[] = [];
    again.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
    await again.setViewportSize(PANEL_640);
    await again.addInitScript({ content: `window.__state = ${JSON.stringify(saved)};` });
    await again.goto(`${h.baseUrl}/?theme=vscode-light`);
    await again.waitForFunction(() => document.body.dataset.phase === 'data', undefined, { timeout: DRAW });
    assert.deepEqual(warnings.filter((t) => /ignored the saved state/.test(t)), []);
    const text = await again.locator('#diagram').innerText();
    assert.match(text, /−∞|-∞|-Infinity|−Infinity/, text);
    await again.close();
    await w.page.close();
  });
});


/** What Save SVG and Save PNG post right now. */
async function exported(w: WebviewPage): Promise<{ svg: string; text: string; png: string }> {
  let n = (await w.posted()).length;
  await w.page.click('#btn-svg');
  const svg = (await w.waitForMessage('save', n) as Extract<FromWebview, { kind: 'save' }>).data;
  n = (await w.posted()).length;
  await w.page.click('#btn-png');
  const png = (await w.waitForMessage('save', n) as Extract<FromWebview, { kind: 'save' }>).data;
  return { svg, text: svg.replace(/<style>[^]*?<\/style>/g, '').replace(/<[^>]+>/g, ' '), png };
}
