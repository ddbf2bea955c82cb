/**
 * Reading a document's text without running it: statements, assignments, literal values and markdown math
 * blocks. Pure (no vscode), so it is unit-tested directly. Everything here is a heuristic over text; the
 * engine's front ends stay the authority on what can be traced.
 */
import type { Lang } from '../../engine/ast/ir';
import { LineIndex } from '../../engine/base/span';

/** The language a piece of text is traced as: the engine's own `Lang` (math, TypeScript, Python). */
export type TextLang = Lang;

export interface Assignment {
  name: string;
  /** Right side, trimmed, without a trailing `;`. */
  rhs: string;
  rhsStart: number;
  /** The whole statement (without trailing `;`) and where it sits in the document. */
  text: string;
  start: number;
  end: number;
  /** 0-based line of the statement's start. */
  line: number;
  lang: TextLang;
  /** Set when the right side is a plain number (or a tensor/array of one number, in Python). */
  literal?: number;
  /** `const ` for one declarator of `const a = 1, b = a * 2`: emitted before `text` when it is composed. */
  prefix?: string;
}

export interface Statement {
  text: string;
  start: number;
  end: number;
}

export interface Block {
  /** fence: ```lang … ```; display: $$ … $$; inline: $…$; code: `…` (inline code, scanned for values only). */
  kind: 'fence' | 'display' | 'inline' | 'code';
  lang?: TextLang;
  /** The content (inside the delimiters). */
  start: number;
  end: number;
  /** Whole block including delimiters. */
  outerStart: number;
  outerEnd: number;
  /** 0-based line of the opening delimiter. */
  line: number;
}

const NUMBER = String.raw`[+-]?\s*(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?`;
const NUMBER_RE = new RegExp(`^${NUMBER}$`);
/**
 * `torch.tensor([2.0], requires_grad=True)`, `np.array(2.0)`, `float(2)`, `Number(2)`, micrograd's
 * `Value(2.0, label='a')`: one number inside, then keyword constants (names, numbers, quoted labels).
 */
const WRAPPED_NUMBER_RE = new RegExp(
  String.raw`^(?:torch\.tensor|np\.array|numpy\.array|np\.float64|np\.float32|float|Number|Value)\(\s*\[?\s*(${NUMBER})\s*\]?\s*(?:,\s*(?:[\w=.\s]|'[^'\\]*'|"[^"\\]*")*)?\)$`,
);

/** The number a right side denotes, when it is a literal. */
export function literalValue(rhs: string): number | undefined {
  let s = rhs.trim().replace(/\s+as\s+number$/, '');
  const wrapped = WRAPPED_NUMBER_RE.exec(s);
  if (wrapped) s = wrapped[1];
  if (!NUMBER_RE.test(s)) return undefined;
  const v = Number(s.replace(/\s+/g, ''));
  return Number.isFinite(v) ? v : undefined;
}

/** Names that would make a right side something other than arithmetic (the engine refuses them anyway). */
const NOT_ARITHMETIC = /\b(require|import|process|eval|Function|globalThis|window|document|new|await|yield|delete|typeof|this|constructor|prototype|__proto__|exec|execSync|spawn|fetch)\b/;

