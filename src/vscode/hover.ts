/**
 * Derivative hovers: on a variable inside an expression, ∂(expression)/∂(variable) symbolically (mathjs,
 * without simplify) and numerically at the values known from the document; on a math function call, its
 * local derivative rule. Only the statement under the cursor is parsed. Never throws; nothing is run.
 */
import * as vscode from 'vscode';
import type { Lang } from '../core/ir';
import { loadEngine } from '../node/lazy';
import { readSettings } from './settings';
import { compose, describeAssignment, type ValueSource } from './text/compose';
import { functionOp, hoverContext, wordAt } from './text/hover-text';
import { latexToMath } from './text/latex';
import { documentAssignments, expressionAt, isArithmetic, type TextLang } from './text/scan';
import { isLessonFile } from './codelens';
import { rememberedValues, type TraceDeps } from './tracer';

const SIMPLIFY_MAX_CHARS = 120;

function showLink(args: unknown): string {
  return `command:backpropGraph.show?${encodeURIComponent(JSON.stringify([args]))}`;
}

function markdown(lines: string[]): vscode.MarkdownString {
  const md = new vscode.MarkdownString(lines.join('\n\n'));
  md.isTrusted = { enabledCommands: ['backpropGraph.show'] };
  md.supportHtml = false;
  return md;
}

/** Inline code that cannot break out of its backticks. */
function code(text: string): string {
  const t = text.replace(/\s+/g, ' ');
  const fence = t.includes('`') ? '``' : '`';
  return `${fence}${t}${fence}`;
}

export class DerivativeHoverProvider implements vscode.HoverProvider {
  constructor(private readonly deps: TraceDeps) {}

  provideHover(doc: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): vscode.Hover | undefined {
    try {
      if (!readSettings(doc.uri).hoverEnabled) return undefined;
      return this.hover(doc, position, token);
    } catch (e) {
      this.deps.log.warn('hover failed', e instanceof Error ? e.message : String(e));
      return undefined;
    }
  }

