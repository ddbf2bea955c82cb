/**
 * The engine's symbolic derivative (symbolic/derive.ts with the op table's rules, printed by symbolic/algebra.ts).
 * Checked by form (textbook text on each op family), by value (the printed text, read back by a test-only reader,
 * and the tree, both equal the tape's gradient at random points), and against mathjs `derivative` as an oracle.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { derivative as mathjsDerivative, parse as mathjsParse } from 'mathjs';
import { analyze, parseProgram, type Lang, type Program } from '../../src/host/engine';
import { deriveProgram, derivativeExpression } from '../../src/engine/symbolic/derive';
import { evaluate } from '../../src/engine/symbolic/evaluate';
import { evaluatePrinted } from './printed-syntax';

function program(text: string, lang: Lang = 'math'): Program {
  const r = parseProgram(text, lang);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.value;
}

function derivative(text: string, v: string, lang: Lang = 'math'): string {
  const d = deriveProgram(program(text, lang), v);
  assert.ok(d.derivative !== undefined, `no derivative of ${text}: ${JSON.stringify(d)}`);
  return d.derivative;
}

/** One expression per op family, with the derivative each prints, the variable and where its values are drawn. */
export const FAMILIES: { family: string; text: string; lang: Lang; variable: string; derivative: string; ranges: Record<string, [number, number]> }[] = [
  { family: 'tanh', text: 'Math.tanh(w1 * x)', lang: 'ts', variable: 'w1', derivative: 'x·(1 − tanh²(w1·x))', ranges: { w1: [-2, 2], x: [-2, 2] } },
  { family: 'sigmoid', text: 'sigmoid(w*x + b)', lang: 'math', variable: 'w', derivative: 'x·σ(w·x + b)·(1 − σ(w·x + b))', ranges: { w: [-2, 2], x: [-2, 2], b: [-1, 1] } },
  { family: 'relu', text: 'relu(w*x + b)', lang: 'math', variable: 'w', derivative: 'x·(w·x + b > 0 ? 1 : 0)', ranges: { w: [-2, 2], x: [-2, 2], b: [-1, 1] } },
  { family: 'log', text: 'log(x^2 + 1)', lang: 'math', variable: 'x', derivative: '2x/(x² + 1)', ranges: { x: [-3, 3] } },
  { family: 'pow', text: '(x^2+1)^3', lang: 'math', variable: 'x', derivative: '6x·(x² + 1)²', ranges: { x: [-2, 2] } },
  { family: 'division', text: 'x / y', lang: 'math', variable: 'y', derivative: '−x/y²', ranges: { x: [-3, 3], y: [0.5, 3] } },
  {
    family: '2-layer net', lang: 'ts', variable: 'w1',
    text: 'const h = Math.tanh(w1 * x + b1);\nconst y = w2 * h + b2;\nconst L = 0.5 * (y - t) ** 2;',
    derivative: 'w2·x·(1 − tanh²(w1·x + b1))·(w2·tanh(w1·x + b1) + b2 − t)',
    ranges: { w1: [-1, 1], x: [-2, 2], b1: [-1, 1], w2: [-1, 1], b2: [-1, 1], t: [-1, 1] },
  },
];

test('each op family prints its textbook derivative', () => {
  for (const f of FAMILIES) assert.equal(derivative(f.text, f.variable, f.lang), f.derivative, f.family);
});

