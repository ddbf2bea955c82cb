/**
 * Python programs with functions, loops, branches, lists and classes (issue 12): read by the statement-level
 * reader, interpreted (never executed), and checked against central finite differences and against the same
 * computation unrolled by hand into straight-line code.
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { analyze, type Analysis } from '../../src/engine/analyze';
import { BackpropError } from '../../src/engine/base/errors';
import type { TensorValues } from '../../src/engine/base/tensor-value';
import { parsePython } from '../../src/engine/frontends/python';
import { trace } from '../../src/engine/interpreter/trace';
import * as LESSONS from '../fixtures/python-lessons';
import { mlpProgram, mlpReference, mlpWeights } from '../fixtures/lecture-mlp';
import { assertGraphInvariants, close } from './helpers';

function run(text: string, values: TensorValues = {}): Analysis {
  const r = analyze(text, { lang: 'python', values, gradCheck: false });
  if (!r.ok) assert.fail(`expected a trace of\n${text}\ngot ${r.error.format()}`);
  return r.value;
}
function refusal(text: string, values: TensorValues = {}): BackpropError {
  const r = analyze(text, { lang: 'python', values, gradCheck: false });
  assert.ok(!r.ok, `expected a refusal for ${JSON.stringify(text)}`);
  return r.error;
}

/**
 * Every input's gradient against a central difference of the whole program re-read with that input moved:
 * Richardson-extrapolated (error O(h⁴)), so agreement to 1e-9 is a real check. An input `W[1,2]` (an entry of a
 * literal list) is moved by giving the whole list with that entry changed.
 */
function checkFiniteDifferences(text: string, a: Analysis, tolerance = 1e-9): void {
  // Read once, traced many times: only the values change.
  const program = parsePython(text);
  const inputs = a.trace.inputs;
  assert.ok(inputs.length > 0, 'the program has inputs');
  const lists = new Map<string, { index: number[]; value: number }[]>();
  for (const input of inputs) {
    const m = /^(.+)\[(\d+)(?:,(\d+))?\]$/.exec(input.name);
    if (!m) continue;
    const entries = lists.get(m[1]) ?? [];
    entries.push({ index: m[3] === undefined ? [Number(m[2])] : [Number(m[2]), Number(m[3])], value: input.value });
    lists.set(m[1], entries);
  }
  const rebuilt = (base: string, moved: number[], by: number): number[] | number[][] => {
    const entries = lists.get(base)!;
    if (entries[0].index.length === 1) {
      const out: number[] = [];
      for (const e of entries) out[e.index[0]] = e.value + (e.index[0] === moved[0] ? by : 0);
      return out;
    }
    const out: number[][] = [];
    for (const e of entries) (out[e.index[0]] ??= [])[e.index[1]] = e.value + (e.index[0] === moved[0] && e.index[1] === moved[1] ? by : 0);
    return out;
  };
  const at = (name: string, value: number, by: number): number => {
    const m = /^(.+)\[(\d+)(?:,(\d+))?\]$/.exec(name);
    const values: TensorValues = m && lists.has(m[1])
      ? { [m[1]]: rebuilt(m[1], m[3] === undefined ? [Number(m[2])] : [Number(m[2]), Number(m[3])], by) }
      : { [name]: value + by };
    const t = trace(program, values);
    return t.tape.value[t.output];
  };
  for (const input of inputs) {
    const central = (h: number) => (at(input.name, input.value, h) - at(input.name, input.value, -h)) / (2 * h);
    const h = 1e-3 * Math.max(1, Math.abs(input.value));
    const numeric = (4 * central(h / 2) - central(h)) / 3;
    const analytic = a.gradients[input.name];
    assert.ok(analytic !== undefined, `gradient of ${input.name}`);
    const err = Math.abs(analytic - numeric) / Math.max(1, Math.abs(numeric));
    assert.ok(err <= tolerance, `${input.name}: analytic ${analytic}, numeric ${numeric} (error ${err})`);
  }
}

