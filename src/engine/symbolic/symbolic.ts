import { derivative, parse, type MathNode } from 'mathjs';
import type { Program } from '../ast/ir';
import { inlineProgram, TooLong } from '../ast/print';

export interface SymbolicResult {
  variable: string;
  /** The output as one expression in the inputs (mathjs syntax). */
  expression?: string;
  /** ∂expression/∂variable, when mathjs can take it. */
  derivative?: string;
  /** Why there is no symbolic form (the numeric gradient still stands). */
  unavailable?: string;
}

const NON_SMOOTH = new Set(['relu', 'leakyRelu', 'max', 'min']);

/** Rewrites our deep-learning staples into functions mathjs can differentiate. */
function toMathjsForms(node: MathNode): MathNode {
  return node.transform((n) => {
    if (n.type !== 'FunctionNode') return n;
    const f = n as MathNode & { fn: { name: string }; args: MathNode[] };
    const a = f.args.map((x) => `(${toMathjsForms(x).toString()})`);
    switch (f.fn.name) {
      case 'sigmoid': return parse(`1 / (1 + exp(-${a[0]}))`);
      case 'softplus': return parse(`log(1 + exp(${a[0]}))`);
      case 'square': return parse(`${a[0]} ^ 2`);
      case 'log2': return parse(`log(${a[0]}, 2)`);
      case 'ln': return parse(`log(${a[0]})`);
      case 'hypot': return parse(`sqrt(${a.map((x) => `${x} ^ 2`).join(' + ')})`);
      default:
        if (NON_SMOOTH.has(f.fn.name)) throw new NonSmooth(f.fn.name);
        return n;
    }
  });
}

class NonSmooth extends Error {
  constructor(readonly fn: string) { super(fn); }
}

/**
 * ∂(program output)/∂variable with mathjs `derivative`. `simplify` is off for hovers: mathjs simplify is
 * super-linear and takes seconds on long sums.
 */
export function symbolicDerivative(program: Program, variable: string, options: { simplify?: boolean } = {}): SymbolicResult {
  let expression: string;
  try {
    expression = inlineProgram(program);
  } catch (e) {
    if (e instanceof TooLong) return { variable, unavailable: 'expression too long for a symbolic derivative' };
    throw e;
  }
  try {
    const node = toMathjsForms(parse(expression));
    const d = derivative(node, variable, { simplify: options.simplify ?? true });
    return { variable, expression, derivative: d.toString() };
  } catch (e) {
    if (e instanceof NonSmooth) return { variable, expression, unavailable: `no symbolic derivative through ${e.fn}() (not smooth); the numeric gradient is exact` };
    if (e instanceof RangeError) return { variable, expression, unavailable: 'expression nested too deeply for a symbolic derivative' };
    return { variable, expression, unavailable: `mathjs cannot differentiate this: ${(e as Error).message}` };
  }
}
