import { formatNumber } from '../base/format';
import { OP, OPS, type OpName } from '../tape/ops';
import type { Span } from '../base/span';
import type { TensorGroup } from '../ast/ir';
import type { TaggedMeta, Trace } from '../interpreter/trace';
import type { TraceScope } from '../interpreter/scopes';

export interface GraphNode {
  /** Generated from the tape index (`n0`, `n1`, …); never user text. */
  id: string;
  kind: 'input' | 'const' | 'op';
  op: OpName;
  /** What the node draws as its operator: `+`, `tanh`, `σ`, … */
  symbol: string;
  name?: string;
  value: number;
  /**
   * ∂output/∂node. Constants have theirs too, but views show it only when asked (setting
   * `backpropGraph.constantGradients`, CLI `--constant-grads`); see `noGrad` for literal exponents.
   */
  grad: number;
  /**
   * Set on a constant exponent (the 2 in x²): ∂(aᵇ)/∂b = aᵇ·ln a is never computed for it (it is NaN for a
   * negative base, and a literal exponent is part of the power rule), so it has no gradient: `grad` and its
   * edge's `local` and `product` are 0 here, and no view shows them (null in the CLI's JSON).
   */
  noGrad?: true;
  span?: Span;
  /** What is unusual here, e.g. why a value or gradient is NaN or ∞: every such node says so itself. */
  warnings?: string[];
  /**
   * A symbolic graph's node (GraphModel.symbolic): its value and gradient ∂out/∂node as formulas in the inputs
   * (`x² + 1`, `2x·cos(x² + 1)`); `value` and `grad` are NaN placeholders then, shown nowhere. `grad` is absent
   * where none is shown (constants) or it is too long to write.
   */
  symbolic?: { value: string; grad?: string };
  /** Matrix programs: the TensorGroup (graph.groups) this scalar node was unrolled from. */
  group?: number;
  /** …and which entry of the group's value it is (row-major), when it is one of the group's outputs. */
  element?: number;
  /** Interpreted programs: the innermost call, loop or iteration (GraphModel.scopes id) the node was created in. */
  scope?: number;
  /** Set on the node that stands for a collapsed call or loop (collapseScopes() in summarize.ts). */
  scopeNode?: ScopeNode;
}

/**
 * A collapsed group's node. Its value and grad are its first output's; the emitter's label lists the rest.
 * The ids are of nodes in the same (collapsed) model, so the emitter can name them as it draws them.
 */
export interface ScopeNode {
  scope: number;
  /** How many nodes of the full graph it hides. */
  hidden: number;
  /**
   * The values the group reads from outside, in order of first use, with the gradient it sends back to each.
   * An input that is not drawn (used only by collapsed groups) carries its name and value here.
   */
  inputs: { id: string; grad: number; name?: string; value?: number }[];
  /** The nodes inside whose values leave the group (or the graph's output), with their values and gradients. */
  outputs: { id: string; name?: string; value: number; grad: number }[];
}

/** A condition the program evaluated: only the branch taken is in the graph (as in PyTorch). */
export interface GraphBranch {
  span: Span;
  /** As written: `x > 0`. */
  condition: string;
  /** Whether the condition held here. */
  taken: boolean;
  /** The node the condition compared, when it is in the graph. */
  node?: string;
}

export interface GraphEdge {
  from: string;
  to: string;
  /** Which argument of `to` this edge feeds (0 or 1): `x*x` has two edges from x, one per argument. */
  arg: 0 | 1;
  /** ∂to/∂from. */
  local: number;
  /** ∂to/∂from as a formula in the graph's names (`2x`, `1 − h²`, `w`); absent when an operand is too long to write. */
  localFormula?: string;
  /** ∂output/∂to. */
  upstream: number;
  /** local · upstream: this edge's contribution to grad(from). */
  product: number;
}

