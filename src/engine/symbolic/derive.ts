/**
 * The engine's symbolic derivative: ∂(program output)/∂variable, taken on the IR with each op's symbolic rule
 * from the op table (tape/ops.ts), the chain rule applied node by node exactly as the tape's backward pass
 * applies the numeric rules, and tidied as each node is built (symbolic/algebra.ts). A lesson line takes tens
 * of microseconds. Pure; nothing is evaluated but exact arithmetic on the program's own numbers.
 *
 * Bounded by one constant, LIMITS.maxSymbolicChars: larger programs, larger intermediate expressions and longer
 * printed derivatives all come back as "too long" rather than taking time or memory.
 */
import type { Expr, Program } from '../ast/ir';
import { LIMITS } from '../base/limits';
import { OP, opSpec, type OpName, type OpSpec } from '../tape/ops';
import { add, call, isZero, mul, name, num, print, size, ZERO, type SymExpr } from './algebra';
import { abstractSlope, abstractValue } from './abstract';

/** Thrown when an expression outgrows LIMITS.maxSymbolicChars. */
export class TooLong extends Error {}
/** Thrown for IR the differentiator does not take (matrix ops). */
export class Unsupported extends Error {}

const bounded = (e: SymExpr): SymExpr => {
  if (size(e) > LIMITS.maxSymbolicChars) throw new TooLong();
  return e;
};

/** Constants printed by name, with their value (for evaluation); others print as their value. */
const NAMED_CONSTANTS: Readonly<Record<string, string>> = { pi: 'π', PI: 'π', π: 'π', e: 'e', E: 'e', tau: 'τ' };

export function constantExpression(irName: string, value: number): SymExpr {
  const bare = irName.replace(/^.*\./, '');
  return Object.hasOwn(NAMED_CONSTANTS, bare) ? name(NAMED_CONSTANTS[bare], value) : num(value);
}

/** An op applied to argument expressions: the table's expression form, or a call printed with its symbol. */
export function applyOp(spec: OpSpec, a: SymExpr, b: SymExpr): SymExpr {
  if (spec.expression) return spec.expression(a, b);
  return call(spec.name, spec.symbol, spec.arity === 2 ? [a, b] : [a]);
}

/** An IR op with its arguments folded into binary steps, as the tracer folds them onto the tape. */
function steps<T>(e: Extract<Expr, { kind: 'op' }>, args: T[], apply: (op: OpName, a: T, b: T | undefined) => T): T {
  if (!Object.hasOwn(OP, e.op)) throw new Unsupported(); // matrix ops
  const op = e.op as OpName;
  if (args.length === 1 && (op === 'max' || op === 'min' || op === 'hypot')) return op === 'hypot' ? apply('abs', args[0], undefined) : args[0];
  if (opSpec(op).arity === 1 ? args.length !== 1 : args.length < 2) throw new Unsupported();
  let acc = apply(op, args[0], args[1]);
  // n-ary add/max/min/hypot fold left: max(a, b, c) = max(max(a, b), c).
  for (let i = 2; i < args.length; i++) acc = apply(op, acc, args[i]);
  return acc;
}

/** Value and derivative of one IR node, in forward mode. */
interface Dual { value: SymExpr; derivative: SymExpr }

/**
 * ∂out/∂v through one op: symbolicA·da + symbolicB·db (the tape's `+=` of local · upstream, forward). A side
 * whose derivative is 0 is skipped, so pow's ln(base) never appears for a constant exponent.
 */
function chain(op: OpName, a: Dual, b: Dual | undefined): Dual {
  const spec = opSpec(op);
  const bValue = b?.value ?? ZERO;
  const value = bounded(applyOp(spec, a.value, bValue));
  const terms: SymExpr[] = [];
  if (!isZero(a.derivative)) terms.push(mul([spec.symbolicA(a.value, bValue, value), a.derivative]));
  if (b && !isZero(b.derivative)) terms.push(mul([spec.symbolicB(a.value, bValue, value), b.derivative]));
  return { value, derivative: bounded(add(terms)) };
}

