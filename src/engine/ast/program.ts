import type { IrOp, Lang } from './kinds';
import type { Span } from '../base/span';

/*
 * The statement-level common language that the TypeScript and Python front ends produce for programs with
 * control flow (functions, loops, branches, lists, records, classes), and that interpreter/interpret.ts evaluates
 * on concrete values, appending the arithmetic to the tape. Straight-line programs keep using the IR of ir.ts.
 *
 * A front end hands such a program over as an ir.ts Program with `interpreted` set (and `body: []`, `params` the
 * selected function's parameters without defaults, as { name, span }): trace() then runs the interpreter, and every
 * caller of parseProgram/trace keeps working (see frontends/typescript.ts, the end of parseTypeScript).
 * The interpreter records calls, loops and iterations as Trace.scopes and each `if`/conditional in Trace.branches.
 *
 * Rules for front ends (so both languages mean the same thing):
 *  - Library calls are resolved by the front end, never by the interpreter: `Math.sin(x)`, `math.exp(x)`,
 *    `torch.tanh(x)`, `x.relu()` (micrograd), `F.relu(x)` become `{ kind: 'op', op: 'sin' | …, args }` with the
 *    IR's op names (IrOp). Named constants (`Math.PI`, `math.pi`) become `const`. So no name in interpreted code can
 *    reach anything but the program's own bindings and these resolved ops.
 *  - Language built-ins the interpreter implements are `builtin` calls (len, range, push, map, …; see BuiltinName),
 *    each with its receiver, if any, as the first argument: `xs.push(v)` is `builtin push [xs, v]`.
 *  - Numbers are IEEE doubles; `num` is a literal. A top-level declaration whose value is a number literal (or a
 *    list/record of number literals) makes inputs (`x`, `xs[0]`, `p.w`), as straight-line code does today.
 *  - `true`/`True` are `bool`; `null`/`undefined`/`None` are `none`; strings (only for labels and keys) are `str`.
 *  - Python's `self` and TypeScript's `this` are ordinary names: a method's receiver is bound to `FunctionDef.self`.
 *  - Every node carries the span of its source text; loops, calls and `if`s also carry the text the graph shows
 *    (`FunctionDef.name`, `Loop.header`, `If.condition`).
 */

export type CompareOp = '<' | '<=' | '>' | '>=' | '==' | '!=';

/**
 * Built-in functions of the two languages, implemented by the interpreter over its values.
 *  - `len(xs)` (Python len, TS `xs.length`): the number of items of a list (a plain number, not traced).
 *  - `range(stop)` / `range(start, stop[, step])`: a list of plain numbers.
 *  - `zip(a, b, …)`: a list of lists (tuples); `enumerate(xs[, start])`: a list of [i, x].
 *  - `sum(xs[, start])`: start + xs[0] + xs[1] + … (Python starts from 0; the interpreter skips an untraced 0 start
 *    so the graph shows xs[0] + xs[1] + … as written; the value is the same).
 *  - `push(xs, v…)`: appends (TS push, Python append); returns the new length (TS) — Python ignores it.
 *  - `map(xs, f)`, `forEach(xs, f)`, `filter(xs, f)`: TS array methods; f gets (item, index).
 *  - `reduce(xs, f[, initial])`: TS reduce, f gets (acc, item, index).
 *  - `float(x)` / `int(x)` in Python: `float` is the value itself; `int` truncates a plain number (refused on traced).
 *  - `abs`, `min`, `max` of Python builtins: front ends may resolve them to ops instead (`abs`, `max`, `min`).
 *  - `list(xs)`: a shallow copy.
 */
export type BuiltinName = 'len' | 'range' | 'zip' | 'enumerate' | 'sum' | 'push' | 'map' | 'forEach' | 'filter' | 'reduce'
  | 'float' | 'int' | 'list';

export interface Param {
  name: string;
  /** Evaluated at each call where the argument is missing (Python evaluates defaults once; numbers only, so the same). */
  default?: Expression;
  span: Span;
}

/** `function f(a, b) {…}`, `def f(a, b): …`, a method, an arrow or a lambda (as `lambda`'s `fn`). */
export interface FunctionDef {
  kind: 'function';
  /** As drawn in call titles (`neuron`); `lambda`/`<arrow>` for anonymous functions. */
  name: string;
  params: Param[];
  /** Block body; an expression-bodied arrow / Python lambda is `[{ kind: 'return', value }]`. */
  body: Statement[];
  /** For a method: the name its receiver is bound to (`this` in TS, the first parameter, usually `self`, in Python). */
  self?: string;
  span: Span;
}

/**
 * `class Neuron { w: number = 0; constructor(…) {…} forward(x) {…} }` / `class Neuron: def __init__(self, …): …`.
 * Calling the class (TS `new Neuron(…)`, Python `Neuron(…)`) makes an instance: fields are set from `fields`
 * (in order, evaluated with the instance bound to `this`), then `init` runs with the arguments. A method named
 * `__call__` makes instances callable (`n(x)`). Methods see the instance through `FunctionDef.self`.
 */
