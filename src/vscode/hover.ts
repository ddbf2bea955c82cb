/**
 * Derivative hovers: on a variable inside an expression, ∂(expression)/∂(variable) symbolically and
 * numerically at the values the panel would use (the document, earlier notebook cells, remembered values); on a math function call, its local derivative rule.
 * The computation is text/hover-compute.ts (pure, benchmarked); this wraps it in vscode objects.
 * Never throws; nothing is run.
 */
import * as vscode from 'vscode';
import { loadEngine, parserLoading } from '../host/lazy';
import { readSettings } from './settings';
import { computeHover } from './text/hover-compute';
import { isLessonFile } from './codelens';
import { notebookValues, rememberedValues, type TraceDeps } from './tracer';

function markdown(lines: string[]): vscode.MarkdownString {
  const md = new vscode.MarkdownString(lines.join('\n\n'));
  md.isTrusted = { enabledCommands: ['backpropGraph.show'] };
  md.supportHtml = false;
  return md;
}

export class DerivativeHoverProvider implements vscode.HoverProvider {
  constructor(private readonly deps: TraceDeps) {}

  provideHover(doc: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): vscode.ProviderResult<vscode.Hover> {
    try {
      const settings = readSettings(doc.uri);
      if (!settings.hoverEnabled) return undefined;
      const shown = computeHover({
        text: doc.getText(),
        offset: doc.offsetAt(position),
        languageId: doc.languageId,
        uri: doc.uri.toString(),
        isLesson: () => isLessonFile(doc, settings.lessonFiles),
        remembered: rememberedValues(this.deps.state),
        notebookValues: () => notebookValues(doc),
        digits: settings.digits,
        engine: loadEngine,
        cancelled: () => token.isCancellationRequested,
      });
      if (!shown) return undefined;
      return new vscode.Hover(markdown(shown.lines), new vscode.Range(doc.positionAt(shown.start), doc.positionAt(shown.end)));
    } catch (e) {
      // In a browser, the first hover that needs the TypeScript compiler waits for its bundle (once).
      const loaded = parserLoading(e);
      if (loaded) return loaded.then(() => (token.isCancellationRequested ? undefined : this.provideHover(doc, position, token)));
      this.deps.log.warn('hover failed', e instanceof Error ? e.message : String(e));
      return undefined;
    }
  }
}
