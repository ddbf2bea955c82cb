import { OP, OPS, type OpName } from './ops';
import type { Span } from '../base/span';

/** Per-node facts that only text-built graphs have; programmatic tapes of millions of nodes skip them. */
export interface NodeMeta {
  name?: string;
  span?: Span;
  /** Interpreted programs: the innermost call/loop/iteration scope (Trace.scopes id) the node was created in. */
  scope?: number;
}

const NONE = -1;

// The hottest ops get their own case in the tape's loops: each case calls one fixed function from the op
// table, which V8 inlines; other ops go through `OPS[op]`, one megamorphic call (~20–80 ns).
const spec = (name: OpName) => OPS[OP[name]];
const INPUT = OP.input, CONST = OP.const;
const ADD = OP.add, SUB = OP.sub, MUL = OP.mul, DIV = OP.div, POW = OP.pow, NEG = OP.neg;
const TANH = OP.tanh, EXP = OP.exp, LOG = OP.log, SIGMOID = OP.sigmoid, RELU = OP.relu, SIN = OP.sin, COS = OP.cos;
const add = spec('add'), sub = spec('sub'), mul = spec('mul'), div = spec('div'), pow = spec('pow'), neg = spec('neg');
const tanh = spec('tanh'), exp = spec('exp'), log = spec('log'), sig = spec('sigmoid'), relu = spec('relu');
const sin = spec('sin'), cos = spec('cos');
const addF = add.forward, subF = sub.forward, mulF = mul.forward, divF = div.forward, powF = pow.forward;
const negF = neg.forward, tanhF = tanh.forward, expF = exp.forward, logF = log.forward, sigF = sig.forward;
const reluF = relu.forward, sinF = sin.forward, cosF = cos.forward;
const addA = add.localA, addB = add.localB, subA = sub.localA, subB = sub.localB, negA = neg.localA;
const mulA = mul.localA, mulB = mul.localB, divA = div.localA, divB = div.localB, powA = pow.localA, powB = pow.localB;
const tanhA = tanh.localA, expA = exp.localA, logA = log.localA, sigA = sig.localA, reluA = relu.localA;
const sinA = sin.localA, cosA = cos.localA;

/** op(a, b)'s value from the op table. */
function forwardOp(op: number, a: number, b: number): number {
  switch (op) {
    case ADD: return addF(a, b);
    case MUL: return mulF(a, b);
    case POW: return powF(a, b);
    case SUB: return subF(a, b);
    case DIV: return divF(a, b);
    case TANH: return tanhF(a, b);
    case NEG: return negF(a, b);
    case EXP: return expF(a, b);
    case LOG: return logF(a, b);
    case SIGMOID: return sigF(a, b);
    case RELU: return reluF(a, b);
    case SIN: return sinF(a, b);
    case COS: return cosF(a, b);
    default: return OPS[op].forward(a, b);
  }
}

export interface BackwardOptions {
  /**
   * Also compute the gradients of constant leaves (what the graph can show on a literal such as the 0.5 in
   * 0.5·e). Off by default, as in PyTorch where constants do not require grad: then a constant's gradient is 0.
   * A constant exponent's derivative aᵇ·ln a is never computed, with or without this option: it is NaN for a
   * negative base, and a literal exponent is part of the power rule, not a quantity anyone trains.
   */
  constants?: boolean;
}

/**
 * Reverse-mode autodiff tape in typed arrays (struct of arrays, no object per node): op code, two input indices
 * and value per node, plus the gradient — 25 bytes a node.
 * Nodes are appended after their inputs, so index order is a topological order: the backward pass is one
 * reverse loop — no recursion, no sort — and a chain of millions of ops cannot overflow the stack.
 * The backward pass computes each local derivative from the stored values with the op table's `localA`/`localB`
 * and accumulates grad[a] += local·grad[node], summing over fan-out (x*x gives x two edges).
 */
