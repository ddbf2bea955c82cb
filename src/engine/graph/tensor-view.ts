import { formatNumber } from '../base/format';
import type { Span } from '../base/span';
import { entryCount, shapeValue, type TensorValue } from '../base/tensor-value';
import type { GraphModel } from './graph';

/*
 * The tensor view: a lowered matrix program's scalar graph (lower/tensor.ts tags every scalar node with its
 * matrix-level op) regrouped into one node per op. mermaid/tensor.ts draws it.
 */

export interface TensorNode {
  /** `t3` for group 3; an untagged scalar node keeps its own id (`n7`). */
  id: string;
  kind: 'input' | 'const' | 'op';
  /** `matmul`, `+`, `relu`, `σ`, … or the input's name. */
  label: string;
  name?: string;
  shape: number[];
  /** The group's output entries, shaped: a number, a vector or a matrix (NaN for an entry outside the graph). */
  value: TensorValue;
  /** ∂output/∂entry, shaped like value. */
  grad: TensorValue;
  span?: Span;
  /** Scalar node ids of the output entries, row-major ('' for an entry outside the graph). */
  elements: string[];
  /** Every scalar node id unrolled from this op (products and partial sums included). */
  members: string[];
}

export interface TensorEdge { from: string; to: string }

export interface TensorGraph {
  nodes: TensorNode[];
  edges: TensorEdge[];
  output: string;
}

/**
 * The tensor view of a graph: one node per matrix-level op (group), with its shape, value and gradient
 * matrices read from the same scalar nodes the scalar view shows. Scalar nodes without a group (constants,
 * untagged inputs) stay nodes of their own. A graph without groups comes back node for node.
 */
export function tensorView(graph: GraphModel): TensorGraph {
  const groups = graph.groups ?? [];
  const byGroup = new Map<number, TensorNode>();
  const nodes: TensorNode[] = [];
  const owner = new Map<string, string>();
  const elementData = new Map<number, { values: number[]; grads: number[] }>();
  for (const n of graph.nodes) {
    if (n.group === undefined || !groups[n.group]) {
      nodes.push({ id: n.id, kind: n.kind, label: n.kind === 'op' ? n.symbol : n.name ?? formatNumber(n.value, 4), ...(n.name !== undefined ? { name: n.name } : {}),
        shape: [], value: n.value, grad: n.grad, ...(n.span ? { span: n.span } : {}), elements: [n.id], members: [n.id] });
      owner.set(n.id, n.id);
      continue;
    }
    const g = groups[n.group];
    let t = byGroup.get(g.id);
    if (!t) {
      const count = entryCount(g.shape);
      t = { id: `t${g.id}`, kind: g.kind, label: g.label, shape: g.shape, value: 0, grad: 0, elements: new Array(count).fill(''), members: [] };
      if (g.name !== undefined) t.name = g.name;
      if (g.span) t.span = g.span;
      byGroup.set(g.id, t);
      nodes.push(t);
      elementData.set(g.id, { values: new Array(count).fill(NaN), grads: new Array(count).fill(0) });
    }
    t.members.push(n.id);
    owner.set(n.id, t.id);
    if (n.element !== undefined && n.element < t.elements.length) {
      t.elements[n.element] = n.id;
      const d = elementData.get(g.id)!;
      d.values[n.element] = n.value;
      d.grads[n.element] = n.grad;
    }
  }
  for (const [id, t] of byGroup) {
    const d = elementData.get(id)!;
    t.value = shapeValue(t.shape, d.values);
    t.grad = shapeValue(t.shape, d.grads);
  }
  const edges: TensorEdge[] = [];
  const seen = new Set<string>();
  for (const e of graph.edges) {
    const from = owner.get(e.from)!;
    const to = owner.get(e.to)!;
    const key = `${from}>${to}`;
    if (from === to || seen.has(key)) continue;
    seen.add(key);
    edges.push({ from, to });
  }
  return { nodes, edges, output: owner.get(graph.output) ?? graph.output };
}

/** Gradients of every named input tensor (`W1` → its gradient matrix), from a graph with groups. */
export function tensorGradients(graph: GraphModel): Record<string, TensorValue> {
  const inputs = tensorView(graph).nodes.filter((n) => n.kind === 'input' && n.name !== undefined);
  return Object.fromEntries(inputs.map((n) => [n.name!, n.grad]));
}
