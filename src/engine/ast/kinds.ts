import type { OpName } from '../tape/ops';

/** The languages the engine reads. */
export type Lang = 'math' | 'ts' | 'python';

/**
 * Matrix-level operations. They never reach the tape: tensor.ts unrolls them into scalar ops first.
 * 'array' is a bracket literal (its args are the rows or items); 'mmul' is mathjs `*` / numpy `dot`
 * (a scalar scales, otherwise a matrix product); 'matmul' is `@` (no scalars).
 */
export type TensorOp = 'array' | 'matmul' | 'mmul' | 'emul' | 'ediv' | 'epow' | 'transpose' | 'sum' | 'mean' | 'dot';
/** What an IR op node may be: a scalar op of the op table, or a matrix op. */
export type IrOp = Exclude<OpName, 'input' | 'const'> | TensorOp;
