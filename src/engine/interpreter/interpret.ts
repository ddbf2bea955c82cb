import { BackpropError } from '../base/errors';
import { formatNumber } from '../base/format';
import { LIMITS } from '../base/limits';
import { lookup } from '../base/lookup';
import type { Span } from '../base/span';
import type { TensorValue, TensorValues } from '../base/tensor-value';
import type { Program } from '../ast/ir';
import { FORBIDDEN_NAMES, programFreeVariables, type BuiltinName, type ClassDef, type Expression, type FunctionDef, type ProgramAst, type Statement, type Target } from '../ast/program';
import { OP, OPS, type OpName } from '../tape/ops';
import { Tape, type NodeMeta } from '../tape/tape';
import type { TraceBranch, TraceScope } from './scopes';
import type { Trace, TraceInput } from './trace-types';

/*
 * The interpreter of the statement-level common language (ast/program.ts): it evaluates the parsed program on
 * concrete values and appends every arithmetic operation on a traced number to the tape, so the tape holds
 * exactly the computation that ran — loops unrolled, calls inlined, the branches taken. Nothing of the host is
 * reachable: names resolve to the program's own bindings (and given values); library calls were resolved to op
 * names by the front end; members and indexes reach only the interpreter's own lists, records and instances.
 *
 * Numbers that depend on no input (a loop counter, `xs.length`, `2 * 3`) stay plain JavaScript numbers: they
 * reach the tape, as a constant node, only where they meet a traced number. So counters never clutter the graph.
 */

/** Interpreter budgets: each ends the trace with a clear error instead of a hang. */
export interface Budgets {
  /** Statements, loop passes and calls executed (default 1,000,000). */
  maxSteps?: number;
  /** Nested calls (default 1,000). */
  maxCallDepth?: number;
}
export const DEFAULT_BUDGETS = { maxSteps: 1_000_000, maxCallDepth: 1_000 } as const;

class Traced { constructor(readonly node: number) {} }
class ListV { constructor(readonly items: Value[]) {} }
/** `range(…)` without materializing it: a loop to 1e9 must not allocate 1e9 items before the step budget stops it. */
class RangeV {
  constructor(readonly start: number, readonly stop: number, readonly step: number) {}
  get length(): number { return Math.max(0, Math.ceil((this.stop - this.start) / this.step)); }
  at(i: number): number { return this.start + i * this.step; }
}
class RecordV { readonly fields = new Map<string, Value>(); }
class Closure { constructor(readonly fn: FunctionDef, readonly env: Env, readonly self?: Value) {} }
class ClassV { constructor(readonly def: ClassDef, readonly env: Env) {} }
class InstanceV { readonly fields = new Map<string, Value>(); constructor(readonly cls: ClassV) {} }
type Value = number | boolean | string | null | Traced | ListV | RangeV | RecordV | Closure | ClassV | InstanceV;

type Keyword = { name: string; value: Value; span: Span };
const NO_KEYWORDS: Keyword[] = [];
const spanOf = (e: { span: Span }): Span => e.span;

class Env {
  readonly vars = new Map<string, Value>();
  constructor(readonly parent?: Env) {}
  find(name: string): Env | undefined {
    if (this.vars.has(name)) return this;
    return this.parent?.find(name);
  }
}

const NORMAL = 0, BREAK = 1, CONTINUE = 2, RETURN = 3;
type Completion = typeof NORMAL | typeof BREAK | typeof CONTINUE | typeof RETURN;

/** What is running, for budget messages: the loop or call to blame. */
interface Active { kind: 'loop' | 'call'; span: Span; what: string }

const TENSOR_OPS: ReadonlySet<string> = new Set(['array', 'sum', 'mean', 'dot', 'emul', 'ediv', 'epow', 'matmul', 'mmul', 'transpose']);
const COMPOUND_OPS = lookup<OpName>({ add: 'add', sub: 'sub', mul: 'mul', div: 'div', pow: 'pow' });
const fmt = (n: number) => formatNumber(n, 4);
/** `₂` for 2, as base/format.ts's subscript(), without a regular expression: a loop names thousands of versions. */
function versionMark(n: number): string {
  let out = '';
  for (const digit of String(n)) out += String.fromCharCode(0x2080 + digit.charCodeAt(0) - 48);
  return out;
}
const count = (n: number) => n.toLocaleString('en-US');

/** Member names that lead to host machinery in JavaScript or Python: refused wherever they appear. */
function isForbiddenMember(name: string): boolean {
  return FORBIDDEN_NAMES.has(name) || (name.startsWith('__') && name.endsWith('__') && name !== '__call__' && name !== '__init__');
}

/** Each list input's gradient in its own shape (`xs` → [∂/∂xs[0], ∂/∂xs[1], …]), from a traced program. */
export function listGradients(trace: Trace): Record<string, TensorValue> {
  const out: Record<string, TensorValue> = Object.create(null);
  for (const list of trace.inputLists ?? []) {
    const grads = list.nodes.map((n) => trace.tape.grad[n]);
    out[list.name] = list.shape.length === 1 ? grads
      : Array.from({ length: list.shape[0] }, (_, r) => grads.slice(r * list.shape[1], (r + 1) * list.shape[1]));
  }
  return out;
}

export function interpret(program: Program, ast: ProgramAst, givenValues: TensorValues, budgets: Budgets = {}): Trace {
  return new Interpreter(program, ast, givenValues, budgets).run();
}

class Interpreter {
  readonly tape = new Tape(256);
  readonly scopes: TraceScope[] = [];
  readonly branches: TraceBranch[] = [];
  readonly inputs: TraceInput[] = [];
  readonly inputLists: NonNullable<Trace['inputLists']> = [];
  readonly given: Readonly<Record<string, TensorValue>>;
  /** Inputs given for free variables (--at / input box): outside the program's own scope, so TS cannot assign them. */
  readonly givenEnv = new Env();
  readonly globals = new Env(this.givenEnv);
  readonly maxSteps: number;
  readonly maxDepth: number;
  readonly py: boolean;
  readonly text: string;
  steps = 0;
  depth = 0;
  loopDepth = 0;
  scope: number | undefined = undefined;
  readonly active: Active[] = [];
  returnValue: Value = null;
  /** The top level's versions of each name (x, x₂, …), as straight-line code names them. */
  readonly versions = new Map<string, number>();
  lastTopLevel: Value | undefined;
  readonly titles = new Map<Expression, string>();
  /** The traced operand of the last comparison, for TraceBranch.node. */
  compared: number | undefined;

  constructor(readonly program: Program, readonly ast: ProgramAst, givenValues: TensorValues, budgets: Budgets) {
    this.given = lookup(givenValues as Record<string, TensorValue>);
    this.maxSteps = budgets.maxSteps ?? DEFAULT_BUDGETS.maxSteps;
    this.maxDepth = budgets.maxCallDepth ?? DEFAULT_BUDGETS.maxCallDepth;
    this.py = ast.lang === 'python';
    this.text = ast.text ?? '';
  }

