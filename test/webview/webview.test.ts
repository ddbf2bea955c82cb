/// <reference lib="dom" />
// (Code passed to page.evaluate runs in the page: it is typed against the DOM.)
/**
 * The graph webview in real Chromium: the panel's HTML, CSP and bundled script, fed graph messages built by
 * the real engine. Needs `npm run build` (media/dist). Screenshots go to test-output/webview/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, OUT_DIR, payloadFor, payloadFromGraph, startHarness, type Harness, type WebviewPage } from './harness';
import type { GraphModel } from '../../src/engine/graph/graph';
import type { FromWebview } from '../../src/protocol';
import { selfContainedHtml, webviewHtml } from '../../src/host/webview-html';

let h: Harness;

before(async () => {
  h = await startHarness();
});

after(async () => {
  await h?.close();
});

/** Text of every node label, edge label, in DOM order. */
function labels(w: WebviewPage) {
  return w.page.evaluate(() => ({
    nodes: [...document.querySelectorAll('#diagram g.node')].map((g) => ({
      id: (g as SVGGElement).dataset.node ?? '',
      lines: [...g.querySelectorAll('text > tspan')].map((t) => (t.textContent ?? '').replace(/\s+/g, ' ').trim()),
    })),
    edges: [...document.querySelectorAll('#diagram g.edgeLabel text')].map((t) => (t.textContent ?? '').replace(/\s+/g, ' ').trim()),
    edgePaths: [...document.querySelectorAll('#diagram path[data-id]')].map((p) => (p as SVGPathElement).dataset.id ?? ''),
  }));
}

const afterCount = async (w: WebviewPage) => (await w.posted()).length;

