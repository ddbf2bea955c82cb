import { evaluateOp, OP, OPS, type OpName } from './ops';
import type { Span } from './span';

/** Per-node facts that only text-built graphs have; programmatic tapes of millions of nodes skip them. */
export interface NodeMeta {
  name?: string;
  span?: Span;
}

const NONE = -1;

// The hottest ops get their own case in Tape.apply: each case calls one fixed function (the op table's own
// `evaluate`), which V8 inlines; the rest go through evaluateOp's switch. One call through `OPS[op].evaluate`
// would be megamorphic (~20–80 ns a node).
const fn = (name: OpName) => OPS[OP[name]].evaluate;
const ADD = OP.add, SUB = OP.sub, MUL = OP.mul, DIV = OP.div, POW = OP.pow, TANH = OP.tanh;
const evAdd = fn('add'), evSub = fn('sub'), evMul = fn('mul'), evDiv = fn('div'), evPow = fn('pow'), evTanh = fn('tanh');

/**
 * Reverse-mode autodiff tape in typed arrays (struct of arrays, no object per node).
 * Nodes are appended after their inputs, so index order is a topological order: the backward pass is one
 * reverse loop — no recursion, no sort — and a chain of millions of ops cannot overflow the stack.
 * Local derivatives are computed with the value in the forward pass (see ops.ts), so backward only
 * multiplies and accumulates: grad[a] += local·grad[node], summing over fan-out (x*x gives x two edges).
 */
export class Tape {
  size = 0;
  op: Uint8Array;
  in0: Int32Array;
  in1: Int32Array;
  value: Float64Array;
  local0: Float64Array;
  local1: Float64Array;
  grad: Float64Array;
  /** Output of the last backward pass, or -1. */
  output = NONE;
  readonly meta = new Map<number, NodeMeta>();
  private readonly scratch = new Float64Array(3);

  constructor(capacity = 64) {
    const c = Math.max(4, capacity);
    this.op = new Uint8Array(c);
    this.in0 = new Int32Array(c);
    this.in1 = new Int32Array(c);
    this.value = new Float64Array(c);
    this.local0 = new Float64Array(c);
    this.local1 = new Float64Array(c);
    this.grad = new Float64Array(c);
  }

  /**
   * Empties the tape but keeps its arrays, so the next trace of a similar size (a training loop re-tracing
   * every step) writes into memory that is already mapped instead of paying page faults on fresh pages.
   */
  reset(): void {
    this.size = 0;
    this.output = NONE;
    this.meta.clear();
  }

  /** A named leaf whose gradient we want. */
  input(name: string, value: number, span?: Span): number {
    const i = this.leaf(OP.input, value);
    if (name) this.meta.set(i, span ? { name, span } : { name });
    return i;
  }

  /** A literal or a named constant such as π. */
  constant(value: number, meta?: NodeMeta): number {
    const i = this.leaf(OP.const, value);
    if (meta) this.meta.set(i, meta);
    return i;
  }

  /** Appends op(a, b) and computes its value and local derivatives now. */
  apply(op: number, a: number, b: number = NONE): number {
    const i = this.size;
    if (i === this.value.length) this.grow();
    const r = this.scratch;
    r[2] = 0;
    const va = this.value[a];
    const vb = b === NONE ? 0 : this.value[b];
    switch (op) {
      case ADD: evAdd(va, vb, r); break;
      case MUL: evMul(va, vb, r); break;
      case POW: evPow(va, vb, r); break;
      case SUB: evSub(va, vb, r); break;
      case DIV: evDiv(va, vb, r); break;
      case TANH: evTanh(va, vb, r); break;
      default: evaluateOp(op, va, vb, r);
    }
    this.op[i] = op;
    this.in0[i] = a;
    this.in1[i] = b;
    this.value[i] = r[0];
    this.local0[i] = r[1];
    this.local1[i] = r[2];
    this.size = i + 1;
    return i;
  }

  /** apply() by op name, attaching a span/name for display. */
  applyNamed(op: OpName, a: number, b: number = NONE, meta?: NodeMeta): number {
    const i = this.apply(OP[op], a, b);
    if (meta) this.meta.set(i, meta);
    return i;
  }

  /** Sets ∂output/∂node for every node up to `output` (grads are reset first, so repeated calls agree). */
  backward(output: number): void {
    const { in0, in1, local0, local1, grad } = this;
    grad.fill(0, 0, this.size);
    grad[output] = 1;
    this.output = output;
    for (let i = output; i >= 0; i--) {
      const g = grad[i];
      // A zero upstream contributes nothing, even across an infinite local derivative.
      if (g === 0) continue;
      const a = in0[i];
      if (a === NONE) continue;
      grad[a] += local0[i] * g;
      const b = in1[i];
      if (b !== NONE) grad[b] += local1[i] * g;
    }
  }

  /**
   * Recomputes values (and local derivatives) of every node after `from`, e.g. after an input changed:
   * the finite-difference check perturbs one input and replays.
   */
  replay(from = 0, to = this.size - 1): void {
    const { op, in0, in1, value, local0, local1 } = this;
    const r = this.scratch;
    for (let i = from; i <= to; i++) {
      const a = in0[i];
      if (a === NONE) continue;
      const b = in1[i];
      r[2] = 0;
      evaluateOp(op[i], value[a], b === NONE ? 0 : value[b], r);
      value[i] = r[0];
      local0[i] = r[1];
      local1[i] = r[2];
    }
  }

  /** Marks the nodes the output depends on (its ancestors and itself), iteratively. */
  ancestors(output: number): Uint8Array {
    const mark = new Uint8Array(this.size);
    mark[output] = 1;
    for (let i = output; i >= 0; i--) {
      if (!mark[i]) continue;
      const a = this.in0[i];
      if (a !== NONE) mark[a] = 1;
      const b = this.in1[i];
      if (b !== NONE) mark[b] = 1;
    }
    return mark;
  }

  private leaf(op: number, value: number): number {
    const i = this.size;
    if (i === this.value.length) this.grow();
    this.op[i] = op;
    this.in0[i] = NONE;
    this.in1[i] = NONE;
    this.value[i] = value;
    this.local0[i] = 0;
    this.local1[i] = 0;
    this.size = i + 1;
    return i;
  }

  private grow(): void {
    const c = this.value.length * 2;
    const grow8 = (a: Uint8Array) => { const n = new Uint8Array(c); n.set(a); return n; };
    const grow32 = (a: Int32Array) => { const n = new Int32Array(c); n.set(a); return n; };
    const grow64 = (a: Float64Array) => { const n = new Float64Array(c); n.set(a); return n; };
    this.op = grow8(this.op);
    this.in0 = grow32(this.in0);
    this.in1 = grow32(this.in1);
    this.value = grow64(this.value);
    this.local0 = grow64(this.local0);
    this.local1 = grow64(this.local1);
    this.grad = grow64(this.grad);
  }
}
