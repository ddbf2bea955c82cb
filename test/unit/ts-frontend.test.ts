/** The TypeScript front end: what it accepts, what IR it builds, what it refuses (and where), and that it never runs code. */
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BackpropError, type ErrorCode } from '../../src/engine/base/errors';
import type { Expr, Program } from '../../src/engine/ast/ir';
import { LIMITS } from '../../src/engine/base/limits';
import { parseTypeScript } from '../../src/engine/frontends/typescript';
import { analyze, detectLang } from '../../src/host/engine';
import { assertGraphInvariants, close } from './helpers';

function run(text: string, values: Record<string, number> = {}) {
  const r = analyze(text, { lang: 'ts', values });
  if (!r.ok) assert.fail(r.error.format());
  assert.equal(r.value.lang, 'ts');
  assertGraphInvariants(r.value.graph);
  // The analytic gradients agree with central finite differences wherever the check ran.
  for (const row of r.value.check?.rows ?? []) assert.ok(row.ok, `gradient check failed for ${JSON.stringify(row)}`);
  return r.value;
}

/** The refusal for `text`: asserts code, message and line:col. */
function refused(text: string, code: ErrorCode, message: RegExp, line: number, col: number, values: Record<string, number> = {}) {
  const r = analyze(text, { lang: 'ts', values });
  assert.ok(!r.ok, `expected ${JSON.stringify(text)} to be refused, but it traced to ${r.ok && r.value.value}`);
  assert.equal(r.error.code, code, r.error.format());
  assert.match(r.error.message, message);
  assert.ok(r.error.span, `the error for ${JSON.stringify(text)} has a span`);
  assert.deepEqual([r.error.span!.line, r.error.span!.col], [line, col], r.error.format());
  assert.ok(r.error.format().startsWith(`${line}:${col}: `));
  return r.error;
}

/** Every IR expression of a program, iteratively. */
function allExprs(p: Program): Expr[] {
  const out: Expr[] = [];
  const stack: Expr[] = [...p.body.map((s) => s.expr), ...(p.result ? [p.result] : [])];
  while (stack.length) {
    const e = stack.pop()!;
    out.push(e);
    if (e.kind === 'op') stack.push(...e.args);
  }
  return out;
}

const names = (a: ReturnType<typeof run>) => a.graph.nodes.filter((n) => n.name !== undefined).map((n) => n.name);

describe('TypeScript front end: seeds', () => {
  it('x ** 3 + 2 * x at x = 1 gives dx = 5', () => {
    const a = run('x ** 3 + 2 * x', { x: 1 });
    assert.equal(a.value, 3);
    assert.equal(a.gradients.x, 5);
  });

  it('Math.sin(x ** 2 + 1): value, gradient 2x·cos(x²+1) and the symbolic derivative', () => {
    const r = analyze('Math.sin(x ** 2 + 1)', { lang: 'ts', values: { x: 1.5 }, symbolic: true });
    if (!r.ok) assert.fail(r.error.format());
    close(r.value.value, Math.sin(1.5 ** 2 + 1));
    close(r.value.gradients.x, 2 * 1.5 * Math.cos(1.5 ** 2 + 1));
    assert.equal(r.value.symbolic![0].derivative, '2x·cos(x² + 1)');
  });

  it('the day-05 tanh network as three const lines reproduces h, y and the three gradients', () => {
    const a = run('const h = Math.tanh(w1 * x);\nconst y = w2 * h;\nconst L = 0.5 * (y - target) ** 2;',
      { x: 1, w1: 1.2, w2: -0.8, target: 0.5 });
    const byName = new Map(a.graph.nodes.filter((n) => n.name).map((n) => [n.name!, n]));
    for (const n of ['h', 'y', 'L']) assert.ok(byName.has(n), `node '${n}' is in the graph`);
    close(byName.get('h')!.value, 0.8336546070121552, 1e-12);
    close(byName.get('y')!.value, -0.6669236856097243, 1e-12);
    close(a.gradients.w1, 0.2847480465272111, 1e-12);
    close(a.gradients.w2, -0.9728113065401505, 1e-12);
    close(a.gradients.x, 0.3416976558326533, 1e-12);
    assert.equal(a.graph.nodes.find((n) => n.id === a.graph.output)!.name, 'L');
    close(a.value, 0.5 * (-0.6669236856097243 - 0.5) ** 2, 1e-12);
  });
});

