/**
 * The hand-written math parser against mathjs, which is now a test-only oracle: for generated expressions the
 * traced value equals mathjs's `evaluate`, and the IR (ops, argument order, names, labels, spans) equals what the
 * previous mathjs-based converter built. Also: refusals keep their kind, deep input is an error, and the product
 * bundles carry no mathjs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { all, create } from 'mathjs';
import { analyze } from '../../src/host/engine';
import { parseMath } from '../../src/engine/index';
import { BackpropError } from '../../src/engine/base/errors';
import { LIMITS } from '../../src/engine/base/limits';
import { parseMathWithMathjs } from './math-mathjs-oracle';
import { close } from './helpers';

/** mathjs with real results only (sqrt(-1) is NaN, not a complex number), like the engine. */
const { evaluate } = create(all, { predictable: true });

type Outcome = { ok: true; program: unknown } | { ok: false; code: string; message: string; where?: string };

function outcome(parse: (text: string) => unknown, text: string): Outcome {
  try {
    return { ok: true, program: JSON.parse(JSON.stringify(parse(text))) };
  } catch (e) {
    if (!(e instanceof BackpropError)) throw e;
    return { ok: false, code: e.code, message: e.message, where: e.span ? `${e.span.line}:${e.span.col}` : undefined };
  }
}

/** Inputs both parsers must agree on exactly: same IR with the same spans, or the same refusal. */
const SAME_IR = [
  '(x^2+1)^3', 'sin(x^2 + 1) * -(y)', '2x^2 + 3x', '2 (x+1)', '(a)(b)', '(x + 1)(x - 1)', 'f(x)(y)'.replace('f', 'sin'),
  'x*y/z - w + v', '-x^2', '2^-3^2', '- - +x', 'x^y^z', '1/2x', 'a/2x', '1/2(x+1)', '-1/2x', '1e-3 * x', '.5x',
  '2.5e+2 + 3E2', 'x.^2', 'u .* v', 'u ./ v', "W'", "W1' * x", "transpose(W)'", '[1, 2, 3]', '[1, 2; 3, 4]',
  '[[1, 2], [3, 4]]', '[1, 2,]', 'sum([x, y] .* [2, 3])', 'dot(u, v) + mean(u)', 'a = 1; b = a * x\nb + 1',
  'y = x^2\n\nz = y + 1\nz', 'x = 2;', 'log(x, 2) + log(x) + ln(x) + log2(x) + log10(x)', 'pow(x, 3)',
  'leakyRelu(x) + leakyRelu(x, 0.2)', 'max(x, 1, 2) + min(x) + hypot(x, 4)', 'sigmoid(w*x + b)', 'θ^2 + π',
  'pi * x + e + tau', 'x\n+ 1', '(x\n+ 1)', 'sin(\nx\n)', 'x + foo(2)', 'sin(x, y)', 'sin()', 'pow(x)',
  'pi = 3; pi', 'x + (', 'x +', '', '  ', 'x y', '2 3', 'x 2', 'x!', 'x % 2', 'x > 2', 'x == 2 ? 1 : 0', '"str" + x',
  "'s' + x", 'f(x) = x^2', 'A[1] = 2', 'a.b', 'a[1]', '{a: 1}', '1:3', 'x and y', 'not x', '~x', 'x | y', 'x << 2',
  'true + x', 'null', '[]', '[1, 2; 3]', 'x ?? y', 'x; y', '1 2', '(1)(2)', '2 x y', 'sqrt(abs(x)) * exp(-x)',
  'cbrt(x) + square(x) + relu(x) + softplus(x) + tanh(x) + sinh(x) + cosh(x) + atan(x) + asin(x) + acos(x)',
  'x = 1\ny = x + 1\n', 'x:', ':x', '[1:]', 'x ? 1 : 2', '1e', '1e+', '2.3.4', '@', 'x = = 1', '(1 + 2) = 3', 'x)', 'Infinity * x', '𝑥 + 1',
];

