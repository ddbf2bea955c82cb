import type { OpName } from './ops';
import type { Span } from './span';

/**
 * The one IR every front end (math, TypeScript) produces and the tracer interprets.
 * Calls are already resolved to op-table names, so the tracer never sees user-chosen function names.
 */
export type Expr =
  | { kind: 'num'; value: number; span: Span }
  | { kind: 'const'; name: string; value: number; span: Span } // pi, e, Math.PI
  | { kind: 'var'; name: string; span: Span }
  // n-ary for max/min/hypot/add-chains; the tracer folds them into binary tape nodes.
  | { kind: 'op'; op: Exclude<OpName, 'input' | 'const'>; args: Expr[]; span: Span; label?: string };

export interface Assign {
  kind: 'assign';
  name: string;
  expr: Expr;
  span: Span;
  /** 'declare' for const/let, 'assign' for `x = …` / `x += …` (a new version of x). */
  mode: 'declare' | 'assign';
}

export type Lang = 'math' | 'ts';

export interface Program {
  lang: Lang;
  /** Parameters of a selected function/arrow: the inputs, in order. */
  params: { name: string; span: Span }[];
  body: Assign[];
  /** The traced output: the final expression / return value; absent means the last assigned variable. */
  result?: Expr;
  /** Where the whole program sits (for "no output" messages). */
  span: Span;
}

/** Free variables of a program: names read before any assignment, excluding parameters. In order of first use. */
export function freeVariables(program: Program): { name: string; span: Span }[] {
  const known = new Set(program.params.map((p) => p.name));
  const free = new Map<string, Span>();
  const visit = (root: Expr) => {
    const stack: Expr[] = [root];
    const ordered: { name: string; span: Span }[] = [];
    while (stack.length) {
      const e = stack.pop()!;
      if (e.kind === 'var') ordered.push({ name: e.name, span: e.span });
      else if (e.kind === 'op') for (let i = e.args.length - 1; i >= 0; i--) stack.push(e.args[i]);
    }
    for (const v of ordered) if (!known.has(v.name) && !free.has(v.name)) free.set(v.name, v.span);
  };
  for (const s of program.body) {
    visit(s.expr);
    known.add(s.name);
  }
  if (program.result) visit(program.result);
  return [...free].map(([name, span]) => ({ name, span }));
}
