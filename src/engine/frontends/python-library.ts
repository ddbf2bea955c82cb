import type { Expr, IrOp } from '../ast/ir';
import type { Span } from '../base/span';
import { lookup } from '../base/lookup';

/**
 * The names the Python front end understands: modules (math, numpy, torch, torch.nn.functional, sympy,
 * micrograd), their functions, the methods of values (`.relu()`, `.sum()`), and what each call becomes in the
 * IR. Losses and clamps are written in terms of existing IR ops, so nothing here needs support further down.
 */

/** A keyword argument's value as written: lessons pass constants (`min=0`, `label='x1'`, `dtype=torch.float64`). */
export type KeywordValue = { kind: 'num'; value: number } | { kind: 'str'; value: string } | { kind: 'name'; text: string };
export type Keywords = Readonly<Record<string, { value: KeywordValue; span: Span }>>;

/** What a library function gets to build its IR with. */
export interface Builder {
  op(op: IrOp, args: Expr[], label?: string): Expr;
  num(value: number): Expr;
  /** For an argument used more than once: a function giving a fresh read of it (a non-leaf is assigned a name once). */
  share(arg: Expr, role: string): () => Expr;
  /** A number given as a keyword (`min=0`): its value, or a refusal naming the keyword. */
  numberKeyword(kw: Keywords, name: string): number | undefined;
  fail(message: string, span?: Span): never;
  /** Where the call is, and how it is written (`F.mse_loss`). */
  span: Span;
  name: string;
}

export type Fn =
  | { kind: 'op'; op: IrOp; min: number; max: number }
  | { kind: 'build'; min: number; max: number; keywords: readonly string[]; build: (args: Expr[], kw: Keywords, b: Builder) => Expr }
  | { kind: 'ctor' } // np.array / torch.tensor: a literal value
  | { kind: 'same' } // float(x), .double(), .item(): the value itself
  | { kind: 'fill'; fill: 0 | 1 | 'value' | 'eye' } // np.zeros((1, 3)): a literal of that shape
  | { kind: 'like'; fill: 0 | 1 } // np.zeros_like(a): a literal shaped like a literal above
  | { kind: 'value' } // micrograd's Value(2.0, label='a')
  | { kind: 'symbols' } // sympy's symbols('x y') / Symbol('x')
  | { kind: 'diff' } // sympy's diff(f, x): marks f as the output, x as the variable
  | { kind: 'abstract' } // sympy's Function('g'): applied, Function('g')(x), an undefined function of x
  | { kind: 'draw' } // draw_dot(...) / display(...): drawing, read past as a statement
  | { kind: 'refused'; why: string };

/** Keyword arguments each kind of call accepts (a 'build' lists its own). */
export function keywordsOf(fn: Fn): readonly string[] {
  switch (fn.kind) {
    case 'build': return fn.keywords;
    case 'ctor': case 'fill': case 'like': return ['requires_grad', 'dtype', 'device'];
    case 'value': return ['label'];
    case 'symbols': return ['real', 'positive', 'negative', 'integer', 'nonnegative', 'finite'];
    default: return [];
  }
}

export interface Module {
  /** How the module is written in messages: `np`, `torch`, `F`. */
  name: string;
  fns: Readonly<Record<string, Fn>>;
  constants: Readonly<Record<string, [string, number]>>;
  submodules?: Readonly<Record<string, Module>>;
  /** When set, every function of the module is refused with this reason (np.random, torch.nn). */
  refusedAll?: string;
}

const op = (o: IrOp, min = 1, max = min): Fn => ({ kind: 'op', op: o, min, max });
const build = (min: number, max: number, keywords: readonly string[], fn: (args: Expr[], kw: Keywords, b: Builder) => Expr): Fn =>
  ({ kind: 'build', min, max, keywords, build: fn });
const refused = (why: string): Fn => ({ kind: 'refused', why });

const RANDOM_WHY = 'draws random numbers, and code here is never run: write the values out, e.g. W1 = np.array([[0.1, -0.2], [0.3, 0.4]]) or torch.tensor([[0.1, -0.2]], requires_grad=True)';