describe('math parser matches the previous mathjs-based converter', () => {
  for (const text of SAME_IR) {
    it(JSON.stringify(text), () => {
      const ours = outcome(parseMath, text);
      const before = outcome(parseMathWithMathjs, text);
      if (before.ok) {
        assert.ok(ours.ok, `refused what was accepted: ${ours.ok ? '' : ours.message}`);
        assert.deepEqual(ours.program, before.program);
      } else {
        assert.equal(ours.ok, false, 'accepted what was refused');
        if (!ours.ok) assert.equal(ours.code, before.code, `${ours.message} vs ${before.message}`);
        if (!ours.ok && before.code === 'syntax') assert.equal(ours.where, before.where, `${ours.message} vs ${before.message}`);
      }
    });
  }
});

// Generated expressions in the accepted grammar, built as text with the spacing and forms a learner types.
const VARS = { x: 0.7, y: -1.3, z: 2.1, θ: 0.4 };
const FUNCTIONS = ['sin', 'cos', 'tanh', 'exp', 'abs', 'square', 'atan', 'sinh'];
const leaf = fc.oneof(
  fc.constantFrom('x', 'y', 'z', 'θ', 'pi', 'e'),
  fc.integer({ min: 0, max: 20 }).map(String),
  // '3. ' keeps its space: `3.*x` is 3 .* x (below), whose span the old converter let swallow the dot.
  fc.constantFrom('0.5', '.25', '1e-3', '2.5E1', '3. '),
);
const { expr } = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.tuple(tie('expr'), fc.constantFrom(' + ', '-', ' * ', '/', ' - ', '*'), tie('expr')).map(([a, op, b]) => `${a}${op}${b}`),
    fc.tuple(tie('expr'), fc.constantFrom('^2', '^3', '^(1/2)', '^-1')).map(([a, p]) => `(${a})${p}`),
    tie('expr').map((a) => `-${a}`),
    tie('expr').map((a) => `(${a})`),
    fc.tuple(fc.integer({ min: 1, max: 9 }), fc.constantFrom('x', 'y', 'θ')).map(([n, v]) => `${n}${v}`),
    fc.tuple(fc.integer({ min: 1, max: 9 }), tie('expr')).map(([n, a]) => `${n} (${a})`),
    fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `(${a})(${b})`),
    fc.tuple(fc.constantFrom(...FUNCTIONS), tie('expr')).map(([f, a]) => `${f}(${a})`),
    fc.tuple(fc.constantFrom('max', 'min', 'hypot'), tie('expr'), tie('expr')).map(([f, a, b]) => `${f}(${a}, ${b})`),
    fc.tuple(tie('expr'), fc.constantFrom('2', '10')).map(([a, b]) => `log(abs(${a}) + 1, ${b})`),
  ),
}));

describe('math parser: deliberate differences from the previous converter', () => {
  it('`3.*x` is 3 .* x, as in mathjs, and the span of 3 no longer swallows the dot of `.*`', () => {
    const program = parseMath('3.*x');
    const result = program.result as { op: string; args: { span: { start: number; end: number } }[] };
    assert.equal(result.op, 'emul');
    assert.deepEqual([result.args[0].span.start, result.args[0].span.end], [0, 1]);
  });

  it('comments and hexadecimal numbers keep exact spans (the old leaf matching lost its place after them)', () => {
    const text = 'a = 0x10 # set a\nb = x * a';
    const program = parseMath(text);
    const spans = program.body.map((s) => text.slice(s.span.start, s.span.end));
    assert.deepEqual(spans, ['a = 0x10', 'b = x * a']);
    assert.equal((program.body[0].expr as { value: number }).value, 16);
  });

  it('a percentage is refused with its name', () => {
    assert.match(outcome(parseMath, 'x + 5%').ok ? '' : (outcome(parseMath, 'x + 5%') as { message: string }).message, /percentage/);
  });
});

/** The engine's max/min pass over a NaN operand where mathjs's return NaN: an op-table choice, not the parser's. */
const nanThroughMaxMin = (text: string, expected: number) => Number.isNaN(expected) && /max|min/.test(text);

