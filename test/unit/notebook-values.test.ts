/**
 * Values from earlier notebook cells: the one lookup (text/values.ts earlierCellValues, wrapped by tracer.ts's
 * notebookValues) the panel, the hover and the notebook CodeLens use; and the CodeLens that says where each
 * value comes from (`x = 2 from cell 3`), checked against the panel's own sources for the same cell.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { log, memento, stubDoc, stubState, stubUri, type StubDoc } from './vscode-stub';
import { earlierCellValues, valueProvenance, type CellText } from '../../src/vscode/text/values';

const codelensModule = import('../../src/vscode/codelens');
const tracerModule = import('../../src/vscode/tracer');

const md = (text: string): CellText => ({ text, languageId: 'markdown' });
const py = (text: string): CellText => ({ text, languageId: 'python' });

test('earlierCellValues: literals of the code cells above, the last one winning, numbered as on screen', () => {
  const cells = [
    md('# Title\n\nHover `x` to see the derivative.\n'),
    py('import torch\n\nx = torch.tensor([1.0], requires_grad=True)\ny = x ** 3 + 2 * x\n'),
    py('x = torch.tensor([2.0], requires_grad=True)\nb = 0.5\n'),
    py('L = x * b\n'),
  ];
  const v = earlierCellValues(cells, 3);
  assert.deepEqual({ ...v.x }, { value: 2, source: 'cell 3, line 1: x = torch.tensor([2.0], requires_grad=True)', line: 1, cell: 3 });
  assert.deepEqual({ ...v.b }, { value: 0.5, source: 'cell 3, line 2: b = 0.5', line: 2, cell: 3 });
  // y is computed, not a literal: no value, and nothing from the cell itself or below.
  assert.deepEqual(Object.keys(v).sort(), ['b', 'x']);
  assert.deepEqual(Object.keys(earlierCellValues(cells, 2)), ['x']);
  assert.equal(earlierCellValues(cells, 2).x.cell, 2);
  assert.deepEqual(Object.keys(earlierCellValues(cells, 0)), []);
});

test('earlierCellValues: markdown prose assigns nothing; a computed reassignment forgets the old literal', () => {
  const cells = [
    py('x = 2.0\nw = 3\n'),
    md('Here `x = 5` is only prose: the kernel never ran it, and `w = 7` neither.\n'),
    py('w = x * 2\n'),
    py('z = w * x\n'),
  ];
  const v = earlierCellValues(cells, 3);
  assert.equal(v.x.value, 2, 'the markdown cell changed x');
  assert.equal(v.x.cell, 1);
  // w = x * 2 in cell 3: the literal 3 of cell 1 is stale, so w has no literal value any more.
  assert.equal(Object.hasOwn(v, 'w'), false, JSON.stringify(v));
});

test('earlierCellValues: names of Object.prototype find nothing unless a cell assigns them', () => {
  const v = earlierCellValues([py('constructor = 4\n'), py('y = constructor + toString\n')], 1);
  assert.equal(v['constructor' as string]?.value, 4);
  assert.equal(Object.hasOwn(v, 'toString'), false);
  assert.equal((v as Record<string, unknown>).toString, undefined);
});

test('valueProvenance: each value of a cell that uses an earlier cell, with its cell or line', () => {
  const cells = [py('x = torch.tensor([2.0], requires_grad=True)\n'), md('text\n')];
  const text = 'w = torch.tensor([0.5], requires_grad=True)\nL = (w * torch.sin(x**2 + 1)) ** 2\nL.backward()\n';
  const start = text.indexOf('L = ');
  const spot = { start, end: text.indexOf('\n', start), lang: 'python' as const };
  const p = valueProvenance(text, 'python', spot, earlierCellValues([...cells, py(text)], 2));
  assert.deepEqual(p.map((e) => e.title), ['w = 0.5 from line 1', 'x = 2 from cell 1']);
  assert.deepEqual(p.map((e) => e.tooltip), ['line 1: w = torch.tensor([0.5], requires_grad=True)', 'cell 1, line 1: x = torch.tensor([2.0], requires_grad=True)']);
  assert.deepEqual(p.map((e) => [e.name, e.value]), [['w', 0.5], ['x', 2]]);
});

test('valueProvenance: nothing for a cell that stands alone, the cell\'s own value wins, statements it composes count', () => {
  const earlier = earlierCellValues([py('x = 1.0\nk = 4\n')], 1);
  const own = 'x = 2.0\ny = torch.sin(x**2 + 1)\n';
  const ownStart = own.indexOf('y = ');
  assert.deepEqual(valueProvenance(own, 'python', { start: ownStart, end: own.length - 1, lang: 'python' }, earlier), [], 'a cell with its own x got a lens');
  // z needs h, which this cell computes from k: k's value comes from cell 1 through h.
  const chained = 'h = k * 3\nz = h ** 2\n';
  const zStart = chained.indexOf('z = ');
  const p = valueProvenance(chained, 'python', { start: zStart, end: chained.length - 1, lang: 'python' }, earlier);
  assert.deepEqual(p.map((e) => e.title), ['k = 4 from cell 1']);
  // A name with no value anywhere is not claimed to come from anywhere.
  const unknown = 'z = q * k\n';
  assert.deepEqual(valueProvenance(unknown, 'python', { start: 0, end: unknown.length - 1, lang: 'python' }, earlier).map((e) => e.title), ['k = 4 from cell 1']);
});

/** A notebook of stub cell documents, registered where vscode.workspace.notebookDocuments finds it. */
function notebook(path: string, cells: CellText[]): StubDoc[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const vscode = require('vscode') as { workspace: { notebookDocuments: unknown[] } };
  const docs = cells.map((c, index) => {
    const d = stubDoc(c.text, c.languageId, path);
    d.uri = { ...stubUri('vscode-notebook-cell', path), toString: () => `vscode-notebook-cell:${path}#cell${index}` };
    stubState.docs.set(d.uri.toString(), d);
    return d;
  });
  vscode.workspace.notebookDocuments.push({ uri: stubUri('file', path), getCells: () => docs.map((document, index) => ({ document, index })) });
  return docs;
}

