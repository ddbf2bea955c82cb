/**
 * Section `hover`: what DerivativeHoverProvider (src/vscode/hover.ts) computes for a hover on a variable,
 * without the vscode objects: find the word and its statement, parse the statement, mathjs `derivative`
 * without simplify, compose the earlier assignments it depends on, trace for the numbers.
 * Same pure helpers and engine calls, in the same order.
 */
import * as engine from '../src/node/engine';
import type { Lang } from '../src/core/ir';
import { compose } from '../src/vscode/text/compose';
import { hoverContext, wordAt } from '../src/vscode/text/hover-text';
import { latexToMath } from '../src/vscode/text/latex';
import { documentAssignments, type TextLang } from '../src/vscode/text/scan';
import { consume, median, percentile, round, type BenchRecord } from './util';

interface HoverCase { name: string; doc: string; languageId: string; word: string; line: number }

const CASES: HoverCase[] = [
  {
    name: 'ts lesson line (day05 loss, hover w1)',
    languageId: 'typescript',
    doc: 'const x = 1;\nconst w1 = 1.2;\nconst w2 = -0.8;\nconst target = 0.5;\nconst h = Math.tanh(w1 * x);\nconst y = w2 * h;\nconst L = 0.5 * (y - target) ** 2 + 0.01 * (w1 ** 2 + w2 ** 2);\n',
    word: 'w1',
    line: 6,
  },
  {
    name: 'markdown math line ((x^2+1)^3, hover x)',
    languageId: 'markdown',
    doc: '# Chain rule\n\n```math\nx = 2\ny = (x^2+1)^3\n```\n',
    word: 'x',
    line: 4,
  },
];

/** The hover's work for the word at `offset`; returns the markdown lines it would show. */
export function hoverLines(text: string, offset: number, languageId: string): string[] | undefined {
  const word = wordAt(text, offset);
  if (!word || word.call || word.qualifier) return undefined;
  const ctx = hoverContext(text, offset, languageId);
  if (!ctx || offset < ctx.stmtStart || offset > ctx.stmtEnd) return undefined;
  const raw = text.slice(ctx.exprStart, ctx.exprEnd);
  const lang = (ctx.lang ?? engine.detectLang(raw)) as Lang;
  const exprText = lang === 'math' ? latexToMath(raw) : raw;
  const parsed = engine.parseProgram(exprText, lang);
  if (!parsed.ok) return [parsed.error.message];
  const program = parsed.value;
  const free = [...program.params.map((p) => p.name), ...engine.freeVariables(program).map((v) => v.name)];
  if (!free.includes(word.word)) return undefined;
  const sym = engine.symbolicDerivative(program, word.word, { simplify: false });
  const lines = [sym.derivative ?? sym.unavailable ?? ''];
  const assignments = documentAssignments(text, languageId);
  const composed = compose(text, { start: ctx.exprStart, end: ctx.exprEnd }, lang as TextLang, assignments, free);
  const reparsed = composed.included.length ? engine.parseProgram(composed.text, lang) : parsed;
  const needed = reparsed.ok ? [...reparsed.value.params.map((p) => p.name), ...engine.freeVariables(reparsed.value).map((v) => v.name)] : free;
  const values: Record<string, number> = {};
  for (const name of needed) {
    const v = composed.values[name];
    if (!v) return [...lines, `no value for ${name}`];
    values[name] = v.value;
  }
  const r = engine.analyze(composed.text, { lang, values, gradCheck: false, symbolic: false });
  if (!r.ok) return [...lines, r.error.message];
  const node = r.value.graph.inputs.find((i) => i.name === word.word);
  lines.push(`= ${engine.formatNumber(node?.grad ?? NaN, 6)}`);
  return lines;
}

export function hoverSection(emit: (r: BenchRecord) => void): void {
  for (const c of CASES) {
    const lineStart = c.doc.split('\n').slice(0, c.line).join('\n').length + 1;
    const offset = c.doc.indexOf(c.word, c.doc.indexOf('=', lineStart) + 1) + 1;
    const shown = hoverLines(c.doc, offset, c.languageId);
    if (!shown || shown.length < 2 || !shown[1].startsWith('=')) {
      emit({ name: `hover.${c.name}`, median_ms: NaN, unavailable: `the hover computation did not produce a derivative and a number: ${JSON.stringify(shown)}` });
      continue;
    }
    // The first hover loads and warms mathjs; report it on its own, then the steady state.
    const times: number[] = [];
    for (let i = 0; i < 30; i++) hoverLines(c.doc, offset, c.languageId);
    for (let i = 0; i < 400; i++) {
      const t0 = performance.now();
      consume(hoverLines(c.doc, offset, c.languageId));
      times.push(performance.now() - t0);
    }
    const p95 = percentile(times, 95);
    emit({
      name: `hover.${c.name}`,
      median_ms: round(median(times)),
      median_us: round(median(times) * 1e3),
      p95_us: round(p95 * 1e3),
      runs: times.length,
      shows: shown.join(' | '),
      target: 'p95 ≤ 2 ms',
      met: p95 <= 2,
    });
  }
}
