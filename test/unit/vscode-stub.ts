/**
 * A minimal stand-in for the `vscode` module, for unit tests of extension code that only needs documents,
 * settings, an input box and a Memento. Installed by hooking Node's module resolution for 'vscode'.
 */
import Module from 'node:module';
import { readFileSync } from 'node:fs';

export interface StubDoc {
  uri: { scheme: string; fsPath: string; toString(): string };
  languageId: string;
  getText(): string;
  positionAt(offset: number): { line: number; character: number };
  offsetAt(p: { line: number; character: number }): number;
}

export function stubDoc(text: string, languageId: string, path = '/lessons/test'): StubDoc {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return {
    uri: { scheme: 'file', fsPath: path, toString: () => `file://${path}` },
    languageId,
    getText: () => text,
    positionAt(offset) {
      let line = 0;
      while (line + 1 < starts.length && starts[line + 1] <= offset) line++;
      return { line, character: offset - starts[line] };
    },
    offsetAt: (p) => starts[p.line] + p.character,
  };
}

export const stubState = {
  inputBoxAnswers: [] as (string | undefined)[],
  inputBoxPrompts: [] as { value?: string; prompt?: string }[],
  docs: new Map<string, StubDoc>(),
  // The contributed defaults, as VS Code would return them (keys without the `backpropGraph.` prefix).
  settings: Object.fromEntries(Object.entries(
    (JSON.parse(readFileSync(new URL('../../package.json', `file://${__filename}`), 'utf8')) as { contributes: { configuration: { properties: Record<string, { default: unknown }> } } })
      .contributes.configuration.properties,
  ).map(([k, v]) => [k.replace(/^backpropGraph\./, ''), v.default])) as Record<string, unknown>,
};

export function memento(): { get<T>(k: string, d?: T): T; update(k: string, v: unknown): Promise<void>; keys(): string[] } {
  const m = new Map<string, unknown>();
  return {
    get: <T>(k: string, d?: T) => (m.has(k) ? (m.get(k) as T) : (d as T)),
    update: async (k: string, v: unknown) => void m.set(k, v),
    keys: () => [...m.keys()],
  };
}

export const logLines: string[] = [];
export const log = {
  info: (...a: unknown[]) => void logLines.push(a.join(' ')),
  warn: (...a: unknown[]) => void logLines.push(a.join(' ')),
  error: (...a: unknown[]) => void logLines.push(a.join(' ')),
};

class Position { constructor(readonly line: number, readonly character: number) {} }
class Range { constructor(readonly start: Position, readonly end: Position) {} }
class MarkdownString { isTrusted: unknown; supportHtml = false; constructor(readonly value = '') {} }
class Hover { constructor(readonly contents: MarkdownString | MarkdownString[], readonly range?: Range) {} }

const vscodeStub = {
  Position, Range, MarkdownString, Hover,
  languages: {
    // Glob match on the path, enough for `**/lessons/**` style patterns.
    match: (sel: { pattern: string }, doc: StubDoc) => (globToRegExp(sel.pattern).test(doc.uri.fsPath) ? 10 : 0),
  },
  Uri: { parse: (s: string) => ({ scheme: s.split(':')[0], fsPath: s.replace(/^file:\/\//, ''), toString: () => s }) },
  workspace: {
    notebookDocuments: [],
    async openTextDocument(uri: { toString(): string }) {
      const doc = stubState.docs.get(uri.toString());
      if (!doc) throw new Error(`no such document ${uri.toString()}`);
      return doc;
    },
    getConfiguration: () => ({ get: <T>(k: string, d: T) => (k in stubState.settings ? (stubState.settings[k] as T) : d) }),
  },
  window: {
    async showInputBox(o: { value?: string; prompt?: string; validateInput?: (t: string) => string | undefined }) {
      stubState.inputBoxPrompts.push({ value: o.value, prompt: o.prompt });
      const a = stubState.inputBoxAnswers.shift();
      if (a !== undefined && o.validateInput?.(a)) return undefined;
      return a;
    },
  },
};

const M = Module as unknown as { _resolveFilename: (r: string, ...rest: unknown[]) => string; _cache: Record<string, unknown> };
const STUB_ID = '/virtual/vscode-stub.js';
const original = M._resolveFilename;
M._resolveFilename = function (request: string, ...rest: unknown[]) {
  if (request === 'vscode') return STUB_ID;
  return original.call(this, request, ...rest);
};
const m = new Module(STUB_ID);
m.exports = vscodeStub;
(m as unknown as { loaded: boolean }).loaded = true;
(Module as unknown as { _cache: Record<string, unknown> })._cache[STUB_ID] = m;

export function lessonDoc(path: string, languageId: string): StubDoc {
  const doc = stubDoc(readFileSync(path, 'utf8'), languageId, path);
  stubState.docs.set(doc.uri.toString(), doc);
  return doc;
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') { re += '.*'; i++; if (glob[i + 1] === '/') i++; }
    else if (c === '*') re += '[^/]*';
    else if (c === '{') re += '(?:';
    else if (c === '}') re += ')';
    else if (c === ',') re += '|';
    else re += c.replace(/[.+?^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export const cancellation = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) };
