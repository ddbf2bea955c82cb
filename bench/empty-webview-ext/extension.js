// The bench's reference extension: what a webview panel costs before any of our code runs. Its command opens
// a panel beside the editor (as Show Backprop Graph does) whose HTML is one inline SVG node, no script.
// It activates on markdown, like Backprop Graph, and says so in the status bar, so the bench can wait for
// both extensions to be active before it presses Enter.
// A plain CommonJS extension, shipped as written (no build step): require is how it gets the API.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const vscode = require('vscode');

const HTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';">
<title>Empty Webview</title>
<style>#diagram-area { position: absolute; inset: 0; overflow: hidden; }</style>
</head>
<body>
<section id="diagram-area"><div id="diagram"><svg xmlns="http://www.w3.org/2000/svg" width="160" height="60" viewBox="0 0 160 60">
<g class="node"><rect x="1" y="1" width="158" height="58" rx="6" fill="#2d3b55" stroke="#7aa2f7"/><text x="80" y="36" text-anchor="middle" fill="#ffffff" font-size="16">x = 2</text></g>
</svg></div></section>
</body>
</html>`;

function activate(context) {
  const ready = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 0);
  ready.text = 'empty-webview ready';
  ready.show();
  context.subscriptions.push(ready);
  context.subscriptions.push(vscode.commands.registerCommand('emptyWebview.open', () => {
    const panel = vscode.window.createWebviewPanel('emptyWebview', 'Empty Webview', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: false,
      localResourceRoots: [],
    });
    panel.webview.html = HTML;
    context.subscriptions.push(panel);
  }));
}

function deactivate() {}

module.exports = { activate, deactivate };
