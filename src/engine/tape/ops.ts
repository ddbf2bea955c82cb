/**
 * The op table: one entry per op, each stating its forward value and its local partial derivatives side by side
 * (the spirit of micrograd's engine.py). `forward(a, b)` is the value; `localA(a, b, out)` and `localB(a, b, out)`
 * are ∂out/∂a and ∂out/∂b, given the inputs and the value already computed (so tanh's is 1 − out², exp's is out).
 * The tape stores only values: the backward pass computes each local derivative from them when it needs it,
 * which halves the tape's memory and skips derivatives no one asks for (a constant exponent's).
 *
 * Beside each numeric rule sits the same rule on symbolic expressions (`symbolicA`, `symbolicB`, built with
 * symbolic/algebra.ts): the engine's one symbolic differentiator (symbolic/derive.ts) and the edges' formulas
 * (symbolic/edge-formulas.ts) both read them, so a rule is stated once, as a number and as a formula.
 */
import { add, call, div, mul, neg, num, ONE, piecewise, pow, recip, square, sub, ZERO as SYM_ZERO, type SymExpr } from '../symbolic/algebra';

export type OpName =
  | 'input' | 'const' | 'id'
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'neg'
  | 'sin' | 'cos' | 'tan' | 'asin' | 'acos' | 'atan'
  | 'sinh' | 'cosh' | 'tanh' | 'exp' | 'log' | 'logb' | 'log2' | 'log10'
  | 'sqrt' | 'cbrt' | 'abs' | 'square' | 'max' | 'min' | 'hypot'
  | 'sigmoid' | 'relu' | 'softplus' | 'leakyRelu'
  | 'fn';

export interface OpSpec {
  readonly name: OpName;
  /** Number of tape inputs (0 for leaves). */
  readonly arity: 0 | 1 | 2;
  /** What a node of this op shows in the graph. */
  readonly symbol: string;
  /** The value op(a, b) (b is ignored by unary ops). */
  readonly forward: (a: number, b: number) => number;
  /** ∂out/∂a at inputs a, b where out = forward(a, b). */
  readonly localA: (a: number, b: number, out: number) => number;
  /** ∂out/∂b (0 for unary ops). */
  readonly localB: (a: number, b: number, out: number) => number;
  /** The op as an expression of its argument expressions; absent means a call `symbol(a)` / `symbol(a, b)`. */
  readonly expression?: (a: SymExpr, b: SymExpr) => SymExpr;
  /** ∂out/∂a as an expression of the argument expressions a, b and the op's own expression `out` (1 − out² for tanh). */
  readonly symbolicA: (a: SymExpr, b: SymExpr, out: SymExpr) => SymExpr;
  /** ∂out/∂b as an expression (0 for unary ops). */
  readonly symbolicB: (a: SymExpr, b: SymExpr, out: SymExpr) => SymExpr;
  /** The local derivative rule in words, for hovers ("d/du tanh(u) = 1 − tanh²(u)"). */
  readonly rule: string;
  /** When the inputs sit on a point where the op is not differentiable: the convention used. */
  readonly kink?: (a: number, b: number) => string | undefined;
}

const LN2 = Math.LN2;
const LN10 = Math.LN10;
/** Slope of leakyRelu on the negative side when none is given. */
export const LEAKY_RELU_SLOPE = 0.01;

