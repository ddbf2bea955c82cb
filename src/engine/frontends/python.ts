import { BackpropError } from '../base/errors';
import type { Assign, Expr, IrOp, Program } from '../ast/ir';
import { LIMITS } from '../base/limits';
import { lookup } from '../base/lookup';
import { LineIndex, type Span } from '../base/span';
import {
  BUILTINS, DANGEROUS, DEFAULT_MODULES, DRAWING_NAMES, METHODS, MODULES, didYouMean, keywordsOf,
  type Builder, type Fn, type KeywordValue, type Module,
} from './python-library';

/**
 * The Python front end: a hand-written tokenizer and an operator-precedence parser (explicit stacks, so
 * nesting depth is bounded by memory, not the call stack) for the subset lesson notebooks use: arithmetic,
 * math/numpy/torch functions and tensor methods, torch.nn.functional, micrograd's Value, and sympy cells.
 * The text is never executed. Lesson boilerplate is read past: imports of the modules we know, `print(...)`,
 * bare `x.grad` / `x.data`, `x.requires_grad = True`, `draw_dot(...)`; `y.backward()` and sympy's `diff(f, x)`
 * mark the output. Everything else is refused with the construct and its line:col, in Python's terms.
 */

type TokKind = 'num' | 'name' | 'op' | 'str' | 'nl';
interface Tok { kind: TokKind; text: string; start: number; end: number; value?: number }

const OPERATORS = ['**=', '//=', '>>=', '<<=', '...', '**', '//', '+=', '-=', '*=', '/=', '@=', '%=', '&=', '|=', '^=', '==', '!=', '<=', '>=', '->', ':=', '<<', '>>',
  '+', '-', '*', '/', '@', '%', '(', ')', '[', ']', '{', '}', ',', '.', ':', ';', '=', '<', '>', '&', '|', '^', '~'];

const STATEMENT_KEYWORDS = lookup<string>({
  def: 'a function definition', class: 'a class definition', if: "an 'if' statement", elif: "an 'elif' branch",
  else: "an 'else' branch", for: "a 'for' loop", while: "a 'while' loop", with: "a 'with' block", try: "a 'try' block",
  except: "an 'except' block", finally: "a 'finally' block", return: "a 'return' outside a function", lambda: 'a lambda',
  global: "a 'global' statement", nonlocal: "a 'nonlocal' statement", del: "a 'del' statement", assert: 'an assert',
  raise: "a 'raise' statement", yield: "a 'yield'", pass: "a 'pass' statement", async: "an 'async' statement",
  await: "an 'await'", break: "a 'break'", continue: "a 'continue'", match: "a 'match' statement",
});
const EXPRESSION_KEYWORDS = lookup<string>({
  True: "'True'", False: "'False'", None: "'None'", lambda: 'a lambda', not: "the operator 'not'", and: "the operator 'and'",
  or: "the operator 'or'", if: "a conditional expression 'a if c else b'", else: "a conditional expression 'a if c else b'",
  for: 'a comprehension', in: "the operator 'in'", is: "the operator 'is'", await: "an 'await'", yield: "a 'yield'",
});

