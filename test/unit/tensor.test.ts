import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, type Analysis } from '../../src/engine/analyze';
import { gradientCheck } from '../../src/engine/graph/gradcheck';
import { parseTypeScript } from '../../src/engine/frontends/typescript';
import type { TensorValue } from '../../src/engine/base/tensor-value';
import { tensorGradients, tensorView } from '../../src/engine/graph/tensor-view';
import { elementName } from '../../src/engine/lower/tensor';
import { tensorToMermaid } from '../../src/engine/mermaid/tensor';
import { assertGraphInvariants, close } from './helpers';
import { TWO_LAYER_NETWORK_MATH as MATH_NET } from '../fixtures/two-layer-network';

// The 1.2 exercise: 2 inputs → 3 hidden ReLU → 1 sigmoid output, binary cross-entropy, label y = 1.
const W1 = [[0.5, -0.3], [0.2, 0.8], [-0.4, 0.6]];
const b1 = [0.1, -0.1, 0.2];
const W2 = [[0.3, -0.6, 0.9]];
const b2 = [0.05];
const X = [1.0, 0.5];
const Y = 1;

/** The network and its backward pass written out by hand (no engine code): the oracle. */
function manual(w1 = W1, w2 = W2) {
  const z1 = w1.map((row, j) => row[0] * X[0] + row[1] * X[1] + b1[j]);
  const h = z1.map((z) => Math.max(0, z));
  const z2 = w2[0][0] * h[0] + w2[0][1] * h[1] + w2[0][2] * h[2] + b2[0];
  const p = 1 / (1 + Math.exp(-z2));
  const L = -(Y * Math.log(p) + (1 - Y) * Math.log(1 - p));
  const dz2 = p - Y;
  const dW2 = [h.map((hj) => dz2 * hj)];
  const dz1 = z1.map((z, j) => (z > 0 ? w2[0][j] * dz2 : 0));
  const dW1 = dz1.map((d) => [d * X[0], d * X[1]]);
  return { L, p, h, dW1, dW2, db1: dz1, db2: [dz2] };
}

const PYTHON_NET = `import numpy as np
import torch
W1 = np.array([[0.5, -0.3], [0.2, 0.8], [-0.4, 0.6]])
b1 = np.array([0.1, -0.1, 0.2])
W2 = np.array([[0.3, -0.6, 0.9]])
b2 = 0.05
x = np.array([1.0, 0.5])
y = 1.0
h = np.maximum(W1 @ x + b1, 0)      # hidden layer, ReLU
p = torch.sigmoid(W2 @ h + b2)      # output probability
L = -(y * np.log(p) + (1 - y) * np.log(1 - p))
L.backward()
`;

const ok = (text: string, options: Parameters<typeof analyze>[1] = {}): Analysis => {
  const r = analyze(text, options);
  if (!r.ok) assert.fail(`expected a trace, got ${r.error.format()}`);
  assertGraphInvariants(r.value.graph);
  return r.value;
};

const asMatrix = (v: TensorValue): number[][] => (typeof v === 'number' ? [[v]] : Array.isArray(v[0]) ? (v as number[][]) : [v as number[]]);

/** Checks the loss, every weight's gradient against the hand-written backward pass and against finite differences, in both views. */
function checkNetwork(a: Analysis, names: { W1: string; b1: string; W2: string; b2: string }) {
  const m = manual();
  close(a.value, m.L, 1e-14, 'BCE loss');
  // Scalar view: one input per entry, gradients from the tape.
  const expected: [string, number[][]][] = [[names.W1, m.dW1], [names.b1, [m.db1]], [names.W2, m.dW2], [names.b2, [m.db2]]];
  for (const [name, grads] of expected) {
    const flat = grads.flat();
    const shape = name === names.W1 ? [3, 2] : name === names.W2 ? [1, 3] : flat.length === 1 && a.gradients[name] !== undefined ? [] : [flat.length];
    flat.forEach((g, k) => close(a.gradients[elementName(name, shape, k)], g, 1e-12, `${elementName(name, shape, k)} (scalar view)`));
  }
  // Finite differences for every input (central differences, 1e-6 relative).
  const check = gradientCheck(a.trace, 1e-6);
  assert.ok(check.rows.length >= 3 * 2 + 3 + 3 + 1, 'every weight is an input');
  for (const row of check.rows) {
    const rel = Math.abs(row.analytic - row.numeric) / Math.max(Math.abs(row.analytic), Math.abs(row.numeric), 1e-300);
    assert.ok(row.analytic === 0 ? Math.abs(row.numeric) < 1e-9 : rel <= 1e-6, `${row.name}: analytic ${row.analytic} vs numeric ${row.numeric} (relative ${rel})`);
  }
  // Tensor view: one node per matrix op; its gradient matrices are the scalar nodes' gradients.
  const view = tensorView(a.graph);
  const byId = new Map(a.graph.nodes.map((n) => [n.id, n]));
  for (const node of view.nodes) {
    const grads = asMatrix(node.grad).flat();
    const values = asMatrix(node.value).flat();
    node.elements.forEach((id, k) => {
      assert.ok(id, `${node.id} entry ${k} is a scalar node`);
      assert.equal(grads[k], byId.get(id)!.grad);
      assert.equal(values[k], byId.get(id)!.value);
    });
  }
  const tg = tensorGradients(a.graph);
  for (const [name, grads] of expected) {
    asMatrix(tg[name]).flat().forEach((g, k) => close(g, grads.flat()[k], 1e-12, `${name} entry ${k} (tensor view)`));
  }
  const w1 = view.nodes.find((n) => n.name === names.W1)!;
  assert.deepEqual(w1.shape, [3, 2]);
  assert.equal(w1.kind, 'input');
  const hidden = view.nodes.find((n) => n.name === 'h')!;
  assert.deepEqual(hidden.shape, [3]);
  assert.deepEqual(hidden.value, m.h);
  // Far fewer nodes in the tensor view than in the scalar view, and the edges follow the layers.
  assert.ok(view.nodes.length < a.graph.nodes.length / 2);
  const matmul = view.nodes.find((n) => n.label === 'matmul' && n.shape.length === 1 && n.shape[0] === 3)!;
  assert.ok(view.edges.some((e) => e.from === w1.id && e.to === matmul.id), 'W1 feeds the first matrix product');
  assert.equal(view.output, view.nodes.find((n) => n.name === 'L')!.id);
}