test('more forms: no `· 1`, `+ 0`, sech or exp where a textbook has none; kinks as conditions', () => {
  assert.equal(derivative('x*x*x', 'x'), '3x²');
  assert.equal(derivative('sin(x)*cos(x)', 'x'), 'cos²(x) − sin²(x)');
  assert.equal(derivative('sqrt(x^2+y^2)', 'x'), 'x/√(x² + y²)');
  assert.equal(derivative('sqrt(x)', 'x'), '1/(2√x)');
  assert.equal(derivative('sigmoid(x)', 'x'), 'σ(x)·(1 − σ(x))');
  assert.equal(derivative('tanh(x)', 'x'), '1 − tanh²(x)');
  assert.equal(derivative('softplus(x)', 'x'), 'σ(x)');
  assert.equal(derivative('log(1 + exp(x))', 'x'), 'exp(x)/(1 + exp(x))');
  assert.equal(derivative('2^x', 'x'), '2^x·ln(2)');
  assert.equal(derivative('e^x', 'x'), 'e^x');
  assert.equal(derivative('x - x', 'x'), '0');
  assert.equal(derivative('w2 * h', 'w2'), 'h');
  assert.equal(derivative('0.5 * (y - target) ** 2 + 0.01 * (w1 ** 2 + w2 ** 2)', 'w1', 'ts'), '0.02·w1');
  assert.equal(derivative('0.5 * (y - target) ** 2', 'y', 'ts'), 'y − target');
  assert.equal(derivative('max(x, 1)', 'x'), 'x ≥ 1 ? 1 : 0');
  assert.equal(derivative('Math.max(x, 1)', 'x', 'ts'), 'x ≥ 1 ? 1 : 0');
  assert.equal(derivative('min(x, y)', 'y'), 'x > y ? 1 : 0');
  assert.equal(derivative('abs(x)', 'x'), 'x > 0 ? 1 : x < 0 ? −1 : 0');
  assert.equal(derivative('relu(x) + x', 'x'), '(x > 0 ? 1 : 0) + 1');
  // Bound names in a program are substituted; a first literal binding stays an input (as in the tracer).
  assert.equal(derivative('a = 2\nb = a * x\nb ^ 2', 'x'), '2x·a²');
  // A hand-written MLP: numbers fold, nothing prints as `0.1 * 1 + 0 + 0`.
  assert.equal(derivative('const h1 = Math.tanh(0.1 * x + 0.2 * y);\nconst out = 0.5 * h1 + 0.3;\nout', 'x', 'ts'), '0.05·(1 − tanh²(0.1·x + 0.2·y))');
  for (const f of FAMILIES) {
    const d = derivative(f.text, f.variable, f.lang);
    assert.doesNotMatch(d, /sech|·1\b|\+ 0\b|\* 1\b/, f.family);
    if (f.family === 'sigmoid') assert.doesNotMatch(d, /exp/);
  }
});

test('matrix programs, oversized and overgrown input say why there is no derivative, quickly', () => {
  assert.match(deriveProgram(program('sum([x, 2] * 3)'), 'x').unavailable ?? '', /matrix/);
  assert.match(deriveProgram(program(Array.from({ length: 3000 }, (_, i) => `x^${i}`).join(' + ')), 'x').unavailable ?? '', /too long/);
  // Each line doubles the inlined expression: stopped by the size bound, not by memory.
  const doubling = ['a0 = sin(x)', ...Array.from({ length: 40 }, (_, i) => `a${i + 1} = sin(a${i}) + a${i}`)].join('\n');
  assert.match(deriveProgram(program(doubling), 'x').unavailable ?? '', /too long/);
  assert.match(deriveProgram(program(`${'sin('.repeat(300)}x${')'.repeat(300)}`), 'x').unavailable ?? '', /too long|nested/);
});

function randomValues(ranges: Record<string, [number, number]>, random: () => number): Record<string, number> {
  return Object.fromEntries(Object.entries(ranges).map(([name, [lo, hi]]) => [name, lo + (hi - lo) * random()]));
}

test('each op family: the printed derivative and its tree equal the tape\'s gradient at 3 random points', () => {
  fc.assert(fc.property(fc.constantFrom(...FAMILIES), fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true })), (f, stream) => {
    const it = stream[Symbol.iterator]();
    const values = randomValues(f.ranges, () => it.next().value as number);
    const r = analyze(f.text, { lang: f.lang, values, gradCheck: false, symbolic: true });
    assert.ok(r.ok);
    const want = r.value.gradients[f.variable];
    const text = r.value.symbolic!.find((s) => s.variable === f.variable)!.derivative!;
    const tree = evaluate(derivativeExpression(program(f.text, f.lang), f.variable)!, values);
    const printed = evaluatePrinted(text, values);
    for (const got of [tree, printed]) assert.ok(Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want)), `${f.family} at ${JSON.stringify(values)}: ${text} = ${got}, tape ${want}`);
  }), { numRuns: FAMILIES.length * 3 * 4, seed: 11 });
});

