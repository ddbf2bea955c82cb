/**
 * computeHover (src/vscode/text/hover-compute.ts): the lines a derivative hover shows, without vscode. The
 * expected numbers are computed here from the formulas, not copied from the output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePrinted } from './printed-syntax';
import * as engine from '../../src/host/engine';
import { computeHover, type HoverRequest } from '../../src/vscode/text/hover-compute';

function hover(text: string, languageId: string, needle: string, plus = 0, extra: Partial<HoverRequest> = {}) {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, needle);
  return computeHover({
    text, offset: at + plus, languageId, uri: 'file:///lessons/t', isLesson: () => true, remembered: {}, digits: 4,
    engine: () => engine, ...extra,
  });
}

/** The number between ** ** on the "= …" line (or the "**dL/dw1** = …" line of a total derivative). */
function shownNumber(line: string): number {
  const m = /^(?:\*\*d\w*\/d\w+\*\* )?= \*\*(-?[\d.e+-]+)\*\*/.exec(line);
  assert.ok(m, line);
  return Number(m[1]);
}

const DAY05 = 'const x = 1;\nconst w1 = 1.2;\nconst w2 = -0.8;\nconst target = 0.5;\nconst h = Math.tanh(w1 * x);\nconst y = w2 * h;\nconst L = 0.5 * (y - target) ** 2 + 0.01 * (w1 ** 2 + w2 ** 2);\n';

test('bench case 1: w1 in the day05 loss line: ∂L/∂w1 of the line, the total derivative at the declared values', () => {
  const shown = hover(DAY05, 'typescript', 'w1 ** 2');
  assert.ok(shown);
  assert.equal(DAY05.slice(shown.start, shown.end), 'w1');
  const [head, value, uses, link] = shown.lines;
  // The formula is this line's own partial derivative (y held fixed); the number is the total derivative.
  assert.equal(head, '**∂L/∂w1** = `0.02·w1` (this line only, y held fixed)');
  // L = ½(y − t)² + 0.01(w1² + w2²), y = w2·tanh(w1·x): dL/dw1 = (y − t)·w2·(1 − tanh²(w1·x))·x + 0.02·w1.
  const h = Math.tanh(1.2 * 1);
  const y = -0.8 * h;
  const dLdw1 = (y - 0.5) * -0.8 * (1 - h * h) * 1 + 0.02 * 1.2;
  const L = 0.5 * (y - 0.5) ** 2 + 0.01 * (1.2 ** 2 + 0.8 ** 2);
  assert.equal(shownNumber(value), Number(dLdw1.toPrecision(4)));
  assert.ok(Math.abs(shown.gradient! - dLdw1) <= 1e-12, `gradient ${shown.gradient} vs ${dLdw1}`);
  assert.ok(value.includes(`; L = ${Number(L.toPrecision(4))}`), value);
  assert.match(value, /^\*\*dL\/dw1\*\* = \*\*-?[\d.]+\*\* in total \(also through h, y\) at /);
  assert.match(value, /w1 = 1\.2 \(line 2: const w1 = 1\.2\)/);
  assert.match(value, /target = 0\.5 \(line 4: const target = 0\.5\)/);
  assert.equal(uses, 'Uses `line 5: const h = Math.tanh(w1 * x)`, `line 6: const y = w2 * h`.');
  const args = JSON.parse(decodeURIComponent(/command:backpropGraph\.show\?([^)]*)\)/.exec(link)![1]));
  assert.deepEqual(args, [{ uri: 'file:///lessons/t', start: DAY05.indexOf('const L'), end: DAY05.length - 2, lang: 'ts' }]);
});

test('bench case 2: x in a markdown math fence: 6x(x²+1)², = 300 at x = 2 from the page', () => {
  const doc = '# Chain rule\n\n```math\nx = 2\ny = (x^2+1)^3\n```\n';
  const shown = hover(doc, 'markdown', 'x^2');
  assert.ok(shown);
  const [head, value] = shown.lines;
  const m = /^\*\*∂y\/∂x\*\* = `(.+)`$/.exec(head);
  assert.ok(m, head);
  for (const x of [-1.5, 0.5, 3]) {
    const want = 6 * x * (x * x + 1) ** 2;
    assert.ok(Math.abs(evaluatePrinted(m[1], { x }) - want) <= 1e-9 * Math.abs(want), `${m[1]} at ${x}`);
  }
  assert.equal(value, `= **${6 * 2 * (2 * 2 + 1) ** 2}** at x = 2 (line 4: x = 2); y = ${(2 * 2 + 1) ** 3}`);
});

