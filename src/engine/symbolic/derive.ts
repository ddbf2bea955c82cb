/**
 * Symbolic derivatives for hovers, taken on the engine's IR: differentiate, tidying as each node is built
 * (numbers folded, 0 and 1 dropped, like terms and like factors collected, coefficients first). A lesson line
 * takes tens of microseconds, where mathjs `derivative` + `simplify` takes milliseconds (and allocates
 * enough to make the p95 several times the median). The text is mathjs syntax, so it evaluates the same
 * anywhere. Pure; nothing is evaluated but exact arithmetic on the program's own numbers.
 *
 * Bounded: recursion is over the expression, so expressions past MAX_NODES / MAX_DEPTH (and matrix
 * programs) return undefined, and the caller falls back to mathjs (symbolic.ts).
 */
import type { Expr, Program } from '../ast/ir';

export const MAX_NODES = 400;
export const MAX_DEPTH = 60;
/** Longer derivatives are not worth reading in a hover. */
export const MAX_CHARS = 20_000;

type S = Num | Sym | Add | Mul | Pow | Fn;
/** `t`/`p`: the printed text and its precedence, cached (nodes never change once built); `n`: size. */
interface Base { t?: string; p?: number; n?: number }
interface Num extends Base { k: 'num'; v: number }
interface Sym extends Base { k: 'sym'; name: string; constant: boolean }
interface Add extends Base { k: 'add'; terms: S[] }
/** c · fs[0] · fs[1] …: the numeric coefficient kept apart, factors without numbers, sorted. */
interface Mul extends Base { k: 'mul'; c: number; fs: S[] }
interface Pow extends Base { k: 'pow'; b: S; e: S }
interface Fn extends Base { k: 'fn'; name: string; args: S[] }

class NonSmooth extends Error {
  constructor(readonly fn: string) { super(fn); }
}
class Unsupported extends Error {}

const num = (v: number): Num => ({ k: 'num', v });
const ZERO = (s: S) => s.k === 'num' && s.v === 0;
const fn = (name: string, ...args: S[]): S => {
  // log(e) = 1: the derivative of e^u would otherwise show it.
  if (name === 'log' && args.length === 1 && args[0].k === 'sym' && args[0].constant && args[0].name === 'e') return num(1);
  return { k: 'fn', name, args };
};

function size(s: S): number {
  if (s.n !== undefined) return s.n;
  let n = 1;
  if (s.k === 'add') for (const t of s.terms) n += size(t);
  else if (s.k === 'mul') for (const f of s.fs) n += size(f);
  else if (s.k === 'pow') n += size(s.b) + size(s.e);
  else if (s.k === 'fn') for (const a of s.args) n += size(a);
  return (s.n = n);
}

function key(s: S): string {
  return print(s)[0];
}

/** c · s, folded. */
function scale(s: S, c: number): S {
  if (c === 1) return s;
  if (c === 0) return num(0);
  if (s.k === 'num') return num(c * s.v);
  if (s.k === 'mul') return s.c * c === 1 && s.fs.length === 1 ? s.fs[0] : { k: 'mul', c: s.c * c, fs: s.fs };
  return { k: 'mul', c, fs: [s] };
}

function add(items: readonly S[]): S {
  // Like terms (equal up to their coefficient) are summed, in order of first appearance.
  const groups = new Map<string, { c: number; rest: S | undefined }>();
  const visit = (t: S) => {
    if (t.k === 'add') { for (const u of t.terms) visit(u); return; }
    let c = 1;
    let rest: S | undefined = t;
    if (t.k === 'num') { c = t.v; rest = undefined; }
    else if (t.k === 'mul') { c = t.c; rest = t.fs.length === 1 ? t.fs[0] : { k: 'mul', c: 1, fs: t.fs }; }
    const k = rest ? key(rest) : '';
    const g = groups.get(k);
    if (g) g.c += c;
    else groups.set(k, { c, rest });
  };
  for (const t of items) visit(t);
  const terms: S[] = [];
  for (const g of groups.values()) {
    if (g.c === 0) continue;
    terms.push(g.rest ? scale(g.rest, g.c) : num(g.c));
  }
  if (!terms.length) return num(0);
  if (terms.length === 1) return terms[0];
  return { k: 'add', terms };
}

