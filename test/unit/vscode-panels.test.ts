/**
 * Several graph panels, one message, lesson copies: the real commands and panel code against the stub `vscode`
 * module (test/unit/vscode-stub.ts), which records the panels created, the messages each was sent, the
 * notifications and every document opened.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { log, memento, resetUi, stubDoc, stubState, stubUri, StubPanel } from './vscode-stub';

const ROOT = resolve(__dirname, '../..');
const commands = import('../../src/vscode/commands');
const panelModule = import('../../src/vscode/panel');
const noticeModule = import('../../src/vscode/notice');
const codelens = import('../../src/vscode/codelens');

const TEXT = 'x = 0.5\ntanh(x)\nmax(x, 0)\n(x +\nx * x\n';
const DOC = stubDoc(TEXT, 'plaintext', '/virtual/lessons/activations.txt');
stubState.docs.set(DOC.uri.toString(), DOC);

/** Show args for the line holding `expr`. */
function line(expr: string) {
  const start = TEXT.indexOf(`${expr}\n`);
  assert.ok(start >= 0, expr);
  return { uri: DOC.uri.toString(), start, end: start + expr.length, lang: 'math' };
}

let setup: Promise<{ deps: Awaited<ReturnType<typeof makeDeps>>; run: (id: string, ...args: unknown[]) => Promise<unknown> }> | undefined;
async function makeDeps() {
  const { Notice } = await noticeModule;
  return { log: log as never, state: memento() as never, extensionUri: stubUri('file', ROOT) as never, notice: new Notice() };
}
/** The commands registered once, with one Memento (the workspace state) for the whole file. */
function extension() {
  setup ??= (async () => {
    const deps = await makeDeps();
    (await commands).registerCommands(deps as never);
    const run = async (id: string, ...args: unknown[]) => {
      const fn = stubState.commands.get(id);
      assert.ok(fn, `${id} is not registered`);
      return fn(...args);
    };
    return { deps, run };
  })();
  return setup;
}

async function fresh() {
  (await panelModule).GraphPanel.detachAll();
  resetUi();
  return extension();
}

const lastGraph = (p: StubPanel) => p.graphs().at(-1);
const openNotices = () => stubState.notices.filter((n) => !n.closed);
const tick = () => new Promise((r) => setTimeout(r, 20));

test('Show reuses the unpinned panel: one panel, its graph and title follow the newest Show', async () => {
  const { run } = await fresh();
  await run('backpropGraph.show', line('tanh(x)'));
  assert.equal(stubState.panels.length, 1);
  const [panel] = stubState.panels;
  panel.ready();
  assert.equal(lastGraph(panel)?.title, 'tanh(x)');
  assert.equal(panel.title, 'Graph: tanh(x)');
  await run('backpropGraph.show', line('max(x, 0)'));
  assert.equal(stubState.panels.length, 1, 'a second panel opened although the first was not pinned');
  assert.equal(lastGraph(panel)?.title, 'max(x, 0)');
  assert.equal(panel.title, 'Graph: max(x, 0)');
});

test('a pinned panel keeps its graph; the next Show opens a second panel beside it; later Shows reuse that one', async () => {
  const { run } = await fresh();
  await run('backpropGraph.show', line('tanh(x)'));
  const [pinned] = stubState.panels;
  pinned.ready();
  await run('backpropGraph.togglePin');
  assert.equal(pinned.title, 'Pinned: tanh(x)');
  const sentToPinned = pinned.posted.length;

  await run('backpropGraph.show', line('max(x, 0)'));
  assert.equal(stubState.panels.length, 2, 'Show with a pinned panel open did not open a second panel');
  const [, second] = stubState.panels;
  second.ready();
  assert.equal(second.viewColumn, (pinned.viewColumn ?? 0) + 1, 'the second panel is not in the group right of the pinned one');
  assert.equal(pinned.posted.length, sentToPinned, `the pinned panel was sent ${JSON.stringify(pinned.posted.slice(sentToPinned).map((m) => m.kind))}`);
  assert.equal(lastGraph(pinned)?.title, 'tanh(x)');
  assert.equal(lastGraph(second)?.title, 'max(x, 0)');
  assert.equal(second.title, 'Graph: max(x, 0)');
  assert.notEqual(lastGraph(pinned)?.panelId, lastGraph(second)?.panelId);
  assert.ok(lastGraph(pinned)?.panelId, 'the payload carries no panel id');

  await run('backpropGraph.show', line('x * x'));
  assert.equal(stubState.panels.length, 2, 'a third panel opened although the second was not pinned');
  assert.equal(lastGraph(second)?.title, 'x * x');
  assert.equal(lastGraph(pinned)?.title, 'tanh(x)');
});

