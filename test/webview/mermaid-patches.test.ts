/// <reference lib="dom" />
// (Code passed to page.evaluate runs in the page: it is typed against the DOM.)
/**
 * The build-time speed patches to Mermaid and dagre (build/mermaid-patches.mjs) must apply to the installed
 * versions and must not change the drawing: the webview bundle is built with and without them and the same
 * graphs are drawn by both in Chromium; the SVGs must be equal byte for byte. Mermaid's shapes draw through
 * rough.js, which draws with Math.random: both pages get the same seeded Math.random.
 * Also: a source Mermaid cannot parse (the page no longer calls mermaid.parse first) is reported, not drawn.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ROOT, payloadFor, startHarness, type Harness } from './harness';

interface PatchModule {
  PATCHES: { name: string }[];
  mermaidPatches(options?: { skip?: string[]; onApplied?: (name: string) => void }): import('esbuild').Plugin;
}

const SEEDED_RANDOM = `(() => { let s = 42; Math.random = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; }; })();`;

/** Graphs with every node shape, repeated subexpressions, a fan-out input and long chains (about 60 nodes). */
const EXPRESSIONS = [
  '(x^2+1)^3',
  'tanh(x*y) / (x - 3) + log(y) * exp(-x) + max(x, 1)',
  Array.from({ length: 12 }, (_, k) => `${['tanh', 'sin', 'exp', 'cos'][k % 4]}(x*${(0.1 + k * 0.05).toFixed(2)})`).join(' + ') + ' + (x^2+1)^3',
];

let dir: string;
let patched: Harness;
let published: Harness;
const applied = new Set<string>();
let patchNames: string[] = [];

async function bundle(outdir: string, plugin: import('esbuild').Plugin): Promise<void> {
  await build({
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
    entryPoints: { webview: 'media/webview.ts' },
    outdir,
    plugins: [plugin],
    logLevel: 'silent',
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bp-patches-'));
  // A path in a variable: the patch module is plain ESM JavaScript used by the build, not part of the typed sources.
  const modulePath = join(ROOT, 'build/mermaid-patches.mjs');
  const patches = (await import(modulePath)) as PatchModule;
  patchNames = patches.PATCHES.map((p) => p.name);
  await bundle(join(dir, 'patched'), patches.mermaidPatches({ onApplied: (name) => applied.add(name) }));
  await bundle(join(dir, 'published'), patches.mermaidPatches({ skip: patchNames }));
  const files = (sub: string) => ({ script: join(dir, sub, 'webview.js'), style: join(dir, sub, 'webview.css'), initScript: SEEDED_RANDOM });
  patched = await startHarness(files('patched'));
  published = await startHarness(files('published'));
});

after(async () => {
  await patched?.close();
  await published?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Mermaid speed patches', () => {
  test('every patch applies to the installed Mermaid and dagre', () => {
    assert.ok(patchNames.length >= 5);
    assert.deepEqual([...applied].sort(), [...patchNames].sort());
  });

  for (const theme of ['vscode-light', 'vscode-dark']) {
    test(`patched and published Mermaid draw the same SVG (${theme})`, async () => {
      const a = await patched.newPage(theme);
      const b = await published.newPage(theme);
      for (const text of EXPRESSIONS) {
        const payload = payloadFor(text, { x: 0.7, y: -1.3 });
        const drawn: string[] = [];
        for (const w of [a, b]) {
          const r = await w.showGraph(payload);
          assert.equal(r.mode, 'full');
          drawn.push(await w.page.evaluate(() => document.getElementById('diagram')?.innerHTML ?? ''));
        }
        assert.ok(drawn[0].includes('<svg') && drawn[0].length > 10_000, `an SVG for ${text}`);
        assert.ok(drawn[0] === drawn[1], `same SVG for ${text} (lengths ${drawn[0].length} and ${drawn[1].length})`);
      }
      await a.page.close();
      await b.page.close();
    });
  }

  test('a source Mermaid cannot parse posts renderError and leaves no stray elements', async () => {
    const w = await patched.newPage();
    const good = payloadFor('(x^2+1)^3', { x: 2 });
    await w.showGraph(good);
    const before = (await w.posted()).length;
    const bad = { ...payloadFor('x*x', { x: 3 }), mermaid: 'flowchart LR\n  n0["x"] -->|"∂ 3"| \n  n1(((((\n' };
    await w.send({ kind: 'graph', payload: bad });
    const m = await w.waitForMessage('renderError', before);
    assert.equal(m.kind, 'renderError');
    const page = await w.page.evaluate(() => ({
      alert: document.querySelector('#message [role="alert"]')?.textContent ?? '',
      host: document.getElementById('render-host')?.childElementCount ?? 0,
      svgs: document.querySelectorAll('#diagram svg').length,
      stray: document.querySelectorAll('body > svg, body > div[id^="dbp-"]').length,
    }));
    assert.match(page.alert, /could not be drawn/);
    assert.equal(page.host, 0);
    assert.equal(page.svgs, 1, 'the last good graph stays');
    assert.equal(page.stray, 0);
    await w.page.close();
  });
});
