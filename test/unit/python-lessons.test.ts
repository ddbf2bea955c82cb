/** Lesson Python read as written: micrograd, PyTorch (tensor methods, torch.nn.functional), NumPy, sympy cells. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze, detectLang, type Analysis } from '../../src/engine/analyze';
import { gradientCheck } from '../../src/engine/graph/gradcheck';
import { parsePython } from '../../src/engine/frontends/python';
import { escapeLabel, toMermaid } from '../../src/engine/mermaid/mermaid';
import { TWO_LAYER_NETWORK_MATH } from '../fixtures/two-layer-network';
import * as LESSONS from '../fixtures/python-lessons';
import {
  MICROGRAD_LECTURE_L, MICROGRAD_MORE_OPS, MICROGRAD_NEURON, MICROGRAD_README, MICROGRAD_SANITY, NUMPY_TWO_LAYER, TORCH_MORE_OPS, TORCH_NEURON,
  TORCH_SANITY, TORCH_TWO_LAYER,
} from '../fixtures/python-lessons';
import { assertGraphInvariants, close } from './helpers';

function run(text: string, values: Record<string, number> = {}): Analysis {
  const r = analyze(text, { lang: 'python', values });
  if (!r.ok) assert.fail(`expected a trace, got ${r.error.format()}`);
  assertGraphInvariants(r.value.graph);
  return r.value;
}
const outputName = (a: Analysis) => a.graph.nodes.find((n) => n.id === a.graph.output)?.name;

describe('seed 1.2: the torch cells, verbatim', () => {
  it('x = torch.tensor([1.0], requires_grad=True); y = x ** 3 + 2 * x; y.backward(): x.grad is 5', () => {
    const a = run('import torch\n\nx = torch.tensor([1.0], requires_grad=True)\ny = x ** 3 + 2 * x\n\ny.backward()\nprint(x.grad)  # prints the derivative dy/dx at x = 1\n');
    assert.equal(a.value, 3);
    assert.equal(a.gradients.x, 5);
    assert.equal(outputName(a), 'y');
  });
  it('y = torch.sin(x**2 + 1) at x = 2: x.grad is 2x·cos(x²+1) = 4·cos 5 = 1.1346', () => {
    const a = run('import torch\n\nx = torch.tensor([2.0], requires_grad=True)\ny = torch.sin(x**2 + 1)\ny.backward()\nprint(x.grad)  # this is chain rule in action!\n');
    close(a.gradients.x, 4 * Math.cos(5));
    assert.equal(a.gradients.x.toFixed(4), '1.1346');
  });
});

describe("micrograd's README example", () => {
  const expectReadme = (a: Analysis) => {
    assert.equal(a.value.toFixed(4), '24.7041');
    assert.equal(a.gradients.a.toFixed(4), '138.8338');
    assert.equal(a.gradients.b.toFixed(4), '645.5773');
  };
  it('as micrograd: g = 24.7041, dg/da = 138.8338, dg/db = 645.5773', () => {
    const a = run(MICROGRAD_README);
    expectReadme(a);
    // += makes new versions, as micrograd's new Value objects: c, c₂, c₃.
    assert.deepEqual(a.graph.nodes.filter((n) => n.name?.startsWith('c')).map((n) => n.name), ['c', 'c₂', 'c₃']);
    assert.equal(outputName(a), 'g₂');
    assert.deepEqual(a.graph.inputs.map((i) => i.name), ['a', 'b']);
  });
  it('as PyTorch (test_more_ops): the same numbers to 1e-9', () => {
    const mg = run(MICROGRAD_MORE_OPS);
    const pt = run(TORCH_MORE_OPS);
    expectReadme(pt);
    close(pt.value, mg.value, 1e-9);
    close(pt.gradients.a, mg.gradients.a, 1e-9);
    close(pt.gradients.b, mg.gradients.b, 1e-9);
  });
});

describe("micrograd's test_engine.py test_sanity_check", () => {
  it('micrograd and PyTorch agree: y = −20, dy/dx = 46', () => {
    const mg = run(MICROGRAD_SANITY);
    const pt = run(TORCH_SANITY);
    assert.equal(mg.value, -20);
    assert.equal(mg.gradients.x, 46);
    close(pt.value, mg.value, 1e-9);
    close(pt.gradients.x, mg.gradients.x, 1e-9);
  });
});

describe("the lecture's labelled neuron", () => {
  const a = run(MICROGRAD_NEURON);
  it('gives the lecture gradients: x1 −1.5, w1 1.0, x2 0.5, w2 0', () => {
    close(a.value, Math.SQRT1_2, 1e-12);
    close(a.gradients.x1, -1.5, 1e-12);
    close(a.gradients.w1, 1.0, 1e-12);
    close(a.gradients.x2, 0.5, 1e-12);
    assert.equal(a.gradients.w2, 0);
    close(a.gradients.b, 0.5, 1e-12);
  });
  it("names each node by its label, including labels set afterwards with x.label = '…'", () => {
    const names = a.graph.nodes.filter((n) => n.name !== undefined).map((n) => n.name);
    assert.deepEqual(names, ['x1', 'x2', 'w1', 'w2', 'b', 'x1*w1', 'x2*w2', 'x1*w1 + x2*w2', 'n', 'o']);
    assert.equal(outputName(a), 'o');
    const mermaid = toMermaid(a.graph);
    for (const label of ['x1*w1', 'x1*w1 + x2*w2']) assert.ok(mermaid.includes(escapeLabel(label)), `the drawing shows ${label}`);
  });
  it('in PyTorch, as the lecture writes it, gives the same gradients', () => {
    const pt = run(TORCH_NEURON);
    for (const name of ['x1', 'x2', 'w1', 'w2', 'b']) close(pt.gradients[name], a.gradients[name], 1e-12, name);
    close(pt.value, a.value, 1e-12);
  });
  it("the lecture's first graph: L = (a·b + c)·f = −8, and a 6, b −4, c −2, f 4", () => {
    const l = run(MICROGRAD_LECTURE_L);
    assert.equal(l.value, -8);
    assert.deepEqual([l.gradients.a, l.gradients.b, l.gradients.c, l.gradients.f], [6, -4, -2, 4]);
    assert.deepEqual(l.graph.nodes.filter((n) => n.kind === 'op').map((n) => n.name), ['e', 'd', 'L']);
  });
  it('label= names an input; a later label never takes over a name still in use', () => {
    const b = run("x = Value(3.0, label='input')\ny = x * x\ny.label = 'x'\nz = y + x\nz.backward()");
    assert.deepEqual(b.graph.inputs.map((i) => i.name), ['input']);
    assert.equal(b.gradients.input, 2 * 3 + 1);
    // The product wanted the name 'x'; the Python variable x is a different value, so neither is confused.
    const c = run("a = Value(2.0)\nb = a * 3\nb.label = 'a'\nc = a + b\nc.backward()");
    assert.equal(c.value, 8);
    assert.equal(c.gradients.a, 4);
  });
});

describe('the 1.2 exercise network', () => {
  const weightRows = (a: Analysis) => {
    const check = gradientCheck(a.trace, 1e-6);
    const rows = check.rows.filter((r) => /^(W|b)/.test(r.name));
    assert.ok(rows.length > 0 && !check.skipped);
    return rows;
  };
  it('in NumPy with np.zeros biases: every weight gradient agrees with central differences to 1e-6', () => {
    const a = run(NUMPY_TWO_LAYER);
    const rows = weightRows(a);
    assert.equal(rows.length, 6 + 3 + 3 + 1);
    for (const r of rows) assert.ok(r.ok, `${r.name}: analytic ${r.analytic}, numeric ${r.numeric}`);
    assert.ok(rows.some((r) => r.name === 'b1[0,2]'), 'the np.zeros bias is an input of the graph');
    assert.ok(rows.some((r) => r.analytic !== 0));
  });
  it('in PyTorch with F.relu, torch.sigmoid, F.binary_cross_entropy: gradcheck holds and matches the math form', () => {
    const a = run(TORCH_TWO_LAYER);
    for (const r of weightRows(a)) assert.ok(r.ok, `${r.name}: analytic ${r.analytic}, numeric ${r.numeric}`);
    const m = analyze(TWO_LAYER_NETWORK_MATH, { lang: 'math' });
    assert.ok(m.ok);
    close(a.value, m.value.value, 1e-12);
    for (const name of Object.keys(m.value.gradients).filter((n) => /^(W1|b1|W2)\[/.test(n))) {
      close(a.gradients[name], m.value.gradients[name], 1e-12, name);
    }
  });
  it('the NumPy row form and the PyTorch column form give the same loss', () => {
    close(run(NUMPY_TWO_LAYER).value, run(TORCH_TWO_LAYER.replace('[0.1, -0.1, 0.2]', '[0.0, 0.0, 0.0]').replace('[0.05]', '[0.0]')).value, 1e-12);
  });
});

describe('PyTorch as written', () => {
  it('tensor methods and torch. functions: .relu .sigmoid .tanh .exp .log .sqrt .abs .pow .sum .mean .t .T .matmul .item .clamp', () => {
    const a = run('x = torch.tensor([2.0], requires_grad=True)\ny = x.relu() + x.sigmoid() + x.tanh() + x.exp() + x.log() + x.sqrt() + (-x).abs() + x.pow(3) + x.clamp(min=0) + x.item()\ny.backward()');
    const x = 2;
    const s = 1 / (1 + Math.exp(-x));
    close(a.value, x + s + Math.tanh(x) + Math.exp(x) + Math.log(x) + Math.sqrt(x) + x + x ** 3 + x + x);
    close(a.gradients.x, 1 + s * (1 - s) + (1 - Math.tanh(x) ** 2) + Math.exp(x) + 1 / x + 1 / (2 * Math.sqrt(x)) + 1 + 3 * x ** 2 + 1 + 1);
    const m = run('W = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)\nv = torch.tensor([1.0, -1.0])\nL = (W.t().matmul(v).sum() + W.T.mean() + torch.matmul(W, v).sum()).sum()\nL.backward()');
    // Σ(Wᵀv) = Σ_i v_i Σ_j W_ij; mean(W) = 2.5; Σ(Wv) = Σ_i Σ_j W_ij v_j.
    close(m.value, (1 + 2) - (3 + 4) + 2.5 + (1 - 2) + (3 - 4));
    close(m.gradients['W[0,1]'], 1 + 0.25 - 1);
  });
  it('.clamp(min=…, max=…) passes the gradient only inside the bounds', () => {
    const a = run('x = torch.tensor(5.0, requires_grad=True)\ny = x.clamp(min=0, max=3) + torch.clamp(x, 1) * 2\ny.backward()');
    assert.equal(a.value, 3 + 10);
    assert.equal(a.gradients.x, 2);
  });
  it('F.softplus, F.leaky_relu, F.mse_loss, F.binary_cross_entropy_with_logits lower to the formulas', () => {
    const z = 0.7;
    const a = run(`import torch.nn.functional as F\nz = torch.tensor([${z}], requires_grad=True)\nL = F.softplus(z) + F.leaky_relu(-z, negative_slope=0.1) + F.leaky_relu(-z) + F.tanh(z)\nL.backward()`);
    close(a.value, Math.log1p(Math.exp(z)) - 0.1 * z - 0.01 * z + Math.tanh(z));
    close(a.gradients.z, 1 / (1 + Math.exp(-z)) - 0.1 - 0.01 + 1 - Math.tanh(z) ** 2);
    const mse = run('import torch.nn.functional as F\np = torch.tensor([1.0, 3.0], requires_grad=True)\nt = torch.tensor([0.0, 1.0])\nL = F.mse_loss(p, t)\nL.backward()');
    assert.equal(mse.value, (1 + 4) / 2);
    assert.equal(mse.gradients['p[1]'], 2);
    const logits = run('import torch.nn.functional as F\nz = torch.tensor([0.3, -1.2], requires_grad=True)\ny = torch.tensor([1.0, 0.0])\nL = F.binary_cross_entropy_with_logits(z, y)\nL.backward()');
    const sig = (u: number) => 1 / (1 + Math.exp(-u));
    close(logits.value, (-Math.log(sig(0.3)) - Math.log(1 - sig(-1.2))) / 2, 1e-12);
    close(logits.gradients['z[0]'], (sig(0.3) - 1) / 2, 1e-12);
    const sum = run('import torch.nn.functional as F\np = torch.tensor([0.25, 0.5], requires_grad=True)\ny = torch.tensor([1.0, 0.0])\nL = F.binary_cross_entropy(torch.sigmoid(p), y, reduction="sum")\nL.backward()');
    close(sum.value, -Math.log(sig(0.25)) - Math.log(1 - sig(0.5)), 1e-12);
    // The computed argument used twice is one node (named 'input' after torch's parameter), not two.
    assert.equal(sum.graph.nodes.filter((n) => n.kind === 'op' && n.symbol === 'σ').length, 2);
  });
  it('x.requires_grad = True, x.requires_grad_(), a bare x.grad and (expr).backward() are understood', () => {
    const a = run('import torch\nx = torch.tensor(3.0)\nx.requires_grad = True\nx.requires_grad_()\n(x * x).backward()\nx.grad\nx.grad.item()');
    assert.equal(a.gradients.x, 6);
  });
  it('the output is the value .backward() is called on, not the last line', () => {
    const a = run('x = torch.tensor(2.0, requires_grad=True)\ny = x * 3\nz = y * y\ny.backward()\ny = x * 100');
    assert.equal(a.value, 6);
    assert.equal(a.gradients.x, 3);
    assert.equal(outputName(a), 'y');
  });
});

describe('NumPy as written', () => {
  it('np.zeros np.ones np.full np.eye np.zeros_like np.ones_like make literal inputs of their shape', () => {
    const a = run('import numpy as np\nA = np.ones((2, 2))\nB = np.full((2, 2), 0.5)\nI = np.eye(2)\nZ = np.zeros_like(A)\nO = np.ones_like(B)\nv = np.zeros(2)\nL = np.sum(A * B + I.dot(A) + Z + O) + v.sum()');
    assert.equal(a.value, 4 * 0.5 + 4 + 0 + 4);
    assert.equal(a.gradients['B[1,0]'], 1);
    assert.equal(a.gradients['Z[0,1]'], 1);
    assert.equal(a.gradients['v[1]'], 1);
    assert.equal(a.gradients['I[0,1]'], 2);
    assert.deepEqual(run('import torch\nb = torch.zeros(1, 3, requires_grad=True)\nL = (b + 1).sum()\nL.backward()').graph.inputs.map((i) => i.name), ['b[0,0]', 'b[0,1]', 'b[0,2]']);
  });
  it('.dot, .T, .sum(), .mean() and elementwise np. functions', () => {
    const a = run('import numpy as np\nx = np.array([1.0, 2.0])\nW = np.array([[1.0, -1.0], [0.5, 2.0]])\nh = np.maximum(0, W.dot(x))\nL = (np.exp(-h) + np.log(1 + h) + np.tanh(h)).mean() + W.T.sum()');
    const h = [0, 4.5];
    close(a.value, h.reduce((s, u) => s + Math.exp(-u) + Math.log(1 + u) + Math.tanh(u), 0) / 2 + 2.5);
  });
});

describe('sympy cells of seed 1.2', () => {
  const cell15 = 'from sympy import symbols, sin, diff\n\nx = symbols(\'x\')\nf = sin(x ** 2 +1)\n\ndfdx = diff(f, x)\nprint("df/dx =", dfdx)\n';
  it('cell 15 as written: the output is f, the variable is x, values come from outside', () => {
    const p = parsePython(cell15);
    assert.equal(p.wrt?.name, 'x');
    assert.equal(p.result?.kind, 'var');
    // Without a value the symbol x still traces: the graph is drawn in formulas (sympy-graph.test.ts).
    const symbolic = analyze(cell15, { lang: 'python' });
    assert.ok(symbolic.ok);
    assert.equal(symbolic.value.graph.symbolic, true);
    const a = run(cell15, { x: 2 });
    close(a.value, Math.sin(5));
    close(a.gradients.x, 4 * Math.cos(5));
    assert.equal(outputName(a), 'f');
  });
  it("cell 15's symbolic derivative is sympy's 2*x*cos(x**2 + 1), printed 2x·cos(x² + 1)", () => {
    const r = analyze(cell15, { lang: 'python', values: { x: 2 }, symbolic: true });
    assert.ok(r.ok);
    const d = r.value.symbolic?.find((s) => s.variable === 'x')?.derivative ?? '';
    assert.equal(d, '2x·cos(x² + 1)');
  });
  it('symbols(\'x y\'), import sympy as sp, sp.exp, sqrt, tanh, log and cos', () => {
    const a = run("import sympy as sp\nx, y = sp.symbols('x y')\ng = sp.exp(x) * sp.sqrt(y) + sp.tanh(x) - sp.log(y) + sp.cos(x * y)\nsp.diff(g, y)", { x: 0.5, y: 2 });
    close(a.gradients.y, Math.exp(0.5) / (2 * Math.sqrt(2)) - 1 / 2 - 0.5 * Math.sin(1));
    assert.equal(parsePython("import sympy as sp\nx, y = sp.symbols('x y')\ng = x * y\nsp.diff(g, y)").wrt?.name, 'y');
  });
  it("cell 14's Function('g')(x) is an undefined function: an abstract node (sympy-graph.test.ts has the cells verbatim)", () => {
    const r = analyze("from sympy import symbols, Function, diff, sin\n\nx = symbols('x')\ng = Function('g')(x)", { lang: 'python' });
    assert.ok(r.ok);
    assert.equal(r.value.graph.nodes.find((n) => n.name === 'g')?.symbolic?.value, 'g(x)');
  });
});

describe('detecting lesson Python', () => {
  it('every fixture, micrograd with f-strings and `; x.label = …`, and a sympy cell read as Python', () => {
    for (const [name, text] of Object.entries(LESSONS)) assert.equal(detectLang(text), 'python', name);
    assert.equal(detectLang("a = Value(-4.0)\nb = Value(2.0)\nc = a + b"), 'python');
    assert.equal(detectLang("x = symbols('x')\nf = sin(x ** 2 + 1)\ndfdx = diff(f, x)"), 'python');
    // TypeScript keeps its marks: a line-ending ';', braces outside strings, const.
    assert.notEqual(detectLang('y = Value(x);\nz = y * 2;'), 'python');
    assert.equal(detectLang('const y = Math.sin(x ** 2); // # not a comment in TS'), 'ts');
    assert.equal(detectLang('function f(x: number) { return x.backward(); }'), 'ts');
  });
});

describe('micrograd boilerplate read past', () => {
  it('from micrograd import nn, draw_dot(...), dot = draw_dot(...), dot.render(...), print with f-strings, bare x.grad', () => {
    const a = run("from micrograd.engine import Value\nfrom micrograd import nn\nfrom utils import draw_dot\na = Value(3.0); b = Value(-2.0)\ne = a*b; e.label = 'e'\nL = e.tanh() + e**2 - 1 / e\nL.backward()\ndraw_dot(L)\ndot = draw_dot(L)\ndot.render('gout', view=True)\ndot\nprint(f'{a.grad:.4f} {b.data}')\na.grad\n");
    const e = -6;
    close(a.gradients.a, (1 - Math.tanh(e) ** 2 + 2 * e + 1 / e ** 2) * -2);
    assert.equal(outputName(a), 'L');
    assert.ok(a.graph.nodes.some((n) => n.name === 'e'));
  });
});
