/**
 * The interpreter (src/engine/interpreter/interpret.ts) on TypeScript with functions, loops, branches, arrays,
 * objects and classes: each kind of program's value and every gradient against a hand derivation and against
 * central finite differences of the program itself (re-interpreted with one input nudged); the scopes and
 * branches it records for the graph; list inputs' names; and the CLI's JSON for them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../../src/host/engine';
import { renderJson } from '../../src/cli/cli';
import type { Analysis } from '../../src/engine/analyze';
import type { TensorValue } from '../../src/engine/base/tensor-value';
import { assertGraphInvariants, close } from './helpers';

function run(text: string, values: Record<string, TensorValue> = {}): Analysis {
  const r = analyze(text, { lang: 'ts', values });
  if (!r.ok) assert.fail(r.error.format());
  assertGraphInvariants(r.value.graph);
  for (const row of r.value.check?.rows ?? []) assert.ok(row.ok, `tape gradient check failed for ${JSON.stringify(row)}`);
  return r.value;
}

/** The program's value with input `name` (or entry `name[i]` of a list) set to `v`: the program is re-interpreted. */
function valueAt(text: string, base: Record<string, TensorValue>, name: string, v: number): number {
  const m = /^(.*)\[(\d+)\]$/.exec(name);
  const values: Record<string, TensorValue> = { ...base };
  if (m) {
    const list = [...(base[m[1]] as number[])];
    list[Number(m[2])] = v;
    values[m[1]] = list;
  } else {
    values[name] = v;
  }
  const r = analyze(text, { lang: 'ts', values, gradCheck: false });
  if (!r.ok) assert.fail(r.error.format());
  return r.value.value;
}

/** Central finite differences of the whole program for every input, against the traced gradients. */
function checkFiniteDifferences(text: string, base: Record<string, TensorValue>, a: Analysis, tolerance = 1e-8): void {
  const h = 1e-5;
  for (const input of a.graph.inputs) {
    const x = input.value;
    const fd = (valueAt(text, base, input.name, x + h) - valueAt(text, base, input.name, x - h)) / (2 * h);
    close(a.gradients[input.name], fd, tolerance, `∂/∂${input.name}:`);
  }
}

