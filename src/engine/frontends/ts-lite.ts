/**
 * The engine's fast TypeScript reader, tried first for every TypeScript input (panel, CLI and hover alike;
 * analyze.ts's parseProgram): the TypeScript lessons are mostly `const a = …;` lines and one final expression, over
 * numbers, names, `+ - * / **`, unary `-`/`+`, parentheses, `Math.f(…)`, `Math.PI`/`Math.E`, NaN, Infinity.
 * It builds exactly the IR engine/frontends/typescript.ts builds for that text (same nodes, spans and labels; a test
 * compares the two on generated programs), in microseconds and without loading the TypeScript compiler.
 *
 * Anything else (other syntax, comments, non-ASCII text, deep nesting, and everything the real front end
 * would refuse) returns undefined, and the caller uses the real front end, so refusals and their messages
 * always come from there. Nothing is evaluated.
 */
import type { Assign, Expr, IrOp, Program } from '../ast/ir';
import type { OpName } from '../tape/ops';
import { LineIndex } from '../base/span';
import { GLOBAL_CONSTANTS, MATH_CONSTANTS, MATH_NARY, MATH_UNARY, RESERVED } from './ts-names';

/** Longer text goes to the real parser: the lite one is for lesson lines. */
const MAX_CHARS = 4000;
/** Nesting (parentheses, `**` chains, prefix operators) past this goes to the real parser, which iterates. */
const MAX_DEPTH = 48;

/** Words that are not plain variable names in TypeScript (keywords, contextual keywords that change parsing). */
const KEYWORDS = new Set([
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum',
  'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null',
  'return', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'as',
  'implements', 'interface', 'let', 'package', 'private', 'protected', 'public', 'static', 'yield', 'await',
  'async', 'satisfies', 'type', 'declare', 'namespace', 'module', 'abstract', 'using', 'of', 'get', 'set',
  'readonly', 'keyof', 'unique', 'infer', 'is', 'asserts', 'any', 'never', 'unknown', 'accessor', 'override',
]);

class Bail extends Error {}
const bail = (): never => { throw new Bail(); };

type Tok =
  | { t: 'num'; text: string; start: number; end: number }
  | { t: 'id'; text: string; start: number; end: number }
  | { t: 'op'; text: string; start: number; end: number }
  | { t: 'eof'; text: ''; start: number; end: number };

const isDigit = (c: number) => c >= 48 && c <= 57;
/** ASCII letters, `_`, `$` (other identifier characters go to the real parser). */
const isIdentStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;

function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) { i++; continue; }
    const start = i;
    if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
      // Decimal literals only (no 0x, 0o, 0b, separators, legacy octal, BigInt): the rest is the real parser's.
      const m = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 64));
      if (!m) bail();
      const lit = m![0];
      if (lit.length > 1 && lit[0] === '0' && lit[1] >= '0' && lit[1] <= '9') bail();
      i += lit.length;
      if (i < n && /[\w$.\\]/.test(text[i])) bail();
      out.push({ t: 'num', text: lit, start, end: i });
      continue;
    }
    if (isIdentStart(c)) {
      while (i < n && (isIdentStart(text.charCodeAt(i)) || isDigit(text.charCodeAt(i)))) i++;
      if (i < n && (text.charCodeAt(i) > 127 || text[i] === '\\')) bail();
      out.push({ t: 'id', text: text.slice(start, i), start, end: i });
      continue;
    }
    if (c === 42 && text.charCodeAt(i + 1) === 42) {
      i += 2;
      out.push({ t: 'op', text: '**', start, end: i });
      continue;
    }
    const ch = text[i];
    if ('+-*/(),;.='.includes(ch)) {
      // Comments, compound assignment and comparison operators go to the real parser.
      const next = text[i + 1];
      if (ch === '/' && (next === '/' || next === '*')) bail();
      if ('+-*/='.includes(ch) && next === '=') bail();
      if ((ch === '+' || ch === '-') && next === ch) bail();
      if (ch === '=' && next === '>') bail();
      i++;
      out.push({ t: 'op', text: ch, start, end: i });
      continue;
    }
    bail();
  }
  out.push({ t: 'eof', text: '', start: n, end: n });
  return out;
}

/** The IR for `text`, or undefined when the real front end should read it. */
export function parseTsLite(text: string): Program | undefined {
  if (text.length > MAX_CHARS || !text.trim()) return undefined;
  try {
    return parse(text);
  } catch (e) {
    if (e instanceof Bail) return undefined;
    throw e;
  }
}

interface Parsed { expr: Expr; start: number; end: number }

