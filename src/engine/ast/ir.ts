import type { OpName } from '../tape/ops';
import type { Span } from '../base/span';

/**
 * The one IR every front end (math, TypeScript) produces and the tracer interprets.
 * Calls are already resolved to op-table names, so the tracer never sees user-chosen function names.
 */
export type Expr =
  | { kind: 'num'; value: number; span: Span }
  | { kind: 'const'; name: string; value: number; span: Span } // pi, e, Math.PI
  | { kind: 'var'; name: string; span: Span }
  // n-ary for max/min/hypot/add-chains; the tracer folds them into binary tape nodes.
  | { kind: 'op'; op: IrOp; args: Expr[]; span: Span; label?: string; group?: GroupTag };

/**
 * Matrix-level operations. They never reach the tape: tensor.ts unrolls them into scalar ops first.
 * 'array' is a bracket literal (its args are the rows or items); 'mmul' is mathjs `*` / numpy `dot`
 * (a scalar scales, otherwise a matrix product); 'matmul' is `@` (no scalars).
 */
export type TensorOp = 'array' | 'matmul' | 'mmul' | 'emul' | 'ediv' | 'epow' | 'transpose' | 'sum' | 'mean' | 'dot';
/** What an IR op node may be: a scalar op of the op table, or a matrix op. */
export type IrOp = Exclude<OpName, 'input' | 'const'> | TensorOp;

/** Which matrix-level op (tensor.ts's TensorGroup) a scalar node was unrolled from; `element` for the group's output entries. */
export interface GroupTag {
  group: number;
  /** Row-major index of this node in the group's value, when it is one of the group's output entries. */
  element?: number;
}

/** One matrix-level operation of a lowered program: the tensor view draws each as one node. */
export interface TensorGroup {
  id: number;
  kind: 'input' | 'const' | 'op';
  /** What the node shows: `@`, `+`, `relu`, `σ`, `sum`, … or the input's name. */
  label: string;
  /** [] for a scalar, [n] for a vector, [rows, cols] for a matrix. */
  shape: number[];
  /** The variable the result was assigned to, when there is one. */
  name?: string;
  span?: Span;
}

export interface Assign {
  kind: 'assign';
  name: string;
  expr: Expr;
  span: Span;
  /** 'declare' for const/let, 'assign' for `x = …` / `x += …` (a new version of x). */
  mode: 'declare' | 'assign';
  /** Set by tensor lowering: the group of the input or copy node this assignment creates. */
  group?: GroupTag;
}

export type Lang = 'math' | 'ts' | 'python';

export interface Program {
  lang: Lang;
  /** Parameters of a selected function/arrow: the inputs, in order. */
  params: { name: string; span: Span }[];
  body: Assign[];
  /** The traced output: the final expression / return value; absent means the last assigned variable. */
  result?: Expr;
  /** Where the whole program sits (for "no output" messages). */
  span: Span;
  /** Set on a program that tensor.ts unrolled from matrix operations: the groups its scalar nodes are tagged with. */
  groups?: TensorGroup[];
  /** The variable the source differentiates by, when it says (sympy's `diff(f, x)`). */
  wrt?: { name: string; span: Span };
  /**
   * A sympy program: its free variables are symbols, so with no values it is drawn symbolically (values and
   * local derivatives as formulas), as it is always when it applies an undefined function (op 'fn').
   */
  symbolic?: boolean;
}

/**
 * The number a literal denotes: `3` or `-3` (front ends drop a unary `+`). A name first bound to a literal is an
 * input, like torch's leaf tensors: the tracer, the printer, tensor lowering and the TypeScript front end's
 * parameter defaults all ask this one question.
 */
export function literalNumber(e: Expr): number | undefined {
  if (e.kind === 'num') return e.value;
  if (e.kind === 'op' && e.op === 'neg' && e.args[0].kind === 'num') return -e.args[0].value;
  return undefined;
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
