/**
 * Graph panels: several can be open, so a pinned graph stays beside a new one. Each is created beside the
 * editor (or the rightmost panel), restored after a reload by the serializer, its HTML set once, every update
 * a typed message. A panel follows its source text as the document changes and re-traces (debounced) unless
 * pinned. Each panel's source is stored under the panel's own id.
 */
import * as vscode from 'vscode';
import { revivedState, type FromWebview, type GraphPayload, type ToWebview, type WebviewState } from '../protocol';
import { shortTitle } from '../host/payload';
import { webviewHtml } from '../host/webview-html';
import type { Notice } from './notice';
import { readSettings } from './settings';
import { adjustRange, type Segment } from './text/compose';
import type { TextLang } from './text/scan';
import { isEarlierCell, spanToDoc, traceTarget, type TraceDeps, type TraceOutcome } from './tracer';

export const VIEW_TYPE = 'backpropGraph';
/** Each panel's source, keyed by the panel's id (which the panel's webview state carries across reloads). */
const SOURCES_KEY = 'backpropGraph.panelSources';
/** Before panels had ids: one source for the one panel. Read once when a panel without an id is restored. */
const LEGACY_SOURCE_KEY = 'backpropGraph.panelSource';
/** Sources of closed panels are not deleted when they close (a window reload also closes them): the oldest go. */
const KEEP_SOURCES = 20;
const LIVE_DELAY_MS = 300;
const TITLE_CHARS = 28;

/** What the panel shows, kept so it can re-trace, reveal spans and be restored. */
export interface PanelSource {
  uri: string;
  start: number;
  end: number;
  lang?: TextLang;
}

interface StoredSource extends PanelSource {
  savedAt: number;
  /** Kept here too: the webview's saved payload keeps the pin state it was drawn with. */
  pinned?: boolean;
}

export interface PanelDeps extends TraceDeps {
  extensionUri: vscode.Uri;
  /** The one notification for messages no visible panel shows. */
  notice: Notice;
}

function storedSources(state: vscode.Memento): Record<string, StoredSource> {
  const all = state.get<Record<string, StoredSource>>(SOURCES_KEY);
  return all && typeof all === 'object' ? all : {};
}

function isSource(v: unknown): v is PanelSource {
  const s = v as PanelSource | undefined;
  return !!s && typeof s.uri === 'string' && typeof s.start === 'number' && typeof s.end === 'number';
}

async function storeSource(state: vscode.Memento, panelId: string, source: PanelSource, pinned: boolean): Promise<void> {
  const all = { ...storedSources(state), [panelId]: { ...source, pinned, savedAt: Date.now() } };
  const newestFirst = Object.keys(all).sort((a, b) => all[b].savedAt - all[a].savedAt);
  for (const old of newestFirst.slice(KEEP_SOURCES)) delete all[old];
  await state.update(SOURCES_KEY, all);
}

/** Web Crypto, not node:crypto: the same code runs in the Node and the web worker extension hosts. */
function randomBytes(count: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(count));
}
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const newPanelId = () => hex(randomBytes(8));
const validPanelId = (v: unknown) => (typeof v === 'string' && /^[0-9a-f]{16}$/.test(v) ? v : undefined);

/** The tab says what the panel shows and whether it is pinned. */
export function panelTitle(payload: GraphPayload | undefined, pinned: boolean): string {
  if (!payload) return 'Backprop Graph';
  return `${pinned ? 'Pinned' : 'Graph'}: ${shortTitle(payload.title, TITLE_CHARS)}`;
}

export class GraphPanel {
  /** Open panels, least recently active first. */
  private static readonly open: GraphPanel[] = [];

  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private queued: ToWebview | undefined;
  private source: PanelSource | undefined;
  private segments: Segment[] | undefined;
  private payload: GraphPayload | undefined;
  private pinned = false;
  private version = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private tracing = Promise.resolve();

  static get panels(): readonly GraphPanel[] {
    return GraphPanel.open;
  }

  /** The panel commands like Toggle Pin act on: the active one, else the one active last. */
  static get target(): GraphPanel | undefined {
    return GraphPanel.open.find((p) => p.panel.active) ?? GraphPanel.open.at(-1);
  }