describe('TypeScript front end: accepted expressions', () => {
  it('numeric literals: exponents, hex, separators, leading dot', () => {
    assert.equal(run('1e-3 + 0x10 + 1_000 + .5').value, 1016.501);
    const p = parseTypeScript('0x10');
    assert.deepEqual(p.result && { kind: p.result.kind, value: (p.result as { value: number }).value }, { kind: 'num', value: 16 });
  });

  it('+ - * / with the usual precedence and left associativity', () => {
    const a = run('a + b - c * d / e', { a: 1, b: 2, c: 3, d: 4, e: 8 });
    assert.equal(a.value, 1 + 2 - (3 * 4) / 8);
    assert.deepEqual(a.gradients, { a: 1, b: 1, c: -0.5, d: -3 / 8, e: (3 * 4) / 64 });
    assert.equal(run('10 - 4 - 3').value, 3);
    assert.equal(run('64 / 4 / 2').value, 8);
  });

  it('** is right-associative and binds tighter than unary minus on its right', () => {
    assert.equal(run('2 ** 3 ** 2').value, 512);
    assert.equal(run('(2 ** 3) ** 2').value, 64);
    assert.equal(run('2 ** -1').value, 0.5);
    assert.equal(run('(-x) ** 2', { x: 3 }).value, 9);
  });

  it('unary minus and plus, parentheses', () => {
    const a = run('-x + +y * (x - -y)', { x: 2, y: 3 });
    assert.equal(a.value, -2 + 3 * (2 + 3));
    assert.equal(a.gradients.x, -1 + 3);
    assert.equal(a.gradients.y, 5 + 3);
  });

  it('Unicode identifiers', () => {
    const a = run('const φ = θ * 2;\nMath.sin(φ)', { θ: 0.3 });
    close(a.value, Math.sin(0.6));
    close(a.gradients.θ, 2 * Math.cos(0.6));
    assert.ok(names(a).includes('φ'));
  });

  const unary: [string, string, number][] = [
    ['sin', 'sin', 0.7], ['cos', 'cos', 0.7], ['tan', 'tan', 0.7], ['exp', 'exp', 0.7], ['log', 'log', 0.7],
    ['log2', 'log2', 0.7], ['log10', 'log10', 0.7], ['sqrt', 'sqrt', 0.7], ['cbrt', 'cbrt', 0.7], ['abs', 'abs', -0.7],
    ['tanh', 'tanh', 0.7], ['sinh', 'sinh', 0.7], ['cosh', 'cosh', 0.7], ['asin', 'asin', 0.7], ['acos', 'acos', 0.7],
    ['atan', 'atan', 0.7],
  ];
  for (const [fn, op, x] of unary) {
    it(`Math.${fn} → op '${op}', value and gradient check`, () => {
      const p = parseTypeScript(`Math.${fn}(x)`);
      assert.equal(p.result?.kind, 'op');
      assert.equal((p.result as { op: string }).op, op);
      const a = run(`Math.${fn}(x)`, { x });
      close(a.value, (Math as unknown as Record<string, (v: number) => number>)[fn](x));
      assert.ok(a.check && a.check.rows.length === 1 && a.check.rows[0].ok);
    });
  }

  it('Math.pow, and n-ary Math.max / Math.min / Math.hypot', () => {
    assert.equal(run('Math.pow(x, 3)', { x: 2 }).gradients.x, 12);
    const p = parseTypeScript('Math.max(a, b, c)');
    assert.equal(p.result?.kind === 'op' && p.result.op, 'max');
    assert.equal(p.result?.kind === 'op' && p.result.args.length, 3);
    const m = run('Math.max(a, b, c)', { a: 1, b: 5, c: 2 });
    assert.equal(m.value, 5);
    assert.deepEqual(m.gradients, { a: 0, b: 1, c: 0 });
    assert.equal(run('Math.min(a, b, c)', { a: 1, b: 5, c: 2 }).value, 1);
    const h = run('Math.hypot(a, b, c)', { a: 2, b: 3, c: 6 });
    assert.equal(h.value, 7);
    close(h.gradients.c, 6 / 7);
    assert.equal(run('Math.max(x)', { x: 4 }).value, 4);
  });

  it('Math.PI, Math.E, NaN and Infinity become named constants', () => {
    const p = parseTypeScript('Math.PI * r ** 2 + Math.E');
    const consts = allExprs(p).filter((e) => e.kind === 'const');
    assert.deepEqual(consts.map((c) => c.kind === 'const' && [c.name, c.value]).sort(),
      [['Math.E', Math.E], ['Math.PI', Math.PI]]);
    close(run('Math.PI * r ** 2', { r: 2 }).gradients.r, 4 * Math.PI);
    const inf = parseTypeScript('Infinity').result!;
    assert.deepEqual(inf.kind === 'const' && [inf.name, inf.value], ['Infinity', Infinity]);
    const nan = parseTypeScript('NaN').result!;
    assert.ok(nan.kind === 'const' && nan.name === 'NaN' && Number.isNaN(nan.value));
    const r = analyze('x + Infinity', { lang: 'ts', values: { x: 1 }, gradCheck: false });
    assert.ok(r.ok && r.value.value === Infinity && r.value.gradients.x === 1);
  });

  it('type assertions: as, <T>, !, satisfies, parenthesized', () => {
    const a = run('(x as number) * <number>y + z! + (w satisfies number) + ((x as any) as number)', { x: 2, y: 3, z: 4, w: 5 });
    assert.equal(a.value, 2 * 3 + 4 + 5 + 2);
    assert.deepEqual(a.gradients, { x: 4, y: 2, z: 1, w: 1 });
  });
});

