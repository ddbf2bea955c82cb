// The web extension (package.json "browser"): its bundle needs nothing but `vscode` from the host, and its
// TypeScript parser is a separate ES module that src/host/ts-parser.web.ts import()s on first need.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { BackpropError } from '../../src/engine/base/errors';
import { parserLoading, whenParserLoaded } from '../../src/host/lazy';
import { parseTypeScript, setTsParserLocation } from '../../src/host/ts-parser.web';

const DIST = join(__dirname, '../../dist/web');

describe('the web bundles (npm run build)', () => {
  it('dist/web/extension.js requires only vscode, and does not carry the TypeScript compiler', () => {
    const file = join(DIST, 'extension.js');
    assert.ok(existsSync(file), 'dist/web/extension.js exists (npm test builds first; otherwise run npm run build)');
    const text = readFileSync(file, 'utf8');
    const required = new Set([...text.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]));
    assert.deepEqual([...required], ['vscode']);
    assert.ok(!text.includes('createSourceFile'), 'the TypeScript compiler is inlined into the extension bundle');
    assert.ok(text.length < 400_000, `dist/web/extension.js is ${text.length} bytes`);
  });

  it('dist/web/ts-parser.js is an ES module exporting parseTypeScript', async () => {
    const parser = (await import(pathToFileURL(join(DIST, 'ts-parser.js')).href)) as typeof import('../../src/engine/frontends/typescript');
    const program = parser.parseTypeScript('const x: number = 2;\nconst y = (x as number) ** 3;\ny');
    assert.equal(program.lang, 'ts');
    assert.deepEqual(program.params.map((p) => p.name), []);
  });
});

describe('src/host/ts-parser.web.ts: the parser arrives asynchronously', () => {
  it('the first parse says it is loading; after that, parses; whenParserLoaded runs again once', async () => {
    setTsParserLocation(pathToFileURL(join(DIST, 'ts-parser.js')).href);
    let thrown: unknown;
    try {
      parseTypeScript('const y = (x as number) * 2;');
    } catch (e) {
      thrown = e;
    }
    assert.ok(!(thrown instanceof BackpropError), 'loading is not a refusal');
    const loaded = parserLoading(thrown);
    assert.ok(loaded, `expected TsParserLoading, got ${String(thrown)}`);
    let runs = 0;
    const program = await whenParserLoaded(() => {
      runs++;
      return parseTypeScript('const y = (x as number) * 2;');
    });
    assert.equal(runs, 2, 'ran once more after the load');
    assert.equal(program.lang, 'ts');
    // Refusals stay refusals (BackpropError values of the engine), now that it has loaded.
    assert.throws(() => parseTypeScript('require("fs")'), (e: unknown) => e instanceof Error && e.name === 'BackpropError' && /require/.test(e.message));
  });
});
