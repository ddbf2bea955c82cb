/**
 * ```backprop fences in VS Code's own Markdown preview (the built-in markdown extension of code-server 4.139.1),
 * with the packaged extension: "Markdown: Open Preview to the Side" on the day-40 lesson draws the
 * (x^2+1)^3 graph at x = 2 (value 125, gradient 300) inside the preview, in the dark theme and, after
 * switching, the light one; the day-05 lesson's ```backprop ts fence draws its network. Measured in the preview's
 * page (test/webview/preview-look.ts): every node inside the preview, text ≥ 11 px on screen and ≥ 4.5:1
 * contrast, no NaN. The fence keeps its CodeLens in the editor. Own code-server; pictures test-output/e2e/preview-*.png.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { previewLooks, problemsOf, type GraphLook } from '../webview/preview-look';
import { sessionForFile, sleep, VsCodeSession, waitFor } from './harness';

const OPEN_PREVIEW = 'Markdown: Open Preview to the Side';
const DAY40 = 'lessons/day40-chain-rule.md';
const DAY05 = 'lessons/day05-backprop-intuition.md';

let vs: VsCodeSession;
/** Requests made by webview frames (the preview's), with where they went. */
const webviewRequests: string[] = [];
sessionForFile({ shotPrefix: 'preview-' }, (s) => {
  vs = s;
  s.context!.on('request', (r) => {
    const frameUrl = (() => { try { return r.frame().url(); } catch { return ''; } })();
    if (/webview/i.test(frameUrl)) webviewRequests.push(r.url());
  });
});

/** The Markdown preview's page: the markdown extension's webview (not ours), VS Code nests it in two iframes. */
function preview(): FrameLocator {
  return vs.page.frameLocator('iframe.webview.ready[src*="extensionId=vscode.markdown-language-features"]').frameLocator('iframe#active-frame');
}

/** The placeholders once `accept` holds and every graph is drawn, read twice in a row the same (no redraw under way). */
async function drawnGraphs(what: string, accept: (graphs: GraphLook[]) => boolean, timeoutMs = 60_000): Promise<GraphLook[]> {
  let previous = '';
  let last: GraphLook[] = [];
  try {
    return await waitFor(what, timeoutMs, async () => {
      const body = preview().locator('body');
      // tsx names previewLooks' inner functions with a `__name` helper that only Node has: a stand-in in the page.
      await body.evaluate('window.__name = window.__name || ((f) => f)', undefined, { timeout: 5_000 });
      const graphs = await body.evaluate(previewLooks, undefined, { timeout: 10_000 });
      last = graphs;
      const key = JSON.stringify(graphs.map((g) => [g.drawn, g.nodes.map((n) => [n.lines, Math.round(n.left), Math.round(n.top)])]));
      const still = key === previous;
      previous = key;
      return still && graphs.length > 0 && graphs.every((g) => g.drawn || g.error) && accept(graphs) ? graphs : undefined;
    }, 500);
  } catch (e) {
    const seen = last.map((g) => `${g.drawn ? 'drawn' : 'not drawn'} ${g.error} ${g.nodes.map((n) => n.lines).join(' | ')}`).join('\n    ');
    throw new Error(`${(e as Error).message}\n  placeholders seen:\n    ${seen || '(none)'}`, { cause: e });
  }
}

/** Scrolls the preview so the n-th placeholder's code block is at the top (for the picture and the vertical check). */
async function scrollTo(n: number): Promise<void> {
  await preview().locator('.bp-preview').nth(n).evaluate((el) => (el.previousElementSibling ?? el).scrollIntoView({ block: 'start' }));
  await sleep(400);
}

const text = (g: GraphLook) => g.nodes.map((n) => n.lines).join(' | ');
const seedGraph = (graphs: GraphLook[]) => graphs.length >= 2 && /\bvalue 125\b/.test(text(graphs[0])) && /\bgrad 300\b/.test(text(graphs[0]));

/** The theme's node colours in the preview: the input node's fill. */
const inputFill = () => preview().locator('.bp-preview svg g.node.bpInput').first().locator('rect, path').first()
  .evaluate((el) => getComputedStyle(el).fill, undefined, { timeout: 5_000 });

