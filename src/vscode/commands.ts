/**
 * The commands: Show Backprop Graph, Check Gradients, Toggle Pin, Copy Mermaid (these two act on the active
 * graph panel, or the one active last), Open Example Lesson. Arguments (from CodeLens,
 * hover links, tests) are plain data: `{ uri, start, end, lang }` or `{ uri, range, lang }`, or a language
 * string to override detection for the editor's selection.
 */
import * as vscode from 'vscode';
import { openLesson } from './open-lesson';
import { GraphPanel, type PanelDeps, type PanelSource } from './panel';
import { expressionAt, scanMarkdown, type TextLang } from './text/scan';
import type { TraceOutcome } from './tracer';

export interface ShowArgs {
  uri?: string | vscode.Uri;
  start?: number;
  end?: number;
  range?: vscode.Range | [number, number, number, number];
  lang?: TextLang;
  /** Trace this text instead of a document (opened as an untitled document, never shown). */
  text?: string;
}

const LANGS: readonly string[] = ['math', 'ts', 'python'];

function asLang(v: unknown): TextLang | undefined {
  return typeof v === 'string' && LANGS.includes(v) ? (v as TextLang) : undefined;
}

async function fromText(text: string, lang: TextLang | undefined): Promise<PanelSource> {
  const doc = await vscode.workspace.openTextDocument({ content: text, language: lang === 'ts' ? 'typescript' : 'plaintext' });
  return { uri: doc.uri.toString(), start: 0, end: text.length, lang };
}

/** What to trace, from the arguments or the active editor; undefined when the user cancelled. */
export async function resolveSource(arg: unknown): Promise<PanelSource | undefined> {
  const a: ShowArgs = typeof arg === 'string' ? { lang: asLang(arg) } : arg && typeof arg === 'object' ? (arg as ShowArgs) : {};
  const lang = asLang(a.lang);
  if (typeof a.text === 'string') return fromText(a.text, lang);
  if (a.uri) {
    const uri = typeof a.uri === 'string' ? vscode.Uri.parse(a.uri) : a.uri;
    const doc = await vscode.workspace.openTextDocument(uri);
    let start = typeof a.start === 'number' ? a.start : 0;
    let end = typeof a.end === 'number' ? a.end : doc.getText().length;
    if (a.range) {
      const r = Array.isArray(a.range) ? new vscode.Range(a.range[0], a.range[1], a.range[2], a.range[3]) : a.range;
      start = doc.offsetAt(r.start);
      end = doc.offsetAt(r.end);
    }
    return { uri: doc.uri.toString(), start, end, lang };
  }
  const editor = vscode.window.activeTextEditor;
  if (editor) {
    const doc = editor.document;
    const text = doc.getText();
    if (!editor.selection.isEmpty) {
      const start = doc.offsetAt(editor.selection.start);
      const end = doc.offsetAt(editor.selection.end);
      return { uri: doc.uri.toString(), start, end, lang: lang ?? markdownLangAt(doc, text, start) };
    }
    const t = expressionAt(text, doc.offsetAt(editor.selection.active), doc.languageId);
    if (t) return { uri: doc.uri.toString(), start: t.start, end: t.end, lang: lang ?? t.lang };
  }
  const typed = await vscode.window.showInputBox({
    title: 'Backprop Graph',
    prompt: 'Expression to trace (math like (x^2 + 1)^3, or TypeScript)',
    placeHolder: '(x^2 + 1)^3',
    ignoreFocusOut: true,
  });
  if (!typed?.trim()) return undefined;
  return fromText(typed, lang);
}

/** A selection inside a markdown block is traced in that block's language. */
function markdownLangAt(doc: vscode.TextDocument, text: string, offset: number): TextLang | undefined {
  if (doc.languageId !== 'markdown') return undefined;
  return scanMarkdown(text).find((b) => offset >= b.start && offset <= b.end)?.lang;
}

/**
 * An error is shown once, where the user looks: in the panel when it is on screen (the panel already shows
 * it), otherwise as the one Backprop Graph notification, replacing the previous one.
 */
