/** Marks drawn onto nodes and edges: gradient magnitude (scalar and tensor view) and the selected tensor node. */
import type { TensorValue } from '../src/engine/base/tensor-value';
import type { TensorGraph } from '../src/engine/graph/tensor-view';
import { SVG_NS } from './dom';
import type { Drawn } from './drawing';

/**
 * An outline around a node. Drawn as an extra element because the theme's classDef styles are inline
 * `!important` on the node's own shape, which no stylesheet can override.
 */
export function addMark(g: SVGGElement, cls: string, tip: string): void {
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

/** Gradient magnitude at a glance: edge width by log|contribution|, vanishing / exploding nodes marked. */
export function applyMagnitudes(d: Drawn): void {
  // A symbolic graph has no magnitudes (its numbers are placeholders): no marks, even widths.
  if (d.graph.symbolic) return;
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
    if (!g) continue; // a model node that is not drawn
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

/** Tensor view: a node is marked when every entry's gradient vanishes (or some entry's explodes), as in the scalar view. */
export function markTensorMagnitudes(d: Drawn, tensor: TensorGraph): void {
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

export function markSelectedTensor(d: Drawn, selected: string | undefined): void {
  for (const [id, g] of d.nodeEls) {
    g.querySelector(':scope > rect.bp-mark-selected')?.remove();
    g.classList.toggle('bp-selected', id === selected);
    if (id === selected) addMark(g, 'bp-mark-selected', 'shown in the side panel');
  }
}
