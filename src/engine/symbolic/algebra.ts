/**
 * Symbolic expressions and their tidy constructors: every node is folded as it is built (numbers folded, 0 and 1
 * dropped, like terms and like factors collected, coefficients first), so a derivative comes out in the form a
 * textbook writes, with no `· 1` or `+ 0`. Printing is textbook unicode: `2x·cos(x² + 1)`, `1 − tanh²(u)`,
 * `σ(u)·(1 − σ(u))`, `1/(2√u)`, `x > 0 ? 1 : 0`. One printed syntax for the CLI, panel, hover and edges.
 *
 * This module imports nothing, so the op table (tape/ops.ts) can state each op's symbolic rule with it.
 * Nothing here evaluates user text: only exact arithmetic on the program's own numbers.
 */

export type SymExpr = Num | Name | Sum | Product | Power | Call | Piecewise;
export type Relation = '>' | '≥' | '<' | '≤';

/** Printed text, its precedence and the tree size, cached: nodes never change once built. */
interface Cached { text?: string; precedence?: number; size?: number }
export interface Num extends Cached { kind: 'num'; value: number }
/**
 * A variable, or a named constant (π, e) when `constant` holds its value, or (`derivative`) the derivative of an
 * undefined function written as one symbol, `dg/dx` or `∂f/∂g`: it has no formula to expand.
 */
export interface Name extends Cached { kind: 'name'; name: string; constant?: number; derivative?: true }
export interface Sum extends Cached { kind: 'sum'; terms: SymExpr[] }
/** coefficient · factors[0] · factors[1] …: the number kept apart, the factors without numbers, sorted. */
export interface Product extends Cached { kind: 'product'; coefficient: number; factors: SymExpr[]; unit?: SymExpr }
export interface Power extends Cached { kind: 'power'; base: SymExpr; exponent: SymExpr }
/** An op-table function applied to its arguments; `symbol` is the op's printed name (`tanh`, `σ`, `ln`, `√`). */
export interface Call extends Cached { kind: 'call'; op: string; symbol: string; args: SymExpr[] }
/** `left relation right ? then : otherwise`: the derivative of relu, abs, max, min at either side of the kink. */
export interface Piecewise extends Cached { kind: 'piecewise'; left: SymExpr; relation: Relation; right: SymExpr; then: SymExpr; otherwise: SymExpr }

export const num = (value: number): Num => ({ kind: 'num', value });
export const ZERO: SymExpr = num(0);
export const ONE: SymExpr = num(1);
export const isZero = (e: SymExpr) => e.kind === 'num' && e.value === 0;
export const name = (text: string, constant?: number): Name => (constant === undefined ? { kind: 'name', name: text } : { kind: 'name', name: text, constant });
/** `dg/dx`, `∂f/∂g`: an undefined function's derivative as one symbol (see Name). */
export const derivativeName = (text: string): Name => ({ kind: 'name', name: text, derivative: true });

/** Tree size (shared subtrees counted each time they print): bounds the work and the text. */
export function size(e: SymExpr): number {
  if (e.size !== undefined) return e.size;
  let total = 1;
  if (e.kind === 'sum') for (const t of e.terms) total += size(t);
  else if (e.kind === 'product') for (const f of e.factors) total += size(f);
  else if (e.kind === 'power') total += size(e.base) + size(e.exponent);
  else if (e.kind === 'call') for (const a of e.args) total += size(a);
  else if (e.kind === 'piecewise') total += size(e.left) + size(e.right) + size(e.then) + size(e.otherwise);
  return (e.size = total);
}

/** Equal expressions print alike, so the text is the identity used to collect like terms and factors. */
const identity = (e: SymExpr) => print(e);

export function call(op: string, symbol: string, args: SymExpr[]): SymExpr {
  // ln(e) = 1: the derivative of eᵘ would otherwise show it.
  if (op === 'log' && args.length === 1 && args[0].kind === 'name' && args[0].constant === Math.E) return ONE;
  return { kind: 'call', op, symbol, args };
}

export function piecewise(left: SymExpr, relation: Relation, right: SymExpr, then: SymExpr, otherwise: SymExpr): SymExpr {
  if (identity(then) === identity(otherwise)) return then;
  return { kind: 'piecewise', left, relation, right, then, otherwise };
}