export class Tape {
  size = 0;
  op: Uint8Array;
  in0: Int32Array;
  in1: Int32Array;
  value: Float64Array;
  grad: Float64Array;
  /** Output of the last backward pass, or -1. */
  output = NONE;
  readonly meta = new Map<number, NodeMeta>();
  /** Indices of constant leaves (to zero their gradients when they are not wanted). */
  private readonly constants: number[] = [];
  /** False until the first backward pass: a new tape's gradients are already zero, and filling them again
   * would only touch its fresh pages twice. */
  private gradsWritten = false;

  constructor(capacity = 64) {
    const c = Math.max(4, capacity);
    this.op = new Uint8Array(c);
    this.in0 = new Int32Array(c);
    this.in1 = new Int32Array(c);
    this.value = new Float64Array(c);
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
    this.constants.length = 0;
  }

  /** A named leaf whose gradient we want. */
  input(name: string, value: number, span?: Span): number {
    const i = this.leaf(INPUT, value);
    if (name) this.meta.set(i, span ? { name, span } : { name });
    return i;
  }

  /** A literal or a named constant such as π. */
  constant(value: number, meta?: NodeMeta): number {
    const i = this.leaf(CONST, value);
    this.constants.push(i);
    if (meta) this.meta.set(i, meta);
    return i;
  }

  /** Appends op(a, b) and computes its value now. */
  apply(op: number, a: number, b: number = NONE): number {
    const value = this.value;
    return this.push(op, a, b, forwardOp(op, value[a], b === NONE ? 0 : value[b]));
  }

  // One method per hot op, for programs that build graphs directly (the benchmark, a training loop): each is
  // small enough for V8 to inline at its call site, with the op's forward from the table, where apply()'s
  // switch over every op often is not inlined.
  add(a: number, b: number): number { const v = this.value; return this.push(ADD, a, b, addF(v[a], v[b])); }
  sub(a: number, b: number): number { const v = this.value; return this.push(SUB, a, b, subF(v[a], v[b])); }
  mul(a: number, b: number): number { const v = this.value; return this.push(MUL, a, b, mulF(v[a], v[b])); }
  div(a: number, b: number): number { const v = this.value; return this.push(DIV, a, b, divF(v[a], v[b])); }
  pow(a: number, b: number): number { const v = this.value; return this.push(POW, a, b, powF(v[a], v[b])); }
  neg(a: number): number { return this.push(NEG, a, NONE, negF(this.value[a], 0)); }
  tanh(a: number): number { return this.push(TANH, a, NONE, tanhF(this.value[a], 0)); }
  exp(a: number): number { return this.push(EXP, a, NONE, expF(this.value[a], 0)); }
  log(a: number): number { return this.push(LOG, a, NONE, logF(this.value[a], 0)); }
  sigmoid(a: number): number { return this.push(SIGMOID, a, NONE, sigF(this.value[a], 0)); }
  relu(a: number): number { return this.push(RELU, a, NONE, reluF(this.value[a], 0)); }
  sin(a: number): number { return this.push(SIN, a, NONE, sinF(this.value[a], 0)); }
  cos(a: number): number { return this.push(COS, a, NONE, cosF(this.value[a], 0)); }

  /** apply() by op name, attaching a span/name for display. */
  applyNamed(op: OpName, a: number, b: number = NONE, meta?: NodeMeta): number {
    const i = this.apply(OP[op], a, b);
    if (meta) this.meta.set(i, meta);
    return i;
  }