  /**
   * The panel a new Show goes to: an unpinned one (the one active last), revealed; otherwise (none open, or
   * all pinned) a new one, in the editor group right of the rightmost panel, so pinned graphs stay in view.
   */
  static forShow(deps: PanelDeps): GraphPanel {
    const reusable = [...GraphPanel.open].reverse().find((p) => !p.pinned);
    if (reusable) {
      reusable.panel.reveal(reusable.panel.viewColumn ?? vscode.ViewColumn.Beside, true);
      return reusable;
    }
    const columns = GraphPanel.open.map((p) => p.panel.viewColumn).filter((c): c is number => typeof c === 'number' && c > 0);
    const viewColumn = columns.length ? Math.min(Math.max(...columns) + 1, vscode.ViewColumn.Nine) : vscode.ViewColumn.Beside;
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, panelTitle(undefined, false), { viewColumn, preserveFocus: true }, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(deps.extensionUri, 'media')],
    });
    return new GraphPanel(panel, deps, newPanelId());
  }

  /** After a reload: the webview restores its last picture from its own state; we re-attach to the source. */
  static revive(panel: vscode.WebviewPanel, deps: PanelDeps, state: WebviewState | undefined): GraphPanel {
    const knownId = validPanelId(state?.panelId) ?? validPanelId(state?.payload?.panelId);
    const p = new GraphPanel(panel, deps, knownId ?? newPanelId(), state);
    if (state?.payload) {
      p.payload = { ...state.payload, panelId: p.id };
      p.pinned = state.payload.pinned;
      p.version = state.payload.version;
      p.updateTitle();
    }
    const source = knownId ? storedSources(deps.state)[knownId] : deps.state.get<PanelSource>(LEGACY_SOURCE_KEY);
    if (isSource(source)) {
      p.source = { uri: source.uri, start: source.start, end: source.end, lang: source.lang };
      if (typeof (source as StoredSource).pinned === 'boolean') p.pinned = (source as StoredSource).pinned!;
      if (p.payload) p.payload = { ...p.payload, pinned: p.pinned };
      // The page gets this payload (pin state included) when it says it is ready.
      p.updateTitle();
      if (!knownId) void storeSource(deps.state, p.id, p.source, p.pinned);
      // Fresh numbers if the source is still there; otherwise the restored picture stays as it was.
      if (!p.pinned) void p.retrace(false, { keepOnFailure: true });
    } else if (!p.payload) {
      // Nothing to restore (the panel only ever showed a message): say so rather than "Loading" forever.
      p.post({ kind: 'error', message: 'This panel had no graph to restore after the reload: select an expression and run Show Backprop Graph.' });
    }
    return p;
  }

  private constructor(readonly panel: vscode.WebviewPanel, private readonly deps: PanelDeps, readonly id: string, initialState?: WebviewState) {
    const webview = panel.webview;
    webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(deps.extensionUri, 'media')] };
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'icon.png');
    const media = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(deps.extensionUri, 'media', 'dist', file)).toString();
    webview.html = webviewHtml({
      cspSource: webview.cspSource,
      nonce: base64(randomBytes(16)),
      scriptUri: media('webview.js'),
      styleUri: media('webview.css'),
      initialState: { ...initialState, panelId: id },
    });
    GraphPanel.open.push(this);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState((e) => {
        if (e.webviewPanel.active) GraphPanel.touch(this);
      }),
      webview.onDidReceiveMessage((m: FromWebview) => this.onMessage(m)),
      vscode.workspace.onDidChangeTextDocument((e) => this.onDocumentChange(e)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('backpropGraph') && this.source && !this.pinned) this.scheduleRetrace(0);
      }),
    );
    GraphPanel.updateContext();
  }

  /** Marks `panel` as the one active last. */
  private static touch(panel: GraphPanel): void {
    const at = GraphPanel.open.indexOf(panel);
    if (at < 0 || at === GraphPanel.open.length - 1) return;
    GraphPanel.open.splice(at, 1);
    GraphPanel.open.push(panel);
  }

  private static updateContext(): void {
    // Can fail while the extension host shuts down; the context key then no longer matters.
    vscode.commands.executeCommand('setContext', 'backpropGraph.panelOpen', GraphPanel.open.length > 0).then(undefined, () => undefined);
  }

  /** True while the panel is on screen (its message would be seen there). */
  get visible(): boolean {
    return !this.disposed && this.panel.visible;
  }

  get isPinned(): boolean {
    return this.pinned;
  }

  get mermaid(): string | undefined {
    return this.payload?.mermaid;
  }

  get currentPayload(): GraphPayload | undefined {
    return this.payload;
  }

  /** Shows a trace of `source`, asking for values when `interactive`. Returns the outcome for the caller. */
  async showSource(source: PanelSource, interactive: boolean): Promise<TraceOutcome> {
    this.source = source;
    await storeSource(this.deps.state, this.id, source, this.pinned);
    this.post({ kind: 'loading', title: undefined });
    return this.retrace(interactive);
  }

  private async retrace(interactive: boolean, options: { keepOnFailure?: boolean } = {}): Promise<TraceOutcome> {
    const source = this.source;
    if (!source) return { ok: false, message: 'nothing to show' };
    const run = async (): Promise<TraceOutcome> => {
      const outcome = await traceTarget(
        { uri: vscode.Uri.parse(source.uri), start: source.start, end: source.end, lang: source.lang },
        { interactive, pinned: this.pinned, version: ++this.version },
        this.deps,
      );
      if (this.disposed || source !== this.source) return outcome;
      if (outcome.ok) {
        // The id rides in the payload too, so the webview's saved state carries it whatever else it keeps.
        this.payload = { ...outcome.payload, panelId: this.id };
        this.segments = outcome.segments;
        this.updateTitle();
        this.post({ kind: 'graph', payload: this.payload });
      } else if ((outcome.cancelled || options.keepOnFailure) && this.payload) {
        if (!outcome.cancelled) this.deps.log.info(`restored graph kept: ${outcome.message}`);
        this.post({ kind: 'graph', payload: this.payload });
      } else {
        this.post({ kind: 'error', message: outcome.message, where: outcome.where });
      }
      return outcome;
    };
    // One trace at a time, in order: a slow trace never overwrites a newer one.
    const next = this.tracing.then(run, run);
    this.tracing = next.then(() => undefined, () => undefined);
    return next;
  }

  private scheduleRetrace(delay: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.retrace(false);
    }, delay);
  }

  private onDocumentChange(e: vscode.TextDocumentChangeEvent): void {
    const source = this.source;
    if (!source || e.contentChanges.length === 0) return;
    if (e.document.uri.toString() !== source.uri) {
      // A cell above the traced one: the value it gives (x = 2 in cell 3) may be one this graph uses.
      if (!this.pinned && readSettings(e.document.uri).liveUpdate && isEarlierCell(e.document, source.uri)) this.scheduleRetrace(LIVE_DELAY_MS);
      return;
    }
    const moved = adjustRange(source, e.contentChanges);
    this.source = { ...source, ...moved };
    void storeSource(this.deps.state, this.id, this.source, this.pinned);
    if (!this.pinned && readSettings(e.document.uri).liveUpdate) this.scheduleRetrace(LIVE_DELAY_MS);
  }

  setPinned(pinned: boolean): void {
    this.pinned = pinned;
    if (this.payload) this.payload = { ...this.payload, pinned };
    this.updateTitle();
    this.post({ kind: 'pinned', pinned });
    if (this.source) void storeSource(this.deps.state, this.id, this.source, pinned);
    // Unpinning catches up with edits made while pinned.
    if (!pinned && this.source) this.scheduleRetrace(0);
  }

  private post(message: ToWebview): void {
    if (!this.ready) {
      // Until the page says it is ready only the latest message matters (loading < graph/error).
      if (message.kind === 'pinned' && this.queued?.kind === 'graph') {
        this.queued = { kind: 'graph', payload: { ...this.queued.payload, pinned: message.pinned } };
      } else this.queued = message;
      return;
    }
    void this.panel.webview.postMessage(message);
  }

  private async onMessage(m: FromWebview): Promise<void> {
    try {
      switch (m?.kind) {
        case 'ready':
          this.ready = true;
          if (this.queued) {
            const q = this.queued;
            this.queued = undefined;
            this.post(q);
          } else if (this.payload) this.post({ kind: 'graph', payload: this.payload });
          return;
        case 'reveal':
          return await this.reveal(m.span);
        case 'copyMermaid':
          await vscode.env.clipboard.writeText(typeof m.text === 'string' ? m.text : (this.payload?.mermaid ?? ''));
          void vscode.window.setStatusBarMessage('Backprop Graph: Mermaid source copied', 3000);
          return;
        case 'save':
          return await this.save(m.format, m.data);
        case 'setPinned':
          return this.setPinned(!!m.pinned);
        case 'renderError':
          this.deps.log.warn(`webview could not render: ${m.message}`);
          return;
        default:
          this.deps.log.warn(`unknown message from the webview: ${JSON.stringify(m).slice(0, 200)}`);
      }
    } catch (e) {
      this.deps.log.error('handling a webview message failed', e instanceof Error ? e.message : String(e));
      this.deps.notice.show(e instanceof Error ? e.message : String(e));
    }
  }

  private updateTitle(): void {
    this.panel.title = panelTitle(this.payload, this.pinned);
  }

  /** Selects a node's source text: span offsets are into the traced text, mapped back into the document. */
  private async reveal(span: { start: number; end: number } | undefined): Promise<void> {
    if (!this.source || !span || typeof span.start !== 'number' || typeof span.end !== 'number') return;
    const uri = vscode.Uri.parse(this.source.uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    const range = spanToDoc(span, this.segments, this.source.start);
    const selection = new vscode.Selection(doc.positionAt(range.start), doc.positionAt(range.end));
    const visible = vscode.window.visibleTextEditors.find((ed) => ed.document.uri.toString() === this.source!.uri);
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, preserveFocus: false, selection });
    editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private async save(format: 'svg' | 'png', data: string): Promise<void> {
    if ((format !== 'svg' && format !== 'png') || typeof data !== 'string') return;
    const base = this.source ? vscode.Uri.parse(this.source.uri) : undefined;
    const folder = base && base.scheme !== 'untitled' ? vscode.Uri.joinPath(base, '..') : vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, `backprop-graph.${format}`) : undefined,
      filters: format === 'svg' ? { 'SVG image': ['svg'] } : { 'PNG image': ['png'] },
      title: `Save the graph as ${format.toUpperCase()}`,
    });
    if (!target) return;
    const bytes = format === 'svg'
      ? new TextEncoder().encode(data)
      : Uint8Array.from(atob(data.replace(/^data:image\/png;base64,/, '')), (ch) => ch.charCodeAt(0));
    await vscode.workspace.fs.writeFile(target, bytes);
    void vscode.window.setStatusBarMessage(`Backprop Graph: saved ${target.fsPath || target.toString()}`, 4000);
  }

  private disposed = false;

  /** Closes the panel (its tab goes). */
  dispose(): void {
    if (this.disposed) return;
    this.detach();
    this.panel.dispose();
  }

  /**
   * Stops listening without closing the tab: when the extension shuts down (a window reload among others) the
   * panel must stay for VS Code to restore it.
   */
  detach(): void {
    if (this.disposed) return;
    this.disposed = true;
    const at = GraphPanel.open.indexOf(this);
    if (at >= 0) GraphPanel.open.splice(at, 1);
    GraphPanel.updateContext();
    if (this.timer) clearTimeout(this.timer);
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }

  /** Extension shutdown: every panel stops listening; the tabs stay. */
  static detachAll(): void {
    for (const p of [...GraphPanel.open]) p.detach();
  }
}

export class GraphPanelSerializer implements vscode.WebviewPanelSerializer<WebviewState> {
  constructor(private readonly deps: PanelDeps) {}

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: WebviewState | undefined): Promise<void> {
    GraphPanel.revive(panel, this.deps, revivedState(state) as WebviewState | undefined);
  }
}