test('1.2 network from math: BCE loss and every weight gradient (hand backprop, finite differences, both views)', () => {
  const a = ok(MATH_NET, { lang: 'math' });
  checkNetwork(a, { W1: 'W1', b1: 'b1', W2: 'W2', b2: 'b2' });
  assert.equal(a.tensor?.nodes.length, tensorView(a.graph).nodes.length);
});

test('1.2 network from Python (np.array literals, @, np.maximum, torch.sigmoid, np.log)', () => {
  const a = ok(PYTHON_NET, { lang: 'python' });
  checkNetwork(a, { W1: 'W1', b1: 'b1', W2: 'W2', b2: 'b2' });
  assert.equal(a.lang, 'python');
});

const TS_NET = `const W1: number[][] = [[0.5, -0.3], [0.2, 0.8], [-0.4, 0.6]];
const b1 = [0.1, -0.1, 0.2];
const W2 = [[0.3, -0.6, 0.9]];
const b2 = [0.05];
const x = [1.0, 0.5];
const y = 1;
const h = relu(matmul(W1, x) + b1);
const p = sigmoid(matmul(W2, h) + b2);
const L = -(y * Math.log(p) + (1 - y) * Math.log(1 - p));`;

test('1.2 network from TypeScript (array literals, matmul/relu/sigmoid helpers, elementwise operators)', () => {
  const a = ok(TS_NET, { lang: 'ts', tsParser: parseTypeScript });
  checkNetwork(a, { W1: 'W1', b1: 'b1', W2: 'W2', b2: 'b2' });
  // Math.max(0, z) is the same ReLU, elementwise.
  const b = ok(TS_NET.replace('relu(', 'Math.max(0, '), { lang: 'ts', tsParser: parseTypeScript });
  assert.equal(b.value, a.value);
  // A helper name the code declares itself is not ours: the program's own function is called, never ours.
  const r = analyze('function matmul(a: number, b: number) { return a; }\nconst z = matmul(1, 2);', { lang: 'ts', tsParser: parseTypeScript });
  assert.ok(r.ok);
  assert.equal(r.value.value, 1);
  assert.equal(r.value.tensor, undefined);
});

test('1.2 network with the weights given as values (the CLI --at W1=[[…]] path), and independent finite differences', () => {
  const text = 'h = relu(W1 * x + b1)\np = sigmoid(W2 * h + b2)\nL = -(y * log(p) + (1 - y) * log(1 - p))';
  const values = { W1, b1, W2, b2, x: X, y: Y };
  const a = ok(text, { lang: 'math', values });
  checkNetwork(a, { W1: 'W1', b1: 'b1', W2: 'W2', b2: 'b2' });
  assert.ok(a.graph.inputs.every((i) => i.source === 'given'));
  // Re-trace with one weight nudged at a time: differences of whole analyses, not tape replays.
  for (let j = 0; j < 3; j++) {
    for (let k = 0; k < 2; k++) {
      const h = 1e-6;
      const nudge = (d: number) => W1.map((row, r) => row.map((w, c) => (r === j && c === k ? w + d : w)));
      const up = ok(text, { lang: 'math', values: { ...values, W1: nudge(h) }, gradCheck: false }).value;
      const down = ok(text, { lang: 'math', values: { ...values, W1: nudge(-h) }, gradCheck: false }).value;
      const numeric = (up - down) / (2 * h);
      const analytic = a.gradients[`W1[${j},${k}]`];
      assert.ok(Math.abs(numeric - analytic) <= 1e-6 * Math.max(Math.abs(analytic), 1e-3), `W1[${j},${k}]: ${analytic} vs ${numeric}`);
    }
  }
});