test('a function called twice, with tuple assignments', () => {
  const text = [
    'def f(a, b):',
    '    s, p = a + b, a * b',
    '    s, p = p, s',
    '    return s * p + s',
    '',
    'x = 1.5',
    'y = -0.5',
    'z = f(x, y) + f(y, x * x)',
  ].join('\n');
  const a = run(text);
  const f = (p: number, q: number) => { const s = p * q; const t = p + q; return s * t + s; };
  close(a.value, f(1.5, -0.5) + f(-0.5, 1.5 * 1.5), 1e-15, 'value');
  assertGraphInvariants(a.graph);
  checkFiniteDifferences(text, a);
});

test('a mean-squared error over three points, in a for loop over Python lists', () => {
  const text = [
    'xs = [1.0, 2.0, 3.0]',
    'ys = [2.0, 4.1, 5.9]',
    'w = 0.5',
    'b = 0.1',
    'total = 0.0',
    'for x, y in zip(xs, ys):',
    '    pred = w * x + b',
    '    total += (pred - y) ** 2',
    'loss = total / len(xs)',
  ].join('\n');
  const a = run(text);
  const expected = ([[1, 2], [2, 4.1], [3, 5.9]] as const).reduce((acc, [x, y]) => acc + (0.5 * x + 0.1 - y) ** 2, 0) / 3;
  close(a.value, expected, 1e-15, 'value');
  const dw = ([[1, 2], [2, 4.1], [3, 5.9]] as const).reduce((acc, [x, y]) => acc + 2 * (0.5 * x + 0.1 - y) * x, 0) / 3;
  close(a.gradients.w, dw, 1e-12, 'dloss/dw');
  assertGraphInvariants(a.graph);
  checkFiniteDifferences(text, a);
});

test('an if/else on a traced value takes the branch the values choose', () => {
  const program = (w: number) => [
    'import math',
    'x = 0.7',
    `w = ${w}`,
    'h = w * x',
    'if h > 0:',
    '    y = h * 2',
    'elif h > -0.5:',
    '    y = h ** 3',
    'else:',
    '    y = math.exp(h)',
  ].join('\n');
  const positive = run(program(1.3));
  close(positive.value, 1.3 * 0.7 * 2, 1e-15, 'value');
  close(positive.gradients.w, 0.7 * 2, 1e-15, 'dy/dw');
  checkFiniteDifferences(program(1.3), positive);
  const middle = run(program(-0.4));
  close(middle.value, (-0.4 * 0.7) ** 3, 1e-15, 'value');
  checkFiniteDifferences(program(-0.4), middle);
  const negative = run(program(-1.3));
  close(negative.value, Math.exp(-1.3 * 0.7), 1e-15, 'value');
  close(negative.gradients.w, 0.7 * Math.exp(-1.3 * 0.7), 1e-15, 'dy/dw');
  checkFiniteDifferences(program(-1.3), negative);
  // A conditional expression on a traced value, too.
  const c = run('x = -2.0\ny = x * x if x < 0 else x + 1');
  close(c.value, 4, 1e-15, 'value');
  close(c.gradients.x, -4, 1e-15, 'dy/dx');
});

test('a recursive function', () => {
  const text = [
    'import math',
    'def power(x, n):',
    '    if n == 0:',
    '        return 1.0',
    '    return x * power(x, n - 1)',
    '',
    'def fib(a, b, n):',
    '    return a if n == 0 else fib(b, a + b * 0.5, n - 1)',
    '',
    'x = 1.1',
    'y = power(x, 5) + math.sin(x) + fib(x, 0.3, 4)',
  ].join('\n');
  const a = run(text);
  const fib = (p: number, q: number, n: number): number => (n === 0 ? p : fib(q, p + q * 0.5, n - 1));
  close(a.value, 1.1 ** 5 + Math.sin(1.1) + fib(1.1, 0.3, 4), 1e-14, 'value');
  assertGraphInvariants(a.graph);
  checkFiniteDifferences(text, a);
});

