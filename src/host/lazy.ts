import type * as Engine from './engine';

let engine: typeof Engine | undefined;

/**
 * The engine (mathjs and the tracer) loaded on first use, so activating the extension or starting the CLI
 * does not pay for it. In the bundles, build/esbuild.mjs turns this require into `require("./engine.js")`.
 */
export function loadEngine(): typeof Engine {
  return (engine ??= require('./engine') as typeof Engine);
}