/**
 * sum / mean over the whole array, or over one axis (`axis=` in numpy, `dim=` in torch, or positional):
 * the IR op gets the axis and keepdims as two more number arguments, which the matrix lowering reads.
 */
const reduceAll = (o: 'sum' | 'mean'): Fn => build(1, 2, ['axis', 'dim', 'keepdims', 'keepdim'], ([x, positional], kw, b) => {
  const given = kw.axis ?? kw.dim;
  const keyword = kw.axis ? 'axis' : 'dim';
  if (given && positional) b.fail(`${b.name}() with the axis given twice`, given.span);
  const keep = kw.keepdims ?? kw.keepdim;
  const keepText = keep?.value.kind === 'name' ? keep.value.text : undefined;
  if (keep && keepText !== 'True' && keepText !== 'False') b.fail(`${b.name}(…, ${kw.keepdims ? 'keepdims' : 'keepdim'}=…) must be True or False`, keep.span);
  let axis: number | undefined;
  if (given) {
    if (given.value.kind !== 'num' || !Number.isInteger(given.value.value)) b.fail(`${b.name}(…, ${keyword}=…) with an axis that is not a whole number (one axis; a tuple of axes is not supported)`, given.span);
    axis = (given.value as { value: number }).value;
  } else if (positional) {
    const v = positional.kind === 'num' ? positional.value : positional.kind === 'op' && positional.op === 'neg' && positional.args[0].kind === 'num' ? -positional.args[0].value : NaN;
    if (!Number.isInteger(v)) b.fail(`${b.name}(x, axis) with an axis that is not a whole number written out`, positional.span);
    axis = v;
  }
  if (axis === undefined) return b.op(o, [x], o);
  const label = `${o}(${given ? keyword : 'axis'}=${axis})`;
  return b.op(o, [x, b.num(axis), b.num(keepText === 'True' ? 1 : 0)], label);
});

/** clamp(x, min, max) as max/min: torch passes the gradient where x is inside [min, max], as max(x, min) does (ties go to x). */
const clampOf = (low: string, high: string): Fn => build(1, 3, [low, high], ([x, lo, hi], kw, b) => {
  const loExpr = lo ?? numOrUndefined(b, b.numberKeyword(kw, low));
  const hiExpr = hi ?? numOrUndefined(b, b.numberKeyword(kw, high));
  if (!loExpr && !hiExpr) b.fail(`${b.name}() needs a bound: ${low}= or ${high}=`);
  let out = x;
  if (loExpr) out = b.op('max', [out, loExpr], 'clamp');
  if (hiExpr) out = b.op('min', [out, hiExpr], 'clamp');
  return out;
});
const numOrUndefined = (b: Builder, v: number | undefined) => (v === undefined ? undefined : b.num(v));

/** A loss's `reduction=`: 'mean' (the default), 'sum' or 'none'. */
function reduced(elementwise: Expr, kw: Keywords, b: Builder): Expr {
  const r = kw.reduction;
  const how = r ? (r.value.kind === 'str' ? r.value.value : '') : 'mean';
  if (how === 'mean') return b.op('mean', [elementwise], 'mean');
  if (how === 'sum') return b.op('sum', [elementwise], 'sum');
  if (how === 'none') return elementwise;
  return b.fail(`${b.name}(): reduction= must be 'mean', 'sum' or 'none'`, r!.span);
}

const LOSSES = {
  mse_loss: build(2, 2, ['reduction'], ([input, target], kw, b) => reduced(b.op('pow', [b.op('sub', [input, target]), b.num(2)]), kw, b)),
  l1_loss: build(2, 2, ['reduction'], ([input, target], kw, b) => reduced(b.op('abs', [b.op('sub', [input, target])]), kw, b)),
  // −(y·ln p + (1 − y)·ln(1 − p)); torch also clamps the logs at −100, which a lesson's probabilities never reach.
  binary_cross_entropy: build(2, 2, ['reduction'], ([input, target], kw, b) => {
    const p = b.share(input, 'input');
    const y = b.share(target, 'target');
    const term = b.op('add', [b.op('mul', [y(), b.op('log', [p()])]), b.op('mul', [b.op('sub', [b.num(1), y()]), b.op('log', [b.op('sub', [b.num(1), p()])])])]);
    return reduced(b.op('neg', [term]), kw, b);
  }),
  // The same loss on logits z, in its stable form: softplus(z) − y·z = −(y·ln σ(z) + (1 − y)·ln(1 − σ(z))).
  binary_cross_entropy_with_logits: build(2, 2, ['reduction'], ([input, target], kw, b) => {
    const z = b.share(input, 'input');
    return reduced(b.op('sub', [b.op('softplus', [z()]), b.op('mul', [target, z()])]), kw, b);
  }),
};