test("the micrograd lecture's neuron: sum((wi*xi for wi, xi in zip(ws, xs)), b).tanh()", () => {
  const text = [
    'xs = [2.0, 0.0]',
    'ws = [-3.0, 1.0]',
    'b = Value(6.8813735870195432)',
    'n = sum((wi*xi for wi, xi in zip(ws, xs)), b)',
    'o = n.tanh()',
    'o.backward()',
  ].join('\n');
  const a = run(text);
  close(a.value, Math.tanh(-6 + 6.8813735870195432), 1e-15, 'value');
  // The lecture's numbers: ∂o/∂w1 = x1·(1 − o²) = 2·0.5 = 1.0 (to the lecture's four digits).
  close(a.gradients['ws[0]'], 2 * (1 - a.value ** 2), 1e-15, 'do/dw1');
  close(a.gradients['ws[0]'], 1, 1e-4, 'lecture value');
  // The sum starts from b: b + w1·x1 + w2·x2, no extra 0.
  assert.ok(!a.graph.nodes.some((n) => n.kind === 'const' && n.value === 0), 'no 0 start in the sum');
  assertGraphInvariants(a.graph);
  checkFiniteDifferences(text, a);
});

test('the lecture MLP(3, [4, 4, 1]) over 4 samples, weights written as numbers', () => {
  const text = mlpProgram();
  const a = run(text);
  close(a.value, mlpReference(), 1e-13, 'loss');
  const weights = a.graph.inputs.filter((i) => /^(W|b)\d/.test(i.name));
  assert.equal(weights.length, 3 * 4 + 4 + 4 * 4 + 4 + 4 + 1, 'one input per weight and bias');
  assert.ok(a.graph.nodes.length >= 300 && a.graph.nodes.length <= 500, `about 400 nodes, got ${a.graph.nodes.length}`);
  assertGraphInvariants(a.graph);
  checkFiniteDifferences(text, a);
});

test("the lecture's parameters() methods: list concatenation and nested comprehensions", () => {
  const text = mlpProgram().replace(/ypred = [\s\S]*$/, 'reg = sum(p * p for p in n.parameters())\nreg');
  const a = run(text);
  const { W, b } = mlpWeights();
  const expected = [...W.flat(2), ...b.flat()].reduce((acc, p) => acc + p * p, 0);
  close(a.value, expected, 1e-13, 'Σ p²');
  for (const input of a.graph.inputs.filter((i) => /^(W|b)\d/.test(i.name))) close(a.gradients[input.name], 2 * input.value, 1e-15, input.name);
});

test('while, break, continue, enumerate, append, indexing, len, lambda, default arguments', () => {
  const text = [
    'import math',
    'def scale(v, k=2.0):',
    '    return v * k',
    'sq = lambda t: t ** 2',
    'a = 0.8',
    'hs = []',
    'for i, c in enumerate([1.0, 2.0, 3.0, 4.0]):',
    '    if i == 1:',
    '        continue',
    '    if i == 3:',
    '        break',
    '    hs.append(scale(a, c) + sq(a))',
    'def product(hs):',
    '    k = 0',
    '    acc = hs[0]',
    '    while k < len(hs):',
    '        acc = acc * math.cos(hs[k])',
    '        k += 1',
    '    return acc',
    'y = product(hs) + hs[-1] + scale(a)',
  ].join('\n');
  const a = run(text);
  const h = [0.8 * 1 + 0.64, 0.8 * 3 + 0.64];
  close(a.value, h[0] * Math.cos(h[0]) * Math.cos(h[1]) + h[1] + 1.6, 1e-14, 'value');
  checkFiniteDifferences(text, a);
});

