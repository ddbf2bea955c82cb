/**
 * Issue 5's "must show" items in a real VS Code (code-server), through the workbench as a user would:
 * (n) the shipped Jupyter notebook lesson, opened in the notebook editor, has a CodeLens on a Python cell line
 *     that shows the graph, with x's value read from the `torch.tensor` line above it;
 * (r) the day05 exercise "swap tanh for ReLU" is one edit in the shipped lesson, and the open panel follows it.
 * Own code-server (one per test file); screenshots go to test-output/e2e/lessons-*.png.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { listFiles, sessionForFile, sleep, VsCodeSession, waitFor } from './harness';

const LENS = 'Show Backprop Graph';

/** `n` as a standalone number in `text` (not a digit run inside a longer number); `-` matches `−` too. */
function hasNumber(text: string, n: string): boolean {
  const esc = n.replace(/[.]/g, '\\.').replace(/^-/, '[-−]');
  return new RegExp(`(?<![\\d.])${esc}(?![\\d])`).test(text);
}
const num = (n: string) => ({ test: (t: string) => hasNumber(t, n), toString: () => n });

let vs: VsCodeSession;

sessionForFile({ shotPrefix: 'lessons-' }, (s) => { vs = s; });

/** The shipped lesson matching `pattern` (found by name so renames inside lessons/ keep working). */
function shippedLesson(pattern: RegExp, what: string): string {
  const files = listFiles(join(vs.workspace, 'lessons')).filter((f) => !f.startsWith('e2e/'));
  const found = files.find((f) => pattern.test(f));
  assert.ok(found, `no shipped ${what} under lessons/ (shipped: ${files.join(', ')})`);
  return `lessons/${found}`;
}