describe('TypeScript front end: straight-line code', () => {
  it('const / let / var with and without type annotations, several declarators per statement', () => {
    const a = run('const a: number = x * 2;\nlet b = a + 1, c: number = b * b;\nvar d = c - a;', { x: 1 });
    assert.deepEqual(names(a), ['x', 'a', 'b', 'c', 'd']);
    assert.equal(a.value, 9 - 2);
    // d = (2x+1)² − 2x → 4(2x+1) − 2 = 10 at x = 1
    assert.equal(a.gradients.x, 10);
  });

  it('a declaration without a value, assigned later', () => {
    const a = run('let y: number;\ny = x * 3;\ny', { x: 2 });
    assert.equal(a.value, 6);
    assert.equal(a.gradients.x, 3);
  });

  it('reassignment makes new versions: a, a₂, a₃', () => {
    const p = parseTypeScript('let a = x; a = a * 2; a += 1');
    assert.deepEqual(p.body.map((s) => [s.name, s.mode]), [['a', 'declare'], ['a', 'assign'], ['a', 'assign']]);
    const a = run('let a = x; a = a * 2; a += 1', { x: 3 });
    assert.deepEqual(names(a), ['x', 'a', 'a₂', 'a₃']);
    assert.equal(a.value, 7);
    assert.equal(a.gradients.x, 2);
  });

  it('compound assignments += -= *= /= **= each become x op rhs', () => {
    const p = parseTypeScript('let v = x;\nv += 2;');
    const expr = p.body[1].expr;
    assert.equal(expr.kind === 'op' && expr.op, 'add');
    assert.deepEqual(expr.kind === 'op' && expr.args.map((e) => e.kind), ['var', 'num']);
    assert.equal(p.body[1].mode, 'assign');
    const a = run('let v = x;\nv += 2;\nv -= 1;\nv *= 3;\nv /= 2;\nv **= 2;', { x: 1 });
    // ((1 + 2 − 1)·3/2)² = 9, d/dx = 2·3·(3/2) = 9
    assert.equal(a.value, 9);
    assert.equal(a.gradients.x, 9);
    assert.deepEqual(names(a), ['x', 'v', 'v₂', 'v₃', 'v₄', 'v₅', 'v₆']);
  });

  it('x -= a + b subtracts the whole right side', () => {
    assert.equal(run('let v = 10;\nv -= a + b;\nv', { a: 1, b: 2 }).value, 7);
  });

  it('the output: a final expression, a return, or else the last assigned variable', () => {
    assert.equal(run('const y = x * 2;\ny + 1', { x: 1 }).value, 3);
    assert.equal(run('const y = x * 2;\nreturn y + 1;', { x: 1 }).value, 3);
    const a = run('const y = x * 2;\nconst z = y * 5;', { x: 1 });
    assert.equal(a.value, 10);
    assert.equal(a.graph.nodes.find((n) => n.id === a.graph.output)!.name, 'z');
  });

  it('a literal declaration makes an input: const x = 2; x * x', () => {
    const a = run('const x = 2; x * x');
    assert.equal(a.value, 4);
    assert.equal(a.gradients.x, 4);
    assert.equal(a.graph.inputs[0].source, 'literal');
    // A given value overrides the literal.
    assert.equal(run('const x = 2; x * x', { x: 3 }).value, 9);
  });

  it('empty statements, comments, type aliases and interfaces are skipped', () => {
    const a = run('type N = number;\ninterface P { x: number }\n;; // a comment\nconst y: N = x /* inline */ * 2;;\n', { x: 4 });
    assert.equal(a.value, 8);
  });
});

