import type { GraphBranch, GraphEdge, GraphModel, GraphNode, ScopeNode } from './graph';
import type { TraceScope } from '../interpreter/scopes';

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

// ------------------------------------------------------------------------------------------ groups (scopes)

/** Id of the node that stands for a collapsed scope: generated, never user text. */
export const scopeNodeId = (scope: number): string => `g${scope}`;

/**
 * Default of setting `backpropGraph.collapseGroupsOver`: a graph of calls and loops with more nodes than this
 * opens with its nested groups collapsed (a 640 px panel shows about this many nodes fitted and legible).
 */
export const READABLE_NODES = 40;

/** How many warnings of hidden nodes a group's node carries (the full list is the graph's). */
const GROUP_WARNINGS = 5;

/**
 * The graph with each scope in `collapsed` drawn as one node (its outermost collapsed ancestor wins): the
 * group's node takes the place of its last node, its value and gradient are its first output's, edges from
 * outside into the group are merged per source node (the group's local derivative ∂out/∂source by a backward
 * pass inside the group; with several outputs, the source's whole contribution through the group, as local
 * with upstream 1), and edges leaving the group start at its node. An input is not part of a group (one
 * created inside a collapsed group is drawn in the group's parent), but one shared by several collapsed
 * groups and used nowhere else is not drawn: the groups' labels list it with the gradient each sends it (the
 * lecture MLP's 41 weights, each used by 4 samples' neurons, would otherwise be a column of 41 nodes with
 * 164 edges across the picture); the side panel lists every input.
 * A constant is hidden only when every use of it is inside the same group.
 *
 * Relies on the interpreter's order: a scope's nodes are created while it runs, so they are contiguous on the
 * tape apart from leaves, and the result's nodes stay in topological order. A graph without scopes, or an
 * empty `collapsed`, is returned as it is.
 */
