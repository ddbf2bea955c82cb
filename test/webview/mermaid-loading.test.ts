/**
 * How the panel loads Mermaid: the webview is an ES module whose chunks (media/dist/chunks/) hold Mermaid's
 * flowchart diagram, the dagre layout and KaTeX; the other diagram types and layouts are left out of the build
 * (build/mermaid-flowchart-only.mjs). A flowchart must fetch only what it needs, under the panel's nonce-only
 * CSP, from the extension's media (nothing offsite), and every chunk a module imports must ship.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { ROOT, payloadFor, startHarness, type Harness } from './harness';

const DIST = join(ROOT, 'media/dist');
let h: Harness;

before(async () => {
  h = await startHarness();
});

after(async () => {
  await h?.close();
});

describe('Mermaid loading in the panel', () => {
  test('a flowchart fetches the Mermaid core, flowchart and dagre chunks, and no other diagram type', async () => {
    const w = await h.newPage();
    await w.showGraph(payloadFor('tanh(x*y) / (x - 3) + log(y) * exp(-x)', { x: 0.7, y: 1.3 }));
    const drawn = await w.page.evaluate(() => document.querySelectorAll('#diagram g.node').length);
    assert.ok(drawn >= 8, `drawn nodes: ${drawn}`);
    const fetched = [...new Set(h.served.map((p) => p.split('/').pop() ?? ''))];
    assert.ok(fetched.some((f) => /^flowDiagram-/.test(f)), fetched.join(' '));
    assert.ok(fetched.some((f) => /^dagre-/.test(f)), fetched.join(' '));
    const others = fetched.filter((f) => /katex|not-bundled/.test(f));
    assert.deepEqual(others, [], 'KaTeX and the left-out stub are not fetched for a flowchart');
    const bytes = (files: string[]) => files.reduce((n, f) => n + statSync(join(DIST, 'chunks', f)).size, 0);
    const loaded = statSync(join(DIST, 'webview.js')).size + bytes(fetched);
    // Today about 0.85 MB (Mermaid's published bundle with every diagram type is 5.3 MB); the bound leaves
    // room for Mermaid updates, not for loading every diagram type again.
    assert.ok(loaded < 1.5e6, `a flowchart loads ${loaded} bytes of script`);
    assert.ok(fetched.length <= 12, `${fetched.length} chunk files: ${fetched.join(' ')}`);
    assert.deepEqual(h.offsite, []);
    await w.page.close();
  });

  test('a Mermaid diagram type other than the flowchart never reaches Mermaid: ignored with a log line, the page keeps working', async () => {
    const w = await h.newPage();
    const warnings: string[] = [];
    w.page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
    await w.showGraph(payloadFor('(x^2+1)^3', { x: 2 }));
    const drawnBefore = await w.page.evaluate(() => document.querySelectorAll('#diagram g.node').length);
    const before = (await w.posted()).length;
    await w.send({ kind: 'graph', payload: { ...payloadFor('x*x', { x: 3 }), version: 99, mermaid: 'sequenceDiagram\n  A->>B: hello\n' } });
    await w.page.waitForTimeout(500);
    assert.ok(warnings.some((t) => /mermaid/i.test(t) && /flowchart/.test(t)), `console warnings: ${JSON.stringify(warnings)}`);
    assert.equal((await w.posted()).slice(before).filter((m) => m.kind === 'renderError').length, 0, 'nothing was rendered, so nothing failed');
    assert.equal(await w.page.evaluate(() => document.querySelectorAll('#diagram g.node').length), drawnBefore, 'the previous graph stays');
    assert.deepEqual(h.served.filter((p) => /not-bundled|sequence/i.test(p)), [], 'no diagram code beyond the flowchart was fetched');
    const r = await w.showGraph(payloadFor('tanh(x)', { x: 0.5 }));
    assert.equal(r.mode, 'full');
    await w.page.close();
  });

  test('the flowchart-only plugin fails the build when Mermaid\'s loaders are not where it looks', async () => {
    const { mermaidFlowchartOnly } = (await import(join(ROOT, 'build/mermaid-flowchart-only.mjs'))) as { mermaidFlowchartOnly(): Plugin };
    const dir = mkdtempSync(join(tmpdir(), 'bp-flowchart-only-'));
    try {
      // A stand-in for a Mermaid update that renamed the flowchart's chunk.
      const dist = join(dir, 'node_modules/mermaid/dist');
      mkdirSync(join(dist, 'chunks/mermaid.core'), { recursive: true });
      writeFileSync(join(dist, 'chunks/mermaid.core/flowchartDiagram-ABCD1234.mjs'), 'export const diagram = 1;');
      writeFileSync(join(dist, 'mermaid.core.mjs'), 'export const load = () => import("./chunks/mermaid.core/flowchartDiagram-ABCD1234.mjs");');
      const failure = await build({ absWorkingDir: dir, entryPoints: [join(dist, 'mermaid.core.mjs')], bundle: true, write: false, format: 'iife', plugins: [mermaidFlowchartOnly()], logLevel: 'silent' })
        .then(() => undefined, (e: { errors?: { text: string }[] }) => e.errors?.map((x) => x.text).join('\n'));
      assert.match(failure ?? 'the build succeeded', /mermaid-flowchart-only: Mermaid's flowchart loader .* was not found/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('every chunk a module imports is in media/dist/chunks (what the .vsix ships)', () => {
    const files = ['webview.js', ...readdirSync(join(DIST, 'chunks')).map((f) => `chunks/${f}`)];
    let imports = 0;
    for (const file of files) {
      const text = readFileSync(join(DIST, file), 'utf8');
      const base = file.startsWith('chunks/') ? 'chunks/' : '';
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*"(\.\/[\w./-]+\.js)"/g)) {
        const target = join(DIST, base, m[1]);
        assert.ok(statSync(target, { throwIfNoEntry: false })?.isFile(), `${file} imports ${m[1]}`);
        imports++;
      }
    }
    assert.ok(imports > 30, `found ${imports} imports (the pattern must match esbuild's output)`);
  });
});
