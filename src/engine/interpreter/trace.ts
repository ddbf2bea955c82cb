import { BackpropError } from '../base/errors';
import { subscript } from '../base/format';
import { freeVariables, literalNumber, type Expr, type GroupTag, type Program } from '../ast/ir';
import { LIMITS } from '../base/limits';
import { OP, type OpName } from '../tape/ops';
import type { Span } from '../base/span';
import { Tape, type NodeMeta } from '../tape/tape';
import { lowerTensors, needsLowering } from '../lower/tensor';
import type { TensorValues } from '../base/tensor-value';
import { lookup } from '../base/lookup';
import { postOrder } from '../ast/walk';
import type { TraceBranch, TraceScope } from './scopes';

/** Node metadata of a lowered (matrix) program: which matrix-level op the scalar node came from. */
export interface TaggedMeta extends NodeMeta {
  group?: GroupTag;
  /** An undefined function's name (op 'fn', sympy's Function('g')). */
  fn?: string;
}

export interface TraceInput {
  name: string;
  /** Tape index of the input node. */
  index: number;
  value: number;
  span?: Span;
  /** Where the value came from: given (--at / input box), a literal in the code, or a function parameter. */
  source: 'given' | 'literal';
}

export interface Trace {
  /** The traced program: for matrix programs, the unrolled scalar program (with `groups`). */
  program: Program;
  tape: Tape;
  output: number;
  inputs: TraceInput[];
  /** Interpreted programs: the calls, loops and iterations nodes were created in (straight-line programs: none). */
  scopes?: TraceScope[];
  /** Interpreted programs: each `if` / conditional evaluated, in order, with the condition's text. */
  branches?: TraceBranch[];
  /** Traced without values (TraceOptions.symbolic): the tape's numbers are placeholders (NaN), its structure is the graph. */
  symbolic?: true;
}

export interface TraceOptions {
  /** Trace the structure only: missing values are not an error, and no value is used (a sympy program's symbolic graph). */
  symbolic?: boolean;
}

/**
 * Interprets the IR on a fresh tape and runs the backward pass from the output.
 * Free variables need values in `values`; all missing names are reported at once.
 * Matrix values (number[] / number[][]) and matrix ops are unrolled to scalars first (tensor.ts).
 */
export function trace(source: Program, givenValues: TensorValues = {}, options: TraceOptions = {}): Trace {
  // Names are user text: `constructor` must not find Object.prototype's.
  const given = lookup(options.symbolic ? {} : givenValues);
  const lowered = needsLowering(source, given) ? lowerTensors(source, given) : undefined;
  const program = lowered ? lowered.program : source;
  const values = lowered ? lowered.values : (given as Readonly<Record<string, number>>);
  const free = freeVariables(program);
  const missing = [...program.params, ...free].filter((v) => !(v.name in values));
  // A variable first assigned a literal is an input with that value; it is not missing.
  if (missing.length && !options.symbolic) {
    const first = missing[0];
    const names = missing.map((m) => m.name);
    throw new BackpropError('missing-value',
      `no value for ${names.length === 1 ? 'variable' : 'variables'} ${names.map((n) => `'${n}'`).join(', ')} (give one with --at ${names.map((n) => `${n}=…`).join(',')})`,
      first.span, names);
  }
  const tape = new Tape(256);
  const env = new Map<string, number>();
  const versions = new Map<string, number>();
  const inputs: TraceInput[] = [];
  const addInput = (name: string, value: number, span: Span | undefined, source: TraceInput['source'], group?: GroupTag) => {
    // No value (a symbolic trace): NaN, a placeholder no view shows.
    value ??= NaN;
    const index = tape.input(name, value, span);
    if (group) tape.meta.set(index, { ...tape.meta.get(index), group } as TaggedMeta);
    inputs.push({ name, index, value, span, source });
    env.set(name, index);
    return index;
  };
  for (const p of program.params) {
    addInput(p.name, values[p.name], p.span, 'given');
    // A parameter is version 1 of its name: reassigning it in the function body shows x₂, not a second 'x'.
    versions.set(p.name, 1);
  }

  // Unrolled matrix programs share sub-expressions between entries: one node per shared Expr object.
  const memo = program.groups ? new Map<Expr, number>() : undefined;
  const checkSize = () => {
    if (tape.size > LIMITS.maxNodes) throw new BackpropError('too-large', `graph has more than ${LIMITS.maxNodes} nodes`);
  };
  const evaluate = (root: Expr): number => postOrder<number>(root, (e) => {
    checkSize();
    if (e.kind === 'num') return tape.constant(e.value, { span: e.span });
    if (e.kind === 'const') return tape.constant(e.value, { name: e.name, span: e.span });
    return env.get(e.name) ?? addInput(e.name, values[e.name], e.span, 'given');
  }, (e, args) => {
    checkSize();
    // `-3` is one literal, as a reader sees it, not neg applied to 3 (an exponent `x^-1` stays a constant).
    // The 3 already on the tape is left unused; nothing depends on it, so the graph does not show it.
    if (e.op === 'neg' && e.args[0].kind === 'num') return tape.constant(-e.args[0].value, { span: e.span });
    const meta: TaggedMeta = e.group ? { span: e.span, group: e.group } : { span: e.span };
    if (e.op === 'fn') meta.fn = e.label;
    if (args.length === 1 && (e.op === 'max' || e.op === 'min' || e.op === 'hypot')) {
      return e.op === 'hypot' ? tape.applyNamed('abs', args[0], -1, meta) : args[0];
    }
    if (!Object.hasOwn(OP, e.op)) throw new BackpropError('unsupported', `matrix operation '${e.label ?? e.op}' was not unrolled`, e.span);
    const op = e.op as OpName;
    let acc = tape.applyNamed(op, args[0], args.length > 1 ? args[1] : -1, meta);
    // n-ary max/min/hypot fold left: max(a, b, c) = max(max(a, b), c); hypot likewise.
    for (let i = 2; i < args.length; i++) acc = tape.applyNamed(op, acc, args[i], meta);
    return acc;
  }, memo);

  let last = -1;
  for (const stmt of program.body) {
    // A declaration with a literal right side introduces an input (see literalNumber).
    const literal = literalNumber(stmt.expr);
    const version = (versions.get(stmt.name) ?? 0) + 1;
    versions.set(stmt.name, version);
    const shown = version === 1 ? stmt.name : `${stmt.name}${subscript(version)}`;
    if (literal !== undefined && version === 1 && !env.has(stmt.name)) {
      last = addInput(stmt.name, stmt.name in values ? values[stmt.name] : literal, stmt.span, stmt.name in values ? 'given' : 'literal', stmt.group);
      continue;
    }
    let index = evaluate(stmt.expr);
    const meta = tape.meta.get(index);
    if (meta?.name !== undefined || tape.op[index] === OP.input) {
      // `b = a` would otherwise rename a's node: give the new version a node of its own.
      index = tape.applyNamed('id', index, -1, stmt.group ? { name: shown, span: stmt.span, group: stmt.group } as TaggedMeta : { name: shown, span: stmt.span });
    } else {
      tape.meta.set(index, { ...meta, name: shown });
    }
    env.set(stmt.name, index);
    last = index;
  }
  const output = program.result ? evaluate(program.result) : last;
  if (output < 0) throw new BackpropError('no-output', 'nothing to trace: no expression and no assignment', program.span);
  // Constants get gradients too, for the views that ask to show them (a literal exponent's is never computed).
  tape.backward(output, { constants: true });
  return options.symbolic ? { program, tape, output, inputs, symbolic: true } : { program, tape, output, inputs };
}