test('(p1) the day-40 lesson in the Markdown preview, dark then light: (x^2+1)^3 at x = 2 drawn with 125 and 300, nodes inside, legible', async () => {
  await vs.step('p1-open', () => vs.openFile(DAY40));
  // The fence keeps its CodeLens in the editor.
  await vs.step('p1-codelens', () => waitFor('the CodeLens above ```backprop x=2', 20_000, async () => ((await vs.codeLenses().filter({ hasText: 'Show Backprop Graph' }).count()) >= 2 ? true : undefined)));
  await vs.step('p1-preview', () => vs.runCommand(OPEN_PREVIEW));
  const dark = await vs.step('p1-dark-graph', () => drawnGraphs('the day-40 graphs drawn in the preview', seedGraph));
  assert.match((await preview().locator('body').getAttribute('class')) ?? '', /vscode-dark/, 'the run starts in the dark theme');
  await scrollTo(0);
  const [seed, named] = await drawnGraphs('the day-40 graphs, scrolled', seedGraph);
  await vs.screenshot('p1-day40-preview-dark');
  assert.equal(dark.length, 2, 'two ```backprop fences in the day-40 lesson');
  assert.deepEqual([...problemsOf(seed, 'dark (x^2+1)^3'), ...problemsOf(named, 'dark named form')], []);
  assert.match(text(seed), /\bx \/ value 2 \/ grad 300\b/, text(seed));
  assert.match(text(seed), /value 125 \/ grad 1\b/, text(seed));
  assert.deepEqual(seed.edges, ['2x = 4', '1', '3·(x² + 1)² = 75']);
  assert.equal(seed.caption, 'output = 125 · ∂output/∂x = 300 at x = 2');
  // The graph is on screen, below the fence's code, inside the preview's viewport.
  const frameHeight = await preview().locator('body').evaluate(() => window.innerHeight);
  const offscreen = seed.nodes.filter((n) => n.top < 0 || n.bottom > frameHeight).map((n) => n.lines);
  assert.deepEqual(offscreen, [], `nodes below or above the preview's visible area (height ${frameHeight})`);
  const darkFill = await inputFill();

  await vs.step('p1-light', () => vs.setTheme('light'));
  await vs.step('p1-light-body', () => waitFor('preview body class vscode-light', 15_000, async () =>
    (((await preview().locator('body').getAttribute('class')) ?? '').includes('vscode-light') ? true : undefined)));
  await vs.step('p1-light-redraw', () => waitFor('the graph redrawn in light colours', 20_000, async () => ((await inputFill()) !== darkFill ? true : undefined)));
  await scrollTo(0);
  const [lightSeed, lightNamed] = await vs.step('p1-light-graph', () => drawnGraphs('the day-40 graphs in light', seedGraph));
  await vs.screenshot('p1-day40-preview-light');
  assert.deepEqual([...problemsOf(lightSeed, 'light (x^2+1)^3'), ...problemsOf(lightNamed, 'light named form')], []);
  assert.equal(lightSeed.caption, 'output = 125 · ∂output/∂x = 300 at x = 2');
  console.log(`# day-40 in the preview: ${lightSeed.direction}, ${lightSeed.width.toFixed(0)} px wide, node text ≥ ${Math.min(...lightSeed.nodes.map((n) => n.textPx)).toFixed(1)} px; input fill dark ${darkFill} → light ${await inputFill()}`);
});

test('(p2) the day-05 lesson\'s ```backprop ts fence: the TypeScript network drawn in the preview, values from the block above', async () => {
  // One preview on screen: close the day-40 editor and its preview, then preview the day-05 lesson.
  await vs.step('p2-close', () => vs.runCommand('View: Close All Editors'));
  await vs.step('p2-open', () => vs.openFile(DAY05));
  await vs.step('p2-preview', () => vs.runCommand(OPEN_PREVIEW));
  const isNetwork = (graphs: GraphLook[]) => graphs.length === 1 && /value 0\.6809/.test(text(graphs[0])) && /\bw1 \/ value 1\.2 \/ grad 0\.2847\b/.test(text(graphs[0]));
  await vs.step('p2-graph', () => drawnGraphs('the day-05 network drawn in the preview', isNetwork));
  await scrollTo(0);
  const [network] = await drawnGraphs('the day-05 network, scrolled', isNetwork);
  await vs.screenshot('p2-day05-ts-preview-light');
  assert.deepEqual(problemsOf(network, 'day-05 network'), []);
  assert.equal(network.nodes.length, 10, text(network));
  assert.match(network.caption, /^L = 0\.6809 · ∂L\/∂w1 = 0\.2847 · ∂L\/∂x = 0\.3417 · ∂L\/∂w2 = -0\.9728/);
  console.log(`# day-05 in the preview: ${network.direction}, ${network.width.toFixed(0)} px wide, node text ≥ ${Math.min(...network.nodes.map((n) => n.textPx)).toFixed(1)} px`);
  await vs.step('p2-dark', () => vs.setTheme('dark'));
  await vs.step('p2-dark-body', () => waitFor('preview body class vscode-dark', 15_000, async () =>
    (((await preview().locator('body').getAttribute('class')) ?? '').includes('vscode-dark') ? true : undefined)));
  await sleep(1500);
  await scrollTo(0);
  const [darkNetwork] = await drawnGraphs('the day-05 network in dark', isNetwork);
  await vs.screenshot('p2-day05-ts-preview-dark');
  assert.deepEqual(problemsOf(darkNetwork, 'day-05 network, dark'), []);
});

test('(p3) the preview loaded our script and style from the installed extension and nothing from the network', () => {
  // vscode-resource URLs are VS Code's way to name local files: the webview's service worker answers them from the server.
  const local = /^(http:\/\/127\.0\.0\.1:\d+\/|https:\/\/[\w+-]+\.vscode-resource\.vscode-cdn\.net\/|data:|blob:)/;
  const ours = webviewRequests.filter((u) => /\/extensions\/backprop-graph\.backprop-graph-[\d.]+\/media\/dist\/preview\.(js|css)$/.test(u));
  assert.ok(ours.length >= 2, `the preview's script and style were not requested from the installed extension: ${webviewRequests.filter((u) => /preview/.test(u)).join(', ')}`);
  const offsite = webviewRequests.filter((u) => !local.test(u));
  assert.deepEqual(offsite, [], 'webview requests that left the machine');
  console.log(`# ${webviewRequests.length} webview requests, all local (ours: ${[...new Set(ours.map((u) => u.replace(/^.*\/media\//, 'media/')))].join(', ')})`);
});
