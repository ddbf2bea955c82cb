import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  documentAssignments, expressionAt, identifiers, isArithmetic, lensSpots, literalValue, scanMarkdown, splitStatements,
} from '../../src/vscode/text/scan';
import { adjustRange, compose, literalSources, parseValueList, toDocOffset, valueListTemplate } from '../../src/vscode/text/compose';
import { functionOp, hoverContext, wordAt } from '../../src/vscode/text/hover-text';
import { latexToMath } from '../../src/vscode/text/latex';

const at = (text: string, marker: string) => {
  const i = text.indexOf(marker);
  assert.ok(i >= 0, `marker ${marker} not in text`);
  return i;
};

test('literalValue reads numbers and one-number tensors, nothing else', () => {
  assert.equal(literalValue('2'), 2);
  assert.equal(literalValue(' -0.8 '), -0.8);
  assert.equal(literalValue('1.5e-3'), 0.0015);
  assert.equal(literalValue('torch.tensor([2.0], requires_grad=True)'), 2);
  assert.equal(literalValue('np.array(3)'), 3);
  assert.equal(literalValue('x + 1'), undefined);
  assert.equal(literalValue('"2"'), undefined);
  assert.equal(literalValue('require("fs")'), undefined);
});

test('isArithmetic: operators and calls over names, never code with strings or require', () => {
  assert.equal(isArithmetic('(x ** 2 + 1) ** 3'), true);
  assert.equal(isArithmetic('Math.tanh(w1 * x)'), true);
  assert.equal(isArithmetic('2'), false);
  assert.equal(isArithmetic('a'), false);
  assert.equal(isArithmetic('require("child_process").execSync("touch /tmp/x")'), false);
  assert.equal(isArithmetic('process.exit()'), false);
  assert.equal(isArithmetic('(x) => x * x'), false);
  assert.equal(isArithmetic('new Foo(1) + 2'), false);
});

test('identifiers skips properties, calls and constants', () => {
  assert.deepEqual(identifiers('Math.tanh(w1 * x) + Math.PI * y + 1e5'), ['w1', 'x', 'y']);
  assert.deepEqual(identifiers('sin(x^2 + 1) * e'), ['x']);
});

test('splitStatements splits at ; and line ends, keeps continued lines and functions whole', () => {
  const text = 'const x = 1; let y = 2\nconst z = x +\n  y;\n// comment\nfunction f(a: number) {\n  return a * 2;\n}\nconst s = "a;b";\n';
  const parts = splitStatements(text).map((s) => s.text);
  assert.deepEqual(parts, ['const x = 1', 'let y = 2', 'const z = x +\n  y', 'function f(a: number) {\n  return a * 2;\n}', 'const s = "a;b"']);
});

test('documentAssignments in TypeScript: literal values with lines, offsets of the right side', () => {
  const text = 'const x = 2;\nlet w1 = 1.2;\nconst y = (x ** 2 + 1) ** 3;\n';
  const as = documentAssignments(text, 'typescript');
  assert.deepEqual(as.map((a) => [a.name, a.literal, a.line]), [['x', 2, 0], ['w1', 1.2, 1], ['y', undefined, 2]]);
  const y = as[2];
  assert.equal(text.slice(y.rhsStart, y.rhsStart + y.rhs.length), '(x ** 2 + 1) ** 3');
  assert.equal(text.slice(y.start, y.end), 'const y = (x ** 2 + 1) ** 3');
});

test('scanMarkdown finds math/ts fences, $$ blocks and inline math with content offsets', () => {
  const text = [
    '# Lesson', 'Let $x = 2$ and `w = 3`.', '```math', '(x^2 + 1)^3', '```', '$$', 'sin(x^2 + 1)', '$$',
    '```ts', 'const y = x ** 3 + 2 * x;', '```', '```python', 'x = 1.0', '```', 'Costs $5 and $10 here.',
  ].join('\n');
  const blocks = scanMarkdown(text);
  const shown = blocks.map((b) => [b.kind, b.lang, text.slice(b.start, b.end), b.line]);
  assert.deepEqual(shown, [
    ['inline', 'math', 'x = 2', 1],
    ['code', undefined, 'w = 3', 1],
    ['fence', 'math', '(x^2 + 1)^3', 2],
    ['display', 'math', 'sin(x^2 + 1)', 5],
    ['fence', 'ts', 'const y = x ** 3 + 2 * x;', 8],
    ['fence', 'python', 'x = 1.0', 11],
  ]);
  const as = documentAssignments(text, 'markdown');
  assert.deepEqual(as.map((a) => [a.name, a.literal, a.lang]), [['x', 2, 'math'], ['w', 3, 'math'], ['y', undefined, 'ts'], ['x', 1, 'python']]);
});

