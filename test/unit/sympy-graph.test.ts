/**
 * Seed 1.2's cells traced verbatim, sympy's undefined functions (Function('g')(x)) as abstract nodes, and the
 * symbolic graph a sympy program gets when no values are given: values, gradients and local derivatives as
 * formulas, in the engine, the Mermaid text and the CLI, with no NaN anywhere.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { analyze, type Analysis } from '../../src/engine/analyze';
import { toMermaid } from '../../src/engine/mermaid/mermaid';
import { buildPayload } from '../../src/host/payload';
import { reviveNumbers } from '../../src/protocol';
import { checkMessage } from '../../media/validate';
import * as engine from '../../src/host/engine';
import {
  CELL_14_SYMPY_NESTED, CELL_15_SYMPY_SIN, CELL_4_TORCH_CUBIC, CELL_5_SYMPY_CHAIN_RULE, CELL_TORCH_SIN,
} from '../fixtures/seed-1.2-cells';
import { assertGraphInvariants, close } from './helpers';
import { evaluatePrinted } from './printed-syntax';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
function cli(args: string[], input: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
before(() => assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`));

function run(text: string, values: Record<string, number> = {}): Analysis {
  const r = analyze(text, { lang: 'python', values, symbolic: true });
  if (!r.ok) assert.fail(`expected a trace, got ${r.error.format()}`);
  return r.value;
}
const byName = (a: Analysis, name: string) => a.graph.nodes.find((n) => n.name === name);
const output = (a: Analysis) => a.graph.nodes.find((n) => n.id === a.graph.output)!;
const derivative = (a: Analysis, variable = 'x') => a.symbolic?.find((s) => s.variable === variable)?.derivative;

/** sympy's printed syntax (`2*x*cos(x**2 + 1)`) in the engine's (`·`, `^`), for the test reader of printed text. */
const fromSympy = (text: string) => text.replace(/\*\*/g, '^').replace(/\*/g, '·');
/** Two printed formulas are the same function of x: equal at several points. */
function sameFunction(ours: string, sympy: string) {
  for (const x of [-1.7, -0.3, 0.4, 2, 3.1]) close(evaluatePrinted(ours, { x }), evaluatePrinted(fromSympy(sympy), { x }), 1e-12);
}