  run(): Trace {
    const ast = this.ast;
    const free = programFreeVariables(ast);
    const missing = [...ast.params.filter((p) => !p.default), ...free].filter((v) => !(v.name in this.given) && !FORBIDDEN_NAMES.has(v.name));
    if (missing.length) {
      const names = missing.map((m) => m.name);
      throw new BackpropError('missing-value',
        `no value for ${names.length === 1 ? 'variable' : 'variables'} ${names.map((n) => `'${n}'`).join(', ')} (give one with --at ${names.map((n) => `${n}=…`).join(',')})`,
        missing[0].span, names);
    }
    for (const p of ast.params) {
      const value = p.name in this.given ? this.inputsOf(p.name, this.given[p.name], p.span, 'given')
        : this.literalInputs(p.name, p.default!, p.span);
      this.globals.vars.set(p.name, value);
      this.versions.set(p.name, 1);
    }
    let out: Value | undefined;
    try {
      const completion = this.block(ast.body, this.globals, false);
      if (completion === RETURN) out = this.returnValue;
      else if (ast.result) out = this.expr(ast.result, this.globals);
      else out = this.lastTopLevel;
    } catch (e) {
      if (e instanceof RangeError && /call stack/i.test(e.message)) throw this.tooDeep();
      throw e;
    }
    const at = ast.result?.span ?? ast.span;
    if (out === undefined || out === null) throw new BackpropError('no-output', 'nothing to trace: no output expression, return value or assignment', at);
    let output: number;
    if (out instanceof Traced) output = out.node;
    else if (typeof out === 'number') output = this.constant(out, at);
    else throw new BackpropError('unsupported', `the output is ${this.describeKind(out)}, not one number${out instanceof ListV ? ' (sum it, or pick one item)' : ''}`, at);
    this.tape.backward(output, { constants: true });
    const trace: Trace = { program: this.program, tape: this.tape, output, inputs: this.inputs, scopes: this.scopes, branches: this.branches };
    if (this.inputLists.length) trace.inputLists = this.inputLists;
    return trace;
  }

  // ---- budgets -------------------------------------------------------------------------------------------------

  private blame(): Active | undefined {
    return this.active.find((a) => a.kind === 'loop') ?? this.active[0];
  }

  private where(a: Active): string {
    return `${a.what} at ${a.span.line}:${a.span.col}`;
  }

  private step(): void {
    if (++this.steps > this.maxSteps) {
      const a = this.blame();
      throw new BackpropError('too-large', `stopped: ${a ? `the ${this.where(a)}` : 'the program'} ran more than ${count(this.maxSteps)} steps`, a?.span);
    }
  }

  private checkNodes(): void {
    if (this.tape.size >= LIMITS.maxNodes) {
      const a = this.blame();
      throw new BackpropError('too-large', `stopped: ${a ? `the ${this.where(a)}` : 'the program'} built more than ${count(LIMITS.maxNodes)} graph nodes`, a?.span);
    }
  }

  private tooDeep(): BackpropError {
    const calls = this.active.filter((a) => a.kind === 'call');
    const a = calls[calls.length - 1] ?? calls[0];
    return new BackpropError('too-deep', `stopped: ${a ? `the ${this.where(a)}` : 'the program'} nested calls more deeply than the interpreter's stack allows (${count(this.depth)} deep)`, a?.span);
  }

  // ---- tape ----------------------------------------------------------------------------------------------------

  private meta(span: Span, name?: string): NodeMeta {
    const m: NodeMeta = name === undefined ? { span } : { name, span };
    if (this.scope !== undefined) m.scope = this.scope;
    return m;
  }

  private constant(value: number, span: Span): number {
    this.checkNodes();
    return this.tape.constant(value, this.meta(span));
  }

  private input(name: string, value: number, span: Span, source: TraceInput['source']): Traced {
    const index = this.tape.input(name, value, span);
    if (this.scope !== undefined) this.tape.meta.get(index)!.scope = this.scope;
    this.inputs.push({ name, index, value, span, source });
    return new Traced(index);
  }

  /** A given value as inputs: a number, or a list (of lists) of numbers named `xs[0]`, `W[0,1]`. */
  private inputsOf(name: string, value: TensorValue, span: Span, source: TraceInput['source']): Value {
    if (typeof value === 'number') return this.input(name, value, span, source);
    if (!Array.isArray(value)) throw new BackpropError('bad-value', `value of '${name}' must be a number or a list of numbers`, span);
    const nodes: number[] = [];
    const rows = value as (number | number[])[];
    const matrix = rows.length > 0 && rows.every((r) => Array.isArray(r));
    const items = rows.map((r, i) => {
      if (typeof r === 'number') { const t = this.input(`${name}[${i}]`, r, span, source); nodes.push(t.node); return t; }
      if (!Array.isArray(r) || !r.every((x) => typeof x === 'number')) throw new BackpropError('bad-value', `value of '${name}' must be numbers or rows of numbers`, span);
      return new ListV(r.map((x, j) => { const t = this.input(`${name}[${i},${j}]`, x, span, source); nodes.push(t.node); return t; }));
    });
    const rectangular = matrix && rows.every((r) => (r as number[]).length === (rows[0] as number[]).length);
    if (!matrix || rectangular) this.inputLists.push({ name, shape: matrix ? [rows.length, (rows[0] as number[]).length] : [rows.length], nodes });
    return new ListV(items);
  }

  /** A literal the code binds at top level (`const x = 3`, `const xs = [1, 2]`, `const p = { w: 0.5 }`) as inputs. */
  private literalInputs(name: string, e: Expression, span: Span): Value {
    const lit = literalValue(e);
    if (lit === undefined) return this.expr(e, this.globals);
    if (typeof lit === 'number' || Array.isArray(lit)) return this.inputsOf(name, lit, span, 'literal');
    const record = new RecordV();
    for (const [field, v] of lit.fields) this.setField(record, field, this.input(`${name}.${field}`, v, span, 'literal'), span);
    return record;
  }

  private num(v: Value, span: Span): number {
    if (v instanceof Traced) return this.tape.value[v.node];
    if (typeof v === 'number') return v;
    // Python's True + 1 is 2; TypeScript's type checker refuses arithmetic on booleans, and so do we.
    if (typeof v === 'boolean' && this.py) return v ? 1 : 0;
    throw new BackpropError('unsupported', `expected a number here, got ${this.describeKind(v)}`, span);
  }

  private node(v: Value, span: Span): number {
    if (v instanceof Traced) return v.node;
    return this.constant(this.num(v, span), span);
  }