/** coefficient · e, folded. */
export function scale(e: SymExpr, coefficient: number): SymExpr {
  if (coefficient === 1) return e;
  if (coefficient === 0) return ZERO;
  if (e.kind === 'num') return num(coefficient * e.value);
  if (e.kind === 'product') {
    const c = e.coefficient * coefficient;
    return c === 1 && e.factors.length === 1 ? e.factors[0] : { kind: 'product', coefficient: c, factors: e.factors };
  }
  return { kind: 'product', coefficient, factors: [e] };
}

export function add(items: readonly SymExpr[]): SymExpr {
  // Like terms (equal up to their coefficient) are summed, in order of first appearance. A term with no like
  // term is kept as it is (its cached text reused): long sums are built one term at a time.
  const groups = new Map<string, { coefficient: number; rest: SymExpr | undefined; only: SymExpr | undefined }>();
  const visit = (term: SymExpr) => {
    if (term.kind === 'sum') { for (const t of term.terms) visit(t); return; }
    let coefficient = 1;
    let rest: SymExpr | undefined = term;
    if (term.kind === 'num') { coefficient = term.value; rest = undefined; }
    else if (term.kind === 'product') {
      coefficient = term.coefficient;
      // The product without its number, kept on the node so its text is printed once.
      rest = term.factors.length === 1 ? term.factors[0] : (term.unit ??= { kind: 'product', coefficient: 1, factors: term.factors });
    }
    const id = rest ? identity(rest) : '';
    const group = groups.get(id);
    if (group) { group.coefficient += coefficient; group.only = undefined; }
    else groups.set(id, { coefficient, rest, only: term });
  };
  for (const t of items) visit(t);
  const terms: SymExpr[] = [];
  for (const g of groups.values()) {
    if (g.coefficient === 0) continue;
    terms.push(g.only ?? (g.rest ? scale(g.rest, g.coefficient) : num(g.coefficient)));
  }
  if (!terms.length) return ZERO;
  if (terms.length === 1) return terms[0];
  return { kind: 'sum', terms };
}

export function mul(items: readonly SymExpr[]): SymExpr {
  // 1 · e is e, without collecting e's factors again (the chain rule multiplies by 1 at every sum).
  if (items.length === 2 && items[0].kind === 'num' && items[0].value === 1) return items[1];
  if (items.length === 2 && items[1].kind === 'num' && items[1].value === 1) return items[0];
  // Like bases are merged by adding exponents: x · x → x², x · x⁻¹ → 1.
  let coefficient = 1;
  const groups = new Map<string, { base: SymExpr; exponents: SymExpr[] }>();
  const visit = (factor: SymExpr) => {
    if (factor.kind === 'num') { coefficient *= factor.value; return; }
    if (factor.kind === 'product') { coefficient *= factor.coefficient; for (const f of factor.factors) visit(f); return; }
    const base = factor.kind === 'power' ? factor.base : factor;
    const exponent = factor.kind === 'power' ? factor.exponent : ONE;
    const id = identity(base);
    const group = groups.get(id);
    if (group) group.exponents.push(exponent);
    else groups.set(id, { base, exponents: [exponent] });
  };
  for (const f of items) visit(f);
  if (coefficient === 0) return ZERO;
  const factors: SymExpr[] = [];
  for (const g of groups.values()) {
    const p = pow(g.base, g.exponents.length === 1 ? g.exponents[0] : add(g.exponents));
    if (p.kind === 'num') coefficient *= p.value;
    else if (p.kind === 'product') { coefficient *= p.coefficient; factors.push(...p.factors); }
    else factors.push(p);
  }
  if (!factors.length) return num(coefficient);
  // −(a − b) reads better as b − a.
  if (coefficient === -1 && factors.length === 1 && factors[0].kind === 'sum') return add(factors[0].terms.map(neg));
  // Names, then powers of names, function calls, sums, conditionals (6x·(x² + 1)², x^y·ln(x)); then smaller
  // first, ties by text so equal products print alike.
  factors.sort((a, b) => factorRank(a) - factorRank(b) || (factorRank(a) < 0 ? 0 : size(a) - size(b) || (identity(a) < identity(b) ? -1 : identity(a) > identity(b) ? 1 : 0)));
  if (coefficient === 1 && factors.length === 1) return factors[0];
  return { kind: 'product', coefficient, factors };
}

