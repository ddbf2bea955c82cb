/**
 * Backprop Graph in the web worker extension host (vscode.dev, code-oss web): the same registrations as the
 * Node entry (src/extension.ts; nothing there needs Node). What differs is loading: this bundle carries the engine,
 * and the TypeScript compiler is dist/web/ts-parser.js, imported on first need (src/host/ts-parser.web.ts).
 */
import * as vscode from 'vscode';
import { activate as activateCommon, deactivate } from './extension';
import { setTsParserLocation } from './host/ts-parser.web';

export function activate(context: vscode.ExtensionContext): void {
  setTsParserLocation(vscode.Uri.joinPath(context.extensionUri, 'dist', 'web', 'ts-parser.js').toString());
  activateCommon(context);
}

export { deactivate };
