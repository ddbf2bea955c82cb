/**
 * Runs inside a desktop VS Code through @vscode/test-cli (mocha, tdd UI), with the workspace folder
 * `lessons/`. Not run by `npm test` (see ../README.md).
 */
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';

// mocha's tdd globals (declared here so the repository's typecheck does not need @types/mocha).
declare function suite(name: string, fn: () => void): void;
declare function test(name: string, fn: () => Promise<void>): void;

const EXTENSION_ID = 'backprop-graph.backprop-graph';

function lesson(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'open the lessons folder as the workspace');
  return vscode.Uri.joinPath(folder.uri, name);
}

async function open(name: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(lesson(name));
  await vscode.window.showTextDocument(doc);
  return doc;
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
}

suite('Backprop Graph in VS Code', () => {
  test('activates on a markdown lesson and contributes its commands', async () => {
    await open('day40-chain-rule.md');
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, 'extension not found');
    await ext.activate();
    const commands = await vscode.commands.getCommands(true);
    for (const c of ['backpropGraph.show', 'backpropGraph.checkGradients', 'backpropGraph.togglePin', 'backpropGraph.copyMermaid']) {
      assert.ok(commands.includes(c), `${c} is not registered`);
    }
  });

  test('Show Backprop Graph on the day40 block returns 125 and df/dx = 300, x from the page', async () => {
    const doc = await open('day40-chain-rule.md');
    const text = doc.getText();
    const start = text.indexOf('(x^2 + 1)^3');
    const result = await vscode.commands.executeCommand<{ ok: boolean; value: number; inputs: { name: string; grad: number; source: string }[] }>(
      'backpropGraph.show', { uri: doc.uri.toString(), start, end: start + '(x^2 + 1)^3'.length, lang: 'math' });
    assert.ok(result?.ok, JSON.stringify(result));
    assert.equal(result.value, 125);
    assert.equal(result.inputs[0].grad, 300);
    assert.match(result.inputs[0].source, /x = 2/);
  });

  test('hover on x shows the symbolic derivative and 300', async () => {
    const doc = await open('day40-chain-rule.md');
    const at = doc.positionAt(doc.getText().indexOf('(x^2 + 1)^3') + 1);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, at);
    const text = hoverText(hovers);
    assert.match(text, /6x·\(x² \+ 1\)²/);
    assert.match(text, /\b300\b/);
  });

  test('CodeLens above the lesson blocks', async () => {
    const doc = await open('day40-chain-rule.md');
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    const titles = lenses.map((l) => l.command?.title);
    assert.ok(titles.includes('Show Backprop Graph'), titles.join(', '));
    assert.ok(titles.includes('Check gradients'), titles.join(', '));
  });

  test('the safety lesson is refused with a message, and nothing runs', async () => {
    const doc = await open('safety.lesson.md');
    const text = doc.getText();
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    const fence = lenses.find((l) => l.command?.command === 'backpropGraph.show' && text.slice(doc.offsetAt(l.range.start)).startsWith('```ts'));
    assert.ok(fence?.command, 'no lens above the ts fence');
    const result = await vscode.commands.executeCommand<{ ok: boolean; message: string }>(fence.command.command, ...(fence.command.arguments ?? []));
    assert.equal(result?.ok, false);
    assert.match(result.message, /require/);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, doc.positionAt(text.indexOf('execSync') + 2));
    assert.match(hoverText(hovers), /never runs/);
    assert.equal(existsSync('/tmp/backprop-graph-safety-marker'), false);
  });
});
