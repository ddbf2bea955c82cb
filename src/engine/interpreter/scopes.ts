import type { Span } from '../base/span';

/**
 * The groups an interpreted program's nodes were created in, as the graph draws them (the scope contract between
 * the interpreter and the graph): every function call is a 'call' scope, every loop a 'loop' scope and each of
 * its passes an 'iteration'. A tape node's NodeMeta.scope is the innermost scope it was created in.
 */
export interface TraceScope {
  id: number;
  kind: 'call' | 'loop' | 'iteration';
  /** As drawn: `neuron(x, w1, b1) · line 9`, `for i in range(3) · line 4`, `i = 0`. */
  title: string;
  span: Span;
  parent?: number;
}

/** A branch the program took or skipped: `condition` as written; `node` is the tape node the condition compared. */
export interface TraceBranch {
  span: Span;
  condition: string;
  taken: boolean;
  node?: number;
}