describe('seed 1.2, every code cell verbatim', () => {
  it('In [4] (torch): y = x ** 3 + 2 * x at x = 1, x.grad is 5', () => {
    const a = run(CELL_4_TORCH_CUBIC);
    assert.equal(a.graph.symbolic, undefined);
    assert.equal(a.value, 3);
    assert.equal(a.gradients.x, 5);
  });
  it('the exercise-3 torch cell: y = torch.sin(x**2 + 1) at x = 2, x.grad is 1.1346', () => {
    const a = run(CELL_TORCH_SIN);
    assert.equal(a.gradients.x.toFixed(4), '1.1346');
    close(a.gradients.x, 4 * Math.cos(5));
  });
  for (const [cell, text] of [['In [15]', CELL_15_SYMPY_SIN], ['In [14]', CELL_14_SYMPY_NESTED]] as const) {
    it(`${cell} (sympy): the derivative is sympy's 2*x*cos(x**2 + 1), and x.grad at x = 2 is 1.1346`, () => {
      const a = run(text, { x: 2 });
      assertGraphInvariants(a.graph);
      assert.equal(derivative(a), '2x·cos(x² + 1)');
      sameFunction(derivative(a)!, '2*x*cos(x**2 + 1)');
      close(a.value, Math.sin(5));
      assert.equal(a.gradients.x.toFixed(4), '1.1346');
      assert.ok(a.check?.rows.every((r) => r.ok));
      assert.equal(output(a).name, cell === 'In [14]' ? 'f_expr' : 'f');
    });
  }
  it("In [5] (sympy): Function('g')(x) and Function('f')(g) draw as abstract nodes, edges dg/dx and ∂f/∂g", () => {
    const a = run(CELL_5_SYMPY_CHAIN_RULE);
    assert.equal(a.graph.symbolic, true);
    const [x, g, f] = [byName(a, 'x')!, byName(a, 'g')!, byName(a, 'f')!];
    assert.equal(g.op, 'fn');
    assert.equal(g.symbol, 'g');
    assert.equal(f.op, 'fn');
    assert.equal(a.graph.output, f.id);
    assert.deepEqual([x.symbolic, g.symbolic, f.symbolic], [
      { value: 'x', grad: '∂f/∂g·dg/dx' }, { value: 'g(x)', grad: '∂f/∂g' }, { value: 'f(g(x))', grad: '1' },
    ]);
    assert.deepEqual(a.graph.edges.map((e) => [e.from, e.to, e.localFormula]), [[x.id, g.id, 'dg/dx'], [g.id, f.id, '∂f/∂g']]);
    // The printed derivative is the seed's chain rule, df/dx = df/dg · dg/dx: sympy's
    // Derivative(f(g(x)), g(x))*Derivative(g(x), x), outer factor first.
    assert.equal(derivative(a), '∂f/∂g·dg/dx');
    assert.equal(a.symbolic?.[0].expression, 'f(g(x))');
    const mermaid = toMermaid(a.graph);
    assert.match(mermaid, /n\d+\(\["x<br\/>value x<br\/>grad ∂f#47;∂g·dg#47;dx"\]\)/);
    assert.match(mermaid, /\("g<br\/>value g#40;x#41;<br\/>grad ∂f#47;∂g"\)/);
    assert.match(mermaid, /\("f<br\/>value f#40;g#40;x#41;#41;<br\/>grad 1"\)/);
    assert.match(mermaid, new RegExp(`${x.id} -->\\|"dg#47;dx"\\| ${g.id}`));
    assert.match(mermaid, new RegExp(`${g.id} -->\\|"∂f#47;∂g"\\| ${f.id}`));
    assert.doesNotMatch(mermaid, /NaN/);
  });
  it('In [5] with a value for x is still symbolic: g has no formula, so no number', () => {
    const a = run(CELL_5_SYMPY_CHAIN_RULE, { x: 2 });
    assert.equal(a.graph.symbolic, true);
    assert.equal(byName(a, 'g')?.symbolic?.value, 'g(x)');
  });
  it("In [14]'s abstract lines do not reach its output: with x = 2 its graph has numbers, without it formulas", () => {
    assert.equal(run(CELL_14_SYMPY_NESTED, { x: 2 }).graph.symbolic, undefined);
    const a = run(CELL_14_SYMPY_NESTED);
    assert.equal(a.graph.symbolic, true);
    assert.ok(a.graph.nodes.every((n) => n.op !== 'fn'));
    assert.deepEqual(byName(a, 'g_expr')?.symbolic, { value: 'x² + 1', grad: 'cos(x² + 1)' });
    assert.deepEqual(byName(a, 'f_expr')?.symbolic, { value: 'sin(x² + 1)', grad: '1' });
    assert.deepEqual(byName(a, 'x')?.symbolic, { value: 'x', grad: '2x·cos(x² + 1)' });
  });
});

describe('an undefined function inside other operations', () => {
  it('sin(g) · g + an unnamed Function of an expression: derivative symbols and the chain rule', () => {
    const a = run("from sympy import symbols, Function, diff, sin\nx = symbols('x')\ng = Function('g')(x)\ny = sin(g) * g + Function('h')(x**2)\ndiff(y, x)");
    assert.equal(a.graph.symbolic, true);
    // sympy: Derivative(g(x), x)*sin(g(x)) + g(x)*cos(g(x))*Derivative(g(x), x) + 2*x*Subs(Derivative(h(_xi_1), _xi_1), _xi_1, x**2)
    assert.equal(derivative(a), 'dg/dx·g(x)·cos(g(x)) + dg/dx·sin(g(x)) + 2x·h′(x²)');
    const h = a.graph.nodes.find((n) => n.op === 'fn' && n.symbol === 'h')!;
    assert.equal(h.symbolic?.value, 'h(x²)');
    // The edge into h from the unnamed x² is h′ at it.
    assert.equal(a.graph.edges.find((e) => e.to === h.id)?.localFormula, 'h′(x²)');
    assert.equal(a.graph.edges.find((e) => e.to === byName(a, 'g')!.id)?.localFormula, 'dg/dx');
  });
});

