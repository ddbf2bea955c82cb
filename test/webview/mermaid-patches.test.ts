/// <reference lib="dom" />
// (Code passed to page.evaluate runs in the page: it is typed against the DOM.)
/**
 * The build-time speed patches to Mermaid and dagre (build/mermaid-patches.mjs) must apply to the installed
 * versions and must not change the drawing: the webview bundle is built with and without them and the same
 * graphs are drawn by both in Chromium; the SVGs must be equal byte for byte. Mermaid's shapes draw through
 * rough.js, which draws with Math.random: both pages get the same seeded Math.random.
 * All or nothing: a patch whose text is no longer in the installed source fails the build, naming the patch
 * (checked by building against patches altered to miss). Also: a source Mermaid cannot parse (the page no
 * longer calls mermaid.parse first) is reported, not drawn.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ROOT, payloadFor, startHarness, type Harness } from './harness';

interface Patch { name: string; file: RegExp; needle: string; replacement: string; all?: boolean }
interface PatchModule {
  PATCHES: Patch[];
  applyPatches(path: string, text: string, patches?: Patch[]): { text: string; applied: string[]; missed: string[] };
  mermaidPatches(options?: { skip?: string[]; onApplied?: (name: string) => void; patches?: Patch[] }): import('esbuild').Plugin;
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
let patches: PatchModule;

/** The panel's build (an ES module with chunks, as build/esbuild.mjs makes it) with the given patch plugin. */
async function bundle(outdir: string, plugin: import('esbuild').Plugin): Promise<void> {
  await build({
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    target: 'es2022',
    minify: true,
    entryPoints: { webview: 'media/webview.ts' },
    outdir,
    plugins: [plugin],
    logLevel: 'silent',
  });
}

/** The build's error texts (esbuild rejects with them), or [] when it succeeded. */
async function buildErrors(plugin: import('esbuild').Plugin): Promise<string[]> {
  const outdir = mkdtempSync(join(tmpdir(), 'bp-patch-miss-'));
  try {
    await bundle(outdir, plugin);
    return [];
  } catch (e) {
    return ((e as { errors?: { text: string }[] }).errors ?? [{ text: String(e) }]).map((m) => m.text);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The patches with one of them changed so that it no longer matches (as after a Mermaid or dagre update). */
function withMiss(name: string, change: (p: Patch) => Patch): Patch[] {
  assert.ok(patches.PATCHES.some((p) => p.name === name), name);
  return patches.PATCHES.map((p) => (p.name === name ? change(p) : p));
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bp-patches-'));
  // A path in a variable: the patch module is plain ESM JavaScript used by the build, not part of the typed sources.
  const modulePath = join(ROOT, 'build/mermaid-patches.mjs');
  patches = (await import(modulePath)) as PatchModule;
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

  test('applyPatches reports a patch whose text is gone from its file as missed', () => {
    const graphlib = patches.PATCHES.filter((p) => p.file.test('node_modules/dagre-d3-es/src/graphlib/graph.js'));
    assert.ok(graphlib.length >= 2);
    const source = graphlib.map((p) => `function f() { ${p.needle} x); }`).join('\n');
    const whole = patches.applyPatches('node_modules/dagre-d3-es/src/graphlib/graph.js', source, graphlib);
    assert.deepEqual(whole.missed, []);
    assert.deepEqual(whole.applied.sort(), graphlib.map((p) => p.name).sort());
    // The published file after an update that renamed the helper of the first patch.
    const altered = source.split(graphlib[0].needle).join('return _.ownKeys(');
    const partial = patches.applyPatches('node_modules/dagre-d3-es/src/graphlib/graph.js', altered, graphlib);
    assert.deepEqual(partial.missed, [graphlib[0].name]);
    assert.ok(partial.text.includes('return _.ownKeys('), 'the altered text is left as it is');
  });

  test('a patch that no longer matches the installed Mermaid fails the build and names the patch', async () => {
    // One half of the coupled pair (getConfig hands out frozen copies; fromText asks for a writable one):
    // shipping the first without the second would make every diagram's init() throw.
    const name = 'Diagram.fromText: a writable configuration copy for init()';
    const errors = await buildErrors(patches.mermaidPatches({ patches: withMiss(name, (p) => ({ ...p, needle: p.needle.replace('detectType', 'detectDiagramType') })) }));
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0], /mermaid-patches: patch "Diagram\.fromText: a writable configuration copy for init\(\)" no longer matches .*mermaid\.core\.mjs/);
  });

  test('a patch whose text is in none of Mermaid’s chunks fails the build at its end and names the patch', async () => {
    const name = 'getConfig: one frozen copy per configuration';
    const errors = await buildErrors(patches.mermaidPatches({ patches: withMiss(name, (p) => ({ ...p, needle: `${p.needle}\n// changed` })) }));
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0], /mermaid-patches: patch "getConfig: one frozen copy per configuration" was not applied/);
  });

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
