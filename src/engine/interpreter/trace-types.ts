import type { GroupTag, Program } from '../ast/ir';
import type { Span } from '../base/span';
import type { Tape, NodeMeta } from '../tape/tape';
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
  /** Traced without values (TraceOptions.symbolic): the tape's numbers are placeholders (NaN), its structure is the graph. */
  symbolic?: true;
  /** Interpreted programs: the calls, loops and iterations nodes were created in (straight-line programs: none). */
  scopes?: TraceScope[];
  /** Interpreted programs: each `if` / conditional evaluated, in order, with the condition's text. */
  branches?: TraceBranch[];
  /** Interpreted programs: inputs that are lists or records of numbers (`xs` → xs[0], xs[1]; `p` → p.w), by entry node. */
  inputLists?: { name: string; shape: number[]; nodes: number[] }[];
}

