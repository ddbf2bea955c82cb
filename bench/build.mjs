// Bundles the benchmark (bench/run.ts and the engine sources it measures) into bench/.out/run.js: the numbers
// come from the same esbuild output style as the shipped bundles, not from a transpile-on-load hook.
import * as esbuild from 'esbuild';

await esbuild.build({
  entryPoints: { run: 'bench/run.ts' },
  outdir: 'bench/.out',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: false,
  sourcemap: 'linked',
  // playwright-core drives Chromium from its own files; vscode is never loaded by the bench.
  external: ['playwright-core', 'vscode'],
  logLevel: 'warning',
  legalComments: 'none',
});