test("transpose (W' and .T), dot, sum, mean and elementwise .* agree with hand computation", () => {
  const W = [[1, 2], [3, 4], [5, 6]];
  const v = [1, -1, 2];
  // W' * v = [1·1 − 3 + 10, 2 − 4 + 12] = [8, 10]; sum = 18; ∂/∂W[i,j] = v[i].
  const a = ok("sum(W' * v)", { values: { W, v } });
  assert.equal(a.value, 18);
  assert.deepEqual(tensorGradients(a.graph).W, [[1, 1], [-1, -1], [2, 2]]);
  const b = ok('s = np.sum(W.T @ v)\ns', { lang: 'python', values: { W, v } });
  assert.equal(b.value, 18);
  const c = ok('dot(u, v) + mean(u .* v)', { values: { u: [1, 2, 3], v: [4, 5, 6] } });
  assert.equal(c.value, 32 + 32 / 3);
  close(c.gradients['u[0]'], 4 + 4 / 3);
  const d = ok('sum(2 * u + 1)', { values: { u: [1, 2, 3] } });
  assert.equal(d.value, 15);
  assert.deepEqual(tensorGradients(d.graph).u, [2, 2, 2]);
  // Python * is elementwise (numpy), math * of two vectors is a product of matrices (mathjs: a dot product).
  assert.equal(ok('np.sum(u * v)', { lang: 'python', values: { u: [1, 2, 3], v: [4, 5, 6] } }).value, 32);
  assert.equal(ok('u * v', { lang: 'math', values: { u: [1, 2, 3], v: [4, 5, 6] } }).value, 32);
  // Broadcasting a row over a matrix.
  assert.equal(ok('np.sum(M + r)', { lang: 'python', values: { M: [[1, 2], [3, 4]], r: [10, 20] } }).value, 70);
});

test('shape errors are clear errors with line:col', () => {
  const bad = (text: string, options: Parameters<typeof analyze>[1], message: RegExp, where: string) => {
    const r = analyze(text, options);
    assert.ok(!r.ok, `expected an error for ${text}`);
    assert.match(r.error.message, message);
    assert.ok(r.error.format().startsWith(where), `expected ${where}, got ${r.error.format()}`);
  };
  bad('y = 1\nz = W1 * x', { lang: 'math', values: { W1: [[1, 2], [3, 4], [5, 6]], x: [[1], [2], [3]] } }, /cannot multiply 3×2 by 3×1/, '2:5');
  bad('import numpy as np\nW1 = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])\nx = np.array([1.0, 2.0, 3.0])\nh = W1 @ x', { lang: 'python' }, /cannot multiply 3×2 by 3-vector/, '4:5');
  bad('a + b', { values: { a: [1, 2, 3], b: [1, 2] } }, /cannot add 3-vector and 2-vector/, '1:1');
  bad('y = u * 2', { lang: 'python', values: { u: [1, 2] } }, /output \(the last assignment\) is a 2-vector/, '1:1');
  bad('u + 1', { values: { u: [1, 2] } }, /output is a 2-vector, not one number/, '1:1');
  bad('M = [[1, 2], [3]]\nsum(M)', { lang: 'math' }, /rows have different lengths/, '1:5');
  bad('u @ 2', { lang: 'python', values: { u: [1, 2] } }, /cannot matrix-multiply/, '1:1');
  bad('sum(1 / u)', { lang: 'math', values: { u: [1, 2] } }, /cannot divide by a 2-vector.*\.\//, '1:5');
  bad('sum(u ^ 2)', { lang: 'math', values: { u: [1, 2] } }, /\.\^/, '1:5');
  bad('dot(u, v)', { lang: 'math', values: { u: [1, 2], v: [1, 2, 3] } }, /dot\(\) needs two vectors of the same length/, '1:1');
  const r = analyze('sum(W)', { values: { W: [[1, 2], [3]] as unknown as number[][] } });
  assert.ok(!r.ok && r.error.code === 'bad-value' && /rows of different lengths/.test(r.error.message));
});

test('scalar programs are unchanged: no groups, no tensor view field', () => {
  const a = ok('x^2 + 1', { values: { x: 3 } });
  assert.equal(a.graph.groups, undefined);
  assert.equal(a.tensor, undefined);
  // tensorView of a scalar graph is node for node.
  assert.equal(tensorView(a.graph).nodes.length, a.graph.nodes.length);
});

test('tensor view Mermaid: one node per op with shapes, values escaped', () => {
  const a = ok(MATH_NET, { lang: 'math' });
  const text = tensorToMermaid(a.tensor!);
  assert.match(text, /^flowchart LR/);
  assert.match(text, /3×2/);
  assert.match(text, /h = relu/);
  assert.ok(!/"[^"\n]*\[[^"\n]*"/.test(text.replace(/^\s+\w+\(\[|\]\)$/gm, '')), 'no raw [ inside labels');
  const nodeLines = text.split('\n').filter((l) => /^\s+t\d+[([]/.test(l));
  assert.equal(nodeLines.length, a.tensor!.nodes.filter((n) => n.id.startsWith('t')).length);
});