const leakyRelu = build(1, 2, ['negative_slope', 'inplace'], ([x, slope], kw, b) =>
  b.op('leakyRelu', [x, slope ?? b.num(b.numberKeyword(kw, 'negative_slope') ?? 0.01)], 'leaky_relu'));
const softplus = build(1, 1, ['beta', 'threshold'], ([x], kw, b) => {
  const beta = b.numberKeyword(kw, 'beta');
  if (beta !== undefined && beta !== 1) b.fail(`${b.name}(…, beta=${beta}): only beta=1 is supported`, kw.beta.span);
  return b.op('softplus', [x], 'softplus');
});
const silu = build(1, 1, ['inplace'], ([x], _kw, b) => {
  const u = b.share(x, 'input');
  return b.op('mul', [u(), b.op('sigmoid', [u()])], 'silu');
});

const COMMON: Record<string, Fn> = {
  sin: op('sin'), cos: op('cos'), tan: op('tan'), sinh: op('sinh'), cosh: op('cosh'), tanh: op('tanh'),
  exp: op('exp'), log2: op('log2'), log10: op('log10'), sqrt: op('sqrt'),
};
const PI_E = lookup<[string, number]>({ pi: ['pi', Math.PI], e: ['e', Math.E] });

const MATH: Module = {
  name: 'math',
  fns: lookup<Fn>({
    ...COMMON, asin: op('asin'), acos: op('acos'), atan: op('atan'), fabs: op('abs'), log: op('log', 1, 2),
    pow: op('pow', 2), hypot: op('hypot', 1, Infinity), cbrt: op('cbrt'),
  }),
  constants: lookup<[string, number]>({ ...PI_E, tau: ['tau', 2 * Math.PI] }),
};

const NP_RANDOM: Module = { name: 'np.random', fns: lookup<Fn>({}), constants: lookup({}), refusedAll: RANDOM_WHY };
const NUMPY: Module = {
  name: 'np',
  fns: lookup<Fn>({
    ...COMMON, log: op('log'), arcsin: op('asin'), arccos: op('acos'), arctan: op('atan'), abs: op('abs'), absolute: op('abs'),
    square: op('square'), cbrt: op('cbrt'), maximum: op('max', 2), minimum: op('min', 2), power: op('pow', 2),
    negative: op('neg'), add: op('add', 2), subtract: op('sub', 2), multiply: op('mul', 2), divide: op('div', 2),
    array: { kind: 'ctor' }, asarray: { kind: 'ctor' }, dot: op('mmul', 2), matmul: op('matmul', 2), sum: reduceAll('sum'),
    mean: reduceAll('mean'), transpose: op('transpose'), clip: clampOf('a_min', 'a_max'),
    zeros: { kind: 'fill', fill: 0 }, ones: { kind: 'fill', fill: 1 }, full: { kind: 'fill', fill: 'value' }, eye: { kind: 'fill', fill: 'eye' },
    zeros_like: { kind: 'like', fill: 0 }, ones_like: { kind: 'like', fill: 1 },
  }),
  constants: PI_E,
  submodules: lookup({ random: NP_RANDOM }),
};

