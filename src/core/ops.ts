/**
 * The op table: one entry per op, each stating its forward value and its local partial derivatives side by side
 * (the spirit of micrograd's engine.py). `evaluate` writes [value, ∂value/∂a, ∂value/∂b] into `r`, so the tape
 * stores the local derivatives during the forward pass and the backward pass is a plain multiply-accumulate.
 */

export type OpName =
  | 'input' | 'const' | 'id'
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'neg'
  | 'sin' | 'cos' | 'tan' | 'asin' | 'acos' | 'atan'
  | 'sinh' | 'cosh' | 'tanh' | 'exp' | 'log' | 'logb' | 'log2' | 'log10'
  | 'sqrt' | 'cbrt' | 'abs' | 'square' | 'max' | 'min' | 'hypot'
  | 'sigmoid' | 'relu' | 'softplus' | 'leakyRelu';

export interface OpSpec {
  readonly name: OpName;
  /** Number of tape inputs (0 for leaves). */
  readonly arity: 0 | 1 | 2;
  /** What a node of this op shows in the graph. */
  readonly symbol: string;
  /** Writes value, ∂/∂a, ∂/∂b into r[0..2]. */
  readonly evaluate: (a: number, b: number, r: Float64Array) => void;
  /** The local derivative rule in words, for hovers ("d/du tanh(u) = 1 − tanh(u)²"). */
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

const table: OpSpec[] = [
  { name: 'input', arity: 0, symbol: 'input', rule: 'a leaf', evaluate: () => {} },
  { name: 'const', arity: 0, symbol: 'const', rule: 'a constant', evaluate: () => {} },
  { name: 'id', arity: 1, symbol: '=', rule: 'd/du u = 1',
    evaluate: (a, _b, r) => { r[0] = a; r[1] = 1; } },
  { name: 'add', arity: 2, symbol: '+', rule: '∂(a+b)/∂a = 1, ∂(a+b)/∂b = 1',
    evaluate: (a, b, r) => { r[0] = a + b; r[1] = 1; r[2] = 1; } },
  { name: 'sub', arity: 2, symbol: '−', rule: '∂(a−b)/∂a = 1, ∂(a−b)/∂b = −1',
    evaluate: (a, b, r) => { r[0] = a - b; r[1] = 1; r[2] = -1; } },
  { name: 'mul', arity: 2, symbol: '×', rule: '∂(a·b)/∂a = b, ∂(a·b)/∂b = a',
    evaluate: (a, b, r) => { r[0] = a * b; r[1] = b; r[2] = a; } },
  { name: 'div', arity: 2, symbol: '÷', rule: '∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = −a/b²',
    evaluate: (a, b, r) => { r[0] = a / b; r[1] = 1 / b; r[2] = -a / (b * b); } },
  { name: 'pow', arity: 2, symbol: '^', rule: '∂(aᵇ)/∂a = b·aᵇ⁻¹, ∂(aᵇ)/∂b = aᵇ·ln a',
    evaluate: (a, b, r) => {
      if (b === 2) {
        // Squares are the common case (losses, the benchmark): a·a is bit-identical to Math.pow(a, 2) and
        // several times cheaper. The exponent's derivative is the general formula's, written out.
        const sq = a * a;
        r[0] = sq;
        r[1] = 2 * a;
        r[2] = a > 0 ? sq * Math.log(a) : a === 0 ? 0 : NaN;
        return;
      }
      const v = Math.pow(a, b);
      r[0] = v;
      // b·a^(b−1) written this way so 0^2 gives 0 (not 2·0·∞).
      r[1] = b === 0 ? 0 : b * Math.pow(a, b - 1);
      // The exponent's derivative exists only for a > 0; at a = 0 the limit for b > 0 is 0.
      r[2] = a > 0 ? v * Math.log(a) : a === 0 && b > 0 ? 0 : NaN;
    } },
  { name: 'neg', arity: 1, symbol: '−', rule: 'd/du (−u) = −1',
    evaluate: (a, _b, r) => { r[0] = -a; r[1] = -1; } },
  { name: 'sin', arity: 1, symbol: 'sin', rule: 'd/du sin(u) = cos(u)',
    evaluate: (a, _b, r) => { r[0] = Math.sin(a); r[1] = Math.cos(a); } },
  { name: 'cos', arity: 1, symbol: 'cos', rule: 'd/du cos(u) = −sin(u)',
    evaluate: (a, _b, r) => { r[0] = Math.cos(a); r[1] = -Math.sin(a); } },
  { name: 'tan', arity: 1, symbol: 'tan', rule: 'd/du tan(u) = 1/cos²(u)',
    evaluate: (a, _b, r) => { const c = Math.cos(a); r[0] = Math.tan(a); r[1] = 1 / (c * c); } },
  { name: 'asin', arity: 1, symbol: 'asin', rule: 'd/du asin(u) = 1/√(1−u²)',
    evaluate: (a, _b, r) => { r[0] = Math.asin(a); r[1] = 1 / Math.sqrt(1 - a * a); } },
  { name: 'acos', arity: 1, symbol: 'acos', rule: 'd/du acos(u) = −1/√(1−u²)',
    evaluate: (a, _b, r) => { r[0] = Math.acos(a); r[1] = -1 / Math.sqrt(1 - a * a); } },
  { name: 'atan', arity: 1, symbol: 'atan', rule: 'd/du atan(u) = 1/(1+u²)',
    evaluate: (a, _b, r) => { r[0] = Math.atan(a); r[1] = 1 / (1 + a * a); } },
  { name: 'sinh', arity: 1, symbol: 'sinh', rule: 'd/du sinh(u) = cosh(u)',
    evaluate: (a, _b, r) => { r[0] = Math.sinh(a); r[1] = Math.cosh(a); } },
  { name: 'cosh', arity: 1, symbol: 'cosh', rule: 'd/du cosh(u) = sinh(u)',
    evaluate: (a, _b, r) => { r[0] = Math.cosh(a); r[1] = Math.sinh(a); } },
  { name: 'tanh', arity: 1, symbol: 'tanh', rule: 'd/du tanh(u) = 1 − tanh²(u)',
    evaluate: (a, _b, r) => { const t = Math.tanh(a); r[0] = t; r[1] = 1 - t * t; } },
  { name: 'exp', arity: 1, symbol: 'exp', rule: 'd/du eᵘ = eᵘ',
    evaluate: (a, _b, r) => { const v = Math.exp(a); r[0] = v; r[1] = v; } },
  { name: 'log', arity: 1, symbol: 'ln', rule: 'd/du ln(u) = 1/u',
    evaluate: (a, _b, r) => { r[0] = Math.log(a); r[1] = 1 / a; } },
  { name: 'logb', arity: 2, symbol: 'log', rule: '∂log_b(a)/∂a = 1/(a·ln b), ∂log_b(a)/∂b = −ln a/(b·ln² b)',
    evaluate: (a, b, r) => {
      const lb = Math.log(b);
      r[0] = Math.log(a) / lb;
      r[1] = 1 / (a * lb);
      r[2] = -Math.log(a) / (b * lb * lb);
    } },
  { name: 'log2', arity: 1, symbol: 'log₂', rule: 'd/du log₂(u) = 1/(u·ln 2)',
    evaluate: (a, _b, r) => { r[0] = Math.log2(a); r[1] = 1 / (a * LN2); } },
  { name: 'log10', arity: 1, symbol: 'log₁₀', rule: 'd/du log₁₀(u) = 1/(u·ln 10)',
    evaluate: (a, _b, r) => { r[0] = Math.log10(a); r[1] = 1 / (a * LN10); } },
  { name: 'sqrt', arity: 1, symbol: '√', rule: 'd/du √u = 1/(2√u)',
    evaluate: (a, _b, r) => { const s = Math.sqrt(a); r[0] = s; r[1] = 0.5 / s; } },
  { name: 'cbrt', arity: 1, symbol: '∛', rule: 'd/du ∛u = 1/(3·∛u²)',
    evaluate: (a, _b, r) => { const c = Math.cbrt(a); r[0] = c; r[1] = 1 / (3 * c * c); } },
  { name: 'abs', arity: 1, symbol: 'abs', rule: "d/du |u| = sign(u), with abs'(0) = 0",
    evaluate: (a, _b, r) => { r[0] = Math.abs(a); r[1] = a > 0 ? 1 : a < 0 ? -1 : 0; },
    kink: (a) => (a === 0 ? "abs is not differentiable at 0; using abs'(0) = 0" : undefined) },
  { name: 'square', arity: 1, symbol: 'square', rule: 'd/du u² = 2u',
    evaluate: (a, _b, r) => { r[0] = a * a; r[1] = 2 * a; } },
  { name: 'max', arity: 2, symbol: 'max', rule: '∂max(a,b) = 1 for the larger input, 0 for the other (ties go to a)',
    evaluate: (a, b, r) => { const first = a >= b; r[0] = first ? a : b; r[1] = first ? 1 : 0; r[2] = first ? 0 : 1; },
    kink: (a, b) => (a === b ? 'max has a tie; the gradient goes to the first argument' : undefined) },
  { name: 'min', arity: 2, symbol: 'min', rule: '∂min(a,b) = 1 for the smaller input, 0 for the other (ties go to a)',
    evaluate: (a, b, r) => { const first = a <= b; r[0] = first ? a : b; r[1] = first ? 1 : 0; r[2] = first ? 0 : 1; },
    kink: (a, b) => (a === b ? 'min has a tie; the gradient goes to the first argument' : undefined) },
  { name: 'hypot', arity: 2, symbol: 'hypot', rule: '∂hypot(a,b)/∂a = a/hypot(a,b), ∂/∂b = b/hypot(a,b)',
    evaluate: (a, b, r) => {
      const h = Math.hypot(a, b);
      r[0] = h;
      r[1] = h === 0 ? 0 : a / h;
      r[2] = h === 0 ? 0 : b / h;
    },
    kink: (a, b) => (a === 0 && b === 0 ? 'hypot is not differentiable at (0, 0); using 0' : undefined) },
  { name: 'sigmoid', arity: 1, symbol: 'σ', rule: 'd/du σ(u) = σ(u)·(1 − σ(u))',
    evaluate: (a, _b, r) => { const s = sigmoid(a); r[0] = s; r[1] = s * (1 - s); } },
  { name: 'relu', arity: 1, symbol: 'relu', rule: "d/du relu(u) = 1 if u > 0 else 0, with relu'(0) = 0",
    evaluate: (a, _b, r) => { r[0] = a > 0 ? a : 0; r[1] = a > 0 ? 1 : 0; },
    kink: (a) => (a === 0 ? "relu is not differentiable at 0; using relu'(0) = 0" : undefined) },
  { name: 'softplus', arity: 1, symbol: 'softplus', rule: 'd/du ln(1+eᵘ) = σ(u)',
    evaluate: (a, _b, r) => { r[0] = softplus(a); r[1] = sigmoid(a); } },
  { name: 'leakyRelu', arity: 2, symbol: 'leakyRelu', rule: "∂leakyRelu(u, α)/∂u = 1 if u > 0 else α, with leakyRelu'(0) = α",
    evaluate: (a, b, r) => { r[0] = a > 0 ? a : b * a; r[1] = a > 0 ? 1 : b; r[2] = a > 0 ? 0 : a; },
    kink: (a) => (a === 0 ? "leakyRelu is not differentiable at 0; using the negative-side slope" : undefined) },
];

// Every entry gets the same object shape so the tape's `OPS[op].evaluate` load stays monomorphic.
export const OPS: readonly OpSpec[] = table.map((s) => Object.freeze({
  name: s.name, arity: s.arity, symbol: s.symbol, evaluate: s.evaluate, rule: s.rule, kink: s.kink,
}));

/** Numeric op codes: the index of the op in OPS (the tape stores these in a Uint8Array). */
export const OP = Object.fromEntries(OPS.map((s, i) => [s.name, i])) as { readonly [K in OpName]: number };

// Dispatch for the tape's hot loop. Calling `OPS[op].evaluate` directly is one megamorphic call site
// (~20–80 ns a call); here every case calls one fixed function, so V8 can inline each. The formulas stay in
// the table above: these are the table's own functions, not copies.
const ev = (name: OpName) => OPS[OP[name]].evaluate;
const ID = OP.id, ADD = OP.add, SUB = OP.sub, MUL = OP.mul, DIV = OP.div, POW = OP.pow, NEG = OP.neg;
const SIN = OP.sin, COS = OP.cos, TAN = OP.tan, ASIN = OP.asin, ACOS = OP.acos, ATAN = OP.atan;
const SINH = OP.sinh, COSH = OP.cosh, TANH = OP.tanh, EXP = OP.exp, LOG = OP.log, LOGB = OP.logb;
const LOG2 = OP.log2, LOG10 = OP.log10, SQRT = OP.sqrt, CBRT = OP.cbrt, ABS = OP.abs, SQUARE = OP.square;
const MAX = OP.max, MIN = OP.min, HYPOT = OP.hypot, SIGMOID = OP.sigmoid, RELU = OP.relu;
const SOFTPLUS = OP.softplus, LEAKY_RELU = OP.leakyRelu;
const evId = ev('id'), evAdd = ev('add'), evSub = ev('sub'), evMul = ev('mul'), evDiv = ev('div'), evPow = ev('pow');
const evNeg = ev('neg'), evSin = ev('sin'), evCos = ev('cos'), evTan = ev('tan'), evAsin = ev('asin');
const evAcos = ev('acos'), evAtan = ev('atan'), evSinh = ev('sinh'), evCosh = ev('cosh'), evTanh = ev('tanh');
const evExp = ev('exp'), evLog = ev('log'), evLogb = ev('logb'), evLog2 = ev('log2'), evLog10 = ev('log10');
const evSqrt = ev('sqrt'), evCbrt = ev('cbrt'), evAbs = ev('abs'), evSquare = ev('square'), evMax = ev('max');
const evMin = ev('min'), evHypot = ev('hypot'), evSigmoid = ev('sigmoid'), evRelu = ev('relu');
const evSoftplus = ev('softplus'), evLeakyRelu = ev('leakyRelu');

/** `OPS[op].evaluate(a, b, r)`, dispatched by a switch (see above). Unary ops leave r[2] untouched. */
export function evaluateOp(op: number, a: number, b: number, r: Float64Array): void {
  switch (op) {
    case ADD: evAdd(a, b, r); return;
    case MUL: evMul(a, b, r); return;
    case POW: evPow(a, b, r); return;
    case TANH: evTanh(a, b, r); return;
    case SUB: evSub(a, b, r); return;
    case DIV: evDiv(a, b, r); return;
    case NEG: evNeg(a, b, r); return;
    case EXP: evExp(a, b, r); return;
    case LOG: evLog(a, b, r); return;
    case SIGMOID: evSigmoid(a, b, r); return;
    case RELU: evRelu(a, b, r); return;
    case SIN: evSin(a, b, r); return;
    case COS: evCos(a, b, r); return;
    case SQUARE: evSquare(a, b, r); return;
    case SQRT: evSqrt(a, b, r); return;
    case ID: evId(a, b, r); return;
    case TAN: evTan(a, b, r); return;
    case ASIN: evAsin(a, b, r); return;
    case ACOS: evAcos(a, b, r); return;
    case ATAN: evAtan(a, b, r); return;
    case SINH: evSinh(a, b, r); return;
    case COSH: evCosh(a, b, r); return;
    case LOGB: evLogb(a, b, r); return;
    case LOG2: evLog2(a, b, r); return;
    case LOG10: evLog10(a, b, r); return;
    case CBRT: evCbrt(a, b, r); return;
    case ABS: evAbs(a, b, r); return;
    case MAX: evMax(a, b, r); return;
    case MIN: evMin(a, b, r); return;
    case HYPOT: evHypot(a, b, r); return;
    case SOFTPLUS: evSoftplus(a, b, r); return;
    case LEAKY_RELU: evLeakyRelu(a, b, r); return;
    default: OPS[op].evaluate(a, b, r);
  }
}

export function opSpec(name: OpName): OpSpec {
  return OPS[OP[name]];
}
