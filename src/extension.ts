/**
 * Backprop Graph: activation only registers things (all disposed with the extension). The engine (mathjs,
 * the tracer, the TypeScript parser) is loaded on first use through src/host/lazy.ts, so nothing here pulls
 * it in: only `import type` from src/engine and src/host/engine.
 */
import * as vscode from 'vscode';
import { addLessonFolder, LessonCodeLensProvider } from './vscode/codelens';
import { registerCommands } from './vscode/commands';
import { DerivativeHoverProvider } from './vscode/hover';
import { GraphPanel, GraphPanelSerializer, VIEW_TYPE, type PanelDeps } from './vscode/panel';

const LANGUAGES = ['typescript', 'javascript', 'typescriptreact', 'javascriptreact', 'markdown', 'python', 'plaintext'];

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Backprop Graph', { log: true });
  const deps: PanelDeps = { log, state: context.workspaceState, extensionUri: context.extensionUri };
  const selector: vscode.DocumentSelector = LANGUAGES.map((language) => ({ language }));
  const lenses = new LessonCodeLensProvider();
  addLessonFolder(vscode.Uri.joinPath(context.extensionUri, 'lessons'));
  context.subscriptions.push(
    log,
    ...registerCommands(deps),
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, new GraphPanelSerializer(deps)),
    vscode.languages.registerHoverProvider(selector, new DerivativeHoverProvider(deps)),
    lenses,
    vscode.languages.registerCodeLensProvider(selector, lenses),
    { dispose: () => GraphPanel.current?.dispose() },
  );
  log.info(`activated (${context.extension.packageJSON.version ?? '?'})`);
}

export function deactivate(): void {
  GraphPanel.current?.dispose();
}