function factorRank(e: SymExpr): number {
  // Derivative symbols first, in the order the chain rule multiplied them (outer first: ∂f/∂g·dg/dx).
  if (e.kind === 'name' && e.derivative) return -1;
  const base = e.kind === 'power' ? e.base : e;
  if (base.kind === 'name') return e.kind === 'power' ? 1 : 0;
  if (base.kind === 'num') return 1;
  if (base.kind === 'call') return 2;
  return base.kind === 'piecewise' ? 4 : 3;
}

export function pow(base: SymExpr, exponent: SymExpr): SymExpr {
  if (exponent.kind === 'num') {
    const e = exponent.value;
    if (e === 0) return ONE;
    if (e === 1) return base;
    if (base.kind === 'num') {
      const r = base.value ** e;
      // Fold only what stays short and exact enough to read (2³, not 3⁻¹).
      if (Number.isFinite(r) && Number.isInteger(e) && numberText(r).length <= 12) return num(r);
    }
    if (Number.isInteger(e)) {
      // Integer powers distribute over products and compose: (2x)² = 4x², (x²)³ = x⁶.
      if (base.kind === 'power') return pow(base.base, mul([base.exponent, exponent]));
      if (base.kind === 'product') {
        const c = base.coefficient ** e;
        // 1/3 is not short, but 3·(3x)⁻¹ should still cancel (and print as 1/x).
        if (Number.isFinite(c) && (numberText(c).length <= 12 || Number.isInteger(1 / c))) return mul([num(c), ...base.factors.map((f) => pow(f, exponent))]);
      }
    }
  }
  if (base.kind === 'num' && base.value === 1) return ONE;
  if (base.kind === 'num' && base.value === 0 && exponent.kind === 'num' && exponent.value > 0) return ZERO;
  return { kind: 'power', base, exponent };
}

export const neg = (e: SymExpr) => scale(e, -1);
export const recip = (e: SymExpr) => pow(e, num(-1));
export const sub = (a: SymExpr, b: SymExpr) => add([a, neg(b)]);
export const div = (a: SymExpr, b: SymExpr) => mul([a, recip(b)]);
export const square = (e: SymExpr) => pow(e, num(2));

// ---- printing -------------------------------------------------------------------------------------------

// Precedences: conditional 0, sum 1, product/quotient 2, negative 3, power 4, atoms 9.
const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';
const MINUS = '−';

export function numberText(v: number): string {
  const text = Number.isInteger(v) && Math.abs(v) < 1e21 ? String(v) : String(Number(v.toPrecision(15))); // 0.1·3 shows as 0.3
  return text.replace('-', MINUS);
}

const isNegative = (e: SymExpr) => (e.kind === 'num' && e.value < 0) || (e.kind === 'product' && e.coefficient < 0);
const paren = (text: string, precedence: number, min: number) => (precedence < min ? `(${text})` : text);
/** √u, ∛u: the root sign binds to an atom without parentheses. */
const ROOTS = new Set(['√', '∛']);
const isRoot = (e: SymExpr) => e.kind === 'call' && ROOTS.has(e.symbol);
/** Functions written by name: their integer powers print as tanh²(u). */
const isNamedCall = (e: SymExpr): e is Call => e.kind === 'call' && /^\p{L}/u.test(e.symbol) && e.symbol !== 'abs';
const superscript = (n: number) => String(n).replace(/\d/g, (d) => SUPERSCRIPT[Number(d)]);

/** The expression in textbook unicode. */
export function print(e: SymExpr): string {
  return printed(e)[0];
}

function printed(e: SymExpr): [string, number] {
  if (e.text === undefined) {
    const [text, precedence] = printUncached(e);
    e.text = text;
    e.precedence = precedence;
  }
  return [e.text, e.precedence!];
}

