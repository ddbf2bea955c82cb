import type { Expr, Program } from './ir';
import { LIMITS } from '../base/limits';
import { postOrder } from './walk';

const INFIX: Partial<Record<string, [string, number]>> = { add: ['+', 1], sub: ['-', 1], mul: ['*', 2], div: ['/', 2], pow: ['^', 4] };
const FN_NAME: Partial<Record<string, string>> = { logb: 'log' };

/** Thrown internally when the printed text would exceed the symbolic size bound. */
export class TooLong extends Error {}

/**
 * Prints IR as mathjs text, substituting `env` for variables (to inline a TypeScript program into one
 * expression). Iterative, and stops at `limit` characters.
 */
export function printExpr(root: Expr, env: ReadonlyMap<string, string> = new Map(), limit: number = LIMITS.maxSymbolicChars): string {
  // Each finished node yields [text, precedence]; atoms have precedence 9.
  let total = 0;
  const [text] = postOrder<[string, number]>(root, (e) => {
    const sub = e.kind === 'var' ? env.get(e.name) : undefined;
    const text = e.kind === 'num' ? numberText(e.value) : e.kind === 'const' ? (e.name === 'Math.PI' ? 'pi' : e.name === 'Math.E' ? 'e' : e.name) : sub !== undefined ? `(${sub})` : e.name;
    total += text.length;
    if (total > limit) throw new TooLong();
    return [text, 9];
  }, (e, args) => {
    let out: [string, number];
    const infix = INFIX[e.op];
    if (infix && args.length === 2) {
      const [sym, prec] = infix;
      // Parenthesize by precedence; the right side of - and / and the left of ^ also at equal precedence.
      const l = args[0][1] < prec || (e.op === 'pow' && args[0][1] <= prec) ? `(${args[0][0]})` : args[0][0];
      const r = args[1][1] < prec || (args[1][1] === prec && e.op !== 'add' && e.op !== 'mul') ? `(${args[1][0]})` : args[1][0];
      out = [`${l} ${sym} ${r}`, prec];
    } else if (e.op === 'neg') {
      out = [args[0][1] < 3 ? `-(${args[0][0]})` : `-${args[0][0]}`, 3];
    } else if (e.op === 'id') {
      out = args[0];
    } else {
      out = [`${FN_NAME[e.op] ?? e.op}(${args.map((a) => a[0]).join(', ')})`, 9];
    }
    total += 4;
    if (out[0].length > limit || total > limit) throw new TooLong();
    return out;
  });
  return text;
}

function numberText(v: number): string {
  return Number.isInteger(v) || Math.abs(v) >= 1e-6 ? String(v) : v.toExponential();
}

/** The whole program as one expression in its inputs: assignments are substituted into later uses. */
export function inlineProgram(program: Program): string {
  const env = new Map<string, string>();
  let last: string | undefined;
  for (const s of program.body) {
    const literal = s.expr.kind === 'num' || (s.expr.kind === 'op' && s.expr.op === 'neg' && s.expr.args[0].kind === 'num');
    // A name first bound to a literal is an input (see trace.ts): keep it as a symbol.
    if (literal && !env.has(s.name)) { last = s.name; continue; }
    const text = printExpr(s.expr, env);
    env.set(s.name, text);
    last = text;
  }
  if (program.result) return printExpr(program.result, env);
  if (last === undefined) throw new TooLong();
  return last;
}
