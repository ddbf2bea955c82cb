/**
 * From a piece of a document to a GraphPayload: compose the program (earlier statements it depends on),
 * find every free variable's value and say where it came from, run the engine (loaded lazily), and map any
 * error back into the document. Never throws: failures are values.
 */
import * as vscode from 'vscode';
import type { Analysis } from '../engine/analyze';
import type { BackpropError } from '../engine/base/errors';
import type { Lang, Program } from '../engine/ast/ir';
import type { Span } from '../engine/base/span';
import { loadEngine, parserLoading, whenParserLoaded } from '../host/lazy';
import { buildPayload, shortTitle } from '../host/payload';
import type { GraphPayload } from '../protocol';
import { compose, describeAssignment, literalSources, parseValueList, toDocOffset, valueListTemplate, type Segment, type ValueSource } from './text/compose';
import { latexToMath } from './text/latex';
import { docKind, documentAssignments, type TextLang } from './text/scan';
import { earlierCellValues, knownValues } from './text/values';
import { readSettings } from './settings';

export interface TraceTarget {
  uri: vscode.Uri;
  /** Document offsets of the traced text. */
  start: number;
  end: number;
  /** Given by the caller (argument, markdown fence); otherwise from the document or detected. */
  lang?: TextLang;
}

export interface TraceOptions {
  /** May ask for missing values with an input box. */
  interactive: boolean;
  pinned?: boolean;
  version?: number;
}

export type TraceOutcome =
  | { ok: true; payload: GraphPayload; segments: Segment[]; analysis: Analysis; lang: Lang }
  | { ok: false; message: string; where?: string; docRange?: { start: number; end: number }; cancelled?: boolean };

const REMEMBERED_KEY = 'backpropGraph.rememberedValues';

export interface TraceDeps {
  log: vscode.LogOutputChannel;
  state: vscode.Memento;
}

export function rememberedValues(state: vscode.Memento): Record<string, number> {
  const v = state.get<Record<string, number>>(REMEMBERED_KEY, {});
  return v && typeof v === 'object' ? v : {};
}

async function remember(state: vscode.Memento, values: Record<string, number>): Promise<void> {
  await state.update(REMEMBERED_KEY, { ...rememberedValues(state), ...values });
}

/** The language to trace `text` of document `doc` as. */
export function traceLang(doc: vscode.TextDocument, given: TextLang | undefined, text: string): TextLang {
  if (given) return given;
  const kind = docKind(doc.languageId);
  if (kind === 'ts') return 'ts';
  if (kind === 'python') return 'python';
  return loadEngine().detectLang(text) as TextLang;
}

/**
 * Literal values from the cells above when the document is a notebook cell ("x = 2.0" in cell 1): the one
 * lookup the panel, the hover and the notebook CodeLens use (text/values.ts's earlierCellValues).
 */
export function notebookValues(doc: vscode.TextDocument): Record<string, ValueSource> {
  if (doc.uri.scheme !== 'vscode-notebook-cell') return Object.create(null);
  const key = doc.uri.toString();
  for (const notebook of vscode.workspace.notebookDocuments) {
    const cells = notebook.getCells();
    const index = cells.findIndex((cell) => cell.document === doc || cell.document.uri.toString() === key);
    if (index >= 0) return earlierCellValues(cells.map((cell) => ({ text: cell.document.getText(), languageId: cell.document.languageId })), index);
  }
  return Object.create(null);
}

/** True when `changed` is a cell above the notebook cell `cellUri`: an edit there can change the values it uses. */
export function isEarlierCell(changed: vscode.TextDocument, cellUri: string): boolean {
  if (changed.uri.scheme !== 'vscode-notebook-cell') return false;
  for (const notebook of vscode.workspace.notebookDocuments) {
    const uris = notebook.getCells().map((cell) => cell.document.uri.toString());
    const target = uris.indexOf(cellUri);
    if (target < 0) continue;
    const at = uris.indexOf(changed.uri.toString());
    return at >= 0 && at < target;
  }
  return false;
}