describe('TypeScript front end: a selected function', () => {
  it('function declaration: parameters are the inputs, the return value the output', () => {
    const p = parseTypeScript('function f(x: number, y: number): number {\n  const s = x * y;\n  return s + x;\n}');
    assert.deepEqual(p.params.map((q) => q.name), ['x', 'y']);
    assert.equal(p.params[1].span.line, 1);
    const a = run('function f(x: number, y: number): number {\n  const s = x * y;\n  return s + x;\n}', { x: 2, y: 5 });
    assert.equal(a.value, 12);
    assert.deepEqual(a.gradients, { x: 6, y: 2 });
  });

  it('type declarations around the function are skipped', () => {
    const a = run('type Num = number;\ninterface P { x: Num }\nfunction f(x: Num): Num { return x * x; }\n;', { x: 3 });
    assert.equal(a.gradients.x, 6);
  });

  it('export function and function expressions', () => {
    assert.equal(run('export function sq(u: number) { return u * u; }', { u: 3 }).gradients.u, 6);
    assert.equal(run('(function (u: number) { return u * u; })', { u: 3 }).gradients.u, 6);
    assert.equal(run('const sq = function (u: number) { return u * u; };', { u: 3 }).gradients.u, 6);
  });

  it('arrow functions: expression body, block body, unannotated, assigned to a const', () => {
    assert.equal(run('(u: number) => Math.tanh(u)', { u: 0 }).gradients.u, 1);
    assert.equal(run('u => { const v = u * 3; return v * u; }', { u: 2 }).gradients.u, 12);
    assert.equal(run('const f = (u: number, w: number): number => u * w;', { u: 2, w: 7 }).gradients.u, 7);
    assert.equal(run('const f = (u: number) => (u ** 2) as number;', { u: 2 }).gradients.u, 4);
  });

  it('a reassigned parameter gets a new version (x₂), the parameter stays the input', () => {
    const a = run('function f(x: number) { x = x * 2; x += 1; return x * x; }', { x: 1 });
    assert.deepEqual(names(a), ['x', 'x₂', 'x₃']);
    assert.equal(a.value, 9);
    assert.equal(a.gradients.x, 12);
  });

  it('a parameter with a number default is an input with that value, overridable', () => {
    const p = parseTypeScript('function f(x: number, k = 2) { return x ** k; }');
    assert.deepEqual(p.params.map((q) => q.name), ['x']);
    assert.deepEqual(p.body.map((s) => [s.name, s.expr.kind]), [['k', 'num']]);
    assert.equal(run('function f(x: number, k = 2) { return x ** k; }', { x: 3 }).value, 9);
    assert.equal(run('function f(x: number, k = -1) { return x ** k; }', { x: 4 }).value, 0.25);
    assert.equal(run('function f(x: number, k = 2) { return x ** k; }', { x: 3, k: 3 }).value, 27);
  });

  it('a parameter without a value is reported missing, by name', () => {
    const r = analyze('(a: number, b: number) => a * b', { lang: 'ts', values: { a: 1 } });
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'missing-value');
    assert.deepEqual(r.error.names, ['b']);
  });

  it('a free variable read inside a function is an input too', () => {
    const a = run('function f(x: number) { return w * x; }', { x: 2, w: 3 });
    assert.deepEqual(a.gradients, { x: 3, w: 2 });
  });
});

