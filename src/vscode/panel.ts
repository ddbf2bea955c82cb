/**
 * The one graph panel: created beside the editor or revealed, restored after a reload by the serializer,
 * HTML set once, every update a typed message. It follows its source text as the document changes and
 * re-traces (debounced) unless pinned.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { FromWebview, GraphPayload, ToWebview, WebviewState } from '../protocol';
import { webviewHtml } from '../host/webview-html';
import { readSettings } from './settings';
import { adjustRange, type Segment } from './text/compose';
import type { TextLang } from './text/scan';
import { spanToDoc, traceTarget, type TraceDeps, type TraceOutcome } from './tracer';

export const VIEW_TYPE = 'backpropGraph';
const SOURCE_KEY = 'backpropGraph.panelSource';
const LIVE_DELAY_MS = 300;

/** What the panel shows, kept so it can re-trace, reveal spans and be restored. */
export interface PanelSource {
  uri: string;
  start: number;
  end: number;
  lang?: TextLang;
}

export interface PanelDeps extends TraceDeps {
  extensionUri: vscode.Uri;
}

export class GraphPanel {
  static current: GraphPanel | undefined;

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

  static createOrShow(deps: PanelDeps): GraphPanel {
    if (GraphPanel.current) {
      GraphPanel.current.panel.reveal(GraphPanel.current.panel.viewColumn ?? vscode.ViewColumn.Beside, true);
      return GraphPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'Backprop Graph', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(deps.extensionUri, 'media')],
    });
    GraphPanel.current = new GraphPanel(panel, deps);
    return GraphPanel.current;
  }

  /** After a reload: the webview restores its last picture from its own state; we re-attach to the source. */
  static revive(panel: vscode.WebviewPanel, deps: PanelDeps, state: WebviewState | undefined): GraphPanel {
    GraphPanel.current?.dispose();
    const p = new GraphPanel(panel, deps, state);
    GraphPanel.current = p;
    if (state?.payload) {
      p.payload = state.payload;
      p.pinned = state.payload.pinned;
      p.version = state.payload.version;
    }
    const source = deps.state.get<PanelSource>(SOURCE_KEY);
    if (source && typeof source.uri === 'string') {
      p.source = source;
      // Fresh numbers if the source is still there; otherwise the restored picture stays as it was.
      if (!p.pinned) void p.retrace(false, { keepOnFailure: true });
    }
    return p;
  }

  private constructor(readonly panel: vscode.WebviewPanel, private readonly deps: PanelDeps, initialState?: WebviewState) {
    const webview = panel.webview;
    webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(deps.extensionUri, 'media')] };
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'icon.png');
    const media = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(deps.extensionUri, 'media', 'dist', file)).toString();
    webview.html = webviewHtml({
      cspSource: webview.cspSource,
      nonce: randomBytes(16).toString('base64'),
      scriptUri: media('webview.js'),
      styleUri: media('webview.css'),
      initialState,
    });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      webview.onDidReceiveMessage((m: FromWebview) => this.onMessage(m)),
      vscode.workspace.onDidChangeTextDocument((e) => this.onDocumentChange(e)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('backpropGraph') && this.source && !this.pinned) this.scheduleRetrace(0);
      }),
    );
    void vscode.commands.executeCommand('setContext', 'backpropGraph.panelOpen', true);
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
    await this.deps.state.update(SOURCE_KEY, source);
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
        this.payload = outcome.payload;
        this.segments = outcome.segments;
        this.post({ kind: 'graph', payload: outcome.payload });
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
    if (!source || e.document.uri.toString() !== source.uri || e.contentChanges.length === 0) return;
    const moved = adjustRange(source, e.contentChanges);
    this.source = { ...source, ...moved };
    void this.deps.state.update(SOURCE_KEY, this.source);
    if (!this.pinned && readSettings(e.document.uri).liveUpdate) this.scheduleRetrace(LIVE_DELAY_MS);
  }

  setPinned(pinned: boolean): void {
    this.pinned = pinned;
    if (this.payload) this.payload = { ...this.payload, pinned };
    this.post({ kind: 'pinned', pinned });
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
      void vscode.window.showErrorMessage(`Backprop Graph: ${e instanceof Error ? e.message : String(e)}`);
    }
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
      ? Buffer.from(data, 'utf8')
      : Buffer.from(data.replace(/^data:image\/png;base64,/, ''), 'base64');
    await vscode.workspace.fs.writeFile(target, bytes);
    void vscode.window.setStatusBarMessage(`Backprop Graph: saved ${target.fsPath || target.toString()}`, 4000);
  }

  private disposed = false;

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (GraphPanel.current === this) {
      GraphPanel.current = undefined;
      void vscode.commands.executeCommand('setContext', 'backpropGraph.panelOpen', false);
    }
    if (this.timer) clearTimeout(this.timer);
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}

export class GraphPanelSerializer implements vscode.WebviewPanelSerializer<WebviewState> {
  constructor(private readonly deps: PanelDeps) {}

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: WebviewState | undefined): Promise<void> {
    GraphPanel.revive(panel, this.deps, state);
  }
}