function errorOutcome(doc: vscode.TextDocument, error: BackpropError, segments: Segment[] | undefined, base: number): TraceOutcome {
  if (!error.span) return { ok: false, message: error.message };
  const range = spanToDoc(error.span, segments, base);
  const pos = doc.positionAt(range.start);
  return { ok: false, message: error.message, where: `${pos.line + 1}:${pos.character + 1}`, docRange: range };
}

export function spanToDoc(span: Pick<Span, 'start' | 'end'>, segments: Segment[] | undefined, base: number): { start: number; end: number } {
  if (!segments) return { start: span.start + base, end: span.end + base };
  return { start: toDocOffset(segments, span.start), end: toDocOffset(segments, span.end) };
}

/**
 * Traces `target`. With `interactive`, missing values are asked for once (prefilled `x=1, w=1`); otherwise
 * they are an error that says how to give them.
 */
export function traceTarget(target: TraceTarget, options: TraceOptions, deps: TraceDeps): Promise<TraceOutcome> {
  // In a browser the first TypeScript that needs the compiler waits for its bundle, then traces again.
  return whenParserLoaded(() => traceOnce(target, options, deps));
}

async function traceOnce(target: TraceTarget, options: TraceOptions, deps: TraceDeps): Promise<TraceOutcome> {
  try {
    const doc = await vscode.workspace.openTextDocument(target.uri);
    const text = doc.getText();
    const start = Math.max(0, Math.min(target.start, text.length));
    const end = Math.max(start, Math.min(target.end, text.length));
    const targetText = text.slice(start, end);
    if (!targetText.trim()) return { ok: false, message: 'nothing to trace: the selection is empty' };
    const lang = traceLang(doc, target.lang, targetText);
    const started = Date.now();
    const engine = loadEngine();
    const loadedMs = Date.now() - started;

    // The target alone first: its free variables decide which earlier statements are needed.
    const alone = engine.parseProgram(lang === 'math' ? latexToMath(targetText) : targetText, lang as Lang);
    if (!alone.ok) return errorOutcome(doc, alone.error, undefined, start);
    if (alone.value.lang !== lang) {
      return { ok: false, message: `${lang === 'python' ? 'Python' : lang} is not traced by this version: select a math expression (e.g. sin(x^2 + 1)) or TypeScript` };
    }
    const needed = (p: Program) => [...p.params.map((x) => x.name), ...engine.freeVariables(p).map((x) => x.name)];
    const assignments = documentAssignments(text, doc.languageId, (t) => engine.detectLang(t) as TextLang);
    const composed = compose(text, { start, end }, lang, assignments, needed(alone.value));
    const parsed = composed.included.length ? engine.parseProgram(composed.text, lang as Lang) : alone;
    if (!parsed.ok) return errorOutcome(doc, parsed.error, composed.segments, start);

    // Keyed by names from the document: no prototype, so `constructor` finds nothing.
    const sources: Record<string, string> = Object.assign(Object.create(null), literalSources(assignments, { start, end }));
    const remembered = rememberedValues(deps.state);
    // The same values the hover shows (text/values.ts): the document, earlier notebook cells, remembered ones.
    const known = knownValues(needed(parsed.value), composed.values, notebookValues(doc), remembered);
    const { values, missing } = known;
    Object.assign(sources, known.sources);
    // sympy's symbols need no values: without them the engine draws the graph in formulas.
    const symbolic = parsed.value.symbolic === true;
    if (missing.length && !(symbolic && !options.interactive)) {
      if (!options.interactive) {
        return { ok: false, message: `no value for ${missing.join(', ')}: run "Show Backprop Graph" to enter ${missing.length === 1 ? 'it' : 'them'}, or add e.g. \`${lang === 'python' ? `${missing[0]} = 1.0` : `const ${missing[0]} = 1`}\` above` };
      }
      const entered = await askValues(missing, remembered, symbolic);
      if (!entered) return { ok: false, cancelled: true, message: 'cancelled: no values given' };
      for (const [name, v] of Object.entries(entered)) {
        values[name] = v;
        sources[name] = 'input box';
      }
      await remember(deps.state, entered);
    }

    const settings = readSettings(doc.uri);
    const result = engine.analyze(composed.text, {
      lang: lang as Lang, values, gradCheck: true, symbolic: true,
      budgets: { maxSteps: settings.maxSteps, maxCallDepth: settings.maxCallDepth },
    });
    if (!result.ok) return errorOutcome(doc, result.error, composed.segments, start);
    const analysis = result.value;
    const title = shortTitle(targetText);
    const payload = buildPayload(engine, analysis, {
      title, digits: settings.digits, direction: settings.direction, pinned: options.pinned, version: options.version, sources,
      constants: settings.constants, constantGrads: settings.constantGrads, edgeLabels: settings.edgeLabels,
      collapseGroupsOver: settings.collapseGroupsOver,
    });
    // Matrix entries (`W1[0,1]`) and inputs declared by included statements: name the line they come from.
    const declared = new Map([...assignments.filter((a) => a.start >= start && a.end <= end), ...composed.included].map((a) => [a.name, describeAssignment(a)]));
    for (const input of payload.inputs) {
      if (sources[input.name]) continue;
      const base = /^([^[\]]+)\[/.exec(input.name)?.[1] ?? input.name;
      const where = declared.get(base);
      if (where) input.source = where;
    }
    // Above maxNodes the webview summarizes the graph itself (collapsible, from payload.graph).
    payload.maxNodes = settings.maxNodes;
    const withEarlier = composed.included.length ? ` with earlier statement(s) ${composed.included.map((a) => a.name).join(', ')}` : '';
    deps.log.info(`traced ${title} (${lang}, ${analysis.graph.nodes.length} nodes)${withEarlier} in ${Date.now() - started} ms${loadedMs > 50 ? ` (engine load ${loadedMs} ms)` : ''}`);
    return { ok: true, payload, segments: composed.segments, analysis, lang: lang as Lang };
  } catch (e) {
    if (parserLoading(e)) throw e;
    deps.log.error('trace failed unexpectedly', e instanceof Error ? (e.stack ?? e.message) : String(e));
    return { ok: false, message: `internal error: ${e instanceof Error ? e.message : String(e)} (details in the "Backprop Graph" output)` };
  }
}

/**
 * One input box for all missing names, prefilled `x=1, w=1`. Undefined when cancelled. For sympy symbols
 * (`symbolic`) it starts empty, and an empty answer means no values: the graph in formulas.
 */
export async function askValues(names: readonly string[], known: Readonly<Record<string, number>>, symbolic = false): Promise<Record<string, number> | undefined> {
  const answer = await vscode.window.showInputBox({
    title: 'Backprop Graph: values of the inputs',
    prompt: symbolic
      ? `No value found in the document for the symbol${names.length === 1 ? '' : 's'} ${names.join(', ')}. Give each as name=number, or leave this empty to see the graph in formulas.`
      : `No value found in the document for ${names.join(', ')}. Give each as name=number.`,
    value: symbolic ? '' : valueListTemplate(names, known),
    ignoreFocusOut: true,
    validateInput: (text) => {
      if (symbolic && !text.trim()) return undefined;
      const r = parseValueList(text);
      if ('error' in r) return r.error;
      const absent = names.filter((n) => !(n in r.values));
      return absent.length ? `missing: ${absent.join(', ')}` : undefined;
    },
  });
  if (answer === undefined) return undefined;
  if (symbolic && !answer.trim()) return {};
  const r = parseValueList(answer);
  return 'error' in r ? undefined : r.values;
}