function mul(items: readonly S[]): S {
  // Like bases are merged by adding exponents: x · x → x ^ 2, x · x ^ -1 → 1.
  let c = 1;
  const groups = new Map<string, { b: S; es: S[] }>();
  const visit = (f: S) => {
    if (f.k === 'num') { c *= f.v; return; }
    if (f.k === 'mul') { c *= f.c; for (const g of f.fs) visit(g); return; }
    const b = f.k === 'pow' ? f.b : f;
    const e = f.k === 'pow' ? f.e : num(1);
    const k = key(b);
    const g = groups.get(k);
    if (g) g.es.push(e);
    else groups.set(k, { b, es: [e] });
  };
  for (const f of items) visit(f);
  if (c === 0) return num(0);
  const fs: S[] = [];
  for (const g of groups.values()) {
    const p = pow(g.b, g.es.length === 1 ? g.es[0] : add(g.es));
    if (p.k === 'num') c *= p.v;
    else if (p.k === 'mul') { c *= p.c; fs.push(...p.fs); }
    else fs.push(p);
  }
  if (!fs.length) return num(c);
  // −(a − b) reads better as b − a.
  if (c === -1 && fs.length === 1 && fs[0].k === 'add') return add(fs[0].terms.map(neg));
  // Smaller factors first (6 · x · (x ^ 2 + 1) ^ 2), ties by text so equal products print alike.
  fs.sort((a, b) => size(a) - size(b) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  if (c === 1 && fs.length === 1) return fs[0];
  return { k: 'mul', c, fs };
}

function pow(b: S, e: S): S {
  if (e.k === 'num') {
    if (e.v === 0) return num(1);
    if (e.v === 1) return b;
    if (b.k === 'num') {
      const r = b.v ** e.v;
      // Fold only what stays short and exact enough to read (2 ^ 3, not 3 ^ -1).
      if (Number.isFinite(r) && Number.isInteger(e.v) && numberText(r).length <= 12) return num(r);
    }
    if (Number.isInteger(e.v)) {
      // Integer powers distribute over products and compose: (2·x)² = 4·x², (x²)³ = x⁶.
      if (b.k === 'pow') return pow(b.b, mul([b.e, e]));
      if (b.k === 'mul') {
        const cp = b.c ** e.v;
        // 1/3 is not short, but 3 · (3·x)⁻¹ should still cancel (and print as 1 / x).
        if (Number.isFinite(cp) && (numberText(cp).length <= 12 || Number.isInteger(1 / cp))) return mul([num(cp), ...b.fs.map((f) => pow(f, e))]);
      }
    }
  }
  if (b.k === 'num' && b.v === 1) return num(1);
  if (b.k === 'num' && b.v === 0 && e.k === 'num' && e.v > 0) return num(0);
  return { k: 'pow', b, e };
}

const neg = (s: S) => scale(s, -1);
const recip = (s: S) => pow(s, num(-1));

// ---- IR → S -------------------------------------------------------------------------------------------

/** Constants mathjs knows by name; others print as their value. */
const MATHJS_CONSTANTS = new Set(['pi', 'e', 'tau', 'phi', 'LN2', 'LN10', 'LOG2E', 'LOG10E', 'SQRT2', 'SQRT1_2']);

function constant(name: string, value: number): S {
  const bare = name.replace(/^.*\./, '');
  const m = bare === 'PI' ? 'pi' : bare === 'E' ? 'e' : bare === 'π' ? 'pi' : bare;
  return MATHJS_CONSTANTS.has(m) ? { k: 'sym', name: m, constant: true } : num(value);
}

function fromExpr(e: Expr, env: ReadonlyMap<string, S>): S {
  if (e.kind === 'num') return num(e.value);
  if (e.kind === 'const') return constant(e.name, e.value);
  if (e.kind === 'var') return env.get(e.name) ?? { k: 'sym', name: e.name, constant: false };
  const a = e.args.map((x) => fromExpr(x, env));
  switch (e.op) {
    case 'add': return add(a);
    case 'sub': return add([a[0], neg(a[1])]);
    case 'mul': return mul(a);
    case 'div': return mul([a[0], recip(a[1])]);
    case 'pow': return pow(a[0], a[1]);
    case 'neg': return neg(a[0]);
    case 'id': return a[0];
    case 'square': return pow(a[0], num(2));
    case 'hypot': return a.length === 1 ? fn('abs', a[0]) : fn('sqrt', add(a.map((x) => pow(x, num(2)))));
    case 'sigmoid': return recip(add([num(1), fn('exp', neg(a[0]))]));
    case 'softplus': return fn('log', add([num(1), fn('exp', a[0])]));
    case 'logb': return mul([fn('log', a[0]), recip(fn('log', a[1]))]);
    case 'max': case 'min':
      if (a.length === 1) return a[0];
      throw new NonSmooth(e.op);
    case 'relu': case 'leakyRelu': throw new NonSmooth(e.op);
    case 'sin': case 'cos': case 'tan': case 'asin': case 'acos': case 'atan': case 'sinh': case 'cosh': case 'tanh':
    case 'exp': case 'log': case 'log2': case 'log10': case 'sqrt': case 'cbrt': case 'abs':
      if (a.length !== 1) throw new Unsupported();
      return fn(e.op, a[0]);
    default: throw new Unsupported(); // matrix ops
  }
}

/** Size and depth of the program's expressions, iteratively (before anything recurses over them). */
function withinBounds(program: Program): boolean {
  let nodes = 0;
  const roots = [...program.body.map((s) => s.expr), ...(program.result ? [program.result] : [])];
  for (const root of roots) {
    const stack: [Expr, number][] = [[root, 1]];
    while (stack.length) {
      const [e, depth] = stack.pop()!;
      if (++nodes > MAX_NODES || depth > MAX_DEPTH) return false;
      if (e.kind === 'op') for (const x of e.args) stack.push([x, depth + 1]);
    }
  }
  return true;
}

/** The program as one expression in its inputs (as ast/print.ts's inlineProgram: first literal bindings stay inputs). */
function fromProgram(program: Program): S | undefined {
  const env = new Map<string, S>();
  let last: S | undefined;
  for (const s of program.body) {
    const literal = s.expr.kind === 'num' || (s.expr.kind === 'op' && s.expr.op === 'neg' && s.expr.args[0].kind === 'num');
    if (literal && !env.has(s.name)) { last = { k: 'sym', name: s.name, constant: false }; continue; }
    last = fromExpr(s.expr, env);
    env.set(s.name, last);
  }
  return program.result ? fromExpr(program.result, env) : last;
}

// ---- d/dv -----------------------------------------------------------------------------------------------

function d(s: S, v: string): S {
  switch (s.k) {
    case 'num': return num(0);
    case 'sym': return num(!s.constant && s.name === v ? 1 : 0);
    case 'add': return add(s.terms.map((t) => d(t, v)));
    case 'mul': {
      const terms: S[] = [];
      for (let i = 0; i < s.fs.length; i++) {
        const di = d(s.fs[i], v);
        if (ZERO(di)) continue;
        terms.push(mul([num(s.c), ...s.fs.slice(0, i), di, ...s.fs.slice(i + 1)]));
      }
      return add(terms);
    }
    case 'pow': {
      const db = d(s.b, v);
      const de = d(s.e, v);
      if (ZERO(de)) return mul([s.e, pow(s.b, add([s.e, num(-1)])), db]);
      if (ZERO(db)) return mul([s, fn('log', s.b), de]);
      return mul([s, add([mul([de, fn('log', s.b)]), mul([s.e, db, recip(s.b)])])]);
    }
    case 'fn': {
      const u = s.args[0];
      const du = d(u, v);
      if (ZERO(du)) return num(0);
      return mul([outer(s.name, u, s), du]);
    }
  }
}

/** d/du f(u), written as the op table's rules read (1 − tanh²(u), 1/cos²(u), …). */
function outer(name: string, u: S, self: S): S {
  const sq = (x: S) => pow(x, num(2));
  switch (name) {
    case 'sin': return fn('cos', u);
    case 'cos': return neg(fn('sin', u));
    case 'tan': return recip(sq(fn('cos', u)));
    case 'asin': return recip(fn('sqrt', add([num(1), neg(sq(u))])));
    case 'acos': return neg(recip(fn('sqrt', add([num(1), neg(sq(u))]))));
    case 'atan': return recip(add([num(1), sq(u)]));
    case 'sinh': return fn('cosh', u);
    case 'cosh': return fn('sinh', u);
    case 'tanh': return add([num(1), neg(sq(self))]);
    case 'exp': return self;
    case 'log': return recip(u);
    case 'log2': return recip(mul([u, fn('log', num(2))]));
    case 'log10': return recip(mul([u, fn('log', num(10))]));
    case 'sqrt': return mul([num(0.5), recip(self)]);
    case 'cbrt': return mul([num(1 / 3), pow(self, num(-2))]);
    case 'abs': return fn('sign', u);
    default: throw new Unsupported();
  }
}

// ---- printing (mathjs syntax) ---------------------------------------------------------------------------

// Precedences: sum 1, product/quotient 2, unary minus 3, power 4, atoms 9.
function numberText(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e21) return String(v);
  // 15 significant digits: 0.1 · 3 shows as 0.3, not 0.30000000000000004.
  return String(Number(v.toPrecision(15)));
}