describe('interpreter: the programs of issue 12, in TypeScript', () => {
  it('a function called twice: value and gradient by hand and by finite differences', () => {
    const text = `function f(u: number) {
  return u * u + 3 * u;
}
const a = 1.5;
const y = f(a) * f(2 * a);
y`;
    const r = run(text);
    const f = (u: number) => u * u + 3 * u;
    const df = (u: number) => 2 * u + 3;
    const a = 1.5;
    close(r.value, f(a) * f(2 * a), 1e-12);
    close(r.gradients.a, df(a) * f(2 * a) + f(a) * 2 * df(2 * a), 1e-12);
    checkFiniteDifferences(text, { a: 1.5 }, r);
    // Two calls, two scopes, titled as the call is written.
    const calls = r.trace.scopes!.filter((s) => s.kind === 'call');
    assert.deepEqual(calls.map((s) => s.title), ['f(a) · line 5', 'f(2 * a) · line 5']);
    // Each call's nodes carry its scope; the top level's none.
    for (const call of calls) {
      const inside = [...r.trace.tape.meta.entries()].filter(([, m]) => m.scope === call.id);
      assert.ok(inside.length >= 3, `call ${call.title} has its own nodes`);
    }
    const product = r.trace.tape.meta.get(r.trace.output)!;
    assert.equal(product.scope, undefined);
    assert.equal(product.name, 'y');
  });

  it('a mean-squared error over a 3-point data set in a for loop over arrays', () => {
    const text = `const xs = [1, 2, 3];
const ys = [2, 4.5, 5.5];
const w = 0.8;
const b = 0.2;
let total = 0;
for (let i = 0; i < xs.length; i++) {
  const d = w * xs[i] + b - ys[i];
  total = total + d * d;
}
const loss = total / xs.length;
loss`;
    const r = run(text);
    const xs = [1, 2, 3], ys = [2, 4.5, 5.5], w = 0.8, b = 0.2;
    const res = xs.map((x, i) => w * x + b - ys[i]);
    close(r.value, res.reduce((s, d) => s + d * d, 0) / 3, 1e-12);
    close(r.gradients.w, (2 / 3) * res.reduce((s, d, i) => s + d * xs[i], 0), 1e-12);
    close(r.gradients.b, (2 / 3) * res.reduce((s, d) => s + d, 0), 1e-12);
    for (let i = 0; i < 3; i++) {
      close(r.gradients[`xs[${i}]`], (2 / 3) * res[i] * w, 1e-12);
      close(r.gradients[`ys[${i}]`], -(2 / 3) * res[i], 1e-12);
    }
    checkFiniteDifferences(text, { xs, ys, w, b, total: 0 }, r);
    // The loop and its three iterations, named by the loop variable.
    const loop = r.trace.scopes!.find((s) => s.kind === 'loop')!;
    assert.equal(loop.title, 'for (let i = 0; i < xs.length; i++) · line 6');
    const iterations = r.trace.scopes!.filter((s) => s.kind === 'iteration');
    assert.deepEqual(iterations.map((s) => s.title), ['i = 0', 'i = 1', 'i = 2']);
    assert.ok(iterations.every((s) => s.parent === loop.id));
    // The loop counter never reaches the graph: no node is named i.
    assert.ok(!r.graph.nodes.some((n) => n.name === 'i'));
  });

  it('list inputs are reported per entry in gradients and as lists in the CLI JSON tensorGradients', () => {
    const text = `const xs = [1, 2, 3];
let s = 0;
for (const x of xs) s = s + x * x;
s`;
    const r = run(text);
    assert.deepEqual(r.graph.inputs.map((i) => i.name), ['xs[0]', 'xs[1]', 'xs[2]', 's']);
    const json = JSON.parse(renderJson(r));
    assert.deepEqual(json.gradients, { 'xs[0]': 2, 'xs[1]': 4, 'xs[2]': 6, s: 1 });
    assert.deepEqual(json.tensorGradients, { xs: [2, 4, 6] });
    assert.deepEqual(r.trace.scopes!.filter((s) => s.kind === 'iteration').map((s) => s.title), ['x = xs[0]', 'x = xs[1]', 'x = xs[2]']);
  });

  it('given list values (--at xs=[…]) become inputs xs[0], xs[1], …', () => {
    const r = run('let s = 0;\nfor (let i = 0; i < xs.length; i++) s += xs[i] * w;\ns', { xs: [1, 2], w: 3 });
    close(r.value, 9, 1e-12);
    assert.deepEqual(r.gradients, { s: 1, 'xs[0]': 3, 'xs[1]': 3, w: 3 });
    assert.deepEqual({ ...r.listGradients }, { xs: [3, 3] });
  });

  it('if/else on a traced value: each branch, its gradient, and the branch recorded', () => {
    const text = `const x = X0;
let y = 0;
if (x > 1) {
  y = x * x;
} else {
  y = 3 * x;
}
y`;
    for (const x0 of [2, 0.5]) {
      const program = text.replace('X0', String(x0));
      const r = run(program);
      close(r.value, x0 > 1 ? x0 * x0 : 3 * x0, 1e-12);
      close(r.gradients.x, x0 > 1 ? 2 * x0 : 3, 1e-12);
      checkFiniteDifferences(program, { x: x0 }, r);
      assert.equal(r.trace.branches!.length, 1);
      const branch = r.trace.branches![0];
      assert.equal(branch.condition, 'x > 1');
      assert.equal(branch.taken, x0 > 1);
      assert.equal(branch.span.line, 3);
      assert.equal(r.trace.tape.meta.get(branch.node!)!.name, 'x', 'the branch names the node it compared');
    }
  });

  it('the conditional operator and && / || / ! on traced values', () => {
    const text = `const x = 0.7;
const relu = (u: number) => (u > 0 ? u : 0);
const y = relu(x) * 2 + (x > 0 && x < 1 ? x : 0) + (!(x > 5) || x < 0 ? Math.sin(x) : 0);
y`;
    const r = run(text);
    const x = 0.7;
    close(r.value, x * 2 + x + Math.sin(x), 1e-12);
    close(r.gradients.x, 2 + 1 + Math.cos(x), 1e-12);
    checkFiniteDifferences(text, { x }, r);
    assert.deepEqual(r.trace.branches!.map((b) => [b.condition, b.taken]), [['u > 0', true], ['x > 0 && x < 1', true], ['!(x > 5) || x < 0', true]]);
  });

  it('a recursive function', () => {
    const text = `function power(x: number, n: number): number {
  if (n === 0) return 1;
  return x * power(x, n - 1);
}
const x = 1.3;
power(x, 5)`;
    const r = run(text);
    close(r.value, 1.3 ** 5, 1e-12);
    close(r.gradients.x, 5 * 1.3 ** 4, 1e-12);
    checkFiniteDifferences(text, { x: 1.3 }, r);
    const calls = r.trace.scopes!.filter((s) => s.kind === 'call');
    assert.equal(calls.length, 6);
    assert.equal(calls[0].title, 'power(x, 5) · line 6');
    assert.equal(calls[1].title, 'power(x, n - 1) · line 3');
    // Nested calls nest their scopes.
    for (let i = 1; i < calls.length; i++) assert.equal(calls[i].parent, calls[i - 1].id);
  });

  it('a hand-written Neuron class: constructor, fields, a method, called on two inputs', () => {
    const text = `class Neuron {
  w: number[];
  b: number;
  constructor(w: number[], b: number) {
    this.w = w;
    this.b = b;
  }
  forward(x: number[]): number {
    let act = this.b;
    for (let i = 0; i < x.length; i++) {
      act = act + this.w[i] * x[i];
    }
    return Math.tanh(act);
  }
}
const w = [0.5, -0.4];
const b = 0.1;
const n = new Neuron(w, b);
const out = n.forward([1, 2]) + n.forward([0.5, -1]);
out`;
    const r = run(text);
    const w = [0.5, -0.4], b = 0.1;
    const u1 = b + w[0] * 1 + w[1] * 2, u2 = b + w[0] * 0.5 + w[1] * -1;
    const t1 = Math.tanh(u1), t2 = Math.tanh(u2);
    close(r.value, t1 + t2, 1e-12);
    close(r.gradients.b, (1 - t1 * t1) + (1 - t2 * t2), 1e-12);
    close(r.gradients['w[0]'], (1 - t1 * t1) * 1 + (1 - t2 * t2) * 0.5, 1e-12);
    close(r.gradients['w[1]'], (1 - t1 * t1) * 2 + (1 - t2 * t2) * -1, 1e-12);
    checkFiniteDifferences(text, { w, b }, r);
    const calls = r.trace.scopes!.filter((s) => s.kind === 'call').map((s) => s.title);
    assert.deepEqual(calls, ['Neuron(w, b) · line 18', 'n.forward([1, 2]) · line 19', 'n.forward([0.5, -1]) · line 19']);
  });

  it('arrays: push, map, reduce, forEach, filter with arrow callbacks; objects with numeric fields', () => {
    const text = `const p = { w: 2, b: -1 };
const xs = [1, 2, 3];
const ys: number[] = [];
for (const x of xs) ys.push(p.w * x + p.b);
const sq = ys.map((y) => y * y);
const total = sq.reduce((acc, v) => acc + v, 0);
let extra = 0;
xs.forEach((x, i) => { extra += x * i; });
const big = ys.filter((y) => y > 2);
total + extra + big.length + big[0]`;
    const r = run(text);
    const ys = [1, 3, 5];
    close(r.value, 1 + 9 + 25 + (0 + 2 + 6) + 2 + 3, 1e-12);
    // d/dw Σ(w x + b)² = Σ 2(w x + b) x; plus big[0] = w·2 + b.
    close(r.gradients['p.w'], 2 * (ys[0] * 1 + ys[1] * 2 + ys[2] * 3) + 2, 1e-12);
    close(r.gradients['p.b'], 2 * (ys[0] + ys[1] + ys[2]) + 1, 1e-12);
    assert.ok(r.trace.scopes!.some((s) => s.kind === 'call' && s.title.startsWith('arrow(')));
  });

  it('while, break and continue', () => {
    const text = `const x = 1.1;
let y = x;
let k = 0;
while (true) {
  k++;
  if (k > 6) break;
  if (k === 2) continue;
  y = y * x;
}
y`;
    const r = run(text);
    // k = 1, 3, 4, 5, 6 multiply: x⁶.
    close(r.value, 1.1 ** 6, 1e-12);
    close(r.gradients.x, 6 * 1.1 ** 5, 1e-12);
    assert.ok(r.trace.scopes!.some((s) => s.kind === 'loop' && s.title === 'while (true) · line 4'));
  });

  it('a selected function with a loop: its parameters are the inputs', () => {
    const r = run('function f(x: number, n = 3) {\n  let y = 1;\n  for (let i = 0; i < n; i++) y *= x;\n  return y;\n}', { x: 2 });
    assert.equal(r.value, 8);
    assert.equal(r.gradients.x, 12);
  });

  it('closures capture their variables; nested functions', () => {
    const text = `function scale(k: number) {
  return (u: number) => k * u;
}
const a = 2;
const double = scale(a);
const x = 3;
double(x) + scale(x)(x)`;
    const r = run(text);
    close(r.value, 2 * 3 + 3 * 3, 1e-12);
    close(r.gradients.x, 2 + 2 * 3, 1e-12);
    close(r.gradients.a, 3, 1e-12);
  });

  it('closures made in a for loop keep their pass\'s loop variable, as let gives in TypeScript', () => {
    const text = `const x = 2;
const fs: ((u: number) => number)[] = [];
for (let i = 0; i < 3; i++) {
  fs.push((u: number) => u * i * x);
}
fs.map((f) => f(1)).reduce((a, b) => a + b)`;
    const r = run(text);
    close(r.value, 2 * (0 + 1 + 2), 1e-12);
    close(r.gradients.x, 3, 1e-12);
  });

  it('straight-line programs still have no scopes and no branches', () => {
    const r = run('const a = 2;\nconst b = a * a + 1;\nb');
    assert.equal(r.trace.scopes, undefined);
    assert.equal(r.trace.branches, undefined);
    assert.equal(r.program.interpreted, undefined);
  });

  it('refusals name the construct and line:col', () => {
    const cases: [string, RegExp, number, number][] = [
      ['const xs = [1, 2];\nxs[5]', /index 5 is out of range for a list of 2 items/, 2, 1],
      ['function f(u: number) { return u }\nconst x = 1;\nf(x).y', /'\.y' of a number/, 3, 1],
      ['class A { constructor() {} }\nconst a = new A();\na.missing', /'A' has no field or method 'missing'/, 3, 1],
      ['const x = 1;\nconst o = { w: x };\no.constructor', /the member 'constructor'/, 3, 1],
      ['const x = 2;\nx % 2', /remainder operator/, 2, 3],
      ['const xs = [1, 2];\nconst ys = xs.map((v) => v * 2);\nys', /the output is a list of 2 items, not one number/, 3, 1],
      ['do { } while (false)', /'do…while' loop/, 1, 1],
      ['const x = 1;\nfor (let i = 0; i < 2; i++) { x = x + 1; }\nx', /assignment to the constant 'x'/, 2, 31],
      ['const xs = [1, 2];\nfor (const v of xs) { v++; }\n1', /assignment to the constant 'v'/, 2, 23],
      ['function f(u: number) { let u = 2; return u }\nf(1)', /redeclaring 'u' \(already declared at 1:12/, 1, 29],
      ['const x = 1;\nif (x > 0) { let y = 1; let y = 2; }\nx', /redeclaring 'y'/, 2, 29],
      ['function f(u: number) { return u;\n  u * 2 }\nf(1)', /code after return/, 2, 3],
    ];
    for (const [text, message, line, col] of cases) {
      const r = analyze(text, { lang: 'ts' });
      assert.ok(!r.ok, `${JSON.stringify(text)} must be refused`);
      assert.match(r.error.message, message, r.error.format());
      assert.deepEqual([r.error.span?.line, r.error.span?.col], [line, col], r.error.format());
    }
  });
});