test('keyword arguments, None defaults, closures, class attributes, tuple returns, index assignment, max of a list', () => {
  const cases: [string, number, Record<string, number>][] = [
    ['def f(x, y=None):\n    if y is None:\n        y = 2.0\n    return x * y\nx = 3.0\nz = f(x) + f(x, y=0.5)', 7.5, { x: 2.5 }],
    ['def mk(k):\n    return lambda t: t * k\nx = 2.0\ng = mk(x)\ny = g(3.0)', 6, { x: 3 }],
    ['class A:\n    k = 2.0\n    def __init__(self, w):\n        self.w = w\n    def forward(self, x):\n        return self.w * x * self.k\n'
      + '    def __call__(self, x):\n        return self.forward(x)\nw = 0.5\na = A(w)\ny = a(3.0) + sum(a(t) for t in range(1, 4, 2))', 7, { w: 14 }],
    ['def f(x):\n    return x, x * 2\nx = 1.5\na, b = f(x)\ny = a * b', 4.5, { x: 6 }],
    ['xs = [1.0, 2.0, 3.0]\nfor i in range(len(xs)):\n    xs[i] = xs[i] * xs[i]\ny = sum(xs)', 14, { 'xs[0]': 2, 'xs[1]': 4, 'xs[2]': 6 }],
    ['a = b = 2.0\nc = a * b', 4, { a: 4 }],
    ['x = 2.0\ny = max(x, 1.0) + min([x, 3.0]) + max(t * t for t in [x, -3.0])', 13, { x: 2 }],
    ['x = 1.0\nif x > 0 and not x > 5 or x == 3:\n    y = x * 2\nelse:\n    y = x', 2, { x: 2 }],
    ['x = 2.0\ny = [x * i for i in range(3) if i != 1]\nz = y[0] + y[1]', 4, { x: 2 }],
    ['from micrograd.engine import Value\na = Value(2.0, label="a")\nb = a\nfor i in range(2):\n    b = b * a\nb.label = "b"\nb.backward()\nprint(a.grad)', 8, { a: 12 }],
    ['import torch\nx = torch.tensor(2.0, requires_grad=True)\nfor i in range(2):\n    x = x * 2\nx.backward()', 8, { x: 4 }],
  ];
  for (const [text, value, gradients] of cases) {
    const a = run(text);
    close(a.value, value, 1e-15, `${JSON.stringify(text)}: value`);
    for (const [name, g] of Object.entries(gradients)) close(a.gradients[name], g, 1e-15, `${JSON.stringify(text)}: ∂/∂${name}`);
  }
  assert.match(refusal('x = 1.5\nxs = [1.0, 2.0]\ny = xs * x').message, /Python lists do no arithmetic/);
  assert.match(refusal('xs = [1.0]\ny = map(lambda t: t, xs)').message, /built-in map\(\.\.\.\): write a list comprehension/);
  assert.match(refusal('while True:\n    pass').message, /ran more than/);
});

test('straight-line Python still reads as before; a loop makes it interpreted', () => {
  const straight = run('a = Value(2.0)\nb = Value(-3.0)\nc = a * b + 1\nc.backward()');
  assert.equal(straight.program.interpreted, undefined, 'straight-line code keeps the IR');
  const looped = run('a = 2.0\nc = a\nfor i in range(2):\n    c = c * a\nc');
  assert.ok(looped.program.interpreted, 'a loop is interpreted');
  close(looped.value, 8, 0, 'value');
  close(looped.gradients.a, 12, 0, 'dc/da');
});

test("the lessons' straight-line Python is read by the straight-line reader, so its graphs are exactly as before", () => {
  // The straight-line reader is unchanged; texts without blocks, branches or comparisons never reach the new one.
  for (const [name, text] of Object.entries(LESSONS)) {
    if (typeof text !== 'string') continue;
    const r = analyze(text, { lang: 'python', gradCheck: false });
    assert.ok(r.ok, name);
    assert.equal(r.value.program.interpreted, undefined, `${name} is straight-line`);
  }
});