describe('graph webview in Chromium', () => {
  test('(x^2+1)^3 at x = 2: labels, values, gradients and local derivatives in the SVG', async () => {
    const w = await h.newPage('vscode-light');
    const payload = payloadFor('(x^2+1)^3', { x: 2 });
    await w.showGraph(payload);
    const { nodes, edges } = await labels(w);
    assert.equal(nodes.length, 4); // the literals 2, 1 and 3 are folded into their ops' nodes
    const byId = new Map(nodes.map((n) => [n.id, n.lines]));
    assert.deepEqual(byId.get('n0'), ['x', 'value 2', 'grad 300']);
    assert.deepEqual(byId.get('n2'), ['x²', 'value 4', 'grad 75']);
    assert.deepEqual(byId.get('n4'), ['x² + 1', 'value 5', 'grad 75']);
    assert.deepEqual(byId.get('n6'), ['(x² + 1)³', 'value 125', 'grad 1']);
    assert.deepEqual(edges, ['2x = 4', '1', '3·(x² + 1)² = 75']);
    // Output and node styles from the theme's classDefs reach the drawing.
    const outClass = await w.page.evaluate(() => document.querySelector('#diagram g.node[data-node="n6"]')?.getAttribute('class'));
    assert.match(outClass ?? '', /bpOutput/);
    // Side panel: output value, the gradient with its finite-difference check, where x came from, symbolic form.
    const side = await w.page.locator('#side').innerText();
    assert.match(side, /value\s+125/);
    assert.match(side, /x\s+2\s+300\s+300\s+✓/);
    assert.match(side, /from test value x = 2/);
    assert.match(side, /∂\/∂x = 6x·\(x² \+ 1\)²/);
    await w.page.screenshot({ path: join(OUT_DIR, 'seed-light.png') });
    await w.page.close();
  });

  test('x*x draws two edges from x, each with its own local derivative', async () => {
    const w = await h.newPage('vscode-light');
    await w.showGraph(payloadFor('x*x', { x: 3 }));
    const { edgePaths, edges, nodes } = await labels(w);
    assert.equal(nodes.length, 2);
    assert.equal(edgePaths.filter((id) => /^L_n0_n1_\d+$/.test(id)).length, 2);
    assert.deepEqual(edges, ['x = 3', 'x = 3']);
    await w.page.close();
  });

  test('a structure shown before in the page is drawn again from its cached SVG, with the new numbers', async () => {
    const rects = (w: WebviewPage) => w.page.evaluate(() =>
      [...document.querySelectorAll('#diagram g.edgeLabel rect.background')].map((r) => Math.round(Number(r.getAttribute('width')) * 10) / 10));
    const fresh = await h.newPage('vscode-light');
    assert.equal((await fresh.showGraph(payloadFor('(x^2+1)^3', { x: 3 }))).mode, 'full');
    const expected = { ...(await labels(fresh)), rects: await rects(fresh) };
    await fresh.page.close();

    const w = await h.newPage('vscode-light');
    assert.equal((await w.showGraph(payloadFor('(x^2+1)^3', { x: 2 }))).mode, 'full');
    assert.equal((await w.showGraph(payloadFor('tanh(x*y) + y', { x: 1, y: 2 }))).mode, 'full');
    const back = await w.showGraph(payloadFor('(x^2+1)^3', { x: 3 }));
    assert.equal(back.mode, 'cached');
    const got = { ...(await labels(w)), rects: await rects(w) };
    assert.deepEqual(got.nodes, expected.nodes);
    assert.deepEqual(got.edges, expected.edges);
    assert.deepEqual(got.rects, expected.rects, 'edge label backgrounds fit the new texts');
    assert.deepEqual(got.nodes.find((n) => n.id === 'n0')?.lines, ['x', 'value 3', 'grad 1800']);
    // Clicking still reveals: the cached drawing is wired like a fresh one.
    const n = await afterCount(w);
    await w.page.click('#diagram g.node[data-node="n0"]');
    const reveal = await w.waitForMessage('reveal', n) as Extract<FromWebview, { kind: 'reveal' }>;
    assert.equal(reveal.nodeId, 'n0');
    await w.page.close();
  });

  test('theme switch re-renders with the other palette; zoom survives it and updates', async () => {
    const w = await h.newPage('vscode-light');
    await w.showGraph(payloadFor('(x^2+1)^3', { x: 2 }));
    const fill = () => w.page.evaluate(() => {
      const shape = document.querySelector('#diagram g.node[data-node="n0"] :is(rect.label-container, g.label-container > path)');
      return shape ? getComputedStyle(shape).fill : '';
    });
    const lightFill = await fill();
    await w.page.click('#btn-zoom-in');
    const zoomed = await w.page.evaluate(() => document.getElementById('viewport')!.style.transform);
    await w.page.evaluate(() => { document.body.className = 'vscode-dark'; });
    await w.page.waitForFunction(() => document.body.dataset.theme === 'dark');
    const darkFill = await fill();
    assert.notEqual(lightFill, '');
    assert.notEqual(darkFill, lightFill, 'node colours follow the theme');
    assert.equal(darkFill, 'rgb(19, 50, 77)');
    assert.equal(await w.page.evaluate(() => document.getElementById('viewport')!.style.transform), zoomed, 'view kept across re-render');
    await w.page.click('#btn-fit');
    await w.page.screenshot({ path: join(OUT_DIR, 'seed-dark.png') });
    await w.page.click('#btn-zoom-in');
    // New numbers, same structure: labels change in place and the view stays.
    const r = await w.showGraph(payloadFor('(x^2+1)^3', { x: 3 }));
    assert.equal(r.mode, 'inplace');
    const { nodes } = await labels(w);
    assert.deepEqual(nodes.find((n) => n.id === 'n6')?.lines, ['(x² + 1)³', 'value 1000', 'grad 1']);
    assert.deepEqual(nodes.find((n) => n.id === 'n0')?.lines, ['x', 'value 3', 'grad 1800']);
    assert.equal(await w.page.evaluate(() => document.getElementById('viewport')!.style.transform), zoomed);
    // High contrast too.
    await w.page.evaluate(() => { document.body.className = 'vscode-high-contrast'; });
    await w.page.waitForFunction(() => document.body.dataset.theme === 'hcDark');
    assert.equal(await fill(), 'rgb(0, 0, 0)');
    await w.page.close();
  });

  test('export: Copy Mermaid, Save SVG and Save PNG post plausible data; Pin posts setPinned', async () => {
    const w = await h.newPage('vscode-light');
    await w.showGraph(payloadFor('(x^2+1)^3', { x: 2 }));
    let n = await afterCount(w);
    await w.page.click('#btn-copy');
    const copy = await w.waitForMessage('copyMermaid', n) as Extract<FromWebview, { kind: 'copyMermaid' }>;
    assert.match(copy.text, /^flowchart LR\n/);
    assert.match(copy.text, /value 125/);
    n = await afterCount(w);
    await w.page.click('#btn-svg');
    const svg = await w.waitForMessage('save', n) as Extract<FromWebview, { kind: 'save' }>;
    assert.equal(svg.format, 'svg');
    assert.match(svg.data, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    const svgText = svg.data.replace(/<style>[^]*?<\/style>/g, '').replace(/<[^>]+>/g, '');
    assert.match(svgText, /value 125/);
    assert.match(svgText, /grad 300/);
    n = await afterCount(w);
    await w.page.click('#btn-png');
    const png = await w.waitForMessage('save', n) as Extract<FromWebview, { kind: 'save' }>;
    assert.equal(png.format, 'png');
    assert.match(png.data, /^data:image\/png;base64,/);
    const bytes = Buffer.from(png.data.slice('data:image/png;base64,'.length), 'base64');
    assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG');
    const width = bytes.readUInt32BE(16);
    const height = bytes.readUInt32BE(20);
    assert.ok(width > 400 && height > 100, `PNG is ${width}×${height}`);
    assert.ok(bytes.length > 5000, 'PNG has content');
    n = await afterCount(w);
    await w.page.click('#btn-pin');
    assert.deepEqual(await w.waitForMessage('setPinned', n), { kind: 'setPinned', pinned: true });
    assert.equal(await w.page.getAttribute('#btn-pin', 'aria-pressed'), 'true');
    await w.page.close();
  });

  test('clicking a node (or Enter on it) posts reveal with that node\'s source span', async () => {
    const w = await h.newPage('vscode-light');
    const payload = payloadFor('(x^2+1)^3', { x: 2 });
    await w.showGraph(payload);
    let n = await afterCount(w);
    await w.page.click('#diagram g.node[data-node="n2"]');
    const reveal = await w.waitForMessage('reveal', n);
    const span = payload.graph.nodes.find((node) => node.id === 'n2')!.span;
    assert.deepEqual(reveal, { kind: 'reveal', nodeId: 'n2', span });
    assert.deepEqual(span && [span.start, span.end], [1, 4]); // "x^2"
    n = await afterCount(w);
    await w.page.focus('#diagram g.node[data-node="n0"]');
    await w.page.keyboard.press('Enter');
    const viaKey = await w.waitForMessage('reveal', n) as Extract<FromWebview, { kind: 'reveal' }>;
    assert.equal(viaKey.nodeId, 'n0');
    await w.page.close();
  });

  test('hostile labels are shown as text: keywords and HTML create no elements and run nothing', async () => {
    const w = await h.newPage('vscode-light');
    // Mermaid keywords as identifiers, traced by the real engine.
    await w.showGraph(payloadFor('end*click + style', { end: 2, click: 3, style: 1 }));
    let { nodes } = await labels(w);
    const titles = nodes.map((node) => node.lines[0]);
    for (const name of ['end', 'click', 'style']) assert.ok(titles.includes(name), `${name} shown: ${titles.join(', ')}`);
    // HTML in a name (the front ends never produce it; the emitter and the view must still be safe).
    const graph: GraphModel = {
      nodes: [
        { id: 'n0', kind: 'input', op: 'input', symbol: 'input', name: '<img src=x onerror="window.__xss=1">', value: 2, grad: 1 },
        { id: 'n1', kind: 'op', op: 'neg', symbol: '<b>−</b>', name: '"]) --> n0\nclick n0 call alert(1)', value: -2, grad: 1 },
      ],
      edges: [{ from: 'n0', to: 'n1', arg: 0, local: -1, upstream: 1, product: -1 }],
      output: 'n1',
      inputs: [{ id: 'n0', name: '<img src=x onerror="window.__xss=1">', value: 2, grad: -1, source: 'given' }],
      warnings: ['<script>window.__xss=2</script>'],
    };
    await w.showGraph(payloadFromGraph('<img src=x onerror="window.__xss=3">', graph));
    ({ nodes } = await labels(w));
    assert.equal(nodes.length, 2);
    assert.equal(nodes.find((node) => node.id === 'n0')?.lines.join(' '), '<img src=x onerror="window.__xss=1"> value 2 grad 1');
    const state = await w.page.evaluate(() => ({
      imgs: document.querySelectorAll('img:not(#overview img), script:not([src]):not([type]), b, foreignObject').length,
      xss: (window as unknown as { __xss?: number }).__xss,
      side: document.getElementById('side')!.textContent,
      title: document.getElementById('title')!.textContent,
    }));
    assert.equal(state.imgs, 0);
    assert.equal(state.xss, undefined);
    assert.match(state.side ?? '', /<script>window.__xss=2<\/script>/);
    assert.equal(state.title, '<img src=x onerror="window.__xss=3">');
    await w.page.close();
  });

  test('a graph over 300 nodes (and over Mermaid\'s default 500 edges) shows a summary with a notice, never an error picture', async () => {
    const w = await h.newPage('vscode-light');
    const terms: string[] = [];
    const values: Record<string, number> = {};
    for (let i = 0; i < 90; i++) {
      terms.push(`tanh(w${i}*x${i}+b${i})`);
      values[`w${i}`] = 0.5;
      values[`x${i}`] = i / 90;
      values[`b${i}`] = 0.1;
    }
    const payload = payloadFor(terms.join(' + '), values, {}, false);
    assert.ok(payload.graph.nodes.length > 600 && payload.graph.edges.length > 500);
    await w.showGraph(payload);
    const result = await w.page.evaluate(() => ({
      nodes: document.querySelectorAll('#diagram g.node').length,
      notice: document.querySelector('#side .summary-notice')?.textContent ?? '',
      errorPicture: document.querySelectorAll('.error-icon, .error-text, [aria-roledescription="error"]').length,
      message: document.getElementById('message')!.textContent,
      phase: document.body.dataset.phase,
    }));
    assert.equal(result.phase, 'data');
    assert.ok(result.nodes > 10 && result.nodes <= 300, `${result.nodes} nodes drawn`);
    assert.match(result.notice, new RegExp(`Summarized graph\\. Showing ${result.nodes} of ${payload.graph.nodes.length} nodes`));
    assert.equal(result.errorPicture, 0);
    assert.equal(result.message, '');
    await w.page.screenshot({ path: join(OUT_DIR, 'summarized-light.png') });
    await w.page.close();
  });

  test('a collapsed subexpression opens when clicked (and reveals its source)', async () => {
    const w = await h.newPage('vscode-light');
    const terms: string[] = [];
    const values: Record<string, number> = {};
    for (let i = 0; i < 8; i++) {
      terms.push(`tanh(w${i}*x${i}+b${i})`);
      Object.assign(values, { [`w${i}`]: 0.5, [`x${i}`]: i / 8, [`b${i}`]: 0.1 });
    }
    const payload = payloadFor(terms.join(' + '), values, { maxNodes: 20 }, false);
    await w.showGraph(payload);
    const collapsedIds = () => w.page.evaluate(() => [...document.querySelectorAll('#diagram g.node')]
      .filter((g) => /⋯ \+\d+ nodes/.test(g.textContent ?? '')).map((g) => (g as SVGGElement).dataset.node ?? ''));
    const before = await collapsedIds();
    const shownBefore = await w.page.locator('#diagram g.node').count();
    assert.ok(shownBefore <= 20 && before.length > 0, `${shownBefore} shown, ${before.length} collapsed`);
    const target = before[0];
    const n = await afterCount(w);
    await w.page.click(`#diagram g.node[data-node="${target}"]`);
    const reveal = await w.waitForMessage('reveal', n) as Extract<FromWebview, { kind: 'reveal' }>;
    assert.equal(reveal.nodeId, target);
    // Opened: the node is drawn as itself (no "⋯ +N nodes") and some of what it hid is drawn beside it.
    await w.page.waitForFunction((id) => {
      const g = document.querySelector(`#diagram g.node[data-node="${id}"]`);
      return !!g && !/⋯/.test(g.textContent ?? '');
    }, target, { timeout: 30_000 });
    const inside = payload.graph.edges.filter((e) => e.to === target).map((e) => e.from);
    const drawnIds = await w.page.evaluate(() => [...document.querySelectorAll('#diagram g.node')].map((g) => (g as SVGGElement).dataset.node));
    assert.ok(inside.every((id) => drawnIds.includes(id)), 'its operands are drawn');
    await w.page.close();
  });

  test('an error message is readable and the last good graph stays (dimmed) underneath', async () => {
    const w = await h.newPage('vscode-light');
    await w.showGraph(payloadFor('x*x', { x: 3 }));
    await w.send({ kind: 'error', message: 'unknown function foo', where: '1:3' });
    await w.page.waitForFunction(() => document.body.dataset.phase === 'error');
    assert.match(await w.page.locator('#message').innerText(), /Cannot show this graph\s+unknown function foo\s+at 1:3/);
    assert.equal(await w.page.locator('#diagram.stale svg').count(), 1);
    await w.page.close();
  });

  test('stepping the backward pass of (x^2+1)^3: reverse topological order, local × upstream = contribution → 300', async () => {
    const w = await h.newPage('vscode-light');
    await w.showGraph(payloadFor('(x^2+1)^3', { x: 2 }));
    const read = () => w.page.evaluate(() => {
      const s = document.getElementById('step-status')!;
      return {
        node: s.dataset.node,
        current: [...document.querySelectorAll('#diagram g.node.bp-current')].map((g) => (g as SVGGElement).dataset.node),
        contributions: [...s.querySelectorAll('li.contribution')].map((li) => li.textContent),
        acc: [...s.querySelectorAll('li.acc')].map((li) => li.textContent),
        activeEdges: [...document.querySelectorAll('#diagram g.edgeLabel.bp-active text')].map((t) => (t.textContent ?? '').trim()),
      };
    });
    const seen: Awaited<ReturnType<typeof read>>[] = [];
    await w.page.click('#btn-step');
    seen.push(await read());
    await w.page.click('#btn-step');
    seen.push(await read());
    await w.page.screenshot({ path: join(OUT_DIR, 'step-backward-mid.png') });
    await w.page.focus('#btn-step');
    await w.page.keyboard.press('Enter'); // keyboard works as well as the mouse
    seen.push(await read());
    assert.deepEqual(seen.map((s) => s.node), ['n6', 'n4', 'n2']);
    assert.deepEqual(seen.map((s) => s.current), [['n6'], ['n4'], ['n2']]);
    // Folded literals (3, 1, 2) receive no contribution of their own: their gradients are not shown.
    // The step text names nodes as the graph draws them and gives each local derivative in full.
    assert.deepEqual(seen[0].contributions, ['x² + 1: local 3·(x² + 1)² = 75 × upstream 1 = 75']);
    assert.deepEqual(seen[1].activeEdges, ['1 × 75 = 75']);
    assert.deepEqual(seen[2].contributions, ['x: local 2x = 4 × upstream 75 = 300']);
    assert.deepEqual(seen[2].activeEdges, ['4 × 75 = 300']);
    assert.deepEqual(seen.map((s) => s.acc[0]), ['∂/∂x: nothing yet', '∂/∂x: nothing yet', '∂/∂x = 300 ✓ complete']);
    // The end of the pass stays put; Escape leaves stepping and restores the labels.
    await w.page.keyboard.press('.');
    assert.equal((await read()).node, 'n2');
    await w.page.keyboard.press('Escape');
    assert.equal(await w.page.locator('#diagram g.node.bp-current').count(), 0);
    assert.deepEqual((await labels(w)).edges, ['2x = 4', '1', '3·(x² + 1)² = 75']);
    await w.page.close();
  });

  test('stepping x*x: both contributions reach x and sum to 6; forward stepping reveals values in order', async () => {
    const w = await h.newPage('vscode-dark');
    await w.showGraph(payloadFor('x*x', { x: 3 }));
    await w.page.keyboard.press('.');
    const acc = await w.page.locator('#step-status li.acc').innerText();
    assert.equal(acc, '∂/∂x = 3 + 3 = 6 ✓ complete');
    await w.page.click('#btn-step-mode');
    assert.equal(await w.page.getAttribute('#btn-step-mode', 'aria-pressed'), 'true');
    const order: string[] = [];
    const values: string[][] = [];
    for (let i = 0; i < 2; i++) {
      if (i > 0) await w.page.click('#btn-step');
      order.push(await w.page.evaluate(() => document.getElementById('step-status')!.dataset.node ?? ''));
      values.push((await labels(w)).nodes.map((n) => n.lines[1]));
    }
    assert.deepEqual(order, ['n0', 'n1']);
    assert.deepEqual(values, [['value 3', 'value ?'], ['value 3', 'value 9']]);
    await w.page.close();
  });

  test('gradient magnitude: vanishing gradients through tanh(tanh(tanh(x))) at a saturated point are marked', async () => {
    const w = await h.newPage('vscode-light');
    const payload = payloadFor('tanh(tanh(tanh(10*x)))', { x: 2 });
    await w.showGraph(payload);
    const x = payload.graph.inputs[0].id;
    const marks = await w.page.evaluate(() => ({
      vanish: [...document.querySelectorAll('#diagram g.node.bp-vanish')].map((g) => (g as SVGGElement).dataset.node),
      widths: [...document.querySelectorAll('#diagram path[data-edge]')].map((p) => parseFloat((p as SVGPathElement).style.strokeWidth)),
    }));
    // tanh'(20) ≈ 1.7e-17: x's gradient vanishes, the output's does not.
    assert.ok(marks.vanish.includes(x), `vanishing marked on: ${marks.vanish.join(',')}`);
    assert.ok(!marks.vanish.includes(payload.graph.output));
    assert.ok(Math.min(...marks.widths) < Math.max(...marks.widths), 'edge widths differ by magnitude');
    await w.page.screenshot({ path: join(OUT_DIR, 'vanishing-light.png') });
    await w.page.close();
  });

  test('the panel HTML carries the CSP: nonce-only scripts, inline styles only for style-src; injected scripts do not run', async () => {
    const html = webviewHtml({ cspSource: 'https://x.vscode-cdn.net', nonce: 'abc123', scriptUri: 'https://x.vscode-cdn.net/w.js', styleUri: 'https://x.vscode-cdn.net/w.css' });
    const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1];
    assert.equal(csp, "default-src &#39;none&#39;; img-src https://x.vscode-cdn.net data: blob:; style-src https://x.vscode-cdn.net &#39;unsafe-inline&#39;; script-src &#39;nonce-abc123&#39;; font-src https://x.vscode-cdn.net;");
    assert.match(html, /<script type="module" nonce="abc123" src="https:\/\/x\.vscode-cdn\.net\/w\.js"><\/script>/);
    const w = await h.newPage('vscode-light');
    const ran = await w.page.evaluate(async () => {
      const s = document.createElement('script');
      s.textContent = 'window.__inline = 1';
      document.body.append(s);
      await new Promise((r) => setTimeout(r, 50));
      return (window as unknown as { __inline?: number }).__inline;
    });
    assert.equal(ran, undefined, 'an inline script without the nonce is blocked');
    await w.page.close();
  });

  test('the self-contained page (CLI --format html) draws the graph offline from file://', async () => {
    const html = selfContainedHtml({
      script: readFileSync(join(ROOT, 'dist/webview-inline.js'), 'utf8'),
      css: readFileSync(join(ROOT, 'dist/webview-inline.css'), 'utf8'),
      payload: payloadFor('(x^2+1)^3', { x: 2 }),
    });
    const file = join(OUT_DIR, 'standalone.html');
    writeFileSync(file, html);
    const page = await h.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => document.body.dataset.phase === 'data', undefined, { timeout: 30_000 });
    const text = await page.evaluate(() => [...document.querySelectorAll('#diagram g.node')].map((g) => g.textContent).join(' | '));
    assert.match(text, /value 125/);
    assert.match(text, /grad 300/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('no request ever left 127.0.0.1', () => {
    assert.deepEqual(h.offsite, []);
  });
});