export function collapseScopes(graph: GraphModel, collapsed: Iterable<number>): GraphModel {
  const scopes = graph.scopes;
  const closed = new Set(collapsed);
  if (!scopes?.length || !closed.size) return graph;
  const parentOf = new Map<number, number | undefined>(scopes.map((s) => [s.id, s.parent]));
  // The outermost collapsed scope around each scope (or none).
  const outer = new Map<number, number | undefined>();
  for (const s of scopes) {
    const up = s.parent === undefined ? undefined : outer.get(s.parent);
    outer.set(s.id, up ?? (closed.has(s.id) ? s.id : undefined));
  }
  if (![...outer.values()].some((v) => v !== undefined)) return graph;
  // Where a node that is not hidden is drawn: its scope, or the parent of the collapsed scope around it.
  const openScope = (scope: number | undefined): number | undefined => {
    const c = scope === undefined ? undefined : outer.get(scope);
    return c === undefined ? scope : openScope(parentOf.get(c));
  };

  const n = graph.nodes.length;
  const index = new Map<string, number>();
  graph.nodes.forEach((node, i) => index.set(node.id, i));
  const consumers = new Map<number, number[]>();
  graph.edges.forEach((e, k) => {
    const from = index.get(e.from);
    if (from === undefined) return;
    const list = consumers.get(from);
    if (list) list.push(k); else consumers.set(from, [k]);
  });
  // Which collapsed group hides each node (-1: shown).
  const hiddenIn = new Int32Array(n).fill(-1);
  const groupOf = (i: number) => {
    const scope = graph.nodes[i].scope;
    return scope === undefined ? undefined : outer.get(scope);
  };
  for (let i = 0; i < n; i++) {
    const node = graph.nodes[i];
    if (node.kind === 'input') continue;
    const g = groupOf(i);
    if (g === undefined) continue;
    if (node.kind === 'const') {
      const uses = consumers.get(i) ?? [];
      if (!uses.length || uses.some((k) => { const t = index.get(graph.edges[k].to); return t === undefined || groupOf(t) !== g || graph.nodes[t].kind === 'input'; })) continue;
    }
    hiddenIn[i] = g;
  }
  // The groups, each with its members (in order), outputs and last member.
  interface Group { members: number[]; outputs: number[]; last: number }
  const groups = new Map<number, Group>();
  for (let i = 0; i < n; i++) {
    const g = hiddenIn[i];
    if (g < 0) continue;
    let group = groups.get(g);
    if (!group) groups.set(g, (group = { members: [], outputs: [], last: i }));
    group.members.push(i);
    group.last = i;
    const leaves = graph.nodes[i].id === graph.output || (consumers.get(i) ?? []).some((k) => {
      const t = index.get(graph.edges[k].to);
      return t === undefined || hiddenIn[t] !== g;
    });
    if (leaves) group.outputs.push(i);
  }
  if (!groups.size) return graph;
  // Inputs shared by several collapsed groups and used nowhere else: listed by the groups, not drawn.
  const folded = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (graph.nodes[i].kind !== 'input' || graph.nodes[i].id === graph.output) continue;
    const users = new Set<number>();
    const inside = (consumers.get(i) ?? []).every((k) => {
      const t = index.get(graph.edges[k].to);
      if (t === undefined || hiddenIn[t] < 0) return false;
      users.add(hiddenIn[t]);
      return true;
    });
    if (inside && users.size > 1) folded[i] = 1;
  }
  const shownId = (i: number) => (hiddenIn[i] >= 0 ? scopeNodeId(hiddenIn[i]) : graph.nodes[i].id);

  // Incoming edges per member, for the backward pass inside each group.
  const incoming = new Map<number, number[]>();
  graph.edges.forEach((e, k) => {
    const to = index.get(e.to);
    if (to === undefined || hiddenIn[to] < 0) return;
    const list = incoming.get(to);
    if (list) list.push(k); else incoming.set(to, [k]);
  });
  // Merged edges into each group, one per source node, keyed `source>group`, in order of first use.
  const mergedInto = new Map<number, Map<number, GraphEdge>>();
  const adjoint = new Float64Array(n);
  for (const [g, group] of groups) {
    const single = group.outputs.length === 1;
    // Seeds: 1 at a single output (the merged edges then carry ∂out/∂source); with several outputs, the
    // gradient each receives from outside the group, so the pass gives each source's whole contribution.
    for (const o of group.outputs) {
      if (single) { adjoint[o] = 1; continue; }
      let external = graph.nodes[o].id === graph.output ? graph.nodes[o].grad : 0;
      for (const k of consumers.get(o) ?? []) {
        const t = index.get(graph.edges[k].to);
        if (t !== undefined && hiddenIn[t] !== g) external += graph.edges[k].product;
      }
      adjoint[o] = external;
    }
    const merged = new Map<number, GraphEdge>();
    const contributions = new Map<number, number>();
    for (let m = group.members.length - 1; m >= 0; m--) {
      const t = group.members[m];
      for (const k of incoming.get(t) ?? []) {
        const edge = graph.edges[k];
        const from = index.get(edge.from);
        if (from === undefined) continue;
        const local = adjoint[t] === 0 ? 0 : edge.local * adjoint[t];
        if (hiddenIn[from] === g) {
          adjoint[from] += local;
          continue;
        }
        let e = merged.get(from);
        if (!e) merged.set(from, (e = { from: shownId(from), to: scopeNodeId(g), arg: 0, local: 0, upstream: single ? graph.nodes[group.outputs[0]].grad : 1, product: 0 }));
        e.local += local;
        contributions.set(from, (contributions.get(from) ?? 0) + edge.product);
      }
    }
    for (const [from, e] of merged) e.product = contributions.get(from) ?? 0;
    // Sources in order of first use (the tape's), so the drawing reads left to right as the call's arguments.
    mergedInto.set(g, new Map([...merged].sort((a, b) => a[0] - b[0])));
    for (const t of group.members) adjoint[t] = 0;
  }

  const scopeById = new Map<number, TraceScope>(scopes.map((s) => [s.id, s]));
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const lastOf = new Map<number, number>([...groups].map(([g, group]) => [group.last, g]));
  for (let i = 0; i < n; i++) {
    const g = lastOf.get(i);
    if (g !== undefined) {
      const group = groups.get(g)!;
      const first = graph.nodes[group.outputs[0] ?? group.last];
      const scope = scopeById.get(g)!;
      const info: ScopeNode = {
        scope: g,
        hidden: group.members.length,
        inputs: [...mergedInto.get(g)!].map(([from, e]) => {
          if (!folded[from]) return { id: e.from, grad: e.product };
          const source = graph.nodes[from];
          return source.name !== undefined ? { id: e.from, grad: e.product, name: source.name, value: source.value } : { id: e.from, grad: e.product, value: source.value };
        }),
        outputs: group.outputs.map((o) => {
          const out = graph.nodes[o];
          return out.name !== undefined ? { id: out.id, name: out.name, value: out.value, grad: out.grad } : { id: out.id, value: out.value, grad: out.grad };
        }),
      };
      const node: GraphNode = { id: scopeNodeId(g), kind: 'op', op: 'id', symbol: scope.title, value: first.value, grad: first.grad, span: scope.span, scopeNode: info };
      const parent = openScope(scope.parent);
      if (parent !== undefined) node.scope = parent;
      const warnings = group.members.flatMap((m) => graph.nodes[m].warnings ?? []).slice(0, GROUP_WARNINGS);
      if (warnings.length) node.warnings = warnings;
      nodes.push(node);
      for (const [from, e] of mergedInto.get(g)!) if (!folded[from]) edges.push(e);
    }
    if (hiddenIn[i] >= 0 || folded[i]) continue;
    const node = graph.nodes[i];
    const scope = openScope(node.scope);
    nodes.push(scope === node.scope ? node : withScope(node, scope));
  }
  // Edges between shown nodes, and edges leaving a group (from its node), in the model's order.
  const edgesInto = new Map<string, GraphEdge[]>();
  for (const e of graph.edges) {
    const from = index.get(e.from);
    const to = index.get(e.to);
    if (from === undefined || to === undefined || hiddenIn[to] >= 0) continue;
    const edge = hiddenIn[from] >= 0 ? { ...e, from: scopeNodeId(hiddenIn[from]) } : e;
    const list = edgesInto.get(e.to);
    if (list) list.push(edge); else edgesInto.set(e.to, [edge]);
  }
  // Edges ordered by their target's position, as the full graph's are (the stepper walks them in that order).
  const ordered: GraphEdge[] = [];
  for (const node of nodes) {
    if (node.scopeNode) continue;
    ordered.push(...(edgesInto.get(node.id) ?? []));
  }
  const position = new Map(nodes.map((node, i) => [node.id, i]));
  const all = [...ordered, ...edges].sort((a, b) => position.get(a.to)! - position.get(b.to)!);
  const model: GraphModel = { ...graph, nodes, edges: all, output: shownId(index.get(graph.output) ?? n - 1) };
  if (graph.branches) model.branches = graph.branches.map((b) => mapBranch(b, index, shownId));
  return model;
}

