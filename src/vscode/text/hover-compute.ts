/**
 * Everything a derivative hover computes, without vscode: word → statement → parse → symbolic derivative →
 * the statement composed with the earlier ones it depends on → numbers → the markdown lines shown.
 * DerivativeHoverProvider wraps the result in vscode objects; bench/hover.ts times exactly this function.
 * Never runs user text; never throws for bad input (errors become lines).
 */
import type * as Engine from '../../host/engine';
import type { Lang } from '../../engine/ast/ir';
import { compose, describeAssignment, type Composed, type ValueSource } from './compose';
import { functionOp, hoverContext, wordAt } from './hover-text';
import { latexToMath } from './latex';
import { LineIndex } from '../../engine/base/span';
import { documentAssignments, expressionAt, identifiers, isArithmetic, type TextLang } from './scan';
import { knownValues } from './values';

export type HoverEngine = typeof Engine;

export interface HoverRequest {
  text: string;
  offset: number;
  languageId: string;
  /** The document's URI, for the "Show Backprop Graph" command link. */
  uri: string;
  /** Lesson files (and markdown) get hovers on any statement and explain refusals; asked only when needed. */
  isLesson: () => boolean;
  /** Values the user entered earlier (the input box), used when the document has none. */
  remembered?: Readonly<Record<string, number>>;
  /** Literal values from earlier notebook cells (tracer.ts's notebookValues, as the panel uses); asked only when needed. */
  notebookValues?: () => Readonly<Record<string, ValueSource>>;
  /** Significant digits of the numbers shown. */
  digits: number;
  /** The engine, loaded on first use (plain code with no arithmetic under the cursor never loads it). */
  engine: () => HoverEngine;
  /** Checked between the expensive steps; true → the hover is dropped (undefined). */
  cancelled?: () => boolean;
}

export interface HoverShown {
  /** Document offsets of the hovered word. */
  start: number;
  end: number;
  /** Markdown paragraphs, in order (the last one is the command link when there is one). */
  lines: string[];
  /** ∂/∂word at the known values, when the hover shows that number. */
  gradient?: number;
}

function showLink(args: unknown): string {
  return `command:backpropGraph.show?${encodeURIComponent(JSON.stringify([args]))}`;
}

/** Inline code that cannot break out of its backticks. */
export function code(text: string): string {
  const t = text.replace(/\s+/g, ' ');
  const fence = t.includes('`') ? '``' : '`';
  return `${fence}${t}${fence}`;
}

const ok = <T>(value: T) => ({ ok: true as const, value });

/** The hovered statement's own program, cut from the composed one: what comes after the earlier statements. */
function statementOf(whole: Engine.Program, composed: Composed): Engine.Program {
  const from = composed.segments[composed.segments.length - 1].from;
  return { ...whole, params: whole.params.filter((p) => p.span.start >= from), body: whole.body.filter((s) => s.span.start >= from) };
}

/** ∂output/∂name from a trace, as the graph model reports it: an input's gradient, else a named node's. */
function gradientOf(engine: HoverEngine, t: Engine.Trace, name: string): number | undefined {
  const input = t.inputs.find((i) => i.name === name);
  if (input) return input.index <= t.output ? t.tape.grad[input.index] : 0;
  return engine.buildGraph(t).nodes.find((n) => n.name === name)?.grad;
}

function namesOf(engine: HoverEngine, program: Engine.Program): string[] {
  return [...program.params.map((p) => p.name), ...engine.freeVariables(program).map((v) => v.name)];
}

