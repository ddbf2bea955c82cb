/**
 * Evaluates a symbolic expression at given values of its names, with the op table's forward rules: what the
 * tests use to check a printed derivative against the tape's gradient. Evaluates our own trees only, never text.
 */
import { OP, OPS, type OpName } from '../tape/ops';
import type { SymExpr } from './algebra';

export function evaluate(e: SymExpr, values: Readonly<Record<string, number>>): number {
  switch (e.kind) {
    case 'num': return e.value;
    case 'name': {
      if (e.constant !== undefined) return e.constant;
      if (!Object.hasOwn(values, e.name)) throw new Error(`no value for ${e.name}`);
      return values[e.name];
    }
    case 'sum': return e.terms.reduce((total, t) => total + evaluate(t, values), 0);
    case 'product': return e.factors.reduce((total, f) => total * evaluate(f, values), e.coefficient);
    case 'power': return Math.pow(evaluate(e.base, values), evaluate(e.exponent, values));
    case 'call': {
      const spec = OPS[OP[e.op as OpName]];
      if (!spec) throw new Error(`unknown function ${e.op}`);
      return spec.forward(evaluate(e.args[0], values), e.args.length > 1 ? evaluate(e.args[1], values) : 0);
    }
    case 'piecewise': {
      const left = evaluate(e.left, values);
      const right = evaluate(e.right, values);
      const holds = e.relation === '>' ? left > right : e.relation === '≥' ? left >= right : e.relation === '<' ? left < right : left <= right;
      return evaluate(holds ? e.then : e.otherwise, values);
    }
  }
}