describe('symbolic values when no values are given', () => {
  const TWO = "from sympy import symbols, exp, tanh, diff\nx, y = symbols('x y')\nu = x * y\nf = exp(u) + tanh(x) / y\ndiff(f, y)";
  it("each node's symbolic gradient is the numeric one at any point, and each edge's formula is its local derivative", () => {
    const a = run(TWO);
    assert.equal(a.graph.symbolic, true);
    const at = { x: 0.7, y: -1.3 };
    const numeric = run(TWO, at);
    assert.equal(numeric.graph.symbolic, undefined);
    for (const n of a.graph.nodes) {
      if (n.kind === 'const') continue;
      const twin = numeric.graph.nodes.find((m) => m.id === n.id)!;
      close(evaluatePrinted(n.symbolic!.value, at), twin.value, 1e-12);
      close(evaluatePrinted(n.symbolic!.grad!, at), twin.grad, 1e-12);
    }
    for (const [k, e] of a.graph.edges.entries()) {
      if (a.graph.nodes.find((n) => n.id === e.from)?.kind === 'const') continue;
      // Formulas are in the graph's names (u), which the numeric twin has as values.
      const names = Object.fromEntries(numeric.graph.nodes.filter((n) => n.name).map((n) => [n.name!, n.value]));
      close(evaluatePrinted(e.localFormula!, names), numeric.graph.edges[k].local, 1e-12);
    }
    assert.equal(byName(a, 'u')?.symbolic?.value, 'x·y');
  });
  it('the Mermaid text labels nodes with formulas and edges with local derivatives, never NaN', () => {
    const a = run(CELL_15_SYMPY_SIN);
    const mermaid = toMermaid(a.graph);
    assert.match(mermaid, /"x<br\/>value x<br\/>grad 2x·cos#40;x² \+ 1#41;"/);
    assert.match(mermaid, /"x² \+ 1<br\/>value x² \+ 1<br\/>grad cos#40;x² \+ 1#41;"/);
    assert.match(mermaid, /"f = sin<br\/>value sin#40;x² \+ 1#41;<br\/>grad 1"/);
    assert.match(mermaid, /-->\|"2x"\|/);
    assert.match(mermaid, /-->\|"cos#40;x² \+ 1#41;"\|/);
    assert.doesNotMatch(mermaid, /NaN|value ?<|grad ?</);
    // No warnings about the placeholders, and no node marked as warned.
    assert.deepEqual(a.graph.warnings, []);
    assert.doesNotMatch(mermaid, /bpWarn/);
  });
  it('the panel payload has the same labels and says where the inputs stand (no value)', () => {
    const a = run(CELL_15_SYMPY_SIN);
    const p = buildPayload(engine, a, { title: 'cell 15', digits: 4, direction: 'LR' });
    assert.doesNotMatch(p.mermaid, /NaN/);
    assert.equal(p.inputs[0].source, 'a symbol (no value: the graph is in formulas)');
    assert.equal(p.graph.symbolic, true);
  });
  it('the CLI prints the formulas (text and JSON) and exits 0; with --at it prints numbers', () => {
    const text = cli([], CELL_15_SYMPY_SIN);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^value: {6}sin\(x² \+ 1\)$/m);
    assert.match(text.stdout, /^symbolic: {3}no values given, so values and gradients are formulas \(give them with --at x=…\)$/m);
    assert.match(text.stdout, /^ {2}n0 +x +x +2x·cos\(x² \+ 1\) +5:9$/m);
    assert.match(text.stdout, /^ {2}n4 +n5 +cos\(x² \+ 1\)$/m);
    assert.match(text.stdout, /^ {2}∂\/∂x = 2x·cos\(x² \+ 1\)$/m);
    assert.doesNotMatch(text.stdout, /NaN/);
    const json = cli(['--format', 'json'], CELL_15_SYMPY_SIN);
    assert.equal(json.code, 0, json.stderr);
    assert.doesNotMatch(json.stdout, /NaN/);
    const j = JSON.parse(json.stdout);
    assert.equal(j.symbolicGraph, true);
    assert.equal(j.value, null);
    assert.deepEqual(j.nodes.find((n: { name?: string }) => n.name === 'x').symbolic, { value: 'x', grad: '2x·cos(x² + 1)' });
    const mermaid = cli(['--format', 'mermaid'], CELL_5_SYMPY_CHAIN_RULE);
    assert.equal(mermaid.code, 0, mermaid.stderr);
    assert.match(mermaid.stdout, /-->\|"dg#47;dx"\|/);
    assert.doesNotMatch(mermaid.stdout, /NaN/);
    const numeric = cli(['--at', 'x=2'], CELL_14_SYMPY_NESTED);
    assert.equal(numeric.code, 0, numeric.stderr);
    assert.match(numeric.stdout, /^ {2}x +2 +1\.13465/m);
  });
  it("the CLI's HTML page carries the symbolic payload intact: its NaN placeholders survive JSON, and it validates", () => {
    const html = cli(['--format', 'html'], CELL_5_SYMPY_CHAIN_RULE);
    assert.equal(html.code, 0, html.stderr);
    const json = /<script type="application\/json" id="bp-payload">([^<]*)<\/script>/.exec(html.stdout)?.[1];
    assert.ok(json, 'the page embeds its payload');
    assert.match(json, /\{"\$number":"NaN"\}/);
    const payload = JSON.parse(json, reviveNumbers);
    assert.ok(Number.isNaN(payload.graph.nodes[0].value));
    const checked = checkMessage({ kind: 'graph', payload });
    assert.ok(checked.ok, checked.ok ? '' : checked.reason);
    // A tagged object is read back only when it is exactly a tag of a non-finite number.
    assert.deepEqual(JSON.parse('{"a":{"$number":"12"},"b":{"$number":"NaN","c":1},"d":"NaN"}', reviveNumbers), { a: { $number: '12' }, b: { $number: 'NaN', c: 1 }, d: 'NaN' });
  });
  it('a program without sympy still needs its values (missing-value, exit 2)', () => {
    const r = analyze('import torch\ny = torch.sin(x)', { lang: 'python' });
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'missing-value');
    const c = cli([], 'import numpy as np\ny = np.tanh(w * x)');
    assert.equal(c.code, 2);
    assert.match(c.stderr, /no value for variables 'w', 'x'/);
  });
});

