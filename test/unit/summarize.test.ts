import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../src/host/engine';
import { summarize } from '../../src/engine/graph/summarize';
import type { GraphModel } from '../../src/engine/graph/graph';

function graphOf(text: string, values: Record<string, number>): GraphModel {
  const r = analyze(text, { values, gradCheck: false });
  if (!r.ok) throw r.error;
  return r.value.graph;
}

function sumOfTanh(terms: number) {
  const values: Record<string, number> = {};
  const parts: string[] = [];
  for (let i = 0; i < terms; i++) {
    parts.push(`tanh(w${i}*x${i}+b${i})`);
    values[`w${i}`] = 0.3 + i / 100;
    values[`x${i}`] = 1 - i / 50;
    values[`b${i}`] = 0.1;
  }
  return graphOf(parts.join(' + '), values);
}

test('a graph within the limit is returned unchanged', () => {
  const g = graphOf('(x^2+1)^3', { x: 2 });
  const s = summarize(g, 300);
  assert.equal(s.graph, g);
  assert.deepEqual(s.collapsed, []);
});

test('a large graph is cut to at most maxNodes nodes, keeping the output and consistent edges', () => {
  const g = sumOfTanh(60);
  assert.ok(g.nodes.length > 300);
  const s = summarize(g, 50);
  assert.ok(s.graph.nodes.length <= 50, `shown ${s.graph.nodes.length}`);
  assert.ok(s.collapsed.length > 0);
  assert.equal(s.totalNodes, g.nodes.length);
  const ids = new Set(s.graph.nodes.map((n) => n.id));
  assert.ok(ids.has(g.output));
  for (const e of s.graph.edges) assert.ok(ids.has(e.from) && ids.has(e.to), `edge ${e.from}→${e.to} has both ends shown`);
  // Hidden counts add up: every original node is shown or hidden exactly once.
  const hidden = s.collapsed.reduce((a, c) => a + c.hidden, 0);
  assert.equal(s.graph.nodes.length + hidden, g.nodes.length);
  // A collapsed node keeps the value and gradient of the subexpression it stands for.
  for (const c of s.collapsed) {
    const orig = g.nodes.find((n) => n.id === c.id)!;
    const shown = s.graph.nodes.find((n) => n.id === c.id)!;
    assert.equal(shown.value, orig.value);
    assert.equal(shown.grad, orig.grad);
    assert.match(shown.symbol, new RegExp(`\\+${c.hidden} nodes`));
  }
});

test('edges into a collapsed subexpression carry its total derivative and contribution (shared input)', () => {
  // x is shared by both big subexpressions, so it is never hidden; its gradient must be the sum of the
  // contributions on the merged edges that leave it.
  const terms: string[] = [];
  for (let i = 0; i < 40; i++) terms.push(`tanh(x*w${i}+${i / 10})`);
  const values: Record<string, number> = { x: 0.5 };
  for (let i = 0; i < 40; i++) values[`w${i}`] = (i % 7) / 10 - 0.3;
  const g = graphOf(`(${terms.slice(0, 20).join('+')}) * (${terms.slice(20).join('+')})`, values);
  const s = summarize(g, 20);
  const x = g.inputs.find((i) => i.name === 'x')!;
  assert.ok(s.graph.nodes.some((n) => n.id === x.id), 'shared input stays shown');
  const out = s.graph.edges.filter((e) => e.from === x.id);
  assert.ok(out.length > 0);
  const total = out.reduce((a, e) => a + e.product, 0);
  assert.ok(Math.abs(total - x.grad) <= 1e-9 * Math.max(1, Math.abs(x.grad)), `${total} vs ${x.grad}`);
  for (const e of out) {
    const to = s.graph.nodes.find((n) => n.id === e.to)!;
    assert.ok(Math.abs(e.local * to.grad - e.product) <= 1e-9 * Math.max(1, Math.abs(e.product)), 'local × upstream = contribution');
  }
});

test('expand keeps a chosen subexpression open', () => {
  const g = sumOfTanh(60);
  const first = summarize(g, 40);
  const target = first.collapsed[0].id;
  const again = summarize(g, 40, { expand: [target] });
  assert.ok(!again.collapsed.some((c) => c.id === target));
  assert.ok(again.graph.nodes.some((n) => n.id === target));
});

test('a deep chain of 200,000 nodes summarizes without overflowing the stack', () => {
  // Built directly: the front ends (rightly) refuse text nested this deeply.
  const n = 200_000;
  const nodes: GraphModel['nodes'] = [{ id: 'n0', kind: 'input', op: 'input', symbol: 'input', name: 'x', value: 0.3, grad: 1 }];
  const edges: GraphModel['edges'] = [];
  for (let i = 1; i < n; i++) {
    nodes.push({ id: `n${i}`, kind: 'op', op: 'tanh', symbol: 'tanh', value: 0.1, grad: 1 });
    edges.push({ from: `n${i - 1}`, to: `n${i}`, arg: 0, local: 1, upstream: 1, product: 1 });
  }
  const g: GraphModel = { nodes, edges, output: `n${n - 1}`, inputs: [{ id: 'n0', name: 'x', value: 0.3, grad: 1, source: 'given' }], warnings: [] };
  const s = summarize(g, 30);
  assert.ok(s.graph.nodes.length <= 30);
  assert.ok(s.graph.nodes.some((node) => node.id === g.output));
  assert.equal(s.graph.nodes.length + s.collapsed.reduce((a, c) => a + c.hidden, 0), n);
});