export interface GraphModel {
  nodes: GraphNode[];
  edges: GraphEdge[];
  output: string;
  /** Named inputs and their gradients, in order of first appearance. */
  inputs: { id: string; name: string; value: number; grad: number; source: 'given' | 'literal' }[];
  warnings: string[];
  /** Matrix programs: the matrix-level ops; tensorView() (graph/tensor-view.ts) draws one node per group. */
  groups?: TensorGroup[];
  /**
   * Interpreted programs: the calls, loops and iterations that have nodes in this graph (parents before
   * children); GraphNode.scope says where each node was created. Absent for straight-line programs.
   */
  scopes?: TraceScope[];
  /** Interpreted programs: the conditions evaluated, in order (the graph is for this input's branches). */
  branches?: GraphBranch[];
  /**
   * Set when the graph has no numbers (a sympy program traced without values, or with an undefined function):
   * every node's `symbolic` holds its value and gradient, every edge's `localFormula` its local derivative.
   */
  symbolic?: true;
}

/** How a node's note about its own non-finite gradient starts (views hide it where they hide the gradient). */
export const GRADIENT_NOTE = 'gradient is ';
/** The end of a note on a node that a NaN/∞ value only flows through (the note where it starts says why). */
const PROPAGATED = 'comes from an input';

const LOGS: ReadonlySet<number> = new Set([OP.log, OP.log2, OP.log10, OP.logb]);

function valueWarning(op: number, a: number, b: number, v: number): string | undefined {
  if (Number.isFinite(v)) return undefined;
  if (LOGS.has(op) && a < 0) return `log of a negative number (${a}) is NaN`;
  if (LOGS.has(op) && a === 0) return 'log of 0 is −∞';
  if (op === OP.div && b === 0) return 'division by zero';
  if (op === OP.sqrt && a < 0) return `square root of a negative number (${a}) is NaN`;
  if ((op === OP.asin || op === OP.acos) && Math.abs(a) > 1) return `${OPS[op].name} of ${a} (outside [−1, 1]) is NaN`;
  if (op === OP.pow && a < 0 && !Number.isInteger(b)) return `negative base to a fractional power is NaN`;
  return `value is ${v}`;
}

