/**
 * What a hover is about: the word under the cursor, whether it is a function call, and the one statement
 * around it (hovers parse only that). Pure: no vscode.
 */
import type { OpName } from '../../engine/tape/ops';
import { LineIndex } from '../../engine/base/span';
import { docKind, parseAssignment, parseAssignments, scanMarkdown, splitStatements, splitLines, type TextLang } from './scan';

export interface Word {
  word: string;
  start: number;
  end: number;
  /** `Math` in `Math.tanh`, `np` in `np.exp`. */
  qualifier?: string;
  /** Followed by `(`. */
  call: boolean;
}

export function wordAt(text: string, offset: number): Word | undefined {
  const isWord = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}_$]/u.test(c);
  let s = offset;
  let e = offset;
  while (s > 0 && isWord(text[s - 1])) s--;
  while (e < text.length && isWord(text[e])) e++;
  if (s === e || /\d/.test(text[s])) return undefined;
  const word = text.slice(s, e);
  const q = /([A-Za-z_$][\w$]*)\s*\.\s*$/.exec(text.slice(Math.max(0, s - 40), s));
  const call = /^\s*\(/.test(text.slice(e, e + 20));
  return { word, start: s, end: e, qualifier: q?.[1], call };
}

/** Function names (with their usual qualifiers) → the op they trace to, for the local derivative rule. */
const FUNCTIONS: Record<string, OpName> = {
  sin: 'sin', cos: 'cos', tan: 'tan', asin: 'asin', acos: 'acos', atan: 'atan', arcsin: 'asin', arccos: 'acos', arctan: 'atan',
  sinh: 'sinh', cosh: 'cosh', tanh: 'tanh', exp: 'exp', log: 'log', ln: 'log', log2: 'log2', log10: 'log10',
  sqrt: 'sqrt', cbrt: 'cbrt', abs: 'abs', square: 'square', max: 'max', min: 'min', hypot: 'hypot', pow: 'pow',
  sigmoid: 'sigmoid', relu: 'relu', softplus: 'softplus', leakyRelu: 'leakyRelu', maximum: 'max', minimum: 'min',
};
const QUALIFIERS = new Set(['Math', 'np', 'numpy', 'torch', 'math', 'F']);

export function functionOp(word: Word): OpName | undefined {
  if (!word.call) return undefined;
  if (word.qualifier && !QUALIFIERS.has(word.qualifier)) return undefined;
  return Object.prototype.hasOwnProperty.call(FUNCTIONS, word.word) ? FUNCTIONS[word.word] : undefined;
}

export interface HoverContext {
  /** The expression the derivative is of: the right side of an assignment, or the statement. */
  exprStart: number;
  exprEnd: number;
  /** The assigned name, when the statement is an assignment. */
  assigned?: string;
  /** The statement, for messages. */
  stmtStart: number;
  stmtEnd: number;
  lang?: TextLang;
}

/**
 * The statement around `offset`, parsed by nothing but text rules: a line of a math block, a TypeScript
 * statement (the line's piece between `;` when the top-level statement holds a block).
 */
export function hoverContext(text: string, offset: number, languageId: string): HoverContext | undefined {
  const kind = docKind(languageId);
  const lines = new LineIndex(text);
  let lang: TextLang | undefined;
  let region: { start: number; end: number };
  if (kind === 'markdown') {
    const b = scanMarkdown(text).find((x) => offset >= x.start && offset <= x.end && x.kind !== 'code');
    // A ```backprop fence without a language is read as its lines; the engine detects the language.
    if (!b || (!b.lang && !b.backprop)) return undefined;
    lang = b.lang;
    region = { start: b.start, end: b.end };
  } else if (kind === 'ts') {
    lang = 'ts';
    region = { start: 0, end: text.length };
  } else if (kind === 'python') {
    lang = 'python';
    region = { start: 0, end: text.length };
  } else {
    lang = undefined;
    region = { start: 0, end: text.length };
  }
  const body = text.slice(region.start, region.end);
  let stmts = lang === 'ts' ? splitStatements(body, region.start) : splitLines(body, region.start);
  let stmt = stmts.find((s) => offset >= s.start && offset <= s.end);
  if (stmt && lang === 'ts' && /[{}]/.test(stmt.text)) {
    // Inside a function or block: fall back to the statements of this line.
    const r = lines.range(lines.lineAt(offset));
    stmts = splitStatements(text.slice(r.start, r.end).replace(/[{}]/g, ' '), r.start);
    stmt = stmts.find((s) => offset >= s.start && offset <= s.end);
  }
  if (!stmt) return undefined;
  const a = parseAssignments(stmt, lang ?? 'math', lines).find((x) => offset >= x.start && offset <= x.end) ?? parseAssignment(stmt, lang ?? 'math', lines);
  if (a) return { exprStart: a.rhsStart, exprEnd: a.rhsStart + a.rhs.length, assigned: a.name, stmtStart: stmt.start, stmtEnd: stmt.end, lang };
  const ret = /^return\s+/.exec(stmt.text);
  const start = stmt.start + (ret ? ret[0].length : 0);
  const end = stmt.text.endsWith(';') ? stmt.end - 1 : stmt.end;
  return { exprStart: start, exprEnd: end, stmtStart: stmt.start, stmtEnd: stmt.end, lang };
}
