/** The engine for Node hosts (CLI, extension): the core, with the TypeScript front end loaded on first use. */
import { analyze as analyzeCore, parseProgram as parseProgramCore, type AnalyzeOptions, type Lang } from '../core/index';
import type * as TsFrontend from '../core/ts-frontend';

export * from '../core/index';

let ts: typeof TsFrontend | undefined;

/** The TypeScript front end (with the TypeScript compiler) is ~9 MB: required only when TypeScript is traced. */
export function tsParser(text: string) {
  ts ??= require('../core/ts-frontend') as typeof TsFrontend;
  return ts.parseTypeScript(text);
}

export function analyze(text: string, options: Omit<AnalyzeOptions, 'tsParser'> = {}) {
  return analyzeCore(text, { ...options, tsParser });
}

export function parseProgram(text: string, lang: Lang) {
  return parseProgramCore(text, lang, tsParser);
}