export interface ClassDef {
  kind: 'class';
  name: string;
  fields: { name: string; value?: Expression; span: Span }[];
  init?: FunctionDef;
  methods: FunctionDef[];
  span: Span;
}

/** Where an assignment or a loop variable stores its value. */
export type Target =
  | { kind: 'name'; name: string; span: Span }
  | { kind: 'index'; object: Expression; index: Expression; span: Span } // xs[i] = v
  | { kind: 'member'; object: Expression; name: string; span: Span } // this.w = v, self.w = v
  | { kind: 'tuple'; items: Target[]; span: Span }; // a, b = b, a  /  for (i, x) in enumerate(xs)  /  const [a, b] = …

export type Expression =
  // The IR's leaves and ops (ir.ts): args are Expressions here.
  | { kind: 'num'; value: number; span: Span }
  | { kind: 'const'; name: string; value: number; span: Span } // Math.PI, math.pi, NaN, Infinity
  | { kind: 'var'; name: string; span: Span }
  | { kind: 'op'; op: IrOp; args: Expression[]; label?: string; span: Span }
  | { kind: 'bool'; value: boolean; span: Span }
  | { kind: 'none'; span: Span }
  | { kind: 'str'; value: string; span: Span }
  /** A user function, closure, class (constructs) or callable instance. `new C(…)` is a call too. */
  | { kind: 'call'; callee: Expression; args: Expression[]; keywords?: { name: string; value: Expression; span: Span }[]; span: Span }
  | { kind: 'builtin'; name: BuiltinName; args: Expression[]; span: Span }
  /** `p.w`, `this.w`, `self.w`, `n.forward` (a method, bound to n). Never reaches host objects. */
  | { kind: 'member'; object: Expression; name: string; span: Span }
  /** `xs[i]`: i must be a whole number in range; negative counts from the end in Python and is refused in TypeScript. */
  | { kind: 'index'; object: Expression; index: Expression; span: Span }
  | { kind: 'list'; items: Expression[]; span: Span } // [a, b], (a, b)
  | { kind: 'record'; fields: { name: string; value: Expression; span: Span }[]; span: Span } // { w: 0.5, b: 0.1 }
  | { kind: 'lambda'; fn: FunctionDef; span: Span } // (x) => x * 2, lambda x: x * 2, function expressions
  /** `a < b`, or Python's chain `a < b <= c` (operands evaluated once, left to right, stopping at the first false). */
  | { kind: 'compare'; ops: CompareOp[]; operands: Expression[]; span: Span }
  /** `&&`/`and`, `||`/`or`: short-circuit, giving an operand's value (as both languages do). */
  | { kind: 'logical'; op: 'and' | 'or'; left: Expression; right: Expression; span: Span }
  | { kind: 'not'; arg: Expression; span: Span }
  /** `c ? a : b`, `a if c else b`. `condition` is the test's text, as the graph's branch mark shows it. */
  | { kind: 'cond'; test: Expression; then: Expression; else: Expression; condition: string; span: Span }
  /** `[f(x) for x in xs if p(x)]`, and generator expressions (same value: a list). Clauses nest left to right. */
  | { kind: 'comprehension'; element: Expression; clauses: ({ kind: 'for'; target: Target; iter: Expression } | { kind: 'if'; test: Expression })[]; span: Span };

/** Common to the three loops: `header` is the text the graph's loop group is titled with (`for i in range(3)`). */
interface Loop { header: string; span: Span }

export type Statement =
  /**
   * `const x = e` (declare 'const'), `let x = e` / `var` (declare 'let'), `x = e`, Python `x = e` (declare
   * absent: the interpreter binds a new name in the current function scope, as Python does), compound `x += e`
   * (`op: 'add'`, read-modify-write of the target). `let x;` is value `none`.
   */
  | { kind: 'assign'; target: Target; value: Expression; op?: 'add' | 'sub' | 'mul' | 'div' | 'pow'; declare?: 'const' | 'let'; span: Span }
  | { kind: 'expr'; expr: Expression; span: Span }
  /** `condition` is the test's text (`x > 0`), recorded in Trace.branches. An `elif` is an `else` holding one `if`. */
  | { kind: 'if'; test: Expression; then: Statement[]; else?: Statement[]; condition: string; span: Span }
  | ({ kind: 'while'; test: Expression; body: Statement[] } & Loop)
  /** `for (const x of xs)`, `for x in xs:`, `for i in range(n):`: the target is assigned each item in turn. */
  | ({ kind: 'for'; target: Target; declare?: 'const' | 'let'; iter: Expression; body: Statement[] } & Loop)
  /** `for (init; test; update) body`: `init` runs once in the loop's own scope; a missing test is `true`. */
  | ({ kind: 'cfor'; init: Statement[]; test?: Expression; update: Statement[]; body: Statement[] } & Loop)
  | { kind: 'break'; span: Span }
  | { kind: 'continue'; span: Span }
  | { kind: 'return'; value?: Expression; span: Span }
  | FunctionDef
  | ClassDef
  /** A `{ … }` block with its own `let`/`const` scope (TS only; Python has none). */
  | { kind: 'block'; body: Statement[]; span: Span };

