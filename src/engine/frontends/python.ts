import { BackpropError } from '../base/errors';
import type { Assign, Expr, IrOp, Program } from '../ast/ir';
import { LIMITS } from '../base/limits';
import { lookup } from '../base/lookup';
import { LineIndex, type Span } from '../base/span';

/**
 * The Python front end: a hand-written tokenizer and an operator-precedence parser (explicit stacks, so
 * nesting depth is bounded by memory, not the call stack) for the arithmetic subset the lessons' notebooks
 * use. The text is never executed. Lesson boilerplate is tolerated and ignored: `import math`,
 * `import numpy as np`, `import torch`, `print(...)` lines, `y.backward()` lines and bare `x.grad` lines.
 * Everything else outside the subset is refused with the construct and its line:col.
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
/** Imports that lessons need and we understand; anything else imported is refused. */
const TOLERATED_IMPORTS = new Set(['import math', 'import numpy as np', 'import numpy', 'import torch']);

type Fn =
  | { kind: 'op'; op: IrOp; min: number; max: number }
  | { kind: 'ctor' } // np.array / torch.tensor: a literal value
  | { kind: 'same' }; // float(x): the value itself

const op = (o: IrOp, min = 1, max = min): Fn => ({ kind: 'op', op: o, min, max });
const COMMON = lookup<Fn>({
  sin: op('sin'), cos: op('cos'), tan: op('tan'), sinh: op('sinh'), cosh: op('cosh'), tanh: op('tanh'),
  exp: op('exp'), log2: op('log2'), log10: op('log10'), sqrt: op('sqrt'),
});
const MATH_FNS = lookup<Fn>({
  ...COMMON, asin: op('asin'), acos: op('acos'), atan: op('atan'), fabs: op('abs'), log: op('log', 1, 2),
  pow: op('pow', 2), hypot: op('hypot', 1, Infinity), cbrt: op('cbrt'),
});
const NUMPY_FNS = lookup<Fn>({
  ...COMMON, log: op('log'), arcsin: op('asin'), arccos: op('acos'), arctan: op('atan'), abs: op('abs'), absolute: op('abs'),
  square: op('square'), cbrt: op('cbrt'), maximum: op('max', 2), minimum: op('min', 2), power: op('pow', 2),
  array: { kind: 'ctor' }, asarray: { kind: 'ctor' }, dot: op('mmul', 2), matmul: op('matmul', 2), sum: op('sum'),
  mean: op('mean'), transpose: op('transpose'),
});
const TORCH_FNS = lookup<Fn>({
  ...COMMON, log: op('log'), asin: op('asin'), acos: op('acos'), atan: op('atan'), arcsin: op('asin'), arccos: op('acos'),
  arctan: op('atan'), abs: op('abs'), square: op('square'), sigmoid: op('sigmoid'), relu: op('relu'),
  maximum: op('max', 2), minimum: op('min', 2), pow: op('pow', 2), tensor: { kind: 'ctor' }, matmul: op('matmul', 2),
  mm: op('matmul', 2), mv: op('matmul', 2), dot: op('dot', 2), sum: op('sum'), mean: op('mean'), t: op('transpose'),
});
const MODULES = lookup<Readonly<Record<string, Fn>>>({ math: MATH_FNS, np: NUMPY_FNS, numpy: NUMPY_FNS, torch: TORCH_FNS });
const PI_E = lookup<[string, number]>({ pi: ['pi', Math.PI], e: ['e', Math.E] });
const MODULE_CONSTANTS = lookup<Readonly<Record<string, [string, number]>>>({
  math: lookup<[string, number]>({ ...PI_E, tau: ['tau', 2 * Math.PI] }),
  np: PI_E,
  numpy: PI_E,
  torch: PI_E,
});
const BUILTINS = lookup<Fn>({ abs: op('abs'), max: op('max', 1, Infinity), min: op('min', 1, Infinity), pow: op('pow', 2), float: { kind: 'same' } });
/** Calls that would run code or touch the system: named in the refusal so the reason is plain. */
const DANGEROUS = new Set(['exec', 'eval', 'open', '__import__', 'compile', 'input', 'getattr', 'setattr', 'globals', 'locals', 'vars', 'breakpoint']);

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

type Marker =
  | { type: 'bin'; op: string; prec: number; tok: Tok }
  | { type: 'un'; neg: boolean; tok: Tok }
  | { type: 'paren'; tok: Tok; base: number }
  | { type: 'call'; tok: Tok; base: number; fn: Fn; name: string }
  | { type: 'list'; tok: Tok; base: number };