export function computeHover(req: HoverRequest): HoverShown | undefined {
  const { text, offset, languageId } = req;
  const cancelled = req.cancelled ?? (() => false);
  const word = wordAt(text, offset);
  if (!word) return undefined;
  const ctx = hoverContext(text, offset, languageId);
  if (!ctx || offset < ctx.stmtStart || offset > ctx.stmtEnd) return undefined;
  const shown = (lines: string[], gradient?: number): HoverShown => ({ start: word.start, end: word.end, lines, gradient });
  const target = expressionAt(text, offset, languageId) ?? { start: ctx.stmtStart, end: ctx.stmtEnd, lang: ctx.lang };
  const link = `[Show Backprop Graph](${showLink({ uri: req.uri, start: target.start, end: target.end, lang: target.lang })})`;
  const lesson = () => languageId === 'markdown' || req.isLesson();

  if (word.call) {
    // sympy's Function('g'): an undefined function, whose derivative is a symbol of its own.
    const op = functionOp(word) ?? (word.word === 'Function' && ctx.lang === 'python' ? 'fn' : undefined);
    const name = word.qualifier ? `${word.qualifier}.${word.word}` : word.word;
    if (op) return shown([`**${name}** — local derivative: ${code(req.engine().opSpec(op).rule)}`, link]);
    // Calls that are not math (require, process.exit, console.log…) are never traced, let alone run.
    if (lesson()) return shown([`Backprop Graph: ${code(`${name}(…)`)} is not a math function it can trace. It reads code as text and never runs it; this statement would be refused.`]);
    return undefined;
  }
  if (word.qualifier) return undefined;

  const raw = text.slice(ctx.exprStart, ctx.exprEnd);
  // In ordinary code (not a lesson), stay quiet unless the statement looks like arithmetic: no engine load,
  // no "cannot trace" hovers on every `foo.bar(baz)`.
  const isLesson = lesson();
  if (!isLesson && !isArithmetic(raw)) return undefined;
  const engine = req.engine();
  const lang = (ctx.lang ?? engine.detectLang(raw)) as Lang;
  const exprText = lang === 'math' ? latexToMath(raw) : raw;
  if (word.word === ctx.assigned && offset < ctx.exprStart) return undefined;

  // One parse serves both the statement (its derivative) and the numbers: the statement composed with the
  // earlier ones it depends on. Which ones depends on the statement's free names; guess them from the text
  // (compose's own rule), and compose again only when the parse says otherwise.
  const assignments = documentAssignments(text, languageId);
  const stmtRange = { start: ctx.exprStart, end: ctx.exprEnd };
  const guess = identifiers(exprText);
  let composed = compose(text, stmtRange, lang as TextLang, assignments, guess);
  // The engine's parse, as the panel's: TypeScript lesson lines go to its fast reader, the rest to the compiler.
  const parse = (source: string) => engine.parseProgram(source, lang);
  let whole = parse(composed.text);
  const parsed = composed.included.length ? (whole.ok ? ok(statementOf(whole.value, composed)) : parse(exprText)) : whole;
  if (cancelled()) return undefined;
  if (!parsed.ok) {
    if (!isLesson) return undefined;
    const e = parsed.error;
    const where = e.span ? new LineIndex(text).position(ctx.exprStart + e.span.start) : undefined;
    return shown([`Backprop Graph cannot trace this statement${where ? ` (${where.line}:${where.col})` : ''}: ${code(e.message)}. Nothing was run.`]);
  }
  const program = parsed.value;
  if (program.lang !== lang) return undefined;
  const free = namesOf(engine, program);
  if (!free.includes(word.word)) return undefined;
  if (free.length !== guess.length || free.some((n, i) => n !== guess[i])) {
    const again = compose(text, stmtRange, lang as TextLang, assignments, free);
    if (again.text !== composed.text) whole = again.included.length ? parse(again.text) : parsed;
    composed = again;
  }

  // The engine's symbolic derivative (microseconds), the same text the panel and the CLI show.
  const sym = engine.symbolicDerivative(program, word.word);
  if (cancelled()) return undefined;
  const of = ctx.assigned ?? 'expression';
  // Earlier statements composed in that carry the hovered name (directly or through each other, in document
  // order), and those of them this statement uses: the formula is this line's partial derivative with them held
  // fixed, while the number is the total derivative, also through them. Saying which is which keeps a learner
  // from reading ∂L/∂w1 = 0.02·w1 beside a number that is not 0.02·w1.
  const carriers = new Set([word.word]);
  const through: string[] = [];
  for (const s of composed.included) {
    if (identifiers(s.rhs).some((n) => carriers.has(n))) {
      carriers.add(s.name);
      through.push(s.name);
    }
  }
  const held = free.filter((n) => n !== word.word && carriers.has(n));
  const lines: string[] = [];
  const head = ctx.assigned ? `**∂${of}/∂${word.word}**` : `**∂/∂${word.word}** ${code(raw.length > 80 ? `${raw.slice(0, 79)}…` : raw)}`;
  const partial = held.length ? ` (this line only, ${held.join(', ')} held fixed)` : '';
  lines.push(sym.derivative !== undefined
    ? `${head} = ${code(sym.derivative)}${partial}`
    : `${head}: ${sym.unavailable ?? 'no symbolic form'}`);

  // Numeric value at the known values: the panel's rule (text/values.ts), notebook cells included.
  const needed = whole.ok ? namesOf(engine, whole.value) : free;
  const known = knownValues(needed, composed.values, req.notebookValues?.() ?? {}, req.remembered ?? {});
  const { values, missing } = known;
  const used = [...new Set(needed)].filter((name) => name in values).map((name) => `${name} = ${values[name]} (${known.sources[name]})`);
  let gradient: number | undefined;
  if (missing.length) {
    lines.push(`No value known for ${missing.map(code).join(', ')} — add e.g. ${code(lang === 'python' ? `${missing[0]} = 1.0` : `const ${missing[0]} = 1`)} above, or run Show Backprop Graph to enter it.`);
  } else if (whole.ok) {
    const wholeProgram = whole.value;
    const r = engine.attempt(() => engine.trace(wholeProgram, values));
    if (cancelled()) return undefined;
    if (r.ok) {
      gradient = gradientOf(engine, r.value, word.word);
      const value = r.value.tape.value[r.value.output];
      // Through an undefined function (sympy's Function) there are no numbers: the formula above is the answer.
      const symbolic = wholeProgram.symbolic === true && (Number.isNaN(value) || (gradient !== undefined && Number.isNaN(gradient)));
      if (symbolic && gradient !== undefined && Number.isNaN(gradient)) gradient = undefined;
      if (gradient !== undefined) {
        const number = `**${engine.formatNumber(gradient, req.digits)}**`;
        const total = held.length ? `**d${ctx.assigned ?? ''}/d${word.word}** = ${number} in total (also through ${through.join(', ')})` : `= ${number}`;
        lines.push(`${total}${used.length ? ` at ${used.join(', ')}` : ''}${symbolic ? '' : `; ${of} = ${engine.formatNumber(value, req.digits)}`}`);
      }
    } else {
      lines.push(`Not evaluated: ${code(r.error.message)}`);
    }
  }
  if (composed.included.length) lines.push(`Uses ${composed.included.map((a) => code(describeAssignment(a))).join(', ')}.`);
  lines.push(link);
  return shown(lines, gradient);
}