/** Tokens of the whole text; newlines inside brackets are dropped (implicit line joining), `;` ends a statement. */
function tokenize(text: string, lines: LineIndex): Tok[] {
  const out: Tok[] = [];
  const opens: Tok[] = [];
  const n = text.length;
  let i = 0;
  const fail = (at: number, msg: string): never => { throw new BackpropError('syntax', msg, lines.span(at, at + 1)); };
  const newline = (at: number, text = '\n') => {
    if (opens.length === 0 && out.length && out[out.length - 1].kind !== 'nl') out.push({ kind: 'nl', text, start: at, end: at });
  };
  while (i < n) {
    const c = text[i];
    if (c === '\n') { newline(i); i++; continue; }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f') { i++; continue; }
    if (c === '#') { while (i < n && text[i] !== '\n') i++; continue; }
    if (c === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) { i += text[i + 1] === '\n' ? 2 : 3; continue; }
    const str = /^([rRbBuUfF]{0,2})('''|"""|'|")/.exec(text.slice(i, i + 5));
    if (str && (str[1] === '' || /[rRbBuUfF]/.test(c))) {
      const quote = str[2];
      const start = i;
      let j = i + str[0].length;
      for (;;) {
        if (j >= n) fail(start, 'unterminated string');
        if (text[j] === '\\') { j += 2; continue; }
        if (quote.length === 1 && text[j] === '\n') fail(start, 'unterminated string');
        if (text.startsWith(quote, j)) { j += quote.length; break; }
        j++;
      }
      out.push({ kind: 'str', text: text.slice(start, j), start, end: j });
      i = j;
      continue;
    }
    const num = /^(?:0[xX][0-9a-fA-F_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?)[jJ]?/.exec(text.slice(i, i + 400));
    if (num && /[\d.]/.test(c) && !(c === '.' && !/\d/.test(text[i + 1] ?? ''))) {
      const t = num[0];
      if (/[jJ]$/.test(t)) fail(i, `complex number '${t}' is not supported`);
      const value = Number(t.replace(/_/g, ''));
      if (Number.isNaN(value)) fail(i, `malformed number '${t}'`);
      out.push({ kind: 'num', text: t, start: i, end: i + t.length, value });
      i += t.length;
      continue;
    }
    const name = /^[\p{L}_][\p{L}\p{N}_]*/u.exec(text.slice(i, i + 200));
    if (name) {
      out.push({ kind: 'name', text: name[0], start: i, end: i + name[0].length });
      i += name[0].length;
      continue;
    }
    const o = OPERATORS.find((s) => text.startsWith(s, i));
    if (!o) fail(i, `unexpected character '${c}'`);
    const tok: Tok = { kind: 'op', text: o!, start: i, end: i + o!.length };
    if (o === ';' && opens.length === 0) { newline(i, ';'); i++; continue; }
    if (o === '(' || o === '[' || o === '{') opens.push(tok);
    if (o === ')' || o === ']' || o === '}') {
      const open = opens.pop();
      const match = { ')': '(', ']': '[', '}': '{' }[o];
      if (!open) fail(i, `unmatched '${o}'`);
      if (open!.text !== match) fail(i, `'${o}' does not match '${open!.text}' at ${lines.position(open!.start).line}:${lines.position(open!.start).col}`);
    }
    out.push(tok);
    i += o!.length;
  }
  if (opens.length) fail(opens[opens.length - 1].start, `'${opens[opens.length - 1].text}' is never closed`);
  newline(n);
  return out;
}

type CallMarker = {
  type: 'call'; tok: Tok; base: number; fn: Fn; name: string;
  /** Where the call's text starts (the receiver, for a method). */
  start: number;
  keywords: Record<string, { value: KeywordValue; span: Span }>;
};
type Marker =
  | { type: 'bin'; op: string; prec: number; tok: Tok }
  | { type: 'un'; neg: boolean; tok: Tok }
  | { type: 'paren'; tok: Tok; base: number }
  | CallMarker
  | { type: 'list'; tok: Tok; base: number };

const BINARY = lookup<[number, IrOp]>({ '+': [1, 'add'], '-': [1, 'sub'], '*': [2, 'mul'], '/': [2, 'div'], '@': [2, 'matmul'], '**': [4, 'pow'] });
const UNARY_PREC = 3;
const REFUSED_OPERATORS = lookup<string>({
  '%': "the operator '%'", '//': "floor division '//'", '<<': "the operator '<<'", '>>': "the operator '>>'", '&': "the operator '&'",
  '|': "the operator '|'", '^': "the operator '^' (in Python it is bitwise xor; use ** for powers)", '~': "the operator '~'",
  '==': "a comparison '=='", '!=': "a comparison '!='", '<': "a comparison '<'", '>': "a comparison '>'", '<=': "a comparison '<='",
  '>=': "a comparison '>='", '{': 'a dict or set', ':': "a ':'", ':=': "an assignment expression ':='", '...': "'...'", '->': "'->'",
});
const AUGMENTED = lookup<IrOp>({ '+=': 'add', '-=': 'sub', '*=': 'mul', '/=': 'div', '@=': 'matmul', '**=': 'pow' });
const ASSIGNMENT = /^(=|\+=|-=|\*=|\/=|@=|\*\*=|\/\/=|%=|&=|\|=|\^=|>>=|<<=)$/;

type VarExpr = Extract<Expr, { kind: 'var' }>;

/**
 * One value a Python name is bound to. Its IR name is settled at the end (`settleNames`): a micrograd
 * `x.label = '…'` renames it, and two values wanting one name must not be confused by the tracer.
 */
interface Binding {
  desired: string;
  /** Statement position of the assignment (-1 for a free variable or symbol, which has no assignment). */
  at: number;
  /** Position of the last statement reading it (Infinity when the output reads it). */
  lastRead: number;
  assign?: Assign;
  reads: VarExpr[];
  /** Shape of a literal array value (np.zeros((1, 3)), np.array([[…]])), for np.zeros_like. */
  shape?: number[];
  /** A free variable or symbol: its name is the value's name, never changed. */
  fixed?: boolean;
}
/** What a Python name means here. */
type Named =
  | { kind: 'value'; binding: Binding }
  | { kind: 'symbol'; name: string }
  | { kind: 'drawing' } // dot = draw_dot(g)
  | { kind: 'derivative'; of: string }; // dfdx = diff(f, x)

/** The text of a Python string literal (prefixes and quotes removed, simple escapes read). */
function stringValue(t: Tok): string {
  const m = /^([rRbBuUfF]{0,2})('''|"""|'|")([\s\S]*)\2$/.exec(t.text);
  if (!m) return t.text;
  if (/[rR]/.test(m[1])) return m[3];
  return m[3].replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t' } as Record<string, string>)[c] ?? c);
}

/** Parses Python (the lesson subset; never executed) into the IR. Throws BackpropError on refusal. */
export function parsePython(text: string): Program {
  if (text.length > LIMITS.maxSourceChars) {
    throw new BackpropError('too-large', `input is ${text.length} characters; the limit is ${LIMITS.maxSourceChars}`);
  }
  const lines = new LineIndex(text);
  const tokens = tokenize(text, lines);
  const span = (start: number, end: number): Span => lines.span(start, end);
  const at = (t: Tok) => span(t.start, t.end);
  const refuse = (t: Tok | Span, what: string, end?: number): never => {
    throw new BackpropError('unsupported', `unsupported in Python: ${what}`, span(t.start, end ?? t.end));
  };
  let count = 0;
  const build = (o: IrOp, args: Expr[], s: Span, label?: string): Expr => {
    if (++count > LIMITS.maxNodes) throw new BackpropError('too-large', `expression has more than ${LIMITS.maxNodes} parts`);
    return label ? { kind: 'op', op: o, args, span: s, label } : { kind: 'op', op: o, args, span: s };
  };

  // Scope: modules by alias, functions imported by name, and what each assigned name holds.
  const modules = new Map<string, Module>(Object.entries(DEFAULT_MODULES));
  const functions = new Map<string, Fn>(Object.entries(BUILTINS));
  /** Names an import line of this text bound: assigning to them is refused (names known by default may be taken). */
  const imported = new Set<string>();
  const named = new Map<string, Named>();
  /** `from sympy import pi`: a name for a constant. */
  const constants = new Map<string, [string, number]>();
  const bindings: Binding[] = [];
  const frees = new Map<string, Binding>();
  /** micrograd's `Value(2.0, label='a')`: the label for the assignment whose right side this is. */
  const valueLabels = new WeakMap<Expr, string>();
  const body: Assign[] = [];
  /** Position of the statement being read: reads happen at it, hoisted assignments just before it. */
  let position = 0;

  const free = (name: string, s: Span): VarExpr => {
    let b = frees.get(name);
    if (!b) {
      b = { desired: name, at: -1, lastRead: -1, reads: [], fixed: true };
      frees.set(name, b);
    }
    return readOf(b, s);
  };
  const readOf = (b: Binding, s: Span): VarExpr => {
    const v: VarExpr = { kind: 'var', name: b.desired, span: s };
    b.reads.push(v);
    b.lastRead = Math.max(b.lastRead, position);
    return v;
  };
  const read = (t: Tok): Expr => {
    const n = named.get(t.text);
    if (!n) return free(t.text, at(t));
    if (n.kind === 'value') return readOf(n.binding, at(t));
    if (n.kind === 'symbol') return free(n.name, at(t));
    if (n.kind === 'drawing') return refuse(t, `'${t.text}' (the drawing draw_dot made) used in a calculation`);
    return refuse(t, `'${t.text}', the symbolic derivative of '${n.of}', used in a calculation (the graph shows it; it cannot be computed with here)`);
  };
  const bind = (name: string, expr: Expr, s: Span, desired = name, hidden = false): Binding => {
    const assign: Assign = { kind: 'assign', name: desired, expr, span: s, mode: 'assign' };
    const b: Binding = { desired, at: hidden ? position - 0.5 : position, lastRead: -1, assign, reads: [] };
    body.push(assign);
    bindings.push(b);
    if (!hidden) named.set(name, { kind: 'value', binding: b });
    return b;
  };

  /** Shape of a literal: [] for a number, [n] or [r, c] for arrays of numbers; undefined otherwise. */
  const literalShape = (e: Expr): number[] | undefined => {
    const isNum = (x: Expr) => x.kind === 'num' || (x.kind === 'op' && x.op === 'neg' && x.args[0].kind === 'num');
    if (isNum(e)) return [];
    if (e.kind !== 'op' || e.op !== 'array') return undefined;
    if (e.args.every(isNum)) return [e.args.length];
    const rows = e.args.map(literalShape);
    if (rows.every((r) => r && r.length === 1 && r[0] === rows[0]![0])) return [rows.length, rows[0]![0]];
    return undefined;
  };
  const filled = (shape: number[], entry: (k: number) => number, s: Span): Expr => {
    const n = shape.reduce((a, b) => a * b, 1);
    if (n > LIMITS.maxNodes) throw new BackpropError('too-large', `an array of ${n} entries is over the limit`, s);
    const num = (k: number): Expr => ({ kind: 'num', value: entry(k), span: s });
    if (shape.length === 0) return num(0);
    if (shape.length === 1) return build('array', Array.from({ length: shape[0] }, (_, k) => num(k)), s);
    return build('array', Array.from({ length: shape[0] }, (_, r) => build('array', Array.from({ length: shape[1] }, (_, c) => num(r * shape[1] + c)), s)), s);
  };

  /** One expression from tokens [from, to): shunting-yard over explicit operand and marker stacks. */
  const parseExpr = (from: number, to: number): Expr => {
    const operands: Expr[] = [];
    const markers: Marker[] = [];
    let expectOperand = true;
    const reduceTop = () => {
      const m = markers.pop()!;
      if (m.type === 'bin') {
        const b = operands.pop()!;
        const a = operands.pop()!;
        operands.push(build(BINARY[m.op][1], [a, b], span(a.span.start, b.span.end)));
      } else if (m.type === 'un') {
        const a = operands.pop()!;
        operands.push(m.neg ? build('neg', [a], span(m.tok.start, a.span.end)) : a);
      }
    };
    /** Reduces operators down to the nearest bracket marker (which stays). */
    const reduceToBracket = () => {
      while (markers.length && (markers[markers.length - 1].type === 'bin' || markers[markers.length - 1].type === 'un')) reduceTop();
    };
    const closeCall = (m: CallMarker, close: Tok) => {
      const args = operands.splice(m.base);
      const s = span(m.start, close.end);
      const fn = m.fn;
      const arity = (min: number, max: number) => {
        if (args.length >= min && args.length <= max) return;
        // A method's receiver is not an argument the user counts.
        const shift = m.name.startsWith('.') ? 1 : 0;
        const [lo, hi, got] = [min - shift, max - shift, args.length - shift];
        const expected = lo === hi ? `${lo} argument${lo === 1 ? '' : 's'}` : hi === Infinity ? `at least ${lo} argument${lo === 1 ? '' : 's'}` : `${lo} to ${hi} arguments`;
        throw new BackpropError('unsupported', `${m.name.replace(/\(\)$/, '')}() takes ${expected}, got ${got}`, s);
      };
      if (fn.kind === 'ctor') {
        arity(1, 1);
        operands.push(unwrapSingle(args[0]));
        return;
      }
      if (fn.kind === 'same') {
        arity(1, 1);
        operands.push(args[0]);
        return;
      }
      if (fn.kind === 'value') {
        arity(1, 1);
        const label = m.keywords.label;
        if (label) {
          if (label.value.kind !== 'str') refuse(label.span, `${m.name}(…, label=…) with a label that is not a string`);
          valueLabels.set(args[0], (label.value as { value: string }).value);
        }
        operands.push(args[0]);
        return;
      }
      if (fn.kind === 'build') {
        arity(fn.min, fn.max);
        operands.push(fn.build(args, m.keywords, builder(s, m.name.replace(/\(\)$/, ''))));
        return;
      }
      if (fn.kind !== 'op') return refuse(m.tok, `${m.name}()`);
      arity(fn.min, fn.max);
      const o: IrOp = fn.op === 'log' && args.length === 2 ? 'logb' : fn.op;
      operands.push(build(o, args, s, m.name.startsWith('.') ? m.name.slice(1, -2) : m.name));
    };
    /** Starts a call once its '(' is read (at `after`); returns where reading goes on. */
    const startCall = (fn: Fn, name: string, first: Tok, nameEnd: number, after: number, start = first.start, base = operands.length): number => {
      if (fn.kind === 'refused') refuse(first, `${name.endsWith('()') ? name : `${name}(...)`}: ${fn.why}`, nameEnd);
      if (fn.kind === 'symbols') refuse(first, `${name}(...) inside an expression: write x = ${name}('x') on a line of its own`, nameEnd);
      if (fn.kind === 'diff') refuse(first, `${name}(...) inside an expression: write d = ${name}(f, x) on a line of its own (the graph shows f and its derivative)`, nameEnd);
      if (fn.kind === 'draw') refuse(first, `${name}(...) inside an expression (drawing is read past only as a statement of its own)`, nameEnd);
      if (fn.kind === 'abstract') return startAbstract(name, first, after, start, base);
      if (fn.kind === 'fill' || fn.kind === 'like') {
        const { expr, next } = fn.kind === 'fill' ? readFill(fn.fill, name, first, after, to) : readLike(fn.fill, name, first, after, to);
        operands.push(expr);
        expectOperand = false;
        return next;
      }
      const m: CallMarker = { type: 'call', tok: first, base, fn, name, start, keywords: Object.create(null) };
      markers.push(m);
      return readKeywords(m, after, to);
    };
    /** sympy's `Function('g')(x)`: the undefined function g applied to x (op 'fn', labelled g). */
    const startAbstract = (name: string, first: Tok, after: number, start: number, base: number): number => {
      const str = tokens[after];
      const example = `${name}('g')(x)`;
      if (after >= to || str.kind !== 'str' || tokens[after + 1]?.text !== ')') refuse(first, `${name}(...) without one string naming the function, e.g. ${example}`, tokens[Math.min(after, to - 1)].end);
      const fnName = stringValue(str);
      if (!/^[\p{L}_][\p{L}\p{N}_]*$/u.test(fnName)) refuse(str, `the function name '${fnName}' (a name such as 'g')`);
      if (tokens[after + 2]?.text !== '(' || after + 2 >= to) refuse(first, `${name}('${fnName}') not applied to its argument: write ${name}('${fnName}')(x)`, tokens[after + 1].end);
      symbolic = true;
      markers.push({ type: 'call', tok: str, base, fn: { kind: 'op', op: 'fn', min: 1, max: 1 }, name: fnName, start, keywords: Object.create(null) });
      return after + 3;
    };
    /** `np.zeros((1, 3))`, `torch.ones(2, 3)`, `np.full((2, 2), 0.5)`, `np.eye(3)`: a literal of that shape. */
    const readFill = (fill: 0 | 1 | 'value' | 'eye', name: string, first: Tok, after: number, end: number): { expr: Expr; next: number } => {
      let j = after;
      const dims: number[] = [];
      const int = (): number => {
        const t = tokens[j];
        if (j >= end || t.kind !== 'num' || !Number.isInteger(t.value)) refuse(t ?? first, `${name}(...) with a size that is not a whole number written out`);
        j++;
        return t.value!;
      };
      const bracket = tokens[j]?.text === '(' || tokens[j]?.text === '[' ? tokens[j].text : undefined;
      if (bracket) {
        j++;
        while (j < end && tokens[j].text !== (bracket === '(' ? ')' : ']')) {
          dims.push(int());
          if (tokens[j]?.text === ',') j++;
        }
        j++;
      } else {
        dims.push(int());
        // torch.zeros(2, 3) and np.eye(3, 4) give sizes one by one.
        while ((fill !== 'value') && tokens[j]?.text === ',' && tokens[j + 1]?.kind === 'num' && Number.isInteger(tokens[j + 1].value)) { j++; dims.push(int()); }
      }
      if (fill === 'eye' && dims.length === 1) dims.push(dims[0]);
      if (dims.length > 2) refuse(first, `${name}(...) with ${dims.length} dimensions (vectors and matrices only)`, tokens[j - 1].end);
      let value = fill === 'value' ? NaN : fill === 'eye' ? 0 : fill;
      if (fill === 'value') {
        if (tokens[j]?.text !== ',') refuse(first, `${name}(shape, value) without a value`, tokens[j - 1].end);
        j++;
        const sign = tokens[j]?.text === '-' ? -1 : 1;
        if (tokens[j]?.text === '-' || tokens[j]?.text === '+') j++;
        if (tokens[j]?.kind !== 'num') refuse(tokens[j] ?? first, `${name}(shape, value) with a value that is not a number written out`);
        value = sign * tokens[j].value!;
        j++;
      }
      const m: CallMarker = { type: 'call', tok: first, base: 0, fn: { kind: 'fill', fill }, name, start: first.start, keywords: Object.create(null) };
      if (tokens[j]?.text === ',') j = readKeywords(m, j + 1, end);
      if (tokens[j]?.text !== ')') refuse(tokens[j] ?? first, `${name}(...) written this way (give the shape as numbers, e.g. ${name}((2, 3)))`);
      const s = span(first.start, tokens[j].end);
      const cols = dims.length === 2 ? dims[1] : 1;
      // One entry is that number, as for torch.tensor([0.0]).
      const expr = unwrapSingle(filled(dims, (k) => (fill === 'eye' ? (Math.floor(k / cols) === k % cols ? 1 : 0) : value), s));
      return { expr, next: j + 1 };
    };
    const readLike = (fill: 0 | 1, name: string, first: Tok, after: number, end: number): { expr: Expr; next: number } => {
      const arg = tokens[after];
      if (after >= end || arg.kind !== 'name') refuse(first, `${name}(...) of something other than a name`, tokens[after]?.end);
      const n = named.get(arg.text);
      const shape = n?.kind === 'value' ? n.binding.shape : undefined;
      if (!shape) refuse(arg, `${name}(${arg.text}): the shape of '${arg.text}' is not known here (it is not assigned a literal array above); write the shape, e.g. ${name.replace('_like', '')}((2, 3))`);
      const m: CallMarker = { type: 'call', tok: first, base: 0, fn: { kind: 'like', fill }, name, start: first.start, keywords: Object.create(null) };
      let j = after + 1;
      if (tokens[j]?.text === ',') j = readKeywords(m, j + 1, end);
      if (tokens[j]?.text !== ')') refuse(tokens[j] ?? first, `${name}(...) with more than one argument`);
      return { expr: unwrapSingle(filled(shape!, () => fill, span(first.start, tokens[j].end))), next: j + 1 };
    };

    let i = from;
    while (i < to) {
      const t = tokens[i];
      if (expectOperand) {
        if (t.kind === 'num') {
          operands.push({ kind: 'num', value: t.value!, span: at(t) });
          expectOperand = false;
          i++;
          continue;
        }
        if (t.kind === 'str') refuse(t, 'a string');
        if (t.kind === 'name') {
          if (t.text in EXPRESSION_KEYWORDS) refuse(t, EXPRESSION_KEYWORDS[t.text]);
          if (t.text in STATEMENT_KEYWORDS) refuse(t, STATEMENT_KEYWORDS[t.text]);
          const next = tokens[i + 1];
          const calls = i + 1 < to && next.text === '(' && next.kind === 'op';
          const mod = named.has(t.text) ? undefined : modules.get(t.text);
          if (mod) {
            const path = modulePath(mod, t.text, i, to);
            const attr = tokens[path.end + 2];
            if (!(path.end + 2 < to && tokens[path.end + 1].text === '.' && attr.kind === 'name')) refuse(t, `the module '${path.name}' used as a value`, tokens[path.end].end);
            const full = `${path.name}.${attr.text}`;
            const after = tokens[path.end + 3];
            if (path.end + 3 < to && after.kind === 'op' && after.text === '(') {
              const fn = path.module.fns[attr.text] ?? (path.module.refusedAll ? { kind: 'refused', why: path.module.refusedAll } as Fn : undefined);
              if (!fn) {
                throw new BackpropError('unknown-function',
                  `unknown function '${full}'${didYouMean(`${path.name}.`, attr.text, Object.keys(path.module.fns))}`, span(t.start, attr.end));
              }
              i = startCall(fn, full, t, attr.end, path.end + 4);
              continue;
            }
            const constant = path.module.constants[attr.text];
            if (!constant) refuse(t, `attribute access '${full}'${didYouMean(`${path.name}.`, attr.text, [...Object.keys(path.module.constants), ...Object.keys(path.module.fns)])}`, attr.end);
            operands.push({ kind: 'const', name: constant[0], value: constant[1], span: span(t.start, attr.end) });
            expectOperand = false;
            i = path.end + 3;
            continue;
          }
          if (calls && !named.has(t.text)) {
            if (DANGEROUS.has(t.text)) refuse(t, `a call to '${t.text}' (code is never run)`);
            const fn = functions.get(t.text);
            if (!fn) {
              const known = [...functions.keys()];
              const near = didYouMean('', t.text, known);
              refuse(t, `a call to '${t.text}'${near || ` (traced: math., np., torch. and imported functions, and ${['abs', 'max', 'min', 'pow', 'float'].join(', ')})`}`);
            }
            i = startCall(fn!, t.text, t, t.end, i + 2);
            continue;
          }
          if (calls) refuse(t, `calling '${t.text}', which holds a value`);
          const constant = named.has(t.text) ? undefined : constants.get(t.text);
          operands.push(constant ? { kind: 'const', name: constant[0], value: constant[1], span: at(t) } : read(t));
          expectOperand = false;
          i++;
          continue;
        }
        // Operators where an operand is expected.
        if (t.text === '-' || t.text === '+') {
          markers.push({ type: 'un', neg: t.text === '-', tok: t });
          i++;
          continue;
        }
        if (t.text === '(') {
          markers.push({ type: 'paren', tok: t, base: operands.length });
          i++;
          continue;
        }
        if (t.text === '[') {
          markers.push({ type: 'list', tok: t, base: operands.length });
          i++;
          continue;
        }
        // A closing bracket right after ',' (trailing comma) or '[' (empty list).
        if ((t.text === ']' || t.text === ')') && markers.length) {
          const m = markers[markers.length - 1];
          if ((m.type === 'list' && t.text === ']') || (m.type === 'call' && t.text === ')')) {
            expectOperand = false;
            continue; // handled below as a closing bracket in operator position
          }
        }
        if (t.text in REFUSED_OPERATORS) refuse(t, REFUSED_OPERATORS[t.text]);
        refuse(t, `'${t.text}' where a value is expected`);
      }
      // An operator, a closing bracket, a comma, or a postfix (.T, a method call).
      if (t.kind !== 'op') {
        if (t.kind === 'name' && t.text in EXPRESSION_KEYWORDS) refuse(t, EXPRESSION_KEYWORDS[t.text]);
        refuse(t, `'${t.text}' after a complete value (missing operator?)`);
      }
      if (t.text in BINARY) {
        const [prec] = BINARY[t.text];
        const right = t.text === '**';
        while (markers.length) {
          const m = markers[markers.length - 1];
          const mp = m.type === 'bin' ? m.prec : m.type === 'un' ? UNARY_PREC : -1;
          if (mp > prec || (mp === prec && !right)) reduceTop();
          else break;
        }
        markers.push({ type: 'bin', op: t.text, prec, tok: t });
        expectOperand = true;
        i++;
        continue;
      }
      if (t.text === '.') {
        const attr = tokens[i + 1];
        if (!(i + 1 < to && attr.kind === 'name')) refuse(t, "a '.' without a name after it");
        // Postfix binds tighter than any operator: it applies to the value just read.
        const receiver = operands[operands.length - 1];
        if (attr.text === 'T') {
          operands.pop();
          operands.push(build('transpose', [receiver], span(receiver.span.start, attr.end), '.T'));
          i += 2;
          continue;
        }
        const open = tokens[i + 2];
        if (i + 2 < to && open.kind === 'op' && open.text === '(') {
          const fn = METHODS[attr.text];
          const nearMethod = fn ? '' : didYouMean('.', attr.text, Object.keys(METHODS));
          if (!fn && !nearMethod && receiver.kind === 'var' && tokens[i - 1].kind === 'name' && !named.has(receiver.name)) {
            throw new BackpropError('unknown-function',
              `unknown function '${receiver.name}.${attr.text}' ('${receiver.name}' is not a module imported here; known: math, numpy, torch, torch.nn.functional, sympy, micrograd)`, span(receiver.span.start, attr.end));
          }
          if (!fn) {
            throw new BackpropError('unknown-function',
              `unknown method '.${attr.text}()'${nearMethod.replace(/\?\)$/, '()?)')}`, span(t.start, attr.end));
          }
          // The receiver stays on the operand stack: it is the call's first argument.
          i = startCall(fn, `.${attr.text}()`, attr, attr.end, i + 3, receiver.span.start, operands.length - 1);
          expectOperand = true;
          continue;
        }
        if (attr.text === 'grad' || attr.text === 'data') {
          refuse(t, `attribute access '.${attr.text}' in a calculation (${attr.text === 'grad' ? 'the graph shows every gradient' : 'it is the value without its graph'}; read past only in print(...) or a line of its own)`, attr.end);
        }
        refuse(t, `attribute access '.${attr.text}'`, attr.end);
      }
      if (t.text === '(') refuse(t, 'calling the result of an expression');
      if (t.text === '[') refuse(t, 'indexing or slicing');
      if (t.text === ',' || t.text === ')' || t.text === ']') {
        reduceToBracket();
        const m = markers[markers.length - 1];
        if (!m) refuse(t, t.text === ',' ? 'a tuple' : `unmatched '${t.text}'`);
        if (t.text === ',') {
          if (m.type === 'paren') refuse(m.tok, 'a tuple', t.end);
          expectOperand = true;
          i++;
          if (m.type === 'call') i = readKeywords(m, i, to);
          continue;
        }
        markers.pop();
        if (t.text === ')') {
          if (m.type === 'paren') {
            if (operands.length !== m.base + 1) refuse(m.tok, 'empty parentheses or a tuple', t.end);
          } else if (m.type === 'call') {
            closeCall(m, t);
          }
        } else if (m.type === 'list') {
          const items = operands.splice(m.base);
          if (!items.length) refuse(m.tok, 'an empty list', t.end);
          const below = markers[markers.length - 1];
          const inConstructor = below && ((below.type === 'call' && below.fn.kind === 'ctor') || below.type === 'list');
          if (!inConstructor) refuse(m.tok, 'a Python list (write np.array([...]) or torch.tensor([...]))', t.end);
          operands.push(build('array', items, span(m.tok.start, t.end)));
        }
        expectOperand = false;
        i++;
        continue;
      }
      if (t.text in REFUSED_OPERATORS) refuse(t, REFUSED_OPERATORS[t.text]);
      if (t.text.endsWith('=')) refuse(t, `an assignment '${t.text}' inside an expression`);
      refuse(t, `'${t.text}'`);
    }
    const last = tokens[to - 1] ?? tokens[from];
    if (expectOperand) throw new BackpropError('syntax', 'the expression ends early: a value is missing', at(last));
    reduceToBracket();
    if (markers.length) refuse(markers[markers.length - 1].tok, `'${markers[markers.length - 1].tok.text}' is never closed`);
    return operands[0];
  };

  /** `torch.nn.functional` from its first name: the deepest known submodule, and the token it ends at. */
  function modulePath(mod: Module, first: string, i: number, to: number): { module: Module; name: string; end: number } {
    let module = mod;
    let name = first;
    let end = i;
    while (end + 2 < to && tokens[end + 1].text === '.' && tokens[end + 2].kind === 'name') {
      const sub = module.submodules?.[tokens[end + 2].text];
      if (!sub) break;
      module = sub;
      name = `${name}.${tokens[end + 2].text}`;
      end += 2;
    }
    return { module, name, end };
  }

  /** What library functions build with: IR nodes with spans at the call, and shared arguments. */
  function builder(s: Span, name: string): Builder {
    return {
      span: s,
      name,
      op: (o, args, label) => build(o, args, s, label),
      num: (value) => ({ kind: 'num', value, span: s }),
      share: (arg, role) => {
        if (arg.kind !== 'op') {
          // A variable read again is the same node; a number or constant is a fresh leaf each time, as written.
          return () => (arg.kind === 'var' ? { ...arg } : arg);
        }
        // A computed argument used twice gets a name of its own, so the graph has it once.
        const b = bind('', arg, arg.span, role, true);
        return () => readOf(b, arg.span);
      },
      numberKeyword: (kw, key) => {
        const k = kw[key];
        if (!k) return undefined;
        if (k.value.kind !== 'num') return refuse(k.span, `${name}(…, ${key}=…) with a value that is not a number written out`);
        return k.value.value;
      },
      fail: (message, where) => { throw new BackpropError('unsupported', `unsupported in Python: ${message}`, where ?? s); },
    };
  }

  /**
   * After a call's '(' or ',': keyword arguments `name=value` the function accepts are read (their values are
   * constants: numbers, strings, True/False/None, dotted names such as torch.float64); others are refused.
   * Returns the index of the next positional argument or of the call's ')'.
   */
  function readKeywords(m: CallMarker, i: number, to: number): number {
    for (;;) {
      const t = tokens[i];
      const eq = tokens[i + 1];
      if (!(i + 1 < to && t.kind === 'name' && eq.kind === 'op' && eq.text === '=')) return i;
      const accepted = keywordsOf(m.fn);
      const shown = m.name.endsWith('()') ? m.name : `${m.name}()`;
      if (!accepted.includes(t.text)) refuse(t, `the keyword argument '${t.text}=' of ${shown}${didYouMean('', t.text, accepted).replace(/\?\)$/, '=?)')}`, eq.end);
      let j = i + 2;
      let value: KeywordValue | undefined;
      const v = tokens[j];
      if (v?.kind === 'num') { value = { kind: 'num', value: v.value! }; j++; }
      else if ((v?.text === '-' || v?.text === '+') && tokens[j + 1]?.kind === 'num') { value = { kind: 'num', value: (v.text === '-' ? -1 : 1) * tokens[j + 1].value! }; j += 2; }
      else if (v?.kind === 'str') { value = { kind: 'str', value: stringValue(v) }; j++; }
      else if (v?.kind === 'name') {
        let textOf = v.text;
        j++;
        while (tokens[j]?.text === '.' && tokens[j + 1]?.kind === 'name') { textOf += `.${tokens[j + 1].text}`; j += 2; }
        value = { kind: 'name', text: textOf };
      }
      const endTok = tokens[j];
      if (!value || j >= to || !(endTok.text === ',' || endTok.text === ')')) {
        refuse(t, `the keyword argument '${t.text}=' of ${shown} with a value that is not a constant written out`, (tokens[Math.min(j, to - 1)] ?? eq).end);
      }
      m.keywords[t.text] = { value: value!, span: span(t.start, tokens[j - 1].end) };
      if (endTok.text === ',') { i = j + 1; continue; }
      return j; // at ')': the caller closes the call
    }
  }

  const closesAt = (open: number, to: number): number => {
    let depth = 0;
    for (let j = open; j < to; j++) {
      const x = tokens[j];
      if (x.kind !== 'op') continue;
      if (x.text === '(' || x.text === '[' || x.text === '{') depth++;
      else if (x.text === ')' || x.text === ']' || x.text === '}') { depth--; if (depth === 0) return j; }
    }
    return -1;
  };
  /** The function a call at tokens [i, …) names (`diff(`, `sp.diff(`, `draw_dot(`), with the index of its '('. */
  const calleeAt = (i: number, to: number): { fn: Fn; name: string; open: number } | undefined => {
    const t = tokens[i];
    if (t?.kind !== 'name' || named.has(t.text)) return undefined;
    const mod = modules.get(t.text);
    if (mod) {
      const path = modulePath(mod, t.text, i, to);
      const attr = tokens[path.end + 2];
      if (tokens[path.end + 1]?.text !== '.' || attr?.kind !== 'name' || tokens[path.end + 3]?.text !== '(') return undefined;
      const fn = path.module.fns[attr.text];
      return fn ? { fn, name: `${path.name}.${attr.text}`, open: path.end + 3 } : undefined;
    }
    const fn = functions.get(t.text);
    return fn && tokens[i + 1]?.text === '(' ? { fn, name: t.text, open: i + 1 } : undefined;
  };
  /** Token ranges of a call's arguments (split at depth-0 commas). */
  const argumentsOf = (open: number, close: number): { from: number; to: number }[] => {
    const out: { from: number; to: number }[] = [];
    let depth = 0;
    let s = open + 1;
    for (let j = open + 1; j < close; j++) {
      const x = tokens[j].text;
      if (tokens[j].kind !== 'op') continue;
      if (x === '(' || x === '[' || x === '{') depth++;
      else if (x === ')' || x === ']' || x === '}') depth--;
      else if (x === ',' && depth === 0) { out.push({ from: s, to: j }); s = j + 1; }
    }
    if (close > s) out.push({ from: s, to: close });
    return out;
  };

  // Statements: the tokens between newlines.
  const statements: { from: number; to: number }[] = [];
  for (let s = 0, k = 0; k < tokens.length; k++) {
    if (tokens[k].kind === 'nl') {
      if (k > s) statements.push({ from: s, to: k });
      s = k + 1;
    }
  }
  let pending: { expr: Expr; tok: Tok } | undefined;
  /** Set by `y.backward()` and `diff(f, x)`: the output, read where that line stands. */
  let output: Expr | undefined;
  let wrt: Program['wrt'];
  /** Set by symbols(...) and Function(...): a sympy program (Program.symbolic). */
  let symbolic = false;

  const importLine = (from: number, to: number) => {
    const first = tokens[from];
    const words = tokens.slice(from, to).map((t) => t.text).join(' ').replace(/ \. /g, '.').replace(/ ,/g, ',');
    const whole = span(first.start, tokens[to - 1].end);
    const dotted = (j: number): { name: string; next: number } => {
      let name = tokens[j]?.text ?? '';
      if (tokens[j]?.kind !== 'name') refuse(whole, `the import '${words}'`);
      j++;
      while (tokens[j]?.text === '.' && tokens[j + 1]?.kind === 'name') { name += `.${tokens[j + 1].text}`; j += 2; }
      return { name, next: j };
    };
    const unknownModule = (name: string): never => refuse(whole,
      `the import '${words}' (known modules: math, numpy, torch, torch.nn.functional, sympy, micrograd)${didYouMean('', name, Object.keys(MODULES))}`);
    if (first.text === 'import') {
      let j = from + 1;
      for (;;) {
        const { name, next } = dotted(j);
        const module = MODULES[name];
        if (!module) unknownModule(name);
        j = next;
        let alias = name.split('.')[0];
        let bound = MODULES[alias];
        if (tokens[j]?.text === 'as') {
          alias = tokens[j + 1]?.text ?? '';
          bound = module;
          j += 2;
        }
        if (bound) { modules.set(alias, bound); imported.add(alias); }
        if (j >= to) return;
        if (tokens[j].text !== ',') refuse(whole, `the import '${words}'`);
        j++;
      }
    }
    // from X import a, b as c
    const { name: source, next } = dotted(from + 1);
    if (tokens[next]?.text !== 'import') refuse(whole, `the import '${words}'`);
    let j = next + 1;
    if (tokens[j]?.text === '(') j++;
    const module = MODULES[source];
    const names: { name: string; alias: string; tok: Tok }[] = [];
    while (j < to && tokens[j].text !== ')') {
      const tok = tokens[j];
      if (tok.text === '*') refuse(tok, `'from ${source} import *' (import the names you use)`);
      if (tok.kind !== 'name') refuse(tok, `the import '${words}'`);
      let alias = tok.text;
      j++;
      if (tokens[j]?.text === 'as') { alias = tokens[j + 1]?.text ?? alias; j += 2; }
      names.push({ name: tok.text, alias, tok });
      if (tokens[j]?.text === ',') j++;
    }
    if (!module) {
      // `from utils import draw_dot`: a lesson's drawing helper, read past wherever it comes from.
      if (names.length && names.every((n) => DRAWING_NAMES.has(n.name))) {
        for (const n of names) { functions.set(n.alias, { kind: 'draw' }); imported.add(n.alias); }
        return;
      }
      unknownModule(source);
    }
    for (const n of names) {
      const sub = module.submodules?.[n.name];
      const fn = module.fns[n.name];
      const constant = module.constants[n.name];
      imported.add(n.alias);
      if (sub) modules.set(n.alias, sub);
      else if (fn) functions.set(n.alias, fn);
      else if (constant) constants.set(n.alias, constant);
      else if (module.refusedAll) functions.set(n.alias, { kind: 'refused', why: module.refusedAll });
      else {
        refuse(n.tok, `cannot import '${n.name}' from ${source}${didYouMean('', n.name, [...Object.keys(module.fns), ...Object.keys(module.constants)])}`);
      }
    }
  };

  /**
   * `dfdx = diff(f, g) * diff(g, x)`: the chain rule written as a product of derivatives, each variable the next
   * one's function. It marks f as the output and x as the variable, as diff(f, x) does. False when the line is
   * not a product of diff(...) calls (the caller refuses it).
   */
  const chainRule = (diffAt: number, from: number, to: number): boolean => {
    const factors: { open: number; close: number; name: string }[] = [];
    for (let j = diffAt; ;) {
      const d = calleeAt(j, to);
      if (d?.fn.kind !== 'diff') return false;
      const close = closesAt(d.open, to);
      if (close < 0) return false;
      factors.push({ open: d.open, close, name: d.name });
      j = close + 1;
      if (j === to) break;
      if (tokens[j].text !== '*') return false;
      j++;
    }
    if (factors.length < 2) return false;
    const textOf = (r: { from: number; to: number }) => tokens.slice(r.from, r.to).map((t) => t.text).join('');
    const parts = factors.map((f) => {
      const args = argumentsOf(f.open, f.close);
      if (args.length !== 2 || args[1].to !== args[1].from + 1 || tokens[args[1].from].kind !== 'name') {
        refuse(tokens[f.open - 1], `${f.name}(...) in a chain rule without one variable: write ${f.name}(f, g) * ${f.name}(g, x)`, tokens[f.close].end);
      }
      return { fn: args[0], variable: tokens[args[1].from] };
    });
    for (let k = 0; k + 1 < parts.length; k++) {
      if (parts[k].variable.text !== textOf(parts[k + 1].fn)) {
        refuse(parts[k + 1].variable.text === parts[k].variable.text ? parts[k + 1].variable : tokens[parts[k + 1].fn.from],
          `a product of derivatives that is not the chain rule (the variable '${parts[k].variable.text}' of one must be the function of the next: diff(f, g) * diff(g, x))`,
          tokens[parts[k + 1].fn.to - 1].end);
      }
    }
    const last = parts[parts.length - 1].variable;
    const symbol = named.get(last.text);
    if (symbol?.kind !== 'symbol') refuse(last, `the chain rule ending in '${last.text}': differentiate by a symbol made with symbols(...)`);
    if (pending) throw new BackpropError('unsupported', 'unsupported in Python: an expression that is not the last statement (its value would be unused)', pending.expr.span);
    output = parseExpr(parts[0].fn.from, parts[0].fn.to);
    wrt = { name: (symbol as { name: string }).name, span: at(last) };
    if (diffAt !== from) named.set(tokens[from].text, { kind: 'derivative', of: textOf(parts[0].fn) });
    return true;
  };

  /** `x = symbols('x')`, `x, y = symbols('x y')`: sympy symbols are the free variables (values from --at or the input box). */
  const symbolLine = (from: number, eqAt: number, to: number): boolean => {
    const callee = calleeAt(eqAt + 1, to);
    if (callee?.fn.kind !== 'symbols' || closesAt(callee.open, to) !== to - 1) return false;
    const targets = tokens.slice(from, eqAt).filter((t) => t.text !== ',' && t.text !== '(' && t.text !== ')');
    if (targets.some((t) => t.kind !== 'name')) refuse(tokens[from], 'this assignment of symbols', tokens[eqAt - 1].end);
    const args = argumentsOf(callee.open, to - 1);
    const str = args.length && args[0].to === args[0].from + 1 && tokens[args[0].from].kind === 'str' ? tokens[args[0].from] : undefined;
    if (!str) refuse(tokens[callee.open], `${callee.name}(...) without one string of names, e.g. ${callee.name}('x y')`, tokens[to - 1].end);
    if (args.length > 1) {
      const m: CallMarker = { type: 'call', tok: tokens[eqAt + 1], base: 0, fn: callee.fn, name: callee.name, start: 0, keywords: Object.create(null) };
      if (readKeywords(m, args[1].from, to) !== to - 1) refuse(tokens[args[1].from], `${callee.name}(...) with more than one string of names`, tokens[to - 2].end);
    }
    const names = stringValue(str!).split(/[\s,]+/).filter(Boolean);
    if (names.length !== targets.length) refuse(str!, `${targets.length} name${targets.length === 1 ? '' : 's'} assigned ${names.length} symbol${names.length === 1 ? '' : 's'}`);
    names.forEach((name, k) => {
      if (!/^[\p{L}_][\p{L}\p{N}_]*$/u.test(name)) refuse(str!, `the symbol name '${name}' (ranges such as 'x0:3' are not supported)`);
      named.set(targets[k].text, { kind: 'symbol', name });
    });
    symbolic = true;
    return true;
  };

  for (let index = 0; index < statements.length; index++) {
    const { from, to } = statements[index];
    position = index;
    const first = tokens[from];
    if (lines.position(first.start).col !== 1 && tokens[from - 1]?.text !== ';') {
      throw new BackpropError('unsupported', 'unsupported in Python: an indented line (blocks such as def, if and for are not supported)', at(first));
    }
    const second = tokens[from + 1];
    const third = tokens[from + 2];
    if (first.kind === 'name' && (first.text === 'import' || first.text === 'from')) {
      importLine(from, to);
      continue;
    }
    if (first.kind === 'name' && first.text in STATEMENT_KEYWORDS) refuse(first, STATEMENT_KEYWORDS[first.text]);
    // print(...) as a whole statement: f-strings and .data / .grad inside are never read.
    if (first.text === 'print' && !named.has('print') && second?.text === '(' && closesAt(from + 1, to) === to - 1) continue;
    const callee = calleeAt(from, to);
    if (callee?.fn.kind === 'draw' && closesAt(callee.open, to) === to - 1) continue;
    const holder = first.kind === 'name' ? named.get(first.text) : undefined;
    // dot.render(...), dot.view(), a bare `dot`: the drawing, read past.
    if (holder?.kind === 'drawing') continue;
    // <expr>.backward(): the output.
    if (tokens[to - 1].text === ')') {
      let open = -1;
      for (let j = to - 1, depth = 0; j >= from; j--) {
        const x = tokens[j].text;
        if (tokens[j].kind !== 'op') continue;
        if (x === ')' || x === ']') depth++;
        else if ((x === '(' || x === '[') && --depth === 0) { open = j; break; }
      }
      if (open - 2 > from && tokens[open - 1].text === 'backward' && tokens[open - 2].text === '.') {
        const args = argumentsOf(open, to - 1);
        const positional = args.find((a) => tokens[a.from + 1]?.text !== '=');
        if (positional) refuse(tokens[positional.from], 'backward(gradient) of an output that is not one number: reduce it first, e.g. y.sum().backward()', tokens[positional.to - 1].end);
        if (pending) throw new BackpropError('unsupported', 'unsupported in Python: an expression that is not the last statement (its value would be unused)', pending.expr.span);
        output = parseExpr(from, open - 2);
        continue;
      }
      // x.requires_grad_(), x.retain_grad(), x.grad.zero_() and other bookkeeping on a name.
      if (first.kind === 'name' && second?.text === '.' && open - 1 > from && tokens[open - 2].text === '.'
        && ['requires_grad_', 'retain_grad', 'zero_'].includes(tokens[open - 1].text) && open === to - 2) continue;
    }
    // A bare x.grad, x.data, x.grad.item() line: a notebook showing a value.
    if (first.kind === 'name' && second?.text === '.' && (third?.text === 'grad' || third?.text === 'data')
      && (to === from + 3 || (to === from + 7 && tokens[from + 4].text === 'item' && tokens[from + 5].text === '('))) continue;
    // sympy's diff(f, x), alone or assigned.
    const diffAt = callee?.fn.kind === 'diff' ? from
      : first.kind === 'name' && second?.text === '=' && calleeAt(from + 2, to)?.fn.kind === 'diff' ? from + 2 : -1;
    if (diffAt >= 0) {
      const d = calleeAt(diffAt, to)!;
      if (closesAt(d.open, to) !== to - 1 && chainRule(diffAt, from, to)) continue;
      if (closesAt(d.open, to) !== to - 1) refuse(tokens[diffAt], `${d.name}(...) inside an expression: write d = ${d.name}(f, x) on a line of its own`);
      const args = argumentsOf(d.open, to - 1);
      if (args.length === 0 || args.length > 2) {
        refuse(tokens[diffAt], `${d.name}(...) with ${args.length} arguments (one derivative: ${d.name}(f, x); higher derivatives are not supported)`, tokens[to - 1].end);
      }
      if (pending) throw new BackpropError('unsupported', 'unsupported in Python: an expression that is not the last statement (its value would be unused)', pending.expr.span);
      output = parseExpr(args[0].from, args[0].to);
      if (args.length === 2) {
        const v = tokens[args[1].from];
        const symbol = args[1].to === args[1].from + 1 && v.kind === 'name' ? named.get(v.text) : undefined;
        if (symbol?.kind !== 'symbol') refuse(v, `${d.name}(f, ${tokens.slice(args[1].from, args[1].to).map((t) => t.text).join('')}): differentiate by a symbol made with symbols(...)`, tokens[args[1].to - 1].end);
        wrt = { name: (symbol as { name: string }).name, span: at(v) };
      }
      if (diffAt !== from) named.set(first.text, { kind: 'derivative', of: tokens.slice(args[0].from, args[0].to).map((t) => t.text).join('') });
      continue;
    }
    if (pending) throw new BackpropError('unsupported', 'unsupported in Python: an expression that is not the last statement (its value would be unused)', pending.expr.span);
    // An assignment: a target, then = or an augmented operator, at bracket depth 0.
    let assignAt = -1;
    let depth = 0;
    for (let k = from; k < to; k++) {
      const x = tokens[k];
      if (x.kind !== 'op') continue;
      if (x.text === '(' || x.text === '[' || x.text === '{') depth++;
      else if (x.text === ')' || x.text === ']' || x.text === '}') depth--;
      else if (depth === 0 && ASSIGNMENT.test(x.text)) {
        if (assignAt >= 0) refuse(x, 'a chained assignment');
        assignAt = k;
      }
    }
    if (assignAt < 0) {
      pending = { expr: parseExpr(from, to), tok: first };
      continue;
    }
    const eq = tokens[assignAt];
    if (assignAt === from) throw new BackpropError('syntax', `nothing before '${eq.text}'`, at(eq));
    if (assignAt + 1 >= to) throw new BackpropError('syntax', `nothing after '${eq.text}'`, at(eq));
    if (eq.text === '=' && symbolLine(from, assignAt, to)) continue;
    // x.label = '…' (micrograd), x.requires_grad = True (torch): attributes of a value.
    if (first.kind === 'name' && second?.text === '.' && third?.kind === 'name' && assignAt === from + 3) {
      const attr = third.text;
      const target = `${first.text}.${attr}`;
      const n = named.get(first.text);
      if (attr === 'requires_grad' && eq.text === '=') continue;
      if (attr === 'label' && eq.text === '=') {
        const value = tokens[assignAt + 1];
        if (!(to === assignAt + 2 && value.kind === 'str')) refuse(value, `${target} = … with something other than a string`, tokens[to - 1].end);
        if (n?.kind !== 'value') refuse(first, `${target} = …: '${first.text}' is not a value assigned above`, third.end);
        (n as { binding: Binding }).binding.desired = stringValue(value);
        continue;
      }
      if (attr === 'grad') refuse(first, `setting '${target}' by hand (the graph computes every gradient)`, third.end);
      if (attr === 'data') refuse(first, `changing '${target}' (a training step; trace one step's graph instead)`, third.end);
      refuse(first, `assignment to '${target}'`, third.end);
    }
    // dot = draw_dot(g): the drawing, read past.
    const drawn = calleeAt(assignAt + 1, to);
    if (assignAt === from + 1 && first.kind === 'name' && drawn?.fn.kind === 'draw' && closesAt(drawn.open, to) === to - 1) {
      named.set(first.text, { kind: 'drawing' });
      continue;
    }
    // xmg, ymg = x, y (micrograd's test_engine.py): more names for the same values.
    const targets = tokens.slice(from, assignAt);
    const sources = tokens.slice(assignAt + 1, to);
    const names = (ts: Tok[]) => ts.length % 2 === 1 && ts.every((x, k) => (k % 2 === 0 ? x.kind === 'name' : x.text === ','));
    if (eq.text === '=' && targets.length > 1 && names(targets) && names(sources) && targets.length === sources.length) {
      const meant = sources.filter((x) => x.kind === 'name').map((x) => {
        if (x.text in EXPRESSION_KEYWORDS || modules.has(x.text) || functions.has(x.text)) refuse(x, `'${x.text}' in a tuple assignment`);
        return named.get(x.text) ?? ({ kind: 'symbol', name: x.text } as Named);
      });
      targets.filter((x) => x.kind === 'name').forEach((x, k) => {
        if (imported.has(x.text) || x.text in EXPRESSION_KEYWORDS) refuse(x, `assignment to '${x.text}'`);
        modules.delete(x.text);
        functions.delete(x.text);
        named.set(x.text, meant[k]);
      });
      continue;
    }
    if (assignAt !== from + 1 || first.kind !== 'name') {
      const target = tokens.slice(from, assignAt).map((t) => t.text).join('');
      const what = tokens.slice(from, assignAt).some((t) => t.text === ',') ? 'tuple unpacking'
        : tokens.slice(from, assignAt).some((t) => t.text === '[') ? 'assignment into an index' : `assignment to '${target}'`;
      refuse(first, what, tokens[assignAt - 1].end);
    }
    // A name known without an import (F, sp, diff, sin) is the user's to take; an imported one is not.
    if (!imported.has(first.text)) {
      modules.delete(first.text);
      functions.delete(first.text);
    }
    if (modules.has(first.text) || functions.has(first.text) || first.text in STATEMENT_KEYWORDS || first.text in EXPRESSION_KEYWORDS) {
      refuse(first, `assignment to '${first.text}' (${modules.has(first.text) ? 'a module' : functions.has(first.text) ? 'a function' : 'a keyword'})`);
    }
    const rhs = parseExpr(assignAt + 1, to);
    const stmtSpan = span(first.start, tokens[to - 1].end);
    let expr = rhs;
    if (eq.text !== '=') {
      const o = AUGMENTED[eq.text];
      if (!o) refuse(eq, `the operator '${eq.text}'`);
      expr = build(o, [read(first), rhs], stmtSpan);
    }
    const b = bind(first.text, expr, stmtSpan, valueLabels.get(rhs) ?? first.text);
    if (eq.text === '=') {
      const shape = literalShape(rhs);
      if (shape) b.shape = shape;
    }
  }
  if (!output && pending) output = pending.expr;
  if (output) markOutputReads(output);
  if (!body.length && !output) throw new BackpropError('no-output', 'nothing to trace: no expression and no assignment');
  settleNames([...frees.values(), ...bindings]);
  const program: Program = { lang: 'python', params: [], body, span: lines.span(0, text.length) };
  if (output) program.result = output;
  if (wrt) program.wrt = wrt;
  if (symbolic) program.symbolic = true;
  return program;

  /** The output is evaluated after the whole body: every value it reads must still have its name then. */
  function markOutputReads(e: Expr) {
    const stack = [e];
    const reads = new Set<VarExpr>();
    while (stack.length) {
      const x = stack.pop()!;
      if (x.kind === 'var') reads.add(x);
      else if (x.kind === 'op') stack.push(...x.args);
    }
    for (const b of [...frees.values(), ...bindings]) if (b.reads.some((r) => reads.has(r))) b.lastRead = Infinity;
  }
}

/**
 * Gives each value its IR name. The tracer resolves a name to its latest assignment, so a value keeps the name
 * it wants (its Python name, or its micrograd label) unless another value took that name while it is still
 * read; then it gets a prime (`n′`). Free variables come first and keep their names.
 */
function settleNames(all: Binding[]): void {
  const ordered = all.map((b, k) => ({ b, k })).sort((x, y) => x.b.at - y.b.at || x.k - y.k).map((x) => x.b);
  const holder = new Map<string, Binding>();
  for (const b of ordered) {
    let name = b.desired;
    if (!b.fixed) {
      for (let prev = holder.get(name); prev && prev.lastRead > b.at; prev = holder.get(name)) name += '′';
    }
    holder.set(name, b);
    if (b.assign) b.assign.name = name;
    for (const r of b.reads) r.name = name;
  }
}

/** `torch.tensor([2.0])` and `np.array([[2.0]])` hold one number: they are that number (a scalar input). */
function unwrapSingle(e: Expr): Expr {
  let cur = e;
  while (cur.kind === 'op' && cur.op === 'array' && cur.args.length === 1) cur = cur.args[0];
  return cur.kind === 'op' && cur.op === 'array' ? e : cur;
}
