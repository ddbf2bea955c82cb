/**
 * The symbolic graph: a program traced without values (a sympy cell with no --at, or one applying an undefined
 * function) still has its structure on the tape; here every node gets its value and its gradient ∂out/∂node as
 * formulas in the inputs, and every edge its local derivative, so the chain rule reads off the picture with
 * letters instead of numbers. The gradients come from a symbolic backward pass over the tape, the same `+=` of
 * local · upstream the numeric pass does, with the op table's symbolic rules.
 */
import type { GraphModel } from '../graph/graph';
import type { TaggedMeta, Trace } from '../interpreter/trace';
import { LIMITS } from '../base/limits';
import { OP, OPS } from '../tape/ops';
import { add, mul, name, num, ONE, print, size, ZERO, type SymExpr } from './algebra';
import { abstractSlope, abstractValue } from './abstract';
import { applyOp, constantExpression } from './derive';

/** A node's value or gradient longer than this is cut (with `…`): a label must stay readable. */
export const SYMBOLIC_TEXT_MAX = 40;
/** An edge's local derivative longer than this is left out of the label. */
export const SYMBOLIC_EDGE_MAX = 28;

const cut = (text: string, max: number) => ([...text].length > max ? `${[...text].slice(0, max - 1).join('')}…` : text);
/** Expressions past the symbolic limit are not built further (undefined: not shown). */
const bounded = (e: SymExpr | undefined) => (e && size(e) <= LIMITS.maxSymbolicChars ? e : undefined);

export function attachSymbolicValues(graph: GraphModel, trace: Trace): void {
  const { tape, output } = trace;
  graph.symbolic = true;
  // The numeric warnings are about the placeholders (NaN everywhere): nothing here is a number.
  graph.warnings = [];
  const byIndex = new Map(graph.nodes.map((n) => [Number(n.id.slice(1)), n]));
  const fnOf = (i: number) => (tape.meta.get(i) as TaggedMeta | undefined)?.fn;
  const values: (SymExpr | undefined)[] = new Array(output + 1);
  for (let i = 0; i <= output; i++) {
    const node = byIndex.get(i);
    if (!node) continue;
    delete node.warnings;
    const op = tape.op[i];
    const meta = tape.meta.get(i);
    if (op === OP.const) values[i] = meta?.name !== undefined ? constantExpression(meta.name, tape.value[i]) : num(tape.value[i]);
    else if (op === OP.input) values[i] = name(meta?.name ?? 'input');
    else {
      const a = values[tape.in0[i]];
      const b = tape.in1[i] >= 0 ? values[tape.in1[i]] : ZERO;
      const fn = fnOf(i);
      if (fn !== undefined) node.symbol = fn;
      values[i] = a && b ? bounded(fn !== undefined ? abstractValue(fn, a) : applyOp(OPS[op], a, b)) : undefined;
    }
  }
  /** ∂node/∂operand in the inputs' terms. */
  const local = (i: number, arg: 0 | 1): SymExpr | undefined => {
    const a = values[tape.in0[i]];
    const b = tape.in1[i] >= 0 ? values[tape.in1[i]] : ZERO;
    const out = values[i];
    if (!a || !b || !out) return undefined;
    const fn = fnOf(i);
    if (fn !== undefined) return abstractSlope(fn, a, tape.op[tape.in0[i]] !== OP.input);
    const spec = OPS[tape.op[i]];
    return bounded((arg === 0 ? spec.symbolicA : spec.symbolicB)(a, b, out));
  };
  // Backward, in reverse tape order: every consumer of a node comes after it, so its terms are all in.
  const terms = new Map<number, (SymExpr | undefined)[]>();
  const grads: (SymExpr | undefined)[] = new Array(output + 1);
  for (let i = output; i >= 0; i--) {
    const node = byIndex.get(i);
    if (!node) continue;
    const parts = terms.get(i);
    grads[i] = i === output ? ONE : parts && parts.every((p) => p) ? bounded(add(parts as SymExpr[])) : undefined;
    const op = tape.op[i];
    if (op === OP.input || op === OP.const) continue;
    for (const arg of [0, 1] as const) {
      const from = arg === 0 ? tape.in0[i] : tape.in1[i];
      // Constants have no gradient shown, and a literal exponent's is never taken (as in the numeric pass).
      if (from < 0 || tape.op[from] === OP.const) continue;
      const slope = local(i, arg);
      const g = grads[i];
      const list = terms.get(from) ?? [];
      // upstream · local: the chain rule's outer factor first (∂f/∂g·dg/dx).
      list.push(slope && g ? bounded(mul([g, slope])) : undefined);
      terms.set(from, list);
    }
  }
  for (const [i, node] of byIndex) {
    const value = values[i];
    const grad = node.kind === 'const' ? undefined : grads[i];
    node.symbolic = { value: value ? cut(print(value), SYMBOLIC_TEXT_MAX) : '…' };
    if (grad) node.symbolic.grad = cut(print(grad), SYMBOLIC_TEXT_MAX);
  }
  // Edges: the formula in the graph's names (edge-formulas.ts) when it has one, else in the inputs' terms.
  for (const edge of graph.edges) {
    if (edge.localFormula !== undefined) continue;
    const slope = local(Number(edge.to.slice(1)), edge.arg);
    const text = slope && print(slope);
    if (text && [...text].length <= SYMBOLIC_EDGE_MAX) edge.localFormula = text;
  }
}
