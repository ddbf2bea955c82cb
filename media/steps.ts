/** Stepping through the forward and backward passes of a graph: pure bookkeeping, no DOM. */
import type { GraphModel } from '../src/engine/graph/graph';

export type StepMode = 'backward' | 'forward';

export interface StepView {
  mode: StepMode;
  /** 0-based step and the number of steps. */
  index: number;
  count: number;
  /** The node this step is about. */
  node: string;
  /** Indices into graph.edges that this step uses (the node's incoming edges). */
  active: number[];
  /** Edges whose contribution has been added (backward) or whose value has flowed (forward), this step included. */
  done: Set<number>;
  /** Backward: gradient accumulated so far per node; forward: nodes whose value is known. */
  acc: Map<string, number>;
  /** Backward: nodes all of whose contributions have arrived. */
  complete: Set<string>;
}

/** Node positions in topological order (the model lists nodes in tape order). */
export function stepOrder(graph: GraphModel, mode: StepMode): string[] {
  if (mode === 'forward') return graph.nodes.map((n) => n.id);
  const hasInputs = new Set(graph.edges.map((e) => e.to));
  // Reverse topological order; leaves (inputs, constants) receive gradients but compute nothing.
  return graph.nodes.filter((n) => hasInputs.has(n.id)).map((n) => n.id).reverse();
}

export function stepAt(graph: GraphModel, mode: StepMode, index: number): StepView {
  const order = stepOrder(graph, mode);
  const count = order.length;
  const k = Math.max(0, Math.min(index, count - 1));
  const position = new Map(order.map((id, i) => [id, i]));
  const done = new Set<number>();
  const acc = new Map<string, number>();
  const complete = new Set<string>();
  const active: number[] = [];
  if (mode === 'backward') {
    const out = graph.nodes.find((n) => n.id === graph.output);
    // The seed: ∂out/∂out.
    acc.set(graph.output, out ? out.grad : 1);
    const pending = new Map<string, number>();
    for (const e of graph.edges) pending.set(e.from, (pending.get(e.from) ?? 0) + 1);
    graph.edges.forEach((e, i) => {
      const at = position.get(e.to);
      if (at === undefined || at > k) return;
      done.add(i);
      if (at === k) active.push(i);
      acc.set(e.from, (acc.get(e.from) ?? 0) + e.product);
      pending.set(e.from, (pending.get(e.from) ?? 1) - 1);
    });
    for (const n of graph.nodes) if ((pending.get(n.id) ?? 0) === 0 && acc.has(n.id)) complete.add(n.id);
  } else {
    for (let i = 0; i <= k; i++) {
      const node = graph.nodes.find((n) => n.id === order[i]);
      if (node) acc.set(node.id, node.value);
    }
    graph.edges.forEach((e, i) => {
      const at = position.get(e.to);
      if (at === undefined || at > k) return;
      done.add(i);
      if (at === k) active.push(i);
    });
  }
  return { mode, index: k, count, node: order[k] ?? graph.output, active, done, acc, complete };
}