/**
 * A whole interpreted program. `params` are the inputs of a selected function (as ir.ts's Program.params); then
 * `body` is that function's body and a top-level `return` gives the output. Otherwise the output is `result`
 * (evaluated after the body: the final expression statement, or what Python's `y.backward()` marks) or, when
 * absent, the value last assigned at top level.
 */
export interface ProgramAst {
  kind: 'program';
  lang: Lang;
  params: Param[];
  body: Statement[];
  result?: Expression;
  span: Span;
  /** Source text, for the titles of calls (`neuron(x, w1, b1)`) and branch conditions when a node lacks them. */
  text?: string;
}

/**
 * Names that lead to the host in JavaScript or Python. Interpreted code never binds them to anything of the host:
 * reading one is refused, and members with these names (and Python's other `__dunder__` names but `__init__` and
 * `__call__`) are refused on every value.
 */
export const FORBIDDEN_NAMES: ReadonlySet<string> = new Set([
  'constructor', '__proto__', 'prototype', '__class__', '__import__', '__builtins__', '__globals__', '__dict__',
  '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__',
  'globalThis', 'window', 'process', 'require', 'module', 'exports', 'eval', 'Function', 'import',
  'getattr', 'setattr', 'exec', 'compile', 'open', 'globals', 'locals', 'vars',
]);

/**
 * Names the program reads but never binds anywhere (parameters of the selected function excluded): they need
 * given values. In order of first use. Scoping is approximated by "bound anywhere", which is what a missing-value
 * message needs: a name bound somewhere in the program is the program's own.
 */
export function programFreeVariables(program: ProgramAst): { name: string; span: Span }[] {
  const bound = new Set<string>(program.params.map((p) => p.name));
  const reads: { name: string; span: Span }[] = [];
  const target = (t: Target): void => {
    if (t.kind === 'name') bound.add(t.name);
    else if (t.kind === 'tuple') t.items.forEach(target);
    else if (t.kind === 'index') { expr(t.object); expr(t.index); } else expr(t.object);
  };
  const fn = (f: FunctionDef): void => {
    bound.add(f.name);
    if (f.self) bound.add(f.self);
    for (const p of f.params) { bound.add(p.name); if (p.default) expr(p.default); }
    f.body.forEach(stmt);
  };
  const expr = (e: Expression): void => {
    switch (e.kind) {
      case 'var': reads.push({ name: e.name, span: e.span }); return;
      case 'op': case 'builtin': e.args.forEach(expr); return;
      case 'call': expr(e.callee); e.args.forEach(expr); e.keywords?.forEach((k) => expr(k.value)); return;
      case 'member': expr(e.object); return;
      case 'index': expr(e.object); expr(e.index); return;
      case 'list': e.items.forEach(expr); return;
      case 'record': e.fields.forEach((f) => expr(f.value)); return;
      case 'lambda': fn(e.fn); return;
      case 'compare': e.operands.forEach(expr); return;
      case 'logical': expr(e.left); expr(e.right); return;
      case 'not': expr(e.arg); return;
      case 'cond': expr(e.test); expr(e.then); expr(e.else); return;
      case 'comprehension':
        for (const c of e.clauses) { if (c.kind === 'for') { expr(c.iter); target(c.target); } else expr(c.test); }
        expr(e.element);
        return;
      default: return;
    }
  };
  const stmt = (s: Statement): void => {
    switch (s.kind) {
      case 'assign': expr(s.value); target(s.target); return;
      case 'expr': expr(s.expr); return;
      case 'if': expr(s.test); s.then.forEach(stmt); s.else?.forEach(stmt); return;
      case 'while': expr(s.test); s.body.forEach(stmt); return;
      case 'for': expr(s.iter); target(s.target); s.body.forEach(stmt); return;
      case 'cfor': s.init.forEach(stmt); if (s.test) expr(s.test); s.update.forEach(stmt); s.body.forEach(stmt); return;
      case 'return': if (s.value) expr(s.value); return;
      case 'function': fn(s); return;
      case 'class':
        bound.add(s.name);
        bound.add('this');
        s.fields.forEach((f) => f.value && expr(f.value));
        if (s.init) fn(s.init);
        s.methods.forEach(fn);
        return;
      case 'block': s.body.forEach(stmt); return;
      default: return;
    }
  };
  program.body.forEach(stmt);
  if (program.result) expr(program.result);
  const free = new Map<string, Span>();
  for (const r of reads) if (!bound.has(r.name) && !free.has(r.name)) free.set(r.name, r.span);
  return [...free].map(([name, span]) => ({ name, span }));
}