  /** op(x) or op(x, y) on numbers (apply() without its arrays). */
  private scalar(op: OpName, x: Value, y: Value | undefined, sx: Span, sy: Span, span: Span, label?: string): Value {
    const xt = x instanceof Traced, yt = y instanceof Traced;
    if (this.py && (x instanceof ListV || x instanceof RangeV || y instanceof ListV || y instanceof RangeV)) {
      return this.pythonList(op, y === undefined ? [x] : [x, y], [sx, sy], span, label);
    }
    if (!xt && !yt && (typeof x !== 'number' || (y !== undefined && typeof y !== 'number'))) {
      if (x instanceof ListV || x instanceof RangeV || y instanceof ListV || y instanceof RangeV) {
        return this.elementwise(op, y === undefined ? [x] : [x, y], [sx, sy], span, label);
      }
    }
    const code = OP[op];
    if (!xt && !yt) return OPS[code].forward(this.num(x, sx), y === undefined ? 0 : this.num(y, sy));
    if (x instanceof ListV || y instanceof ListV || x instanceof RangeV || y instanceof RangeV) {
      return this.elementwise(op, y === undefined ? [x] : [x, y], [sx, sy], span, label);
    }
    const a = xt ? (x as Traced).node : this.constant(this.num(x, sx), sx);
    const b = y === undefined ? -1 : yt ? (y as Traced).node : this.constant(this.num(y, sy), sy);
    if (this.tape.size >= LIMITS.maxNodes) this.checkNodes();
    const i = this.tape.apply(code, a, b);
    this.tape.meta.set(i, this.scope === undefined ? { span } : { span, scope: this.scope });
    return new Traced(i);
  }

  /** op(args) on numbers: plain when every argument is plain, else tape nodes; elementwise over lists. */
  private apply(op: OpName, args: Value[], spans: Span[], span: Span, label?: string): Value {
    if (this.py && args.some((a) => a instanceof ListV || a instanceof RangeV)) return this.pythonList(op, args, spans, span, label);
    if (args.some((a) => a instanceof ListV || a instanceof RangeV)) return this.elementwise(op, args, spans, span, label);
    if (args.length === 1 && (op === 'max' || op === 'min')) return args[0];
    if (args.length === 1 && op === 'hypot') return this.apply('abs', args, spans, span);
    const spec = OPS[OP[op]];
    if (!args.some((a) => a instanceof Traced)) {
      let acc = spec.forward(this.num(args[0], spans[0]), args.length > 1 ? this.num(args[1], spans[1]) : 0);
      for (let i = 2; i < args.length; i++) acc = spec.forward(acc, this.num(args[i], spans[i]));
      return acc;
    }
    const code = OP[op];
    const first = this.node(args[0], spans[0]);
    const second = args.length > 1 ? this.node(args[1], spans[1]) : -1;
    this.checkNodes();
    let acc = this.tape.apply(code, first, second);
    this.tape.meta.set(acc, this.meta(span));
    for (let i = 2; i < args.length; i++) {
      const next = this.node(args[i], spans[i]);
      acc = this.tape.apply(code, acc, next);
      this.tape.meta.set(acc, this.meta(span));
    }
    return new Traced(acc);
  }

  /** Python's lists: `+` concatenates (`self.w + [self.b]`), `*` by a whole number repeats; no other arithmetic. */
  private pythonList(op: OpName, args: Value[], spans: Span[], span: Span, label?: string): Value {
    const items = (v: Value) => (v instanceof ListV ? v.items : v instanceof RangeV ? Array.from({ length: v.length }, (_, i) => v.at(i)) : undefined);
    const [a, b] = [items(args[0]), args.length > 1 ? items(args[1]) : undefined];
    if (op === 'add' && a && b) return new ListV([...a, ...b]);
    // max(xs) / min(xs): over the items (ties keep the first, as Python's max does).
    if ((op === 'max' || op === 'min') && args.length === 1 && a) {
      if (!a.length) throw new BackpropError('unsupported', `${op}() of an empty list`, span);
      return a.reduce((acc, item) => this.apply(op, [acc, item], [spans[0], spans[0]], span, label));
    }
    const times = op === 'mul' && args.length === 2 ? (a ? args[1] : args[0]) : undefined;
    if (times !== undefined && !(a && b) && typeof times === 'number' && Number.isInteger(times)) {
      const list = (a ?? b)!;
      if (list.length * Math.max(0, times) > LIMITS.maxNodes) throw new BackpropError('too-large', `a list of ${list.length * times} items is over the limit`, span);
      return new ListV(Array.from({ length: Math.max(0, times) }, () => list).flat());
    }
    const kinds = args.map((v) => this.describeKind(v)).join(' and ');
    throw new BackpropError('unsupported', `'${label ?? op}' of ${kinds} (Python lists do no arithmetic: + joins lists, * by a whole number repeats one; use a comprehension, e.g. [2 * x for x in xs])`, span);
  }

  private elementwise(op: OpName, args: Value[], spans: Span[], span: Span, label?: string): Value {
    let length = -1;
    for (const a of args) {
      if (a instanceof ListV || a instanceof RangeV) {
        const n = a instanceof ListV ? a.items.length : a.length;
        if (length >= 0 && n !== length) throw new BackpropError('unsupported', `'${label ?? op}' of lists of different lengths (${length} and ${n})`, span);
        length = n;
      }
    }
    const items: Value[] = [];
    for (let i = 0; i < length; i++) items.push(this.apply(op, args.map((a) => (a instanceof ListV ? a.items[i] : a instanceof RangeV ? a.at(i) : a)), spans, span, label));
    return new ListV(items);
  }

  // ---- statements ----------------------------------------------------------------------------------------------

  /** Runs statements; `scoped`: in an environment of their own (TypeScript blocks; Python has none). */
  private block(body: Statement[], env: Env, scoped: boolean): Completion {
    // A block that declares nothing needs no environment of its own (most loop bodies: one fewer Map a pass).
    const local = scoped && !this.py && declaresNames(body) ? new Env(env) : env;
    // Function declarations are hoisted, as in TypeScript (harmless for Python, whose defs run in order anyway).
    for (const s of body) if (s.kind === 'function') local.vars.set(s.name, new Closure(s, local));
    for (const s of body) {
      const completion = this.statement(s, local);
      if (completion !== NORMAL) return completion;
    }
    return NORMAL;
  }

  private statement(s: Statement, env: Env): Completion {
    this.step();
    switch (s.kind) {
      case 'assign':
        if (this.isInputDeclaration(s)) this.declareInputs(s, env);
        else this.assigned(s, this.expr(s.value, env), env);
        return NORMAL;
      case 'expr': this.expr(s.expr, env); return NORMAL;
      case 'if': {
        const taken = this.test(s.test, env, s.condition, s.span);
        if (taken) return this.block(s.then, env, true);
        return s.else ? this.block(s.else, env, true) : NORMAL;
      }
      case 'while': return this.whileLoop(s, env);
      case 'for': return this.forLoop(s, env);
      case 'cfor': return this.cForLoop(s, env);
      case 'break': return BREAK;
      case 'continue': return CONTINUE;
      case 'return':
        this.returnValue = s.value ? this.expr(s.value, env) : null;
        return RETURN;
      case 'function': env.vars.set(s.name, new Closure(s, env)); return NORMAL;
      case 'class': env.vars.set(s.name, new ClassV(s, env)); return NORMAL;
      case 'block': return this.block(s.body, env, true);
    }
  }