const FUNCTIONAL: Module = {
  name: 'F',
  fns: lookup<Fn>({
    relu: op('relu'), sigmoid: op('sigmoid'), tanh: op('tanh'), softplus, leaky_relu: leakyRelu, silu, ...LOSSES,
  }),
  constants: lookup({}),
};
const NN: Module = {
  name: 'nn',
  fns: lookup<Fn>({}),
  constants: lookup({}),
  submodules: lookup({ functional: FUNCTIONAL }),
  refusedAll: 'builds layers with random weights, and code here is never run: write the weights out with torch.tensor([...], requires_grad=True) and the layer as X @ W + b',
};
const TORCH: Module = {
  name: 'torch',
  fns: lookup<Fn>({
    ...COMMON, log: op('log'), asin: op('asin'), acos: op('acos'), atan: op('atan'), arcsin: op('asin'), arccos: op('acos'),
    arctan: op('atan'), abs: op('abs'), square: op('square'), sigmoid: op('sigmoid'), relu: op('relu'),
    maximum: op('max', 2), minimum: op('min', 2), pow: op('pow', 2), neg: op('neg'), add: op('add', 2), sub: op('sub', 2),
    mul: op('mul', 2), div: op('div', 2), tensor: { kind: 'ctor' }, Tensor: { kind: 'ctor' }, as_tensor: { kind: 'ctor' },
    matmul: op('matmul', 2), mm: op('matmul', 2), mv: op('matmul', 2), dot: op('dot', 2), sum: reduceAll('sum'), mean: reduceAll('mean'),
    t: op('transpose'), clamp: clampOf('min', 'max'), clip: clampOf('min', 'max'),
    zeros: { kind: 'fill', fill: 0 }, ones: { kind: 'fill', fill: 1 }, full: { kind: 'fill', fill: 'value' }, eye: { kind: 'fill', fill: 'eye' },
    zeros_like: { kind: 'like', fill: 0 }, ones_like: { kind: 'like', fill: 1 },
    randn: refused(RANDOM_WHY), rand: refused(RANDOM_WHY), randint: refused(RANDOM_WHY), normal: refused(RANDOM_WHY),
    randn_like: refused(RANDOM_WHY), rand_like: refused(RANDOM_WHY), manual_seed: refused(RANDOM_WHY),
  }),
  constants: PI_E,
  submodules: lookup({ nn: NN }),
};

const SYMPY: Module = {
  name: 'sympy',
  fns: lookup<Fn>({
    sin: op('sin'), cos: op('cos'), tan: op('tan'), sinh: op('sinh'), cosh: op('cosh'), tanh: op('tanh'), exp: op('exp'),
    log: op('log', 1, 2), sqrt: op('sqrt'), asin: op('asin'), acos: op('acos'), atan: op('atan'), Abs: op('abs'),
    Max: op('max', 1, Infinity), Min: op('min', 1, Infinity),
    simplify: { kind: 'same' }, expand: { kind: 'same' }, factor: { kind: 'same' },
    symbols: { kind: 'symbols' }, Symbol: { kind: 'symbols' }, diff: { kind: 'diff' },
    Function: { kind: 'abstract' },
    Derivative: refused('an unevaluated Derivative(...) is not supported: write diff(f, x)'),
  }),
  constants: lookup<[string, number]>({ pi: ['pi', Math.PI], E: ['e', Math.E] }),
};

const MICROGRAD_NN_WHY = "builds neurons with random weights (micrograd's nn uses random.uniform), and code here is never run: write the neuron out with Value(...) weights";
const MICROGRAD_ENGINE: Module = { name: 'micrograd.engine', fns: lookup<Fn>({ Value: { kind: 'value' } }), constants: lookup({}) };
const MICROGRAD_NN: Module = {
  name: 'micrograd.nn',
  fns: lookup<Fn>({ Neuron: refused(MICROGRAD_NN_WHY), Layer: refused(MICROGRAD_NN_WHY), MLP: refused(MICROGRAD_NN_WHY), Module: refused(MICROGRAD_NN_WHY) }),
  constants: lookup({}),
  refusedAll: MICROGRAD_NN_WHY,
};
const MICROGRAD: Module = { name: 'micrograd', fns: lookup<Fn>({}), constants: lookup({}), submodules: lookup({ engine: MICROGRAD_ENGINE, nn: MICROGRAD_NN }) };
const RANDOM: Module = { name: 'random', fns: lookup<Fn>({}), constants: lookup({}), refusedAll: RANDOM_WHY };