test('refusals name the construct and its line:col, in Python terms', () => {
  const cases: [string, RegExp, string][] = [
    ['import random\nw = random.uniform(-1, 1)\ny = w if w > 0 else -w', /random\.uniform\(\.\.\.\): draws random numbers.*write the values out/, '2:5'],
    ['import random\nclass Neuron:\n    def __init__(self, nin):\n        self.w = [random.uniform(-1, 1) for _ in range(nin)]\nn = Neuron(2)', /random\.uniform\(\.\.\.\): draws random numbers/, '4:19'],
    ['from random import uniform\ndef f():\n    return uniform(-1, 1)\ny = f()', /uniform\(\.\.\.\): draws random numbers/, '3:12'],
    ['def f(x):\n    with open("f") as g:\n        return x\ny = f(1.0)', /'with' block/, '2:5'],
    ['def f(x):\n    try:\n        return x\n    except:\n        return 0\n', /'try' block/, '2:5'],
    ['def f(*args):\n    return 1\n', /parameter '\*args'/, '1:7'],
    ['def f(x):\n  return x\n    y = 2', /unexpected indentation/, '3:5'],
    ['def f(x):\nreturn x', /expected an indented block after 'def' at 1:1/, '2:1'],
    ['for i in range(3)\n    x = i', /expected ':' at the end of a 'for' line/, '1:1'],
    ['x = 1.0\nif x > 0:\n    y = x\n  else:\n    y = -x', /unindent does not match|'else' without an 'if'/, '4:3'],
    ['ys = [1.0, 2.0]\ny = ys[0:1]', /slicing/, '2:8'],
    ['x = 2.0\ny = x % 2 if x > 0 else x', /the operator '%'/, '2:7'],
    ['x = 2.0\ny = x if x in [1.0] else 0', /the operator 'in'/, '2:10'],
    ['y = 2.0\nreturn y', /'return' outside a function/, '2:1'],
    ['for p in [1.0]:\n    p.grad = 0.0', /setting 'p\.grad' by hand/, '2:5'],
    ['x = Value(1.0)\nfor k in range(3):\n    y = x * 2\n    y.backward()', /\.backward\(\) inside a block/, '4:7'],
    ['x = 1.0\nif x > 0:\n    y = np.frobnicate(x)', /unknown function 'np\.frobnicate'/, '3:9'],
    ['x = 1.0\nif x > 0:\n    y = x.tahn()', /unknown method '\.tahn\(\)' \(did you mean \.tanh\(\)\?\)/, '3:10'],
    ['def neuron(x):\n    return x\ny = nueron(1.0) if True else 0', /a call to 'nueron' \(did you mean neuron\?\)/, '3:5'],
    ['class A(Base):\n    pass\n', /base class Base/, '1:9'],
    ['class A:\n    def __add__(self, o):\n        return 1\n', /the method '__add__'/, '2:9'],
    ['def f(x):\n    return x\n@f\ndef g(x):\n    return x\n', /decorator/, '3:1'],
    ['from micrograd.nn import MLP\nmodel = MLP(3, [4, 4, 1])\nif True:\n    pass', /MLP\(\.\.\.\): builds neurons with random weights/, '2:9'],
  ];
  for (const [text, message, where] of cases) {
    const e = refusal(text, { x: 1 });
    assert.match(e.message, message, `${JSON.stringify(text)}: ${e.message}`);
    assert.ok(e.format().startsWith(where), `${JSON.stringify(text)}: expected position ${where}, got ${e.format()}`);
    assert.doesNotMatch(e.message, /\bconst\b|Math\.|\bthis\b/, 'the message is in Python terms');
  }
});

