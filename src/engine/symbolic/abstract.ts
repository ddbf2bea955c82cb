/**
 * sympy's undefined functions, `g = Function('g')(x)`: a function with a name and no formula. Applied, it is
 * the expression `g(x)`; its derivative is a symbol of its own, `dg/dx` by an input, `∂f/∂g` by another
 * node (a local derivative in the graph, with the rest of the graph held fixed), `f′(x² + 1)` by an unnamed
 * expression. One owner for these forms: the differentiator, the edge formulas and the symbolic graph.
 */
import { call, derivativeName, type SymExpr } from './algebra';

/** The undefined function `fn` applied to `arg`: prints `g(x)`. */
export function abstractValue(fn: string, arg: SymExpr): SymExpr {
  return call('fn', fn, [arg]);
}

/** The name an argument goes by in a derivative symbol: a variable's or node's name, or an applied function's (`g` for `g(x)`). */
function argumentName(arg: SymExpr): string | undefined {
  if (arg.kind === 'name' && arg.constant === undefined && !arg.derivative) return arg.name;
  if (arg.kind === 'call' && arg.op === 'fn') return arg.symbol;
  return undefined;
}

/**
 * ∂fn(arg)/∂arg. `partial` says the argument is itself computed (a node of the graph, or an applied function):
 * then the symbol is `∂f/∂g`, else `dg/dx`.
 */
export function abstractSlope(fn: string, arg: SymExpr, partial: boolean): SymExpr {
  const by = argumentName(arg);
  if (by === undefined) return call('fn′', `${fn}′`, [arg]);
  const d = partial || arg.kind === 'call' ? '∂' : 'd';
  return derivativeName(`${d}${fn}/${d}${by}`);
}
