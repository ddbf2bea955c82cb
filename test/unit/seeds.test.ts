/** The seed lessons' printed numbers, reproduced exactly (../shared/seeds). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze, drawnGraph, nodeLabelLines, toMermaid } from '../../src/host/engine';
import { assertGraphInvariants, close } from './helpers';

function run(text: string, values: Record<string, number>, lang?: 'math' | 'ts') {
  const r = analyze(text, { values, lang, symbolic: true });
  if (!r.ok) assert.fail(r.error.format());
  assertGraphInvariants(r.value.graph);
  return r.value;
}

describe('day40: f(x) = (x²+1)³ at x = 2', () => {
  it('gives value 125, df/dx 300 and the intermediates u = 4, v = 5', () => {
    const a = run('(x^2+1)^3', { x: 2 });
    assert.equal(a.value, 125);
    assert.equal(a.gradients.x, 300);
    const opValues = a.graph.nodes.filter((n) => n.kind === 'op').map((n) => n.value);
    assert.deepEqual(opValues, [4, 5, 125]);
    // The chain rule read off the edges: ∂f/∂v = 3v² = 75, ∂v/∂u = 1, ∂u/∂x = 2x = 4; 75·1·4 = 300.
    const v = a.graph.nodes.find((n) => n.value === 5)!;
    assert.equal(v.grad, 75);
    const xEdge = a.graph.edges.find((e) => e.from === a.graph.inputs[0].id)!;
    assert.equal(xEdge.local, 4);
    assert.equal(xEdge.product, 300);
    assert.ok(a.check!.rows[0].ok);
    assert.equal(a.symbolic![0].derivative, '6x·(x² + 1)²');
  });
});

describe('day40: the graph is the lesson\'s picture', () => {
  it('u = x², v = u + 1, f = v³ draws x → u = x² → v = u + 1 → f = v³ with locals 4, 1, 75 (constants folded)', () => {
    const a = run('u = x^2\nv = u + 1\nf = v^3', { x: 2 });
    const drawn = drawnGraph(a.graph);
    assert.deepEqual(drawn.nodes.map((n) => nodeLabelLines(n, { graph: a.graph })[0]), ['x', 'u = x²', 'v = u + 1', 'f = v³']);
    assert.deepEqual(drawn.edges.map((e) => e.local), [4, 1, 75]);
    assert.deepEqual(drawn.nodes.map((n) => n.grad), [300, 75, 75, 1]);
    // A chain: each drawn edge goes from one drawn node to the next.
    assert.deepEqual(drawn.edges.map((e) => [e.from, e.to]), drawn.nodes.slice(1).map((n, i) => [drawn.nodes[i].id, n.id]));
    assert.equal((toMermaid(a.graph).match(/-->/g) ?? []).length, 3);
  });
});

describe('1.2: the chain rule', () => {
  it('y = x³ + 2x at x = 1 gives dy/dx = 5 (the torch cell prints tensor([5.]))', () => {
    assert.equal(run('x^3 + 2*x', { x: 1 }).gradients.x, 5);
  });
  it('sin(x²+1) differentiates symbolically to 2x·cos(x²+1), and numerically agrees', () => {
    const a = run('sin(x^2+1)', { x: 2 });
    assert.equal(a.symbolic![0].derivative, '2x·cos(x² + 1)');
    close(a.gradients.x, 2 * 2 * Math.cos(5));
  });
});

describe('day05: the tiny tanh network', () => {
  // h = tanh(w1·x), y = w2·h, L = ½(y − target)²: the printed numbers of the notebook.
  const printed = { h: 0.8336546070121552, y: -0.6669236856097243, w1: 0.2847480465272111, w2: -0.9728113065401505, x: 0.3416976558326533 };
  const values = { x: 1, w1: 1.2, w2: -0.8, target: 0.5 };
  it('as math assignments reproduces h, y and the three gradients', () => {
    const a = run('h = tanh(w1 * x); y = w2 * h; L = 0.5 * (y - target)^2', values);
    const named = Object.fromEntries(a.graph.nodes.filter((n) => n.name).map((n) => [n.name!, n.value]));
    close(named.h, printed.h);
    close(named.y, printed.y);
    close(a.gradients.w1, printed.w1);
    close(a.gradients.w2, printed.w2);
    close(a.gradients.x, printed.x);
  });

  it("as the lesson's TypeScript, with no NaN: the literal exponent's aᵇ·ln a is never computed (y − target < 0)", () => {
    const a = run('const x = 1;\nconst w1 = 1.2;\nconst w2 = -0.8;\nconst target = 0.5;\nconst h = Math.tanh(w1 * x);\nconst y = w2 * h;\nconst L = 0.5 * (y - target) ** 2;', {}, 'ts');
    close(a.gradients.w1, printed.w1);
    for (const n of a.graph.nodes) assert.ok(Number.isFinite(n.grad), `${n.id} has a finite gradient`);
    for (const e of a.graph.edges) assert.ok(Number.isFinite(e.local), `${e.from}→${e.to} has a finite local`);
    assert.deepEqual(a.graph.warnings, []);
    for (const options of [{}, { constants: 'nodes', constantGrads: true }] as const) {
      assert.doesNotMatch(toMermaid(a.graph, options), /NaN|∞/);
    }
    const titles = drawnGraph(a.graph).nodes.map((n) => nodeLabelLines(n, { graph: a.graph })[0]);
    assert.deepEqual(titles.slice(-2), ['(y − target)²', 'L = 0.5·(y − target)²']);
  });
});