/** True for a right side worth a "Show Backprop Graph" lens: operators and calls over names and numbers only. */
export function isArithmetic(rhs: string): boolean {
  const s = rhs.trim();
  if (!s || literalValue(s) !== undefined) return false;
  if (!/^[\w$.\s+\-*/%^(),]+$/.test(s)) return false;
  if (NOT_ARITHMETIC.test(s)) return false;
  // At least one operator or call: `const b = a` alone draws nothing interesting.
  return /[+\-*/%^]/.test(s.replace(/^[+-]/, '')) || /[\w$]\s*\(/.test(s);
}

const KEYWORDS = new Set([
  'Math', 'np', 'numpy', 'torch', 'math', 'pi', 'PI', 'E', 'e', 'tau', 'π',
  'const', 'let', 'var', 'return', 'as', 'number', 'true', 'false', 'null', 'undefined', 'NaN', 'Infinity',
]);

/** Variable names read by an expression: identifiers not after a `.`, not called, not constants. */
export function identifiers(expr: string): string[] {
  const out: string[] = [];
  const re = /[A-Za-z_$][\w$]*/g;
  for (let m = re.exec(expr); m; m = re.exec(expr)) {
    const before = expr.slice(0, m.index).trimEnd();
    if (before.endsWith('.')) continue;
    // Digits followed by letters (`1e5`) are numbers, not names.
    if (m.index > 0 && /[\d.]/.test(expr[m.index - 1])) continue;
    const after = expr.slice(m.index + m[0].length).trimStart();
    if (after.startsWith('(') || after.startsWith('.')) continue;
    if (KEYWORDS.has(m[0])) continue;
    if (!out.includes(m[0])) out.push(m[0]);
  }
  return out;
}

const NEXT_CHAR = /\s*(\S)/y;
const LINE_END = /[ \t]*(?:\r?\n|$)/y;

/**
 * Top-level statements of TypeScript/JavaScript text: split at `;` and at line ends where brackets are
 * balanced and the line does not end in an operator. Strings and comments are skipped; statements that
 * contain blocks (functions, loops) come out whole.
 */
export function splitStatements(text: string, base = 0): Statement[] {
  const out: Statement[] = [];
  let depth = 0;
  let start = 0;
  let i = 0;
  const push = (end: number) => {
    const raw = text.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const body = raw.trim();
    if (body) out.push({ text: body, start: base + start + lead, end: base + start + lead + body.length });
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '/' && text[i + 1] === '/') {
      const nl = text.indexOf('\n', i);
      // A comment on its own line ends nothing; a statement before it ends at the line break below.
      if (text.slice(start, i).trim() === '') start = nl < 0 ? text.length : nl;
      i = nl < 0 ? text.length : nl;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      const stop = close < 0 ? text.length : close + 2;
      if (text.slice(start, i).trim() === '') start = stop;
      i = stop;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\') j++;
        else if (text[j] === '\n' && c !== '`') break;
        j++;
      }
      i = j + 1;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth = Math.max(0, depth - 1);
      // `function f() { … }` ends at its closing brace.
      if (c === '}' && depth === 0 && !/=\s*$|\(\s*$/.test(text.slice(start, i))) {
        LINE_END.lastIndex = i + 1;
        if (LINE_END.test(text)) {
          push(i + 1);
          start = i + 1;
        }
      }
    } else if (depth === 0 && c === ';') {
      push(i);
      start = i + 1;
    } else if (depth === 0 && c === '\n') {
      const before = text.slice(start, i).replace(/\/\/.*$/, '').trimEnd();
      // Sticky regexes look ahead without copying the rest of the text (that made long documents quadratic).
      NEXT_CHAR.lastIndex = i + 1;
      const next = NEXT_CHAR.exec(text);
      const continues = /[=+\-*/%^(,&|?:<>!.]$/.test(before) || (next !== null && /[.+*/%^?:)\]]/.test(next[1]));
      if (!continues) {
        push(i);
        start = i + 1;
      }
    }
    i++;
  }
  push(text.length);
  return out;
}

const TS_ASSIGN = /^(?:export\s+)?(?:(?:const|let|var)\s+)?([A-Za-z_$][\w$]*)\s*(?::\s*[A-Za-z_$][\w$<>[\]\s|]*?)?\s*=(?![=>])\s*([\s\S]+?)\s*;?$/d;
const MATH_ASSIGN = /^([\p{L}_][\p{L}\p{N}_]*)\s*(?::\s*[A-Za-z_][\w.[\]]*\s*)?=(?!=)\s*([\s\S]+?)\s*;?$/du;