function parse(text: string): Program {
  const toks = tokenize(text);
  const lines = new LineIndex(text);
  let k = 0;
  let depth = 0;
  const peek = () => toks[k];
  const isOp = (s: string) => toks[k].t === 'op' && toks[k].text === s;
  const expectOp = (s: string) => { if (!isOp(s)) bail(); return toks[k++]; };
  const span = (start: number, end: number) => lines.span(start, end);
  const scope = new Set<string>();
  /** Names read while not (yet) declared: refused by the real front end if declared anywhere in the text. */
  const readBeforeDeclared = new Set<string>();
  const declared = new Set<string>();

  const enter = () => { if (++depth > MAX_DEPTH) bail(); };

  const primary = (): Parsed => {
    enter();
    const tok = toks[k];
    let out: Parsed;
    if (tok.t === 'num') {
      k++;
      out = { expr: { kind: 'num', value: Number(tok.text), span: span(tok.start, tok.end) }, start: tok.start, end: tok.end };
    } else if (tok.t === 'op' && tok.text === '(') {
      k++;
      const inner = additive();
      const close = expectOp(')');
      // Parentheses leave the IR alone; the operator around them spans them.
      out = { expr: inner.expr, start: tok.start, end: close.end };
    } else if (tok.t === 'id') {
      k++;
      const name = tok.text;
      if (KEYWORDS.has(name)) bail();
      if (name === 'Math' && isOp('.')) {
        k++;
        const member = peek();
        if (member.t !== 'id') bail();
        k++;
        if (isOp('(')) {
          k++;
          const args: Expr[] = [];
          if (!isOp(')')) {
            for (;;) {
              args.push(additive().expr);
              if (isOp(',')) { k++; if (isOp(')')) bail(); continue; }
              break;
            }
          }
          const close = expectOp(')');
          const m = member.text;
          const n = args.length;
          let op: OpName;
          if (Object.hasOwn(MATH_UNARY, m) && n === 1) op = MATH_UNARY[m];
          else if (m === 'pow' && n === 2) op = 'pow';
          else if (Object.hasOwn(MATH_NARY, m) && n >= 1) op = MATH_NARY[m];
          else return bail();
          const opName = op as Exclude<OpName, 'input' | 'const'>;
          out = { expr: { kind: 'op', op: opName, args, span: span(tok.start, close.end), label: `Math.${m}` }, start: tok.start, end: close.end };
        } else {
          if (!Object.hasOwn(MATH_CONSTANTS, member.text)) bail();
          out = { expr: { kind: 'const', name: `Math.${member.text}`, value: MATH_CONSTANTS[member.text], span: span(tok.start, member.end) }, start: tok.start, end: member.end };
        }
      } else {
        if (isOp('(') || isOp('.') || name === 'Math' || name === 'undefined') bail();
        const s = span(tok.start, tok.end);
        if (Object.hasOwn(GLOBAL_CONSTANTS, name) && !scope.has(name)) {
          out = { expr: { kind: 'const', name, value: GLOBAL_CONSTANTS[name], span: s }, start: tok.start, end: tok.end };
        } else {
          if (!scope.has(name)) readBeforeDeclared.add(name);
          out = { expr: { kind: 'var', name, span: s }, start: tok.start, end: tok.end };
        }
      }
    } else {
      return bail();
    }
    depth--;
    return out;
  };

  /** UnaryExpression without a following `**` (TypeScript refuses `-x ** 2`). */
  const prefixed = (): Parsed => {
    const tok = toks[k];
    if (tok.t === 'op' && (tok.text === '-' || tok.text === '+')) {
      enter();
      k++;
      const arg = prefixed();
      depth--;
      if (tok.text === '+') return { expr: arg.expr, start: tok.start, end: arg.end };
      return { expr: { kind: 'op', op: 'neg', args: [arg.expr], span: span(tok.start, arg.end) }, start: tok.start, end: arg.end };
    }
    return primary();
  };

  /** ExponentiationExpression: a prefixed operand, or primary ** (right-associative). */
  const exponent = (): Parsed => {
    const tok = toks[k];
    if (tok.t === 'op' && (tok.text === '-' || tok.text === '+')) {
      const p = prefixed();
      if (isOp('**')) bail();
      return p;
    }
    const base = primary();
    if (!isOp('**')) return base;
    k++;
    enter();
    const right = exponent();
    depth--;
    return { expr: { kind: 'op', op: 'pow', args: [base.expr, right.expr], span: span(base.start, right.end) }, start: base.start, end: right.end };
  };

  /** One left-associative level: `next (op next)*`, each operator token mapped to its IR op. */
  const leftAssociative = (next: () => Parsed, ops: Readonly<Record<string, IrOp>>) => (): Parsed => {
    let left = next();
    for (let sym = Object.keys(ops).find(isOp); sym !== undefined; sym = Object.keys(ops).find(isOp)) {
      k++;
      const right = next();
      left = { expr: { kind: 'op', op: ops[sym], args: [left.expr, right.expr], span: span(left.start, right.end) }, start: left.start, end: right.end };
    }
    return left;
  };
  const multiplicative = leftAssociative(exponent, { '*': 'mul', '/': 'div' });
  const additive = leftAssociative(multiplicative, { '+': 'add', '-': 'sub' });

  const body: Assign[] = [];
  let result: Expr | undefined;
  while (peek().t !== 'eof') {
    const tok = peek();
    if (tok.t === 'id' && (tok.text === 'const' || tok.text === 'let') && toks[k + 1].t === 'id' && !/[\r\n]/.test(text.slice(tok.end, toks[k + 1].start))) {
      k++;
      const id = toks[k++];
      if (KEYWORDS.has(id.text) || RESERVED.has(id.text) || declared.has(id.text)) bail();
      expectOp('=');
      const rhs = additive();
      // The right side is read before the name exists (`const x = x + 1` is the real parser's refusal).
      declared.add(id.text);
      scope.add(id.text);
      body.push({ kind: 'assign', name: id.text, expr: rhs.expr, span: span(id.start, rhs.end), mode: 'declare' });
      if (isOp(';')) k++;
      // Without `;`: only a line break before a name ends the statement for sure (automatic semicolon insertion).
      else if (peek().t !== 'eof' && !(peek().t === 'id' && /[\r\n]/.test(text.slice(rhs.end, peek().start)))) bail();
      continue;
    }
    const e = additive();
    if (isOp(';')) k++;
    if (peek().t !== 'eof') bail();
    result = e.expr;
  }
  for (const name of readBeforeDeclared) if (declared.has(name)) bail();
  return { lang: 'ts', params: [], body, result, span: lines.span(0, text.length) };
}