/** The graph the output depends on, with every edge's local derivative, upstream gradient and product. */
export function buildGraph(trace: Trace): GraphModel {
  const { tape, output } = trace;
  const keep = tape.ancestors(output);
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const warnings: string[] = [];
  const id = (i: number) => `n${i}`;
  const byIndex = new Map<number, GraphNode>();
  for (let i = 0; i <= output; i++) {
    if (!keep[i]) continue;
    const op = tape.op[i];
    const spec = OPS[op];
    const meta = tape.meta.get(i);
    const kind = op === OP.input ? 'input' : op === OP.const ? 'const' : 'op';
    const node: GraphNode = { id: id(i), kind, op: spec.name, symbol: spec.symbol, value: tape.value[i], grad: tape.grad[i] };
    if (meta?.name !== undefined) node.name = meta.name;
    if (meta?.span) node.span = meta.span;
    const tag = (meta as TaggedMeta | undefined)?.group;
    if (tag) {
      node.group = tag.group;
      if (tag.element !== undefined) node.element = tag.element;
    }
    if (meta?.scope !== undefined) node.scope = meta.scope;
    const notes: string[] = [];
    const a = tape.in0[i];
    const b = tape.in1[i];
    if (kind === 'op') {
      const av = tape.value[a];
      const bv = b >= 0 ? tape.value[b] : 0;
      const inputsFinite = Number.isFinite(av) && Number.isFinite(bv);
      // Say where a NaN/∞ starts; the nodes it flows through say only that it came from an input.
      if (inputsFinite) {
        const w = valueWarning(op, av, bv, tape.value[i]);
        if (w) notes.push(w);
      }
      const k = spec.kink?.(av, bv);
      if (k) notes.push(k);
      if (!inputsFinite && !Number.isFinite(tape.value[i])) notes.push(`value ${formatNumber(tape.value[i])} ${PROPAGATED}`);
      // tape.local() never computes a constant exponent's partial, as the backward pass does not.
      const [local0, local1] = tape.local(i);
      const constantExponent = op === OP.pow && tape.op[b] === OP.const;
      if (constantExponent) byIndex.get(b)!.noGrad = true;
      if (inputsFinite && Number.isFinite(tape.value[i]) && (!Number.isFinite(local0) || (b >= 0 && !Number.isFinite(local1) && tape.op[b] !== OP.const))) {
        notes.push('local derivative is not finite here');
      }
      for (const [from, arg, local] of [[a, 0, local0], [b, 1, local1]] as const) {
        if (from < 0) continue;
        const upstream = tape.grad[i];
        // Matches the tape: a zero upstream contributes zero, even times an infinite local; and a constant
        // exponent's edge carries nothing (its local is not computed), even from an infinite upstream.
        const product = upstream === 0 || (arg === 1 && constantExponent) ? 0 : local * upstream;
        edges.push({ from: id(from), to: id(i), arg, local, upstream, product });
      }
    }
    // Where a NaN/∞ starts goes to the graph's list (and an input's gradient, the answer); the notes on the
    // nodes it then flows through stay on those nodes, so every node that shows one also says why.
    const listed = notes.filter((n) => !n.endsWith(PROPAGATED));
    if (!Number.isFinite(node.grad)) {
      // An op's: a local derivative between it and the output is not finite (that node says so), or overflowed.
      const note = kind === 'input' ? `${GRADIENT_NOTE}${node.grad}` : `${GRADIENT_NOTE}${formatNumber(node.grad)}, from a later node`;
      notes.push(note);
      if (kind === 'input') listed.push(note);
    }
    if (notes.length) node.warnings = notes;
    if (listed.length) {
      const where = node.span ? `${node.span.line}:${node.span.col}: ` : '';
      for (const n of listed) warnings.push(`${where}${node.name ?? spec.symbol}: ${n}`);
    }
    byIndex.set(i, node);
    nodes.push(node);
  }
  const inputs = trace.inputs
    .filter((inp, k, all) => all.findIndex((o) => o.name === inp.name) === k)
    .map((inp) => ({ id: id(inp.index), name: inp.name, value: tape.value[inp.index], grad: inp.index <= output ? tape.grad[inp.index] : 0, source: inp.source }));
  const model: GraphModel = { nodes, edges, output: id(output), inputs, warnings };
  if (trace.program.groups) model.groups = trace.program.groups;
  if (trace.scopes?.length) {
    const scopes = usedScopes(trace.scopes, nodes);
    if (scopes.length) model.scopes = scopes;
  }
  if (trace.branches?.length) {
    model.branches = trace.branches.map((b) => {
      const branch: GraphBranch = { span: b.span, condition: b.condition, taken: b.taken };
      if (b.node !== undefined && b.node <= output && keep[b.node]) branch.node = id(b.node);
      return branch;
    });
  }
  return model;
}

/** The scopes that hold a node of the graph, with their ancestors, parents first (the order they are drawn in). */
function usedScopes(all: readonly TraceScope[], nodes: readonly GraphNode[]): TraceScope[] {
  const byId = new Map(all.map((s) => [s.id, s]));
  const used = new Set<number>();
  for (const node of nodes) {
    for (let s = node.scope; s !== undefined && !used.has(s); s = byId.get(s)?.parent) {
      if (!byId.has(s)) break;
      used.add(s);
    }
  }
  const depth = (s: TraceScope) => {
    let d = 0;
    for (let p = s.parent; p !== undefined && d <= all.length; p = byId.get(p)?.parent) d++;
    return d;
  };
  // Stable by depth: parents before children, siblings in trace order.
  return all.filter((s) => used.has(s.id)).map((s) => [depth(s), s] as const).sort((a, b) => a[0] - b[0]).map(([, s]) => s);
}
