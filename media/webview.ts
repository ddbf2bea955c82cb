/**
 * The graph webview's entry: receives validated messages (src/protocol.ts, media/validate.ts), decides what
 * to draw and when to fit, and wires the controls. Drawing, labels, stepping, export, the side panel, the
 * overview and the theme are modules of their own. Everything user-derived reaches the DOM as text.
 */
import './webview.css';
import { revivedState, reviveNumbers, storableState, type FromWebview, type GraphPayload, type GroupChoice, type WebviewState } from '../src/protocol';
import { byId, el } from './dom';
import { Controls } from './controls';
import { outputCentre, showSvg, type Drawn, type DrawnBase, type GraphView } from './drawing';
import { pngDataUrl, svgFileText } from './export';
import { labelsOverflow, writeCompleteLabels } from './labels';
import { applyMagnitudes, markSelectedTensor, markTensorMagnitudes } from './marks';
import { Overview, READING_SCALE } from './overview';
import { PanZoom, type View } from './panzoom';
import { planDrawing, scopesKey, type Plan } from './plan';
import { MAX_EDGES, MAX_TEXT, renderHost, renderSvg, SvgCache, warmUp } from './render';
import { renderSide } from './side';
import { readSource } from './source';
import { Stepper } from './stepper';
import { classDefs, FONT_SIZE, themeFromBody, type ThemeName } from './theme';
import { checkMessage, checkState, STATE_VERSION } from './validate';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): unknown;
  setState(state: WebviewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** On-screen label size (px) below which the zoom readout says how to read the graph. */
const LEGIBLE_PX = 12;

type Phase = { kind: 'loading' } | { kind: 'error'; message: string; where?: string } | { kind: 'data' };

const warn = (what: string) => console.warn(`Backprop Graph webview: ${what}`);

class GraphWebview {
  private readonly vscode = acquireVsCodeApi();
  private readonly area = byId('diagram-area');
  private readonly diagram = byId('diagram');
  private readonly message = byId('message');
  private readonly side = byId('side');
  private readonly title = byId('title');
  private readonly panzoom: PanZoom;
  private readonly overview: Overview;
  private readonly stepper: Stepper;
  private readonly cache = new SvgCache();
  private readonly controls: Controls;

  private drawn: Drawn | undefined;
  private latest: GraphPayload | undefined;
  /** Which drawing is on screen (view, direction, labels blanked): a new one is fitted and not stepped. */
  private structure = '';
  /** A view restored from saved state, applied if the first drawing is the one it was saved for. */
  private restoredView: { view: View; structure: string } | undefined;
  private expandIds: string[] = [];
  /** The groups the user collapsed and opened, for the payload's groups (`key`); unset: the payload's defaults. */
  private groups: GroupChoice | undefined;
  private pinned = false;
  /** The user's choice between the two views; unset means the tensor view whenever the payload has one. */
  private chosenView: GraphView | undefined;
  private selectedTensor: string | undefined;
  /** Which VS Code panel this page is (kept in the state so the extension finds its source after a reload). */
  private panelId: string | undefined;
  private receivedAt = 0;
  private renderCount = 0;
  private rendering = false;
  private dirty = false;

  constructor() {
    this.panzoom = new PanZoom(this.area, byId('viewport'), () => this.onViewChange(), () => this.panzoom.fit());
    this.overview = new Overview(this.area, this.panzoom);
    this.stepper = new Stepper(() => this.drawn, byId('step-status'));
    this.controls = new Controls(this.title, (view) => this.setGraphView(view));
    const saved = this.readInitialState();
    this.chosenView = saved?.graphView;
    this.panelId = saved?.panelId ?? saved?.payload?.panelId;
    this.groups = saved?.groups;
    if (saved?.view && saved.structure) this.restoredView = { view: saved.view, structure: saved.structure };
    this.wire();
    this.setPhase({ kind: 'loading' });
    this.updateControls();
    if (saved?.payload) {
      this.latest = saved.payload;
      this.setPinned(saved.payload.pinned);
      this.requestDraw();
    } else {
      void this.warmUp();
    }
    this.post({ kind: 'ready' });
  }

  // ------------------------------------------------------------------------------------------ state, messages

  private readInitialState(): WebviewState | undefined {
    let raw: unknown = revivedState(this.vscode.getState());
    if (raw === undefined || raw === null) {
      const text = document.getElementById('bp-initial-state')?.textContent;
      if (!text) return undefined;
      try {
        raw = JSON.parse(text, reviveNumbers);
      } catch {
        warn('ignored the initial state: not JSON');
        return undefined;
      }
    }
    const checked = checkState(raw);
    if (!checked.ok) {
      warn(`ignored the saved state (${checked.reason})`);
      return undefined;
    }
    return checked.value;
  }

  private saveState(): void {
    this.vscode.setState(storableState({
      stateVersion: STATE_VERSION,
      ...(this.panelId ? { panelId: this.panelId } : {}),
      payload: this.latest,
      ...(this.drawn ? { view: this.panzoom.view, structure: this.structure } : {}),
      ...(this.chosenView ? { graphView: this.chosenView } : {}),
      ...(this.groups ? { groups: this.groups } : {}),
    }) as WebviewState);
  }

  private post(m: FromWebview): void {
    this.vscode.postMessage(m);
  }

  private onMessage(data: unknown): void {
    const checked = checkMessage(data);
    if (!checked.ok) return warn(`ignored a message (${checked.reason})`);
    const m = checked.value;
    switch (m.kind) {
      case 'loading':
        this.setPhase({ kind: 'loading' }, m.title);
        break;
      case 'error':
        this.setPhase({ kind: 'error', message: m.message, where: m.where });
        break;
      case 'graph':
        if (this.latest && m.payload.version < this.latest.version) return warn(`ignored graph version ${m.payload.version} (showing ${this.latest.version})`);
        this.receivedAt = performance.now();
        if (this.latest && m.payload.title !== this.latest.title) this.expandIds = [];
        // Same groups (same calls and loops): the user's collapsed and opened groups stay as they were.
        if (this.groups && this.groups.key !== scopesKey(m.payload.graph)) this.groups = undefined;
        this.latest = m.payload;
        this.panelId = m.payload.panelId ?? this.panelId;
        this.setPinned(m.payload.pinned);
        this.updateControls();
        this.saveState();
        this.requestDraw();
        break;
      case 'pinned':
        this.setPinned(m.pinned);
        break;
    }
  }

  private setPhase(next: Phase, loadingTitle?: string): void {
    document.body.dataset.phase = next.kind;
    this.message.replaceChildren();
    if (next.kind === 'loading') {
      this.message.append(el('p', 'loading', loadingTitle ? `Computing ${loadingTitle}…` : 'Computing…'));
    } else if (next.kind === 'error') {
      const box = el('div', 'error-box');
      box.setAttribute('role', 'alert');
      box.append(el('strong', '', 'Cannot show this graph'), el('p', 'error-text', next.message));
      if (next.where) box.append(el('p', 'error-where', `at ${next.where}`));
      this.message.append(box);
    }
    // An error or loading message keeps the last good graph underneath, dimmed.
    this.diagram.classList.toggle('stale', next.kind !== 'data' && !!this.drawn);
  }

  private setPinned(value: boolean): void {
    this.pinned = value;
    const b = byId('btn-pin');
    b.setAttribute('aria-pressed', String(value));
    b.textContent = value ? 'Pinned' : 'Pin';
  }

  // ------------------------------------------------------------------------------------------ what to draw

  private viewFor(p: GraphPayload | undefined): GraphView {
    return p?.tensor ? (this.chosenView ?? 'tensor') : 'scalar';
  }

  private plan(payload: GraphPayload): Plan {
    const current = this.drawn && this.drawn.payload.title === payload.title ? this.drawn.direction : undefined;
    const groups = this.groups && this.groups.key === scopesKey(payload.graph) ? this.groups : undefined;
    return planDrawing(payload, { view: this.viewFor(payload), expandIds: this.expandIds, area: { width: this.area.clientWidth, height: this.area.clientHeight }, current, groups });
  }

  // ------------------------------------------------------------------------------------------ drawing

  /** Draws `latest` once per request; requests during a draw coalesce into one more draw of the newest payload. */
  private requestDraw(): void {
    this.dirty = true;
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.rendering) return;
    this.rendering = true;
    try {
      while (this.dirty && this.latest) {
        this.dirty = false;
        await this.draw(this.latest);
      }
    } finally {
      this.rendering = false;
    }
  }

  private async draw(payload: GraphPayload): Promise<void> {
    const started = this.receivedAt || performance.now();
    const theme = themeFromBody(document.body);
    const { graph, source, direction, summary, collapsed, tensor, collapsedScopes } = this.plan(payload);
    const graphView: GraphView = tensor ? 'tensor' : 'scalar';
    const info = readSource(source);
    if (info.edges.length > MAX_EDGES || source.length > MAX_TEXT) {
      this.setPhase({ kind: 'error', message: `This graph is too large to draw (${info.nodeCount} nodes, ${info.edges.length} edges) even when summarized. Select a smaller expression.` });
      this.post({ kind: 'renderError', message: 'graph too large after summarizing' });
      return;
    }
    const structure = `${graphView}\n${info.structureKey}`;
    const cacheKey = `${theme}\n${structure}`;
    const base: DrawnBase = { payload, graph, source, info, theme, direction, summary, collapsedIds: collapsed, collapsedScopes, tensor };
    const sameStructure = structure === this.structure;
    let mode: 'full' | 'inplace' | 'cached' = 'full';
    let next: Drawn | undefined;
    if (this.drawn && sameStructure && this.drawn.theme === theme && this.diagram.querySelector('svg')) {
      // Same drawing, new numbers: rewrite the labels; lay out again only if a label no longer fits its box.
      const candidate: Drawn = { ...this.drawn, ...base };
      writeCompleteLabels(candidate);
      if (!labelsOverflow(candidate)) {
        mode = 'inplace';
        next = candidate;
      }
    }
    const cached = mode === 'full' ? this.cache.get(cacheKey) : undefined;
    if (cached !== undefined) {
      // A structure drawn before in this page (switching back to an earlier expression): its drawing again,
      // with this payload's labels; Mermaid runs again only if a label no longer fits its box.
      const candidate = showSvg(this.diagram, cached, base);
      writeCompleteLabels(candidate);
      if (!labelsOverflow(candidate)) {
        mode = 'cached';
        next = candidate;
        this.cache.remember(cacheKey, cached);
      }
    }
    if (mode === 'full') {
      const id = `bp-${++this.renderCount}`;
      let svg: string;
      try {
        // Mermaid measures every label while it builds the drawing: do that in a contained, off-screen host and
        // with the previous drawing out of the layout tree, so each measurement re-lays out only the new SVG.
        this.diagram.style.display = 'none';
        svg = await renderSvg(id, source, theme);
      } catch (e) {
        this.diagram.style.display = '';
        const text = e instanceof Error ? e.message : String(e);
        this.setPhase({ kind: 'error', message: `The diagram could not be drawn: ${text.split('\n')[0]}` });
        this.post({ kind: 'renderError', message: text });
        return;
      }
      next = showSvg(this.diagram, svg, base);
      this.diagram.style.display = '';
      // Labels written and their boxes measured here, as for a cached drawing, so the two are the same.
      writeCompleteLabels(next);
      this.cache.remember(cacheKey, svg);
    }
    if (!next) return;
    const newDrawing = mode !== 'inplace';
    this.drawn = next;
    this.structure = structure;
    this.setPhase({ kind: 'data' });
    if (next.tensor) {
      if (this.selectedTensor && !next.tensor.nodes.some((n) => n.id === this.selectedTensor)) this.selectedTensor = undefined;
      markSelectedTensor(next, this.selectedTensor);
      markTensorMagnitudes(next, next.tensor);
    } else {
      applyMagnitudes(next);
    }
    this.renderSide();
    this.updateControls();
    this.title.textContent = payload.title;
    if (!sameStructure) {
      // A new structure opens complete and fitted: no step, no pan or zoom carried over from another graph.
      this.stepper.forget();
      const restored = this.restoredView;
      if (restored && restored.structure === structure) this.panzoom.set(restored.view);
      else this.panzoom.fit();
    } else {
      this.stepper.redraw();
      if (this.panzoom.fitted) this.panzoom.fit();
      else this.panzoom.set(this.panzoom.view);
    }
    this.restoredView = undefined;
    if (newDrawing) this.overview.setDrawing(next.svg, theme);
    this.overview.sync();
    this.saveState();
    const ms = performance.now() - started;
    this.receivedAt = 0;
    const data = document.body.dataset;
    data.renderMs = ms.toFixed(1);
    data.renderMode = mode;
    data.version = String(payload.version);
    data.theme = theme;
    data.graphView = graphView;
    data.direction = direction;
    window.dispatchEvent(new CustomEvent('bp-rendered', { detail: { ms, mode, version: payload.version } }));
  }

  private onViewChange(): void {
    this.overview?.sync();
    this.showZoomLevel();
    if (this.drawn) this.saveState();
  }

  /** The zoom as a percentage; when labels are too small to read at it, says how to read them. */
  private showZoomLevel(): void {
    const z = byId('zoom-level');
    if (!z) return;
    const scale = this.panzoom.view.scale;
    const small = !!this.drawn && scale * FONT_SIZE < LEGIBLE_PX;
    z.textContent = this.drawn ? `${Math.round(scale * 100)} %` : '';
    z.classList.toggle('small', small);
    z.title = small
      ? 'Labels are small at this zoom: double-click the graph to zoom in where you click, O goes to the output; the overview then shows where you are.'
      : 'Zoom level';
  }

  private renderSide(): void {
    if (!this.drawn) return;
    renderSide(this.side, this.drawn, { selected: this.selectedTensor, select: (id) => this.selectTensor(id) });
  }

  /** After the panel changes size: a new direction if the other one now fits better, else fit again if fitted. */
  private onResize(): void {
    const d = this.drawn;
    if (!d || !this.latest || this.rendering) return;
    // Not while stepping: the step bar itself changes the area's size, and a new layout would end the step.
    if (!this.stepper.active && this.plan(this.latest).direction !== d.direction) {
      this.receivedAt = performance.now();
      this.requestDraw();
      return;
    }
    if (this.panzoom.fitted) this.panzoom.fit();
    else this.overview.sync();
  }

  private async warmUp(): Promise<void> {
    if (this.latest) return;
    this.rendering = true;
    try {
      await warmUp(themeFromBody(document.body));
    } finally {
      renderHost().replaceChildren();
      this.rendering = false;
      if (this.dirty) void this.pump();
    }
  }

  // ------------------------------------------------------------------------------------------ controls

  private updateControls(): void {
    this.controls.update({ hasGraph: !!this.drawn, hasTensor: !!this.latest?.tensor, view: this.viewFor(this.latest), symbolic: this.latest?.graph.symbolic === true });
  }

  private setGraphView(view: GraphView): void {
    if (!this.latest?.tensor || this.viewFor(this.latest) === view) return;
    this.chosenView = view;
    this.stepper.forget();
    this.updateControls();
    this.saveState();
    this.receivedAt = performance.now();
    this.requestDraw();
  }

  private selectTensor(id: string): void {
    this.selectedTensor = id;
    if (!this.drawn?.tensor) return;
    markSelectedTensor(this.drawn, id);
    this.renderSide();
    document.getElementById('tensor-details')?.scrollIntoView({ block: 'nearest' });
  }

  private activateNode(id: string): void {
    const d = this.drawn;
    if (!d) return;
    if (d.tensor) {
      const t = d.tensor.nodes.find((n) => n.id === id);
      if (!t) return;
      if (t.span) this.post({ kind: 'reveal', nodeId: id, span: t.span });
      this.selectTensor(id);
      return;
    }
    const node = d.graph.nodes.find((n) => n.id === id) ?? d.payload.graph.nodes.find((n) => n.id === id);
    if (node?.span) this.post({ kind: 'reveal', nodeId: id, span: node.span });
    if (node?.scopeNode) return this.setGroupCollapsed(node.scopeNode.scope, false);
    if (d.collapsedIds.has(id)) {
      this.expandIds = [...this.expandIds, id];
      this.receivedAt = performance.now();
      this.requestDraw();
    }
  }

  /** Collapses or opens one group (a click on its box, or on its collapsed node) and draws again. */
  private setGroupCollapsed(scope: number, collapse: boolean): void {
    const d = this.drawn;
    if (!d || !this.latest) return;
    const key = scopesKey(this.latest.graph);
    const collapsed = new Set(d.collapsedScopes);
    const opened = new Set(this.groups?.key === key ? this.groups.opened : []);
    if (collapse) {
      collapsed.add(scope);
      opened.delete(scope);
    } else {
      collapsed.delete(scope);
      opened.add(scope);
    }
    this.groups = { key, collapsed: [...collapsed].sort((a, b) => a - b), opened: [...opened].sort((a, b) => a - b) };
    // Nodes opened inside a summary belong to the drawing before this one.
    this.expandIds = [];
    this.saveState();
    this.receivedAt = performance.now();
    this.requestDraw();
  }

  /** The complete graph's SVG file text, whatever the step state. */
  private exportSvg(): string | undefined {
    const d = this.drawn;
    if (!d) return undefined;
    return this.stepper.withCompleteGraph(() => svgFileText(d.svg, d.theme));
  }

  private wire(): void {
    window.addEventListener('message', (event: MessageEvent) => this.onMessage(event.data));
    const nodeFrom = (target: EventTarget | null) => ((target as Element | null)?.closest?.('g.node') as SVGGElement | null)?.dataset.node;
    // A group's box (not a node inside it). A click counts on its title only: double-clicking inside a box zooms.
    const groupFrom = (target: EventTarget | null, titleOnly: boolean) => {
      const t = target as Element | null;
      if (titleOnly && !t?.closest?.('g.cluster-label')) return undefined;
      const scope = (t?.closest?.('g.cluster') as SVGGElement | null)?.dataset.scope;
      return scope === undefined ? undefined : Number(scope);
    };
    this.diagram.addEventListener('click', (e) => {
      if (this.panzoom.dragged) {
        this.panzoom.dragged = false;
        return;
      }
      const id = nodeFrom(e.target);
      if (id) return this.activateNode(id);
      const scope = groupFrom(e.target, true);
      if (scope !== undefined && !this.drawn?.tensor) this.setGroupCollapsed(scope, true);
    });
    this.diagram.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      const id = nodeFrom(e.target);
      const scope = id ? undefined : groupFrom(e.target, false);
      if (!id && scope === undefined) return;
      e.preventDefault();
      if (id) this.activateNode(id);
      else if (scope !== undefined) this.setGroupCollapsed(scope, true);
    });
    // Double-click zooms in where clicked (at least to a readable size); with Shift it zooms out.
    this.area.addEventListener('dblclick', (e) => {
      if (!this.drawn) return;
      const r = this.area.getBoundingClientRect();
      const scale = this.panzoom.view.scale;
      const factor = e.shiftKey ? 0.5 : Math.max(2, READING_SCALE / scale);
      this.panzoom.zoomAt(factor, e.clientX - r.left, e.clientY - r.top);
    });

    byId('btn-fit').addEventListener('click', () => this.panzoom.fit());
    byId('btn-zoom-in').addEventListener('click', () => this.panzoom.zoomCenter(1.25));
    byId('btn-zoom-out').addEventListener('click', () => this.panzoom.zoomCenter(0.8));
    byId('btn-copy').addEventListener('click', () => {
      if (this.drawn) this.post({ kind: 'copyMermaid', text: this.drawn.source + classDefs(this.drawn.theme, this.drawn.source) });
    });
    byId('btn-svg').addEventListener('click', () => {
      const text = this.exportSvg();
      if (text) this.post({ kind: 'save', format: 'svg', data: text });
    });
    byId('btn-png').addEventListener('click', () => {
      const d = this.drawn;
      const text = this.exportSvg();
      if (!d || !text) return;
      void pngDataUrl(text, d.svg.width.baseVal.value, d.svg.height.baseVal.value, d.theme).then(
        (data) => { if (data) this.post({ kind: 'save', format: 'png', data }); },
        (e: unknown) => this.post({ kind: 'renderError', message: `PNG export failed: ${e instanceof Error ? e.message : String(e)}` }),
      );
    });
    byId('btn-pin').addEventListener('click', () => {
      this.setPinned(!this.pinned);
      this.post({ kind: 'setPinned', pinned: this.pinned });
    });
    byId('btn-step').addEventListener('click', () => this.stepper.by(1));
    byId('btn-step-prev').addEventListener('click', () => this.stepper.by(-1));
    byId('btn-play').addEventListener('click', () => this.stepper.togglePlay());
    byId('btn-step-reset').addEventListener('click', () => this.stepper.stop());
    byId('btn-step-mode').addEventListener('click', () => this.stepper.setMode(this.stepper.mode === 'backward' ? 'forward' : 'backward'));
    document.addEventListener('keydown', (e) => {
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA')) return;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === '.') this.stepper.by(1);
      else if (e.key === ',') this.stepper.by(-1);
      else if (e.key === 'p' || e.key === 'P') this.stepper.togglePlay();
      else if (e.key === 'Escape' && this.stepper.active) this.stepper.stop();
      else if ((e.key === 'o' || e.key === 'O') && this.drawn) this.zoomToOutput();
      else if ((e.key === 'v' || e.key === 'V') && this.latest?.tensor) this.setGraphView(this.viewFor(this.latest) === 'tensor' ? 'scalar' : 'tensor');
      else return;
      e.preventDefault();
    });

    // Theme changes arrive as a new body class: draw again with the other palette (the view is kept).
    let lastTheme: ThemeName = themeFromBody(document.body);
    new MutationObserver(() => {
      const theme = themeFromBody(document.body);
      if (theme === lastTheme) return;
      lastTheme = theme;
      if (this.latest) {
        this.receivedAt = performance.now();
        this.requestDraw();
      }
    }).observe(document.body, { attributes: true, attributeFilter: ['class'] });

    let resizeTimer: number | undefined;
    new ResizeObserver(() => {
      window.clearTimeout(resizeTimer);
      resizeTimer = window.setTimeout(() => this.onResize(), 120);
    }).observe(this.area);
  }

  /** The O key: the output node at the centre, at a readable scale at least. */
  private zoomToOutput(): void {
    const centre = this.drawn && outputCentre(this.drawn);
    if (centre) this.panzoom.centreOn(centre, Math.max(this.panzoom.view.scale, READING_SCALE));
  }
}

new GraphWebview();
