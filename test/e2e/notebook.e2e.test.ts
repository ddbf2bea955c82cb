/**
 * Issue 13.4 in a real VS Code (code-server), in the notebook editor (VS Code's built-in ipynb serializer, no
 * Jupyter extension, no kernel: nothing runs):
 * (h) hovering `x` in a cell that does not define it shows ∂L/∂x at the x of an earlier cell, named by cell;
 * (p) the CodeLens above that line says where each value comes from (`x = 2 from cell 3`, `w = 0.5 from line 1`);
 * (g) the panel opened from that line's lens uses the same values, sources and gradient as the hover;
 * (e) editing x in the earlier cell (2.0 → 3.0) updates that lens and the open panel, with no command run.
 * Own code-server; screenshots go to test-output/e2e/notebook-*.png.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sessionForFile, sleep, VsCodeSession, waitFor } from './harness';

const REL = 'lessons/chain-rule-notebook.ipynb';
/** The lesson's cell that builds on the cell above: it reads x without defining it. */
const LINE = 'L = (w * torch.sin(x**2 + 1)) ** 2';

let vs: VsCodeSession;

// Tall enough that the whole lesson notebook (six cells) is on screen without scrolling the cell list.
sessionForFile({ shotPrefix: 'notebook-', viewport: { width: 1500, height: 1300 } }, (s) => { vs = s; });

/** `n` as a standalone number in `text` (not a digit run inside a longer number); `-` matches `−` too. */
function hasNumber(text: string, n: string): boolean {
  const esc = n.replace(/[.]/g, '\\.').replace(/^-/, '[-−]');
  return new RegExp(`(?<![\\d.])${esc}(?![\\d])`).test(text);
}

interface CellLine {
  /** Screen box of the character at the asked index of the line. */
  char: { x: number; y: number; width: number; height: number };
  /** Texts of the CodeLenses drawn right above the line, in the same cell editor (links and plain ones). */
  lenses: string[];
}

/**
 * The notebook cell line whose text is `lineText`: the screen box of its character `index` (a DOM Range over
 * the rendered text, so tokens of one colour merged into one span don't matter), and the lenses above it.
 */
async function cellLine(lineText: string, index: number): Promise<CellLine | undefined> {
  const found = await vs.page.evaluate((args: { lineText: string; index: number }) => {
    const doc = (globalThis as any).document;
    // No named helpers in here: tsx's keepNames would wrap them in a __name() the page does not have.
    for (const editor of doc.querySelectorAll('.notebook-editor .cell-editor-container .monaco-editor') as any) {
      const line = [...editor.querySelectorAll('.view-line')].find((l: any) => l.textContent.replace(/\u00a0/g, ' ') .trimEnd() === args.lineText) as any;
      if (!line) continue;
      const walker = doc.createTreeWalker(line, 4 /* NodeFilter.SHOW_TEXT */);
      let left = args.index;
      let box: { x: number; y: number; width: number; height: number } | undefined;
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (left < n.textContent.length) {
          const range = doc.createRange();
          range.setStart(n, left);
          range.setEnd(n, left + 1);
          const r = range.getBoundingClientRect();
          box = { x: r.x, y: r.y, width: r.width, height: r.height };
          break;
        }
        left -= n.textContent.length;
      }
      if (!box || box.width <= 0) return null;
      const top = line.getBoundingClientRect().top;
      const lenses: string[] = [];
      for (const el of editor.querySelectorAll('.codelens-decoration > a, .codelens-decoration > span') as any) {
        const r = el.getBoundingClientRect();
        const dist = top - r.bottom;
        if (r.width > 0 && dist >= -4 && dist < 40) lenses.push(el.textContent.replace(/\u00a0/g, ' ').trim());
      }
      return { char: box, lenses };
    }
    return null;
  }, { lineText, index });
  return found ?? undefined;
}

/** Waits for `lineText` to be drawn and to sit still for two polls (markdown cells keep resizing as they render). */
async function stillLine(lineText: string, index: number, what: string, accept: (l: CellLine) => boolean = () => true): Promise<CellLine> {
  let previous: CellLine | undefined;
  return waitFor(what, 30_000, async () => {
    const now = await cellLine(lineText, index);
    const still = now && previous && Math.abs(now.char.x - previous.char.x) < 1 && Math.abs(now.char.y - previous.char.y) < 1;
    previous = now;
    return still && accept(now) ? now : undefined;
  }, 400);
}

