/**
 * At most one Backprop Graph notification on screen. VS Code cannot replace a shown `showErrorMessage`, and
 * each call stacks another toast; a progress notification closes when its task resolves, so each new notice
 * resolves the previous one first: the old toast goes, the new one takes its place.
 */
import * as vscode from 'vscode';

/** A notice closes by itself after this long (errors also stay in the "Backprop Graph" output). */
const NOTICE_MS = 15_000;

export class Notice implements vscode.Disposable {
  private closeCurrent: (() => void) | undefined;
  private shownCount = 0;

  /** How many notices were shown (for tests). */
  get count(): number {
    return this.shownCount;
  }

  get showing(): boolean {
    return this.closeCurrent !== undefined;
  }

  show(text: string): void {
    this.clear();
    this.shownCount++;
    let close!: () => void;
    const closed = new Promise<void>((resolve) => (close = resolve));
    const timer = setTimeout(() => this.close(close), NOTICE_MS);
    this.closeCurrent = close;
    void vscode.window.withProgress(
      // cancellable: its button is the toast's only way to close it by hand.
      { location: vscode.ProgressLocation.Notification, title: 'Backprop Graph', cancellable: true },
      async (progress, token) => {
        // A full bar, not the endless "working" animation: this is a message, not a task.
        progress.report({ message: text, increment: 100 });
        const cancelled = token.onCancellationRequested(() => this.close(close));
        await closed;
        clearTimeout(timer);
        cancelled.dispose();
      },
    );
  }

  /** Closes the current notice, if any (e.g. the next graph shows fine, or the panel shows the message). */
  clear(): void {
    if (this.closeCurrent) this.close(this.closeCurrent);
  }

  private close(close: () => void): void {
    if (this.closeCurrent === close) this.closeCurrent = undefined;
    close();
  }

  dispose(): void {
    this.clear();
  }
}
