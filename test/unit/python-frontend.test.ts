import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, detectLang } from '../../src/engine/analyze';
import { parsePython } from '../../src/engine/frontends/python';
import { assertGraphInvariants, close } from './helpers';

const run = (text: string, values: Record<string, number> = {}) => {
  const r = analyze(text, { lang: 'python', values });
  if (!r.ok) assert.fail(`expected a trace, got ${r.error.format()}`);
  assertGraphInvariants(r.value.graph);
  return r.value;
};
const refusal = (text: string, values: Record<string, number> = { x: 1 }) => {
  const r = analyze(text, { lang: 'python', values });
  assert.ok(!r.ok, `expected a refusal for ${JSON.stringify(text)}`);
  return r.error;
};

test('seed 1.2: x ** 3 + 2 * x at x = 1 is 5 with gradient 3x² + 2 = 5', () => {
  const a = run('x ** 3 + 2 * x', { x: 1 });
  assert.equal(a.value, 3);
  assert.equal(a.gradients.x, 5);
});

test('seed 1.2 notebook cell as written: the value of x comes from torch.tensor([1.0], requires_grad=True)', () => {
  const cell = 'import torch\n\nx = torch.tensor([1.0], requires_grad=True)\ny = x ** 3 + 2 * x\ny.backward()\nprint(x.grad)  # tensor([5.])\n';
  const a = run(cell);
  assert.equal(a.value, 3);
  assert.equal(a.gradients.x, 5);
  assert.equal(a.graph.inputs[0].source, 'literal');
});

test('seed 1.2: y = torch.sin(x**2 + 1) after x = torch.tensor([2.0]) gives sin(5) and 2x·cos(x²+1)', () => {
  const a = run('x = torch.tensor([2.0], requires_grad=True)\ny = torch.sin(x**2 + 1)\ny.backward()\nprint(x.grad)');
  close(a.value, Math.sin(5));
  close(a.gradients.x, 2 * 2 * Math.cos(5));
  // --at overrides the literal, as for TypeScript declarations.
  const b = analyze('x = torch.tensor(2.0)\ny = torch.sin(x**2 + 1)', { lang: 'python', values: { x: 0.5 } });
  assert.ok(b.ok);
  close(b.value.gradients.x, 2 * 0.5 * Math.cos(1.25));
});

test('seed day05 net in Python gives the notebook gradients', () => {
  const a = run('import numpy as np\nh = np.tanh(w1 * x)\ny = w2 * h\nL = 0.5 * (y - target) ** 2\n', { x: 1, w1: 1.2, w2: -0.8, target: 0.5 });
  close(a.gradients.w1, 0.2847480465272111, 1e-14);
  close(a.gradients.w2, -0.9728113065401505, 1e-14);
  close(a.gradients.x, 0.3416976558326533, 1e-14);
  assert.ok(a.check!.rows.every((r) => r.ok));
});

test('** is right-associative and binds tighter than a unary minus on its left', () => {
  assert.equal(run('-x**2', { x: 3 }).value, -9);
  assert.equal(run('2**3**2').value, 512);
  assert.equal(run('2**-1').value, 0.5);
  assert.equal(run('(-x)**2', { x: 3 }).value, 9);
  assert.equal(run('-2**-x**2', { x: 1 }).value, -0.5);
  assert.equal(run('1 - 2 - 3').value, -4);
  assert.equal(run('8 / 4 / 2').value, 1);
  assert.equal(run('+x * -y', { x: 2, y: 3 }).value, -6);
});

test('math./np./torch. functions and constants', () => {
  close(run('math.sin(math.pi / 2) + np.cos(0) + torch.exp(0)').value, 3);
  close(run('np.log10(1000) + math.log(8, 2) + np.sqrt(16) + abs(-1)').value, 3 + 3 + 4 + 1);
  close(run('torch.sigmoid(0) + torch.relu(-3) + np.maximum(2, 5) + np.minimum(2, 5) + max(1, 7, 3)').value, 0.5 + 0 + 5 + 2 + 7);
  close(run('math.e + np.pi').value, Math.E + Math.PI);
  const a = run('np.maximum(x, 0.5)', { x: 2 });
  assert.equal(a.gradients.x, 1);
});

test('assignments: augmented operators, comments, last assignment or final expression is the output', () => {
  const a = run('# a comment\ny = x  # trailing\ny += 1\ny *= x\ny -= 2\ny /= 2\n', { x: 3 });
  assert.equal(a.value, ((3 + 1) * 3 - 2) / 2);
  assert.equal(a.gradients.x, (2 * 3 + 1) / 2);
  assert.equal(run('a = x * 2\na + 1', { x: 1 }).value, 3);
  // Statements separated by ';' and continued lines inside brackets.
  assert.equal(run('a = (x +\n  1); b = a * 2\nb', { x: 1 }).value, 4);
  assert.equal(run('a = x + \\\n 1\na', { x: 1 }).value, 2);
});