test('expressionAt: the markdown block at the cursor, the TypeScript statement, the line elsewhere', () => {
  const md = 'Text\n```math\nx = 2\n(x^2+1)^3\n```\nmore';
  const t = expressionAt(md, at(md, '(x^2'), 'markdown')!;
  assert.equal(md.slice(t.start, t.end), 'x = 2\n(x^2+1)^3');
  assert.equal(t.lang, 'math');
  assert.equal(expressionAt(md, at(md, 'more'), 'markdown'), undefined);
  const ts = 'const x = 2;\nconst y = x * x;\nfunction f(a) {\n  return a;\n}\n';
  const s = expressionAt(ts, at(ts, 'x * x'), 'typescript')!;
  assert.equal(ts.slice(s.start, s.end), 'const y = x * x');
  const plain = 'a = 1\n  sin(a) * 2  \n';
  const p = expressionAt(plain, at(plain, 'sin'), 'plaintext')!;
  assert.equal(plain.slice(p.start, p.end), 'sin(a) * 2');
});

test('compose prepends the statements a target depends on, and maps offsets back', () => {
  const doc = 'const x = 1;\nconst w1 = 1.2;\nconst w2 = -0.8;\nconst target = 0.5;\nconst unused = x * 9;\nconst h = Math.tanh(w1 * x);\nconst y = w2 * h;\nconst L = 0.5 * (y - target) ** 2;\n';
  const as = documentAssignments(doc, 'typescript');
  const L = as.find((a) => a.name === 'L')!;
  const c = compose(doc, { start: L.start, end: L.end }, 'ts', as, ['y', 'target']);
  assert.equal(c.text, 'const h = Math.tanh(w1 * x);\nconst y = w2 * h;\nconst L = 0.5 * (y - target) ** 2');
  assert.deepEqual(Object.fromEntries(Object.entries(c.values).map(([k, v]) => [k, v.value])), { target: 0.5, w2: -0.8, w1: 1.2, x: 1 });
  assert.equal(c.values.w1.source, 'line 2: const w1 = 1.2');
  // An offset inside `w2 * h` in the composed text lands on the same characters in the document.
  const inComposed = c.text.indexOf('w2 * h');
  const inDoc = toDocOffset(c.segments, inComposed);
  assert.equal(doc.slice(inDoc, inDoc + 6), 'w2 * h');
  const inTarget = toDocOffset(c.segments, c.text.indexOf('(y - target)'));
  assert.equal(doc.slice(inTarget, inTarget + 12), '(y - target)');
});

test('compose uses only assignments before the target and of its language', () => {
  const doc = 'y = x + 1\nx = 2\n';
  const as = documentAssignments(doc, 'plaintext');
  const y = as[0];
  const c = compose(doc, { start: y.start, end: y.end }, 'math', as, ['x']);
  assert.deepEqual({ ...c.values }, {}); // values has no prototype (document names such as constructor find nothing)
  assert.equal(c.text, 'y = x + 1');
});

test('literalSources names literal assignments inside the target', () => {
  const md = '```math\nx = 2\n(x^2+1)^3\n```';
  const as = documentAssignments(md, 'markdown');
  const t = expressionAt(md, 10, 'markdown')!;
  assert.deepEqual(literalSources(as, t), { x: 'line 2: x = 2' });
});

test('parseValueList reads name=number lists and reports what it cannot read', () => {
  assert.deepEqual(parseValueList('x=1, w = -0.5; b:2'), { values: { x: 1, w: -0.5, b: 2 } });
  assert.ok('error' in parseValueList('x=1, w='));
  assert.ok('error' in parseValueList('x=abc'));
  assert.ok('error' in parseValueList('x 1'));
  assert.equal(valueListTemplate(['x', 'w'], { w: 3 }), 'x=1, w=3');
});

test('adjustRange follows the tracked text through edits before, inside and after it', () => {
  const r = { start: 10, end: 20 };
  assert.deepEqual(adjustRange(r, [{ rangeOffset: 0, rangeLength: 0, text: 'abc' }]), { start: 13, end: 23 });
  assert.deepEqual(adjustRange(r, [{ rangeOffset: 12, rangeLength: 2, text: '' }]), { start: 10, end: 18 });
  assert.deepEqual(adjustRange(r, [{ rangeOffset: 25, rangeLength: 3, text: 'x' }]), { start: 10, end: 20 });
  assert.deepEqual(adjustRange(r, [{ rangeOffset: 20, rangeLength: 0, text: '+1' }]), { start: 10, end: 22 });
  assert.deepEqual(adjustRange(r, [{ rangeOffset: 5, rangeLength: 5, text: '' }]), { start: 5, end: 15 });
  // Two changes in one event, both relative to the old text.
  assert.deepEqual(adjustRange(r, [{ rangeOffset: 0, rangeLength: 0, text: 'a' }, { rangeOffset: 15, rangeLength: 0, text: 'bb' }]), { start: 11, end: 23 });
});