test('Toggle Pin and Copy Mermaid act on the active panel, or the one active last', async () => {
  const { run } = await fresh();
  await run('backpropGraph.show', line('tanh(x)'));
  const [first] = stubState.panels;
  first.ready();
  await run('backpropGraph.togglePin');
  await run('backpropGraph.show', line('max(x, 0)'));
  const [, second] = stubState.panels;
  second.ready();

  first.activate();
  await run('backpropGraph.copyMermaid');
  assert.match(stubState.clipboard, /tanh/);
  second.activate();
  await run('backpropGraph.copyMermaid');
  assert.match(stubState.clipboard, /max/);
  // Focus moves to the editor: no panel is active, the one active last is still the target.
  second.active = false;
  await run('backpropGraph.togglePin');
  assert.equal(second.title, 'Pinned: max(x, 0)');
  assert.equal(first.title, 'Pinned: tanh(x)');
  first.activate();
  await run('backpropGraph.togglePin');
  assert.equal(first.title, 'Graph: tanh(x)');
  assert.equal(second.title, 'Pinned: max(x, 0)');
});

test('an error shows once: in the visible panel and no notification; otherwise one notification replacing the last', async () => {
  const { run, deps } = await fresh();
  const result = await run('backpropGraph.show', line('(x +')) as { ok: boolean };
  assert.equal(result.ok, false);
  const [panel] = stubState.panels;
  panel.ready();
  assert.equal(panel.posted.at(-1)?.kind, 'error', 'the panel does not show the error');
  assert.equal(stubState.notices.length, 0, 'the error was also shown as a notification');

  // A panel that is not on screen: the message goes to one notification; the next one replaces it.
  const { reportFailure } = await commands;
  const { GraphPanel } = await panelModule;
  panel.visible = false;
  const target = GraphPanel.target;
  reportFailure({ ok: false, message: 'first problem' }, deps as never, target);
  reportFailure({ ok: false, message: 'second problem', where: '3:1' }, deps as never, target);
  await tick();
  assert.equal(stubState.notices.length, 2);
  assert.deepEqual(openNotices().map((n) => n.message), ['3:1: second problem'], 'more than one notification is open');

  // Commands that fail outright (here: a document that does not exist) use the same single notification.
  await run('backpropGraph.show', { uri: 'file:///virtual/missing.txt' });
  await run('backpropGraph.show', { uri: 'file:///virtual/missing-too.txt' });
  await tick();
  assert.equal(openNotices().length, 1);
  assert.match(openNotices()[0].message ?? '', /missing-too/);

  // The next good graph clears the stale message.
  panel.visible = true;
  await run('backpropGraph.show', line('tanh(x)'));
  await tick();
  assert.equal(openNotices().length, 0, 'a stale error notification stayed after a good graph');
});

test('after a reload every panel restores with its own source (stored under its id), the pinned one still pinned', async () => {
  const { run, deps } = await fresh();
  await run('backpropGraph.show', line('tanh(x)'));
  const [a] = stubState.panels;
  a.ready();
  await run('backpropGraph.togglePin');
  await run('backpropGraph.show', line('max(x, 0)'));
  const [, b] = stubState.panels;
  b.ready();
  // What each webview keeps in its state: the last payload it drew (pinned: false there; the pin came later).
  const stateA = { payload: lastGraph(a)! };
  assert.equal(stateA.payload.pinned, false);
  const stateB = { payload: lastGraph(b)! };

  // The reload: the extension host goes (panels stop listening, the tabs stay), VS Code re-creates the panels.
  const { GraphPanel, GraphPanelSerializer } = await panelModule;
  GraphPanel.detachAll();
  stubState.panels.length = 0;
  const serializer = new GraphPanelSerializer(deps as never);
  const restoredB = new StubPanel('backpropGraph', 'Backprop Graph', 3);
  const restoredA = new StubPanel('backpropGraph', 'Backprop Graph', 2);
  stubState.panels.push(restoredA, restoredB);
  // In the opposite order: what binds a panel to its source is its id, not the order.
  await serializer.deserializeWebviewPanel(restoredB as never, stateB as never);
  await serializer.deserializeWebviewPanel(restoredA as never, stateA as never);
  restoredA.ready();
  restoredB.ready();
  await tick();
  await tick();
  assert.equal(restoredA.title, 'Pinned: tanh(x)');
  assert.equal(restoredB.title, 'Graph: max(x, 0)');
  // The unpinned one re-traced its own source; the pinned one shows its saved graph.
  assert.equal(lastGraph(restoredB)?.title, 'max(x, 0)');
  assert.equal(lastGraph(restoredA)?.title, 'tanh(x)');
  assert.equal(lastGraph(restoredA)?.pinned, true, 'the restored page was not told it is pinned');
  assert.equal(GraphPanel.panels.length, 2);

  // Unpinning the restored panel re-traces ITS source (it knows it), and a new Show goes to an unpinned panel.
  restoredA.activate();
  await run('backpropGraph.togglePin');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(lastGraph(restoredA)?.title, 'tanh(x)');
  assert.equal(lastGraph(restoredA)?.pinned, false);
  await run('backpropGraph.show', line('x * x'));
  assert.equal(stubState.panels.length, 2);
});

