/** What is on screen: a Mermaid SVG put on the page, linked to the graph model it draws. */
import type { GraphPayload } from '../src/protocol';
import type { GraphModel } from '../src/engine/graph/graph';
import type { TensorGraph } from '../src/engine/graph/tensor-view';
import { SVG_NS } from './dom';
import type { FlowDirection } from './layout';
import type { SourceInfo } from './source';
import { graphStyle, type ThemeName } from './theme';

/** Matrix programs have two drawings of one trace: one node per matrix op, or every scalar node. */
export type GraphView = 'tensor' | 'scalar';

export interface Summary { shownNodes: number; totalNodes: number; reason: string }

/** The drawn graph model (possibly summarized) and how its parts map to SVG elements. */
export interface Drawn {
  payload: GraphPayload;
  graph: GraphModel;
  source: string;
  info: SourceInfo;
  theme: ThemeName;
  direction: FlowDirection;
  summary?: Summary;
  collapsedIds: Set<string>;
  /** The groups (graph.scopes ids) drawn collapsed. */
  collapsedScopes: number[];
  svg: SVGSVGElement;
  /** Drawn node id → its group. Model nodes that are not drawn (folded constants) have none. */
  nodeEls: Map<string, SVGGElement>;
  /** Open group (graph.scopes id) → its subgraph's box. */
  clusterEls: Map<number, SVGGElement>;
  /** graph.edges, or tensor.edges in the tensor view: what edgePaths and edgeLabels are parallel to. */
  edges: readonly { from: string; to: string }[];
  /** Parallel to `edges`; undefined for an edge that is not drawn. */
  edgePaths: (SVGPathElement | undefined)[];
  edgeLabels: (SVGGElement | undefined)[];
  /** Set in the tensor view: what is drawn is this graph (one node per matrix op), not `graph`. */
  tensor?: TensorGraph;
}

export type DrawnBase = Omit<Drawn, 'svg' | 'edges' | 'nodeEls' | 'clusterEls' | 'edgePaths' | 'edgeLabels'>;

/** Puts a Mermaid SVG into `container` and links its elements to the graph. */
export function showSvg(container: HTMLElement, svg: string, d: DrawnBase): Drawn {
  container.innerHTML = svg; // Mermaid's output, sanitized by it (securityLevel strict); labels are entity-escaped
  const svgEl = container.querySelector('svg')!;
  const vb = svgEl.viewBox.baseVal;
  svgEl.removeAttribute('style'); // Mermaid's max-width; the view transform does the sizing
  svgEl.setAttribute('width', String(Math.ceil(vb.width)));
  svgEl.setAttribute('height', String(Math.ceil(vb.height)));
  svgEl.setAttribute('aria-label', `Computational graph of ${d.payload.title}`);
  svgEl.classList.add('bp-graph');
  const style = document.createElementNS(SVG_NS, 'style');
  style.setAttribute('class', 'bp-style');
  style.textContent = graphStyle(d.theme);
  svgEl.append(style);
  const next: Drawn = { ...d, svg: svgEl, edges: d.tensor ? d.tensor.edges : d.graph.edges, nodeEls: new Map(), clusterEls: new Map(), edgePaths: [], edgeLabels: [] };
  mapElements(next, svgEl);
  return next;
}

/** Links graph nodes and edges to their SVG elements (Mermaid ids: `…-flowchart-n3-12`, edges `L_n0_n2_0`). */
function mapElements(d: Drawn, svg: SVGSVGElement): void {
  // Edge labels above the nodes: the step view writes longer labels that would otherwise hide under a node.
  for (const labels of svg.querySelectorAll('g.edgeLabels')) labels.parentElement?.append(labels);
  Object.assign(d, linkElements(svg, d.edges));
  for (const [id, g] of d.nodeEls) {
    g.dataset.node = id;
    g.setAttribute('tabindex', '0');
    g.setAttribute('role', 'button');
  }
  // Subgraphs (the emitter's `s<scope>`): a click on one's box or title collapses the group.
  for (const g of svg.querySelectorAll<SVGGElement>('g.cluster')) {
    const m = /(?:^|-)s(\d+)$/.exec(g.id);
    if (!m) continue;
    const scope = Number(m[1]);
    d.clusterEls.set(scope, g);
    g.dataset.scope = String(scope);
    g.classList.add('bp-group-title');
    g.setAttribute('tabindex', '0');
    g.setAttribute('role', 'button');
  }
  d.edgePaths.forEach((p, i) => {
    if (p) p.dataset.edge = String(i);
  });
}

/**
 * The SVG elements of a Mermaid drawing by model id: each node's group, and each edge's path and label group,
 * parallel to `edges` (the k-th edge from a to b is the k-th a → b path drawn; undefined where not drawn).
 */
export function linkElements(svg: SVGSVGElement, edges: readonly { from: string; to: string }[]): Pick<Drawn, 'nodeEls' | 'edgePaths' | 'edgeLabels'> {
  const nodeEls = new Map<string, SVGGElement>();
  for (const g of svg.querySelectorAll<SVGGElement>('g.node')) {
    const m = /-flowchart-(.+)-\d+$/.exec(g.id);
    if (m) nodeEls.set(m[1], g);
  }
  const byPair = new Map<string, SVGPathElement[]>();
  for (const p of svg.querySelectorAll<SVGPathElement>('path[data-id]')) {
    const m = /^L_(.+?)_(.+?)_\d+$/.exec(p.dataset.id ?? '');
    if (!m) continue;
    const pair = `${m[1]}>${m[2]}`;
    const list = byPair.get(pair);
    if (list) list.push(p); else byPair.set(pair, [p]);
  }
  const labels = new Map<string, SVGGElement>();
  for (const l of svg.querySelectorAll<SVGGElement>('g.edgeLabel g.label[data-id]')) labels.set(l.dataset.id ?? '', l);
  const used = new Map<string, number>();
  const edgePaths = edges.map((e) => {
    const pair = `${e.from}>${e.to}`;
    const i = used.get(pair) ?? 0;
    used.set(pair, i + 1);
    return byPair.get(pair)?.[i];
  });
  const edgeLabels = edgePaths.map((p) => (p?.dataset.id ? labels.get(p.dataset.id) : undefined));
  return { nodeEls, edgePaths, edgeLabels };
}

/** Centre of the output node in SVG units (where "zoom to output" goes). */
export function outputCentre(d: Drawn): { x: number; y: number } | undefined {
  const g = d.nodeEls.get(d.tensor ? d.tensor.output : d.graph.output);
  if (!g) return undefined;
  const m = g.getCTM();
  const root = d.svg.getCTM();
  if (!m || !root) return undefined;
  const local = root.inverse().multiply(m);
  return { x: local.e, y: local.f };
}
