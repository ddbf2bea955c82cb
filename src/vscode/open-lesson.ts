/**
 * "Open Example Lesson…": the lessons ship inside the extension, and editing them there would change the
 * installed extension (and be lost on update). So a lesson opens as an untitled copy, or is copied into the
 * workspace when asked; the files in the extension's folder are only read.
 */
import * as vscode from 'vscode';
import { markLessonCopy } from './codelens';

/** How each lesson file type opens as an untitled text document. */
const LANGUAGE_BY_EXTENSION: Record<string, string> = {
  md: 'markdown',
  ts: 'typescript',
  js: 'javascript',
  py: 'python',
  txt: 'plaintext',
};

export const OPEN_COPY = 'Open a copy';
export const COPY_INTO_WORKSPACE = 'Copy into workspace…';

export function lessonLanguage(name: string): string {
  return LANGUAGE_BY_EXTENSION[name.split('.').pop() ?? ''] ?? 'plaintext';
}

interface IpynbCell {
  cell_type?: string;
  source?: string | string[];
}

/** An .ipynb file's cells as NotebookData, shaped like VS Code's own "New Jupyter Notebook" (ipynb extension). */
export function notebookData(ipynb: string): vscode.NotebookData {
  const nb = JSON.parse(ipynb) as {
    cells?: IpynbCell[];
    metadata?: { kernelspec?: { language?: string }; language_info?: { name?: string } };
    nbformat?: number;
    nbformat_minor?: number;
  };
  const language = nb.metadata?.kernelspec?.language ?? nb.metadata?.language_info?.name ?? 'python';
  const cells = (Array.isArray(nb.cells) ? nb.cells : []).map((cell) => {
    const text = Array.isArray(cell.source) ? cell.source.join('') : typeof cell.source === 'string' ? cell.source : '';
    return cell.cell_type === 'code'
      ? new vscode.NotebookCellData(vscode.NotebookCellKind.Code, text, language)
      : new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, text, 'markdown');
  });
  const data = new vscode.NotebookData(cells);
  data.metadata = { cells: [], metadata: nb.metadata ?? {}, nbformat: nb.nbformat ?? 4, nbformat_minor: nb.nbformat_minor ?? 2 };
  return data;
}

/**
 * Opens one of the lessons in `<extension>/lessons/` (from the walkthrough or the palette). Only names listed
 * in that folder are accepted: the argument never becomes a path of its own.
 */
export async function openLesson(extensionUri: vscode.Uri, name: unknown): Promise<void> {
  const folder = vscode.Uri.joinPath(extensionUri, 'lessons');
  const entries = (await vscode.workspace.fs.readDirectory(folder)).filter(([, type]) => type === vscode.FileType.File).map(([n]) => n).sort();
  let chosen = typeof name === 'string' && entries.includes(name) ? name : undefined;
  if (!chosen) {
    chosen = await vscode.window.showQuickPick(entries.filter((n) => !n.startsWith('safety')), { title: 'Backprop Graph: open an example lesson' });
    if (!chosen) return;
  }
  const workspaceFolder = vscode.workspace.workspaceFolders?.[0]?.uri;
  let how = OPEN_COPY;
  if (workspaceFolder) {
    const picked = await vscode.window.showQuickPick(
      [
        { label: OPEN_COPY, detail: 'An untitled copy to try things in: the lesson itself stays as it is.' },
        { label: COPY_INTO_WORKSPACE, detail: `Save ${chosen} into this workspace and open it.` },
      ],
      { title: `Backprop Graph: ${chosen}` },
    );
    if (!picked) return;
    how = picked.label;
  }
  const content = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, chosen));
  const isNotebook = chosen.endsWith('.ipynb');

  if (how === COPY_INTO_WORKSPACE && workspaceFolder) {
    const target = await vscode.window.showSaveDialog({
      // Under lessons/ the default `backpropGraph.lessonFiles` patterns match: the copy gets its CodeLenses.
      defaultUri: vscode.Uri.joinPath(workspaceFolder, 'lessons', chosen),
      title: `Copy ${chosen} into the workspace`,
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, content);
    markLessonCopy(target);
    if (isNotebook) await vscode.window.showNotebookDocument(await vscode.workspace.openNotebookDocument(target));
    else await vscode.window.showTextDocument(target, { preview: false });
    return;
  }

  const text = new TextDecoder().decode(content);
  if (isNotebook) {
    const notebook = await vscode.workspace.openNotebookDocument('jupyter-notebook', notebookData(text));
    markLessonCopy(notebook.uri);
    await vscode.window.showNotebookDocument(notebook);
    return;
  }
  const doc = await vscode.workspace.openTextDocument({ content: text, language: lessonLanguage(chosen) });
  markLessonCopy(doc.uri);
  await vscode.window.showTextDocument(doc, { preview: false });
}