test('the notebook CodeLens says where each value comes from, exactly as the panel names the same inputs', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const vscode = require('vscode') as { workspace: { notebookDocuments: unknown[] } };
  const { addLessonFolder, LessonCodeLensProvider } = await codelensModule;
  const { traceTarget, notebookValues } = await tracerModule;
  addLessonFolder(stubUri('file', '/virtual/nb-lessons') as never);
  const line = 'L = (w * torch.sin(x**2 + 1)) ** 2';
  const [, first, standalone, dependent] = notebook('/virtual/nb-lessons/chain.ipynb', [
    md('# Chain rule\n\nThe `x = 5` here is prose.\n'),
    py('x = torch.tensor([1.0], requires_grad=True)\n'),
    py('x = torch.tensor([2.0], requires_grad=True)\ny = torch.sin(x**2 + 1)\n'),
    py(`w = torch.tensor([0.5], requires_grad=True)\n${line}\nL.backward()\n`),
  ]);
  try {
    const provider = new LessonCodeLensProvider();
    const lensesOf = (doc: StubDoc) => (provider.provideCodeLenses(doc as never, { isCancellationRequested: false } as never) as unknown as { range: { start: number | { line: number } }; command: { title: string; command: string; tooltip?: string } }[]);
    const lenses = lensesOf(dependent);
    // The stub's Range keeps `new Range(line, 0, line, 0)`'s first argument as its start.
    const lineOf = (l: (typeof lenses)[number]) => (typeof l.range.start === 'number' ? l.range.start : l.range.start.line);
    const onLine = lenses.filter((l) => lineOf(l) === 1).map((l) => l.command.title);
    assert.deepEqual(onLine, ['Show Backprop Graph', 'Check gradients', 'w = 0.5 from line 1', 'x = 2 from cell 3']);
    const xLens = lenses.find((l) => l.command.title.startsWith('x = '))!;
    assert.equal(xLens.command.command, '', 'a provenance lens is text, not a command');
    assert.equal(xLens.command.tooltip, 'cell 3, line 1: x = torch.tensor([2.0], requires_grad=True)');
    // Cells that define their own values get the two usual lenses only.
    assert.deepEqual(lensesOf(standalone).map((l) => l.command.title), ['Show Backprop Graph', 'Check gradients']);
    assert.deepEqual(Object.keys(notebookValues(first as never)), []);

    // The panel, traced from the same line, names the same values and sources.
    const text = dependent.getText();
    const start = text.indexOf(line);
    const outcome = await traceTarget({ uri: dependent.uri as never, start, end: start + line.length }, { interactive: false }, { log: log as never, state: memento() as never });
    assert.ok(outcome.ok, JSON.stringify(outcome));
    const panel = Object.fromEntries(outcome.payload.inputs.map((i) => [i.name, [i.value, i.source]]));
    assert.deepEqual(panel, {
      w: [0.5, 'line 1: w = torch.tensor([0.5], requires_grad=True)'],
      x: [2, xLens.command.tooltip],
    });
    assert.ok(Math.abs(outcome.payload.inputs.find((i) => i.name === 'x')!.grad - -0.5440211108893698) < 1e-12);
    provider.dispose();
  } finally {
    vscode.workspace.notebookDocuments.length = 0;
  }
});

test('isEarlierCell: only a cell above the traced one, in the same notebook, can change its values', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const vscode = require('vscode') as { workspace: { notebookDocuments: unknown[] } };
  const { isEarlierCell } = await tracerModule;
  const [first, second, third] = notebook('/virtual/nb-lessons/order.ipynb', [py('x = 2.0\n'), py('y = x * 3\n'), py('z = y + 1\n')]);
  const [otherFirst] = notebook('/virtual/nb-lessons/other.ipynb', [py('x = 5.0\n')]);
  try {
    const target = second.uri.toString();
    assert.equal(isEarlierCell(first as never, target), true);
    assert.equal(isEarlierCell(second as never, target), false, 'the cell itself is not earlier');
    assert.equal(isEarlierCell(third as never, target), false, 'a later cell gives no value');
    assert.equal(isEarlierCell(otherFirst as never, target), false, 'a cell of another notebook');
    assert.equal(isEarlierCell(stubDoc('x = 1\n', 'python', '/virtual/nb-lessons/order.ipynb') as never, target), false, 'a plain file');
  } finally {
    vscode.workspace.notebookDocuments.length = 0;
  }
});