test('no host object is reachable: escapes are refused and a marker file is never written', () => {
  const marker = join(tmpdir(), `bp-py-pwned-${process.pid}-${Math.random().toString(36).slice(2)}`);
  rmSync(marker, { force: true });
  const touch = `open('${marker}', 'w').write('x')`;
  const texts: [string, RegExp][] = [
    [`def f():\n    ${touch}\nf()`, /'open'/],
    [`__import__('os').system('touch ${marker}')\nif True:\n    pass`, /'__import__'/],
    [`import os\nos.system('touch ${marker}')\nfor i in range(1):\n    pass`, /the import 'import os'/],
    [`x = 1.0\ny = x.__class__.__bases__[0].__subclasses__() if x > 0 else 0`, /'\.__class__'/],
    [`f = lambda: 0\ng = f.__globals__['__builtins__']`, /'\.__globals__'/],
    [`def f():\n    return 1\nc = f.__code__`, /'\.__code__'/],
    [`class A:\n    def __init__(self):\n        self.v = 1.0\na = A()\nd = a.__dict__`, /'\.__dict__'/],
    [`def f(x):\n    return getattr(x, '__class__')\ny = f(1.0)`, /'getattr'/],
    [`def f():\n    return eval("__import__('os').system('touch ${marker}')")\ny = f()`, /'eval'/],
    [`def f():\n    exec("open('${marker}', 'w')")\nf()`, /'exec'/],
    [`for k in globals():\n    pass`, /'globals'/],
    [`x = 1.0\nt = type(x) if x > 0 else 0`, /'type'/],
    [`import math\nm = math.__loader__ if True else 0`, /'\.__loader__'|attribute access/],
    [`import math\nlam = (lambda: 0)\nb = lam.__builtins__`, /'\.__builtins__'/],
    [`class A:\n    pass\nb = A.__subclasses__() if True else 0`, /'\.__subclasses__'/],
    [`x = 1.0\nif x > 0:\n    y = print.__self__`, /'print' used as a value|__self__/],
    [`x = [1.0]\nif x:\n    y = x.__len__()`, /'\.__len__'/],
    [`__builtins__ = 1\nif True:\n    pass`, /'__builtins__'/],
    [`def f(__class__):\n    return 1\ny = f(1)`, /'__class__'/],
  ];
  for (const [text, message] of texts) {
    const r = analyze(text, { lang: 'python', values: { x: 1 } });
    assert.ok(!r.ok, `${JSON.stringify(text)} must be refused`);
    assert.ok(r.error instanceof BackpropError);
    assert.match(r.error.message, message, r.error.format());
    assert.ok(r.error.span, `${JSON.stringify(text)}: the refusal has a position`);
  }
  assert.equal(existsSync(marker), false, 'the marker file was not created');
});

test('token soup of blocks and comprehensions gives a value or a BackpropError, never a crash or a hang', () => {
  const pieces = ['x', 'y', 'xs', 'def', 'f', 'class', 'A', 'self', 'return', 'for', 'in', 'range', 'zip', 'enumerate', 'while', 'if', 'elif',
    'else', 'break', 'continue', 'pass', 'lambda', 'sum', 'len', 'append', '(', ')', '[', ']', ',', '.', ':', '=', '+=', '*', '**', '-', '<',
    '==', 'and', 'not', '2.0', '0', '1', '\n', '\n    ', '\n        ', 'True', 'None', '__init__', '__call__', 'tanh', 'math', '.'];
  fc.assert(fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 40 }), (parts) => {
    const r = analyze(parts.join(' ').replace(/ \n/g, '\n'), { lang: 'python', values: { x: 1, y: 2, xs: [1, 2] }, gradCheck: false });
    if (!r.ok) assert.ok(r.error instanceof BackpropError, String(r.error));
  }), { numRuns: 3000 });
});

test('deep nesting is a clear error, not a stack overflow', () => {
  const deep = `y = ${'('.repeat(5000)}x${')'.repeat(5000)}\nif y > 0:\n    pass`;
  const e = refusal(deep, { x: 1 });
  assert.equal(e.code, 'too-deep');
  let blocks = 'x = 1.0\n';
  for (let d = 0; d < 400; d++) blocks += `${' '.repeat(d)}if x > 0:\n`;
  blocks += `${' '.repeat(400)}y = x\n`;
  assert.equal(refusal(blocks).code, 'too-deep');
});

// ---------------------------------------------------------------------------------------------------------------
// Property tests: generated programs with loops, functions and branches, against the same computation unrolled
// by hand into straight-line Python, and against central finite differences.

/** A step applied to the running value `a` with a constant `k`; `branch` steps choose by comparing a with k. */
type Step =
  | { kind: 'affine'; k: number } // a * k + 0.5
  | { kind: 'square'; k: number } // a * a * k
  | { kind: 'tanh'; k: number } // tanh(a + k)
  | { kind: 'branch'; k: number }; // a * 0.5 + k if a > k else a * a - k