test('(n) notebook lesson: the CodeLens on a Python cell line shows sin(x²+1) at x = 2 from the torch.tensor line', async () => {
  const rel = shippedLesson(/\.ipynb$/, 'Jupyter notebook lesson');
  const nb = JSON.parse(vs.doc(rel)) as { cells: Array<{ cell_type: string; source: string[] | string }> };
  const cellText = (c: { source: string[] | string }) => (Array.isArray(c.source) ? c.source.join('') : c.source);
  // The seed's cell: x from a torch.tensor line, then y = torch.sin(x**2 + 1) right after it.
  const cell = nb.cells.find((c) => c.cell_type === 'code' && /x = torch\.tensor\(\[2\.0\], requires_grad=True\)\s*\ny = torch\.sin\(x\*\*2 \+ 1\)/.test(cellText(c)));
  assert.ok(cell, `${rel} has no code cell with x = torch.tensor([2.0], …) followed by y = torch.sin(x**2 + 1)`);

  // Opened in the notebook editor, not as JSON text: its cell list is there.
  await vs.step('n-open', () => vs.openFile(rel, '.notebook-editor .cell-list-container'));
  await vs.step('n-codelens', () => vs.clickNotebookCellLens('y = torch.sin(x**2 + 1)', LENS));

  // sin(5) = -0.95892…, dy/dx = 4·cos(5) = 1.13464…: the panel shows 4 significant digits.
  const shown = await vs.step('n-panel', () => vs.waitForWebviewText([num('-0.9589'), num('1.135')]));
  const inputs = await vs.step('n-inputs', () => vs.waitForGradients({ x: '1.135' }));
  await sleep(800); // let the Mermaid drawing settle before the picture
  await vs.screenshot('n-notebook-codelens-panel');
  assert.ok(hasNumber(shown, '-0.9589'), `output sin(5) missing: ${shown.slice(0, 800)}`);
  const x = inputs.find((r) => r.name === 'x');
  assert.ok(x, `no input x in the panel: ${JSON.stringify(inputs)}`);
  assert.equal(inputs.length, 1, `only x is an input: ${JSON.stringify(inputs)}`);
  assert.equal(x.value, '2', `x's value: ${JSON.stringify(x)}`);
  assert.equal(x.grad, '1.135');
  // Attributed to the tensor line of this cell, not to the earlier cell's x = torch.tensor([1.0], …).
  assert.match(x.source, /torch\.tensor\(\[2\.0\]/, `x's value is not attributed to the torch.tensor line: ${x.source}`);
  assert.match(x.source, /line 1\b/, `x's source does not name its line: ${x.source}`);
  assert.ok(await vs.webview().locator('svg').count() > 0, 'no graph (SVG) in the panel');
});

test('(r) day05 "swap tanh for ReLU" is one edit in the shipped lesson, and the open panel follows it', async () => {
  const rel = shippedLesson(/day-?0?5.*\.md$/i, 'day05 markdown lesson');
  const text = vs.doc(rel);
  const tanhCall = 'Math.tanh(w1 * x)';
  const reluCall = 'Math.max(0, w1 * x)';
  // The lesson documents the exercise as exactly this one edit.
  assert.ok(text.includes(`replace \`${tanhCall}\` with \`${reluCall}\``), `${rel} does not document the one-edit swap ${tanhCall} → ${reluCall}`);
  const lines = text.split('\n');
  const hLine = lines.findIndex((l) => l.trim() === `const h = ${tanhCall};`);
  assert.ok(hLine > 0, `${rel} has no "const h = ${tanhCall};" line`);
  // The lens sits on the fence that opens the network block.
  let fence = hLine;
  while (fence > 0 && !/^\s*```/.test(lines[fence])) fence--;
  assert.match(lines[fence], /^\s*```\s*(backprop\s+)?ts\b/, 'the network block is not a ```ts or ```backprop ts fence');

  await vs.step('r-open', () => vs.openFile(rel));
  await vs.step('r-codelens', () => vs.clickCodeLensAboveLine(fence + 1, LENS));
  // tanh: the seed's printout (0.2847480465272111, -0.9728113065401505, 0.3416976558326533).
  await vs.step('r-tanh-panel', () => vs.waitForGradients({ w1: '0.2847', w2: '-0.9728', x: '0.3417' }));
  await sleep(800);
  await vs.screenshot('r-day05-tanh-panel');
  // A mark on the panel's page: still there after the update means the same page was updated in place.
  await vs.webview().locator('html').evaluate((el: any) => { el.dataset.e2eMark = 'before-edit'; });

  // The one edit, typed over the selected call like a user would; no command is run afterwards.
  await vs.step('r-select', () => vs.selectText(text, tanhCall));
  await vs.step('r-edit', async () => {
    await vs.page.keyboard.insertText(reluCall);
    await waitFor('the edited line in the editor', 8_000, async () => {
      const shown = await vs.editor().locator('.view-lines').innerText();
      return shown.replace(/\u00a0/g, ' ').includes(`const h = ${reluCall};`) ? true : undefined;
    });
  });
  // Expected from the engine: node dist/cli.js '<the three lines>' --lang ts --at x=1,w1=1.2,w2=-0.8,target=0.5
  // → h = 1.2, y = -0.96, L = 1.0658; ∂L/∂w1 = 1.168, ∂L/∂w2 = -1.752, ∂L/∂x = 1.4016, ∂L/∂target = 1.46.
  const inputs = await vs.step('r-relu-panel', () => vs.waitForGradients({ w1: '1.168', w2: '-1.752', x: '1.402', target: '1.46' }));
  const shown = await vs.step('r-relu-values', () => vs.waitForWebviewText([num('-0.96'), num('1.066')]));
  await sleep(800);
  await vs.screenshot('r-day05-relu-panel-after-one-edit');
  assert.deepEqual(Object.fromEntries(inputs.map((r) => [r.name, r.grad])), { x: '1.402', w1: '1.168', w2: '-1.752', target: '1.46' });
  assert.ok(!hasNumber(shown, '0.2847') && !hasNumber(shown, '0.8337'), `tanh numbers still shown: ${shown.slice(0, 800)}`);
  assert.equal(await vs.webview().locator('html').getAttribute('data-e2e-mark'), 'before-edit', 'the panel page was reloaded, not updated in place');
  // Graph panel tabs are titled "Graph: <expression>" ("Pinned: …" when pinned).
  assert.equal(await vs.page.locator('.tab', { hasText: /\b(Graph|Pinned): / }).count(), 1, 'a second graph panel was opened');
});