  private whileLoop(s: Extract<Statement, { kind: 'while' }>, env: Env): Completion {
    return this.loop(s, (iterate) => {
      for (let pass = 0; ; pass++) {
        if (!this.test(s.test, env, undefined, s.span)) return NORMAL;
        const completion = iterate(`iteration ${pass + 1}`, () => this.block(s.body, env, true));
        if (completion !== NORMAL) return completion;
      }
    });
  }

  private forLoop(s: Extract<Statement, { kind: 'for' }>, env: Env): Completion {
    return this.loop(s, (iterate) => {
      const iterable = this.expr(s.iter, env);
      const length = this.lengthOf(iterable, s.iter.span);
      for (let pass = 0; pass < length; pass++) {
        const item = this.itemOf(iterable, pass);
        const inner = this.py ? env : new Env(env);
        this.bind(s.target, item, inner, s.declare ?? (this.py ? undefined : 'let'));
        const completion = iterate(this.iterationTitle(s.target, item, pass, length), () => this.block(s.body, inner, true));
        if (completion !== NORMAL) return completion;
      }
      return NORMAL;
    });
  }

  private cForLoop(s: Extract<Statement, { kind: 'cfor' }>, env: Env): Completion {
    return this.loop(s, (iterate) => {
      const outer = new Env(env);
      for (const init of s.init) this.statement(init, outer);
      const declared = [...outer.vars.keys()];
      let current = outer;
      for (let pass = 0; ; pass++) {
        if (s.test && !this.test(s.test, current, undefined, s.span)) return NORMAL;
        const title = declared.length ? declared.map((n) => `${n} = ${this.describe(current.vars.get(n)!)}`).join(', ') : `iteration ${pass + 1}`;
        const completion = iterate(title, () => this.block(s.body, current, true));
        if (completion !== NORMAL) return completion;
        // Each pass has its own copy of the loop variables, as `let` gives in TypeScript, so closures made in one
        // pass keep that pass's values; without closures in the loop, one environment serves every pass.
        if (makesClosures(s.body)) {
          const next = new Env(env);
          for (const [n, v] of current.vars) next.vars.set(n, v);
          current = next;
        }
        for (const u of s.update) this.statement(u, current);
      }
    });
  }

  /** A loop: its scope, one iteration scope per pass, break/continue handled here. */
  private loop(s: Extract<Statement, { kind: 'while' | 'for' | 'cfor' }>,
    body: (iterate: (title: string, run: () => Completion) => Completion) => Completion): Completion {
    const parent = this.scope;
    const loopScope = this.pushScope('loop', `${s.header} · line ${s.span.line}`, s.span);
    this.active.push({ kind: 'loop', span: s.span, what: 'loop' });
    this.loopDepth++;
    const result = body((title, run) => {
      this.step();
      this.pushScope('iteration', title, s.span);
      const completion = run();
      this.scope = loopScope;
      if (completion === BREAK) return BREAK;
      if (completion === RETURN) return RETURN;
      return NORMAL;
    });
    this.loopDepth--;
    this.active.pop();
    this.scope = parent;
    return result === BREAK ? NORMAL : result;
  }

  private pushScope(kind: TraceScope['kind'], title: string, span: Span): number {
    const id = this.scopes.length;
    const scope: TraceScope = { id, kind, title, span };
    if (this.scope !== undefined) scope.parent = this.scope;
    this.scopes.push(scope);
    this.scope = id;
    return id;
  }

  private iterationTitle(target: Target, item: Value, k: number, length: number): string {
    // An object has no short value to show (`layer = a 'Layer' object` says less): its place in the loop does.
    const shortValue = typeof item === 'number' || typeof item === 'boolean' || item instanceof Traced || item instanceof ListV || item instanceof RangeV;
    if (target.kind === 'name') return shortValue ? `${target.name} = ${this.describe(item)}` : `${target.name} ${k + 1} of ${length}`;
    if (target.kind === 'tuple' && target.items.every((t) => t.kind === 'name') && (item instanceof ListV) && item.items.length === target.items.length) {
      return target.items.map((t, i) => `${(t as { name: string }).name} = ${this.describe(item.items[i])}`).join(', ');
    }
    return `iteration ${k + 1}`;
  }

  /** A value as an iteration title shows it: `0`, `xs[1]`, `[…]`. */
  private describe(v: Value): string {
    if (typeof v === 'number') return fmt(v);
    if (v instanceof Traced) return this.tape.meta.get(v.node)?.name ?? fmt(this.tape.value[v.node]);
    if (typeof v === 'boolean') return String(v);
    if (v instanceof ListV || v instanceof RangeV) return '[…]';
    return this.describeKind(v);
  }

  private describeKind(v: Value): string {
    if (v === null) return this.py ? 'None' : 'undefined';
    if (typeof v === 'boolean') return 'a boolean';
    if (typeof v === 'string') return 'a string';
    if (typeof v === 'number' || v instanceof Traced) return 'a number';
    if (v instanceof ListV) return `a list of ${v.items.length} items`;
    if (v instanceof RangeV) return 'a range';
    if (v instanceof RecordV) return 'an object';
    if (v instanceof Closure) return 'a function';
    if (v instanceof ClassV) return `the class '${v.def.name}'`;
    return `a '${v.cls.def.name}' object`;
  }

  /** Evaluates a condition, records the branch when it is an `if` / conditional (`condition` given). */
  private test(e: Expression, env: Env, condition: string | undefined, span: Span): boolean {
    this.compared = undefined;
    const v = this.expr(e, env);
    const taken = this.truthy(v);
    if (condition !== undefined) {
      const branch: TraceBranch = { span, condition, taken };
      const node = v instanceof Traced ? v.node : this.compared;
      if (node !== undefined) branch.node = node;
      this.branches.push(branch);
    }
    return taken;
  }

  private truthy(v: Value): boolean {
    if (typeof v === 'boolean') return v;
    if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
    if (v instanceof Traced) { const x = this.tape.value[v.node]; return x !== 0 && !Number.isNaN(x); }
    if (v === null) return false;
    if (typeof v === 'string') return v.length > 0;
    if (this.py && v instanceof ListV) return v.items.length > 0;
    if (this.py && v instanceof RangeV) return v.length > 0;
    return true;
  }

  /** `const x = 3` at top level (outside loops and calls, first binding): an input, as in straight-line code. */
  private isInputDeclaration(s: Extract<Statement, { kind: 'assign' }>): boolean {
    const t = s.target;
    return t.kind === 'name' && !s.op && this.depth === 0 && this.loopDepth === 0 && !this.versions.has(t.name) && literalValue(s.value) !== undefined;
  }