describe('TypeScript front end: spans', () => {
  it('every IR node carries the span of its source text', () => {
    const text = 'const h = Math.tanh(w1 * x);\nconst y = w2 * (h as number);\nreturn 0.5 * (y - t) ** 2;';
    const p = parseTypeScript(text);
    for (const e of allExprs(p)) {
      const src = text.slice(e.span.start, e.span.end);
      if (e.kind === 'var') assert.equal(src, e.name);
      if (e.kind === 'num') assert.equal(Number(src), e.value);
      if (e.kind === 'const') assert.equal(src, e.name);
      assert.ok(src.length > 0);
      const before = text.slice(0, e.span.start).split('\n');
      assert.deepEqual([e.span.line, e.span.col], [before.length, before[before.length - 1].length + 1]);
    }
    assert.equal(text.slice(p.body[0].span.start, p.body[0].span.end), 'h = Math.tanh(w1 * x)');
    assert.equal(text.slice(p.body[0].expr.span.start, p.body[0].expr.span.end), 'Math.tanh(w1 * x)');
    assert.equal(text.slice(p.result!.span.start, p.result!.span.end), '0.5 * (y - t) ** 2');
    assert.deepEqual([p.result!.span.line, p.result!.span.col], [3, 8]);
    assert.deepEqual([p.span.start, p.span.end], [0, text.length]);
  });

  it('graph nodes keep their spans', () => {
    const text = 'let a = x * 2;\na = a + 1;';
    const a = run(text, { x: 1 });
    const a2 = a.graph.nodes.find((n) => n.name === 'a₂')!;
    assert.equal(text.slice(a2.span!.start, a2.span!.end), 'a + 1');
    assert.equal(a2.span!.line, 2);
  });
});

describe('TypeScript front end: size and depth', () => {
  it('a 20,000-term sum as text traces without stack overflow', () => {
    const text = Array.from({ length: 20_000 }, () => 'a').join(' + ');
    const r = analyze(text, { lang: 'ts', values: { a: 0.5 }, gradCheck: false });
    if (!r.ok) assert.fail(r.error.format());
    assert.equal(r.value.value, 10_000);
    assert.equal(r.value.gradients.a, 20_000);
  });

  it('extreme nesting that overflows the TypeScript parser is a too-deep error, not a crash', () => {
    const n = 100_000;
    const r = analyze(`${'('.repeat(n)}x${')'.repeat(n)}`, { lang: 'ts', values: { x: 1 } });
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'too-deep');
  });

  it('texts over the size limit are refused before parsing', () => {
    const text = `x${' '.repeat(LIMITS.maxSourceChars)}`;
    assert.throws(() => parseTypeScript(text), (e: unknown) => e instanceof BackpropError && e.code === 'too-large');
  });

  it('an empty selection has no output', () => {
    assert.throws(() => parseTypeScript('  \n '), (e: unknown) => e instanceof BackpropError && e.code === 'no-output');
    refused('(x: number) => { const y = x; }', 'no-output', /no 'return'/, 1, 1);
  });
});