const step: fc.Arbitrary<Step> = fc.record({
  kind: fc.constantFrom('affine' as const, 'square' as const, 'tanh' as const, 'branch' as const),
  k: fc.constantFrom(-1.5, -0.5, 0.25, 0.75, 1.25),
});

function applyStep(s: Step, a: number): number {
  switch (s.kind) {
    case 'affine': return a * s.k + 0.5;
    case 'square': return a * a * s.k;
    case 'tanh': return Math.tanh(a + s.k);
    case 'branch': return a > s.k ? a * 0.5 + s.k : a * a - s.k;
  }
}
/** The step as straight-line Python, the branch already decided by the values. */
function unrolledStep(s: Step, a: string, value: number): string {
  switch (s.kind) {
    case 'affine': return `${a} * ${s.k} + 0.5`;
    case 'square': return `${a} * ${a} * ${s.k}`;
    case 'tanh': return `(${a} + ${s.k}).tanh()`;
    case 'branch': return value > s.k ? `${a} * 0.5 + ${s.k}` : `${a} * ${a} - ${s.k}`;
  }
}

/** The interpreted program: one function per step kind, called in a loop over the list of steps (or by a recursion). */
function loopedProgram(steps: Step[], x: number, form: 'loop' | 'while' | 'recursion' | 'comprehension'): string {
  const fns = steps.map((s) => ({ affine: 'affine', square: 'square', tanh: 'squash', branch: 'branch' })[s.kind]);
  const lines = [
    'import math',
    'def affine(a, k):',
    '    return a * k + 0.5',
    'def square(a, k):',
    '    return a * a * k',
    'def squash(a, k):',
    '    return math.tanh(a + k)',
    'def branch(a, k):',
    '    if a > k:',
    '        return a * 0.5 + k',
    '    else:',
    '        return a * a - k',
    `x = ${x}`,
    // A list of functions is not an input; the list of numbers is (ks[0], ks[1], …).
    `fs = [${fns.join(', ')}]`,
    `ks = ${JSON.stringify(steps.map((s) => s.k))}`,
  ];
  if (form === 'loop') {
    lines.push('a = x', 'for f, k in zip(fs, ks):', '    a = f(a, k)', 'a');
  } else if (form === 'while') {
    lines.push('a = x', 'i = 0', 'while True:', '    if i >= len(ks):', '        break', '    a = fs[i](a, ks[i])', '    i += 1', 'a');
  } else if (form === 'recursion') {
    lines.push('def run(a, i):', '    return a if i == len(ks) else run(fs[i](a, ks[i]), i + 1)', 'run(x, 0)');
  } else {
    // A list of the running values, then its last item.
    lines.push('vals = [x]', '[vals.append(fs[i](vals[-1], ks[i])) for i in range(len(ks))]', 'vals[len(vals) - 1]');
  }
  return lines.join('\n');
}
function unrolledProgram(steps: Step[], x: number): string {
  const lines = [`x = ${x}`];
  let name = 'x';
  let value = x;
  steps.forEach((s, i) => {
    lines.push(`a${i} = ${unrolledStep(s, name, value)}`);
    value = applyStep(s, value);
    name = `a${i}`;
  });
  lines.push(name);
  return lines.join('\n');
}