function printUncached(e: SymExpr): [string, number] {
  switch (e.kind) {
    case 'num': return [numberText(e.value), e.value < 0 ? 3 : 9];
    case 'name': return [e.name, 9];
    case 'call': {
      if (e.symbol === 'abs') return [`|${print(e.args[0])}|`, 9];
      if (ROOTS.has(e.symbol)) {
        const [text, precedence] = printed(e.args[0]);
        return [`${e.symbol}${paren(text, precedence, 9)}`, 9];
      }
      return [`${e.symbol}(${e.args.map(print).join(', ')})`, 9];
    }
    case 'sum': {
      // A positive term first: cos²(x) − sin²(x) rather than −sin²(x) + cos²(x).
      const first = Math.max(0, e.terms.findIndex((t) => !isNegative(t)));
      const terms = first ? [e.terms[first], ...e.terms.slice(0, first), ...e.terms.slice(first + 1)] : e.terms;
      let text = paren(...printed(terms[0]), 1);
      for (let i = 1; i < terms.length; i++) {
        const t = terms[i];
        text += isNegative(t) ? ` ${MINUS} ${paren(...printed(neg(t)), 2)}` : ` + ${paren(...printed(t), 1)}`;
      }
      return [text, 1];
    }
    case 'power': {
      const { base, exponent } = e;
      if (exponent.kind === 'num' && exponent.value < 0) return printProduct(1, [e]);
      const integer = exponent.kind === 'num' && Number.isInteger(exponent.value);
      // tanh²(u): the textbook power of a named function.
      if (integer && isNamedCall(base)) return [`${base.symbol}${superscript(exponent.value)}(${base.args.map(print).join(', ')})`, 9];
      const [baseText, basePrecedence] = printed(base);
      const b = paren(baseText, basePrecedence, isRoot(base) ? 10 : 5);
      if (integer) return [`${b}${superscript(exponent.value)}`, 4];
      return [`${b}^${paren(...printed(exponent), exponent.kind === 'num' ? 9 : 5)}`, 4];
    }
    case 'product': return printProduct(e.coefficient, e.factors);
    case 'piecewise': {
      const side = (x: SymExpr) => paren(...printed(x), 1);
      return [`${side(e.left)} ${e.relation} ${side(e.right)} ? ${side(e.then)} : ${paren(...printed(e.otherwise), 0)}`, 0];
    }
  }
}

/** A name, or a power of one, or a root: an integer before it is written without a dot (2x, 3v², 2√u; 0.02·w). */
const joinsCoefficient = (e: SymExpr) => e.kind === 'name' || (e.kind === 'power' && e.base.kind === 'name') || isRoot(e);

function joinFactors(coefficient: string | undefined, factors: readonly SymExpr[]): string {
  const texts = factors.map((f) => paren(...printed(f), 3));
  if (coefficient === undefined) return texts.length ? texts.join('·') : '1';
  if (!factors.length) return coefficient;
  return /^\d+$/.test(coefficient) && joinsCoefficient(factors[0]) ? `${coefficient}${texts.join('·')}` : `${coefficient}·${texts.join('·')}`;
}

/** coefficient · factors, with negative powers as a denominator: `x/y²`, `1/(2√u)`. */
function printProduct(coefficient: number, factors: readonly SymExpr[]): [string, number] {
  const top: SymExpr[] = [];
  const bottom: SymExpr[] = [];
  let magnitude = Math.abs(coefficient);
  let bottomCoefficient: string | undefined;
  // Halves, thirds … as a divisor (x/2, x/3) rather than 0.5·x or 0.333333333333333·x; 0.1·x and 0.25·x stay.
  const inverse = 1 / magnitude;
  if (magnitude < 1 && Number.isInteger(inverse) && inverse <= 12 && (inverse === 2 || numberText(magnitude).length > 4)) {
    bottomCoefficient = String(inverse);
    magnitude = 1;
  }
  for (const f of factors) {
    if (f.kind === 'power' && f.exponent.kind === 'num' && f.exponent.value < 0) bottom.push(pow(f.base, num(-f.exponent.value)));
    else top.push(f);
  }
  const numerator = joinFactors(magnitude !== 1 ? numberText(magnitude) : undefined, top);
  let text = numerator;
  if (bottom.length === 0 && bottomCoefficient !== undefined) text = `${numerator}/${bottomCoefficient}`;
  else if (bottom.length === 1 && bottomCoefficient === undefined) text = `${numerator}/${paren(...printed(bottom[0]), 4)}`;
  else if (bottom.length) text = `${numerator}/(${joinFactors(bottomCoefficient, bottom)})`;
  return [coefficient < 0 ? `${MINUS}${text}` : text, coefficient < 0 ? 3 : 2];
}
