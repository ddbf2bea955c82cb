import { BackpropError } from '../base/errors';
import { subscript } from '../base/format';
import { literalNumber, type Assign, type Expr, type GroupTag, type IrOp, type Program, type TensorGroup } from '../ast/ir';
import { LIMITS } from '../base/limits';
import { entryCount, flattenValue, shapeText, type TensorValues } from '../base/tensor-value';
import { OP, OPS, type OpName } from '../tape/ops';
import type { Span } from '../base/span';
import { lookup } from '../base/lookup';
import { postOrder } from '../ast/walk';

/**
 * Vectors and matrices. A program with matrix values or matrix ops is lowered (unrolled) into scalar IR
 * before tracing, so the tape stays scalar. Every scalar node made for a matrix-level op is tagged with that
 * op's group (and, for the op's output entries, the entry's index): one trace then gives both the scalar view
 * (the graph as is, as micrograd draws it) and the tensor view (graph/tensor-view.ts: one node per group).
 */

const TENSOR_OPS: ReadonlySet<IrOp> = new Set<IrOp>(['array', 'matmul', 'mmul', 'emul', 'ediv', 'epow', 'transpose', 'sum', 'mean', 'dot']);

/** A matrix-level value during lowering: its shape and its entries (row-major) as scalar IR. */
interface TVal { shape: number[]; items: Expr[] }

/** The scalar name of entry k of a tensor: `W1[0,1]`, `x[2]` (0-based, row-major as numpy). */
export function elementName(name: string, shape: readonly number[], k: number): string {
  if (shape.length === 0) return name;
  if (shape.length === 1) return `${name}[${k}]`;
  return `${name}[${Math.floor(k / shape[1])},${k % shape[1]}]`;
}

/** True when the program has matrix ops or a matrix value is given: it must be lowered before tracing. */
export function needsLowering(program: Program, values: TensorValues): boolean {
  for (const k in values) if (typeof values[k] !== 'number') return true;
  const stack: Expr[] = program.body.map((s) => s.expr);
  if (program.result) stack.push(program.result);
  while (stack.length) {
    const e = stack.pop()!;
    if (e.kind !== 'op') continue;
    if (TENSOR_OPS.has(e.op)) return true;
    for (const a of e.args) stack.push(a);
  }
  return false;
}

/** `[[1, 2], [3, -4]]` with numeric literals only: a matrix input's declared value. */
function literalTensor(e: Expr): { shape: number[]; data: number[] } | undefined {
  if (e.kind !== 'op' || e.op !== 'array') return undefined;
  const flat = e.args.map(literalNumber);
  if (flat.every((v) => v !== undefined)) return { shape: [flat.length], data: flat as number[] };
  const rows = e.args.map((r) => (r.kind === 'op' && r.op === 'array' ? r.args.map(literalNumber) : undefined));
  if (!rows.every((r) => r && r.length === rows[0]!.length && r.every((v) => v !== undefined))) return undefined;
  return { shape: [rows.length, rows[0]!.length], data: (rows as number[][]).flat() };
}

function broadcast(shapes: number[][], what: string, span: Span): number[] {
  const nd = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let d = 0; d < nd; d++) {
    let dim = 1;
    for (const s of shapes) {
      const x = s[s.length - nd + d] ?? 1;
      if (x === 1 || x === dim) continue;
      if (dim !== 1) throw new BackpropError('unsupported', `cannot ${what} ${shapes.map(shapeText).join(' and ')} (shapes do not match)`, span);
      dim = x;
    }
    out.push(dim);
  }
  return out;
}

/** Row-major index into an argument of shape `arg` for entry k of a broadcast result of shape `out`. */
function broadcastIndex(arg: readonly number[], out: readonly number[], k: number): number {
  if (arg.length === 0) return 0;
  let idx = 0;
  let rest = k;
  const coords: number[] = new Array(out.length);
  for (let d = out.length - 1; d >= 0; d--) { coords[d] = rest % out[d]; rest = Math.floor(rest / out[d]); }
  for (let d = 0; d < arg.length; d++) {
    const c = coords[out.length - arg.length + d];
    idx = idx * arg[d] + (arg[d] === 1 ? 0 : c);
  }
  return idx;
}

