/**
 * derive.ts: the hover's symbolic derivatives. Checked by value (mathjs evaluates the printed text; the tape's
 * backward pass gives the reference gradient) and by form on a few lesson expressions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse } from 'mathjs';
import { analyze, parseProgram, type Lang, type Program } from '../../src/host/engine';
import { deriveProgram } from '../../src/engine/symbolic/derive';

function program(text: string, lang: Lang = 'math'): Program {
  const r = parseProgram(text, lang);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.value;
}

function derivative(text: string, v: string, lang: Lang = 'math'): string {
  const d = deriveProgram(program(text, lang), v);
  assert.ok(d?.derivative !== undefined, `no derivative of ${text}: ${JSON.stringify(d)}`);
  return d.derivative;
}

test('lesson expressions come out tidy', () => {
  assert.equal(derivative('(x^2+1)^3', 'x'), '6 * x * (x ^ 2 + 1) ^ 2');
  assert.equal(derivative('0.5 * (y - target) ** 2 + 0.01 * (w1 ** 2 + w2 ** 2)', 'w1', 'ts'), '0.02 * w1');
  assert.equal(derivative('0.5 * (y - target) ** 2', 'y', 'ts'), 'y - target');
  assert.equal(derivative('Math.tanh(w1 * x)', 'w1', 'ts'), 'x * (1 - tanh(w1 * x) ^ 2)');
  assert.equal(derivative('x*x*x', 'x'), '3 * x ^ 2');
  assert.equal(derivative('sin(x)*cos(x)', 'x'), 'cos(x) ^ 2 - sin(x) ^ 2');
  assert.equal(derivative('x/y', 'y'), '-x / y ^ 2');
  assert.equal(derivative('sqrt(x^2+y^2)', 'x'), 'x / sqrt(x ^ 2 + y ^ 2)');
  assert.equal(derivative('log(1 + exp(x))', 'x'), 'exp(x) / (1 + exp(x))');
  assert.equal(derivative('2^x', 'x'), 'log(2) * 2 ^ x');
  assert.equal(derivative('e^x', 'x'), 'e ^ x');
  assert.equal(derivative('x - x', 'x'), '0');
  assert.equal(derivative('w2 * h', 'w2'), 'h');
  // Bound names in a program are substituted; a first literal binding stays an input (as in the tracer).
  assert.equal(derivative('a = 2\nb = a * x\nb ^ 2', 'x'), '2 * x * a ^ 2');
});

test('non-smooth functions say so; matrix programs and oversized input are left to mathjs', () => {
  assert.match(deriveProgram(program('relu(x) + x'), 'x')?.unavailable ?? '', /relu\(\) \(not smooth\)/);
  assert.match(deriveProgram(program('Math.max(x, 1)', 'ts'), 'x')?.unavailable ?? '', /max\(\)/);
  assert.equal(deriveProgram(program('sum([x, 2] * 3)'), 'x'), undefined);
  assert.equal(deriveProgram(program(Array.from({ length: 300 }, (_, i) => `x^${i}`).join(' + ')), 'x'), undefined);
  assert.equal(deriveProgram(program(`${'sin('.repeat(80)}x${')'.repeat(80)}`), 'x'), undefined);
});

const VARS = ['x', 'y', 'w'];
const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...VARS),
    fc.constantFrom('1', '2', '0.5', '3', 'pi'),
    fc.tuple(tie('e'), fc.constantFrom('+', '-', '*', '/'), tie('e')).map(([a, op, b]) => `(${a} ${op} ${b})`),
    fc.tuple(tie('e'), fc.constantFrom('2', '3', '-1', '0.5', 'y')).map(([a, p]) => `(${a})^${p}`),
    fc.tuple(fc.constantFrom('sin', 'cos', 'tanh', 'exp', 'sigmoid', 'softplus', 'atan', 'sinh', 'square', '-'), tie('e')).map(([f, a]) => `${f}(${a})`),
    fc.tuple(fc.constantFrom('log', 'sqrt', 'log2', 'log10', 'cbrt'), tie('e')).map(([f, a]) => `${f}(1 + (${a})^2)`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `hypot(${a}, ${b})`),
  ),
})).e;

test('generated expressions: the derivative text evaluates to the tape\'s gradient', () => {
  fc.assert(fc.property(expr, fc.constantFrom(...VARS), fc.tuple(fc.double({ min: 0.3, max: 1.7, noNaN: true }), fc.double({ min: 0.3, max: 1.7, noNaN: true }), fc.double({ min: 0.3, max: 1.7, noNaN: true })), (text, v, [x, y, w]) => {
    const p = program(text);
    const d = deriveProgram(p, v);
    assert.ok(d?.derivative !== undefined, `${text}: ${JSON.stringify(d)}`);
    const values = { x, y, w };
    const r = analyze(text, { lang: 'math', values, gradCheck: false });
    assert.ok(r.ok);
    const want = r.value.gradients[v] ?? 0;
    const got = Number(parse(d.derivative).evaluate({ ...values }));
    if (!Number.isFinite(want) || Math.abs(want) > 1e8) return; // overflowed or singular points say nothing
    assert.ok(Math.abs(got - want) <= 1e-7 * Math.max(1, Math.abs(want)), `d/d${v} ${text} = ${d.derivative}: ${got}, tape ${want}`);
  }), { numRuns: 400, seed: 7 });
});
