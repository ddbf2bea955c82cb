/**
 * The graph webview: receives typed messages (src/protocol.ts), draws the graph with the bundled Mermaid,
 * and lets the user zoom, pan, export, click through to the source and step through both passes.
 * Everything user-derived reaches the DOM as text (textContent), never as markup.
 */
import mermaid from 'mermaid';
import './webview.css';
import type { FromWebview, GraphPayload, ToWebview, WebviewState } from '../src/protocol';
import type { GraphModel } from '../src/engine/graph/graph';
import type { TensorGraph, TensorNode, TensorValue } from '../src/engine/lower/tensor';
import { formatNumber } from '../src/engine/base/format';
import { toMermaid } from '../src/engine/mermaid/mermaid';
import { summarize } from '../src/engine/graph/summarize';
import { PanZoom, type View } from './panzoom';
import { classDefs, EXPORT_BACKGROUND, MERMAID_THEME, readSource, themeFromBody, type SourceInfo, type ThemeName } from './source';
import { stepAt, type StepMode, type StepView } from './steps';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): WebviewState | undefined;
  setState(state: WebviewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const DEFAULT_MAX_NODES = 300;
/** Mermaid's own limits, set explicitly; we count before rendering so they are never hit. */
const MAX_EDGES = 2000;
const MAX_TEXT = 400_000;
/** How many nodes a summary shows: Mermaid's layout here costs seconds beyond a few hundred nodes. */
const SUMMARY_NODES = 150;
const SVG_NS = 'http://www.w3.org/2000/svg';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const area = $('diagram-area');
const viewport = $('viewport');
const diagram = $('diagram');
const message = $('message');
const side = $('side');
const title = $('title');

/** What is on screen: the drawn graph model (possibly summarized) and how its parts map to SVG elements. */
interface Drawn {
  payload: GraphPayload;
  graph: GraphModel;
  source: string;
  info: SourceInfo;
  theme: ThemeName;
  summary?: { shownNodes: number; totalNodes: number; reason: string };
  collapsedIds: Set<string>;
  nodeEls: Map<string, SVGGElement>;
  /** Parallel to graph.edges (undefined when an edge could not be matched). */
  edgePaths: (SVGPathElement | undefined)[];
  edgeLabels: (SVGGElement | undefined)[];
  /** Set in the tensor view: what is drawn is this graph (one node per matrix op), not `graph`. */
  tensor?: TensorGraph;
}

/** Matrix programs have two drawings of one trace: one node per matrix op, or every scalar node. */
type GraphView = 'tensor' | 'scalar';

type Phase = { kind: 'loading' } | { kind: 'error'; message: string; where?: string } | { kind: 'data' };

let phase: Phase = { kind: 'loading' };
let drawn: Drawn | undefined;
let latest: GraphPayload | undefined;
let rendering = false;
let renderCount = 0;
let structureKey = '';
let receivedAt = 0;
let expandIds: string[] = [];
let pinned = false;
let step: { mode: StepMode; index: number } | undefined;
let playTimer: number | undefined;
let stepMode: StepMode = 'backward';
/** Which tensor node's matrices the side panel shows (tensor view). */
let selectedTensor: string | undefined;

const saved = readInitialState();
const panzoom = new PanZoom(area, viewport, (view) => saveState(view), () => panzoom.fit(outputFocus()));
if (saved?.view) panzoom.view = saved.view;
let fitOnNextDraw = !saved?.view;
/** The user's choice between the two views; unset means the tensor view whenever the payload has one. */
let chosenView: GraphView | undefined = saved?.graphView;

function viewFor(p: GraphPayload | undefined): GraphView {
  return p?.tensor ? (chosenView ?? 'tensor') : 'scalar';
}

function readInitialState(): WebviewState | undefined {
  const fromApi = vscode.getState();
  if (fromApi) return fromApi;
  const el = document.getElementById('bp-initial-state');
  if (!el?.textContent) return undefined;
  try {
    return JSON.parse(el.textContent) as WebviewState;
  } catch {
    return undefined;
  }
}

function saveState(view: View = panzoom.view): void {
  vscode.setState({ payload: latest, view, ...(chosenView ? { graphView: chosenView } : {}) });
}

function post(m: FromWebview): void {
  vscode.postMessage(m);
}

// ---------------------------------------------------------------------------------------------- messages

window.addEventListener('message', (event: MessageEvent) => {
  const m = event.data as ToWebview;
  if (!m || typeof m !== 'object' || typeof (m as { kind?: unknown }).kind !== 'string') return;
  switch (m.kind) {
    case 'loading':
      setPhase({ kind: 'loading' }, m.title);
      break;
    case 'error':
      setPhase({ kind: 'error', message: m.message, where: m.where });
      break;
    case 'graph':
      if (latest && m.payload.version < latest.version) return; // stale
      receivedAt = performance.now();
      if (latest && m.payload.title !== latest.title) expandIds = [];
      latest = m.payload;
      setPinned(m.payload.pinned);
      updateViewControls();
      saveState();
      requestDraw();
      break;
    case 'pinned':
      setPinned(m.pinned);
      break;
  }
});

function setPhase(next: Phase, loadingTitle?: string): void {
  phase = next;
  document.body.dataset.phase = next.kind;
  message.replaceChildren();
  if (next.kind === 'loading') {
    message.append(el('p', 'loading', loadingTitle ? `Computing ${loadingTitle}…` : 'Computing…'));
  } else if (next.kind === 'error') {
    const box = el('div', 'error-box');
    box.setAttribute('role', 'alert');
    box.append(el('strong', '', 'Cannot show this graph'), el('p', 'error-text', next.message));
    if (next.where) box.append(el('p', 'error-where', `at ${next.where}`));
    message.append(box);
  }
  // An error or loading message keeps the last good graph underneath, dimmed.
  diagram.classList.toggle('stale', next.kind !== 'data' && !!drawn);
}

function setPinned(value: boolean): void {
  pinned = value;
  const b = $('btn-pin');
  b.setAttribute('aria-pressed', String(value));
  b.textContent = value ? 'Pinned' : 'Pin';
}

// ---------------------------------------------------------------------------------------------- drawing

let initializedTheme: ThemeName | undefined;

function initMermaid(theme: ThemeName): void {
  if (initializedTheme === theme) return;
  initializedTheme = theme;
  mermaid.initialize({
    startOnLoad: false,
    securityLevel: 'strict',
    theme: MERMAID_THEME[theme],
    maxTextSize: MAX_TEXT,
    maxEdges: MAX_EDGES,
    // render() reports a bad source by throwing; drawing Mermaid's error picture first would only cost time.
    suppressErrorRendering: true,
    layout: 'dagre',
    look: 'classic',
    htmlLabels: false,
    fontFamily: 'system-ui, -apple-system, "Segoe UI", Ubuntu, "Helvetica Neue", Arial, sans-serif',
    flowchart: { htmlLabels: false, useMaxWidth: false, wrappingWidth: 2000, nodeSpacing: 28, rankSpacing: 48, padding: 10, curve: 'basis' },
  });
}

/** Decides what to draw for a payload: the payload's source, or a summary when the graph is too big. */
function plan(payload: GraphPayload): { graph: GraphModel; source: string; summary?: Drawn['summary']; collapsed: Set<string>; tensor?: TensorGraph } {
  // A tensor view has one node per matrix op: small enough to draw whole.
  if (viewFor(payload) === 'tensor' && payload.tensor) {
    return { graph: payload.graph, source: payload.tensor.mermaid, collapsed: new Set(), tensor: payload.tensor.graph };
  }
  const maxNodes = payload.maxNodes ?? DEFAULT_MAX_NODES;
  const total = payload.graph.nodes.length;
  const tooBig = total > maxNodes || payload.graph.edges.length > MAX_EDGES || payload.mermaid.length > MAX_TEXT;
  if (!tooBig && !expandIds.length) {
    return { graph: payload.graph, source: payload.mermaid, summary: payload.summarized, collapsed: new Set() };
  }
  const s = summarize(payload.graph, Math.min(maxNodes, SUMMARY_NODES), { expand: expandIds });
  // 'auto' is LR here, like payload.mermaid, until the page picks a direction from its shape.
  const source = toMermaid(s.graph, { direction: payload.direction === 'auto' ? 'LR' : payload.direction, digits: payload.digits });
  const summary = s.collapsed.length
    ? { shownNodes: s.graph.nodes.length, totalNodes: total, reason: `the graph has ${total} nodes (more than ${maxNodes})` }
    : payload.summarized;
  return { graph: s.graph, source, summary, collapsed: new Set(s.collapsed.map((c) => c.id)) };
}

/** Draws `latest` once per request; requests during a draw coalesce into one more draw of the newest payload. */
let dirty = false;
function requestDraw(): void {
  dirty = true;
  void pump();
}

async function pump(): Promise<void> {
  if (rendering) return;
  rendering = true;
  try {
    while (dirty && latest) {
      dirty = false;
      await draw(latest);
    }
  } finally {
    rendering = false;
  }
}

async function draw(payload: GraphPayload): Promise<void> {
  const started = receivedAt || performance.now();
  const theme = themeFromBody(document.body);
  const { graph, source, summary, collapsed, tensor } = plan(payload);
  const graphView: GraphView = tensor ? 'tensor' : 'scalar';
  const info = readSource(source);
  if (info.edges.length > MAX_EDGES || source.length > MAX_TEXT) {
    setPhase({ kind: 'error', message: `This graph is too large to draw (${info.nodeCount} nodes, ${info.edges.length} edges) even when summarized. Select a smaller expression.` });
    post({ kind: 'renderError', message: 'graph too large after summarizing' });
    return;
  }
  const key = `${theme}\n${graphView}\n${info.structureKey}`;
  let mode: 'full' | 'inplace' | 'cached' = 'full';
  if (drawn && key === structureKey && diagram.querySelector('svg')) {
    // Same drawing, new numbers: rewrite the labels; lay out again only if a label no longer fits its box.
    const next: Drawn = { ...drawn, payload, graph, source, info, summary, collapsedIds: collapsed, tensor };
    updateLabelsInPlace(next);
    if (!labelsOverflow(next)) {
      mode = 'inplace';
      drawn = next;
    }
  }
  const cached = mode === 'full' ? svgCache.get(key) : undefined;
  if (cached !== undefined) {
    // A structure drawn before in this page (switching back to an earlier expression): its drawing again,
    // with this payload's labels; Mermaid runs again only if a label no longer fits its box.
    const next = showSvg(cached, { payload, graph, source, info, theme, summary, collapsedIds: collapsed, tensor });
    updateLabelsInPlace(next);
    if (!labelsOverflow(next)) {
      mode = 'cached';
      drawn = next;
      structureKey = key;
      rememberSvg(key, cached);
    }
  }
  if (mode === 'full') {
    const full = source + classDefs(theme);
    initMermaid(theme);
    const id = `bp-${++renderCount}`;
    let svg: string;
    try {
      // Mermaid measures every label while it builds the drawing: do that in a contained, off-screen host and
      // with the previous drawing out of the layout tree, so each measurement re-lays out only the new SVG.
      diagram.style.display = 'none';
      svg = (await mermaid.render(id, full, renderHost())).svg;
    } catch (e) {
      diagram.style.display = '';
      document.getElementById(id)?.remove();
      document.getElementById(`d${id}`)?.remove();
      renderHost().replaceChildren();
      const text = e instanceof Error ? e.message : String(e);
      setPhase({ kind: 'error', message: `The diagram could not be drawn: ${text.split('\n')[0]}` });
      post({ kind: 'renderError', message: text });
      return;
    }
    drawn = showSvg(svg, { payload, graph, source, info, theme, summary, collapsedIds: collapsed, tensor });
    diagram.style.display = '';
    structureKey = key;
    rememberSvg(key, svg);
  }
  if (!drawn) return;
  setPhase({ kind: 'data' });
  if (drawn.tensor) {
    if (selectedTensor && !drawn.tensor.nodes.some((n) => n.id === selectedTensor)) selectedTensor = undefined;
    markSelectedTensor(drawn);
    markTensorMagnitudes(drawn, drawn.tensor);
  } else {
    applyMagnitudes(drawn);
  }
  renderSide(drawn);
  updateViewControls();
  title.textContent = payload.title;
  if (fitOnNextDraw) {
    fitOnNextDraw = false;
    panzoom.fit(outputFocus());
  } else {
    panzoom.set(panzoom.view);
  }
  if (step && drawn.tensor) step = undefined; // stepping walks the scalar graph only
  if (step) {
    step.index = Math.min(step.index, stepAt(graph, step.mode, 0).count - 1);
    showStep();
  }
  const ms = performance.now() - started;
  receivedAt = 0;
  document.body.dataset.renderMs = ms.toFixed(1);
  document.body.dataset.renderMode = mode;
  document.body.dataset.version = String(payload.version);
  document.body.dataset.theme = theme;
  document.body.dataset.graphView = graphView;
  window.dispatchEvent(new CustomEvent('bp-rendered', { detail: { ms, mode, version: payload.version } }));
}

/**
 * Mermaid's SVG text per drawn structure (theme, view and source with the labels blanked), newest last:
 * a few recent drawings, so going back to an expression shown before skips Mermaid's layout.
 */
const svgCache = new Map<string, string>();
const SVG_CACHE_ENTRIES = 8;
const SVG_CACHE_CHARS = 8_000_000;

function rememberSvg(key: string, svg: string): void {
  svgCache.delete(key);
  svgCache.set(key, svg);
  let chars = 0;
  for (const v of svgCache.values()) chars += v.length;
  for (const [k, v] of svgCache) {
    if (svgCache.size <= SVG_CACHE_ENTRIES && chars <= SVG_CACHE_CHARS) break;
    svgCache.delete(k);
    chars -= v.length;
  }
}

/** Puts a Mermaid SVG on the page and links its elements to the graph. */
function showSvg(svg: string, d: Omit<Drawn, 'nodeEls' | 'edgePaths' | 'edgeLabels'>): Drawn {
  diagram.innerHTML = svg; // Mermaid's output, sanitized by it (securityLevel strict); labels are entity-escaped
  const svgEl = diagram.querySelector('svg')!;
  const vb = svgEl.viewBox.baseVal;
  svgEl.removeAttribute('style'); // Mermaid's max-width; the view transform does the sizing
  svgEl.setAttribute('width', String(Math.ceil(vb.width)));
  svgEl.setAttribute('height', String(Math.ceil(vb.height)));
  svgEl.setAttribute('aria-label', `Computational graph of ${d.payload.title}`);
  const next: Drawn = { ...d, nodeEls: new Map(), edgePaths: [], edgeLabels: [] };
  mapElements(next, svgEl);
  return next;
}

/** Centre of the output node in SVG units (what fit() keeps in view when the whole graph is too big). */
function outputFocus(): { x: number; y: number } | undefined {
  const g = drawn?.nodeEls.get(drawn.tensor ? drawn.tensor.output : drawn.graph.output);
  const svg = diagram.querySelector('svg');
  if (!g || !svg) return undefined;
  const m = g.getCTM();
  const root = svg.getCTM();
  if (!m || !root) return undefined;
  const local = root.inverse().multiply(m);
  return { x: local.e, y: local.f };
}

function renderHost(): HTMLElement {
  let host = document.getElementById('render-host');
  if (!host) {
    host = document.createElement('div');
    host.id = 'render-host';
    host.setAttribute('aria-hidden', 'true');
    document.body.append(host);
  }
  return host;
}

/** Links graph nodes and edges to their SVG elements (Mermaid ids: `…-flowchart-n3-12`, edges `L_n0_n2_0`). */
function mapElements(d: Drawn, svg: SVGSVGElement): void {
  // Edge labels above the nodes: the step view writes longer labels that would otherwise hide under a node.
  for (const labels of svg.querySelectorAll('g.edgeLabels')) labels.parentElement?.append(labels);
  for (const g of svg.querySelectorAll<SVGGElement>('g.node')) {
    const m = /-flowchart-(.+)-\d+$/.exec(g.id);
    if (!m) continue;
    d.nodeEls.set(m[1], g);
    g.dataset.node = m[1];
    g.setAttribute('tabindex', '0');
    g.setAttribute('role', 'button');
  }
  const byPair = new Map<string, SVGPathElement[]>();
  for (const p of svg.querySelectorAll<SVGPathElement>('path[data-id]')) {
    const m = /^L_(.+?)_(.+?)_\d+$/.exec(p.dataset.id ?? '');
    if (!m) continue;
    const k = `${m[1]}>${m[2]}`;
    const list = byPair.get(k);
    if (list) list.push(p); else byPair.set(k, [p]);
  }
  const labels = new Map<string, SVGGElement>();
  for (const l of svg.querySelectorAll<SVGGElement>('g.edgeLabel g.label[data-id]')) labels.set(l.dataset.id ?? '', l);
  const used = new Map<string, number>();
  const edges: readonly { from: string; to: string }[] = d.tensor ? d.tensor.edges : d.graph.edges;
  d.edgePaths = edges.map((e) => {
    const k = `${e.from}>${e.to}`;
    const i = used.get(k) ?? 0;
    used.set(k, i + 1);
    return byPair.get(k)?.[i];
  });
  d.edgeLabels = d.edgePaths.map((p) => (p?.dataset.id ? labels.get(p.dataset.id) : undefined));
  d.edgePaths.forEach((p, i) => {
    if (p) p.dataset.edge = String(i);
  });
}

/** Sets a Mermaid SVG text block to these lines (one row tspan per line; Mermaid's word tspans dropped). */
function setTextLines(label: Element | undefined, lines: string[]): void {
  const text = label?.querySelector('text');
  if (!text) return;
  const rows = [...text.querySelectorAll<SVGTSpanElement>(':scope > tspan')];
  lines.forEach((line, i) => {
    let row = rows[i];
    if (!row) {
      row = document.createElementNS(SVG_NS, 'tspan');
      row.setAttribute('class', 'text-outer-tspan row');
      row.setAttribute('x', '0');
      row.setAttribute('y', `${i - 0.1}em`);
      row.setAttribute('dy', '1.1em');
      text.append(row);
    }
    if (row.textContent !== line) row.textContent = line;
  });
  for (let i = lines.length; i < rows.length; i++) rows[i].remove();
}

/**
 * Edge label background rectangles follow their text (new numbers, or the step view's longer labels). All
 * labels are measured before any rectangle is written, so the page lays out once, not once per label.
 */
function fitEdgeLabels(labels: readonly (SVGGElement | undefined)[]): void {
  const boxes = labels.map((label) => (label?.querySelector('text') as SVGTextElement | null)?.getBBox());
  labels.forEach((label, i) => {
    const b = boxes[i];
    const rect = label?.querySelector('rect.background');
    if (!b || !rect) return;
    rect.setAttribute('x', String(b.x - 2));
    rect.setAttribute('width', String(b.width + 4));
  });
}

/** Same drawing, new numbers: rewrite the label texts instead of laying the graph out again. */
function updateLabelsInPlace(d: Drawn): void {
  for (const [id, lines] of d.info.nodeLabels) setTextLines(d.nodeEls.get(id), lines);
  d.info.edges.forEach((e, i) => setTextLines(d.edgeLabels[i], [e.label]));
  fitEdgeLabels(d.edgeLabels);
}

/** True when some node's text is wider than its shape (after an in-place label update). */
function labelsOverflow(d: Drawn): boolean {
  for (const g of d.nodeEls.values()) {
    const text = g.querySelector('text') as SVGTextElement | null;
    const shape = g.querySelector(':scope > rect.label-container, :scope > g.label-container') as SVGGraphicsElement | null;
    if (text && shape && text.getBBox().width > shape.getBBox().width - 8) return true;
  }
  return false;
}

/** Gradient magnitude at a glance: edge width by log|contribution|, vanishing / exploding nodes marked. */
function applyMagnitudes(d: Drawn): void {
  const out = d.graph.nodes.find((n) => n.id === d.graph.output);
  const ref = Math.abs(out?.grad ?? 1) || 1;
  d.graph.edges.forEach((e, i) => {
    const p = d.edgePaths[i];
    if (!p) return;
    const rel = Math.abs(e.product) / ref;
    const lg = rel > 0 && Number.isFinite(rel) ? Math.log10(rel) : rel === 0 ? -12 : 12;
    const width = 0.8 + ((Math.max(-6, Math.min(6, lg)) + 6) / 12) * 5.2;
    p.style.strokeWidth = `${width.toFixed(2)}px`;
    p.classList.toggle('bp-edge-vanish', lg < -6);
    p.classList.toggle('bp-edge-explode', lg > 6 || !Number.isFinite(e.product));
  });
  for (const n of d.graph.nodes) {
    const g = d.nodeEls.get(n.id);
    if (!g) continue;
    for (const m of g.querySelectorAll(':scope > rect.bp-mark-vanish, :scope > rect.bp-mark-explode')) m.remove();
    if (n.kind === 'const') continue;
    const rel = Math.abs(n.grad) / ref;
    const vanish = rel < 1e-6;
    const explode = rel > 1e6 || !Number.isFinite(n.grad);
    g.classList.toggle('bp-vanish', vanish);
    g.classList.toggle('bp-explode', explode);
    if (!vanish && !explode) continue;
    addMark(g, vanish ? 'bp-mark-vanish' : 'bp-mark-explode',
      vanish ? 'vanishing gradient (|grad| < 1e-6 × output grad)' : 'exploding gradient (|grad| > 1e6 × output grad)');
  }
}

/**
 * An outline around a node. Drawn as an extra element because the theme's classDef styles are inline
 * `!important` on the node's own shape, which no stylesheet can override.
 */
function addMark(g: SVGGElement, cls: string, tip: string): void {
  const shape = g.querySelector(':scope > rect.label-container, :scope > g.label-container, :scope > path, :scope > polygon') as SVGGraphicsElement | null;
  const b = (shape ?? g).getBBox();
  const mark = document.createElementNS(SVG_NS, 'rect');
  mark.setAttribute('class', `bp-mark ${cls}`);
  mark.setAttribute('x', String(b.x - 5));
  mark.setAttribute('y', String(b.y - 5));
  mark.setAttribute('width', String(b.width + 10));
  mark.setAttribute('height', String(b.height + 10));
  mark.setAttribute('rx', '8');
  const title = document.createElementNS(SVG_NS, 'title');
  title.textContent = tip;
  mark.append(title);
  g.prepend(mark);
}

// ---------------------------------------------------------------------------------------------- side panel

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls = '', text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The side panel's "Output" section: the traced text and its value (both views). */
function outputSection(p: GraphPayload, fmt: (v: number) => string): HTMLElement {
  const out = el('section', 'output');
  out.append(el('h2', '', 'Output'), el('div', 'expr', p.title));
  const v = el('div', 'value');
  v.append(el('span', 'label', 'value '), el('span', 'num', fmt(p.value)));
  out.append(v);
  return out;
}

function renderSide(d: Drawn): void {
  if (d.tensor) return renderTensorSide(d, d.tensor);
  const p = d.payload;
  const fmt = (v: number) => formatNumber(v, p.digits);
  const parts: HTMLElement[] = [];
  if (d.summary) {
    const note = el('div', 'notice summary-notice');
    note.setAttribute('role', 'note');
    note.append(
      el('strong', '', 'Summarized graph. '),
      document.createTextNode(`Showing ${d.summary.shownNodes} of ${d.summary.totalNodes} nodes: ${d.summary.reason}. Nodes marked “⋯ +N nodes” stand for whole subexpressions (value and gradient are theirs); click one to open it.`),
    );
    parts.push(note);
  }
  parts.push(outputSection(p, fmt));

  const inputs = el('section', 'inputs');
  inputs.append(el('h2', '', 'Inputs'));
  if (!p.inputs.length) inputs.append(el('p', 'muted', 'No free variables: the expression is a constant.'));
  else {
    const table = el('table');
    const head = el('tr');
    for (const h of ['', 'value', 'gradient', 'numeric', '']) head.append(el('th', '', h));
    table.append(head);
    for (const input of p.inputs) {
      const row = el('tr');
      const check = p.check?.find((c) => c.name === input.name);
      row.append(el('th', 'name', input.name), el('td', 'num', fmt(input.value)), el('td', 'num grad', fmt(input.grad)));
      row.append(el('td', 'num numeric', check ? fmt(check.numeric) : '—'));
      const ok = el('td', check ? (check.ok ? 'ok' : 'bad') : 'muted', check ? (check.ok ? '✓' : '✗') : '');
      if (check) ok.title = check.ok ? `matches finite differences (relative error ${check.error.toExponential(1)})` : `differs from finite differences (relative error ${check.error.toExponential(1)})`;
      row.append(ok);
      const src = el('tr', 'source');
      const cell = el('td', 'muted', `from ${input.source}`);
      cell.colSpan = 5;
      src.append(cell);
      table.append(row, src);
    }
    inputs.append(table);
    if (p.checkSkipped) inputs.append(el('p', 'muted', p.checkSkipped));
  }
  parts.push(inputs);

  if (p.symbolic?.length) {
    const sym = el('section', 'symbolic');
    sym.append(el('h2', '', 'Symbolic derivatives'));
    for (const s of p.symbolic) {
      const row = el('div', 'sym');
      if (s.derivative) row.append(el('span', 'label', `∂/∂${s.variable} = `), el('code', '', s.derivative));
      else row.append(el('span', 'label', `∂/∂${s.variable}: `), el('span', 'muted', s.unavailable ?? 'not available'));
      sym.append(row);
    }
    parts.push(sym);
  }

  const warnings = [...p.warnings];
  if (warnings.length) {
    const w = el('section', 'warnings');
    w.append(el('h2', '', 'Warnings'));
    const ul = el('ul');
    for (const text of warnings) ul.append(el('li', '', text));
    w.append(ul);
    parts.push(w);
  }

  const stepBox = el('section', 'step-box');
  stepBox.id = 'step-panel';
  stepBox.append(el('h2', '', 'Step through'));
  const status = el('div', 'step-status');
  status.id = 'step-status';
  status.setAttribute('aria-live', 'polite');
  status.textContent = 'Press Step to walk the backward pass one node at a time (output first), or switch to the forward pass.';
  stepBox.append(status);
  parts.push(stepBox);

  parts.push(legend());
  side.replaceChildren(...parts);
}

function legend(): HTMLElement {
  const box = el('section', 'legend');
  box.append(el('h2', '', 'Legend'));
  const list = el('ul');
  const item = (cls: string, text: string) => {
    const li = el('li');
    li.append(el('span', `swatch ${cls}`), document.createTextNode(text));
    list.append(li);
  };
  item('sw-input', 'input');
  item('sw-op', 'operation');
  item('sw-const', 'constant');
  item('sw-output', 'output');
  item('sw-thin', 'thin edge: small |contribution| (log scale)');
  item('sw-thick', 'thick edge: large |contribution|');
  item('sw-vanish', 'vanishing gradient: |grad| < 1e-6 × output');
  item('sw-explode', 'exploding gradient: |grad| > 1e6 × output');
  box.append(list, el('p', 'muted', 'Edge label ∂: local derivative of the consumer with respect to that input. Two edges between the same nodes (x·x) add up.'));
  return box;
}

// ---------------------------------------------------------------------------------------------- tensor view

/** The view switch lives in the toolbar; built here so the page skeleton (src/host/webview-html.ts) stays as it is. */
const viewSwitch = el('span', 'group view-switch');
viewSwitch.setAttribute('role', 'group');
viewSwitch.setAttribute('aria-label', 'Graph view');
viewSwitch.hidden = true;
const btnTensor = el('button', '', 'Tensor view');
btnTensor.id = 'btn-view-tensor';
btnTensor.type = 'button';
btnTensor.title = 'One node per matrix operation, with its shape; click a node for its value and gradient matrices (V switches)';
const btnScalar = el('button', '', 'Scalar view');
btnScalar.id = 'btn-view-scalar';
btnScalar.type = 'button';
btnScalar.title = 'Every scalar node, as micrograd draws it; stepping and gradient magnitudes work here (V switches)';
viewSwitch.append(btnTensor, btnScalar);
title.after(viewSwitch);
btnTensor.addEventListener('click', () => setGraphView('tensor'));
btnScalar.addEventListener('click', () => setGraphView('scalar'));

const STEP_BUTTONS = ['btn-step-mode', 'btn-step-prev', 'btn-step', 'btn-play', 'btn-step-reset'];
const STEP_TITLES = new Map(STEP_BUTTONS.map((id) => [id, $(id).title]));

/** Shows the switch only when there is a tensor view; stepping is offered only where it works (scalar view). */
function updateViewControls(): void {
  const view = viewFor(latest);
  viewSwitch.hidden = !latest?.tensor;
  btnTensor.setAttribute('aria-pressed', String(view === 'tensor'));
  btnScalar.setAttribute('aria-pressed', String(view === 'scalar'));
  for (const id of STEP_BUTTONS) {
    const b = $<HTMLButtonElement>(id);
    b.disabled = view === 'tensor';
    b.title = view === 'tensor' ? 'Stepping works in the scalar view (switch with “Scalar view”)' : STEP_TITLES.get(id) ?? '';
  }
}

function setGraphView(view: GraphView): void {
  if (!latest?.tensor || viewFor(latest) === view) return;
  chosenView = view;
  stopPlay();
  step = undefined;
  fitOnNextDraw = true; // a different drawing: the old pan and zoom mean nothing for it
  updateViewControls();
  saveState();
  receivedAt = performance.now();
  requestDraw();
}

function selectTensor(id: string): void {
  selectedTensor = id;
  if (!drawn?.tensor) return;
  markSelectedTensor(drawn);
  renderSide(drawn);
  document.getElementById('tensor-details')?.scrollIntoView({ block: 'nearest' });
}

function markSelectedTensor(d: Drawn): void {
  for (const [id, g] of d.nodeEls) {
    g.querySelector(':scope > rect.bp-mark-selected')?.remove();
    g.classList.toggle('bp-selected', id === selectedTensor);
    if (id === selectedTensor) addMark(g, 'bp-mark-selected', 'shown in the side panel');
  }
}

/** Tensor view: a node is marked when every entry's gradient vanishes (or some entry's explodes), as in the scalar view. */
function markTensorMagnitudes(d: Drawn, tensor: TensorGraph): void {
  const flat = (v: TensorValue): number[] => (typeof v === 'number' ? [v] : (v as (number | number[])[]).flat());
  const out = tensor.nodes.find((n) => n.id === tensor.output);
  const ref = Math.max(...flat(out?.grad ?? 1).map(Math.abs)) || 1;
  for (const n of tensor.nodes) {
    const g = d.nodeEls.get(n.id);
    if (!g) continue;
    for (const m of g.querySelectorAll(':scope > rect.bp-mark-vanish, :scope > rect.bp-mark-explode')) m.remove();
    const grads = flat(n.grad).map(Math.abs);
    const vanish = n.kind !== 'const' && grads.every((x) => x / ref < 1e-6);
    const explode = n.kind !== 'const' && grads.some((x) => !Number.isFinite(x) || x / ref > 1e6);
    g.classList.toggle('bp-vanish', vanish && !explode);
    g.classList.toggle('bp-explode', explode);
    if (vanish || explode) {
      addMark(g, explode ? 'bp-mark-explode' : 'bp-mark-vanish',
        explode ? 'exploding gradient (some |grad| > 1e6 × output grad)' : 'vanishing gradient (every |grad| < 1e-6 × output grad)');
    }
  }
}

const shapeLabel = (shape: readonly number[]) => (shape.length === 0 ? 'scalar' : shape.length === 1 ? `${shape[0]}-vector` : shape.join('×'));
const tensorTitle = (t: TensorNode) => (t.kind === 'op' && t.name !== undefined ? `${t.name} = ${t.label}` : t.name ?? t.label);

/** A value or gradient as a small table: rows × columns, a vector as one column (as `W1 * x` reads it). */
function matrixTable(v: TensorValue, digits: number, what: string): HTMLTableElement {
  const table = el('table', 'matrix');
  table.dataset.what = what;
  const rows: number[][] = typeof v === 'number' ? [[v]] : Array.isArray(v[0]) ? (v as number[][]) : (v as number[]).map((x) => [x]);
  const cols = rows[0]?.length ?? 0;
  if (rows.length > 1 || cols > 1) {
    const head = el('tr');
    head.append(el('th', ''));
    for (let c = 0; c < cols; c++) head.append(el('th', 'idx', cols === 1 && !Array.isArray((v as unknown[])[0]) ? '' : String(c)));
    table.append(head);
  }
  rows.forEach((row, r) => {
    const tr = el('tr');
    if (rows.length > 1 || cols > 1) tr.append(el('th', 'idx', String(r)));
    for (const x of row) tr.append(el('td', 'num', formatNumber(x, digits)));
    table.append(tr);
  });
  return table;
}

function renderTensorSide(d: Drawn, tensor: TensorGraph): void {
  const p = d.payload;
  const fmt = (v: number) => formatNumber(v, p.digits);
  const parts: HTMLElement[] = [];
  const note = el('div', 'notice view-notice');
  note.setAttribute('role', 'note');
  note.append(
    el('strong', '', 'Tensor view. '),
    document.createTextNode(`One node per matrix operation (${tensor.nodes.length} nodes for ${p.graph.nodes.length} scalar nodes). Click a node for its value and gradient matrices. Stepping through the passes and edge thickness by gradient magnitude are in the scalar view.`),
  );
  parts.push(note);

  parts.push(outputSection(p, fmt));

  const details = el('section', 'tensor-details');
  details.id = 'tensor-details';
  details.setAttribute('aria-live', 'polite');
  const sel = tensor.nodes.find((n) => n.id === selectedTensor);
  details.append(el('h2', '', 'Selected node'));
  if (!sel) {
    details.append(el('p', 'muted', 'Click a node in the graph (or a name below) to see its value and gradient.'));
  } else {
    details.dataset.node = sel.id;
    details.append(el('p', 'tensor-title', `${tensorTitle(sel)}  ·  ${shapeLabel(sel.shape)}`));
    details.append(el('h3', '', 'value'), matrixTable(sel.value, p.digits, 'value'));
    const outName = tensor.nodes.find((n) => n.id === tensor.output)?.name ?? 'out';
    details.append(el('h3', '', `gradient ∂${outName}/∂${sel.name ?? `(${sel.label})`}`), matrixTable(sel.grad, p.digits, 'grad'));
  }
  parts.push(details);

  const list = el('section', 'tensor-list');
  list.append(el('h2', '', 'Nodes'));
  const ul = el('ul');
  const ordered = [...tensor.nodes.filter((n) => n.kind === 'input'), ...tensor.nodes.filter((n) => n.kind === 'op')];
  for (const n of ordered) {
    const li = el('li');
    const b = el('button', 'details', tensorTitle(n));
    b.type = 'button';
    b.dataset.node = n.id;
    b.setAttribute('aria-pressed', String(n.id === selectedTensor));
    b.title = `Show the value and gradient of ${tensorTitle(n)}`;
    b.addEventListener('click', () => selectTensor(n.id));
    li.append(b, el('span', 'muted', ` ${shapeLabel(n.shape)}`));
    ul.append(li);
  }
  list.append(ul);
  parts.push(list);

  if (p.check?.length) {
    const bad = p.check.filter((c) => !c.ok);
    const check = el('section', 'check-summary');
    check.append(el('h2', '', 'Gradient check'));
    check.append(el('p', bad.length ? 'bad' : 'ok', bad.length
      ? `✗ ${bad.length} of ${p.check.length} entries differ from central finite differences: ${bad.map((c) => c.name).join(', ')}`
      : `✓ all ${p.check.length} entries match central finite differences`));
    parts.push(check);
  } else if (p.checkSkipped) {
    parts.push(el('p', 'muted', p.checkSkipped));
  }

  if (p.warnings.length) {
    const w = el('section', 'warnings');
    w.append(el('h2', '', 'Warnings'));
    const wl = el('ul');
    for (const text of p.warnings) wl.append(el('li', '', text));
    w.append(wl);
    parts.push(w);
  }

  const legendBox = el('section', 'legend');
  legendBox.append(el('h2', '', 'Legend'));
  const items = el('ul');
  for (const [cls, text] of [['sw-input', 'input (a named tensor)'], ['sw-op', 'operation'], ['sw-const', 'constant'], ['sw-output', 'output'],
    ['sw-vanish', 'vanishing gradient: every |grad| < 1e-6 × output'], ['sw-explode', 'exploding gradient: some |grad| > 1e6 × output']]) {
    const li = el('li');
    li.append(el('span', `swatch ${cls}`), document.createTextNode(text));
    items.append(li);
  }
  legendBox.append(items);
  parts.push(legendBox);
  side.replaceChildren(...parts);
}

// ---------------------------------------------------------------------------------------------- stepping

function showStep(): void {
  const d = drawn;
  if (!d || !step) return;
  const view = stepAt(d.graph, step.mode, step.index);
  const fmt = (v: number) => formatNumber(v, d.payload.digits);
  const svg = diagram.querySelector('svg');
  svg?.classList.add('stepping');
  const byId = new Map(d.graph.nodes.map((n) => [n.id, n]));
  for (const [id, g] of d.nodeEls) {
    const node = byId.get(id);
    const lines = [...(d.info.nodeLabels.get(id) ?? [])];
    g.classList.toggle('bp-current', id === view.node);
    g.querySelector(':scope > rect.bp-mark-current')?.remove();
    if (id === view.node) addMark(g, 'bp-mark-current', 'current step');
    if (node && lines.length >= 3) {
      if (view.mode === 'backward') {
        const acc = view.acc.get(id);
        lines[2] = acc === undefined ? 'grad ?' : view.complete.has(id) ? `grad ${fmt(acc)}` : `grad so far ${fmt(acc)}`;
        g.classList.toggle('bp-done', view.complete.has(id));
      } else {
        const known = view.acc.has(id);
        lines[1] = known ? `value ${fmt(node.value)}` : 'value ?';
        lines[2] = 'grad ?';
        g.classList.toggle('bp-done', known);
      }
    }
    setTextLines(g, lines);
  }
  d.graph.edges.forEach((e, i) => {
    const path = d.edgePaths[i];
    const label = d.edgeLabels[i];
    const active = view.active.includes(i);
    path?.classList.toggle('bp-active', active);
    label?.parentElement?.classList.toggle('bp-active', active);
    path?.classList.toggle('bp-done', view.done.has(i) && !active);
    let text = d.info.edges[i]?.label ?? `∂ ${fmt(e.local)}`;
    if (view.mode === 'backward' && active) text = `${fmt(e.local)} × ${fmt(e.upstream)} = ${fmt(e.product)}`;
    else if (view.mode === 'backward' && view.done.has(i)) text = `+${fmt(e.product)}`;
    else if (view.mode === 'forward' && active) text = `${fmt(byId.get(e.from)?.value ?? NaN)} →`;
    setTextLines(label, [text]);
  });
  fitEdgeLabels(d.edgeLabels);
  renderStepStatus(view, d);
}

function renderStepStatus(view: StepView, d: Drawn): void {
  const status = document.getElementById('step-status');
  if (!status) return;
  const fmt = (v: number) => formatNumber(v, d.payload.digits);
  const byId = new Map(d.graph.nodes.map((n) => [n.id, n]));
  const node = byId.get(view.node);
  const name = (id: string) => {
    const n = byId.get(id);
    if (!n) return id;
    return n.kind === 'op' ? (n.name ? `${n.name} (${n.symbol})` : n.symbol) : n.name ?? fmt(n.value);
  };
  status.replaceChildren();
  status.dataset.node = view.node;
  status.dataset.index = String(view.index);
  status.dataset.mode = view.mode;
  const head = el('p', 'step-head', `${view.mode === 'backward' ? 'Backward' : 'Forward'} step ${view.index + 1} of ${view.count}: ${name(view.node)}`);
  status.append(head);
  if (view.mode === 'backward' && node) {
    status.append(el('p', '', `upstream gradient arriving at ${name(view.node)}: ${fmt(node.grad)}`));
    const ul = el('ul', 'contributions');
    for (const i of view.active) {
      const e = d.graph.edges[i];
      const li = el('li', 'contribution', `${name(e.from)}: local ${fmt(e.local)} × upstream ${fmt(e.upstream)} = ${fmt(e.product)}`);
      li.dataset.from = e.from;
      li.dataset.product = String(e.product);
      ul.append(li);
    }
    status.append(ul);
    const accList = el('ul', 'accumulated');
    for (const input of d.graph.inputs) {
      const acc = view.acc.get(input.id);
      const parts = d.graph.edges.map((e, i) => (e.from === input.id && view.done.has(i) ? fmt(e.product) : undefined)).filter((x): x is string => x !== undefined);
      const text = acc === undefined ? `∂/∂${input.name}: nothing yet` : `∂/∂${input.name} = ${parts.join(' + ')}${parts.length > 1 ? ` = ${fmt(acc)}` : ''}${view.complete.has(input.id) ? ' ✓ complete' : ' (so far)'}`;
      const li = el('li', 'acc', text);
      li.dataset.input = input.name;
      li.dataset.value = acc === undefined ? '' : String(acc);
      accList.append(li);
    }
    status.append(accList);
  } else if (node) {
    const args = view.active.map((i) => `${name(d.graph.edges[i].from)} = ${fmt(byId.get(d.graph.edges[i].from)?.value ?? NaN)}`);
    status.append(el('p', '', args.length ? `${name(view.node)} takes ${args.join(', ')} and gives ${fmt(node.value)}` : `${name(view.node)} = ${fmt(node.value)}`));
  }
}

function startStepping(mode: StepMode, index = 0): void {
  if (!drawn || drawn.tensor) return;
  step = { mode, index };
  showStep();
}

function stepBy(delta: number): void {
  if (!drawn || drawn.tensor) return;
  if (!step) return startStepping(stepMode, delta < 0 ? Number.MAX_SAFE_INTEGER : 0);
  const count = stepAt(drawn.graph, step.mode, 0).count;
  step.index = Math.max(0, Math.min(count - 1, step.index + delta));
  showStep();
}

function stopStepping(): void {
  stopPlay();
  step = undefined;
  const d = drawn;
  if (!d) return;
  diagram.querySelector('svg')?.classList.remove('stepping');
  for (const g of d.nodeEls.values()) {
    g.classList.remove('bp-current', 'bp-done');
    g.querySelector(':scope > rect.bp-mark-current')?.remove();
  }
  for (const p of d.edgePaths) p?.classList.remove('bp-active', 'bp-done');
  for (const l of d.edgeLabels) l?.parentElement?.classList.remove('bp-active');
  updateLabelsInPlace(d);
  renderSide(d);
}

function togglePlay(): void {
  if (playTimer !== undefined) return stopPlay();
  if (!drawn || drawn.tensor) return;
  const count = stepAt(drawn.graph, stepMode, 0).count;
  if (!step || step.mode !== stepMode || step.index >= count - 1) startStepping(stepMode, 0);
  const b = $('btn-play');
  b.setAttribute('aria-pressed', 'true');
  b.textContent = 'Pause';
  playTimer = window.setInterval(() => {
    if (!drawn || !step) return stopPlay();
    const n = stepAt(drawn.graph, step.mode, 0).count;
    if (step.index >= n - 1) return stopPlay();
    stepBy(1);
  }, 900);
}

function stopPlay(): void {
  if (playTimer !== undefined) window.clearInterval(playTimer);
  playTimer = undefined;
  const b = $('btn-play');
  b.setAttribute('aria-pressed', 'false');
  b.textContent = 'Play';
}

// ---------------------------------------------------------------------------------------------- export

function svgText(): string | undefined {
  const svg = diagram.querySelector('svg');
  if (!svg) return undefined;
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', SVG_NS);
  return new XMLSerializer().serializeToString(clone);
}

async function pngDataUrl(): Promise<string | undefined> {
  const text = svgText();
  const svg = diagram.querySelector('svg');
  if (!text || !svg) return undefined;
  const w = svg.width.baseVal.value;
  const h = svg.height.baseVal.value;
  const scale = Math.min(2, 16000 / Math.max(w, h)); // stay under canvas size limits
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(w * scale));
  canvas.height = Math.max(1, Math.round(h * scale));
  const ctx = canvas.getContext('2d');
  if (!ctx) return undefined;
  ctx.fillStyle = EXPORT_BACKGROUND[drawn?.theme ?? 'light'];
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  return canvas.toDataURL('image/png');
}

