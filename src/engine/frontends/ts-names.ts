/**
 * The names TypeScript text may use, shared by the TypeScript front end (ts-frontend.ts, which loads the
 * compiler) and the hover's small parser (src/engine/frontends/ts-lite.ts, which must not).
 */
import { lookup } from '../base/lookup';
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
