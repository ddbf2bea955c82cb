/**
 * The TypeScript front end in the web worker extension host. There is no `require` of sibling files there (the
 * host's loader gives only 'vscode'), so the web bundle (build/esbuild.mjs) replaces src/host/engine.ts's
 * `require('../engine/frontends/typescript')` with this module, and the parser itself (3.6 MB minified, with the
 * compiler) is dist/web/ts-parser.js, an ES module fetched with `import()` the first time TypeScript needs it.
 *
 * `import()` is asynchronous and the engine's parse is not: the first parse that needs the compiler throws
 * `TsParserLoading` (not a BackpropError, so the engine does not turn it into a refusal); the adapters await its
 * `loaded` promise and run again (`whenParserLoaded` in src/host/lazy.ts). Only our own bundle file is imported.
 */
import { BackpropError } from '../engine/base/errors';
import type * as TsFrontend from '../engine/frontends/typescript';

let location: string | undefined;
let frontend: typeof TsFrontend | undefined;
let loading: Promise<void> | undefined;
let failure: string | undefined;

export class TsParserLoading extends Error {
  constructor(readonly loaded: Promise<void>) {
    super('the TypeScript parser is loading');
    this.name = 'TsParserLoading';
  }
}

/** Where dist/web/ts-parser.js is (the extension's URI joined with it; http(s) in a browser). */
export function setTsParserLocation(url: string): void {
  location = url;
}

function load(): Promise<void> {
  loading ??= (async () => {
    try {
      if (!location) throw new Error('its location is not known');
      // The URL is our own bundle's, set at activation: never text from a document.
      frontend = (await import(location)) as typeof TsFrontend;
      if (typeof frontend?.parseTypeScript !== 'function') throw new Error('dist/web/ts-parser.js has no parseTypeScript');
    } catch (e) {
      frontend = undefined;
      failure = e instanceof Error ? e.message : String(e);
    }
  })();
  return loading;
}

export function parseTypeScript(text: string): ReturnType<typeof TsFrontend.parseTypeScript> {
  if (frontend) return frontend.parseTypeScript(text);
  if (failure) throw new BackpropError('unsupported', `the TypeScript parser could not be loaded in this browser (${failure}); only the fast TypeScript subset, math and Python are read here`);
  throw new TsParserLoading(load());
}
