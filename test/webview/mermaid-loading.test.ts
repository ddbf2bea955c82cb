/**
 * How the panel loads Mermaid: the webview is an ES module whose chunks (media/dist/chunks/) hold Mermaid's
 * diagram types, layouts and KaTeX. A flowchart must fetch only the chunks a flowchart needs, under the
 * panel's nonce-only CSP, from the extension's media (nothing offsite), and every chunk it fetches must ship.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
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
    const others = fetched.filter((f) => /Diagram|definition|elk|katex|cose|swimlanes|diagram-/.test(f) && !/^flowDiagram-/.test(f));
    assert.deepEqual(others, [], 'only the flowchart diagram type and dagre layout load');
    const all = readdirSync(join(DIST, 'chunks'));
    const bytes = (files: string[]) => files.reduce((n, f) => n + statSync(join(DIST, 'chunks', f)).size, 0);
    const loaded = statSync(join(DIST, 'webview.js')).size + bytes(fetched);
    const shipped = statSync(join(DIST, 'webview.js')).size + bytes(all);
    // Today about 0.9 MB of 5.4 MB; the bound leaves room for Mermaid updates, not for loading everything.
    assert.ok(loaded < shipped / 3, `a flowchart loads ${loaded} of ${shipped} bytes`);
    assert.deepEqual(h.offsite, []);
    await w.page.close();
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
