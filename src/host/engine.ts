/** The engine for Node hosts (CLI, extension): the core, with the TypeScript front end loaded on first use. */
import { analyze as analyzeCore, BackpropError, parseProgram as parseProgramCore, type AnalyzeOptions, type Lang } from '../engine/index';
import type * as TsFrontend from '../engine/frontends/typescript';

export * from '../engine/index';

let ts: typeof TsFrontend | undefined;

/** The TypeScript front end (with the TypeScript compiler) is ~9 MB: required only when TypeScript is traced. */
export function tsParser(text: string) {
  ts ??= require('../engine/frontends/typescript') as typeof TsFrontend;
  try {
    return ts.parseTypeScript(text);
  } catch (e) {
    // In the bundles, ts-parser.js carries its own copy of the BackpropError class: re-create the error as
    // this bundle's class so attempt() recognizes it (otherwise a refusal would escape as a crash).
    if (e instanceof Error && e.name === 'BackpropError' && !(e instanceof BackpropError)) {
      const f = e as BackpropError;
      throw new BackpropError(f.code, f.message, f.span, f.names);
    }
    throw e;
  }
}

export function analyze(text: string, options: Omit<AnalyzeOptions, 'tsParser'> = {}) {
  return analyzeCore(text, { ...options, tsParser });
}

export function parseProgram(text: string, lang: Lang) {
  return parseProgramCore(text, lang, tsParser);
}