const isNegative = (s: S) => (s.k === 'num' && s.v < 0) || (s.k === 'mul' && s.c < 0);
const paren = (x: [string, number], min: number) => (x[1] < min ? `(${x[0]})` : x[0]);

function print(s: S): [string, number] {
  if (s.t !== undefined) return [s.t, s.p!];
  const out = printUncached(s);
  s.t = out[0];
  s.p = out[1];
  return out;
}

function printUncached(s: S): [string, number] {
  switch (s.k) {
    case 'num': return [numberText(s.v), s.v < 0 ? 3 : 9];
    case 'sym': return [s.name, 9];
    case 'fn': return [`${s.name}(${s.args.map((a) => print(a)[0]).join(', ')})`, 9];
    case 'add': {
      // A positive term first: cos(x) ^ 2 - sin(x) ^ 2 rather than -sin(x) ^ 2 + cos(x) ^ 2.
      const first = Math.max(0, s.terms.findIndex((t) => !isNegative(t)));
      const terms = first ? [s.terms[first], ...s.terms.slice(0, first), ...s.terms.slice(first + 1)] : s.terms;
      let text = print(terms[0])[0];
      for (let i = 1; i < terms.length; i++) {
        const t = terms[i];
        text += isNegative(t) ? ` - ${paren(print(neg(t)), 2)}` : ` + ${print(t)[0]}`;
      }
      return [text, 1];
    }
    case 'pow':
      if (s.e.k === 'num' && s.e.v < 0) return printProduct(1, [s]);
      return [`${paren(print(s.b), 5)} ^ ${paren(print(s.e), s.e.k === 'num' ? 9 : 5)}`, 4];
    case 'mul': return printProduct(s.c, s.fs);
  }
}

