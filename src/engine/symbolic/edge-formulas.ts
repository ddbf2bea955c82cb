/**
 * Each edge's local derivative ∂to/∂from as a formula in the graph's own names (GraphEdge.localFormula): `2x`
 * on x → x², `1 − h²` into a tanh node named h, `w` for x → w·x, `−1` for sub's right side. The formulas are
 * the op table's symbolic rules (symbolicA/symbolicB) applied to each operand's name, or to its printed
 * sub-expression when it has no name and the text is short; otherwise the edge keeps its number only.
 */
import type { GraphModel } from '../graph/graph';
import type { TaggedMeta, Trace } from '../interpreter/trace';
import { LIMITS } from '../base/limits';
import { OP, OPS } from '../tape/ops';
import { name, num, print, ZERO, type SymExpr } from './algebra';
import { applyOp, constantExpression } from './derive';
import { abstractSlope, abstractValue } from './abstract';

/** An unnamed operand is written out on an edge when its text is at most this long. */
export const EDGE_OPERAND_MAX_CHARS = 12;
/** Stands for an operand too long to write; a formula that contains it is not shown. */
const UNWRITTEN = '\u0000';

export function attachEdgeFormulas(graph: GraphModel, trace: Trace): void {
  if (graph.edges.length > LIMITS.maxFormulaEdges) return;
  const { tape, output } = trace;
  // The tape is in topological order: every operand's expression is known before its users'.
  const expressions: (SymExpr | undefined)[] = new Array(output + 1);
  const unwritten = name(UNWRITTEN);
  const expressionOf = (i: number): SymExpr => expressions[i] ?? unwritten;
  const drawn = new Set(graph.nodes.map((n) => Number(n.id.slice(1))));
  for (let i = 0; i <= output; i++) {
    if (!drawn.has(i)) continue;
    const op = tape.op[i];
    const meta = tape.meta.get(i);
    if (op === OP.const) expressions[i] = meta?.name !== undefined ? constantExpression(meta.name, tape.value[i]) : num(tape.value[i]);
    else if (meta?.name !== undefined) expressions[i] = name(meta.name);
    else if (op !== OP.input) {
      const a = expressions[tape.in0[i]];
      const b = tape.in1[i] >= 0 ? expressions[tape.in1[i]] : ZERO;
      if (a && b) {
        const fn = (meta as TaggedMeta | undefined)?.fn;
        const e = fn !== undefined ? abstractValue(fn, a) : applyOp(OPS[op], a, b);
        if (print(e).length <= EDGE_OPERAND_MAX_CHARS) expressions[i] = e;
      }
    }
  }
  for (const edge of graph.edges) {
    const to = Number(edge.to.slice(1));
    const spec = OPS[tape.op[to]];
    const a = expressionOf(tape.in0[to]);
    const b = tape.in1[to] >= 0 ? expressionOf(tape.in1[to]) : ZERO;
    const rule = edge.arg === 0 ? spec.symbolicA : spec.symbolicB;
    const fn = (tape.meta.get(to) as TaggedMeta | undefined)?.fn;
    // An undefined function's slope is a symbol: dg/dx by an input, ∂f/∂g by a computed node.
    const slope = fn !== undefined ? abstractSlope(fn, a, tape.op[tape.in0[to]] !== OP.input) : rule(a, b, expressionOf(to));
    const text = print(slope);
    if (!text.includes(UNWRITTEN)) edge.localFormula = text;
  }
}