  /**
   * Sets ∂output/∂node for every node up to `output` (grads are reset first, so repeated calls agree).
   * Constant leaves get gradients only with `{ constants: true }`; otherwise theirs are 0.
   */
  backward(output: number, options: BackwardOptions = {}): void {
    const { op, in0, in1, value, grad } = this;
    const constants = options.constants === true;
    if (this.gradsWritten) grad.fill(0, 0, this.size);
    this.gradsWritten = true;
    grad[output] = 1;
    this.output = output;
    for (let i = output; i >= 0; i--) {
      const g = grad[i];
      // A zero upstream contributes nothing, even across an infinite local derivative.
      if (g === 0) continue;
      const a = in0[i];
      if (a === NONE) continue;
      const b = in1[i];
      switch (op[i]) {
        // add's, sub's and neg's local derivatives are constants: their table functions ignore the arguments.
        case ADD: grad[a] += addA(0, 0, 0) * g; grad[b] += addB(0, 0, 0) * g; break;
        case SUB: grad[a] += subA(0, 0, 0) * g; grad[b] += subB(0, 0, 0) * g; break;
        case MUL: grad[a] += mulA(value[a], value[b], 0) * g; grad[b] += mulB(value[a], value[b], 0) * g; break;
        case POW: {
          const va = value[a], vb = value[b];
          grad[a] += powA(va, vb, 0) * g;
          // Never for a constant exponent (see BackwardOptions.constants): aᵇ·ln a is NaN for a < 0, and costs a log.
          if (op[b] !== CONST) grad[b] += powB(va, vb, value[i]) * g;
          break;
        }
        case TANH: grad[a] += tanhA(value[a], 0, value[i]) * g; break;
        case DIV: grad[a] += divA(value[a], value[b], 0) * g; grad[b] += divB(value[a], value[b], 0) * g; break;
        case NEG: grad[a] += negA(0, 0, 0) * g; break;
        case EXP: grad[a] += expA(value[a], 0, value[i]) * g; break;
        case LOG: grad[a] += logA(value[a], 0, 0) * g; break;
        case SIGMOID: grad[a] += sigA(value[a], 0, value[i]) * g; break;
        case RELU: grad[a] += reluA(value[a], 0, 0) * g; break;
        case SIN: grad[a] += sinA(value[a], 0, 0) * g; break;
        case COS: grad[a] += cosA(value[a], 0, 0) * g; break;
        default: {
          const s = OPS[op[i]];
          const va = value[a], vb = b === NONE ? 0 : value[b];
          grad[a] += s.localA(va, vb, value[i]) * g;
          if (b !== NONE) grad[b] += s.localB(va, vb, value[i]) * g;
        }
      }
    }
    if (!constants) for (const c of this.constants) grad[c] = 0;
  }

  /**
   * ∂node/∂input for node i's two inputs, from the op table: 0 for a missing input, and 0 for a constant
   * exponent, whose partial aᵇ·ln a the backward pass never computes either.
   */
  local(i: number): [number, number] {
    const a = this.in0[i];
    if (a === NONE) return [0, 0];
    const b = this.in1[i];
    const s = OPS[this.op[i]];
    const va = this.value[a], vb = b === NONE ? 0 : this.value[b], out = this.value[i];
    const skipB = b === NONE || (this.op[i] === POW && this.op[b] === CONST);
    return [s.localA(va, vb, out), skipB ? 0 : s.localB(va, vb, out)];
  }

  /**
   * Recomputes the value of every node after `from`, e.g. after an input changed: the finite-difference check
   * perturbs one input and replays.
   */
  replay(from = 0, to = this.size - 1): void {
    const { op, in0, in1, value } = this;
    for (let i = from; i <= to; i++) {
      const a = in0[i];
      if (a === NONE) continue;
      const b = in1[i];
      value[i] = forwardOp(op[i], value[a], b === NONE ? 0 : value[b]);
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

  /** Appends a node whose value the caller computed from its inputs' values (read before any grow). */
  private push(op: number, a: number, b: number, value: number): number {
    const i = this.size;
    if (i === this.value.length) this.grow();
    this.op[i] = op;
    this.in0[i] = a;
    this.in1[i] = b;
    this.value[i] = value;
    this.size = i + 1;
    return i;
  }

  private leaf(op: number, value: number): number {
    return this.push(op, NONE, NONE, value);
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
    this.grad = grow64(this.grad);
  }
}