const VERB: Partial<Record<string, string>> = { add: 'add', sub: 'subtract', mul: 'multiply elementwise', div: 'divide', pow: 'raise' };

/**
 * Unrolls matrix values and ops into scalar IR. Matrix names become one scalar name per entry (`W1[0,1]`),
 * reassigned names get versions (`h₂[0]`) so every scalar name is assigned once, and shared sub-expressions
 * are shared Expr objects (the tracer gives each one node). Shape errors are BackpropErrors with spans.
 */
export function lowerTensors(program: Program, givenValues: TensorValues = {}): { program: Program; values: Record<string, number> } {
  const values = lookup(givenValues);
  // `*` is elementwise in Python and TypeScript (numpy style), a matrix product in math (mathjs style).
  const python = program.lang !== 'math';
  const groups: TensorGroup[] = [];
  const body: Assign[] = [];
  const scalarValues: Record<string, number> = Object.create(null);
  const env = new Map<string, TVal>();
  const versions = new Map<string, number>();
  let made = 0;
  const count = () => { if (++made > LIMITS.maxNodes) throw new BackpropError('too-large', `unrolled graph has more than ${LIMITS.maxNodes} nodes`); };
  const newGroup = (kind: TensorGroup['kind'], label: string, shape: number[], span?: Span, name?: string): number => {
    const g: TensorGroup = { id: groups.length, kind, label, shape };
    if (name !== undefined) g.name = name;
    if (span) g.span = span;
    groups.push(g);
    return g.id;
  };
  const mk = (op: OpName | IrOp, args: Expr[], span: Span, group: number, element?: number, label?: string): Expr => {
    count();
    const tag: GroupTag = element === undefined ? { group } : { group, element };
    const e: Expr = { kind: 'op', op: op as IrOp, args, span, group: tag };
    if (label) e.label = label;
    return e;
  };
  const versionName = (name: string) => {
    const v = (versions.get(name) ?? 0) + 1;
    versions.set(name, v);
    return v === 1 ? name : `${name}${subscript(v)}`;
  };
  const varsOf = (name: string, shape: number[], span: Span): TVal => ({
    shape,
    items: Array.from({ length: entryCount(shape) }, (_, k) => ({ kind: 'var', name: elementName(name, shape, k), span }) as Expr),
  });
  /** An input tensor: one literal assignment per entry (the tracer makes each an input leaf). */
  const declareInput = (source: string, shape: number[], data: number[], given: boolean, span: Span): TVal => {
    const name = versionName(source);
    const g = newGroup('input', name, shape, span, name);
    for (let k = 0; k < data.length; k++) {
      const el = elementName(name, shape, k);
      if (given) scalarValues[el] = data[k];
      body.push({ kind: 'assign', name: el, expr: { kind: 'num', value: data[k], span }, span, mode: 'declare', group: { group: g, element: k } });
    }
    const val = varsOf(name, shape, span);
    env.set(source, val);
    return val;
  };
  for (const k in values) {
    const v = values[k];
    if (typeof v === 'number') scalarValues[k] = v;
    else flattenValue(k, v); // reports a malformed value before anything else
  }
  for (const p of program.params) env.set(p.name, { shape: [], items: [{ kind: 'var', name: p.name, span: p.span }] });

  const matmul = (a: TVal, b: TVal, strict: boolean, span: Span, label: string): TVal => {
    if (a.shape.length === 0 || b.shape.length === 0) {
      if (strict) throw new BackpropError('unsupported', `cannot matrix-multiply ${shapeText(a.shape)} by ${shapeText(b.shape)} (use * to scale by a scalar)`, span);
      return elementwise('mul', [a, b], span, label);
    }
    const [ar, ac] = a.shape.length === 1 ? [1, a.shape[0]] : a.shape;
    const [br, bc] = b.shape.length === 1 ? [b.shape[0], 1] : b.shape;
    if (ac !== br) throw new BackpropError('unsupported', `cannot multiply ${shapeText(a.shape)} by ${shapeText(b.shape)} (inner sizes ${ac} and ${br} differ)`, span);
    const shape = [...(a.shape.length === 2 ? [ar] : []), ...(b.shape.length === 2 ? [bc] : [])];
    const g = newGroup('op', 'matmul', shape, span);
    const items: Expr[] = [];
    for (let i = 0; i < ar; i++) {
      for (let j = 0; j < bc; j++) {
        const k = items.length;
        let acc: Expr | undefined;
        for (let m = 0; m < ac; m++) {
          const last = m === ac - 1;
          const prod = mk('mul', [a.items[i * ac + m], b.items[m * bc + j]], span, g, last && !acc ? k : undefined);
          acc = acc ? mk('add', [acc, prod], span, g, last ? k : undefined) : prod;
        }
        items.push(acc!);
      }
    }
    return { shape, items };
  };
  const reduce = (a: TVal, mean: boolean, span: Span, label: string): TVal => {
    if (a.items.length === 1) return { shape: [], items: a.items };
    const g = newGroup('op', label, [], span);
    let acc = a.items[0];
    for (let k = 1; k < a.items.length; k++) acc = mk('add', [acc, a.items[k]], span, g, k === a.items.length - 1 && !mean ? 0 : undefined);
    if (mean) acc = mk('div', [acc, { kind: 'num', value: a.items.length, span }], span, g, 0);
    return { shape: [], items: [acc] };
  };
  /**
   * sum / mean over one axis, as numpy's `axis=` and torch's `dim=` (negative counts from the end): each entry
   * of the result adds the entries along that axis; keepdims leaves that axis in the shape with size 1.
   */
  const reduceAxis = (a: TVal, mean: boolean, axisArg: TVal, keepArg: TVal, span: Span, label: string): TVal => {
    const axisItem = axisArg.items[0];
    const given = axisItem.kind === 'num' ? axisItem.value : NaN;
    const keep = keepArg.items[0].kind === 'num' && keepArg.items[0].value === 1;
    const rank = a.shape.length;
    if (rank === 0) throw new BackpropError('unsupported', `${label}: a single number has no axis ${given} (reduce a vector or matrix, or leave the axis out)`, span);
    if (!Number.isInteger(given) || given < -rank || given >= rank) {
      throw new BackpropError('unsupported', `${label}: axis ${given} is out of range for a ${shapeText(a.shape)} (axes ${rank === 1 ? '0 or -1' : '0, 1, -1 or -2'})`, span);
    }
    const axis = given < 0 ? given + rank : given;
    if (rank === 1) {
      const whole = reduce(a, mean, span, label);
      return keep ? { shape: [1], items: whole.items } : whole;
    }
    const [rows, cols] = a.shape;
    const along = axis === 0 ? rows : cols;
    const count = axis === 0 ? cols : rows;
    const shape = keep ? (axis === 0 ? [1, cols] : [rows, 1]) : [count];
    const g = newGroup('op', label, shape, span);
    const items: Expr[] = [];
    // One divisor for every entry: the tracer gives a shared Expr one node.
    const divisor: Expr = { kind: 'num', value: along, span };
    for (let k = 0; k < count; k++) {
      const at = (m: number) => a.items[axis === 0 ? m * cols + k : k * cols + m];
      let acc = at(0);
      for (let m = 1; m < along; m++) acc = mk('add', [acc, at(m)], span, g, m === along - 1 && !mean ? k : undefined);
      // One entry along the axis: its sum is the entry itself, drawn as a copy so the group still shows it.
      if (along === 1 && !mean) acc = mk('id', [acc], span, g, k);
      if (mean) acc = mk('div', [acc, divisor], span, g, k);
      items.push(acc);
    }
    return { shape, items };
  };
  const elementwise = (op: OpName, args: TVal[], span: Span, label?: string): TVal => {
    const shape = broadcast(args.map((a) => a.shape), VERB[op] ?? `apply ${label ?? op} to`, span);
    const g = newGroup('op', label && !(op in VERB) ? label : OPS[OP[op]].symbol, shape, span);
    const items: Expr[] = [];
    const n = entryCount(shape);
    for (let k = 0; k < n; k++) items.push(mk(op, args.map((a) => a.items[broadcastIndex(a.shape, shape, k)]), span, g, k, label));
    return { shape, items };
  };
  const vectorLength = (s: number[]) => (s.length === 1 ? s[0] : s.length === 2 && (s[0] === 1 || s[1] === 1) ? s[0] * s[1] : -1);

  const evaluate = (root: Expr): TVal => postOrder<TVal>(root, (e) => {
    if (e.kind !== 'var') return { shape: [], items: [e] };
    const known = env.get(e.name);
    if (known) return known;
    const given = values[e.name];
    if (given === undefined) return { shape: [], items: [e] }; // the tracer reports the missing value
    const { shape, data } = flattenValue(e.name, given);
    return declareInput(e.name, shape, data, true, e.span);
  }, (e, args) => {
    const span = e.span;
    const scalarArgs = args.every((a) => a.shape.length === 0);
    let out: TVal;
    switch (e.op) {
      case 'array': {
        if (scalarArgs) out = { shape: [args.length], items: args.map((a) => a.items[0]) };
        else if (args.every((a) => a.shape.length === 1)) {
          const cols = args[0].shape[0];
          if (args.some((a) => a.shape[0] !== cols)) throw new BackpropError('unsupported', `matrix rows have different lengths (${args.map((a) => a.shape[0]).join(', ')})`, span);
          out = { shape: [args.length, cols], items: args.flatMap((a) => a.items) };
        } else throw new BackpropError('unsupported', 'arrays with more than 2 dimensions (or mixing numbers and rows) are not supported', span);
        break;
      }
      case 'transpose': {
        const a = args[0];
        if (a.shape.length < 2) out = a;
        else {
          const [r, c] = a.shape;
          const items: Expr[] = [];
          for (let j = 0; j < c; j++) for (let i = 0; i < r; i++) items.push(a.items[i * c + j]);
          out = { shape: [c, r], items };
        }
        break;
      }
      case 'matmul': out = matmul(args[0], args[1], true, span, 'matmul'); break;
      case 'mmul': out = matmul(args[0], args[1], false, span, 'matmul'); break;
      case 'sum': case 'mean': {
        const mean = e.op === 'mean';
        out = args.length === 3 ? reduceAxis(args[0], mean, args[1], args[2], span, e.label ?? e.op) : reduce(args[0], mean, span, e.op);
        break;
      }
      case 'dot': {
        const [a, b] = args;
        const n = vectorLength(a.shape);
        if (n < 0 || n !== vectorLength(b.shape)) {
          throw new BackpropError('unsupported', `dot() needs two vectors of the same length, got ${shapeText(a.shape)} and ${shapeText(b.shape)}`, span);
        }
        const g = newGroup('op', 'dot', [], span);
        let acc: Expr | undefined;
        for (let k = 0; k < n; k++) {
          const last = k === n - 1;
          const prod = mk('mul', [a.items[k], b.items[k]], span, g, last && !acc ? 0 : undefined);
          acc = acc ? mk('add', [acc, prod], span, g, last ? 0 : undefined) : prod;
        }
        out = { shape: [], items: [acc!] };
        break;
      }
      case 'emul': out = elementwise('mul', args, span, '.*'); break;
      case 'ediv': out = elementwise('div', args, span, './'); break;
      case 'epow': out = elementwise('pow', args, span, '.^'); break;
      default: {
        const op = e.op as OpName;
        if (!python && !scalarArgs && op === 'mul' && args.every((a) => a.shape.length > 0)) { out = matmul(args[0], args[1], false, span, 'matmul'); break; }
        if (!python && op === 'div' && args[1].shape.length > 0) {
          throw new BackpropError('unsupported', `cannot divide by a ${shapeText(args[1].shape)} (use ./ to divide elementwise)`, span);
        }
        if (!python && op === 'pow' && !scalarArgs) {
          throw new BackpropError('unsupported', `cannot raise a ${shapeText(args[0].shape)} to a power with ^ (use .^ for elementwise powers)`, span);
        }
        const nary = args.length > 2 || (args.length === 1 && (op === 'max' || op === 'min' || op === 'hypot'));
        if (nary) {
          if (!scalarArgs) throw new BackpropError('unsupported', `${e.label ?? op}() of matrices takes 2 arguments`, span);
          // n-ary max/min/hypot of scalars: left to the tracer, tagged as one group.
          const g = newGroup('op', e.label ?? op, [], span);
          out = { shape: [], items: [mk(op, args.map((a) => a.items[0]), span, g, 0, e.label)] };
        } else {
          out = elementwise(op, args, span, e.label);
        }
      }
    }
    return out;
  });

  let last: TVal | undefined;
  let lastSpan = program.span;
  for (const stmt of program.body) {
    const source = stmt.name;
    const first = !env.has(source);
    const given = values[source];
    const literal = literalTensor(stmt.expr);
    const scalarLiteral = literalNumber(stmt.expr) !== undefined;
    if (first && (literal || (scalarLiteral && given !== undefined && typeof given !== 'number'))) {
      const declared = given !== undefined ? flattenValue(source, given) : literal!;
      last = declareInput(source, declared.shape, declared.data, given !== undefined, stmt.span);
      lastSpan = stmt.span;
      continue;
    }
    if (first && scalarLiteral) {
      // A scalar input, as the tracer makes it (`--at` overrides the literal there).
      const name = versionName(source);
      const g = newGroup('input', name, [], stmt.span, name);
      body.push({ ...stmt, name, group: { group: g, element: 0 } });
      last = varsOf(name, [], stmt.span);
      env.set(source, last);
      lastSpan = stmt.span;
      continue;
    }
    const before = groups.length;
    const val = evaluate(stmt.expr);
    const name = versionName(source);
    // The op that produced the value takes the variable's name in the tensor view.
    const tag = val.items[0].kind === 'op' ? val.items[0].group : undefined;
    const fresh = tag && tag.group >= before && val.items.every((x) => x.kind === 'op' && x.group?.group === tag.group && x.group.element !== undefined);
    let copy: number | undefined;
    if (fresh) groups[tag!.group].name = name;
    else copy = newGroup('op', '=', val.shape, stmt.span, name);
    for (let k = 0; k < val.items.length; k++) {
      const a: Assign = { kind: 'assign', name: elementName(name, val.shape, k), expr: val.items[k], span: stmt.span, mode: stmt.mode };
      if (copy !== undefined) a.group = { group: copy, element: k };
      body.push(a);
    }
    last = varsOf(name, val.shape, stmt.span);
    env.set(source, last);
    lastSpan = stmt.span;
  }
  let result: Expr | undefined;
  if (program.result) {
    const val = evaluate(program.result);
    if (val.items.length !== 1) {
      throw new BackpropError('unsupported', `the output is a ${shapeText(val.shape)}, not one number: reduce the vector or matrix to one number (e.g. with sum(...))`, program.result.span);
    }
    result = val.items[0];
  } else if (last && last.items.length !== 1) {
    throw new BackpropError('unsupported', `the output (the last assignment) is a ${shapeText(last.shape)}, not one number: reduce the vector or matrix to one number (e.g. with sum(...))`, lastSpan);
  }
  const lowered: Program = { lang: program.lang, params: program.params, body, span: program.span, groups };
  if (result) lowered.result = result;
  return { program: lowered, values: scalarValues };
}
