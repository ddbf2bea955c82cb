/**
 * "Show Backprop Graph" / "Check gradients" above math fences, `$$` blocks, TypeScript fences and top-level
 * arithmetic assignments of lesson files (`backpropGraph.lessonFiles`), notebook cells included. A lens only
 * carries where the text is: the engine reads it as text when clicked, and refuses anything but arithmetic.
 * In a notebook cell that uses a value from an earlier cell, one more lens per value says where the panel will
 * take it from (`x = 2 from cell 3`), by the panel's own lookup (tracer.ts's notebookValues).
 */
import * as vscode from 'vscode';
import { readSettings } from './settings';
import { notebookValues } from './tracer';
import { lensSpots } from './text/scan';
import { valueProvenance } from './text/values';

/** Folders whose files are always lessons: the example lessons shipped inside the extension. */
const lessonFolders: string[] = [];

export function addLessonFolder(folder: vscode.Uri): void {
  lessonFolders.push(folder.path.endsWith('/') ? folder.path : `${folder.path}/`);
}

/**
 * Copies made by "Open Example Lesson…" (untitled ones match no glob), by URI path: a notebook cell's path is
 * its notebook's. Untitled names are reused, so an untitled copy stops counting when it is closed.
 */
const lessonCopies = new Set<string>();
const copiesChanged = new vscode.EventEmitter<void>();

export function markLessonCopy(uri: vscode.Uri): void {
  lessonCopies.add(uri.path);
  copiesChanged.fire();
}

/** Lesson files by glob (or shipped with the extension, or a copy of such); a notebook cell matches through its notebook's path. */
export function isLessonFile(doc: vscode.TextDocument, globs: readonly string[]): boolean {
  if (lessonFolders.some((f) => doc.uri.path.startsWith(f))) return true;
  if (lessonCopies.has(doc.uri.path)) return true;
  return globs.some((pattern) => vscode.languages.match({ pattern }, doc) > 0);
}

export class LessonCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly listeners = [
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('backpropGraph.lessonFiles') || e.affectsConfiguration('backpropGraph.codeLens.enabled')) this.changed.fire();
    }),
    copiesChanged.event(() => this.changed.fire()),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      if (doc.uri.scheme === 'untitled') lessonCopies.delete(doc.uri.path);
    }),
    vscode.workspace.onDidCloseNotebookDocument((nb) => {
      if (nb.uri.scheme === 'untitled') lessonCopies.delete(nb.uri.path);
    }),
    // An edit in one cell can change where a later cell's values come from: VS Code only asks again for the edited cell.
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document.uri.scheme === 'vscode-notebook-cell' && e.contentChanges.length) this.changed.fire();
    }),
  ];

  provideCodeLenses(doc: vscode.TextDocument, token: vscode.CancellationToken): vscode.CodeLens[] {
    const settings = readSettings(doc.uri);
    if (!settings.codeLensEnabled || !isLessonFile(doc, settings.lessonFiles)) return [];
    const lenses: vscode.CodeLens[] = [];
    const text = doc.getText();
    const cells = doc.uri.scheme === 'vscode-notebook-cell' ? notebookValues(doc) : undefined;
    for (const spot of lensSpots(text, doc.languageId)) {
      if (token.isCancellationRequested) return [];
      const range = new vscode.Range(spot.line, 0, spot.line, 0);
      const args = { uri: doc.uri.toString(), start: spot.start, end: spot.end, lang: spot.lang };
      lenses.push(
        new vscode.CodeLens(range, { title: 'Show Backprop Graph', command: 'backpropGraph.show', arguments: [args], tooltip: `Trace this ${spot.label} and show its computational graph` }),
        new vscode.CodeLens(range, { title: 'Check gradients', command: 'backpropGraph.checkGradients', arguments: [args], tooltip: 'Compare backprop gradients with central finite differences' }),
      );
      // Text only (no command): where each value comes from, when one comes from an earlier cell.
      for (const p of cells ? valueProvenance(text, doc.languageId, spot, cells) : []) {
        lenses.push(new vscode.CodeLens(range, { title: p.title, command: '', tooltip: p.tooltip }));
      }
    }
    return lenses;
  }

  dispose(): void {
    for (const l of this.listeners) l.dispose();
    this.changed.dispose();
  }
}
