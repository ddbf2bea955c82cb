import type * as Engine from './engine';

let engine: typeof Engine | undefined;

/**
 * The engine (front ends and the tracer) loaded on first use, so activating the extension or starting the CLI
 * does not pay for it. In the bundles, build/esbuild.mjs turns this require into `require("./engine.js")`.
 */
export function loadEngine(): typeof Engine {
  return (engine ??= require('./engine') as typeof Engine);
}

/**
 * Loads the engine ahead of its first use (the extension calls this on a timer, never during activation).
 * Returns the milliseconds it took, undefined when it was already loaded, or the error (never throws: the
 * first real use reports a broken engine where the user asked for it).
 */
export function warmEngine(): number | undefined | Error {
  if (engine) return undefined;
  const started = Date.now();
  try {
    loadEngine();
    return Date.now() - started;
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

/**
 * In the web worker host the TypeScript parser arrives asynchronously (src/host/ts-parser.web.ts): a parse that
 * needs it before it is there throws `TsParserLoading`. Its `loaded` promise, or undefined for any other error.
 */
export function parserLoading(e: unknown): Promise<void> | undefined {
  if (!(e instanceof Error) || e.name !== 'TsParserLoading') return undefined;
  const loaded = (e as Error & { loaded?: unknown }).loaded;
  return loaded instanceof Promise ? loaded : undefined;
}

/** Runs `run`, and once more after the parser has loaded if it had to wait for it (never in Node hosts). */
export async function whenParserLoaded<T>(run: () => Promise<T> | T): Promise<T> {
  try {
    return await run();
  } catch (e) {
    const loaded = parserLoading(e);
    if (!loaded) throw e;
    await loaded;
    return run();
  }
}