const BINARY = lookup<[number, IrOp]>({ '+': [1, 'add'], '-': [1, 'sub'], '*': [2, 'mul'], '/': [2, 'div'], '@': [2, 'matmul'], '**': [4, 'pow'] });
const UNARY_PREC = 3;
const REFUSED_OPERATORS = lookup<string>({
  '%': "the operator '%'", '//': "floor division '//'", '<<': "the operator '<<'", '>>': "the operator '>>'", '&': "the operator '&'",
  '|': "the operator '|'", '^': "the operator '^' (in Python it is bitwise xor; use ** for powers)", '~': "the operator '~'",
  '==': "a comparison '=='", '!=': "a comparison '!='", '<': "a comparison '<'", '>': "a comparison '>'", '<=': "a comparison '<='",
  '>=': "a comparison '>='", '{': 'a dict or set', ':': "a ':'", ':=': "an assignment expression ':='", '...': "'...'", '->': "'->'",
});

/** Parses Python (the arithmetic subset; never executed) into the IR. Throws BackpropError on refusal. */
export function parsePython(text: string): Program {
  if (text.length > LIMITS.maxSourceChars) {
    throw new BackpropError('too-large', `input is ${text.length} characters; the limit is ${LIMITS.maxSourceChars}`);
  }
  const lines = new LineIndex(text);
  const tokens = tokenize(text, lines);
  const span = (start: number, end: number): Span => lines.span(start, end);
  const at = (t: Tok) => span(t.start, t.end);
  const refuse = (t: Tok, what: string, end = t.end): never => {
    throw new BackpropError('unsupported', `unsupported in Python: ${what}`, span(t.start, end));
  };
  let count = 0;

  /** One expression from tokens [from, to): shunting-yard over explicit operand and marker stacks. */
  const parseExpr = (from: number, to: number): Expr => {
    const operands: Expr[] = [];
    const markers: Marker[] = [];
    let expectOperand = true;
    const build = (o: IrOp, args: Expr[], s: Span, label?: string): Expr => {
      if (++count > LIMITS.maxNodes) throw new BackpropError('too-large', `expression has more than ${LIMITS.maxNodes} parts`);
      return label ? { kind: 'op', op: o as any, args, span: s, label } : { kind: 'op', op: o as any, args, span: s };
    };
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
    const closeCall = (m: Extract<Marker, { type: 'call' }>, close: Tok) => {
      const args = operands.splice(m.base);
      const s = span(m.tok.start, close.end);
      if (m.fn.kind === 'ctor') {
        if (args.length !== 1) throw new BackpropError('unsupported', `${m.name}() takes 1 value here, got ${args.length}`, s);
        operands.push(unwrapSingle(args[0]));
        return;
      }
      if (m.fn.kind === 'same') {
        if (args.length !== 1) throw new BackpropError('unsupported', `${m.name}() takes 1 argument, got ${args.length}`, s);
        operands.push(args[0]);
        return;
      }
      const { min, max } = m.fn;
      if (args.length < min || args.length > max) {
        const expected = min === max ? `${min} argument${min === 1 ? '' : 's'}` : max === Infinity ? `at least ${min} argument${min === 1 ? '' : 's'}` : `${min} or ${max} arguments`;
        throw new BackpropError('unsupported', `${m.name}() takes ${expected}, got ${args.length}`, s);
      }
      const o: IrOp = m.fn.op === 'log' && args.length === 2 ? 'logb' : m.fn.op;
      operands.push(build(o, args, s, m.name));
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
          if (t.text in MODULES) {
            const attr = tokens[i + 2];
            if (!(i + 2 < to && next.text === '.' && attr.kind === 'name')) refuse(t, `the module '${t.text}' used as a value`);
            const full = `${t.text}.${attr.text}`;
            const after = tokens[i + 3];
            if (i + 3 < to && after.kind === 'op' && after.text === '(') {
              const fn = MODULES[t.text][attr.text];
              if (!fn) {
                throw new BackpropError('unknown-function',
                  `unknown function '${full}' (supported: ${Object.keys(MODULES[t.text]).map((k) => `${t.text}.${k}`).join(', ')})`, span(t.start, attr.end));
              }
              markers.push({ type: 'call', tok: t, base: operands.length, fn, name: full });
              i += 4;
              i = skipEmptyOrKeywords(markers[markers.length - 1] as any, i, to);
              continue;
            }
            const constant = MODULE_CONSTANTS[t.text][attr.text];
            if (!constant) refuse(t, `attribute access '${full}'`, attr.end);
            operands.push({ kind: 'const', name: constant[0], value: constant[1], span: span(t.start, attr.end) });
            expectOperand = false;
            i += 3;
            continue;
          }
          if (calls) {
            if (DANGEROUS.has(t.text)) refuse(t, `a call to '${t.text}' (code is never run)`);
            const fn = BUILTINS[t.text];
            if (!fn) refuse(t, `a call to '${t.text}' (only math., np. and torch. functions and abs, max, min, pow, float are traced)`);
            markers.push({ type: 'call', tok: t, base: operands.length, fn, name: t.text });
            i = skipEmptyOrKeywords(markers[markers.length - 1] as any, i + 2, to);
            continue;
          }
          operands.push({ kind: 'var', name: t.text, span: at(t) });
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
      // An operator, a closing bracket, a comma, or a postfix (.T).
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
        if (i + 1 < to && attr.kind === 'name' && attr.text === 'T') {
          // Postfix binds tighter than any operator: transpose the value just read.
          const a = operands.pop()!;
          operands.push(build('transpose', [a], span(a.span.start, attr.end), '.T'));
          i += 2;
          continue;
        }
        // x.sum(), x.mean(), x.item(): the numpy/torch methods lessons use on a finished value.
        const open = tokens[i + 2];
        const close = tokens[i + 3];
        if (i + 3 < to && attr.kind === 'name' && ['sum', 'mean', 'item'].includes(attr.text) && open.text === '(' && close.text === ')') {
          const a = operands.pop()!;
          operands.push(attr.text === 'item' ? a : build(attr.text as IrOp, [a], span(a.span.start, close.end), `.${attr.text}()`));
          i += 4;
          continue;
        }
        refuse(t, `attribute access '.${attr?.kind === 'name' ? attr.text : ''}'`, attr?.end ?? t.end);
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
          if (m.type === 'call') i = skipEmptyOrKeywords(m, i, to);
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

  /**
   * After a call's '(' or ',': a ')' right away closes a call without arguments; `name=value` keyword
   * arguments are skipped for constructors (requires_grad, dtype are lesson boilerplate) and refused elsewhere.
   */
  function skipEmptyOrKeywords(m: Extract<Marker, { type: 'call' }>, i: number, to: number): number {
    for (;;) {
      const t = tokens[i];
      const eq = tokens[i + 1];
      if (!(i + 1 < to && t.kind === 'name' && eq.kind === 'op' && eq.text === '=')) return i;
      if (m.fn.kind !== 'ctor' || !['requires_grad', 'dtype', 'device'].includes(t.text)) {
        refuse(t, `the keyword argument '${t.text}=' of ${m.name}()`, eq.end);
      }
      let depth = 0;
      let j = i + 2;
      for (; j < to; j++) {
        const x = tokens[j].text;
        if (tokens[j].kind === 'op' && (x === '(' || x === '[')) depth++;
        else if (tokens[j].kind === 'op' && (x === ')' || x === ']')) { if (depth === 0) break; depth--; }
        else if (tokens[j].kind === 'op' && x === ',' && depth === 0) break;
      }
      if (tokens[j]?.text === ',') { i = j + 1; continue; }
      return j; // at ')': the caller closes the call
    }
  }

  // Statements: the tokens between newlines.
  const statements: { from: number; to: number }[] = [];
  for (let s = 0, k = 0; k < tokens.length; k++) {
    if (tokens[k].kind === 'nl') {
      if (k > s) statements.push({ from: s, to: k });
      s = k + 1;
    }
  }
  const body: Assign[] = [];
  let result: Expr | undefined;
  let pending: { expr: Expr; tok: Tok } | undefined;
  const ignoredCall = (from: number, to: number, first: Tok): boolean => {
    // print(...) as a whole statement.
    if (first.text === 'print' && tokens[from + 1]?.text === '(' && closesAt(from + 1) === to - 1) return true;
    // y.backward(...) and a bare x.grad (torch boilerplate: our graph already is the backward pass).
    if (first.kind === 'name' && tokens[from + 1]?.text === '.' && tokens[from + 2]?.kind === 'name') {
      const attr = tokens[from + 2].text;
      if (attr === 'backward' && tokens[from + 3]?.text === '(' && closesAt(from + 3) === to - 1) return true;
      if (attr === 'grad' && to === from + 3) return true;
    }
    return false;
  };
  const closesAt = (open: number): number => {
    let depth = 0;
    for (let j = open; j < tokens.length; j++) {
      const x = tokens[j];
      if (x.kind !== 'op') continue;
      if (x.text === '(' || x.text === '[' || x.text === '{') depth++;
      else if (x.text === ')' || x.text === ']' || x.text === '}') { depth--; if (depth === 0) return j; }
    }
    return -1;
  };

  for (const { from, to } of statements) {
    const first = tokens[from];
    if (lines.position(first.start).col !== 1 && tokens[from - 1]?.text !== ';') {
      throw new BackpropError('unsupported', 'unsupported in Python: an indented line (blocks such as def, if and for are not supported)', at(first));
    }
    if (first.kind === 'name' && (first.text === 'import' || first.text === 'from')) {
      const words = tokens.slice(from, to).map((t) => t.text).join(' ').replace(/ \. /g, '.');
      if (TOLERATED_IMPORTS.has(words)) continue;
      refuse(first, `the import '${words}' (only 'import math', 'import numpy as np' and 'import torch' are accepted, and ignored)`, tokens[to - 1].end);
    }
    if (first.kind === 'name' && first.text in STATEMENT_KEYWORDS) refuse(first, STATEMENT_KEYWORDS[first.text]);
    if (ignoredCall(from, to, first)) continue;
    if (pending) throw new BackpropError('unsupported', 'unsupported in Python: an expression that is not the last statement (its value would be unused)', pending.expr.span);
    // An assignment: a single name, then = or an augmented operator, at bracket depth 0.
    let assignAt = -1;
    let depth = 0;
    for (let k = from; k < to; k++) {
      const x = tokens[k];
      if (x.kind !== 'op') continue;
      if (x.text === '(' || x.text === '[' || x.text === '{') depth++;
      else if (x.text === ')' || x.text === ']' || x.text === '}') depth--;
      else if (depth === 0 && /^(=|\+=|-=|\*=|\/=|@=|\*\*=|\/\/=|%=|&=|\|=|\^=|>>=|<<=)$/.test(x.text)) {
        if (assignAt >= 0) refuse(x, 'a chained assignment');
        assignAt = k;
      }
    }
    if (assignAt < 0) {
      pending = { expr: parseExpr(from, to), tok: first };
      continue;
    }
    const eq = tokens[assignAt];
    if (assignAt !== from + 1 || first.kind !== 'name') {
      const target = tokens.slice(from, assignAt).map((t) => t.text).join('');
      const what = tokens.slice(from, assignAt).some((t) => t.text === ',') ? 'tuple unpacking'
        : tokens.slice(from, assignAt).some((t) => t.text === '[') ? 'assignment into an index' : `assignment to '${target}'`;
      refuse(first, what, tokens[assignAt - 1].end);
    }
    if (first.text in MODULES || first.text in STATEMENT_KEYWORDS || first.text in EXPRESSION_KEYWORDS) refuse(first, `assignment to '${first.text}'`);
    if (assignAt + 1 >= to) throw new BackpropError('syntax', `nothing after '${eq.text}'`, at(eq));
    const rhs = parseExpr(assignAt + 1, to);
    const stmtSpan = span(first.start, tokens[to - 1].end);
    let expr = rhs;
    if (eq.text !== '=') {
      const aug: Record<string, IrOp> = { '+=': 'add', '-=': 'sub', '*=': 'mul', '/=': 'div', '@=': 'matmul', '**=': 'pow' };
      const o = aug[eq.text];
      if (!o) refuse(eq, `the operator '${eq.text}'`);
      expr = { kind: 'op', op: o as any, args: [{ kind: 'var', name: first.text, span: at(first) }, rhs], span: stmtSpan };
    }
    body.push({ kind: 'assign', name: first.text, expr, span: stmtSpan, mode: 'assign' });
  }
  if (pending) result = pending.expr;
  if (!body.length && !result) throw new BackpropError('no-output', 'nothing to trace: no expression and no assignment');
  return { lang: 'python', params: [], body, result, span: lines.span(0, text.length) };
}

/** `torch.tensor([2.0])` and `np.array([[2.0]])` hold one number: they are that number (a scalar input). */
function unwrapSingle(e: Expr): Expr {
  let cur = e;
  while (cur.kind === 'op' && cur.op === 'array' && cur.args.length === 1) cur = cur.args[0];
  return cur.kind === 'op' && cur.op === 'array' ? e : cur;
}