/** c · factors, with negative powers as a denominator: `x / y ^ 2`, `du / (2 * sqrt(u))`. */
function printProduct(c: number, fs: readonly S[]): [string, number] {
  const top: string[] = [];
  const bottom: [string, number][] = [];
  let a = Math.abs(c);
  // Halves, thirds … as a divisor (x / 2) rather than 0.5 * x.
  const inv = 1 / a;
  if (a < 1 && Number.isInteger(inv) && inv <= 12) { bottom.push([String(inv), 9]); a = 1; }
  if (a !== 1) top.push(numberText(a));
  for (const f of fs) {
    if (f.k === 'pow' && f.e.k === 'num' && f.e.v < 0) bottom.push(print(pow(f.b, num(-f.e.v))));
    else top.push(paren(print(f), 2));
  }
  let text = top.length ? top.join(' * ') : '1';
  if (bottom.length === 1) text += ` / ${paren(bottom[0], 3)}`;
  else if (bottom.length > 1) text += ` / (${bottom.map((b) => paren(b, 2)).join(' * ')})`;
  return [c < 0 ? `-${text}` : text, 2];
}

// ---- entry ----------------------------------------------------------------------------------------------

export interface Derivative {
  /** ∂(program output)/∂variable, mathjs syntax. */
  derivative?: string;
  /** Why there is none (the numeric gradient still stands). */
  unavailable?: string;
}

/**
 * ∂(program output)/∂variable, tidied. Undefined when the program is outside what this handles (matrix ops,
 * past the size bounds): then use core's symbolicDerivative.
 */
export function deriveProgram(program: Program, variable: string): Derivative | undefined {
  if (program.groups || !withinBounds(program)) return undefined;
  try {
    const expr = fromProgram(program);
    if (!expr) return undefined;
    const text = print(d(expr, variable))[0];
    if (text.length > MAX_CHARS) return { unavailable: 'derivative too long to show' };
    return { derivative: text };
  } catch (e) {
    if (e instanceof NonSmooth) return { unavailable: `no symbolic derivative through ${e.fn}() (not smooth); the numeric gradient is exact` };
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
}