/** Hovers the character `index` of cell line `lineText` until the hover's text passes `accept`; returns it. */
async function hoverCellChar(lineText: string, index: number, accept: (text: string) => boolean): Promise<string> {
  let last = '';
  try {
    return await waitFor(`a hover on "${lineText[index]}" of "${lineText}" passing the check`, 30_000, async () => {
      const { char } = await stillLine(lineText, index, `cell line "${lineText}" on screen`);
      // Away first, so a hover that is already showing closes and this one is fresh.
      await vs.page.mouse.move(2, 2);
      await sleep(200);
      await vs.page.mouse.move(char.x + char.width / 2, char.y + char.height / 2, { steps: 3 });
      const hover = vs.page.locator('.monaco-hover:not(.hidden) .monaco-hover-content, .monaco-hover:not(.hidden) .hover-contents').first();
      if (!(await hover.waitFor({ state: 'visible', timeout: 4_000 }).then(() => true, () => false))) return undefined;
      await sleep(300); // providers' parts fill in as they resolve
      last = (await vs.page.locator('.monaco-hover:not(.hidden)').first().innerText()).trim();
      return accept(last) ? last : undefined;
    }, 500);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n  last hover text: ${last || '(none)'}`, { cause: e });
  }
}

test('(h, p, g, e) notebook: the hover and the lens take x from an earlier cell and say which; the panel agrees; both follow an edit of the earlier cell', async () => {
  const nb = JSON.parse(vs.doc(REL)) as { cells: Array<{ cell_type: string; source: string[] | string }> };
  const cellText = (c: { source: string[] | string }) => (Array.isArray(c.source) ? c.source.join('') : c.source);
  const at = nb.cells.findIndex((c) => c.cell_type === 'code' && cellText(c).split('\n').includes(LINE));
  assert.ok(at > 0, `${REL} has no code cell with the line ${LINE}`);
  assert.ok(!/^\s*x\s*=/m.test(cellText(nb.cells[at])), 'the dependent cell must not define x itself');
  // The cell above that gives x its value: the last earlier code cell with an `x = torch.tensor([2.0], …)` line.
  const xCell = nb.cells.slice(0, at).map((c, i) => ({ c, i })).filter(({ c }) => c.cell_type === 'code' && /^x = torch\.tensor\(\[2\.0\]/m.test(cellText(c))).pop();
  assert.ok(xCell, 'no earlier cell sets x = torch.tensor([2.0], …)');
  const xCellNo = xCell.i + 1; // cells are counted from 1, markdown ones included, as on screen

  await vs.step('h-open', () => vs.openFile(REL, '.notebook-editor .cell-list-container'));
  await vs.step('h-cell', () => stillLine(LINE, 0, `cell line "${LINE}" drawn`));

  // (h) ∂L/∂x = 2·w²·sin(5)·cos(5)·2x at x = 2, w = 0.5: −0.5440211… (engine: dist/cli.js, lang python).
  const xAt = LINE.indexOf('x**');
  const hovered = await vs.step('h-hover', () => hoverCellChar(LINE, xAt, (t) => /∂L\/∂x/.test(t) && / at [^\n]*\bx = |No value known/.test(t)));
  await vs.screenshot('h-hover-x-from-earlier-cell');
  const flat = hovered.replace(/\s+/g, ' ');
  assert.match(flat, /∂L\/∂x/, `not the derivative of L by x: ${flat}`);
  assert.ok(hasNumber(flat, '-0.544'), `∂L/∂x = −0.544 missing from the hover: ${flat}`);
  assert.match(flat, new RegExp(`x = 2 \\(cell ${xCellNo}, line 1: x = torch\\.tensor\\(\\[2\\.0\\]`), `x is not taken from cell ${xCellNo}: ${flat}`);
  assert.match(flat, /w = 0\.5 \(line 1: w = torch\.tensor\(\[0\.5\]/, `w is not taken from its own cell's line 1: ${flat}`);
  assert.doesNotMatch(flat, /No value known/, flat);

  // (p) The lens on the same line names where each value comes from.
  await vs.page.mouse.move(2, 2);
  await vs.dismissOverlays();
  const line = await vs.step('p-lens', () => stillLine(LINE, 0, `provenance lenses above "${LINE}"`, (l) => l.lenses.some((t) => t.startsWith('x = '))));
  await vs.screenshot('p-provenance-lens');
  assert.ok(line.lenses.includes('Show Backprop Graph'), `lenses: ${JSON.stringify(line.lenses)}`);
  assert.ok(line.lenses.includes(`x = 2 from cell ${xCellNo}`), `lenses: ${JSON.stringify(line.lenses)}`);
  assert.ok(line.lenses.includes('w = 0.5 from line 1'), `lenses: ${JSON.stringify(line.lenses)}`);
  // A cell that stands alone (it sets x itself) gets no provenance lens.
  const own = await vs.step('p-own-cell', () => stillLine('y = torch.sin(x**2 + 1)', 0, 'the cell that defines x itself'));
  assert.deepEqual(own.lenses.filter((t) => / from /.test(t)), [], `a standalone cell got provenance lenses: ${JSON.stringify(own.lenses)}`);

  // (g) The panel from that line's lens: the same values, sources and gradient as the hover.
  await vs.step('g-codelens', () => vs.clickNotebookCellLens(LINE, 'Show Backprop Graph'));
  const inputs = await vs.step('g-inputs', () => vs.waitForGradients({ x: '-0.544', w: '0.9195' }));
  await sleep(800); // let the Mermaid drawing settle before the picture
  await vs.screenshot('g-panel-same-values');
  const x = inputs.find((r) => r.name === 'x')!;
  const w = inputs.find((r) => r.name === 'w');
  assert.equal(x.value, '2');
  assert.match(x.source, new RegExp(`cell ${xCellNo}, line 1: x = torch\\.tensor\\(\\[2\\.0\\]`), `panel's x source: ${x.source}`);
  assert.ok(w, `no input w: ${JSON.stringify(inputs)}`);
  assert.equal(w.value, '0.5');
  assert.match(w.source, /line 1: w = torch\.tensor\(\[0\.5\]/, `panel's w source: ${w.source}`);
  assert.equal(inputs.length, 2, `only x and w are inputs: ${JSON.stringify(inputs)}`);

  // (e) One edit in the earlier cell, typed like a user: click before the 2 of `[2.0]`, select it, type 3.
  const xLine = 'x = torch.tensor([2.0], requires_grad=True)';
  const edited = xLine.replace('[2.0]', '[3.0]');
  await vs.step('e-edit', async () => {
    const { char } = await stillLine(xLine, xLine.indexOf('2.0'), `cell line "${xLine}" on screen`);
    await vs.page.mouse.click(char.x + 1, char.y + char.height / 2);
    await vs.page.keyboard.press('Shift+ArrowRight');
    await vs.page.keyboard.type('3');
    await stillLine(edited, 0, `the edited line "${edited}"`);
  });
  // x = 3: ∂L/∂x = 2·w²·sin(10)·cos(10)·2·3 = 1.3694…, ∂L/∂w = 2·w·sin²(10) = 0.29596… (engine: dist/cli.js).
  const after = await vs.step('e-lens', () => stillLine(LINE, 0, 'the provenance lens after the edit', (l) => l.lenses.includes(`x = 3 from cell ${xCellNo}`)));
  assert.ok(!after.lenses.includes(`x = 2 from cell ${xCellNo}`), `stale lens: ${JSON.stringify(after.lenses)}`);
  const updated = await vs.step('e-panel', () => vs.waitForGradients({ x: '1.369', w: '0.296' }));
  await sleep(800);
  await vs.screenshot('e-after-editing-the-earlier-cell');
  assert.equal(updated.find((r) => r.name === 'x')?.value, '3');
  assert.match(updated.find((r) => r.name === 'x')?.source ?? '', new RegExp(`cell ${xCellNo}, line 1: x = torch\\.tensor\\(\\[3\\.0\\]`));
});
