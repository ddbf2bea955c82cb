import { BackpropError } from '../base/errors';
import type { LineIndex, Span } from '../base/span';

/**
 * Python's syntax for the front end: the tokenizer both readers share, and the reader of whole programs
 * (blocks by indentation, def/class/for/while/if, comprehensions, lambdas) into a syntax tree that
 * python-program.ts lowers to the statement-level AST. Recursive descent with a depth bound: nesting past it
 * is a 'too-deep' error, never a stack overflow. Nothing here gives names meaning; that is the lowering's job.
 */

export type TokKind = 'num' | 'name' | 'op' | 'str' | 'nl';
export interface Tok { kind: TokKind; text: string; start: number; end: number; value?: number }

const OPERATORS = ['**=', '//=', '>>=', '<<=', '...', '**', '//', '+=', '-=', '*=', '/=', '@=', '%=', '&=', '|=', '^=', '==', '!=', '<=', '>=', '->', ':=', '<<', '>>',
  '+', '-', '*', '/', '@', '%', '(', ')', '[', ']', '{', '}', ',', '.', ':', ';', '=', '<', '>', '&', '|', '^', '~'];

/** Tokens of the whole text; newlines inside brackets are dropped (implicit line joining), `;` ends a statement. */
export function tokenize(text: string, lines: LineIndex): Tok[] {
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

/** The text of a Python string literal (prefixes and quotes removed, simple escapes read). */
export function stringValue(t: Tok): string {
  const m = /^([rRbBuUfF]{0,2})('''|"""|'|")([\s\S]*)\2$/.exec(t.text);
  if (!m) return t.text;
  if (/[rR]/.test(m[1])) return m[3];
  return m[3].replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t' } as Record<string, string>)[c] ?? c);
}


// ---------------------------------------------------------------------------------------------------------------
// The syntax tree of whole programs.

export type PyExpr =
  | { kind: 'num'; value: number; span: Span }
  | { kind: 'str'; value: string; span: Span }
  /** True, False, None. */
  | { kind: 'constant'; value: boolean | null; span: Span }
  | { kind: 'name'; name: string; span: Span }
  | { kind: 'attr'; object: PyExpr; name: string; span: Span; nameSpan: Span }
  | { kind: 'index'; object: PyExpr; index: PyExpr; span: Span }
  | { kind: 'slice'; span: Span }
  | { kind: 'call'; callee: PyExpr; args: PyExpr[]; keywords: PyKeyword[]; span: Span; open: Span }
  | { kind: 'binary'; op: string; left: PyExpr; right: PyExpr; span: Span; opSpan: Span }
  | { kind: 'unary'; op: '-' | '+' | 'not' | '~'; arg: PyExpr; span: Span }
  /** `a < b <= c`: operands.length === ops.length + 1. */
  | { kind: 'compare'; ops: string[]; operands: PyExpr[]; span: Span }
  | { kind: 'logic'; op: 'and' | 'or'; left: PyExpr; right: PyExpr; span: Span }
  | { kind: 'conditional'; test: PyExpr; then: PyExpr; otherwise: PyExpr; span: Span }
  | { kind: 'lambda'; params: PyParam[]; body: PyExpr; span: Span }
  | { kind: 'tuple'; items: PyExpr[]; span: Span }
  | { kind: 'list'; items: PyExpr[]; span: Span }
  | { kind: 'dict'; span: Span }
  | { kind: 'starred'; arg: PyExpr; span: Span }
  /** `[e for t in xs if c]` (list) and `(e for t in xs)` (generator). */
  | { kind: 'comprehension'; type: 'list' | 'generator'; element: PyExpr; clauses: PyFor[]; span: Span };

export interface PyKeyword { name: string; value: PyExpr; span: Span }
export interface PyParam { name: string; value?: PyExpr; span: Span; star?: '*' | '**' }
export interface PyFor { target: PyExpr; iter: PyExpr; ifs: PyExpr[]; span: Span }

export type PyStmt =
  | { kind: 'expr'; expr: PyExpr; span: Span }
  | { kind: 'assign'; targets: PyExpr[]; value: PyExpr; span: Span }
  | { kind: 'augassign'; target: PyExpr; op: string; value: PyExpr; span: Span; opSpan: Span }
  | { kind: 'annassign'; target: PyExpr; value?: PyExpr; span: Span }
  | { kind: 'def'; name: string; params: PyParam[]; body: PyStmt[]; span: Span; nameSpan: Span; decorated?: Span }
  | { kind: 'class'; name: string; bases: PyExpr[]; body: PyStmt[]; span: Span; nameSpan: Span }
  | { kind: 'return'; value?: PyExpr; span: Span }
  | { kind: 'if'; test: PyExpr; body: PyStmt[]; orelse: PyStmt[]; span: Span }
  /** `header`: the text before the ':' (`for i in range(3)`), as the graph titles the loop. */
  | { kind: 'for'; target: PyExpr; iter: PyExpr; body: PyStmt[]; orelse: PyStmt[]; span: Span; header: string }
  | { kind: 'while'; test: PyExpr; body: PyStmt[]; orelse: PyStmt[]; span: Span; header: string }
  | { kind: 'break' | 'continue' | 'pass'; span: Span }
  | { kind: 'import'; from?: string; names: { name: string; alias: string; span: Span }[]; span: Span }
  /** A statement this reader does not take apart (with, try, global, del, ...): refused by the lowering, by name. */
  | { kind: 'other'; keyword: string; span: Span };

/** Bracket and block nesting past this is refused as too deep (CPython's own parser stops near 200). */
export const MAX_PY_NESTING = 200;

const COMPARISONS = new Set(['<', '>', '==', '!=', '<=', '>=']);
const AUGMENTED_OPS = new Set(['+=', '-=', '*=', '/=', '@=', '**=', '//=', '%=', '&=', '|=', '^=', '>>=', '<<=']);
const SIMPLE_KEYWORDS = new Set(['with', 'try', 'except', 'finally', 'global', 'nonlocal', 'del', 'assert', 'raise', 'yield', 'async', 'await', 'match']);

/** Parses a whole Python program (tokens from `tokenize`) into statements. Throws BackpropError. */
export function parseSyntax(tokens: Tok[], lines: LineIndex): PyStmt[] {
  const span = (start: number, end: number): Span => lines.span(start, end);
  const at = (t: Tok) => span(t.start, t.end);
  const syntax = (t: Tok | Span, message: string): never => { throw new BackpropError('syntax', message, 'line' in t ? t : at(t)); };
  let depth = 0;
  const deeper = (t: Tok) => {
    if (++depth > MAX_PY_NESTING) throw new BackpropError('too-deep', `nested more than ${MAX_PY_NESTING} deep`, at(t));
  };

  // Logical lines: [from, to) between 'nl' tokens, with the column their first token starts at.
  interface Line { from: number; to: number; indent: number; afterSemicolon: boolean }
  const logical: Line[] = [];
  for (let s = 0, k = 0; k < tokens.length; k++) {
    if (tokens[k].kind !== 'nl') continue;
    if (k > s) {
      // After ';' a statement shares its line's indentation.
      const afterSemicolon = tokens[s - 1]?.text === ';' && logical.length > 0;
      const indent = afterSemicolon ? logical[logical.length - 1].indent : lines.position(tokens[s].start).col - 1;
      logical.push({ from: s, to: k, indent, afterSemicolon });
    }
    s = k + 1;
  }

  let pos = 0; // token cursor inside the current line
  let end = 0; // end of the current line (or of the current simple-statement part)
  const peek = (k = 0): Tok | undefined => (pos + k < end ? tokens[pos + k] : undefined);
  const lastTok = () => tokens[Math.max(0, Math.min(pos, end) - 1)];
  const isOp = (t: Tok | undefined, text: string) => t !== undefined && t.kind === 'op' && t.text === text;
  const isWord = (t: Tok | undefined, text: string) => t !== undefined && t.kind === 'name' && t.text === text;
  const expectOp = (text: string, what: string): Tok => {
    const t = peek();
    if (!isOp(t, text)) syntax(t ?? lastTok(), `expected '${text}' ${what}${t ? `, found '${t.text}'` : ''}`);
    pos++;
    return t!;
  };
  const startOf = (e: PyExpr | Tok) => ('span' in e ? e.span.start : e.start);
  const endOf = (e: PyExpr | Tok) => ('span' in e ? e.span.end : e.end);

  // ------------------------------------------------------------------ expressions
  /** A comma list at the top of a statement: one expression, or a tuple without brackets. */
  const exprList = (): PyExpr => {
    const first = starOrExpr();
    if (!isOp(peek(), ',')) return first;
    const items = [first];
    while (isOp(peek(), ',')) {
      pos++;
      if (!peek() || isOp(peek(), '=') || isOp(peek(), ':') || AUGMENTED_OPS.has(peek()!.text)) break;
      items.push(starOrExpr());
    }
    return { kind: 'tuple', items, span: span(startOf(first), endOf(items[items.length - 1])) };
  };
  const starOrExpr = (): PyExpr => {
    const t = peek();
    if (isOp(t, '*')) {
      pos++;
      const arg = expression();
      return { kind: 'starred', arg, span: span(t!.start, arg.span.end) };
    }
    return expression();
  };
  const expression = (): PyExpr => {
    const t = peek();
    if (!t) return syntax(lastTok(), 'the expression ends early: a value is missing');
    deeper(t);
    try {
      if (isWord(t, 'lambda')) return lambda();
      const body = disjunction();
      if (isWord(peek(), 'if')) {
        pos++;
        const test = disjunction();
        if (!isWord(peek(), 'else')) syntax(peek() ?? lastTok(), "a conditional expression 'a if c else b' without its 'else'");
        pos++;
        const otherwise = expression();
        return { kind: 'conditional', test, then: body, otherwise, span: span(body.span.start, otherwise.span.end) };
      }
      return body;
    } finally {
      depth--;
    }
  };
  const lambda = (): PyExpr => {
    const t = tokens[pos++];
    const params = parameters(':');
    expectOp(':', 'after the parameters of a lambda');
    const body = expression();
    return { kind: 'lambda', params, body, span: span(t.start, body.span.end) };
  };
  const disjunction = (): PyExpr => {
    let left = conjunction();
    while (isWord(peek(), 'or')) { pos++; const right = conjunction(); left = { kind: 'logic', op: 'or', left, right, span: span(left.span.start, right.span.end) }; }
    return left;
  };
  const conjunction = (): PyExpr => {
    let left = inversion();
    while (isWord(peek(), 'and')) { pos++; const right = inversion(); left = { kind: 'logic', op: 'and', left, right, span: span(left.span.start, right.span.end) }; }
    return left;
  };
  const inversion = (): PyExpr => {
    const t = peek();
    if (isWord(t, 'not')) {
      pos++;
      deeper(t!);
      try {
        const arg = inversion();
        return { kind: 'unary', op: 'not', arg, span: span(t!.start, arg.span.end) };
      } finally { depth--; }
    }
    return comparison();
  };
  const comparison = (): PyExpr => {
    const first = bitOr();
    const ops: string[] = [];
    const operands = [first];
    for (;;) {
      const t = peek();
      let op: string | undefined;
      if (t?.kind === 'op' && COMPARISONS.has(t.text)) { op = t.text; pos++; }
      else if (isWord(t, 'in')) { op = 'in'; pos++; }
      else if (isWord(t, 'not') && isWord(peek(1), 'in')) { op = 'not in'; pos += 2; }
      else if (isWord(t, 'is')) { pos++; if (isWord(peek(), 'not')) { pos++; op = 'is not'; } else op = 'is'; }
      if (!op) break;
      ops.push(op);
      operands.push(bitOr());
    }
    if (!ops.length) return first;
    return { kind: 'compare', ops, operands, span: span(first.span.start, operands[operands.length - 1].span.end) };
  };
  /** Binary levels from loosest to tightest; `**` is handled in power(). */
  const LEVELS: string[][] = [['|'], ['^'], ['&'], ['<<', '>>'], ['+', '-'], ['*', '/', '//', '%', '@']];
  const binaryLevel = (level: number): PyExpr => {
    if (level === LEVELS.length) return unary();
    let left = binaryLevel(level + 1);
    for (;;) {
      const t = peek();
      if (!(t?.kind === 'op' && LEVELS[level].includes(t.text))) return left;
      pos++;
      const right = binaryLevel(level + 1);
      left = { kind: 'binary', op: t.text, left, right, span: span(left.span.start, right.span.end), opSpan: at(t) };
    }
  };
  const bitOr = () => binaryLevel(0);
  const unary = (): PyExpr => {
    const t = peek();
    if (t && (isOp(t, '-') || isOp(t, '+') || isOp(t, '~'))) {
      pos++;
      deeper(t);
      try {
        const arg = unary();
        return { kind: 'unary', op: t.text as '-' | '+' | '~', arg, span: span(t.start, arg.span.end) };
      } finally { depth--; }
    }
    return power();
  };
  const power = (): PyExpr => {
    const base = primary();
    const t = peek();
    if (!isOp(t, '**')) return base;
    pos++;
    deeper(t!);
    try {
      // Right-associative, and binds tighter than a unary minus on its left: -x**2 is -(x**2).
      const exponent = unary();
      return { kind: 'binary', op: '**', left: base, right: exponent, span: span(base.span.start, exponent.span.end), opSpan: at(t!) };
    } finally { depth--; }
  };
  const primary = (): PyExpr => {
    let e = atom();
    for (;;) {
      const t = peek();
      if (isOp(t, '.')) {
        const name = tokens[pos + 1];
        if (pos + 1 >= end || name.kind !== 'name') syntax(t!, "a '.' without a name after it");
        pos += 2;
        e = { kind: 'attr', object: e, name: name.text, span: span(e.span.start, name.end), nameSpan: at(name) };
      } else if (isOp(t, '(')) {
        pos++;
        deeper(t!);
        try {
          const { args, keywords } = callArguments();
          const close = expectOp(')', 'to close the call');
          e = { kind: 'call', callee: e, args, keywords, span: span(e.span.start, close.end), open: at(t!) };
        } finally { depth--; }
      } else if (isOp(t, '[')) {
        pos++;
        deeper(t!);
        try {
          const index = subscript();
          const close = expectOp(']', 'to close the index');
          e = { kind: 'index', object: e, index, span: span(e.span.start, close.end) };
        } finally { depth--; }
      } else {
        return e;
      }
    }
  };
  const subscript = (): PyExpr => {
    const t = peek();
    const sliceFrom = pos;
    const part = () => (isOp(peek(), ':') || isOp(peek(), ']') || isOp(peek(), ',') ? undefined : expression());
    const first = part();
    if (isOp(peek(), ':')) {
      while (peek() && !isOp(peek(), ']')) { if (isOp(peek(), ':') || isOp(peek(), ',')) pos++; else part(); }
      return { kind: 'slice', span: span(tokens[sliceFrom].start, lastTok().end) };
    }
    if (!first) return syntax(t ?? lastTok(), 'an empty index');
    if (isOp(peek(), ',')) {
      const items = [first];
      while (isOp(peek(), ',')) { pos++; if (isOp(peek(), ']')) break; const p = part(); if (!p || isOp(peek(), ':')) { while (peek() && !isOp(peek(), ']')) pos++; return { kind: 'slice', span: span(tokens[sliceFrom].start, lastTok().end) }; } items.push(p); }
      return { kind: 'tuple', items, span: span(first.span.start, items[items.length - 1].span.end) };
    }
    return first;
  };
  const callArguments = (): { args: PyExpr[]; keywords: PyKeyword[] } => {
    const args: PyExpr[] = [];
    const keywords: PyKeyword[] = [];
    while (peek() && !isOp(peek(), ')')) {
      const t = peek()!;
      if (t.kind === 'name' && isOp(peek(1), '=')) {
        pos += 2;
        const value = expression();
        keywords.push({ name: t.text, value, span: span(t.start, value.span.end) });
      } else if (isOp(t, '**')) {
        pos++;
        const arg = expression();
        args.push({ kind: 'starred', arg, span: span(t.start, arg.span.end) });
      } else {
        const arg = starOrExpr();
        // f(x for x in xs): a generator as the only argument, without brackets of its own.
        if (isWord(peek(), 'for')) {
          const clauses = forClauses();
          args.push({ kind: 'comprehension', type: 'generator', element: arg, clauses, span: span(arg.span.start, lastTok().end) });
        } else {
          args.push(arg);
        }
      }
      if (!isOp(peek(), ',')) break;
      pos++;
    }
    return { args, keywords };
  };
  const forClauses = (): PyFor[] => {
    const clauses: PyFor[] = [];
    while (isWord(peek(), 'for')) {
      const t = tokens[pos++];
      const target = targetList();
      if (!isWord(peek(), 'in')) syntax(peek() ?? lastTok(), "expected 'in' in a comprehension's 'for'");
      pos++;
      const iter = disjunction();
      const ifs: PyExpr[] = [];
      while (isWord(peek(), 'if')) { pos++; ifs.push(disjunction()); }
      clauses.push({ target, iter, ifs, span: span(t.start, lastTok().end) });
    }
    return clauses;
  };
  /** The target of a for: names, tuples of names, attributes; stops before 'in'. */
  const targetList = (): PyExpr => {
    const one = (): PyExpr => {
      const t = peek();
      if (isOp(t, '(') || isOp(t, '[')) {
        pos++;
        deeper(t!);
        try {
          const inner = targetList();
          const close = expectOp(t!.text === '(' ? ')' : ']', 'to close the target');
          return inner.kind === 'tuple' ? { ...inner, span: span(t!.start, close.end) } : inner;
        } finally { depth--; }
      }
      if (isOp(t, '*')) { pos++; const arg = one(); return { kind: 'starred', arg, span: span(t!.start, arg.span.end) }; }
      return primary();
    };
    const first = one();
    if (!isOp(peek(), ',')) return first;
    const items = [first];
    while (isOp(peek(), ',')) {
      pos++;
      if (isWord(peek(), 'in') || isOp(peek(), ')') || isOp(peek(), ']')) break;
      items.push(one());
    }
    return { kind: 'tuple', items, span: span(first.span.start, items[items.length - 1].span.end) };
  };
  const atom = (): PyExpr => {
    const t = peek();
    if (!t) return syntax(lastTok(), 'the expression ends early: a value is missing');
    if (t.kind === 'num') { pos++; return { kind: 'num', value: t.value!, span: at(t) }; }
    if (t.kind === 'str') {
      pos++;
      let value = stringValue(t);
      let last = t;
      // Adjacent literals join: 'a' 'b'.
      while (peek()?.kind === 'str') { last = tokens[pos++]; value += stringValue(last); }
      return { kind: 'str', value, span: span(t.start, last.end) };
    }
    if (t.kind === 'name') {
      pos++;
      if (t.text === 'True' || t.text === 'False') return { kind: 'constant', value: t.text === 'True', span: at(t) };
      if (t.text === 'None') return { kind: 'constant', value: null, span: at(t) };
      if (KEYWORDS.has(t.text)) syntax(t, `'${t.text}' where a value is expected`);
      return { kind: 'name', name: t.text, span: at(t) };
    }
    if (isOp(t, '(') || isOp(t, '[') || isOp(t, '{')) {
      pos++;
      deeper(t);
      try {
        const close = t.text === '(' ? ')' : t.text === '[' ? ']' : '}';
        if (t.text === '{') {
          let nest = 0;
          while (peek() && !(nest === 0 && isOp(peek(), '}'))) { const x = tokens[pos++]; if (['(', '[', '{'].includes(x.text)) nest++; else if ([')', ']', '}'].includes(x.text)) nest--; }
          const c = expectOp('}', 'to close the braces');
          return { kind: 'dict', span: span(t.start, c.end) };
        }
        if (isOp(peek(), close)) {
          const c = tokens[pos++];
          return t.text === '(' ? { kind: 'tuple', items: [], span: span(t.start, c.end) } : { kind: 'list', items: [], span: span(t.start, c.end) };
        }
        const first = starOrExpr();
        if (isWord(peek(), 'for')) {
          const clauses = forClauses();
          const c = expectOp(close, t.text === '(' ? 'to close the generator' : 'to close the comprehension');
          return { kind: 'comprehension', type: t.text === '(' ? 'generator' : 'list', element: first, clauses, span: span(t.start, c.end) };
        }
        const items = [first];
        let comma = false;
        while (isOp(peek(), ',')) {
          pos++;
          comma = true;
          if (isOp(peek(), close)) break;
          items.push(starOrExpr());
        }
        const c = expectOp(close, t.text === '(' ? 'to close the parenthesis' : 'to close the list');
        const whole = span(t.start, c.end);
        if (t.text === '[') return { kind: 'list', items, span: whole };
        if (comma) return { kind: 'tuple', items, span: whole };
        // A parenthesized expression keeps its brackets in its span, as a reader points at it.
        return first;
      } finally { depth--; }
    }
    return syntax(t, `'${t.text}' where a value is expected`);
  };
  /** def/lambda parameters: `a, b=1, *args, **kw`, up to `close`. */
  const parameters = (close: string): PyParam[] => {
    const params: PyParam[] = [];
    while (peek() && !isOp(peek(), close)) {
      const t = peek()!;
      let star: '*' | '**' | undefined;
      if (isOp(t, '*') || isOp(t, '**')) { star = t.text as '*' | '**'; pos++; }
      const name = peek();
      if (name?.kind !== 'name') syntax(name ?? t, 'expected a parameter name');
      pos++;
      if (isOp(peek(), ':') && close === ')') { pos++; expression(); } // an annotation, not read
      let value: PyExpr | undefined;
      if (isOp(peek(), '=')) { pos++; value = expression(); }
      params.push({ name: name!.text, value, span: span(t.start, lastTok().end), star });
      if (!isOp(peek(), ',')) break;
      pos++;
    }
    return params;
  };

  // ------------------------------------------------------------------ statements
  /** The source text of tokens [from, to), its whitespace as written. */
  const headerText = (from: number, to: number) => lines.text.slice(tokens[from].start, tokens[to - 1].end).replace(/\s+/g, ' ');
  /** A header's ':' at bracket depth 0 on the current line, or -1. */
  const colonOf = (from: number, to: number): number => {
    let nest = 0;
    let lambdas = 0;
    for (let k = from; k < to; k++) {
      const x = tokens[k];
      if (x.kind === 'name' && x.text === 'lambda') lambdas++;
      if (x.kind !== 'op') continue;
      if (x.text === '(' || x.text === '[' || x.text === '{') nest++;
      else if (x.text === ')' || x.text === ']' || x.text === '}') nest--;
      else if (x.text === ':' && nest === 0) { if (lambdas) lambdas--; else return k; }
    }
    return -1;
  };

  /** One simple statement in tokens [pos, end). */
  const simple = (): PyStmt => {
    const t = peek()!;
    const from = t.start;
    const whole = () => span(from, lastTok().end);
    if (t.kind === 'name') {
      switch (t.text) {
        case 'pass': case 'break': case 'continue': pos++; return { kind: t.text, span: at(t) };
        case 'return': {
          pos++;
          const value = peek() ? exprList() : undefined;
          return { kind: 'return', value, span: whole() };
        }
        case 'import': case 'from': return importStmt();
      }
      if (SIMPLE_KEYWORDS.has(t.text) && !(isOp(peek(1), '=') || isOp(peek(1), '.') || isOp(peek(1), '('))) {
        pos = end;
        return { kind: 'other', keyword: t.text, span: at(t) };
      }
    }
    const first = exprList();
    const next = peek();
    if (!next) return { kind: 'expr', expr: first, span: first.span };
    if (isOp(next, '=')) {
      const targets = [first];
      let value: PyExpr = first;
      while (isOp(peek(), '=')) {
        pos++;
        value = peek() ? exprList() : syntax(next, "nothing after '='");
        targets.push(value);
      }
      targets.pop();
      return { kind: 'assign', targets, value, span: whole() };
    }
    if (next.kind === 'op' && AUGMENTED_OPS.has(next.text)) {
      pos++;
      if (!peek()) syntax(next, `nothing after '${next.text}'`);
      const value = exprList();
      return { kind: 'augassign', target: first, op: next.text, value, span: whole(), opSpan: at(next) };
    }
    if (isOp(next, ':')) {
      if (!(first.kind === 'name' || first.kind === 'attr' || first.kind === 'index')) syntax(next, "an annotation ':' after something that is not a name");
      pos++;
      expression();
      let value: PyExpr | undefined;
      if (isOp(peek(), '=')) { pos++; value = exprList(); }
      return { kind: 'annassign', target: first, value, span: whole() };
    }
    return syntax(next, `'${next.text}' after a complete value (missing operator?)`);
  };
  const importStmt = (): PyStmt => {
    const t = tokens[pos++];
    const dotted = (): string => {
      let name = '';
      while (isOp(peek(), '.')) { name += '.'; pos++; }
      const n = peek();
      if (n?.kind !== 'name') syntax(n ?? t, 'expected a module name');
      name += n!.text;
      pos++;
      while (isOp(peek(), '.') && peek(1)?.kind === 'name') { name += `.${peek(1)!.text}`; pos += 2; }
      return name;
    };
    const names: { name: string; alias: string; span: Span }[] = [];
    const item = (isModule: boolean) => {
      const s = peek()!;
      const name = isModule ? dotted() : (isOp(s, '*') ? (pos++, '*') : dotted());
      let alias = isModule ? name.split('.')[0] : name;
      if (isWord(peek(), 'as')) { pos++; alias = peek()?.text ?? alias; pos++; }
      names.push({ name, alias, span: span(s.start, lastTok().end) });
    };
    if (t.text === 'import') {
      item(true);
      while (isOp(peek(), ',')) { pos++; item(true); }
      return { kind: 'import', names, span: span(t.start, lastTok().end) };
    }
    const source = dotted();
    if (!isWord(peek(), 'import')) syntax(peek() ?? lastTok(), "expected 'import'");
    pos++;
    const paren = isOp(peek(), '(');
    if (paren) pos++;
    while (peek() && !isOp(peek(), ')')) { item(false); if (!isOp(peek(), ',')) break; pos++; }
    if (paren) expectOp(')', 'to close the import');
    return { kind: 'import', from: source, names, span: span(t.start, lastTok().end) };
  };

  let lineIndex = 0;
  /** Indentations of the blocks open around the current one. */
  const open: number[] = [];
  /** The statements of a block whose lines are indented exactly `indent`. */
  const block = (indent: number, owner: Tok | undefined): PyStmt[] => {
    const out: PyStmt[] = [];
    open.push(indent);
    while (lineIndex < logical.length) {
      const line = logical[lineIndex];
      if (line.indent < indent) {
        if (!open.includes(line.indent)) syntax(tokens[line.from], 'unindent does not match any outer indentation level');
        break;
      }
      if (line.indent > indent) syntax(tokens[line.from], owner ? 'unexpected indentation' : 'an indented line where none is expected (unexpected indentation)');
      lineIndex++;
      out.push(...statement(line, indent));
    }
    open.pop();
    return out;
  };
  /** The body after a header's ':' — the rest of the line, or the indented block below. */
  const suite = (header: Tok, colon: number, line: Line, indent: number): PyStmt[] => {
    if (colon + 1 < line.to) {
      // `if x: y = 1; z = 2` — simple statements on the header's line.
      const inline = simpleLine(colon + 1, line.to);
      while (logical[lineIndex]?.afterSemicolon) {
        const next = logical[lineIndex++];
        inline.push(...simpleLine(next.from, next.to));
      }
      return inline;
    }
    const next = logical[lineIndex];
    if (!next || next.indent <= indent) {
      // Where the block should start, as Python reports it: the next line, or the header when nothing follows.
      return syntax(next ? tokens[next.from] : header, `expected an indented block after '${header.text}' at ${lines.position(header.start).line}:${lines.position(header.start).col}`);
    }
    deeper(header);
    try {
      return block(next.indent, header);
    } finally { depth--; }
  };
  const simpleLine = (from: number, to: number): PyStmt[] => {
    pos = from;
    end = to;
    const s = simple();
    if (pos < end) syntax(tokens[pos], `'${tokens[pos].text}' after a complete statement`);
    return [s];
  };
  const header = (line: Line, what: string): { colon: number } => {
    const colon = colonOf(line.from, line.to);
    if (colon < 0) syntax(tokens[line.from], `expected ':' at the end of ${what}`);
    pos = line.from + 1;
    end = colon;
    return { colon };
  };
  const endHeader = (colon: number) => {
    if (pos < colon) syntax(tokens[pos], `'${tokens[pos].text}' before the ':' of this header`);
  };
  const statement = (line: Line, indent: number): PyStmt[] => {
    const first = tokens[line.from];
    const kw = first.kind === 'name' ? first.text : '';
    const whole = (stmtEnd: number) => span(first.start, stmtEnd);
    if (isOp(first, '@')) {
      // A decorator changes what the name below means: refused by the lowering at its position.
      const next = logical[lineIndex];
      const stmts = next && next.indent === indent ? (lineIndex++, statement(next, indent)) : [];
      const def = stmts[0];
      if (def?.kind === 'def') return [{ ...def, decorated: whole(tokens[line.to - 1].end) }];
      return [{ kind: 'other', keyword: 'a decorator', span: at(first) }];
    }
    if (kw === 'if' || kw === 'while') {
      const { colon } = header(line, `an '${kw}' line`);
      const test = expression();
      endHeader(colon);
      const body = suite(first, colon, line, indent);
      const orelse: PyStmt[] = [];
      // elif / else lines at the same indentation.
      let tail = orelse;
      while (lineIndex < logical.length) {
        const next = logical[lineIndex];
        const nk = tokens[next.from];
        if (next.indent !== indent || nk.kind !== 'name' || !(nk.text === 'else' || (nk.text === 'elif' && kw === 'if'))) break;
        lineIndex++;
        if (nk.text === 'else') {
          const c = colonOf(next.from, next.to);
          if (c !== next.from + 1) syntax(nk, "expected ':' right after 'else'");
          tail.push(...suite(nk, c, next, indent));
          break;
        }
        const h = header(next, "an 'elif' line");
        const elifTest = expression();
        endHeader(h.colon);
        const elifBody = suite(nk, h.colon, next, indent);
        const nested: PyStmt = { kind: 'if', test: elifTest, body: elifBody, orelse: [], span: span(nk.start, tokens[next.to - 1].end) };
        tail.push(nested);
        tail = nested.orelse;
      }
      const stmtEnd = tokens[line.to - 1].end;
      return [kw === 'if' ? { kind: 'if', test, body, orelse, span: whole(stmtEnd) }
        : { kind: 'while', test, body, orelse, span: whole(stmtEnd), header: headerText(line.from, colon) }];
    }
    if (kw === 'for') {
      const { colon } = header(line, "a 'for' line");
      const target = targetList();
      if (!isWord(peek(), 'in')) syntax(peek() ?? lastTok(), "expected 'in' in a 'for' line");
      pos++;
      const iter = exprList();
      endHeader(colon);
      const body = suite(first, colon, line, indent);
      const orelse: PyStmt[] = [];
      const next = logical[lineIndex];
      if (next && next.indent === indent && isWord(tokens[next.from], 'else')) {
        lineIndex++;
        orelse.push(...suite(tokens[next.from], colonOf(next.from, next.to), next, indent));
      }
      return [{ kind: 'for', target, iter, body, orelse, span: whole(tokens[line.to - 1].end), header: headerText(line.from, colon) }];
    }
    if (kw === 'def') {
      const { colon } = header(line, 'a function definition');
      const name = peek();
      if (name?.kind !== 'name') syntax(name ?? first, 'expected the function name after def');
      pos++;
      expectOp('(', 'after the function name');
      const params = parameters(')');
      expectOp(')', 'to close the parameters');
      if (isOp(peek(), '->')) { pos++; expression(); }
      endHeader(colon);
      const body = suite(first, colon, line, indent);
      return [{ kind: 'def', name: name!.text, params, body, span: whole(tokens[colon].end), nameSpan: at(name!) }];
    }
    if (kw === 'class') {
      const { colon } = header(line, 'a class definition');
      const name = peek();
      if (name?.kind !== 'name') syntax(name ?? first, 'expected the class name after class');
      pos++;
      let bases: PyExpr[] = [];
      if (isOp(peek(), '(')) {
        pos++;
        const a = callArguments();
        bases = a.args;
        expectOp(')', 'to close the base classes');
      }
      endHeader(colon);
      const body = suite(first, colon, line, indent);
      return [{ kind: 'class', name: name!.text, bases, body, span: whole(tokens[colon].end), nameSpan: at(name!) }];
    }
    if (kw === 'elif' || kw === 'else') syntax(first, `'${kw}' without an 'if' above it at the same indentation`);
    if ((kw === 'with' || kw === 'try' || kw === 'except' || kw === 'finally' || kw === 'async' || kw === 'match') && colonOf(line.from, line.to) >= 0) {
      // Refused by the lowering; its block is skipped here so the refusal names the statement, not its body.
      const c = colonOf(line.from, line.to);
      if (c + 1 >= line.to) { const next = logical[lineIndex]; if (next && next.indent > indent) block(next.indent, first); }
      return [{ kind: 'other', keyword: kw, span: at(first) }];
    }
    return simpleLine(line.from, line.to);
  };

  const program = block(logical.length ? logical[0].indent : 0, undefined);
  if (lineIndex < logical.length) {
    const line = logical[lineIndex];
    syntax(tokens[line.from], 'unindent does not match any outer indentation level');
  }
  return program;
}

const KEYWORDS = new Set(['def', 'class', 'if', 'elif', 'else', 'for', 'while', 'with', 'try', 'except', 'finally', 'return', 'lambda',
  'global', 'nonlocal', 'del', 'assert', 'raise', 'yield', 'pass', 'async', 'await', 'break', 'continue', 'import', 'from', 'as',
  'not', 'and', 'or', 'in', 'is']);