// ---------------------------------------------------------------------------------------------- wiring

function nodeFromEvent(target: EventTarget | null): string | undefined {
  const g = (target as Element | null)?.closest?.('g.node') as SVGGElement | null;
  return g?.dataset.node;
}

function activateNode(id: string): void {
  const d = drawn;
  if (!d) return;
  if (d.tensor) {
    const t = d.tensor.nodes.find((n) => n.id === id);
    if (!t) return;
    if (t.span) post({ kind: 'reveal', nodeId: id, span: t.span });
    selectTensor(id);
    return;
  }
  const node = d.graph.nodes.find((n) => n.id === id) ?? d.payload.graph.nodes.find((n) => n.id === id);
  if (node?.span) post({ kind: 'reveal', nodeId: id, span: node.span });
  if (d.collapsedIds.has(id)) {
    expandIds = [...expandIds, id];
    receivedAt = performance.now();
    requestDraw();
  }
}

diagram.addEventListener('click', (e) => {
  if (panzoom.dragged) {
    panzoom.dragged = false;
    return;
  }
  const id = nodeFromEvent(e.target);
  if (id) activateNode(id);
});
diagram.addEventListener('keydown', (e) => {
  if (e.key !== 'Enter' && e.key !== ' ') return;
  const id = nodeFromEvent(e.target);
  if (!id) return;
  e.preventDefault();
  activateNode(id);
});