describe('math parser against mathjs as an oracle', () => {
  it('generated expressions: the traced value equals mathjs evaluate, and the IR equals the previous converter', () => {
    fc.assert(fc.property(expr, (text) => {
      const expected: unknown = evaluate(text, { ...VARS });
      const ours = outcome(parseMath, text);
      const before = outcome(parseMathWithMathjs, text);
      assert.deepEqual(ours, before, text);
      assert.equal(typeof expected, 'number', text);
      const r = analyze(text, { lang: 'math', values: VARS, symbolic: false, gradCheck: false });
      if (!r.ok) assert.fail(`${text}: ${r.error.format()}`);
      if (!nanThroughMaxMin(text, expected as number)) close(r.value.value, expected as number, 1e-9, text);
    }), { numRuns: 400 });
  });

  it('generated statement lists with assignments: same IR as before, same value as mathjs', () => {
    const program = fc.tuple(fc.array(expr, { minLength: 1, maxLength: 3 }), fc.constantFrom('\n', '; ', ';\n')).map(([exprs, sep]) =>
      exprs.map((e, i) => (i < exprs.length - 1 ? `v${i} = ${e}` : `${e} + ${i ? `v${i - 1}` : '0'}`)).join(sep));
    fc.assert(fc.property(program, (text) => {
      const ours = outcome(parseMath, text);
      assert.deepEqual(ours, outcome(parseMathWithMathjs, text), text);
      const result: unknown = evaluate(text, { ...VARS });
      // A block's value is a ResultSet of its visible statements; the last one is the program's output.
      const entries = (result as { entries?: unknown[] }).entries;
      const expected = entries ? entries[entries.length - 1] : result;
      assert.equal(typeof expected, 'number', text);
      const r = analyze(text, { lang: 'math', values: VARS, symbolic: false, gradCheck: false });
      if (!r.ok) assert.fail(`${text}: ${r.error.format()}`);
      if (!nanThroughMaxMin(text, expected as number)) close(r.value.value, expected as number, 1e-9, text);
    }), { numRuns: 150 });
  });
});

describe('math parser limits', () => {
  it('deep nesting is a too-deep error with a place, never a stack overflow', () => {
    for (const text of ['('.repeat(5_000) + 'x' + ')'.repeat(5_000), 'sin('.repeat(5_000) + 'x' + ')'.repeat(5_000),
      '['.repeat(5_000) + 'x' + ']'.repeat(5_000), 'a = '.repeat(5_000) + 'x']) {
      const r = outcome(parseMath, text);
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.code, 'too-deep', r.message);
    }
  });

  it('nesting below the bound parses, also in the forms read with loops (signs, powers, long sums)', () => {
    const depth = Math.floor(LIMITS.maxMathNesting / 2) - 2;
    // Not through JSON: a 20,000-deep IR is too deep for JSON.stringify, not for the parser.
    const parses = (text: string) => assert.doesNotThrow(() => parseMath(text), text.slice(0, 20));
    parses('('.repeat(depth) + 'x' + ')'.repeat(depth));
    parses('sin('.repeat(depth) + 'x' + ')'.repeat(depth));
    parses('-'.repeat(20_000) + 'x');
    parses(Array(20_000).fill('x').join('^'));
    parses(Array(20_000).fill('x').join(' + '));
  });
});

describe('product bundles carry no mathjs', () => {
  // npm test builds before the unit tests; a missing bundle fails here rather than passing vacuously.
  for (const bundle of ['engine.js', 'cli.js', 'extension.js']) {
    it(`dist/${bundle}`, () => {
      const file = join(__dirname, '../../dist', bundle);
      assert.ok(existsSync(file), `${file} is missing: run npm run build first`);
      const source = readFileSync(file, 'utf8');
      for (const marker of ['typed-function', 'parseDependencies', 'isValidLatinOrGreek']) {
        assert.ok(!source.includes(marker), `dist/${bundle} contains '${marker}'`);
      }
    });
  }
});

describe('line ends', () => {
  it('CRLF text (a lesson saved on Windows) reads as the LF text: same values, gradients and statements', () => {
    const lf = 'u = x^2\nv = u + 1\nf = v^3\n';
    const crlf = lf.replace(/\n/g, '\r\n');
    const a = analyze(lf, { lang: 'math', values: { x: 2 } });
    const b = analyze(crlf, { lang: 'math', values: { x: 2 } });
    assert.ok(a.ok && b.ok, b.ok ? '' : b.error.message);
    assert.equal(b.value.value, 125);
    assert.deepEqual(b.value.gradients, a.value.gradients);
    assert.equal(b.value.program.body.length, 3);
  });
});
