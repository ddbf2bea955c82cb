/**
 * A minimal stand-in for the `vscode` module, for unit tests of extension code: documents, settings, an input
 * box, a Memento, and (for the panel tests) webview panels, quick picks, progress notifications, commands and a
 * file system, each recording what the extension did with it (`stubState`). Installed by hooking Node's module
 * resolution for 'vscode'.
 */
import Module from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';

export interface StubUri {
  scheme: string;
  path: string;
  fsPath: string;
  toString(): string;
}

export interface StubDoc {
  uri: StubUri;
  languageId: string;
  getText(): string;
  positionAt(offset: number): { line: number; character: number };
  offsetAt(p: { line: number; character: number }): number;
}

export function stubUri(scheme: string, path: string): StubUri {
  return { scheme, path, fsPath: path, toString: () => (scheme === 'file' ? `file://${path}` : `${scheme}:${path}`) };
}

export function stubDoc(text: string, languageId: string, path = '/lessons/test', scheme = 'file'): StubDoc {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return {
    uri: stubUri(scheme, path),
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
class Selection extends Range {}
class MarkdownString { isTrusted: unknown; supportHtml = false; constructor(readonly value = '') {} }
class Hover { constructor(readonly contents: MarkdownString | MarkdownString[], readonly range?: Range) {} }
class CodeLens { constructor(readonly range: Range, readonly command?: unknown) {} }

type Listener<T> = (e: T) => unknown;
class EventEmitter<T = void> {
  private listeners: Listener<T>[] = [];
  readonly event = (l: Listener<T>) => {
    this.listeners.push(l);
    return { dispose: () => void (this.listeners = this.listeners.filter((x) => x !== l)) };
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

class NotebookCellData { constructor(readonly kind: number, readonly value: string, readonly languageId: string) {} }
class NotebookData { metadata: unknown; constructor(readonly cells: NotebookCellData[]) {} }

/** A webview panel as the extension sees it; the test drives it (ready, view state, close) and reads what it got. */
export class StubPanel {
  title: string;
  iconPath: unknown;
  visible = true;
  active = false;
  disposed = false;
  readonly posted: { kind: string; [k: string]: unknown }[] = [];
  readonly reveals: unknown[] = [];
  private readonly received = new EventEmitter<unknown>();
  private readonly disposeEmitter = new EventEmitter<void>();
  private readonly viewState = new EventEmitter<{ webviewPanel: StubPanel }>();
  readonly webview = {
    options: {} as unknown,
    html: '',
    cspSource: 'stub-csp',
    asWebviewUri: (u: unknown) => u,
    postMessage: async (m: { kind: string }) => void this.posted.push(m),
    onDidReceiveMessage: this.received.event,
  };
  readonly onDidDispose = this.disposeEmitter.event;
  readonly onDidChangeViewState = this.viewState.event;

  constructor(readonly viewType: string, title: string, public viewColumn: number | undefined) {
    this.title = title;
  }

  /** The page says it is ready (then the panel sends what it has queued). */
  ready(): void {
    this.received.fire({ kind: 'ready' });
  }

  send(m: unknown): void {
    this.received.fire(m);
  }

  /** Makes this panel the active one (and every other panel inactive), as a click on its tab does. */
  activate(): void {
    for (const p of stubState.panels) {
      const was = p.active;
      p.active = p === this;
      if (p.active !== was || p === this) p.viewState.fire({ webviewPanel: p });
    }
  }

  reveal(viewColumn?: number): void {
    this.reveals.push(viewColumn);
    this.visible = true;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.disposeEmitter.fire();
  }

  /** The graphs (payloads) this panel was sent, in order. */
  graphs(): { title: string; value: number; panelId?: string; pinned: boolean }[] {
    return this.posted.filter((m) => m.kind === 'graph').map((m) => m.payload as never);
  }
}

/** A progress notification: `closed` once its task resolved (the toast went away). */
export interface StubNotice {
  title?: string;
  message?: string;
  closed: boolean;
}

export const events = {
  changeText: new EventEmitter<unknown>(),
  changeConfiguration: new EventEmitter<unknown>(),
  closeText: new EventEmitter<unknown>(),
  closeNotebook: new EventEmitter<unknown>(),
  visibleEditors: new EventEmitter<unknown>(),
  visibleNotebooks: new EventEmitter<unknown>(),
};

let untitledCount = 0;

export const stubState = {
  inputBoxAnswers: [] as (string | undefined)[],
  inputBoxPrompts: [] as { value?: string; prompt?: string }[],
  /** Answers for showQuickPick, in order: a label (matched against the items) or undefined (cancelled). */
  quickPickAnswers: [] as (string | undefined)[],
  quickPicks: [] as string[][],
  saveDialogAnswers: [] as (StubUri | undefined)[],
  docs: new Map<string, StubDoc>(),
  panels: [] as StubPanel[],
  notices: [] as StubNotice[],
  statusMessages: [] as string[],
  /** Every document or notebook shown, opened or written: `kind` and its URI (or 'untitled' + language). */
  opened: [] as { kind: string; uri: string; language?: string; content?: string; cells?: number }[],
  written: new Map<string, Uint8Array>(),
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  workspaceFolders: undefined as { uri: StubUri }[] | undefined,
  clipboard: '',
  // The contributed defaults, as VS Code would return them (keys without the `backpropGraph.` prefix).
  settings: Object.fromEntries(Object.entries(
    (JSON.parse(readFileSync(new URL('../../package.json', `file://${__filename}`), 'utf8')) as { contributes: { configuration: { properties: Record<string, { default: unknown }> } } })
      .contributes.configuration.properties,
  ).map(([k, v]) => [k.replace(/^backpropGraph\./, ''), v.default])) as Record<string, unknown>,
};

/** Forgets the panels, notices and recorded calls of the previous test (documents and settings stay). */
export function resetUi(): void {
  for (const p of stubState.panels) p.dispose();
  stubState.panels.length = 0;
  stubState.notices.length = 0;
  stubState.statusMessages.length = 0;
  stubState.opened.length = 0;
  stubState.quickPicks.length = 0;
  stubState.written.clear();
}

const disposable = { dispose() {} };

const Uri = {
  parse: (s: string) => {
    const m = /^([a-z-]+):(?:\/\/)?(.*)$/.exec(s);
    const scheme = m?.[1] ?? 'file';
    const path = m ? (scheme === 'file' ? m[2] : m[2]) : s;
    return stubUri(scheme, scheme === 'file' && !path.startsWith('/') ? `/${path}` : path);
  },
  file: (path: string) => stubUri('file', path),
  joinPath: (base: StubUri, ...parts: string[]) => {
    const segments = `${base.path}/${parts.join('/')}`.split('/');
    const out: string[] = [];
    for (const seg of segments) {
      if (seg === '..') out.pop();
      else if (seg && seg !== '.') out.push(seg);
    }
    return stubUri(base.scheme, `/${out.join('/')}`);
  },
};

const vscodeStub = {
  Position, Range, Selection, MarkdownString, Hover, CodeLens, EventEmitter, NotebookCellData, NotebookData, Uri,
  ViewColumn: { Active: -1, Beside: -2, One: 1, Two: 2, Three: 3, Nine: 9 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  FileType: { File: 1, Directory: 2 },
  NotebookCellKind: { Markup: 1, Code: 2 },
  TextEditorRevealType: { InCenterIfOutsideViewport: 2 },
  languages: {
    // Glob match on the path, enough for `**/lessons/**` style patterns.
    match: (sel: { pattern: string }, doc: StubDoc) => (doc.uri.scheme === 'file' && globToRegExp(sel.pattern).test(doc.uri.fsPath) ? 10 : 0),
  },
  commands: {
    registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => {
      stubState.commands.set(id, fn);
      return { dispose: () => void stubState.commands.delete(id) };
    },
    executeCommand: async (id: string, ...args: unknown[]) => stubState.commands.get(id)?.(...args),
  },
  env: { clipboard: { writeText: async (t: string) => void (stubState.clipboard = t) } },
  workspace: {
    notebookDocuments: [],
    get workspaceFolders() {
      return stubState.workspaceFolders;
    },
    async openTextDocument(arg: { toString(): string } | { content: string; language?: string }) {
      if ('content' in arg) {
        const doc = stubDoc(arg.content, arg.language ?? 'plaintext', `Untitled-${++untitledCount}`, 'untitled');
        stubState.docs.set(doc.uri.toString(), doc);
        stubState.opened.push({ kind: 'openTextDocument', uri: doc.uri.toString(), language: arg.language, content: arg.content });
        return doc;
      }
      const doc = stubState.docs.get(arg.toString());
      if (!doc) throw new Error(`no such document ${arg.toString()}`);
      return doc;
    },
    async openNotebookDocument(typeOrUri: string | StubUri, data?: NotebookData) {
      if (typeof typeOrUri !== 'string') {
        stubState.opened.push({ kind: 'openNotebookDocument', uri: typeOrUri.toString() });
        return { uri: typeOrUri };
      }
      const uri = stubUri('untitled', `Untitled-${++untitledCount}.ipynb`);
      stubState.opened.push({ kind: 'openNotebookDocument', uri: uri.toString(), language: typeOrUri, cells: data?.cells.length });
      return { uri, data };
    },
    getConfiguration: () => ({ get: <T>(k: string, d: T) => (k in stubState.settings ? (stubState.settings[k] as T) : d) }),
    onDidChangeTextDocument: events.changeText.event,
    onDidChangeConfiguration: events.changeConfiguration.event,
    onDidCloseTextDocument: events.closeText.event,
    onDidCloseNotebookDocument: events.closeNotebook.event,
    fs: {
      async readDirectory(uri: StubUri) {
        return readdirSync(uri.fsPath, { withFileTypes: true }).map((e) => [e.name, e.isDirectory() ? 2 : 1]);
      },
      async readFile(uri: StubUri) {
        stubState.opened.push({ kind: 'readFile', uri: uri.toString() });
        return new Uint8Array(readFileSync(uri.fsPath));
      },
      async writeFile(uri: StubUri, bytes: Uint8Array) {
        stubState.written.set(uri.toString(), bytes);
      },
    },
  },
  window: {
    activeTextEditor: undefined,
    visibleTextEditors: [],
    visibleNotebookEditors: [],
    onDidChangeVisibleTextEditors: events.visibleEditors.event,
    onDidChangeVisibleNotebookEditors: events.visibleNotebooks.event,
    async showInputBox(o: { value?: string; prompt?: string; validateInput?: (t: string) => string | undefined }) {
      stubState.inputBoxPrompts.push({ value: o.value, prompt: o.prompt });
      const a = stubState.inputBoxAnswers.shift();
      if (a !== undefined && o.validateInput?.(a)) return undefined;
      return a;
    },
    async showQuickPick(items: (string | { label: string })[]) {
      const labels = items.map((i) => (typeof i === 'string' ? i : i.label));
      stubState.quickPicks.push(labels);
      const answer = stubState.quickPickAnswers.shift();
      const at = answer === undefined ? -1 : labels.indexOf(answer);
      return at < 0 ? undefined : items[at];
    },
    async showSaveDialog() {
      return stubState.saveDialogAnswers.shift();
    },
    async showTextDocument(docOrUri: StubDoc | StubUri) {
      const uri = 'getText' in docOrUri ? docOrUri.uri : docOrUri;
      stubState.opened.push({ kind: 'showTextDocument', uri: uri.toString() });
      return { revealRange() {} };
    },
    async showNotebookDocument(nb: { uri: StubUri }) {
      stubState.opened.push({ kind: 'showNotebookDocument', uri: nb.uri.toString() });
    },
    createWebviewPanel(viewType: string, title: string, show: { viewColumn: number }) {
      // Beside the active editor (column 1) is column 2 when nothing else is open.
      const panel = new StubPanel(viewType, title, show.viewColumn === -2 ? 2 : show.viewColumn);
      stubState.panels.push(panel);
      return panel;
    },
    setStatusBarMessage(text: string) {
      stubState.statusMessages.push(text);
      return disposable;
    },
    async withProgress<R>(o: { location: number; title?: string }, task: (p: { report(v: { message?: string }): void }, token: unknown) => Promise<R>) {
      const notice: StubNotice = { title: o.title, closed: false };
      stubState.notices.push(notice);
      const token = { isCancellationRequested: false, onCancellationRequested: () => disposable };
      const r = await task({ report: (v) => void (v.message !== undefined && (notice.message = v.message)) }, token);
      notice.closed = true;
      return r;
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