test('property: loops, functions and branches have the gradients of the same computation unrolled by hand', () => {
  const cases = fc.tuple(fc.array(step, { minLength: 1, maxLength: 6 }), fc.double({ min: -2, max: 2, noNaN: true }),
    fc.constantFrom('loop' as const, 'while' as const, 'recursion' as const, 'comprehension' as const));
  fc.assert(fc.property(cases, ([steps, x, form]) => {
    // Values at a branch's edge would make the finite difference cross it: keep a margin.
    let v = x;
    for (const s of steps) {
      if (s.kind === 'branch' && Math.abs(v - s.k) < 1e-3) return;
      v = applyStep(s, v);
    }
    if (!Number.isFinite(v) || Math.abs(v) > 1e6) return;
    const looped = run(loopedProgram(steps, x, form));
    const unrolled = run(unrolledProgram(steps, x));
    close(looped.value, unrolled.value, 1e-14, 'value');
    close(looped.gradients.x, unrolled.gradients.x, 1e-12, 'd/dx');
    for (const [k, name] of steps.map((_, i) => [i, `ks[${i}]`] as const)) assert.ok(name in looped.gradients, `ks[${k}] is an input`);
    assertGraphInvariants(looped.graph);
  }), { numRuns: 150 });
});

test('property: generated programs match central finite differences', () => {
  const cases = fc.tuple(fc.array(step, { minLength: 1, maxLength: 4 }), fc.double({ min: -1.5, max: 1.5, noNaN: true }));
  fc.assert(fc.property(cases, ([steps, x]) => {
    let v = x;
    for (const s of steps) {
      if (s.kind === 'branch' && Math.abs(v - s.k) < 1e-2) return;
      v = applyStep(s, v);
    }
    if (!Number.isFinite(v) || Math.abs(v) > 1e3) return;
    const text = loopedProgram(steps, x, 'loop');
    checkFiniteDifferences(text, run(text), 1e-7);
  }), { numRuns: 40 });
});

test('property: a generated layer of Neuron objects has the gradients of its neurons written out by hand', () => {
  const weight = fc.double({ min: -1, max: 1, noNaN: true }).map((v) => Math.round(v * 1000) / 1000);
  const cases = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })).chain(([nin, nout]) => fc.tuple(
    fc.array(fc.array(weight, { minLength: nin, maxLength: nin }), { minLength: nout, maxLength: nout }),
    fc.array(weight, { minLength: nout, maxLength: nout }),
    fc.array(weight, { minLength: nin, maxLength: nin }),
    fc.constantFrom('tanh' as const, 'relu' as const)));
  fc.assert(fc.property(cases, ([W, b, x, act]) => {
    const scalars = [
      ...W.flatMap((row, j) => row.map((w, i) => `w${j}_${i} = ${w}`)),
      ...b.map((v, j) => `b${j} = ${v}`),
      ...x.map((v, i) => `x${i} = ${v}`),
    ];
    const xs = `[${x.map((_, i) => `x${i}`).join(', ')}]`;
    const objects = [
      'class Neuron:',
      '    def __init__(self, w, b):',
      '        self.w = w',
      '        self.b = b',
      '    def __call__(self, x):',
      `        return sum((wi * xi for wi, xi in zip(self.w, x)), self.b).${act}()`,
      'class Layer:',
      '    def __init__(self, neurons):',
      '        self.neurons = neurons',
      '    def __call__(self, x):',
      '        return [n(x) for n in self.neurons]',
      ...scalars,
      `layer = Layer([${W.map((row, j) => `Neuron([${row.map((_, i) => `w${j}_${i}`).join(', ')}], b${j})`).join(', ')}])`,
      `out = sum(o * o for o in layer(${xs}))`,
    ].join('\n');
    // By hand: each neuron's weighted sum, activation and square, one line each.
    const byHand = [
      ...scalars,
      ...W.map((row, j) => `n${j} = (b${j} + ${row.map((_, i) => `w${j}_${i} * x${i}`).join(' + ')}).${act}()`),
      `out = ${W.map((_, j) => `n${j} * n${j}`).join(' + ')}`,
    ].join('\n');
    const a = run(objects);
    const h = run(byHand);
    assert.ok(a.program.interpreted && !h.program.interpreted, 'one interpreted, one straight-line');
    close(a.value, h.value, 1e-14, 'value');
    assert.deepEqual(Object.keys(a.gradients).sort(), Object.keys(h.gradients).sort());
    for (const name of Object.keys(h.gradients)) close(a.gradients[name], h.gradients[name], 1e-12, name);
    assertGraphInvariants(a.graph);
  }), { numRuns: 100 });
});