test('every variable on the day05 lines: the number is the derivative worked out by hand', () => {
  const h = Math.tanh(1.2);
  const cases: [string, number, number][] = [
    ['w1 * x', 0, 1 * (1 - h * h)], // ∂h/∂w1 = x·(1 − tanh²)
    ['w2 * h', 0, h], // ∂y/∂w2 = h
    ['(y - target)', 1, (-0.8 * h - 0.5)], // ∂L/∂y = y − t (y is computed above: its node's gradient)
  ];
  for (const [needle, plus, want] of cases) {
    const shown = hover(DAY05, 'typescript', needle, plus);
    assert.ok(shown, needle);
    assert.equal(shownNumber(shown.lines[1]), Number(want.toPrecision(4)), `${needle}: ${shown.lines[1]}`);
  }
});

test('function calls show their local rule; non-math calls say they are never run', () => {
  const rule = hover('const h = Math.tanh(w1 * x);\n', 'typescript', 'tanh', 1);
  assert.deepEqual(rule?.lines[0], '**Math.tanh** — local derivative: `d/du tanh(u) = 1 − tanh²(u)`');
  const exec = hover('const out = require("child_process").execSync("ls");\n', 'typescript', 'execSync', 2);
  assert.match(exec?.lines[0] ?? '', /not a math function it can trace.*never runs it/);
  assert.equal(hover('const out = require("child_process").execSync("ls");\n', 'typescript', 'execSync', 2, { isLesson: () => false }), undefined);
});

test('missing values, remembered values, refusals with line:col, and TypeScript the lite parser leaves to the compiler', () => {
  const missing = hover('const y = a * b;\n', 'typescript', 'a *');
  assert.equal(missing?.lines[0], '**∂y/∂a** = `b`');
  assert.match(missing?.lines[1] ?? '', /^No value known for `a`, `b`/);

  const remembered = hover('const y = w * 3;\n', 'typescript', 'w *', 0, { remembered: { w: 2 } });
  assert.equal(remembered?.lines[1], '= **3** at w = 2 (remembered, entered earlier); y = 6');

  const doc = 'const k = 1;\nconst y = x % 2;\n';
  const refused = hover(doc, 'typescript', 'x %');
  const col = doc.indexOf('%') - doc.indexOf('const y') + 1;
  assert.equal(refused?.lines[0], `Backprop Graph cannot trace this statement (2:${col}): \`unsupported in TypeScript: remainder operator '%'\`. Nothing was run.`);
  // The same refusal in ordinary code: no hover at all.
  assert.equal(hover(doc, 'typescript', 'x %', 0, { isLesson: () => false }), undefined);

  // `as number` is outside the lite parser: the TypeScript compiler reads it, with the same result.
  const typed = hover('const w = 2;\nconst y = (w as number) * x ** 2;\n', 'typescript', 'x ** 2', 0, { remembered: { x: 3 } });
  assert.equal(typed?.lines[0], '**∂y/∂x** = `2w·x`');
  assert.equal(typed?.lines[1], `= **${2 * 2 * 3}** at w = 2 (line 1: const w = 2), x = 3 (remembered, entered earlier); y = ${2 * 3 ** 2}`);
});

test('Python and sigmoid: derivative text and number agree with the formulas', () => {
  const py = hover('x = 3\ny = x ** 2\n', 'python', 'x **');
  assert.equal(py?.lines[0], '**∂y/∂x** = `2x`');
  assert.equal(py?.lines[1], '= **6** at x = 3 (line 1: x = 3); y = 9');

  const doc = '```math\nw = 0.5\nx = 2\nb = -1\nz = sigmoid(w*x + b)\n```\n';
  const shown = hover(doc, 'markdown', 'w*x');
  assert.ok(shown);
  const m = /^\*\*∂z\/∂w\*\* = `(.+)`$/.exec(shown.lines[0]);
  assert.ok(m, shown.lines[0]);
  const s = 1 / (1 + Math.exp(-(0.5 * 2 - 1)));
  const want = s * (1 - s) * 2; // σ'(u)·x
  assert.ok(Math.abs(evaluatePrinted(m[1], { w: 0.5, x: 2, b: -1 }) - want) < 1e-12, m[1]);
  assert.equal(shownNumber(shown.lines[1]), Number(want.toPrecision(4)));
});

test('no hover outside math, on the assigned name, or when cancelled', () => {
  assert.equal(hover('# Title\n\nBackpropagation is the chain rule.\n', 'markdown', 'chain', 1), undefined);
  assert.equal(hover(DAY05, 'typescript', 'L = 0.5', 0), undefined);
  assert.equal(hover(DAY05, 'typescript', 'w1 ** 2', 0, { cancelled: () => true }), undefined);
});