  private declareInputs(s: Extract<Statement, { kind: 'assign' }>, env: Env): void {
    const t = s.target as Extract<Target, { kind: 'name' }>;
    // A given value overrides the literal.
    const value = t.name in this.given ? this.inputsOf(t.name, this.given[t.name], s.span, 'given') : this.literalInputs(t.name, s.value, s.span);
    this.versions.set(t.name, 1);
    this.store(t, value, env, s.declare, s.span);
    this.lastTopLevel = value;
  }

  /** Stores an assignment's value (already evaluated by statement(), so a recursion through it costs no frame here). */
  private assigned(s: Extract<Statement, { kind: 'assign' }>, evaluated: Value, env: Env): void {
    const t = s.target;
    const topLevel = this.depth === 0;
    let value = evaluated;
    if (s.op) value = this.scalar(COMPOUND_OPS[s.op], this.read(t, env), value, t.span, s.value.span, s.span);
    if (t.kind === 'name') value = this.named(t.name, value, s.span, topLevel);
    this.store(t, value, env, s.declare, s.span);
    if (topLevel) this.lastTopLevel = value;
  }

  /** Names the node a variable now holds: top level as straight-line code (x, x₂; a copy when already named), locals plainly. */
  private named(name: string, value: Value, span: Span, topLevel: boolean): Value {
    if (!(value instanceof Traced)) return value;
    const meta = this.tape.meta.get(value.node);
    const taken = meta?.name !== undefined || this.tape.op[value.node] === OP.input;
    if (!topLevel) {
      if (!taken && meta) meta.name = name;
      return value;
    }
    const version = (this.versions.get(name) ?? 0) + 1;
    this.versions.set(name, version);
    const shown = version === 1 ? name : `${name}${versionMark(version)}`;
    if (!taken && meta) { meta.name = shown; return value; }
    this.checkNodes();
    return new Traced(this.tape.applyNamed('id', value.node, -1, this.meta(span, shown)));
  }

  private read(t: Target, env: Env): Value {
    switch (t.kind) {
      case 'name': return this.variable(t.name, t.span, env);
      case 'index': return this.index(this.expr(t.object, env), this.expr(t.index, env), t.span);
      case 'member': return this.member(this.expr(t.object, env), t.name, t.span);
      case 'tuple': throw new BackpropError('unsupported', 'a compound assignment to several targets', t.span);
    }
  }

  private store(t: Target, value: Value, env: Env, declare: 'const' | 'let' | undefined, span: Span): void {
    switch (t.kind) {
      case 'name': {
        if (declare || this.py) { env.vars.set(t.name, value); return; }
        const home = env.find(t.name);
        if (!home || home === this.givenEnv) throw new BackpropError('unsupported', `assignment to undeclared name '${t.name}' (declare it with let)`, t.span);
        home.vars.set(t.name, value);
        return;
      }
      case 'index': {
        const object = this.expr(t.object, env);
        const key = this.expr(t.index, env);
        if (object instanceof ListV) {
          const i = this.position(object.items.length, key, t.index.span, !this.py);
          if (i === object.items.length) object.items.push(value);
          else object.items[i] = value;
          return;
        }
        if ((object instanceof RecordV || object instanceof InstanceV) && typeof key === 'string') {
          this.setField(object, key, value, t.span);
          return;
        }
        throw new BackpropError('unsupported', `assignment into ${this.describeKind(object)} by index`, t.span);
      }
      case 'member': {
        const object = this.expr(t.object, env);
        if (object instanceof RecordV || object instanceof InstanceV) { this.setField(object, t.name, value, t.span); return; }
        throw new BackpropError('unsupported', `assignment to '.${t.name}' of ${this.describeKind(object)}`, t.span);
      }
      case 'tuple': {
        const n = this.lengthOf(value, span);
        if (n !== t.items.length) throw new BackpropError('unsupported', `${t.items.length} targets but ${n} values to unpack`, t.span);
        t.items.forEach((item, i) => this.store(item, this.itemOf(value, i), env, declare, span));
      }
    }
  }

  /** Binds a loop target to an item (no naming: the item keeps its own node). */
  private bind(t: Target, item: Value, env: Env, declare: 'const' | 'let' | undefined): void {
    this.store(t, item, env, declare, t.span);
  }

  private setField(object: RecordV | InstanceV, name: string, value: Value, span: Span): void {
    if (isForbiddenMember(name)) throw new BackpropError('unsupported', `the member '${name}' (interpreted code reaches only its own values)`, span);
    object.fields.set(name, value);
  }

  // ---- expressions ---------------------------------------------------------------------------------------------

  private variable(name: string, span: Span, env: Env): Value {
    for (let e: Env | undefined = env; e; e = e.parent) {
      const v = e.vars.get(name);
      if (v !== undefined || e.vars.has(name)) return v as Value;
    }
    if (name in this.given) {
      // A free variable with a given value becomes an input the first time it is read.
      const value = this.inputsOf(name, this.given[name], span, 'given');
      this.givenEnv.vars.set(name, value);
      return value;
    }
    if (FORBIDDEN_NAMES.has(name)) throw new BackpropError('unsupported', `'${name}' is not available: interpreted code sees only its own names and the math library`, span);
    throw new BackpropError('missing-value', `no value for variable '${name}' (give one with --at ${name}=…)`, span, [name]);
  }

  // expr() and statement() keep no closures and few locals: they are on the stack once per nesting level of the
  // program (a recursion 1,000 calls deep is ~10,000 of their frames), so every byte of their frames counts.
  private expr(e: Expression, env: Env): Value {
    if (++this.steps > this.maxSteps) this.step();
    switch (e.kind) {
      case 'num': return e.value;
      case 'const': return e.value;
      case 'bool': return e.value;
      case 'none': return null;
      case 'str': return e.value;
      case 'var': return this.variable(e.name, e.span, env);
      case 'op': {
        // The hot path inline (one frame fewer per nesting level): one unary or binary op of the op table.
        const a = e.args;
        if (a.length === 2 && !TENSOR_OPS.has(e.op)) return this.scalar(e.op as OpName, this.expr(a[0], env), this.expr(a[1], env), a[0].span, a[1].span, e.span, e.label);
        return this.op(e, env);
      }
      case 'list': return new ListV(this.values(e.items, env));
      case 'record': return this.record(e, env);
      case 'lambda': return new Closure(e.fn, env);
      case 'member': return this.member(this.expr(e.object, env), e.name, e.span);
      case 'index': return this.index(this.expr(e.object, env), this.expr(e.index, env), e.span);
      case 'compare': return this.compare(e, env);
      case 'logical': return this.logical(e, env);
      case 'not': return !this.truthy(this.expr(e.arg, env));
      case 'cond': return this.test(e.test, env, e.condition, e.span) ? this.expr(e.then, env) : this.expr(e.else, env);
      case 'call': {
        const callee = this.expr(e.callee, env);
        // A plain function directly, inline (two frames fewer per nested call than through call/callValue).
        if (callee instanceof Closure && !e.keywords) return this.invoke(callee.fn, callee.env, callee.self, this.values(e.args, env), NO_KEYWORDS, e.span, this.callTitle(e, callee));
        return this.call(e, callee, env);
      }
      case 'builtin': return this.builtin(e.name, this.values(e.args, env), e.args.map(spanOf), e.span);
      case 'comprehension': return this.comprehension(e, env);
    }
  }