const VARS = ['x', 'y', 'w'];
const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...VARS),
    fc.constantFrom('1', '2', '0.5', '3', 'pi'),
    fc.tuple(tie('e'), fc.constantFrom('+', '-', '*', '/'), tie('e')).map(([a, op, b]) => `(${a} ${op} ${b})`),
    fc.tuple(tie('e'), fc.constantFrom('2', '3', '-1', '0.5', 'y')).map(([a, p]) => `(${a})^${p}`),
    fc.tuple(fc.constantFrom('sin', 'cos', 'tanh', 'exp', 'sigmoid', 'softplus', 'atan', 'sinh', 'square', '-', 'relu', 'abs'), tie('e')).map(([f, a]) => `${f}(${a})`),
    fc.tuple(fc.constantFrom('log', 'sqrt', 'log2', 'log10', 'cbrt'), tie('e')).map(([f, a]) => `${f}(1 + (${a})^2)`),
    fc.tuple(fc.constantFrom('hypot', 'max', 'min'), tie('e'), tie('e')).map(([f, a, b]) => `${f}(${a}, ${b})`),
  ),
})).e;
const point = fc.double({ min: 0.3, max: 1.7, noNaN: true });

test('generated expressions: the printed derivative reads back to the tape\'s gradient', () => {
  fc.assert(fc.property(expr, fc.constantFrom(...VARS), fc.tuple(point, point, point), (text, v, [x, y, w]) => {
    const d = deriveProgram(program(text), v);
    if (d.derivative === undefined) { assert.match(d.unavailable ?? '', /too long/, text); return; }
    const values = { x, y, w };
    const r = analyze(text, { lang: 'math', values, gradCheck: false });
    assert.ok(r.ok);
    const want = r.value.gradients[v] ?? 0;
    if (!Number.isFinite(want) || Math.abs(want) > 1e8) return; // overflowed or singular points say nothing
    const got = evaluatePrinted(d.derivative, values);
    assert.ok(Math.abs(got - want) <= 1e-7 * Math.max(1, Math.abs(want)), `d/d${v} ${text} = ${d.derivative}: ${got}, tape ${want}`);
  }), { numRuns: 400, seed: 7 });
});

/** Our staples in forms mathjs differentiates (the oracle only; the product never calls mathjs derivative). */
const mathjsForm = (text: string) => text.replace(/sigmoid\(/g, '1/1+exp(-1*').replace(/\bsoftplus\(([^()]*)\)/g, 'log(1 + exp($1))');

test('oracle: mathjs `derivative` agrees in value on smooth lesson expressions', () => {
  const cases = ['(x^2+1)^3', 'sin(x^2+1)', 'tanh(w*x)', 'log(x^2 + 1)', 'x / y', 'sqrt(x^2 + y^2)', 'exp(x) * 2^x', 'atan(x) + cos(x*y)', 'x^y'];
  for (const text of cases) {
    for (const v of ['x', 'y', 'w']) {
      const d = deriveProgram(program(text), v);
      if (!text.includes(v)) continue;
      const oracle = mathjsDerivative(mathjsParse(mathjsForm(text)), v).compile();
      for (const [x, y, w] of [[0.7, 1.3, 0.4], [1.6, 0.5, -0.9]]) {
        const ours = evaluatePrinted(d.derivative!, { x, y, w });
        const theirs = oracle.evaluate({ x, y, w }) as number;
        assert.ok(Math.abs(ours - theirs) <= 1e-9 * Math.max(1, Math.abs(theirs)), `d/d${v} ${text}: ${d.derivative} = ${ours}, mathjs ${theirs}`);
      }
    }
  }
});
