// Builds every bundle: the extension host side (Node, CommonJS) and the webview (browser: an ES module with
// chunks for the panel, one IIFE for the CLI's self-contained page).
// `node build/esbuild.mjs [--watch] [--dev]`: minified with linked source maps by default.
import * as esbuild from 'esbuild';
import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { mermaidPatches } from './mermaid-patches.mjs';
import { mermaidFlowchartOnly } from './mermaid-flowchart-only.mjs';

const watch = process.argv.includes('--watch');
const dev = process.argv.includes('--dev');

/**
 * Heavy parts are separate bundles loaded on first use: `src/host/lazy.ts` requires './engine' (front ends and the
 * tracer) and `src/host/engine.ts` requires '../engine/frontends/typescript' (the TypeScript compiler). Here those two
 * requires become requires of the sibling bundle files instead of being inlined.
 */
const lazyBundles = {
  name: 'lazy-bundles',
  setup(build) {
    build.onResolve({ filter: /^\.\/engine$/ }, (args) =>
      args.importer.endsWith('lazy.ts') && args.kind === 'require-call' ? { path: './engine.js', external: true } : undefined);
    build.onResolve({ filter: /^\.\.\/engine\/frontends\/typescript$/ }, (args) =>
      args.kind === 'require-call' ? { path: './ts-parser.js', external: true } : undefined);
  },
};

/**
 * The web worker extension host has no `require` of sibling files: its bundle inlines the engine, and the
 * TypeScript front end becomes src/host/ts-parser.web.ts, which imports dist/web/ts-parser.js (an ES module)
 * on first need.
 */
const webLazyParser = {
  name: 'web-lazy-parser',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/engine\/frontends\/typescript$/ }, (args) =>
      args.kind === 'require-call' ? { path: resolve('src/host/ts-parser.web.ts') } : undefined);
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
  // typescript ships code paths that read these; keep the bundles deterministic.
  legalComments: 'none',
};

const builds = [
  { ...node, entryPoints: { extension: 'src/extension.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { engine: 'src/host/engine.ts', 'ts-parser': 'src/engine/frontends/typescript.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { cli: 'src/cli/cli.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  // package.json "browser": the same extension for the web worker extension host (CommonJS is what that host
  // loads), and its TypeScript parser as an ES module that it import()s.
  { ...node, platform: 'browser', target: 'es2022', plugins: [webLazyParser], entryPoints: { extension: 'src/extension.web.ts' }, outdir: 'dist/web' },
  // `process` is undefined as in a browser, wherever it runs: the compiler then never takes its Node paths (os, fs).
  { ...node, platform: 'browser', target: 'es2022', format: 'esm', plugins: [], define: { process: 'undefined' }, entryPoints: { 'ts-parser': 'src/engine/frontends/typescript.ts' }, outdir: 'dist/web' },
];
if (existsSync('media/webview.ts')) {
  // Chunk names carry a content hash: clear the old ones, or the .vsix would ship every earlier build's chunks.
  rmSync('media/dist', { recursive: true, force: true });
  const webview = {
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    minify: !dev,
    sourcemap: dev ? 'inline' : false,
    // Only the flowchart diagram type and the dagre layout (build/mermaid-flowchart-only.mjs), and faster
    // Mermaid and dagre internals, same drawing (build/mermaid-patches.mjs). Either fails the build when it no
    // longer fits the installed Mermaid.
    plugins: [mermaidFlowchartOnly(), mermaidPatches()],
    logLevel: 'warning',
    legalComments: 'none',
  };
  builds.push(
    // The panel: an ES module whose dynamic imports (Mermaid's flowchart diagram, the dagre layout, KaTeX)
    // become chunks in media/dist/chunks/, fetched when first used.
    {
      ...webview,
      format: 'esm',
      splitting: true,
      entryPoints: { webview: 'media/webview.ts' },
      outdir: 'media/dist', // webview.js, and webview.css from the stylesheet it imports
      chunkNames: 'chunks/[name]-[hash]',
    },
    // The CLI's `--format html` page inlines the script into one offline file: a classic script with every
    // dynamic import bundled in. Not shipped in the .vsix (dist/ ships only the extension host bundles).
    { ...webview, format: 'iife', entryPoints: { 'webview-inline': 'media/webview.ts' }, outdir: 'dist' },
  );
}

const present = builds.filter((b) => Object.values(b.entryPoints).every((p) => existsSync(p)));
if (watch) {
  for (const b of present) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(present.map((b) => esbuild.build(b)));
}