  private values(list: readonly Expression[], env: Env): Value[] {
    const out: Value[] = new Array(list.length);
    for (let i = 0; i < list.length; i++) out[i] = this.expr(list[i], env);
    return out;
  }

  private record(e: Extract<Expression, { kind: 'record' }>, env: Env): Value {
    const r = new RecordV();
    for (const f of e.fields) this.setField(r, f.name, this.expr(f.value, env), f.span);
    return r;
  }

  private logical(e: Extract<Expression, { kind: 'logical' }>, env: Env): Value {
    const left = this.expr(e.left, env);
    if (e.op === 'and' ? !this.truthy(left) : this.truthy(left)) return left;
    return this.expr(e.right, env);
  }

  private comprehension(e: Extract<Expression, { kind: 'comprehension' }>, env: Env): Value {
    const out: Value[] = [];
    const inner = new Env(env);
    const clause = (k: number): void => {
      if (k === e.clauses.length) { this.step(); out.push(this.expr(e.element, inner)); return; }
      const c = e.clauses[k];
      if (c.kind === 'if') { if (this.truthy(this.expr(c.test, inner))) clause(k + 1); return; }
      const iterable = this.expr(c.iter, inner);
      const n = this.lengthOf(iterable, c.iter.span);
      for (let i = 0; i < n; i++) {
        this.store(c.target, this.itemOf(iterable, i), inner, 'let', c.target.span);
        clause(k + 1);
      }
    };
    clause(0);
    return new ListV(out);
  }

  private op(e: Extract<Expression, { kind: 'op' }>, env: Env): Value {
    const argExprs = e.args;
    if (argExprs.length <= 2 && !TENSOR_OPS.has(e.op) && !(argExprs.length === 1 && (e.op === 'max' || e.op === 'min' || e.op === 'hypot'))) {
      // The hot path: one unary or binary op, no arrays for the arguments.
      const x = this.expr(argExprs[0], env);
      const y = argExprs.length === 2 ? this.expr(argExprs[1], env) : undefined;
      return this.scalar(e.op as OpName, x, y, argExprs[0].span, argExprs.length === 2 ? argExprs[1].span : argExprs[0].span, e.span, e.label);
    }
    const args = argExprs.map((a) => this.expr(a, env));
    const spans = e.args.map((a) => a.span);
    switch (e.op) {
      case 'array': return new ListV(args);
      case 'sum': return this.sum(this.list(args[0], spans[0], 'sum'), null, spans[0], e.span);
      case 'mean': {
        const items = this.list(args[0], spans[0], 'mean');
        if (!items.length) throw new BackpropError('unsupported', 'the mean of an empty list', e.span);
        return this.apply('div', [this.sum(items, null, spans[0], e.span), items.length], [e.span, e.span], e.span);
      }
      case 'dot': {
        const a = this.list(args[0], spans[0], 'dot'), b = this.list(args[1], spans[1], 'dot');
        if (a.length !== b.length) throw new BackpropError('unsupported', `dot of lists of lengths ${a.length} and ${b.length}`, e.span);
        return this.sum(a.map((x, i) => this.apply('mul', [x, b[i]], [spans[0], spans[1]], e.span)), null, e.span, e.span);
      }
      case 'emul': return this.apply('mul', args, spans, e.span, e.label);
      case 'ediv': return this.apply('div', args, spans, e.span, e.label);
      case 'epow': return this.apply('pow', args, spans, e.span, e.label);
      case 'matmul': case 'mmul': case 'transpose':
        throw new BackpropError('unsupported', `the matrix operation '${e.label ?? e.op}' in a program with loops or functions (write it with loops, or without them)`, e.span);
      default: return this.apply(e.op, args, spans, e.span, e.label);
    }
  }

  private list(v: Value, span: Span, what: string): Value[] {
    if (v instanceof ListV) return v.items;
    if (v instanceof RangeV) return this.materialize(v, span);
    throw new BackpropError('unsupported', `${what}() of ${this.describeKind(v)} (expected a list)`, span);
  }

  private materialize(r: RangeV, span: Span): number[] {
    const n = r.length;
    if (n > this.maxSteps) throw new BackpropError('too-large', `stopped: a range of ${count(n)} items is more than the ${count(this.maxSteps)} steps allowed`, span);
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(r.at(i));
    return out;
  }

  /** start + items[0] + items[1] + …; an untraced 0 start is left out, so the graph reads as the sum written. */
  private sum(items: Value[], start: Value | null, span: Span, at: Span): Value {
    let acc: Value | undefined = start === null || (typeof start === 'number' && start === 0 && items.length) ? undefined : start;
    for (const item of items) acc = acc === undefined ? item : this.apply('add', [acc, item], [span, span], at);
    return acc ?? 0;
  }

  private compare(e: Extract<Expression, { kind: 'compare' }>, env: Env): Value {
    let left = this.expr(e.operands[0], env);
    for (let i = 0; i < e.ops.length; i++) {
      const right = this.expr(e.operands[i + 1], env);
      if (this.compared === undefined) {
        if (left instanceof Traced) this.compared = left.node;
        else if (right instanceof Traced) this.compared = right.node;
      }
      if (!this.compareOnce(e.ops[i], left, right, e.span)) return false;
      left = right;
    }
    return true;
  }

  private compareOnce(op: string, a: Value, b: Value, span: Span): boolean {
    const numeric = (v: Value) => typeof v === 'number' || typeof v === 'boolean' || v instanceof Traced;
    if (numeric(a) && numeric(b)) {
      const x = this.num(a, span), y = this.num(b, span);
      switch (op) {
        case '<': return x < y;
        case '<=': return x <= y;
        case '>': return x > y;
        case '>=': return x >= y;
        case '==': return x === y;
        default: return x !== y;
      }
    }
    if (op === '==') return a === b;
    if (op === '!=') return a !== b;
    throw new BackpropError('unsupported', `'${op}' between ${this.describeKind(a)} and ${this.describeKind(b)}`, span);
  }

  private position(length: number, key: Value, span: Span, allowEnd = false): number {
    const raw = key instanceof Traced ? this.tape.value[key.node] : key;
    if (typeof raw !== 'number' || !Number.isInteger(raw)) throw new BackpropError('unsupported', `an index that is not a whole number (${typeof raw === 'number' ? fmt(raw) : this.describeKind(key)})`, span);
    const i = raw < 0 && this.py ? raw + length : raw;
    if (i < 0 || i > length || (i === length && !allowEnd)) throw new BackpropError('unsupported', `index ${raw} is out of range for a list of ${length} items`, span);
    return i;
  }