export function reportFailure(outcome: TraceOutcome, deps: PanelDeps, panel: GraphPanel | undefined): void {
  if (outcome.ok || outcome.cancelled) return;
  const text = `${outcome.where ? `${outcome.where}: ` : ''}${outcome.message}`;
  deps.log.warn(text);
  if (panel?.visible) deps.notice.clear();
  else deps.notice.show(text);
}

/** What the show commands return (for tests and other extensions): plain data only. */
export type ShowResult =
  | { ok: true; value: number; inputs: { name: string; value: number; grad: number; source: string }[]; check?: { name: string; ok: boolean }[] }
  | { ok: false; message: string; where?: string; cancelled?: boolean };

export async function showGraph(deps: PanelDeps, arg: unknown, check: boolean): Promise<ShowResult | undefined> {
  const source = await resolveSource(arg);
  if (!source) return undefined;
  const panel = GraphPanel.forShow(deps);
  const outcome = await panel.showSource(source, true);
  if (outcome.ok) deps.notice.clear();
  reportFailure(outcome, deps, panel);
  if (check && outcome.ok) reportCheck(outcome, deps, panel);
  if (!outcome.ok) return { ok: false, message: outcome.message, where: outcome.where, cancelled: outcome.cancelled };
  const p = outcome.payload;
  return { ok: true, value: p.value, inputs: p.inputs.map((i) => ({ ...i })), check: p.check?.map((r) => ({ name: r.name, ok: r.ok })) };
}

/** The gradient check's verdict in one line. */
export function checkSummary(payload: Extract<TraceOutcome, { ok: true }>['payload']): string {
  if (payload.checkSkipped) return payload.checkSkipped;
  const rows = payload.check ?? [];
  const bad = rows.filter((r) => !r.ok);
  const worst = rows.reduce((m, r) => Math.max(m, r.error), 0);
  if (!rows.length) return 'no inputs to check.';
  if (bad.length) {
    return `${bad.length} of ${rows.length} gradients disagree with finite differences: ${bad.map((r) => `${r.name} (analytic ${r.analytic}, numeric ${r.numeric})`).join(', ')}`;
  }
  return `all ${rows.length} gradient${rows.length === 1 ? '' : 's'} match central finite differences (largest relative error ${worst.toExponential(1)}).`;
}

/** The panel shows the check table and its verdict: on screen, the status bar only echoes it. */
function reportCheck(outcome: Extract<TraceOutcome, { ok: true }>, deps: PanelDeps, panel: GraphPanel): void {
  const text = checkSummary(outcome.payload);
  if (panel.visible) void vscode.window.setStatusBarMessage(`Backprop Graph: ${text}`, 6000);
  else deps.notice.show(text);
}

export function registerCommands(deps: PanelDeps): vscode.Disposable[] {
  const safe = <T>(fn: (...args: unknown[]) => Promise<T>) => async (...args: unknown[]) => {
    try {
      return await fn(...args);
    } catch (e) {
      deps.log.error('command failed', e instanceof Error ? (e.stack ?? e.message) : String(e));
      deps.notice.show(e instanceof Error ? e.message : String(e));
      return undefined;
    }
  };
  return [
    vscode.commands.registerCommand('backpropGraph.show', safe((arg) => showGraph(deps, arg, false))),
    vscode.commands.registerCommand('backpropGraph.checkGradients', safe((arg) => showGraph(deps, arg, true))),
    vscode.commands.registerCommand('backpropGraph.openLesson', safe((name) => openLesson(deps.extensionUri, name))),
    vscode.commands.registerCommand('backpropGraph.togglePin', safe(async () => {
      const panel = GraphPanel.target;
      if (!panel) return void deps.notice.show('no graph is open.');
      panel.setPinned(!panel.isPinned);
      void vscode.window.setStatusBarMessage(panel.isPinned ? 'Backprop Graph: pinned' : 'Backprop Graph: following edits', 3000);
    })),
    vscode.commands.registerCommand('backpropGraph.copyMermaid', safe(async () => {
      const text = GraphPanel.target?.mermaid;
      if (!text) return void deps.notice.show('no graph to copy.');
      await vscode.env.clipboard.writeText(text);
      void vscode.window.setStatusBarMessage('Backprop Graph: Mermaid source copied', 3000);
    })),
  ];
}