function sigmoid(x: number): number {
  // Two branches so that exp never overflows: sigmoid(-800) is 0, not NaN.
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

function softplus(x: number): number {
  // log(1 + e^x) without overflow for large x.
  return x > 30 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

const ZERO = () => 0;
const SYMBOLIC_ZERO = () => SYM_ZERO;
const SYMBOLIC_ONE = () => ONE;
const leaf = { forward: (a: number) => a, localA: ZERO, localB: ZERO, symbolicA: SYMBOLIC_ZERO, symbolicB: SYMBOLIC_ZERO };
/** A call of another op of this table, printed with its symbol (read when a rule runs, after the table exists). */
const fn = (op: OpName, ...args: SymExpr[]) => call(op, opSpec(op).symbol, args);
const ln = (a: SymExpr) => fn('log', a);
/** 1/√(1 − u²), asin's and (negated) acos's derivative. */
const arcsinSlope = (a: SymExpr) => recip(fn('sqrt', sub(ONE, square(a))));

const table: OpSpec[] = [
  { name: 'input', arity: 0, symbol: 'input', rule: 'a leaf', ...leaf },
  { name: 'const', arity: 0, symbol: 'const', rule: 'a constant', ...leaf },
  { name: 'id', arity: 1, symbol: '=', rule: 'd/du u = 1',
    forward: (a) => a, localA: () => 1, localB: ZERO,
    expression: (a) => a, symbolicA: SYMBOLIC_ONE, symbolicB: SYMBOLIC_ZERO },
  { name: 'add', arity: 2, symbol: '+', rule: '∂(a+b)/∂a = 1, ∂(a+b)/∂b = 1',
    forward: (a, b) => a + b, localA: () => 1, localB: () => 1,
    expression: (a, b) => add([a, b]), symbolicA: SYMBOLIC_ONE, symbolicB: SYMBOLIC_ONE },
  { name: 'sub', arity: 2, symbol: '−', rule: '∂(a−b)/∂a = 1, ∂(a−b)/∂b = −1',
    forward: (a, b) => a - b, localA: () => 1, localB: () => -1,
    expression: sub, symbolicA: SYMBOLIC_ONE, symbolicB: () => num(-1) },
  { name: 'mul', arity: 2, symbol: '×', rule: '∂(a·b)/∂a = b, ∂(a·b)/∂b = a',
    forward: (a, b) => a * b, localA: (_a, b) => b, localB: (a) => a,
    expression: (a, b) => mul([a, b]), symbolicA: (_a, b) => b, symbolicB: (a) => a },
  { name: 'div', arity: 2, symbol: '÷', rule: '∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = −a/b²',
    forward: (a, b) => a / b, localA: (_a, b) => 1 / b, localB: (a, b) => -a / (b * b),
    expression: div, symbolicA: (_a, b) => recip(b), symbolicB: (a, b) => neg(div(a, square(b))) },
  { name: 'pow', arity: 2, symbol: '^', rule: '∂(aᵇ)/∂a = b·aᵇ⁻¹, ∂(aᵇ)/∂b = aᵇ·ln a',
    // Squares are the common case (losses, the benchmark): a·a and 2a are bit-identical to Math.pow(a, 2) and
    // 2·Math.pow(a, 1), and several times cheaper.
    forward: (a, b) => (b === 2 ? a * a : Math.pow(a, b)),
    // b·a^(b−1) written this way so 0^2 gives 0 (not 2·0·∞).
    localA: (a, b) => (b === 2 ? 2 * a : b === 0 ? 0 : b * Math.pow(a, b - 1)),
    // The exponent's derivative exists only for a > 0; at a = 0 the limit for b > 0 is 0.
    localB: (a, b, out) => (a > 0 ? out * Math.log(a) : a === 0 && b > 0 ? 0 : NaN),
    expression: pow, symbolicA: (a, b) => mul([b, pow(a, sub(b, ONE))]), symbolicB: (a, _b, out) => mul([out, ln(a)]) },
  { name: 'neg', arity: 1, symbol: '−', rule: 'd/du (−u) = −1',
    forward: (a) => -a, localA: () => -1, localB: ZERO,
    expression: neg, symbolicA: () => num(-1), symbolicB: SYMBOLIC_ZERO },
  { name: 'sin', arity: 1, symbol: 'sin', rule: 'd/du sin(u) = cos(u)',
    forward: Math.sin, localA: (a) => Math.cos(a), localB: ZERO,
    symbolicA: (a) => fn('cos', a), symbolicB: SYMBOLIC_ZERO },
  { name: 'cos', arity: 1, symbol: 'cos', rule: 'd/du cos(u) = −sin(u)',
    forward: Math.cos, localA: (a) => -Math.sin(a), localB: ZERO,
    symbolicA: (a) => neg(fn('sin', a)), symbolicB: SYMBOLIC_ZERO },
  { name: 'tan', arity: 1, symbol: 'tan', rule: 'd/du tan(u) = 1/cos²(u)',
    forward: Math.tan, localA: (a) => { const cos = Math.cos(a); return 1 / (cos * cos); }, localB: ZERO,
    symbolicA: (a) => recip(square(fn('cos', a))), symbolicB: SYMBOLIC_ZERO },
  { name: 'asin', arity: 1, symbol: 'asin', rule: 'd/du asin(u) = 1/√(1−u²)',
    forward: Math.asin, localA: (a) => 1 / Math.sqrt(1 - a * a), localB: ZERO,
    symbolicA: arcsinSlope, symbolicB: SYMBOLIC_ZERO },
  { name: 'acos', arity: 1, symbol: 'acos', rule: 'd/du acos(u) = −1/√(1−u²)',
    forward: Math.acos, localA: (a) => -1 / Math.sqrt(1 - a * a), localB: ZERO,
    symbolicA: (a) => neg(arcsinSlope(a)), symbolicB: SYMBOLIC_ZERO },
  { name: 'atan', arity: 1, symbol: 'atan', rule: 'd/du atan(u) = 1/(1+u²)',
    forward: Math.atan, localA: (a) => 1 / (1 + a * a), localB: ZERO,
    symbolicA: (a) => recip(add([ONE, square(a)])), symbolicB: SYMBOLIC_ZERO },
  { name: 'sinh', arity: 1, symbol: 'sinh', rule: 'd/du sinh(u) = cosh(u)',
    forward: Math.sinh, localA: (a) => Math.cosh(a), localB: ZERO,
    symbolicA: (a) => fn('cosh', a), symbolicB: SYMBOLIC_ZERO },
  { name: 'cosh', arity: 1, symbol: 'cosh', rule: 'd/du cosh(u) = sinh(u)',
    forward: Math.cosh, localA: (a) => Math.sinh(a), localB: ZERO,
    symbolicA: (a) => fn('sinh', a), symbolicB: SYMBOLIC_ZERO },
  { name: 'tanh', arity: 1, symbol: 'tanh', rule: 'd/du tanh(u) = 1 − tanh²(u)',
    forward: Math.tanh, localA: (_a, _b, out) => 1 - out * out, localB: ZERO,
    symbolicA: (_a, _b, out) => sub(ONE, square(out)), symbolicB: SYMBOLIC_ZERO },
  { name: 'exp', arity: 1, symbol: 'exp', rule: 'd/du eᵘ = eᵘ',
    forward: Math.exp, localA: (_a, _b, out) => out, localB: ZERO,
    symbolicA: (_a, _b, out) => out, symbolicB: SYMBOLIC_ZERO },
  { name: 'log', arity: 1, symbol: 'ln', rule: 'd/du ln(u) = 1/u',
    forward: Math.log, localA: (a) => 1 / a, localB: ZERO,
    symbolicA: (a) => recip(a), symbolicB: SYMBOLIC_ZERO },
  { name: 'logb', arity: 2, symbol: 'log', rule: '∂log_b(a)/∂a = 1/(a·ln b), ∂log_b(a)/∂b = −ln a/(b·ln² b)',
    forward: (a, b) => Math.log(a) / Math.log(b),
    localA: (a, b) => 1 / (a * Math.log(b)),
    localB: (a, b) => { const lnB = Math.log(b); return -Math.log(a) / (b * lnB * lnB); },
    symbolicA: (a, b) => recip(mul([a, ln(b)])), symbolicB: (a, b) => neg(div(ln(a), mul([b, square(ln(b))]))) },
  { name: 'log2', arity: 1, symbol: 'log₂', rule: 'd/du log₂(u) = 1/(u·ln 2)',
    forward: Math.log2, localA: (a) => 1 / (a * LN2), localB: ZERO,
    symbolicA: (a) => recip(mul([a, ln(num(2))])), symbolicB: SYMBOLIC_ZERO },
  { name: 'log10', arity: 1, symbol: 'log₁₀', rule: 'd/du log₁₀(u) = 1/(u·ln 10)',
    forward: Math.log10, localA: (a) => 1 / (a * LN10), localB: ZERO,
    symbolicA: (a) => recip(mul([a, ln(num(10))])), symbolicB: SYMBOLIC_ZERO },
  { name: 'sqrt', arity: 1, symbol: '√', rule: 'd/du √u = 1/(2√u)',
    forward: Math.sqrt, localA: (_a, _b, out) => 0.5 / out, localB: ZERO,
    symbolicA: (_a, _b, out) => recip(mul([num(2), out])), symbolicB: SYMBOLIC_ZERO },
  { name: 'cbrt', arity: 1, symbol: '∛', rule: 'd/du ∛u = 1/(3·∛u²)',
    forward: Math.cbrt, localA: (_a, _b, out) => 1 / (3 * out * out), localB: ZERO,
    symbolicA: (_a, _b, out) => recip(mul([num(3), square(out)])), symbolicB: SYMBOLIC_ZERO },
  { name: 'abs', arity: 1, symbol: 'abs', rule: "d/du |u| = sign(u), with abs'(0) = 0",
    forward: Math.abs, localA: (a) => (a > 0 ? 1 : a < 0 ? -1 : 0), localB: ZERO,
    symbolicA: (a) => piecewise(a, '>', SYM_ZERO, ONE, piecewise(a, '<', SYM_ZERO, num(-1), SYM_ZERO)), symbolicB: SYMBOLIC_ZERO,
    kink: (a) => (a === 0 ? "abs is not differentiable at 0; using abs'(0) = 0" : undefined) },
  { name: 'square', arity: 1, symbol: 'square', rule: 'd/du u² = 2u',
    forward: (a) => a * a, localA: (a) => 2 * a, localB: ZERO,
    expression: square, symbolicA: (a) => mul([num(2), a]), symbolicB: SYMBOLIC_ZERO },
  { name: 'max', arity: 2, symbol: 'max', rule: '∂max(a,b) = 1 for the larger input, 0 for the other (ties go to a)',
    forward: (a, b) => (a >= b ? a : b), localA: (a, b) => (a >= b ? 1 : 0), localB: (a, b) => (a >= b ? 0 : 1),
    symbolicA: (a, b) => piecewise(a, '≥', b, ONE, SYM_ZERO), symbolicB: (a, b) => piecewise(a, '<', b, ONE, SYM_ZERO),
    kink: (a, b) => (a === b ? 'max has a tie; the gradient goes to the first argument' : undefined) },
  { name: 'min', arity: 2, symbol: 'min', rule: '∂min(a,b) = 1 for the smaller input, 0 for the other (ties go to a)',
    forward: (a, b) => (a <= b ? a : b), localA: (a, b) => (a <= b ? 1 : 0), localB: (a, b) => (a <= b ? 0 : 1),
    symbolicA: (a, b) => piecewise(a, '≤', b, ONE, SYM_ZERO), symbolicB: (a, b) => piecewise(a, '>', b, ONE, SYM_ZERO),
    kink: (a, b) => (a === b ? 'min has a tie; the gradient goes to the first argument' : undefined) },
  { name: 'hypot', arity: 2, symbol: 'hypot', rule: '∂hypot(a,b)/∂a = a/hypot(a,b), ∂/∂b = b/hypot(a,b)',
    forward: (a, b) => Math.hypot(a, b),
    localA: (a, _b, out) => (out === 0 ? 0 : a / out),
    localB: (_a, b, out) => (out === 0 ? 0 : b / out),
    symbolicA: (a, _b, out) => div(a, out), symbolicB: (_a, b, out) => div(b, out),
    kink: (a, b) => (a === 0 && b === 0 ? 'hypot is not differentiable at (0, 0); using 0' : undefined) },
  { name: 'sigmoid', arity: 1, symbol: 'σ', rule: 'd/du σ(u) = σ(u)·(1 − σ(u))',
    forward: sigmoid, localA: (_a, _b, out) => out * (1 - out), localB: ZERO,
    symbolicA: (_a, _b, out) => mul([out, sub(ONE, out)]), symbolicB: SYMBOLIC_ZERO },
  { name: 'relu', arity: 1, symbol: 'relu', rule: "d/du relu(u) = 1 if u > 0 else 0, with relu'(0) = 0",
    forward: (a) => (a > 0 ? a : 0), localA: (a) => (a > 0 ? 1 : 0), localB: ZERO,
    symbolicA: (a) => piecewise(a, '>', SYM_ZERO, ONE, SYM_ZERO), symbolicB: SYMBOLIC_ZERO,
    kink: (a) => (a === 0 ? "relu is not differentiable at 0; using relu'(0) = 0" : undefined) },
  { name: 'softplus', arity: 1, symbol: 'softplus', rule: 'd/du ln(1+eᵘ) = σ(u)',
    forward: softplus, localA: (a) => sigmoid(a), localB: ZERO,
    symbolicA: (a) => fn('sigmoid', a), symbolicB: SYMBOLIC_ZERO },
  { name: 'leakyRelu', arity: 2, symbol: 'leakyRelu', rule: "∂leakyRelu(u, α)/∂u = 1 if u > 0 else α, with leakyRelu'(0) = α",
    forward: (a, b) => (a > 0 ? a : b * a), localA: (a, b) => (a > 0 ? 1 : b), localB: (a) => (a > 0 ? 0 : a),
    symbolicA: (a, b) => piecewise(a, '>', SYM_ZERO, ONE, b), symbolicB: (a) => piecewise(a, '>', SYM_ZERO, SYM_ZERO, a),
    kink: (a) => (a === 0 ? "leakyRelu is not differentiable at 0; using the negative-side slope" : undefined) },
  // sympy's undefined function, Function('g')(x): no formula, so no number. Its graphs are symbolic
  // (symbolic/abstract.ts names it and its derivative, `g(x)` and `dg/dx`); the rules here are its generic form.
  { name: 'fn', arity: 1, symbol: 'f', rule: "d/du f(u) = f′(u) (an undefined function: its derivative is a symbol)",
    forward: () => NaN, localA: () => NaN, localB: ZERO,
    expression: (a) => call('fn', 'f', [a]), symbolicA: (a) => call('fn′', 'f′', [a]), symbolicB: SYMBOLIC_ZERO },
];

// Every entry gets the same object shape so loads of its fields stay monomorphic.
export const OPS: readonly OpSpec[] = table.map((s) => Object.freeze({
  name: s.name, arity: s.arity, symbol: s.symbol, forward: s.forward, localA: s.localA, localB: s.localB,
  expression: s.expression, symbolicA: s.symbolicA, symbolicB: s.symbolicB, rule: s.rule, kink: s.kink,
}));

/** Numeric op codes: the index of the op in OPS (the tape stores these in a Uint8Array). */
export const OP = Object.fromEntries(OPS.map((s, i) => [s.name, i])) as { readonly [K in OpName]: number };

export function opSpec(name: OpName): OpSpec {
  return OPS[OP[name]];
}