function openedUnder(folder: string) {
  return stubState.opened.filter((o) => o.kind !== 'readFile' && o.uri.includes(folder));
}

test('Open Example Lesson opens an untitled copy (right language, with CodeLenses), never the file in the extension', async () => {
  const { run } = await fresh();
  stubState.workspaceFolders = undefined;
  stubState.quickPickAnswers.push('day40-chain-rule.md');
  await run('backpropGraph.openLesson');
  const opened = stubState.opened.find((o) => o.kind === 'openTextDocument');
  assert.ok(opened, JSON.stringify(stubState.opened));
  assert.equal(opened.language, 'markdown');
  assert.equal(opened.content, readFileSync(join(ROOT, 'lessons/day40-chain-rule.md'), 'utf8'));
  assert.ok(stubState.opened.some((o) => o.kind === 'showTextDocument' && o.uri === opened.uri));
  assert.deepEqual(openedUnder(join(ROOT, 'lessons')), [], 'a file inside the extension was opened');

  // The untitled copy matches no lessonFiles glob, yet gets its CodeLenses.
  const { LessonCodeLensProvider } = await codelens;
  const copy = stubState.docs.get(opened.uri)!;
  const lenses = new LessonCodeLensProvider().provideCodeLenses(copy as never, { isCancellationRequested: false } as never);
  assert.ok(lenses.length >= 2, `the untitled copy got ${lenses.length} CodeLenses`);
  const plain = stubDoc(copy.getText(), 'markdown', 'Untitled-999', 'untitled');
  assert.equal(new LessonCodeLensProvider().provideCodeLenses(plain as never, { isCancellationRequested: false } as never).length, 0, 'any untitled document got lenses');

  stubState.quickPickAnswers.push('day05-network.lesson.ts');
  await run('backpropGraph.openLesson');
  assert.equal(stubState.opened.filter((o) => o.kind === 'openTextDocument').at(-1)?.language, 'typescript');
});

test('Open Example Lesson opens a notebook lesson as an untitled notebook built from the .ipynb', async () => {
  const { run } = await fresh();
  stubState.workspaceFolders = undefined;
  await run('backpropGraph.openLesson', 'chain-rule-notebook.ipynb');
  const nb = stubState.opened.find((o) => o.kind === 'openNotebookDocument');
  assert.ok(nb, JSON.stringify(stubState.opened));
  assert.equal(nb.language, 'jupyter-notebook');
  const cells = (JSON.parse(readFileSync(join(ROOT, 'lessons/chain-rule-notebook.ipynb'), 'utf8')) as { cells: unknown[] }).cells.length;
  assert.equal(nb.cells, cells);
  assert.ok(stubState.opened.some((o) => o.kind === 'showNotebookDocument' && o.uri.startsWith('untitled:')));
  assert.deepEqual(openedUnder(join(ROOT, 'lessons')), []);
});

test('Open Example Lesson copies into the workspace on request, and a cancelled pick opens nothing', async () => {
  const { run } = await fresh();
  stubState.workspaceFolders = [{ uri: stubUri('file', '/tmp/bpg-ws') }];
  try {
    stubState.quickPickAnswers.push('day05-network.lesson.ts', 'Copy into workspace…');
    const target = stubUri('file', '/tmp/bpg-ws/lessons/day05-network.lesson.ts');
    stubState.saveDialogAnswers.push(target);
    await run('backpropGraph.openLesson');
    assert.deepEqual(stubState.quickPicks.at(-1), ['Open a copy', 'Copy into workspace…']);
    const written = stubState.written.get(target.toString());
    assert.ok(written, 'nothing was written into the workspace');
    assert.equal(Buffer.from(written).toString('utf8'), readFileSync(join(ROOT, 'lessons/day05-network.lesson.ts'), 'utf8'));
    assert.ok(stubState.opened.some((o) => o.kind === 'showTextDocument' && o.uri === target.toString()));
    assert.deepEqual(openedUnder(join(ROOT, 'lessons')), []);

    resetUi();
    stubState.quickPickAnswers.push('day40-chain-rule.md', undefined);
    await run('backpropGraph.openLesson');
    assert.deepEqual(stubState.opened.filter((o) => o.kind !== 'readFile'), []);
  } finally {
    stubState.workspaceFolders = undefined;
  }
});

test('graphDirection defaults to auto: the payload says auto, the Mermaid source is drawn LR', async () => {
  const { run } = await fresh();
  assert.equal(stubState.settings.graphDirection, 'auto');
  await run('backpropGraph.show', line('tanh(x)'));
  const [panel] = stubState.panels;
  panel.ready();
  const payload = panel.posted.filter((m) => m.kind === 'graph').at(-1)?.payload as { direction: string; mermaid: string };
  assert.equal(payload.direction, 'auto');
  assert.match(payload.mermaid, /^\s*(flowchart|graph) LR/m);
});
