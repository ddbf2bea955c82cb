/**
 * Backprop Graph: activation only registers things (all disposed with the extension). The engine (the front ends,
 * the tracer, the TypeScript parser) is loaded on first use through src/host/lazy.ts, so nothing here pulls
 * it in: only `import type` from src/engine and src/host/engine. Once a supported editor is on screen, the
 * engine is loaded in the background (warmEngine), so the first Show does not wait for it.
 */
import * as vscode from 'vscode';
import { warmEngine } from './host/lazy';
import { addLessonFolder, LessonCodeLensProvider } from './vscode/codelens';
import { registerCommands } from './vscode/commands';
import { DerivativeHoverProvider } from './vscode/hover';
import { Notice } from './vscode/notice';
import { GraphPanel, GraphPanelSerializer, VIEW_TYPE, type PanelDeps } from './vscode/panel';

const LANGUAGES = ['typescript', 'javascript', 'typescriptreact', 'javascriptreact', 'markdown', 'python', 'plaintext'];
/** After activation, long enough for the editor that activated us to finish opening first. */
const WARM_DELAY_MS = 400;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Backprop Graph', { log: true });
  const notice = new Notice();
  const deps: PanelDeps = { log, state: context.workspaceState, extensionUri: context.extensionUri, notice };
  const selector: vscode.DocumentSelector = LANGUAGES.map((language) => ({ language }));
  const lenses = new LessonCodeLensProvider();
  addLessonFolder(vscode.Uri.joinPath(context.extensionUri, 'lessons'));
  context.subscriptions.push(
    log,
    notice,
    ...registerCommands(deps),
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, new GraphPanelSerializer(deps)),
    vscode.languages.registerHoverProvider(selector, new DerivativeHoverProvider(deps)),
    lenses,
    vscode.languages.registerCodeLensProvider(selector, lenses),
    warmUpWhenSupportedEditorVisible(log),
    // Panels stop listening but stay open: VS Code restores them after a reload.
    { dispose: () => GraphPanel.detachAll() },
  );
  if (context.extensionMode === vscode.ExtensionMode.Test) {
    // Only under a test runner (@vscode/test-web, @vscode/test-electron): the payload the panel was last given.
    context.subscriptions.push(vscode.commands.registerCommand('backpropGraph._lastPayload', () => GraphPanel.target?.currentPayload));
  }
  log.info(`activated (${context.extension.packageJSON.version ?? '?'})`);
}

export function deactivate(): void {
  GraphPanel.detachAll();
}

const supported = (editor: vscode.TextEditor) => LANGUAGES.includes(editor.document.languageId);

/**
 * Loads the engine off the critical path: on a timer after a supported editor (or a notebook) is visible,
 * never inside activate(). Once done (or failed: the first Show then reports it), it stops listening.
 */
function warmUpWhenSupportedEditorVisible(log: vscode.LogOutputChannel): vscode.Disposable {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const listeners: vscode.Disposable[] = [];
  const stop = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    while (listeners.length) listeners.pop()?.dispose();
  };
  const schedule = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      stop();
      const ms = warmEngine();
      if (typeof ms === 'number') log.info(`engine loaded in the background in ${ms} ms`);
      else if (ms instanceof Error) log.warn(`loading the engine in the background failed: ${ms.message}`);
    }, WARM_DELAY_MS);
  };
  const check = () => {
    if (vscode.window.visibleTextEditors.some(supported) || vscode.window.visibleNotebookEditors.length) schedule();
  };
  listeners.push(vscode.window.onDidChangeVisibleTextEditors(check), vscode.window.onDidChangeVisibleNotebookEditors(check));
  check();
  return { dispose: stop };
}