$('btn-fit').addEventListener('click', () => panzoom.fit(outputFocus()));
$('btn-zoom-in').addEventListener('click', () => panzoom.zoomCenter(1.25));
$('btn-zoom-out').addEventListener('click', () => panzoom.zoomCenter(0.8));
$('btn-copy').addEventListener('click', () => {
  if (drawn) post({ kind: 'copyMermaid', text: drawn.source + classDefs(drawn.theme) });
});
$('btn-svg').addEventListener('click', () => {
  const text = svgText();
  if (text) post({ kind: 'save', format: 'svg', data: text });
});
$('btn-png').addEventListener('click', () => {
  void pngDataUrl().then(
    (data) => { if (data) post({ kind: 'save', format: 'png', data }); },
    (e: unknown) => post({ kind: 'renderError', message: `PNG export failed: ${e instanceof Error ? e.message : String(e)}` }),
  );
});
$('btn-pin').addEventListener('click', () => {
  setPinned(!pinned);
  post({ kind: 'setPinned', pinned });
});
$('btn-step').addEventListener('click', () => stepBy(1));
$('btn-step-prev').addEventListener('click', () => stepBy(-1));
$('btn-play').addEventListener('click', () => togglePlay());
$('btn-step-reset').addEventListener('click', () => stopStepping());
$('btn-step-mode').addEventListener('click', () => {
  stepMode = stepMode === 'backward' ? 'forward' : 'backward';
  const b = $('btn-step-mode');
  b.textContent = stepMode === 'backward' ? 'Backward' : 'Forward';
  b.setAttribute('aria-pressed', String(stepMode === 'forward'));
  if (step) startStepping(stepMode, 0);
});
document.addEventListener('keydown', (e) => {
  const t = e.target as HTMLElement | null;
  if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA')) return;
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.key === '.') stepBy(1);
  else if (e.key === ',') stepBy(-1);
  else if (e.key === 'p' || e.key === 'P') togglePlay();
  else if (e.key === 'Escape' && step) stopStepping();
  else if ((e.key === 'v' || e.key === 'V') && latest?.tensor) setGraphView(viewFor(latest) === 'tensor' ? 'scalar' : 'tensor');
  else return;
  e.preventDefault();
});