test('lensSpots: markdown fences and $$ blocks, TypeScript arithmetic assignments, never refused code', () => {
  const md = '# L\n```math\n(x^2+1)^3\n```\n$$\nsin(x)\n$$\n```ts\nconst a = require("child_process").execSync("touch /tmp/p");\nconst y = x * 2;\n```\n```\nplain\n```\n```python\ny = x ** 2\n```';
  assert.deepEqual(lensSpots(md, 'markdown').map((s) => [s.line, s.lang]), [[1, 'math'], [4, 'math'], [7, 'ts'], [14, 'python']]);
  const py = 'import torch\nx = torch.tensor([2.0], requires_grad=True)\ny = torch.sin(x**2 + 1)  # chain rule\nprint(x.grad)\n';
  assert.deepEqual(lensSpots(py, 'python').map((s) => [s.line, s.label]), [[2, 'y']]);
  const ts = 'const x = 2;\nconst y = (x ** 2 + 1) ** 3;\nconst r = require("child_process").execSync("touch /tmp/p");\nprocess.exit();\nfunction f() {\n  const inner = x * 2;\n}\n';
  assert.deepEqual(lensSpots(ts, 'typescript').map((s) => [s.line, s.label]), [[1, 'y']]);
});

test('wordAt and functionOp: qualified math calls map to ops, other calls do not', () => {
  const t = 'const h = Math.tanh(w1 * x) + require("x")';
  const tanh = wordAt(t, at(t, 'tanh') + 1)!;
  assert.deepEqual([tanh.word, tanh.qualifier, tanh.call], ['tanh', 'Math', true]);
  assert.equal(functionOp(tanh), 'tanh');
  const w1 = wordAt(t, at(t, 'w1'))!;
  assert.equal(w1.word, 'w1');
  assert.equal(functionOp(w1), undefined);
  assert.equal(functionOp(wordAt(t, at(t, 'require'))!), undefined);
  assert.equal(functionOp(wordAt('sigmoid(z)', 2)!), 'sigmoid');
  assert.equal(functionOp(wordAt('os.exp(z)', 4)!), undefined);
});

test('hoverContext: the right side of the statement under the cursor', () => {
  const ts = 'const x = 2;\nconst y = (x ** 2 + 1) ** 3;\nfunction f(a: number) {\n  const b = a * a; return b + 1;\n}\n';
  const c = hoverContext(ts, at(ts, 'x ** 2'), 'typescript')!;
  assert.equal(ts.slice(c.exprStart, c.exprEnd), '(x ** 2 + 1) ** 3');
  assert.equal(c.assigned, 'y');
  const inner = hoverContext(ts, at(ts, 'a * a'), 'typescript')!;
  assert.equal(ts.slice(inner.exprStart, inner.exprEnd), 'a * a');
  const ret = hoverContext(ts, at(ts, 'b + 1'), 'typescript')!;
  assert.equal(ts.slice(ret.exprStart, ret.exprEnd), 'b + 1');
  const md = 'x is $x = 2$.\n```math\n(x^2+1)^3\n```';
  const m = hoverContext(md, at(md, 'x^2'), 'markdown')!;
  assert.equal(md.slice(m.exprStart, m.exprEnd), '(x^2+1)^3');
  assert.equal(m.lang, 'math');
  assert.equal(hoverContext('plain words', 3, 'markdown'), undefined);
});

test('several declarators in one statement are separate assignments; composing one keeps its keyword', () => {
  const doc = 'const x = 1, w1 = 1.2, f = (a, b) => a;\nconst h = Math.tanh(w1 * x), y = h * 2;\nconst L = y * y;\n';
  const as = documentAssignments(doc, 'typescript');
  assert.deepEqual(as.map((a) => [a.name, a.literal, a.rhs]), [
    ['x', 1, '1'], ['w1', 1.2, '1.2'], ['f', undefined, '(a, b) => a'], ['h', undefined, 'Math.tanh(w1 * x)'], ['y', undefined, 'h * 2'], ['L', undefined, 'y * y'],
  ]);
  assert.equal(as[1].text, 'w1 = 1.2');
  const L = as[5];
  const c = compose(doc, { start: L.start, end: L.end }, 'ts', as, ['y']);
  assert.equal(c.text, 'const h = Math.tanh(w1 * x);\nconst y = h * 2;\nconst L = y * y');
  assert.equal(c.values.w1.source, 'line 1: w1 = 1.2');
  const at = toDocOffset(c.segments, c.text.indexOf('h * 2'));
  assert.equal(doc.slice(at, at + 5), 'h * 2');
  assert.deepEqual(lensSpots(doc, 'typescript').map((s) => s.label), ['h, y', 'L']);
});

test('latexToMath rewrites common LaTeX offset for offset', () => {
  const src = '\\sin(x^{2} + 1) \\cdot \\left(x\\right)';
  const out = latexToMath(src);
  assert.equal(out.length, src.length);
  assert.equal(out.replace(/\s+/g, ''), 'sin(x^(2)+1)*(x)');
  assert.equal(latexToMath('x^2 + 1'), 'x^2 + 1');
});