  private index(object: Value, key: Value, span: Span): Value {
    if (object instanceof ListV) return object.items[this.position(object.items.length, key, span)];
    if (object instanceof RangeV) return object.at(this.position(object.length, key, span));
    if ((object instanceof RecordV || object instanceof InstanceV) && typeof key === 'string') return this.member(object, key, span);
    throw new BackpropError('unsupported', `indexing ${this.describeKind(object)}`, span);
  }

  private member(object: Value, name: string, span: Span): Value {
    if (isForbiddenMember(name)) throw new BackpropError('unsupported', `the member '${name}' (interpreted code reaches only its own values)`, span);
    if (object instanceof InstanceV) {
      if (object.fields.has(name)) return object.fields.get(name)!;
      const method = object.cls.def.methods.find((m) => m.name === name);
      if (method) return new Closure(method, object.cls.env, object);
      throw new BackpropError('unsupported', `'${object.cls.def.name}' has no field or method '${name}'`, span);
    }
    if (object instanceof RecordV) {
      if (object.fields.has(name)) return object.fields.get(name)!;
      throw new BackpropError('unsupported', `the object has no field '${name}'`, span);
    }
    if ((object instanceof ListV || object instanceof RangeV) && name === 'length') return this.lengthOf(object, span);
    throw new BackpropError('unsupported', `'.${name}' of ${this.describeKind(object)}`, span);
  }

  private lengthOf(v: Value, span: Span): number {
    if (v instanceof ListV) return v.items.length;
    if (v instanceof RangeV) return v.length;
    throw new BackpropError('unsupported', `looping over ${this.describeKind(v)} (expected a list)`, span);
  }

  private itemOf(v: Value, i: number): Value {
    return v instanceof ListV ? v.items[i] : (v as RangeV).at(i);
  }

  // ---- calls ---------------------------------------------------------------------------------------------------

  private sourceText(span: Span): string {
    const s = this.text.slice(span.start, span.end).replace(/\s+/g, ' ');
    return s.length > 40 ? `${s.slice(0, 39)}…` : s;
  }

  private call(e: Extract<Expression, { kind: 'call' }>, callee: Value, env: Env): Value {
    const args = this.values(e.args, env);
    const keywords = e.keywords ? this.keywords(e.keywords, env) : NO_KEYWORDS;
    // A plain function directly (one frame fewer per nested call than through callValue).
    if (callee instanceof Closure) return this.invoke(callee.fn, callee.env, callee.self, args, keywords, e.span, this.callTitle(e, callee));
    return this.callValue(callee, args, keywords, e.span, this.callTitle(e, callee), e.callee.span);
  }

  private keywords(list: NonNullable<Extract<Expression, { kind: 'call' }>['keywords']>, env: Env): Keyword[] {
    return list.map((k) => ({ name: k.name, value: this.expr(k.value, env), span: k.span }));
  }

  /** `neuron(x, w1, b1)`: the call as written (once per call site: loops call the same site many times). */
  private callTitle(e: Extract<Expression, { kind: 'call' }>, callee: Value): string {
    let title = this.titles.get(e);
    if (title === undefined) {
      title = this.text ? `${this.sourceText(e.callee.span)}(${e.args.map((a) => this.sourceText(a.span)).join(', ')})` : `${calleeName(callee)}(…)`;
      this.titles.set(e, title);
    }
    return title;
  }

  private callValue(callee: Value, args: Value[], keywords: Keyword[], span: Span, title: string, calleeSpan: Span): Value {
    if (callee instanceof Closure) return this.invoke(callee.fn, callee.env, callee.self, args, keywords, span, title);
    if (callee instanceof ClassV) return this.construct(callee, args, keywords, span, title);
    if (callee instanceof InstanceV) {
      const method = callee.cls.def.methods.find((m) => m.name === '__call__');
      if (method) return this.invoke(method, callee.cls.env, callee, args, keywords, span, title);
    }
    throw new BackpropError('unsupported', `'${this.sourceText(calleeSpan) || 'this'}' is ${this.describeKind(callee)}, not a function`, calleeSpan);
  }

  private construct(cls: ClassV, args: Value[], keywords: Keyword[], span: Span, title: string): Value {
    const instance = new InstanceV(cls);
    const def = cls.def;
    // One call scope for the whole construction: field initializers, then the constructor's body.
    const parent = this.enterCall(span, title, `call ${title}`);
    const env = new Env(cls.env);
    env.vars.set(def.init?.self ?? 'this', instance);
    for (const f of def.fields) this.setField(instance, f.name, f.value ? this.expr(f.value, env) : null, f.span);
    if (def.init) this.invoke(def.init, cls.env, instance, args, keywords, span, title, true);
    else if (args.length) throw new BackpropError('unsupported', `'${def.name}' takes no arguments (it has no constructor)`, span);
    this.leaveCall(parent);
    return instance;
  }

  private enterCall(span: Span, title: string, what: string): number | undefined {
    this.step();
    if (++this.depth > this.maxDepth) {
      throw new BackpropError('too-deep', `stopped: the ${what} at ${span.line}:${span.col} went deeper than ${count(this.maxDepth)} nested calls`, span);
    }
    const parent = this.scope;
    this.pushScope('call', `${title} · line ${span.line}`, span);
    this.active.push({ kind: 'call', span, what });
    return parent;
  }

  private leaveCall(parent: number | undefined): void {
    this.depth--;
    this.active.pop();
    this.scope = parent;
  }

  private invoke(fn: FunctionDef, closure: Env, self: Value | undefined, args: Value[], keywords: Keyword[],
    span: Span, title: string, inScope = false): Value {
    // `inScope`: a constructor's body, inside the scope construct() opened.
    const parent = inScope ? undefined : this.enterCall(span, title, `call ${title}`);
    const env = this.bindArgs(fn, closure, self, args, keywords, span);
    let result: Value;
    const body = fn.body;
    if (body.length === 1 && body[0].kind === 'return' && body[0].value) {
      // `(u) => u * 2`, `return f(u - 1) * u`: the return's value directly (two frames fewer per nested call).
      this.step();
      result = this.expr(body[0].value, env);
    } else {
      // block(body, env, false) inline: one frame fewer per nested call.
      for (const st of body) if (st.kind === 'function') env.vars.set(st.name, new Closure(st, env));
      let c: Completion = NORMAL;
      for (let i = 0; i < body.length && c === NORMAL; i++) c = this.statement(body[i], env);
      result = c === RETURN ? this.returnValue : null;
    }
    this.returnValue = null;
    if (!inScope) this.leaveCall(parent);
    return result;
  }

