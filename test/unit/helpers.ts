import assert from 'node:assert/strict';
import type { GraphModel } from '../../src/engine/graph/graph';

/** Equal, or both NaN, or within a relative tolerance. */
export function close(actual: number, expected: number, rel = 1e-12, message?: string): void {
  if (Number.isNaN(actual) && Number.isNaN(expected)) return;
  if (actual === expected) return;
  const err = Math.abs(actual - expected) / Math.max(1, Math.abs(expected));
  assert.ok(err <= rel, `${message ?? ''} expected ${expected}, got ${actual} (relative error ${err})`);
}

/**
 * The graph model's contract, checked on every graph a test builds:
 * for each edge a→b, upstream = grad(b) and product = local·upstream (0 when upstream is 0, and 0 from a
 * literal exponent, whose local derivative is never computed: it has local 0 and grad 0);
 * for each node a other than the output, grad(a) = Σ product over a's outgoing edges; grad(output) = 1.
 */
export function assertGraphInvariants(graph: GraphModel): void {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const sums = new Map<string, number>();
  for (const e of graph.edges) {
    const to = byId.get(e.to);
    const from = byId.get(e.from);
    assert.ok(to && from, `edge ${e.from}→${e.to} refers to a node outside the graph`);
    assert.ok(Object.is(e.upstream, to.grad), `edge ${e.from}→${e.to}: upstream ${e.upstream} ≠ grad(${e.to}) ${to.grad}`);
    if (from.noGrad) assert.ok(e.local === 0 && from.grad === 0, `edge ${e.from}→${e.to} from a literal exponent carries a local derivative`);
    const product = e.upstream === 0 || from.noGrad ? 0 : e.local * e.upstream;
    assert.ok(Object.is(e.product, product), `edge ${e.from}→${e.to}: product ${e.product} ≠ local·upstream ${product}`);
    sums.set(e.from, (sums.get(e.from) ?? 0) + e.product);
  }
  const out = byId.get(graph.output);
  assert.ok(out, 'output node is in the graph');
  assert.equal(out.grad, 1);
  for (const n of graph.nodes) {
    if (n.id === graph.output) continue;
    const sum = sums.get(n.id);
    assert.ok(sum !== undefined, `node ${n.id} has no outgoing edge but is not the output`);
    if (Number.isNaN(sum) && Number.isNaN(n.grad)) continue;
    assert.ok(Math.abs(n.grad - sum) <= 1e-12 * Math.max(1, Math.abs(sum)) || n.grad === sum,
      `grad(${n.id}) = ${n.grad} but the sum of its outgoing products is ${sum}`);
  }
  for (const n of graph.nodes) assert.match(n.id, /^n\d+$/, 'node ids are generated');
}
