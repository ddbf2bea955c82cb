// Builds every bundle: the extension host side (Node, CommonJS) and the webview (browser, IIFE).
// `node esbuild.config.mjs [--watch] [--dev]`: minified with linked source maps by default.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

const watch = process.argv.includes('--watch');
const dev = process.argv.includes('--dev');

/**
 * Heavy parts are separate bundles loaded on first use: `src/node/lazy.ts` requires './engine' (mathjs and the
 * tracer) and `src/node/engine.ts` requires '../core/ts-frontend' (the TypeScript compiler). Here those two
 * requires become requires of the sibling bundle files instead of being inlined.
 */
const lazyBundles = {
  name: 'lazy-bundles',
  setup(build) {
    build.onResolve({ filter: /^\.\/engine$/ }, (args) =>
      args.importer.endsWith('lazy.ts') && args.kind === 'require-call' ? { path: './engine.js', external: true } : undefined);
    build.onResolve({ filter: /^\.\.\/core\/ts-frontend$/ }, (args) =>
      args.kind === 'require-call' ? { path: './ts-parser.js', external: true } : undefined);
  },
};

const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: !dev,
  sourcemap: dev ? 'inline' : 'linked',
  external: ['vscode'],
  plugins: [lazyBundles],
  logLevel: 'warning',
  // mathjs and typescript ship code paths that read these; keep the bundles deterministic.
  legalComments: 'none',
};

const builds = [
  { ...node, entryPoints: { extension: 'src/extension.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { engine: 'src/node/engine.ts', 'ts-parser': 'src/core/ts-frontend.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { cli: 'src/cli.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
];
/**
 * Mermaid's getConfig() deep-copies its whole configuration on every call, and a flowchart calls it several
 * times per node: for 200 nodes that copying was over a second of the render. This keeps one copy per
 * configuration and hands out a plain structural clone of it (same data, far cheaper). If the Mermaid
 * source ever changes shape, the patch is skipped and Mermaid works as published, only slower.
 */
const mermaidConfigCache = {
  name: 'mermaid-config-cache',
  setup(build) {
    const needle = 'var getConfig = /* @__PURE__ */ __name(() => {\n  return assignWithDepth_default({}, currentConfig);\n}, "getConfig");';
    const replacement = `var bpConfigFor, bpConfigCopy;
function bpClone(v) { if (Array.isArray(v)) return v.map(bpClone); if (v === null || typeof v !== "object") return v; const o = {}; for (const k in v) o[k] = bpClone(v[k]); return o; }
var getConfig = () => {
  if (bpConfigFor !== currentConfig) { bpConfigFor = currentConfig; bpConfigCopy = assignWithDepth_default({}, currentConfig); }
  return bpClone(bpConfigCopy);
};`;
    build.onLoad({ filter: /mermaid[\\/]dist[\\/]chunks[\\/]mermaid\.core[\\/]chunk-[A-Z0-9]+\.mjs$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      return text.includes(needle) ? { contents: text.replace(needle, replacement), loader: 'js' } : undefined;
    });
  },
};

if (existsSync('media/webview.ts')) {
  builds.push({
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: !dev,
    sourcemap: dev ? 'inline' : false,
    entryPoints: { webview: 'media/webview.ts' },
    outdir: 'media/dist', // webview.js, and webview.css from the stylesheet it imports
    plugins: [mermaidConfigCache],
    logLevel: 'warning',
    legalComments: 'none',
  });
}

const present = builds.filter((b) => Object.values(b.entryPoints).every((p) => existsSync(p)));
if (watch) {
  for (const b of present) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(present.map((b) => esbuild.build(b)));
}