function withScope(node: GraphNode, scope: number | undefined): GraphNode {
  const copy = { ...node };
  if (scope === undefined) delete copy.scope; else copy.scope = scope;
  return copy;
}

function mapBranch(b: GraphBranch, index: Map<string, number>, shownId: (i: number) => string): GraphBranch {
  const i = b.node === undefined ? undefined : index.get(b.node);
  return i === undefined ? b : { ...b, node: shownId(i) };
}

/** How deep each scope is (0: no parent). */
function scopeDepths(scopes: readonly TraceScope[]): Map<number, number> {
  const depth = new Map<number, number>();
  // Parents come before children (GraphModel.scopes' order).
  for (const s of scopes) depth.set(s.id, s.parent === undefined ? 0 : (depth.get(s.parent) ?? 0) + 1);
  return depth;
}

/** True when the scope is inside a function call (top-level calls, loops and iterations are not). */
function insideCall(scope: TraceScope, byId: Map<number, TraceScope>): boolean {
  for (let p = scope.parent; p !== undefined; p = byId.get(p)?.parent) if (byId.get(p)?.kind === 'call') return true;
  return false;
}

export interface CollapseOptions {
  /** Collapse at most these scopes (default: any). */
  allowed?: (scope: TraceScope) => boolean;
  /** Scopes collapsed already (kept collapsed). */
  start?: Iterable<number>;
}

/**
 * Collapses whole levels of scopes, innermost first, until the graph has at most `budget` nodes or no allowed
 * scope is left open (then the levels that gave the fewest nodes). Levels, not single scopes, so that every
 * neuron (or every iteration) looks the same.
 */
export function collapseToFit(graph: GraphModel, budget: number, options: CollapseOptions = {}): Set<number> {
  const collapsed = new Set(options.start ?? []);
  const scopes = graph.scopes;
  if (!scopes?.length) return collapsed;
  if (collapseScopes(graph, collapsed).nodes.length <= budget) return collapsed;
  const depth = scopeDepths(scopes);
  const allowed = scopes.filter((s) => options.allowed?.(s) ?? true);
  const levels = [...new Set(allowed.map((s) => depth.get(s.id)!))].sort((a, b) => b - a);
  // The fewest nodes seen: collapsing an outer level can draw more (an input shared by several groups is
  // listed by them, but drawn again once one group holds all its uses).
  let best = { collapsed: new Set(collapsed), count: Infinity };
  for (const level of levels) {
    for (const s of allowed) if (depth.get(s.id) === level) collapsed.add(s.id);
    const count = collapseScopes(graph, collapsed).nodes.length;
    if (count <= budget) return collapsed;
    if (count < best.count) best = { collapsed: new Set(collapsed), count };
  }
  return best.collapsed;
}

/**
 * The groups a graph opens with. All open when the graph has at most `readable` nodes; else the groups
 * nested inside the top-level function calls are collapsed, innermost level first, until it has at most
 * `readable` nodes (top-level calls, loops and iterations stay open: they are the program's outline). Going
 * further when the graph is over maxNodes is the view's job (collapseToFit without limits, then summarize).
 */
export function defaultCollapsedScopes(graph: GraphModel, readable = READABLE_NODES): number[] {
  const scopes = graph.scopes;
  if (!scopes?.length || graph.nodes.length <= readable) return [];
  const byId = new Map(scopes.map((s) => [s.id, s]));
  return [...collapseToFit(graph, readable, { allowed: (s) => insideCall(s, byId) })].sort((a, b) => a - b);
}