/** An undefined function applied to its argument, and its derivative by the chain rule (∂f/∂g·dg/dx). */
function abstract(fn: string, a: Dual, derive: boolean): Dual {
  const value = abstractValue(fn, a.value);
  if (!derive || isZero(a.derivative)) return { value, derivative: ZERO };
  return { value, derivative: bounded(mul([abstractSlope(fn, a.value, false), a.derivative])) };
}

/** Size and depth of the program's expressions, iteratively (before anything recurses over them). */
function withinBounds(program: Program): boolean {
  let nodes = 0;
  const roots = [...program.body.map((s) => s.expr), ...(program.result ? [program.result] : [])];
  for (const root of roots) {
    const stack: Expr[] = [root];
    while (stack.length) {
      const e = stack.pop()!;
      if (++nodes > LIMITS.maxSymbolicChars) return false;
      if (e.kind === 'op') for (const x of e.args) stack.push(x);
    }
  }
  return true;
}

const isLiteral = (e: Expr) => e.kind === 'num' || (e.kind === 'op' && e.op === 'neg' && e.args[0].kind === 'num');

/**
 * The program's output with its derivative by `variable` (undefined: no derivative wanted, value only).
 * Assignments are substituted into later uses; a name first bound to a literal stays an input, as in the tracer.
 */
function walk(program: Program, variable: string | undefined): Dual | undefined {
  const env = new Map<string, Dual>();
  const leaf = (symbol: string): Dual => ({ value: name(symbol), derivative: num(symbol === variable ? 1 : 0) });
  const visit = (e: Expr): Dual => {
    if (e.kind === 'num') return { value: num(e.value), derivative: ZERO };
    if (e.kind === 'const') return { value: constantExpression(e.name, e.value), derivative: ZERO };
    if (e.kind === 'var') return env.get(e.name) ?? leaf(e.name);
    const args = e.args.map(visit);
    if (e.op === 'fn') return abstract(e.label ?? 'f', args[0], variable !== undefined);
    return steps(e, args, (op, a, b) => (variable === undefined ? { value: bounded(applyOp(opSpec(op), a.value, b?.value ?? ZERO)), derivative: ZERO } : chain(op, a, b)));
  };
  let last: Dual | undefined;
  for (const s of program.body) {
    if (isLiteral(s.expr) && !env.has(s.name)) { last = leaf(s.name); continue; }
    last = visit(s.expr);
    env.set(s.name, last);
  }
  return program.result ? visit(program.result) : last;
}

/** The derivative as an expression tree (for the tests' evaluator); throws TooLong / Unsupported. */
export function derivativeExpression(program: Program, variable: string): SymExpr | undefined {
  return walk(program, variable)?.derivative;
}

/** A derivative, or why there is none; `expression` is the output as one expression, when it could be printed. */
export interface Derived { expression?: string; derivative?: string; unavailable?: string }

/** ∂(program output)/∂variable in textbook form, or why there is none (the numeric gradient still stands). */
export function deriveProgram(program: Program, variable: string): Derived {
  if (program.groups) return { unavailable: 'no symbolic derivatives for matrix programs; the numeric gradients are exact' };
  if (!withinBounds(program)) return { unavailable: 'expression too long for a symbolic derivative' };
  let expression: string | undefined;
  try {
    const value = walk(program, undefined);
    if (!value) return { unavailable: 'nothing to differentiate' };
    expression = print(value.value);
    if (expression.length > LIMITS.maxSymbolicChars) return { unavailable: 'expression too long for a symbolic derivative' };
    const derivative = print(walk(program, variable)!.derivative);
    if (derivative.length > LIMITS.maxSymbolicChars) return { expression, unavailable: 'derivative too long to show' };
    return { expression, derivative };
  } catch (e) {
    if (e instanceof TooLong) return { expression, unavailable: 'derivative too long to show' };
    if (e instanceof Unsupported) return { unavailable: 'no symbolic derivatives for matrix operations; the numeric gradients are exact' };
    if (e instanceof RangeError) return { unavailable: 'expression nested too deeply for a symbolic derivative' };
    throw e;
  }
}
