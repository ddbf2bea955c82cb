/**
 * Every place the webview writes label text into the drawing. The texts themselves come from the emitter's
 * Mermaid source (SourceInfo); the step view's texts are built here, in one place, so they can move to the
 * emitter's `nodeLabelLines` / `edgeLabelText` when those exist.
 */
import { formatNumber } from '../src/engine/base/format';
import type { GraphEdge, GraphNode } from '../src/engine/graph/graph';
import { SVG_NS } from './dom';
import type { SourceInfo } from './source';
import type { StepView } from './steps';

/** What label rewriting needs of a drawing: its texts and the SVG elements they go into. */
export interface LabelTargets {
  info: SourceInfo;
  nodeEls: Map<string, SVGGElement>;
  /** Subgraph boxes by group (absent where a view has none). */
  clusterEls?: Map<number, SVGGElement>;
  /** The model's edges (graph.edges, or the tensor view's), and their label groups parallel to them (undefined where not drawn). */
  edges: readonly { from: string; to: string }[];
  edgeLabels: (SVGGElement | undefined)[];
}

/**
 * The emitter's label of each model edge, parallel to `edges`: the k-th edge from a to b gets the k-th
 * a → b edge of the source. Undefined for an edge that is not drawn (a folded constant's); '' for a drawn
 * edge without a label (a constant's whose gradient is not shown).
 */
export function completeEdgeLabels(info: SourceInfo, edges: readonly { from: string; to: string }[]): (string | undefined)[] {
  const byEnds = new Map<string, string[]>();
  for (const link of info.links) {
    const ends = `${link.from}>${link.to}`;
    const list = byEnds.get(ends);
    if (list) list.push(link.label); else byEnds.set(ends, [link.label]);
  }
  const used = new Map<string, number>();
  return edges.map((e) => {
    const ends = `${e.from}>${e.to}`;
    const k = used.get(ends) ?? 0;
    used.set(ends, k + 1);
    return byEnds.get(ends)?.[k];
  });
}

/** Sets a Mermaid SVG text block to these lines (one row tspan per line; Mermaid's word tspans dropped). */
export function setTextLines(label: Element | undefined, lines: string[]): void {
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
    // Mermaid writes one tspan per word inside each row: one text node instead, so every drawing (fresh,
    // cached, after a step) has the same markup for the same labels.
    if (row.textContent !== line || row.childElementCount) row.textContent = line;
  });
  for (let i = lines.length; i < rows.length; i++) rows[i].remove();
}

/**
 * Edge label background rectangles follow their text (new numbers, or the step view's longer labels). All
 * labels are measured before any rectangle is written, so the page lays out once, not once per label.
 */
export function fitEdgeLabels(labels: readonly (SVGGElement | undefined)[]): void {
  const boxes = labels.map((label) => (label?.querySelector('text') as SVGTextElement | null)?.getBBox());
  labels.forEach((label, i) => {
    const b = boxes[i];
    const rect = label?.querySelector('rect.background');
    if (!b || !rect) return;
    rect.setAttribute('x', String(b.x - 3));
    rect.setAttribute('width', String(b.width + 6));
    // Mermaid sized the box for its own text size; the box hugs the text drawn.
    rect.setAttribute('y', String(b.y - 1));
    rect.setAttribute('height', String(b.height + 2));
  });
}

/** The complete labels (every value, gradient and local derivative), as the emitter wrote them. */
export function writeCompleteLabels(d: LabelTargets): void {
  for (const [id, lines] of d.info.nodeLabels) setTextLines(d.nodeEls.get(id), lines);
  // Group titles as the emitter wrote them (Mermaid leaves entity codes in subgraph titles as they are).
  for (const [scope, title] of d.info.clusterTitles) {
    const cluster = d.clusterEls?.get(scope);
    setTextLines(cluster?.querySelector(':scope > g.cluster-label') ?? undefined, [title]);
    cluster?.setAttribute('aria-label', `${title}: collapse this group`);
  }
  completeEdgeLabels(d.info, d.edges).forEach((label, i) => {
    if (label !== undefined) setTextLines(d.edgeLabels[i], label ? [label] : []);
  });
  fitEdgeLabels(d.edgeLabels);
}

/** True when some node's text is wider than its shape (after an in-place label update). */
export function labelsOverflow(d: LabelTargets): boolean {
  for (const g of d.nodeEls.values()) {
    const text = g.querySelector('text') as SVGTextElement | null;
    const shape = g.querySelector(':scope > rect.label-container, :scope > g.label-container') as SVGGraphicsElement | null;
    if (text && shape && text.getBBox().width > shape.getBBox().width - 8) return true;
  }
  return false;
}

/** A node's lines at a step: lines[1] is "value …", lines[2] "grad …" in the emitter's layout. */
export function stepNodeLines(complete: readonly string[], node: GraphNode, view: StepView, digits: number): string[] {
  const lines = [...complete];
  // Only the emitter's `value …` / `grad …` lines change; a node without a gradient line keeps its lines.
  if (lines.length < 3 || !lines[2].startsWith('grad ')) return lines;
  const fmt = (v: number) => formatNumber(v, digits);
  if (view.mode === 'backward') {
    const acc = view.acc.get(node.id);
    lines[2] = acc === undefined ? 'grad ?' : view.complete.has(node.id) ? `grad ${fmt(acc)}` : `grad so far ${fmt(acc)}`;
  } else {
    lines[1] = view.acc.has(node.id) ? `value ${fmt(node.value)}` : 'value ?';
    lines[2] = 'grad ?';
  }
  return lines;
}

/** An edge's label at a step: the product being formed, a contribution already added, or the complete label. */
export function stepEdgeText(complete: string | undefined, edge: GraphEdge, index: number, view: StepView, fromValue: number, digits: number): string {
  if (complete === '') return ''; // an edge the emitter leaves unlabelled (a constant's) stays so
  const fmt = (v: number) => formatNumber(v, digits);
  const active = view.active.includes(index);
  if (view.mode === 'backward' && active) return `${fmt(edge.local)} × ${fmt(edge.upstream)} = ${fmt(edge.product)}`;
  if (view.mode === 'backward' && view.done.has(index)) return `+${fmt(edge.product)}`;
  if (view.mode === 'forward' && active) return `${fmt(fromValue)} →`;
  return complete ?? `∂ ${fmt(edge.local)}`;
}