  private hover(doc: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): vscode.Hover | undefined {
    const text = doc.getText();
    const offset = doc.offsetAt(position);
    const word = wordAt(text, offset);
    if (!word) return undefined;
    const ctx = hoverContext(text, offset, doc.languageId);
    if (!ctx || offset < ctx.stmtStart || offset > ctx.stmtEnd) return undefined;
    const range = new vscode.Range(doc.positionAt(word.start), doc.positionAt(word.end));
    const target = expressionAt(text, offset, doc.languageId) ?? { start: ctx.stmtStart, end: ctx.stmtEnd, lang: ctx.lang };
    const link = `[Show Backprop Graph](${showLink({ uri: doc.uri.toString(), start: target.start, end: target.end, lang: target.lang })})`;

    if (word.call) {
      const op = functionOp(word);
      if (op) {
        const spec = loadEngine().opSpec(op);
        const name = word.qualifier ? `${word.qualifier}.${word.word}` : word.word;
        return new vscode.Hover(markdown([`**${name}** — local derivative: ${code(spec.rule)}`, link]), range);
      }
      // Calls that are not math (require, process.exit, console.log…) are never traced, let alone run.
      if (doc.languageId === 'markdown' || isLessonFile(doc, readSettings(doc.uri).lessonFiles)) {
        const name = word.qualifier ? `${word.qualifier}.${word.word}` : word.word;
        return new vscode.Hover(markdown([`Backprop Graph: ${code(`${name}(…)`)} is not a math function it can trace. It reads code as text and never runs it; this statement would be refused.`]), range);
      }
      return undefined;
    }
    if (word.qualifier) return undefined;

    const raw = text.slice(ctx.exprStart, ctx.exprEnd);
    // In ordinary code (not a lesson), stay quiet unless the statement looks like arithmetic: no engine load,
    // no "cannot trace" hovers on every `foo.bar(baz)`.
    const lesson = doc.languageId === 'markdown' || isLessonFile(doc, readSettings(doc.uri).lessonFiles);
    if (!lesson && !isArithmetic(raw)) return undefined;
    const engine = loadEngine();
    const lang = (ctx.lang ?? engine.detectLang(raw)) as Lang;
    const exprText = lang === 'math' ? latexToMath(raw) : raw;
    if (word.word === ctx.assigned && offset < ctx.exprStart) return undefined;
    const parsed = engine.parseProgram(exprText, lang);
    if (token.isCancellationRequested) return undefined;
    if (!parsed.ok) {
      if (!lesson) return undefined;
      const e = parsed.error;
      const where = e.span ? doc.positionAt(ctx.exprStart + e.span.start) : undefined;
      return new vscode.Hover(markdown([`Backprop Graph cannot trace this statement${where ? ` (${where.line + 1}:${where.character + 1})` : ''}: ${code(e.message)}. Nothing was run.`]), range);
    }
    const program = parsed.value;
    if (program.lang !== lang) return undefined;
    const free = [...program.params.map((p) => p.name), ...engine.freeVariables(program).map((v) => v.name)];
    if (!free.includes(word.word)) return undefined;

    // simplify is super-linear (seconds on long sums): only for short statements, where it takes milliseconds.
    const sym = engine.symbolicDerivative(program, word.word, { simplify: exprText.length <= SIMPLIFY_MAX_CHARS });
    if (token.isCancellationRequested) return undefined;
    const of = ctx.assigned ?? 'expression';
    const lines: string[] = [];
    const head = ctx.assigned ? `**∂${of}/∂${word.word}**` : `**∂/∂${word.word}** ${code(raw.length > 80 ? `${raw.slice(0, 79)}…` : raw)}`;
    lines.push(sym.derivative !== undefined
      ? `${head} = ${code(sym.derivative)}`
      : `${head}: ${sym.unavailable ?? 'no symbolic form'}`);

    // Numeric value at the known values (earlier literals, statements this one depends on, remembered values).
    const assignments = documentAssignments(text, doc.languageId);
    const composed = compose(text, { start: ctx.exprStart, end: ctx.exprEnd }, lang as TextLang, assignments, free);
    const values: Record<string, number> = {};
    const used: string[] = [];
    const remembered = rememberedValues(this.deps.state);
    const reparsed = composed.included.length ? engine.parseProgram(composed.text, lang) : parsed;
    const needed = reparsed.ok ? [...reparsed.value.params.map((p) => p.name), ...engine.freeVariables(reparsed.value).map((v) => v.name)] : free;
    const missing: string[] = [];
    for (const name of needed) {
      const v: ValueSource | undefined = composed.values[name] ?? (name in remembered ? { value: remembered[name], source: 'remembered' } : undefined);
      if (v) {
        values[name] = v.value;
        used.push(`${name} = ${v.value} (${v.source})`);
      } else missing.push(name);
    }
    if (missing.length) {
      lines.push(`No value known for ${missing.map(code).join(', ')} — add e.g. ${code(`const ${missing[0]} = 1`)} above, or run Show Backprop Graph to enter it.`);
    } else if (reparsed.ok) {
      const r = engine.analyze(composed.text, { lang, values, gradCheck: false, symbolic: false });
      if (token.isCancellationRequested) return undefined;
      if (r.ok) {
        const a = r.value;
        const node = a.graph.inputs.find((i) => i.name === word.word) ?? a.graph.nodes.find((n) => n.name === word.word);
        const digits = readSettings(doc.uri).digits;
        // With earlier statements composed in, the number is the total derivative (also through them).
        const through = composed.included.filter((s) => s.rhs.includes(word.word)).map((s) => s.name);
        const total = through.length ? ` (total: also through ${through.join(', ')})` : '';
        if (node) lines.push(`= **${engine.formatNumber(node.grad, digits)}**${total} at ${used.join(', ')}; ${of} = ${engine.formatNumber(a.value, digits)}`);
      } else {
        lines.push(`Not evaluated: ${code(r.error.message)}`);
      }
    }
    if (composed.included.length) lines.push(`Uses ${composed.included.map((a) => code(describeAssignment(a))).join(', ')}.`);
    lines.push(link);
    return new vscode.Hover(markdown(lines), range);
  }
}