/** An assignment statement (`const x = …`, `x = …`), with offsets into the document. */
export function parseAssignment(stmt: Statement, lang: TextLang, lines: LineIndex): Assignment | undefined {
  const m = (lang === 'ts' ? TS_ASSIGN : MATH_ASSIGN).exec(stmt.text);
  if (!m || !m.indices) return undefined;
  const rhs = m[2].replace(/;\s*$/, '').trim();
  if (!rhs) return undefined;
  const text = stmt.text.replace(/;\s*$/, '').trimEnd();
  const a: Assignment = {
    name: m[1], rhs, rhsStart: stmt.start + (m.indices[2]?.[0] ?? 0), text,
    start: stmt.start, end: stmt.start + text.length, line: lines.lineAt(stmt.start), lang,
  };
  const v = literalValue(rhs);
  if (v !== undefined) a.literal = v;
  return a;
}

/** Offsets of the commas at bracket depth 0 outside strings. */
function topLevelCommas(text: string): number[] {
  const out: number[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      i = j;
    } else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ',' && depth === 0) out.push(i);
  }
  return out;
}

/**
 * The assignments of one statement: usually one, several for `const a = 1, b = 2` (each declarator on its
 * own, with the keyword as `prefix`).
 */
export function parseAssignments(stmt: Statement, lang: TextLang, lines: LineIndex): Assignment[] {
  const decl = lang === 'ts' ? /^(?:export\s+)?(const|let|var)\s+/.exec(stmt.text) : null;
  const body = stmt.text.replace(/;\s*$/, '');
  const commas = decl ? topLevelCommas(body) : [];
  if (!decl || commas.length === 0) {
    const a = parseAssignment(stmt, lang, lines);
    return a ? [a] : [];
  }
  const out: Assignment[] = [];
  const cuts = [decl[0].length, ...commas.map((c) => c + 1), body.length + 1];
  for (let k = 0; k + 1 < cuts.length; k++) {
    const raw = body.slice(cuts[k], cuts[k + 1] - 1);
    const lead = raw.length - raw.trimStart().length;
    const piece = raw.trim();
    if (!piece) continue;
    const a = parseAssignment({ text: piece, start: stmt.start + cuts[k] + lead, end: stmt.start + cuts[k] + lead + piece.length }, 'math', lines);
    if (a) out.push({ ...a, lang: 'ts', prefix: `${decl[1]} ` });
  }
  return out;
}

/** Statements of math or Python text: one per line, also split at `;` (mathjs allows both). */
export function splitLines(text: string, base = 0): Statement[] {
  const out: Statement[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    let pos = 0;
    for (const part of line.split(';')) {
      const code = part.replace(/#.*$/, '');
      const lead = code.length - code.trimStart().length;
      const body = code.trim();
      if (body) out.push({ text: body, start: base + offset + pos + lead, end: base + offset + pos + lead + body.length });
      pos += part.length + 1;
    }
    offset += line.length + 1;
  }
  return out;
}

export function statementsOf(text: string, lang: TextLang, base = 0): Statement[] {
  return lang === 'ts' ? splitStatements(text, base) : splitLines(text, base);
}

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})\s*([\w+-]*)/;

export function fenceLang(info: string): TextLang | undefined {
  const s = info.toLowerCase();
  if (s === 'math' || s === 'latex' || s === 'tex' || s === 'mathjs') return 'math';
  if (s === 'ts' || s === 'typescript' || s === 'js' || s === 'javascript' || s === 'tsx' || s === 'jsx') return 'ts';
  if (s === 'python' || s === 'py' || s === 'python3') return 'python';
  return undefined;
}

