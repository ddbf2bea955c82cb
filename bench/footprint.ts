/**
 * Section `footprint`: bundle sizes, the .vsix, and the cost of `require('dist/extension.js')` with a stub
 * `vscode` module, checking that the require loads neither the engine bundle nor the TypeScript
 * parser nor Mermaid.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, round, type BenchRecord } from './util';

/** Runs in a fresh node process: times the require, then lists what it loaded. */
const PROBE = `
const Module = require('module');
const path = require('path');
const stub = path.join(__dirname, 'vscode-stub.js');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'vscode' ? stub : resolve.call(this, request, ...rest);
};
const target = process.argv[2];
const t0 = performance.now();
const ext = require(target);
const ms = performance.now() - t0;
const loaded = Object.keys(require.cache);
const heavy = loaded.filter((f) => /[\\\\/](engine|ts-parser)\\.js$|node_modules[\\\\/](mathjs|typescript|mermaid)[\\\\/]/.test(f));
process.stdout.write(JSON.stringify({ ms, heavy, modules: loaded.length, activate: typeof ext.activate }));
`;
/** Enough of the vscode API for module-level code to load: every property is a harmless proxy. */
const VSCODE_STUB = `
const handler = { get: (t, k) => (k === '__esModule' ? false : k in t ? t[k] : (t[k] = new Proxy(function () {}, handler))), construct: () => new Proxy({}, handler), apply: () => new Proxy({}, handler) };
// Classes the bundle instantiates while it loads are real own properties: esbuild's CommonJS interop copies
// only own keys, so a Proxy-made member would be missing from the copy.
module.exports = new Proxy({ EventEmitter: class { constructor() { this.event = () => ({ dispose() {} }); } fire() {} dispose() {} } }, handler);
`;

function kb(bytes: number): number {
  return round(bytes / 1024);
}

export function footprintSection(emit: (r: BenchRecord) => void, root: string): void {
  const bundles: [string, string, number | undefined][] = [
    ['extension', 'dist/extension.js', 300],
    ['engine (front ends + tracer, lazy)', 'dist/engine.js', undefined],
    ['ts-parser (TypeScript compiler, lazy)', 'dist/ts-parser.js', undefined],
    ['webview entry (UI; Mermaid is in media/dist/chunks)', 'media/dist/webview.js', undefined],
    // The CLI's --format html page inlines this one (not shipped in the .vsix).
    ['webview for one-file pages (Mermaid + UI, IIFE)', 'dist/webview-inline.js', undefined],
    // The Markdown preview loads classic scripts only: its own IIFE with Mermaid inside.
    ['Markdown preview script (Mermaid + drawing, IIFE)', 'media/dist/preview.js', undefined],
    // VS Code for the Web: the web worker extension host's entry (engine included) and its lazy parser.
    ['web extension (browser entry, engine included)', 'dist/web/extension.js', undefined],
    ['web ts-parser (TypeScript compiler, lazy ES module)', 'dist/web/ts-parser.js', undefined],
  ];
  for (const [label, file, limitKb] of bundles) {
    const path = join(root, file);
    if (!existsSync(path)) {
      emit({ name: `footprint.${label}`, median_ms: NaN, unavailable: `${file} is missing (run npm run build)` });
      continue;
    }
    const size = statSync(path).size;
    emit({
      name: `footprint.${label}`,
      median_ms: NaN,
      file,
      bytes: size,
      kb: kb(size),
      ...(limitKb ? { target: `≤ ${limitKb} KB`, met: size <= limitKb * 1024 } : {}),
    });
  }

  const extension = join(root, 'dist/extension.js');
  if (existsSync(extension)) {
    const dir = mkdtempSync(join(tmpdir(), 'bp-bench-require-'));
    try {
      writeFileSync(join(dir, 'probe.js'), PROBE);
      writeFileSync(join(dir, 'vscode-stub.js'), VSCODE_STUB);
      const times: number[] = [];
      let heavy: string[] = [];
      let modules = 0;
      let activate = '';
      let failed = '';
      for (let i = 0; i < 11; i++) {
        const r = spawnSync(process.execPath, [join(dir, 'probe.js'), extension], { encoding: 'utf8', timeout: 30_000 });
        if (r.status !== 0) {
          failed = (r.stderr || r.error?.message || 'failed').trim().split('\n').slice(0, 3).join(' ');
          break;
        }
        const out = JSON.parse(r.stdout) as { ms: number; heavy: string[]; modules: number; activate: string };
        times.push(out.ms);
        heavy = out.heavy;
        modules = out.modules;
        activate = out.activate;
      }
      if (failed) {
        emit({ name: 'footprint.require extension', median_ms: NaN, unavailable: `require failed: ${failed}` });
      } else {
        const m = median(times);
        emit({
          name: 'footprint.require extension',
          median_ms: round(m),
          runs: times.length,
          modules_loaded: modules,
          activate,
          heavy_loaded: heavy.length ? heavy.join(', ') : 'none (no engine.js, ts-parser.js, mathjs, typescript or mermaid)',
          target: '≤ 25 ms, and loads no mathjs/TypeScript/Mermaid',
          met: m <= 25 && heavy.length === 0,
        });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  // The .vsix exactly as `npm run package` makes it (vsce, --no-dependencies), written outside the repo.
  const outDir = mkdtempSync(join(tmpdir(), 'bp-bench-vsix-'));
  try {
    const vsix = join(outDir, 'bench.vsix');
    const t0 = performance.now();
    const r = spawnSync(join(root, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '--out', vsix], {
      cwd: root,
      encoding: 'utf8',
      timeout: 180_000,
      input: 'y\n',
    });
    const ms = performance.now() - t0;
    if (r.status === 0 && existsSync(vsix)) {
      const size = statSync(vsix).size;
      const files = /(\d+) files/.exec(r.stdout)?.[1];
      emit({ name: 'footprint.vsix', median_ms: round(ms), bytes: size, kb: kb(size), files: files ? Number(files) : undefined, target: '≤ 4 MB', met: size <= 4 * 1024 * 1024 });
    } else {
      const why = `${r.stderr ?? ''}\n${r.stdout ?? ''}`.split('\n').find((l) => /error/i.test(l)) ?? r.error?.message ?? `exit ${r.status}`;
      emit({ name: 'footprint.vsix', median_ms: NaN, unavailable: `vsce package failed: ${why.trim()}` });
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
