import type { Expr } from './ir';

export type OpExpr = Extract<Expr, { kind: 'op' }>;
export type LeafExpr = Exclude<Expr, { kind: 'op' }>;

/**
 * Post-order over an expression with an explicit stack, so input nested arbitrarily deep (a 20,000-term sum is
 * a tree 20,000 deep) cannot overflow the call stack: `leaf` for a number, constant or variable, `op` for an
 * operation once its arguments are done (in order). With `memo`, a node reached again (unrolled matrix
 * programs share sub-expressions) gives its earlier result.
 */
export function postOrder<R>(root: Expr, leaf: (e: LeafExpr) => R, op: (e: OpExpr, args: R[]) => R, memo?: Map<Expr, R>): R {
  const results: R[] = [];
  const stack: { e: Expr; visited: boolean }[] = [{ e: root, visited: false }];
  while (stack.length) {
    const top = stack[stack.length - 1];
    const e = top.e;
    const known = memo?.get(e);
    if (known !== undefined) {
      stack.pop();
      results.push(known);
      continue;
    }
    if (e.kind === 'op' && !top.visited) {
      top.visited = true;
      for (let i = e.args.length - 1; i >= 0; i--) stack.push({ e: e.args[i], visited: false });
      continue;
    }
    stack.pop();
    const r = e.kind === 'op' ? op(e, results.splice(results.length - e.args.length, e.args.length)) : leaf(e);
    memo?.set(e, r);
    results.push(r);
  }
  return results[0];
}