/** Math and code blocks of a markdown text, in document order. */
export function scanMarkdown(text: string): Block[] {
  const lines = new LineIndex(text);
  const blocks: Block[] = [];
  let l = 0;
  while (l < lines.count) {
    const { start, end } = lines.range(l);
    const line = text.slice(start, end);
    const fence = FENCE_OPEN.exec(line);
    if (fence) {
      const marker = fence[1];
      let close = l + 1;
      while (close < lines.count) {
        const t = lines.lineText(close).trim();
        if (t.startsWith(marker[0].repeat(marker.length)) && /^[`~]+$/.test(t)) break;
        close++;
      }
      const contentStart = l + 1 < lines.count ? lines.starts[l + 1] : text.length;
      const contentEnd = close < lines.count ? Math.max(contentStart, lines.starts[close] - 1) : text.length;
      const outerEnd = close < lines.count ? lines.range(close).end : text.length;
      blocks.push({ kind: 'fence', lang: fenceLang(fence[2]), start: contentStart, end: trimEnd(text, contentStart, contentEnd), outerStart: start, outerEnd, line: l });
      l = close + 1;
      continue;
    }
    const trimmed = line.trimStart();
    if (trimmed.startsWith('$$')) {
      const open = start + (line.length - trimmed.length);
      const sameLine = trimmed.indexOf('$$', 2);
      if (sameLine >= 0) {
        const cs = open + 2;
        const ce = open + sameLine;
        blocks.push({ kind: 'display', lang: 'math', ...trimmed2(text, cs, ce), outerStart: open, outerEnd: ce + 2, line: l });
        l++;
        continue;
      }
      let close = l + 1;
      while (close < lines.count && !lines.lineText(close).includes('$$')) close++;
      const cs = open + 2;
      const ce = close < lines.count ? lines.starts[close] + lines.lineText(close).indexOf('$$') : text.length;
      blocks.push({ kind: 'display', lang: 'math', ...trimmed2(text, cs, ce), outerStart: open, outerEnd: Math.min(text.length, ce + 2), line: l });
      l = close + 1;
      continue;
    }
    // Inline math `$…$` (not `\$`, not `$$`, no space just inside) and inline code `…`.
    const inline = /(?<![\\$\w])\$(?![\s$])([^$\n]+?)(?<!\s)\$(?![\w$])|`([^`\n]+)`/g;
    for (let m = inline.exec(line); m; m = inline.exec(line)) {
      const isMath = m[1] !== undefined;
      const cs = start + m.index + 1;
      const ce = cs + (isMath ? m[1] : m[2]).length;
      blocks.push({ kind: isMath ? 'inline' : 'code', lang: isMath ? 'math' : undefined, start: cs, end: ce, outerStart: cs - 1, outerEnd: ce + 1, line: l });
    }
    l++;
  }
  return blocks;
}

function trimEnd(text: string, start: number, end: number): number {
  while (end > start && /\s/.test(text[end - 1])) end--;
  return end;
}

function trimmed2(text: string, start: number, end: number): { start: number; end: number } {
  while (start < end && /\s/.test(text[start])) start++;
  return { start, end: trimEnd(text, start, end) };
}

/** What kind of text a VS Code language id holds. */
export function docKind(languageId: string): 'markdown' | 'ts' | 'python' | 'other' {
  if (languageId === 'markdown') return 'markdown';
  if (/^(typescript|javascript|typescriptreact|javascriptreact)$/.test(languageId)) return 'ts';
  if (languageId === 'python') return 'python';
  return 'other';
}

/** Every assignment in a document, in order: top-level statements of code, lines inside markdown math/code. */
export function documentAssignments(text: string, languageId: string): Assignment[] {
  const kind = docKind(languageId);
  const lines = new LineIndex(text);
  const out: Assignment[] = [];
  const take = (lang: TextLang, start: number, end: number) => {
    for (const s of statementsOf(text.slice(start, end), lang, start)) out.push(...parseAssignments(s, lang, lines));
  };
  if (kind === 'markdown') {
    for (const b of scanMarkdown(text)) {
      // Inline code `x = 2` gives values, read as math.
      const lang = b.lang ?? (b.kind === 'code' ? 'math' : undefined);
      if (lang) take(lang, b.start, b.end);
    }
  } else if (kind === 'ts') take('ts', 0, text.length);
  else take(kind === 'python' ? 'python' : 'math', 0, text.length);
  return out;
}

/** A piece of the document to trace. */
export interface Target {
  start: number;
  end: number;
  /** Undefined: let the engine detect it. */
  lang?: TextLang;
  /** What was picked, for messages: 'block' (a fence or $…$), 'statement', 'line'. */
  what: 'block' | 'statement' | 'line' | 'selection';
}

/** The expression or statement at the cursor, when there is one (otherwise the caller asks). */
export function expressionAt(text: string, offset: number, languageId: string): Target | undefined {
  const kind = docKind(languageId);
  if (kind === 'markdown') {
    const b = scanMarkdown(text).find((x) => x.kind !== 'code' && offset >= x.outerStart && offset <= x.outerEnd);
    if (!b || b.end <= b.start) return undefined;
    return { start: b.start, end: b.end, lang: b.lang, what: 'block' };
  }
  if (kind === 'ts') {
    const stmts = splitStatements(text);
    const s = stmts.find((x) => offset >= x.start && offset <= x.end)
      ?? nearestOnLine(stmts, new LineIndex(text), offset);
    if (!s) return undefined;
    const r = stripReturn(s);
    return { ...r, lang: 'ts', what: 'statement' };
  }
  const lines = new LineIndex(text);
  const r = lines.range(lines.lineAt(offset));
  const line = text.slice(r.start, r.end);
  if (!line.trim()) return undefined;
  const lead = line.length - line.trimStart().length;
  return { start: r.start + lead, end: r.start + line.trimEnd().length, lang: kind === 'python' ? 'python' : undefined, what: 'line' };
}

function nearestOnLine(stmts: Statement[], lines: LineIndex, offset: number): Statement | undefined {
  const line = lines.lineAt(offset);
  return stmts.find((s) => lines.lineAt(s.start) === line);
}

function stripReturn(s: Statement): { start: number; end: number } {
  const m = /^return\s+/.exec(s.text);
  return m ? { start: s.start + m[0].length, end: s.end } : { start: s.start, end: s.end };
}

/** Code blocks and top-level arithmetic assignments that deserve a lens, in document order. */
export interface LensSpot {
  /** 0-based line for the lens. */
  line: number;
  start: number;
  end: number;
  lang?: TextLang;
  label: string;
}

export function lensSpots(text: string, languageId: string): LensSpot[] {
  const kind = docKind(languageId);
  const lines = new LineIndex(text);
  const out: LensSpot[] = [];
  if (kind === 'markdown') {
    for (const b of scanMarkdown(text)) {
      if (b.end <= b.start || onlyLiterals(text.slice(b.start, b.end), b.lang)) continue;
      if (b.kind === 'fence' && b.lang) out.push({ line: b.line, start: b.start, end: b.end, lang: b.lang, label: `${b.lang === 'ts' ? 'TypeScript' : b.lang === 'python' ? 'Python' : 'math'} block` });
      else if (b.kind === 'display') out.push({ line: b.line, start: b.start, end: b.end, lang: 'math', label: '$$ block' });
    }
    return out;
  }
  {
    const lang: TextLang = kind === 'ts' ? 'ts' : kind === 'python' ? 'python' : 'math';
    for (const s of statementsOf(text, lang)) {
      const as = parseAssignments(s, lang, lines);
      // One lens per statement: `const a = x * 2, b = a + 1` is traced whole.
      const arithmetic = as.filter((a) => isArithmetic(a.rhs));
      if (arithmetic.length) out.push({ line: lines.lineAt(s.start), start: s.start, end: s.text.endsWith(';') ? s.end - 1 : s.end, lang, label: arithmetic.map((a) => a.name).join(', ') });
    }
  }
  return out;
}

/** A block that only declares values (`const x = 1; const w = 2`) draws nothing worth a lens. */
function onlyLiterals(body: string, lang: TextLang | undefined): boolean {
  if (!lang) return false;
  const lines = new LineIndex(body);
  const stmts = statementsOf(body, lang);
  return stmts.length > 0 && stmts.every((s) => {
    const as = parseAssignments(s, lang, lines);
    return (as.length > 0 && as.every((a) => a.literal !== undefined)) || /^import\s/.test(s.text);
  });
}