  /** The call's environment: the receiver, then each parameter from its argument, keyword or default. */
  private bindArgs(fn: FunctionDef, closure: Env, self: Value | undefined, args: Value[], keywords: Keyword[], span: Span): Env {
    const env = new Env(closure);
    if (self !== undefined && fn.self) env.vars.set(fn.self, self);
    const params = fn.params;
    if (args.length > params.length && this.py) {
      throw new BackpropError('unsupported', `${fn.name}() takes ${params.length} argument${params.length === 1 ? '' : 's'} but ${args.length} were given`, span);
    }
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      let v: Value | undefined = i < args.length ? args[i] : undefined;
      const kw = keywords.find((k) => k.name === p.name);
      if (kw) {
        if (v !== undefined) throw new BackpropError('unsupported', `${fn.name}() got two values for '${p.name}'`, kw.span);
        v = kw.value;
      }
      if (v === undefined) {
        if (p.default) v = this.expr(p.default, env);
        else if (this.py) throw new BackpropError('unsupported', `${fn.name}() is missing the argument '${p.name}'`, span);
        else v = null;
      }
      env.vars.set(p.name, v);
    }
    for (const k of keywords) {
      if (!params.some((p) => p.name === k.name)) throw new BackpropError('unsupported', `${fn.name}() has no parameter '${k.name}'`, k.span);
    }
    return env;
  }

  // ---- built-ins -----------------------------------------------------------------------------------------------

  private callback(f: Value, args: Value[], span: Span): Value {
    const title = `${calleeName(f)}(${args.map((a) => this.describe(a)).join(', ')})`;
    return this.callValue(f, args, [], span, title, span);
  }

  private builtin(name: BuiltinName, args: Value[], spans: Span[], span: Span): Value {
    const need = (n: number, m = n) => {
      if (args.length < n || args.length > m) throw new BackpropError('unsupported', `${name}() takes ${n === m ? n : `${n} to ${m}`} argument${m === 1 ? '' : 's'}, got ${args.length}`, span);
    };
    switch (name) {
      case 'len': need(1); return this.lengthOf(args[0], spans[0]);
      case 'range': {
        need(1, 3);
        const whole = args.map((a, i) => {
          const x = this.num(a, spans[i]);
          if (!Number.isInteger(x)) throw new BackpropError('unsupported', `range() needs whole numbers, got ${fmt(x)}`, spans[i]);
          return x;
        });
        const [start, stop, step] = whole.length === 1 ? [0, whole[0], 1] : [whole[0], whole[1], whole[2] ?? 1];
        if (step === 0) throw new BackpropError('unsupported', 'range() step must not be zero', span);
        return new RangeV(start, stop, step);
      }
      case 'zip': {
        const lists = args.map((a, i) => this.list(a, spans[i], 'zip'));
        const n = Math.min(...lists.map((l) => l.length));
        return new ListV(Array.from({ length: lists.length ? n : 0 }, (_, i) => new ListV(lists.map((l) => l[i]))));
      }
      case 'enumerate': {
        need(1, 2);
        const items = this.list(args[0], spans[0], 'enumerate');
        const start = args.length > 1 ? this.num(args[1], spans[1]) : 0;
        return new ListV(items.map((x, i) => new ListV([start + i, x])));
      }
      case 'sum': need(1, 2); return this.sum(this.list(args[0], spans[0], 'sum'), args.length > 1 ? args[1] : null, spans[0], span);
      case 'push': {
        if (!(args[0] instanceof ListV)) throw new BackpropError('unsupported', `push/append on ${this.describeKind(args[0])}`, spans[0]);
        args[0].items.push(...args.slice(1));
        return args[0].items.length;
      }
      case 'map': case 'forEach': case 'filter': {
        need(2);
        const items = this.list(args[0], spans[0], name);
        const out: Value[] = [];
        items.forEach((x, i) => {
          const r = this.callback(args[1], [x, i], spans[1]);
          if (name === 'map') out.push(r);
          else if (name === 'filter' && this.truthy(r)) out.push(x);
        });
        return name === 'forEach' ? null : new ListV(out);
      }
      case 'reduce': {
        need(2, 3);
        const items = this.list(args[0], spans[0], 'reduce');
        let k = 0;
        let acc: Value;
        if (args.length > 2) acc = args[2];
        else if (items.length) acc = items[k++];
        else throw new BackpropError('unsupported', 'reduce() of an empty list with no initial value', span);
        for (; k < items.length; k++) acc = this.callback(args[1], [acc, items[k], k], spans[1]);
        return acc;
      }
      case 'float': need(1); this.num(args[0], spans[0]); return args[0];
      case 'int': {
        need(1);
        if (args[0] instanceof Traced) throw new BackpropError('unsupported', 'int() of a traced number (it would cut the gradient)', span);
        return Math.trunc(this.num(args[0], spans[0]));
      }
      case 'list': need(1); return new ListV([...this.list(args[0], spans[0], 'list')]);
    }
  }
}

function calleeName(f: Value): string {
  if (f instanceof Closure) return f.fn.name;
  if (f instanceof ClassV) return f.def.name;
  if (f instanceof InstanceV) return f.cls.def.name;
  return 'call';
}

const declaring = new WeakMap<Statement[], boolean>();
/** Whether a statement list declares a name of its own (let/const, a function or a class): then it needs a scope. */
function declaresNames(body: Statement[]): boolean {
  let known = declaring.get(body);
  if (known === undefined) {
    known = body.some((s) => (s.kind === 'assign' && s.declare !== undefined) || s.kind === 'function' || s.kind === 'class');
    declaring.set(body, known);
  }
  return known;
}

const closing = new WeakMap<Statement[], boolean>();
/** Whether a loop body can make a closure (a lambda, a function or class declaration anywhere inside). */
function makesClosures(body: Statement[]): boolean {
  let known = closing.get(body);
  if (known === undefined) {
    // The AST is a plain tree of data: its JSON names every node kind inside, at any depth.
    known = /"kind":"(lambda|function|class)"/.test(JSON.stringify(body, (key, value) => (key === 'span' ? undefined : value)));
    closing.set(body, known);
  }
  return known;
}

/** The numbers a literal denotes: `3`, `-3`, `[1, 2]`, `[[1, 2], [3, 4]]`, `{ w: 0.5 }`; undefined for anything else. */
function literalValue(e: Expression): number | number[] | number[][] | { fields: [string, number][] } | undefined {
  if (e.kind === 'num') return e.value;
  if (e.kind === 'op' && e.op === 'neg' && e.args[0].kind === 'num') return -e.args[0].value;
  const items = e.kind === 'list' ? e.items : e.kind === 'op' && e.op === 'array' ? e.args : undefined;
  if (items && items.length) {
    const values = items.map(literalValue);
    if (values.every((x) => typeof x === 'number')) return values as number[];
    if (values.every((x) => Array.isArray(x) && x.every((y) => typeof y === 'number'))) return values as number[][];
    return undefined;
  }
  if (e.kind === 'record' && e.fields.length) {
    const fields = e.fields.map((f) => [f.name, literalValue(f.value)] as [string, unknown]);
    if (fields.some(([, v]) => typeof v !== 'number')) return undefined;
    return { fields: fields as [string, number][] };
  }
  return undefined;
}
