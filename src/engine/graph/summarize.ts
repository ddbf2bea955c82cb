import type { GraphEdge, GraphModel, GraphNode } from './graph';

/** A shown node that stands for a whole subexpression. */
export interface CollapsedNode {
  /** Id of the subexpression's root (its value and gradient are the node's). */
  id: string;
  /** How many nodes it hides (the root itself not counted). */
  hidden: number;
}

export interface Summary {
  graph: GraphModel;
  collapsed: CollapsedNode[];
  /** Nodes in the original graph. */
  totalNodes: number;
}

export interface SummarizeOptions {
  /** Ids to keep open (e.g. the user expanded them); their dominators are opened too. */
  expand?: Iterable<string>;
}

/**
 * Shrinks a graph to at most `maxNodes` shown nodes by collapsing subexpressions.
 *
 * A node X can stand for every node it dominates towards the output (every path from such a node to the
 * output passes through X): only X's own outgoing edges leave that region, so the picture stays exact.
 * Edges from shown nodes into a collapsed region are merged per region, with the region's total local
 * derivative ∂X/∂from (computed by a small backward pass inside the region) and the summed contribution.
 * The largest regions are opened first, while they fit. Iterative throughout: graphs may be huge.
 */
export function summarize(graph: GraphModel, maxNodes: number, options: SummarizeOptions = {}): Summary {
  const n = graph.nodes.length;
  if (n <= maxNodes) return { graph, collapsed: [], totalNodes: n };
  const index = new Map<string, number>();
  graph.nodes.forEach((node, i) => index.set(node.id, i));
  const root = index.get(graph.output) ?? n - 1;
  const E = graph.edges.length;
  const eFrom = new Int32Array(E);
  const eTo = new Int32Array(E);
  graph.edges.forEach((e, k) => {
    eFrom[k] = index.get(e.from) ?? -1;
    eTo[k] = index.get(e.to) ?? -1;
  });

  // Consumers (edges leaving a node) and incoming edges, as compressed lists.
  const outStart = csrStarts(n, eFrom);
  const outEdges = csrFill(n, eFrom, outStart);
  const inStart = csrStarts(n, eTo);
  const inEdges = csrFill(n, eTo, inStart);

  // Immediate dominators towards the output. Nodes come in topological order (edges go from lower to higher
  // index), so every consumer of i is decided before i: idom(i) = the dominator-tree LCA of its consumers.
  const idom = new Int32Array(n).fill(-1);
  const depth = new Int32Array(n);
  const lca = (a: number, b: number): number => {
    while (a !== b) {
      if (depth[a] > depth[b]) a = idom[a];
      else if (depth[b] > depth[a]) b = idom[b];
      else { a = idom[a]; b = idom[b]; }
    }
    return a;
  };
  for (let i = n - 1; i >= 0; i--) {
    if (i === root) continue;
    let d = -1;
    for (let k = outStart[i]; k < outStart[i + 1]; k++) {
      const c = eTo[outEdges[k]];
      if (c < 0 || (c !== root && idom[c] < 0)) continue; // consumer not reaching the output
      d = d < 0 ? c : lca(d, c);
    }
    if (d < 0) d = root; // dangling node: hang it under the output so it is counted somewhere
    idom[i] = d;
    depth[i] = depth[d] + 1;
  }

  // Dominator-tree children and subtree sizes (a dominator always has a higher index than what it dominates).
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i === root ? -1 : idom[i];
  const childStart = csrStarts(n, parent);
  const children = csrFill(n, parent, childStart);
  const size = new Int32Array(n).fill(1);
  for (let i = 0; i < n; i++) if (parent[i] >= 0) size[parent[i]] += size[i];

  // Open regions, largest first, while the shown count fits.
  const expanded = new Uint8Array(n);
  let shown = 1;
  const open = (i: number) => {
    expanded[i] = 1;
    shown += childStart[i + 1] - childStart[i];
  };
  const forced: number[] = [];
  for (const id of options.expand ?? []) {
    const i = index.get(id);
    if (i !== undefined) forced.push(i);
  }
  open(root);
  for (const f of forced) {
    for (let j = parent[f]; j >= 0; j = parent[j]) if (!expanded[j]) open(j);
    if (!expanded[f] && size[f] > 1) open(f);
  }
  const heap = new MaxHeap(size);
  for (let k = childStart[root]; k < childStart[root + 1]; k++) heap.push(children[k]);
  for (const f of forced) for (let k = childStart[f]; k < childStart[f + 1]; k++) heap.push(children[k]);
  while (heap.length) {
    const i = heap.pop();
    if (expanded[i] || size[i] <= 1) continue;
    const k = childStart[i + 1] - childStart[i];
    if (shown + k > maxNodes) continue;
    open(i);
    for (let c = childStart[i]; c < childStart[i + 1]; c++) heap.push(children[c]);
  }

  // Each node's representative: itself when shown, else the collapsed region root above it.
  const rep = new Int32Array(n);
  for (let i = n - 1; i >= 0; i--) rep[i] = i === root || expanded[parent[i]] ? i : rep[parent[i]];

  // Merged edges into collapsed regions: local = ∂X/∂from by a backward pass inside the region (seed 1 at X).
  const adj = new Float64Array(n);
  const merged = new Map<string, GraphEdge>();
  const firstEdgeOf = new Map<string, number>();
  for (let t = n - 1; t >= 0; t--) {
    const x = rep[t];
    if (x === t && expanded[t]) continue;
    if (x === t && size[t] <= 1) continue; // shown leaf or single op: its edges are kept as they are
    if (x === t) adj[t] = 1;
    for (let k = inStart[t]; k < inStart[t + 1]; k++) {
      const e = inEdges[k];
      const g = eFrom[e];
      if (g < 0) continue;
      const local = graph.edges[e].local * adj[t];
      if (rep[g] === x && g !== x) {
        adj[g] += local;
        continue;
      }
      const key = `${g}>${x}`;
      let m = merged.get(key);
      if (!m) {
        const orig = graph.edges[e];
        m = { from: graph.nodes[g].id, to: graph.nodes[x].id, arg: orig.arg, local: 0, upstream: graph.nodes[x].grad, product: 0 };
        merged.set(key, m);
        firstEdgeOf.set(key, e);
      }
      m.local += local;
      m.product += graph.edges[e].product;
    }
  }
  const mergedAt = new Map<number, GraphEdge[]>();
  for (const [key, m] of merged) {
    const e = firstEdgeOf.get(key)!;
    const list = mergedAt.get(e);
    if (list) list.push(m); else mergedAt.set(e, [m]);
  }

  const nodes: GraphNode[] = [];
  const collapsed: CollapsedNode[] = [];
  for (let i = 0; i < n; i++) {
    if (rep[i] !== i) continue;
    const node = graph.nodes[i];
    if (expanded[i] || size[i] <= 1) {
      nodes.push(node);
      continue;
    }
    const hidden = size[i] - 1;
    const inner: string[] = [];
    // Warnings inside a collapsed region stay visible on the node that stands for it.
    const stack = [i];
    while (stack.length && inner.length < 5) {
      const j = stack.pop()!;
      for (const w of graph.nodes[j].warnings ?? []) inner.push(w);
      for (let c = childStart[j]; c < childStart[j + 1]; c++) stack.push(children[c]);
    }
    const summaryNode: GraphNode = { ...node, symbol: `${node.symbol} ⋯ +${hidden} nodes` };
    if (inner.length) summaryNode.warnings = inner;
    nodes.push(summaryNode);
    collapsed.push({ id: node.id, hidden });
  }
  const edges: GraphEdge[] = [];
  for (let e = 0; e < E; e++) {
    const f = eFrom[e];
    const t = eTo[e];
    if (f >= 0 && t >= 0 && rep[f] === f && rep[t] === t && (expanded[t] || size[t] <= 1)) edges.push(graph.edges[e]);
    const m = mergedAt.get(e);
    if (m) edges.push(...m);
  }
  return { graph: { ...graph, nodes, edges }, collapsed, totalNodes: n };
}