/** Importable modules by their dotted name. */
export const MODULES = lookup<Module>({
  math: MATH, numpy: NUMPY, torch: TORCH, 'torch.nn': NN, 'torch.nn.functional': FUNCTIONAL, sympy: SYMPY,
  micrograd: MICROGRAD, 'micrograd.engine': MICROGRAD_ENGINE, 'micrograd.nn': MICROGRAD_NN, random: RANDOM,
});

/**
 * Modules usable without an import line under their usual aliases, as lessons' snippets (and a selection
 * composed without its import lines) use them: `np.tanh(x)`, `torch.sin(x)`, `F.relu(h)`, `sp.diff(f, x)`.
 */
export const DEFAULT_MODULES = lookup<Module>({
  math: MATH, np: NUMPY, numpy: NUMPY, torch: TORCH, F: FUNCTIONAL, sp: SYMPY, sympy: SYMPY, random: RANDOM,
});

/** Names a lesson imports from a helper file to draw the graph (`from utils import draw_dot`): read past. */
export const DRAWING_NAMES = new Set(['draw_dot', 'draw', 'trace', 'display']);

/**
 * Names callable without an import: Python built-ins that are traced, sympy's (symbols, diff, sin, …: a
 * selection is often read without its import lines), and the names of micrograd's lecture notebook, which
 * defines `Value` and `draw_dot` in cells of its own.
 */
export const BUILTINS = lookup<Fn>({
  // `from sympy import …` (or math's, numpy's: the same functions) first, so Python's own abs/max/min/pow win.
  ...SYMPY.fns,
  abs: op('abs'), max: op('max', 1, Infinity), min: op('min', 1, Infinity), pow: op('pow', 2), float: { kind: 'same' },
  display: { kind: 'draw' }, draw_dot: { kind: 'draw' }, Value: { kind: 'value' },
});

/** Calls that would run code or touch the system: named in the refusal so the reason is plain. */
export const DANGEROUS = new Set(['exec', 'eval', 'open', '__import__', 'compile', 'input', 'getattr', 'setattr', 'globals', 'locals', 'vars', 'breakpoint']);

/** Methods of a value (micrograd Value, torch tensor, numpy array). The receiver is the first argument. */
export const METHODS = lookup<Fn>({
  relu: op('relu'), tanh: op('tanh'), exp: op('exp'), log: op('log'), sigmoid: op('sigmoid'), sqrt: op('sqrt'), abs: op('abs'),
  sin: op('sin'), cos: op('cos'), square: op('square'), neg: op('neg'), pow: op('pow', 2), sum: reduceAll('sum'), mean: reduceAll('mean'),
  t: op('transpose'), transpose: op('transpose'), matmul: op('matmul', 2), mm: op('matmul', 2), dot: op('mmul', 2),
  clamp: clampOf('min', 'max'), clip: clampOf('min', 'max'),
  item: { kind: 'same' }, double: { kind: 'same' }, float: { kind: 'same' }, requires_grad_: { kind: 'same' },
  detach: refused('.detach() cuts the value out of the graph; the graph would lose its gradient here'),
  backward: refused('.backward() inside an expression: write y.backward() on a line of its own'),
  diff: refused('the method .diff(x): write diff(f, x) on a line of its own'),
  subs: refused('substitution with .subs(...): give the variable a value instead (--at, the input box, or a line such as x = 2.0 above)'),
  evalf: refused('.evalf(): the graph shows every value already'),
  numpy: { kind: 'same' }, tolist: refused('.tolist(): lists are not traced; keep the array'),
  zero_: refused(".zero_(): gradients are not accumulated across traces here; each graph starts from zero"),
});

/** Edit distance with adjacent transpositions (optimal string alignment): `rleu` is one typo from `relu`. */
function distance(a: string, b: string): number {
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2] + 1);
      current.push(d);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length];
}

/** The nearest candidate within a small edit distance (about one typo per three letters), if any. */
export function nearest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.min(3, Math.floor(name.length / 3)));
  for (const c of candidates) {
    const d = distance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance || (d === bestDistance && best === undefined)) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** ` (did you mean torch.sigmoid?)` or ''. */
export function didYouMean(prefix: string, name: string, candidates: Iterable<string>): string {
  const near = nearest(name, candidates);
  return near ? ` (did you mean ${prefix}${near}?)` : '';
}