describe("refusals of sympy's undefined functions and chain rules, in Python terms with line:col", () => {
  const cases: [string, RegExp, string][] = [
    ["from sympy import symbols, Function\nx = symbols('x')\ng = Function('g')", /Function\('g'\) not applied to its argument: write Function\('g'\)\(x\)/, '3:5'],
    ["from sympy import symbols, Function\nx = symbols('x')\ng = Function(x)(x)", /Function\(\.\.\.\) without one string naming the function/, '3:5'],
    ["from sympy import symbols, Function\nx = symbols('x')\ng = Function('g h')(x)", /the function name 'g h'/, '3:14'],
    ["from sympy import symbols, Function\nx, y = symbols('x y')\ng = Function('g')(x, y)", /g\(\) takes 1 argument, got 2/, '3:5'],
    ["from sympy import symbols, Function, diff\nx = symbols('x')\ng = Function('g')(x)\nf = Function('f')(g)\nd = diff(f, g) * diff(x, x)", /not the chain rule \(the variable 'g' of one must be the function of the next/, '5:23'],
    ["from sympy import symbols, Function, diff\nx = symbols('x')\ng = Function('g')(x)\nf = Function('f')(g)\nd = diff(f, g) * diff(g, f)", /the chain rule ending in 'f': differentiate by a symbol/, '5:26'],
    ["from sympy import symbols, Function, diff\nx = symbols('x')\ng = Function('g')(x)\nd = diff(g) * diff(g, x)", /diff\(\.\.\.\) in a chain rule without one variable/, '4:5'],
    ["from sympy import symbols, Function, diff\nx = symbols('x')\ng = Function('g')(x)\nf = Function('f')(g)\nd = diff(f, g)", /diff\(f, g\): differentiate by a symbol made with symbols/, '5:13'],
    ["from sympy import symbols, Function, diff\nx = symbols('x')\ng = Function('g')(x)\nd = diff(g, x) + diff(g, x)", /diff\(\.\.\.\) inside an expression/, '4:5'],
    ["from sympy import symbols, Function, diff\nx = symbols('x')\ng = Function('g')(x)\ny = g.diff(x)", /^unsupported in Python: \.diff\(\): the method \.diff\(x\)/, '4:7'],
    // The rest of sympy that lessons might reach for, each named with what to write instead.
    ["from sympy import symbols, Derivative\nx = symbols('x')\nd = Derivative(x**2, x)", /Derivative\(\.\.\.\): an unevaluated Derivative\(\.\.\.\) is not supported: write diff\(f, x\)/, '3:5'],
    ["from sympy import symbols, sin\nx = symbols('x')\nf = sin(x)\ny = f.subs(x, 2)", /^unsupported in Python: \.subs\(\): substitution with \.subs\(\.\.\.\): give the variable a value instead/, '4:7'],
    ["from sympy import symbols, sin\nx = symbols('x')\nf = sin(x)\ny = f.evalf()", /\.evalf\(\): the graph shows every value already/, '4:7'],
    ["from sympy import symbols\nx = symbols('x0:3')", /the symbol name 'x0:3' \(ranges such as 'x0:3' are not supported\)/, '2:13'],
    ["from sympy import symbols, integrate\nx = symbols('x')", /cannot import 'integrate' from sympy/, '1:28'],
  ];
  for (const [text, message, where] of cases) {
    it(text.split('\n').pop()!, () => {
      const r = analyze(text, { lang: 'python' });
      assert.ok(!r.ok, 'expected a refusal');
      assert.match(r.error.message, message, r.error.message);
      assert.ok(r.error.format().startsWith(where), `expected ${where}, got ${r.error.format()}`);
      assert.doesNotMatch(r.error.message, /\bconst\b|Math\./);
    });
  }
});