function csrStarts(n: number, owner: Int32Array): Int32Array {
  const start = new Int32Array(n + 1);
  for (let k = 0; k < owner.length; k++) if (owner[k] >= 0) start[owner[k] + 1]++;
  for (let i = 0; i < n; i++) start[i + 1] += start[i];
  return start;
}

function csrFill(n: number, owner: Int32Array, start: Int32Array): Int32Array {
  const fill = start.slice(0, n);
  const items = new Int32Array(start[n]);
  for (let k = 0; k < owner.length; k++) if (owner[k] >= 0) items[fill[owner[k]]++] = k;
  return items;
}

/** Max-heap of node indices keyed by a fixed weight array. */
class MaxHeap {
  private readonly items: number[] = [];
  constructor(private readonly weight: Int32Array) {}
  get length(): number { return this.items.length; }
  push(i: number): void {
    const a = this.items;
    a.push(i);
    let c = a.length - 1;
    while (c > 0) {
      const p = (c - 1) >> 1;
      if (this.weight[a[p]] >= this.weight[a[c]]) break;
      [a[p], a[c]] = [a[c], a[p]];
      c = p;
    }
  }
  pop(): number {
    const a = this.items;
    const top = a[0];
    const last = a.pop()!;
    if (a.length) {
      a[0] = last;
      let p = 0;
      for (;;) {
        const l = 2 * p + 1;
        const r = l + 1;
        let m = p;
        if (l < a.length && this.weight[a[l]] > this.weight[a[m]]) m = l;
        if (r < a.length && this.weight[a[r]] > this.weight[a[m]]) m = r;
        if (m === p) break;
        [a[p], a[m]] = [a[m], a[p]];
        p = m;
      }
    }
    return top;
  }
}