describe('TypeScript front end: refusals name the construct and its line:col', () => {
  const V = { x: 1, y: 2, a: 1, b: 2, c: 3 };
  const cases: [string, string, ErrorCode, RegExp, number, number][] = [
    ['syntax error', 'x +* 2', 'syntax', /syntax error: Expression expected/, 1, 4],
    ['-x ** 2 (a TypeScript syntax error)', '-x ** 2', 'syntax', /unary expression with the '-' operator/, 1, 1],
    ['syntax error on a later line', 'const a = x;\nconst b = (a;', 'syntax', /syntax error/, 2, 13],
    ['a call of a user function', 'const z = foo(1)', 'unsupported', /call of 'foo' \(only Math\.\* functions/, 1, 11],
    ['console.log', 'console.log(x)', 'unsupported', /call of 'console\.log'/, 1, 1],
    ['require', 'require("fs")', 'unsupported', /call of 'require'/, 1, 1],
    ['Math.random', 'x * Math.random()', 'unsupported', /Math\.random\(\).*neither deterministic nor differentiable/, 1, 5],
    ['an unknown Math function', 'Math.floor(x)', 'unknown-function', /unknown function 'Math\.floor' \(supported: Math\.sin/, 1, 1],
    ['an unknown Math constant', 'Math.LN2 * x', 'unknown-function', /unknown Math member 'Math\.LN2'/, 1, 1],
    ['a Math function not called', 'Math.sin', 'unsupported', /'Math\.sin' without calling it/, 1, 1],
    ['a Math function with the wrong arity', 'Math.sin(x, y)', 'unsupported', /Math\.sin\(\) takes 1 argument, got 2/, 1, 1],
    ['Math.pow with one argument', 'Math.pow(x)', 'unsupported', /Math\.pow\(\) takes 2 arguments, got 1/, 1, 1],
    ['Math.max with no arguments', 'Math.max()', 'unsupported', /at least 1 argument, got 0/, 1, 1],
    ['spread arguments', 'Math.max(...x)', 'unsupported', /spread arguments/, 1, 10],
    ['optional chaining on Math', 'Math?.sin(x)', 'unsupported', /optional chaining/, 1, 1],
    ['property access beyond Math', 'process.exit', 'unsupported', /property access 'process\.exit'/, 1, 1],
    ['element access of a number', 'a[0] + 1', 'unsupported', /indexing a number/, 1, 1],
    ['Math by element access', 'Math["sin"](x)', 'unsupported', /call of 'Math\["sin"\]'/, 1, 1],
    ['a for…of loop over an array with no value', 'for (const v of xs) {}', 'missing-value', /no value for variable 'xs'/, 1, 17],
    ['a do loop', 'do {} while (x)', 'unsupported', /'do…while' loop/, 1, 1],
    ['an unused expression in an if', 'if (x) { y }', 'unsupported', /value is unused 'y'/, 1, 10],
    ['switch', 'switch (x) {}', 'unsupported', /'switch' statement/, 1, 1],
    ['arithmetic on a comparison', '(x > 0) + 1', 'unsupported', /expected a number here, got a boolean/, 1, 2],
    ['a string', 'const s = "hi"', 'unsupported', /a string '"hi"'/, 1, 11],
    ['a template literal', 'x + `${y}`', 'unsupported', /a string '`\$\{y\}`'/, 1, 5],
    ['new of an undeclared class', 'new Foo()', 'unsupported', /'new Foo' \(only classes declared in the selection/, 1, 1],
    ['this outside a class', 'this.x * 2', 'unsupported', /'this' outside a class/, 1, 1],
    ['bare this', 'this', 'unsupported', /'this'/, 1, 1],
    ['a class and nothing else', 'class A {}', 'no-output', /nothing to trace/, 1, 1],
    ['an import', 'import fs from "fs";', 'unsupported', /an import/, 1, 1],
    ['await', 'await x', 'unsupported', /'await'/, 1, 1],
    ['delete', 'delete x', 'unsupported', /'delete'/, 1, 1],
    ['typeof', 'typeof x', 'unsupported', /'typeof'/, 1, 1],
    ['void', 'void x', 'unsupported', /'void'/, 1, 1],
    ['--x of a free variable', '--x', 'unsupported', /assignment to undeclared name 'x'/, 1, 3],
    ['a comparison as the output', 'x < 1', 'unsupported', /the output is a boolean, not one number/, 1, 1],
    ['??', 'a ?? b', 'unsupported', /logical operator '\?\?'/, 1, 3],
    ['a bitwise operator', 'a | b', 'unsupported', /bitwise operator '\|'/, 1, 3],
    ['^ (XOR in TypeScript)', 'x ** 2 + a ^ b', 'unsupported', /bitwise operator '\^'/, 1, 12],
    ['%', 'x % 2', 'unsupported', /remainder operator '%'/, 1, 3],
    ['logical not as the output', '!x', 'unsupported', /the output is a boolean/, 1, 1],
    ['the comma operator', 'x, y', 'unsupported', /comma operator/, 1, 2],
    ['assignment to an undeclared name', 'const a = x;\ny = 1', 'unsupported', /assignment to undeclared name 'y'/, 2, 1],
    ['assignment to a free variable', 'x = x + 1', 'unsupported', /assignment to undeclared name 'x'/, 1, 1],
    ['redeclaring a const', 'const a = x;\nconst a = 2', 'unsupported', /redeclaring 'a' \(already declared at 1:7/, 2, 7],
    ['redeclaring a parameter', 'function f(x: number) { let x = 1; return x }', 'unsupported', /redeclaring 'x'/, 1, 29],
    ['a repeated parameter', 'function f(x, x) { return x }', 'unsupported', /redeclaring 'x'/, 1, 15],
    ['assigning to a const', 'const a = x;\na = 2', 'unsupported', /assignment to the constant 'a'/, 2, 1],
    ['compound assignment to a const', 'const a = x;\na += 2', 'unsupported', /assignment to the constant 'a'/, 2, 1],
    ['an unsupported assignment operator', 'let a = x;\na %= 2', 'unsupported', /assignment operator '%='/, 2, 3],
    ['??=', 'let a = x;\na ??= 2', 'unsupported', /assignment operator '\?\?='/, 2, 3],
    ['assignment inside an expression', 'let a = x;\nconst b = (a = 2) + 1', 'unsupported', /assignment inside an expression/, 2, 12],
    ['assignment to a property of a number', 'let a = x;\na.b = 1', 'unsupported', /assignment to '\.b' of a number/, 2, 1],
    ['an array as the output (arrays are matrices now: tensor.ts)', 'const v = [1, 2]', 'unsupported', /2-vector, not one number/, 1, 7],
    ['an array with a spread', 'const v = [...w]', 'unsupported', /spread/, 1, 12],
    ['an object as the output', 'const o = { a: 1 }', 'unsupported', /the output is an object, not one number/, 1, 1],
    ['destructuring', 'const [p, q] = v', 'unsupported', /destructuring/, 1, 7],
    ['an unused expression', 'x * 2;\ny', 'unsupported', /an expression whose value is unused 'x \* 2'/, 1, 1],
    ['an unused expression in a function', 'function f(x: number) { x * 2 }', 'unsupported', /value is unused 'x \* 2' \(return it\)/, 1, 25],
    ['code after return', 'function f(x: number) { return x;\n  x }', 'unsupported', /code after return/, 2, 3],
    ['return without a value', 'return;', 'unsupported', /'return' without a value/, 1, 1],
    ['Math as a value', 'Math', 'unsupported', /'Math' by itself/, 1, 1],
    ['Math as a variable name', 'const Math = 1', 'unsupported', /'Math' as a variable name/, 1, 7],
    ['Math as a parameter name', '(Math: number) => Math', 'unsupported', /'Math' as a variable name/, 1, 2],
    ['undefined', 'x + undefined', 'unsupported', /'undefined' \(not a number\)/, 1, 5],
    ['use before declaration', 'const a = b * 2;\nconst b = x;', 'unsupported', /'b' is used before its declaration/, 1, 11],
    ['self-reference in a declaration', 'const a = a + 1', 'unsupported', /'a' is used before its declaration/, 1, 11],
    ['use before a value', 'let q;\nconst r = q * 2;', 'unsupported', /'q' is used before it has a value/, 2, 11],
    ['const without a value', 'const q;', 'unsupported', /'const q' without a value/, 1, 7],
    ['arithmetic on a boolean', 'x * true', 'unsupported', /expected a number here, got a boolean/, 1, 5],
    ['null', 'null', 'unsupported', /'null'/, 1, 1],
    ['BigInt', '10n * x', 'unsupported', /BigInt literal '10n'/, 1, 1],
    ['an async function', 'async (u: number) => u', 'unsupported', /an async function/, 1, 1],
    ['a generator', 'function* g(u: number) { return u }', 'unsupported', /a generator function/, 1, 1],
    ['a rest parameter', '(...u: number[]) => 1', 'unsupported', /a rest parameter/, 1, 2],
    ['a non-literal default', 'function f(x: number, k = x) { return x ** k }', 'unsupported', /parameter default that is not a number literal 'x'/, 1, 27],
    ['try', 'try { x } catch {}', 'unsupported', /'try' statement/, 1, 1],
    ['throw', 'throw x', 'unsupported', /'throw' statement/, 1, 1],
    ['an enum', 'enum E { A }', 'unsupported', /an enum/, 1, 1],
    ['a namespace', 'namespace N {}', 'unsupported', /a namespace/, 1, 1],
    ['declare', 'declare const q: number;', 'unsupported', /'declare' statement/, 1, 1],
    ['using', 'using r = x;', 'unsupported', /'using' declaration/, 1, 1],
    ['a labeled statement', 'l: x', 'unsupported', /labeled statement/, 1, 1],
  ];
  for (const [title, text, code, message, line, col] of cases) {
    it(`${title}: ${JSON.stringify(text)} → ${code} at ${line}:${col}`, () => {
      refused(text, code, message, line, col, V);
    });
  }

  it('refusals are values from analyze and BackpropErrors from parseTypeScript', () => {
    assert.throws(() => parseTypeScript('foo(1)'), (e: unknown) => e instanceof BackpropError && e.code === 'unsupported');
  });
});

describe('TypeScript front end: selected code is never executed', () => {
  it('hostile texts are refused, have no effect, and the process lives on', { timeout: 20_000 }, () => {
    const marker = join(tmpdir(), `bp-pwned-${process.pid}-${Math.random().toString(36).slice(2)}`);
    rmSync(marker, { force: true });
    const texts: [string, RegExp][] = [
      [`require("child_process").execSync("touch ${marker}")`, /call of 'require\("child_process"\)\.execSync'/],
      [`const cp = require("child_process");\ncp.execSync("touch ${marker}");`, /call of 'require'/],
      [`import { execSync } from "child_process";\nexecSync("touch ${marker}")`, /an import/],
      [`import("child_process").then((m) => m.execSync("touch ${marker}"))`, /call of 'import\("child_process"\)\.then'/],
      ['import("fs")', /dynamic import/],
      ['process.exit(3)', /call of 'process\.exit'/],
      ['globalThis.eval("1")', /call of 'globalThis\.eval'/],
      [`eval("require('child_process').execSync('touch ${marker}')")`, /call of 'eval'/],
      [`new Function("return process")()`, /call of 'new Function\("return process"\)'/],
      ['(() => { while(true){} })()', /call of a function expression/],
      [`function f(x: number) { process.exit(3); return x }`, /call of 'process\.exit'/],
      [`(x: number) => { require("child_process").execSync("touch ${marker}"); return x }`, /call of 'require/],
      ['Math.constructor.constructor("return process")().exit(3)', /call of/],
      ['x ** process.exit(3)', /call of 'process\.exit'/],
    ];
    // The test runner itself sets process.exitCode when some other test fails: compare before and after.
    const exitCodeBefore = process.exitCode;
    for (const [text, message] of texts) {
      const r = analyze(text, { lang: 'ts', values: { x: 1 } });
      assert.ok(!r.ok, `${JSON.stringify(text)} must be refused`);
      assert.equal(r.error.code, 'unsupported', r.error.format());
      assert.match(r.error.message, message, r.error.format());
      assert.ok(r.error.span && r.error.span.line >= 1 && r.error.span.col >= 1);
    }
    assert.equal(existsSync(marker), false, 'the marker file was not created');
    assert.equal(process.exitCode, exitCodeBefore, 'nothing set an exit code');
  });
});

describe('the bundles: dist/engine.js with the separately bundled dist/ts-parser.js', () => {
  it('traces TypeScript, and refusals come back as error values of the engine bundle', () => {
    const bundle = join(__dirname, '../../dist/engine.js');
    assert.ok(existsSync(bundle), 'dist/engine.js exists (npm test builds first; otherwise run npm run build)');
    const engine = require(bundle) as typeof import('../../src/host/engine');
    const good = engine.analyze('const y = Math.tanh(w * x);', { lang: 'ts', values: { w: 1.2, x: 1 } });
    assert.ok(good.ok);
    close(good.value.value, Math.tanh(1.2));
    for (const [text, code] of [['process.exit(3)', 'unsupported'], ['x +* 2', 'syntax'], ['Math.floor(x)', 'unknown-function']] as const) {
      const r = engine.analyze(text, { lang: 'ts', values: { x: 1 } });
      assert.ok(!r.ok, text);
      assert.equal(r.error.code, code);
      assert.ok(r.error instanceof engine.BackpropError);
      assert.match(r.error.format(), /^1:\d+: /);
    }
  });
});

describe('detectLang on typical selections', () => {
  const cases: [string, 'ts' | 'math'][] = [
    ['Math.sin(x ** 2 + 1)', 'ts'],
    ['x ** 3 + 2 * x', 'ts'],
    ['const h = Math.tanh(w1 * x);', 'ts'],
    ['let a = x;\na += 1', 'ts'],
    ['(u: number) => u * u', 'ts'],
    ['u => u * u', 'ts'],
    ['function f(x) { return x * x }', 'ts'],
    ['(x as number) * 2', 'ts'],
    ['(x^2+1)^3', 'math'],
    ['sin(x^2+1)', 'math'],
    ['2x^2 + 3x', 'math'],
    ['sigmoid(w * x + b)', 'math'],
  ];
  for (const [text, lang] of cases) {
    it(`${JSON.stringify(text)} → ${lang}`, () => assert.equal(detectLang(text), lang));
  }
});
