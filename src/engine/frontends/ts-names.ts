/**
 * The names TypeScript text may use, shared by the TypeScript front end (ts-frontend.ts, which loads the
 * compiler) and the hover's small parser (src/engine/frontends/ts-lite.ts, which must not).
 */
import { BackpropError } from '../base/errors';
import { lookup } from '../base/lookup';
import type { Span } from '../base/span';
import type { IrOp } from '../ast/ir';
import type { OpName } from '../tape/ops';

export const MATH_UNARY = lookup<OpName>({
  sin: 'sin', cos: 'cos', tan: 'tan', asin: 'asin', acos: 'acos', atan: 'atan',
  sinh: 'sinh', cosh: 'cosh', tanh: 'tanh', exp: 'exp', log: 'log', log2: 'log2', log10: 'log10',
  sqrt: 'sqrt', cbrt: 'cbrt', abs: 'abs',
});
export const MATH_NARY = lookup<OpName>({ max: 'max', min: 'min', hypot: 'hypot' });
export const MATH_CONSTANTS = lookup<number>({ PI: Math.PI, E: Math.E });
/** The `Math.*` members the TypeScript front end accepts, for messages and docs. */
export const MATH_FUNCTIONS_TS = [...Object.keys(MATH_UNARY), 'pow', ...Object.keys(MATH_NARY)].map((f) => `Math.${f}`);
/**
 * The op a `Math.member(…)` call with `argCount` arguments stands for (both compiler-based readers ask this);
 * 'random' for Math.random, which each reader refuses in its own words. Wrong arity or an unknown member throws.
 */
export function mathMemberOp(member: string, argCount: number, span: Span): OpName | 'random' {
  const label = `Math.${member}`;
  const arity = (good: boolean, expected: string) => {
    if (!good) throw new BackpropError('unsupported', `${label}() takes ${expected}, got ${argCount}`, span);
  };
  if (MATH_UNARY[member]) { arity(argCount === 1, '1 argument'); return MATH_UNARY[member]; }
  if (member === 'pow') { arity(argCount === 2, '2 arguments'); return 'pow'; }
  if (MATH_NARY[member]) { arity(argCount >= 1, 'at least 1 argument'); return MATH_NARY[member]; }
  if (member === 'random') return 'random';
  throw new BackpropError('unknown-function', `unknown function '${label}' (supported: ${MATH_FUNCTIONS_TS.join(', ')})`, span);
}
export const GLOBAL_CONSTANTS = lookup<number>({ NaN: NaN, Infinity: Infinity });
/** Names that cannot be declared or assigned: they mean something else in JavaScript. */
export const RESERVED: ReadonlySet<string> = new Set(['Math', 'NaN', 'Infinity', 'undefined', 'eval', 'arguments', 'globalThis']);

/**
 * Matrix helpers the TypeScript front end accepts as plain calls (`matmul(W1, x)`), since TypeScript has no
 * matrix operators; `+ - * / **` on arrays are elementwise there, as in numpy. A name the code declares itself wins.
 */
export const TS_TENSOR_FUNCTIONS: Readonly<Record<string, { op: IrOp; arity: number }>> = {
  matmul: { op: 'matmul', arity: 2 }, dot: { op: 'dot', arity: 2 }, sum: { op: 'sum', arity: 1 }, mean: { op: 'mean', arity: 1 },
  transpose: { op: 'transpose', arity: 1 }, relu: { op: 'relu', arity: 1 }, sigmoid: { op: 'sigmoid', arity: 1 },
};