// Theme changes arrive as a new body class: draw again with the other palette (the view is kept).
let lastTheme = themeFromBody(document.body);
new MutationObserver(() => {
  const theme = themeFromBody(document.body);
  if (theme === lastTheme) return;
  lastTheme = theme;
  if (latest) {
    receivedAt = performance.now();
    requestDraw();
  }
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

window.addEventListener('resize', () => {
  if (drawn) panzoom.set(panzoom.view);
});

/**
 * Mermaid's first render pays for its lazy set-up (diagram registry, theme, layout engine). Pay it with a
 * two-node diagram while the extension is still computing the graph, unless a graph is already waiting.
 */
async function warmUp(): Promise<void> {
  if (latest) return;
  rendering = true;
  try {
    const theme = themeFromBody(document.body);
    initMermaid(theme);
    // Every node shape, label form and class our graphs use, so their code is compiled before the first graph.
    await mermaid.render('bp-warm', `flowchart LR
  w0(["x<br/>value 1<br/>grad 2"])
  w1["2<br/>value 2<br/>grad 1"]
  w2("×<br/>value 2<br/>grad 1")
  w0 -->|"∂ 2"| w2
  w1 -->|"∂ 1"| w2
  class w0 bpInput
  class w1 bpConst
  class w2 bpOp
  class w2 bpOutput
${classDefs(theme)}`, renderHost());
  } catch {
    // Only a warm-up: the real render reports its own errors.
  } finally {
    renderHost().replaceChildren();
    rendering = false;
    if (dirty) void pump();
  }
}

setPhase({ kind: 'loading' });
updateViewControls();
if (saved?.payload) {
  latest = saved.payload;
  setPinned(saved.payload.pinned);
  requestDraw();
} else {
  void warmUp();
}
post({ kind: 'ready' });