test('refusals name the construct and its line:col', () => {
  const cases: [string, RegExp, string][] = [
    ['import os', /import 'import os'/, '1:1'],
    ['import torch\nos.system("rm -rf /")', /attribute access '.system'|the module|'os'/, '2:'],
    ['__import__("os")', /'__import__'/, '1:1'],
    ['exec("x = 1")', /'exec'/, '1:1'],
    ['open("f")', /'open'/, '1:1'],
    ['y = eval("1")', /'eval'/, '1:5'],
    ['y = f(x)', /a call to 'f'/, '1:5'],
    ['y = x.grad.data', /attribute access '.grad'/, '1:6'],
    ['for i in range(3):\n    x += i', /'for' loop/, '1:1'],
    ['if x > 0:\n    y = x', /'if' statement/, '1:1'],
    ['def f(x):\n    return x', /function definition/, '1:1'],
    ['y = lambda t: t', /lambda/, '1:5'],
    ['y = [t for t in x]', /comprehension/, '1:8'],
    ['y = "text"', /a string/, '1:5'],
    ['y = x[0]', /indexing/, '1:6'],
    ['y = x % 2', /'%'/, '1:7'],
    ['y = x ^ 2', /xor/, '1:7'],
    ['a, b = 1, 2', /tuple unpacking/, '1:1'],
    ['x\ny = 2', /not the last statement/, '1:1'],
    ['y = x if x else 1', /conditional/, '1:7'],
    ['y = (x', /never closed/, '1:5'],
    ['y = x +', /ends early/, '1:7'],
    ['y = np.sum(x, axis=(0, 1))', /keyword argument 'axis='/, '1:15'],
    ['y = np.frobnicate(x)', /unknown function 'np.frobnicate'/, '1:5'],
    ['y = [1, 2]', /Python list/, '1:5'],
    ['y = True', /'True'/, '1:5'],
    ['  y = x', /indented/, '1:3'],
    ['y = 3j', /complex/, '1:5'],
  ];
  for (const [text, message, where] of cases) {
    const e = refusal(text);
    assert.match(e.message, message, `${JSON.stringify(text)}: ${e.message}`);
    assert.ok(e.format().startsWith(where), `${JSON.stringify(text)}: expected position ${where}, got ${e.format()}`);
  }
});

test('methods on a finished value: .sum(), .mean(), .item(), .T', () => {
  const r = analyze('x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)\ny = (x ** 2).sum()\ny.backward()', { lang: 'python' });
  assert.ok(r.ok);
  assert.equal(r.value.value, 14);
  assert.deepEqual([r.value.gradients['x[0]'], r.value.gradients['x[1]'], r.value.gradients['x[2]']], [2, 4, 6]);
  const m = analyze('x = np.array([1.0, 3.0])\n(x * 2).mean().item()', { lang: 'python' });
  assert.ok(m.ok);
  assert.equal(m.value.value, 4);
  // One axis of a single number (x = 1 here) does not exist.
  assert.match(refusal('y = x.sum(0)').message, /a single number has no axis 0/);
});

test('a final expression after assignments is the output', () => {
  assert.equal(run('y = x * 2\ny', { x: 4 }).value, 8);
});

test('lesson boilerplate is ignored: imports of math/numpy/torch, print, .backward(), bare x.grad', () => {
  const a = run('import math\nimport numpy as np\nimport torch\nx = torch.tensor(3.0, requires_grad=True)\ny = x ** 2\ny.backward()\nprint("grad", x.grad)\nx.grad\n');
  assert.equal(a.value, 9);
  assert.equal(a.gradients.x, 6);
});

test('never executed: source that would have side effects is refused before anything runs', () => {
  const text = '__import__("os").system("touch /tmp/should-not-exist")';
  const e = refusal(text);
  assert.match(e.message, /__import__/);
});

test('deep nesting does not overflow the stack', () => {
  const depth = 100_000;
  const a = parsePython('('.repeat(depth) + 'x' + ')'.repeat(depth));
  assert.equal(a.result?.kind, 'var');
  const chain = 'y = ' + Array.from({ length: 50_000 }, () => 'x').join(' + ');
  const r = analyze(chain, { lang: 'python', values: { x: 1 } });
  assert.ok(r.ok);
  assert.equal(r.value.value, 50_000);
  const unary = parsePython('-'.repeat(depth) + 'x');
  assert.ok(unary.result);
  const calls = 'np.tanh('.repeat(20_000) + 'x' + ')'.repeat(20_000);
  const c = analyze(calls, { lang: 'python', values: { x: 0.1 } });
  assert.ok(c.ok);
});

test('detectLang: Python marks pick python; math and TypeScript still detected', () => {
  assert.equal(detectLang('import torch\nx = torch.tensor([2.0], requires_grad=True)\ny = torch.sin(x**2 + 1)'), 'python');
  assert.equal(detectLang('h = np.tanh(w1 * x)\ny = w2 * h'), 'python');
  assert.equal(detectLang('y = W1 @ x'), 'python');
  assert.equal(detectLang('sin(x^2 + 1)'), 'math');
  assert.equal(detectLang('const y = Math.sin(x ** 2);'), 'ts');
  const r = analyze('x = torch.tensor(2.0)\ny = torch.sin(x**2 + 1)');
  assert.ok(r.ok);
  assert.equal(r.value.lang, 'python');
  assert.equal(r.value.detected, true);
});

test('spans point into the source', () => {
  const p = parsePython('a = 1\nb = np.exp(a) * 2');
  const b = p.body[1];
  assert.equal(b.span.line, 2);
  assert.equal(b.expr.span.col, 5);
  assert.equal(b.expr.kind === 'op' && b.expr.args[0].span.end - b.expr.args[0].span.start, 'np.exp(a)'.length);
});
