/**
 * The graph's structure (issue 12): calls and loops as Mermaid subgraphs, collapsed groups as one node with
 * their inputs, outputs and gradients, maxNodes collapsing groups before summarizing, branch marks and the
 * "for this input" note. On hand-built traces (test/fixtures/scoped-traces.ts) of the interpreter's shape.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../src/engine/analyze';
import { buildGraph, type GraphModel } from '../../src/engine/graph/graph';
import { collapseScopes, collapseToFit, defaultCollapsedScopes, READABLE_NODES } from '../../src/engine/graph/summarize';
import { branchNote, escapeTitle, nodeLabelLines, toMermaid } from '../../src/engine/mermaid/mermaid';
import { lectureMlp, loopOfThree, nestedCall, neuronTwice } from '../fixtures/scoped-traces';
import { buildPayload } from '../../src/host/payload';
import * as engine from '../../src/host/engine';
import type { Analysis } from '../../src/engine/analyze';
import type { Trace } from '../../src/engine/interpreter/trace';
import { checkMessage } from '../../media/validate';
import { readSource } from '../../media/source';

const graphOf = (trace: Trace) => buildGraph(trace);

/** The lines of `source` between `subgraph <id>[…]` and its `end`, with the subgraph line itself. */
function block(source: string, id: string): string[] {
  const lines = source.split('\n');
  const start = lines.findIndex((l) => l.trim().startsWith(`subgraph ${id}[`));
  assert.ok(start >= 0, `no subgraph ${id} in\n${source}`);
  const indent = lines[start].length - lines[start].trimStart().length;
  const end = lines.findIndex((l, i) => i > start && l === `${' '.repeat(indent)}end`);
  return lines.slice(start, end + 1);
}

/** Every node's gradient equals the sum of the products on its outgoing edges (the output's is 1). */
function assertBackpropHolds(graph: GraphModel) {
  for (const node of graph.nodes) {
    const out = graph.edges.filter((e) => e.from === node.id);
    // A group with several outputs has no single gradient (its label lists each output's).
    if (node.id === graph.output || !out.length || node.kind === 'const' || (node.scopeNode?.outputs.length ?? 1) > 1) continue;
    const sum = out.reduce((s, e) => s + e.product, 0);
    assert.ok(Math.abs(sum - node.grad) <= 1e-12 * Math.max(1, Math.abs(node.grad)), `${node.id}: grad ${node.grad}, edges sum to ${sum}`);
  }
}

test('straight-line programs: no scopes or branches in the model, and no subgraph in the Mermaid text', () => {
  const r = analyze('(x^2+1)^3', { values: { x: 2 } });
  assert.ok(r.ok);
  assert.equal('scopes' in r.value.graph, false);
  assert.equal('branches' in r.value.graph, false);
  const text = toMermaid(r.value.graph);
  assert.doesNotMatch(text, /subgraph|bpGroup|bpBranch|-\.-/);
  assert.equal(collapseScopes(r.value.graph, [0, 1]), r.value.graph, 'nothing to collapse: the same model');
  assert.deepEqual(defaultCollapsedScopes(r.value.graph, 1), []);
  const payload = buildPayload(engine, r.value, { title: 't', digits: 4, direction: 'LR' });
  assert.equal(payload.mermaid, toMermaid(r.value.graph, { digits: 4, direction: 'LR', constants: 'fold', constantGrads: false, edgeLabels: 'formula' }));
  assert.equal('collapsedScopes' in payload, false);
});

test('a function called twice: two subgraphs titled with the call and its line, each holding its own nodes', () => {
  const graph = graphOf(neuronTwice());
  assert.deepEqual(graph.scopes?.map((s) => s.title), ['neuron(x1, w1, b1) · line 7', 'neuron(x2, w2, b2) · line 8']);
  const text = toMermaid(graph);
  assert.deepEqual(block(text, 's0'), [
    '  subgraph s0["neuron(x1, w1, b1) · line 7"]',
    '    n6("×<br/>value -0.5<br/>grad 0.961")',
    '    n7("act = +<br/>value -0.2<br/>grad 0.961")',
    '    n8("tanh<br/>value -0.1974<br/>grad 1")',
    '  end',
  ]);
  assert.equal(block(text, 's1').length, 5);
  // The inputs and the sum are outside both groups.
  assert.match(text, /^ {2}n0\(\["x1<br\/>value 0\.5<br\/>grad -0\.961"\]\)$/m);
  assert.match(text, /^ {2}n12\("y = \+<br\/>value 0\.1826<br\/>grad 1"\)$/m);
  // The panel reads the titles back from the source.
  assert.deepEqual([...readSource(text).clusterTitles], [[0, 'neuron(x1, w1, b1) · line 7'], [1, 'neuron(x2, w2, b2) · line 8']]);
});

test('subgraph titles: generated ids, quotes and statement characters escaped', () => {
  assert.equal(escapeTitle('f(x, "a") · line 2'), 'f(x, #34;a#34;) · line 2');
  assert.equal(escapeTitle('while i < n; end'), 'while i #60; n; end');
  assert.equal(escapeTitle('for (let i = 0; i < 3; i++) · line 6'), 'for (let i = 0; i #60; 3; i++) · line 6');
  const graph = graphOf(neuronTwice());
  graph.scopes![0] = { ...graph.scopes![0], title: 'evil"]\nclick n0 call alert()' };
  const text = toMermaid(graph);
  const line = text.split('\n').find((l) => l.includes('subgraph s0'))!;
  assert.equal(line, '  subgraph s0["evil#34;]#10;click n0 call alert()"]');
  assert.equal(text.split('\n').filter((l) => /^\s*click\b/.test(l)).length, 0);
});

test('a collapsed call is one node with its inputs, outputs and gradients; edges into it carry ∂out/∂input', () => {
  const full = graphOf(neuronTwice());
  const graph = collapseScopes(full, [0]);
  const g0 = graph.nodes.find((n) => n.id === 'g0')!;
  assert.ok(g0.scopeNode);
  assert.deepEqual(nodeLabelLines(g0, { graph }), [
    'neuron(x1, w1, b1) · line 7',
    'value -0.1974',
    'grad 1',
    'in x1 = 0.5, w1 = -1, b1 = 0.3',
    'grad to x1 -0.961, w1 0.4805, b1 0.961',
    '⋯ 3 nodes inside',
  ]);
  // x1's edge: ∂tanh(w1·x1 + b1)/∂x1 = (1 − tanh²)·w1, times upstream 1.
  const x1 = graph.edges.find((e) => e.from === 'n0' && e.to === 'g0')!;
  const t = Math.tanh(-1 * 0.5 + 0.3);
  assert.ok(Math.abs(x1.local - (1 - t * t) * -1) < 1e-12);
  assert.equal(x1.upstream, 1);
  // The other call stays open; the hidden nodes are gone; every input's gradient is unchanged.
  assert.deepEqual(graph.nodes.map((n) => n.id), ['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'g0', 'n9', 'n10', 'n11', 'n12']);
  assert.deepEqual(graph.inputs, full.inputs);
  assertBackpropHolds(graph);
  const text = toMermaid(graph);
  assert.match(text, /^ {2}g0\("neuron#40;x1, w1, b1#41; · line 7<br\/>value -0\.1974<br\/>grad 1<br\/>in x1 = 0\.5, w1 = -1, b1 = 0\.3<br\/>grad to x1 -0\.961, w1 0\.4805, b1 0\.961<br\/>#8943; 3 nodes inside"\)$/m);
  assert.match(text, /^ {2}class g0 bpGroup$/m);
  assert.doesNotMatch(text, /subgraph s0/);
  assert.match(text, /subgraph s1/);
});

test('a loop of three iterations: nested subgraphs; collapsing the iterations keeps the chain and the gradients', () => {
  const full = graphOf(loopOfThree());
  const text = toMermaid(full);
  const loop = block(text, 's0');
  assert.equal(loop[0], '  subgraph s0["for i in range(3) · line 3"]');
  for (const [k, id] of ['s1', 's2', 's3'].entries()) {
    const iteration = block(text, id);
    assert.equal(iteration[0], `    subgraph ${id}["i = ${k}"]`);
    assert.equal(iteration.length, 4, 'two nodes per pass');
    assert.ok(loop.includes(iteration[0]), 'each iteration inside the loop');
  }
  const graph = collapseScopes(full, [1, 2, 3]);
  assert.deepEqual(graph.nodes.filter((n) => n.scopeNode).map((n) => [n.id, n.scope]), [['g1', 0], ['g2', 0], ['g3', 0]]);
  assert.equal(graph.output, 'g3', 'the output is inside the last pass: its group stands for it');
  assert.deepEqual(graph.edges.filter((e) => e.from.startsWith('g')).map((e) => `${e.from}>${e.to}`), ['g1>g2', 'g2>g3']);
  assertBackpropHolds(graph);
  // Collapsing the loop: one node, the iterations with it.
  const whole = collapseScopes(full, [0]);
  // n4 is `s = 0`, a literal outside the loop (folded into its first use, as without groups).
  assert.deepEqual(whole.nodes.map((n) => n.id), ['n0', 'n1', 'n2', 'n3', 'n4', 'g0']);
  assert.doesNotMatch(toMermaid(whole), /subgraph/);
});

test('a nested call: collapsing the outer group hides the inner ones; a branch is marked with its condition', () => {
  const full = graphOf(nestedCall());
  const text = toMermaid(full);
  const layer = block(text, 's0');
  assert.ok(layer.some((l) => l.trim().startsWith('subgraph s1[')) && layer.some((l) => l.trim().startsWith('subgraph s2[')), 'the neurons inside the layer');
  assert.ok(layer.includes('    b0{{"if h #62; 0<br/>false here · line 12"}}'), 'the mark beside the node it compared');
  assert.match(text, /^ {2}n11 -\.- b0$/m);
  assert.match(text, /^ {2}class b0 bpBranch$/m);
  assert.equal(branchNote(full), 'This graph is for this input: h > 0 was false. Only the branch taken is in the graph (as in PyTorch); another input may take the other branch and give another graph.');
  const outer = collapseScopes(full, [0, 1]);
  assert.deepEqual(outer.nodes.filter((n) => n.scopeNode).map((n) => n.id), ['g0']);
  assert.equal(outer.branches?.[0].node, 'g0', 'the mark moves to the group that hides its node');
  assert.match(toMermaid(outer), /^ {2}g0 -\.- b0$/m);
  assertBackpropHolds(outer);
  // Inner groups only: the layer's box holds two collapsed neurons.
  const inner = collapseScopes(full, [1, 2]);
  assert.deepEqual(inner.nodes.filter((n) => n.scopeNode).map((n) => [n.id, n.scope]), [['g1', 0], ['g2', 0]]);
  assert.deepEqual(block(toMermaid(inner), 's0').filter((l) => /^\s*g\d+\(/.test(l)).length, 2);
});

test('a group with several outputs lists each output with its gradient', () => {
  const full = graphOf(lectureMlp());
  const layer = full.scopes!.find((s) => s.title.startsWith('layer'))!;
  const graph = collapseScopes(full, [layer.id]);
  const node = graph.nodes.find((n) => n.scopeNode?.scope === layer.id)!;
  assert.equal(node.scopeNode!.outputs.length, 4);
  const lines = nodeLabelLines(node, { graph });
  assert.equal(lines[0], 'layer(x) · line 3');
  assert.match(lines[1], /^out #1 = -?[\d.]+, #2 = -?[\d.]+, /);
  assert.match(lines[2], /^out grad #1 -?[\d.]+, /);
  assert.match(lines[3], /^in L1\.n0\.w0 = -?[\d.]+, \+18 more$/, "16 weights and biases and 3 inputs, first used first");
  assert.equal(lines.at(-1), `⋯ ${node.scopeNode!.hidden} nodes inside`);
  for (const line of lines) assert.ok([...line].length <= 44 + 12, `short lines: ${line}`);
});

test('maxNodes: the lecture MLP opens with its nested calls collapsed, then whole levels collapse to fit', () => {
  const full = graphOf(lectureMlp());
  assert.ok(full.nodes.length > 350 && full.nodes.length < 450, `${full.nodes.length} nodes`);
  const byId = new Map(full.scopes!.map((s) => [s.id, s]));
  const collapsed = defaultCollapsedScopes(full);
  // The calls inside the n(x) calls are collapsed, innermost level first, until the graph fits: the neurons
  // alone leave 58 nodes, the layers too 46 (more than READABLE_NODES, but the n(x) calls, loops and passes
  // stay open: they are the program's outline).
  const titles = new Set(collapsed.map((id) => byId.get(id)!.title));
  assert.deepEqual([...titles].sort(), ['layer(x) · line 3', 'neuron(x) · line 2']);
  assert.equal(collapsed.length, 4 * 3 + 4 * 9);
  const drawn = collapseScopes(full, collapsed);
  assert.equal(drawn.nodes.length, 46);
  assert.ok(READABLE_NODES < 46);
  assert.deepEqual(drawn.inputs, full.inputs, 'the model still lists every input');
  // The weights feed only collapsed layers, of every sample: the layers' labels list them, no node draws them.
  // Each sample's xs feed one layer only: drawn, with an edge into it.
  assert.equal(drawn.nodes.filter((n) => n.kind === 'input').map((n) => n.name).join(' '), [0, 1, 2, 3].map((s) => `xs[${s}][0] xs[${s}][1] xs[${s}][2]`).join(' ') + ' ys[0] ys[1] ys[2] ys[3]');
  assertBackpropHolds(drawn);
  const neuronsOnly = defaultCollapsedScopes(full, 60);
  assert.deepEqual([...new Set(neuronsOnly.map((id) => byId.get(id)!.title))], ['neuron(x) · line 2'], 'a larger budget: the neurons only');
  assert.deepEqual(defaultCollapsedScopes(full, 5), collapsed, 'top-level calls, loops and passes stay open');
  // Over maxNodes, the view goes further: the top-level calls too. Collapsing the loops would draw more nodes
  // (the shared weights come back once one group holds all their uses), so a budget that cannot be met
  // stops at the fewest nodes.
  const fit = collapseToFit(full, 40);
  assert.equal(fit.size, 4 * 13, 'every call collapsed');
  assert.ok(collapseScopes(full, fit).nodes.length <= 40);
  const fewest = collapseScopes(full, collapseToFit(full, 10)).nodes.length;
  assert.ok(fewest <= collapseScopes(full, fit).nodes.length && fewest < collapseScopes(full, full.scopes!.map((s) => s.id)).nodes.length, `${fewest} nodes`);
  // A graph that fits stays open.
  assert.deepEqual(defaultCollapsedScopes(full, 1000), []);
});

test('the payload carries the groups: full model with scopes, the default collapsed set, its Mermaid; validated', () => {
  const trace = lectureMlp();
  const graph = buildGraph(trace);
  const analysis = { lang: 'python', detected: false, program: trace.program, trace, graph, value: graph.nodes.at(-1)!.value, gradients: {} } as Analysis;
  const payload = buildPayload(engine, analysis, { title: 'lecture MLP', digits: 4, direction: 'LR' });
  assert.deepEqual(payload.collapsedScopes, defaultCollapsedScopes(graph));
  assert.equal(payload.mermaid, toMermaid(collapseScopes(graph, payload.collapsedScopes!), { digits: 4, direction: 'LR', constants: 'fold', constantGrads: false, edgeLabels: 'formula' }));
  assert.equal(payload.graph.scopes?.length, graph.scopes?.length);
  const checked = checkMessage(JSON.parse(JSON.stringify({ kind: 'graph', payload })));
  assert.ok(checked.ok, checked.ok ? '' : checked.reason);
  const bad = JSON.parse(JSON.stringify(payload));
  bad.graph.scopes[0].kind = 'module';
  const refused = checkMessage({ kind: 'graph', payload: bad });
  assert.ok(!refused.ok && /scopes\[0\]\.kind/.test(refused.reason));
  const badIds = JSON.parse(JSON.stringify(payload));
  badIds.collapsedScopes = ['1; alert'];
  assert.ok(!checkMessage({ kind: 'graph', payload: badIds }).ok);
});

test('the CLI carries the groups: JSON lists scopes and branches, text lists the groups and the note', async () => {
  const { parseArgs, renderJson, renderText } = await import('../../src/cli/cli');
  const trace = nestedCall();
  const graph = buildGraph(trace);
  const analysis = { lang: 'python', detected: false, program: trace.program, trace, graph, value: trace.tape.value[trace.output], gradients: {} } as Analysis;
  const json = JSON.parse(renderJson(analysis));
  assert.deepEqual(json.scopes.map((s: { title: string; parent?: number }) => [s.title, s.parent ?? null]), [['layer(x) · line 11', null], ['neuron(x, w0, b0) · line 7', 0], ['neuron(x, w1, b1) · line 7', 0]]);
  assert.equal(json.nodes.find((n: { id: string }) => n.id === 'n7').scope, 1);
  assert.deepEqual(json.branches, [{ span: { start: 0, end: 0, line: 12, col: 1 }, condition: 'h > 0', taken: false, node: 'n11' }]);
  assert.match(json.note, /^This graph is for this input: h > 0 was false/);
  const options = parseArgs(['-', '--open-groups']);
  assert.ok(typeof options === 'object' && options.openGroups);
  const text = renderText(analysis, 'layer', options as Exclude<typeof options, string>);
  assert.match(text, /groups \(calls and loops, as drawn\):\n {2}layer\(x\) · line 11 {2}\(1 node\)\n {4}neuron\(x, w0, b0\) · line 7 {2}\(3 nodes\)\n {4}neuron\(x, w1, b1\) · line 7 {2}\(3 nodes\)\n/);
  assert.match(text, /another input may take the other branch/);
  // A straight-line program's JSON has no such keys.
  const plain = analyze('x*x', { values: { x: 3 } });
  assert.ok(plain.ok);
  const plainJson = JSON.parse(renderJson(plain.value));
  assert.equal('scopes' in plainJson || 'branches' in plainJson || 'note' in plainJson, false);
});

test('inputs are drawn outside every group, even one the interpreter created inside a loop pass', () => {
  const graph = graphOf(loopOfThree());
  const moved = { ...graph, nodes: graph.nodes.map((n) => (n.id === 'n1' ? { ...n, scope: 1 } : n)) };
  const text = toMermaid(moved);
  assert.ok(!block(text, 's1').some((l) => l.includes('n1(')));
  assert.match(text, /^ {2}n1\(\["xs#91;0#93;/m);
});

test('a branch mark stays inside the loop pass it was taken in, and outside a loop it comes after', () => {
  const base = graphOf(loopOfThree());
  // The loop and its passes span characters 10–50 of the program.
  const loopSpan = { start: 10, end: 50, line: 3, col: 1 };
  const graph = { ...base, scopes: base.scopes!.map((s) => ({ ...s, span: loopSpan })) };
  const after = { ...graph, branches: [{ span: { start: 60, end: 70, line: 5, col: 1 }, condition: 's > 0', taken: true, node: 'n10' }] };
  const text = toMermaid(after);
  assert.match(text, /^ {2}b0\{\{"if s #62; 0<br\/>true here · line 5"\}\}$/m, 'at the top level');
  assert.ok(!block(text, 's3').some((l) => l.includes('b0')));
  const inside = { ...graph, branches: [{ span: { start: 20, end: 30, line: 4, col: 3 }, condition: 'xs[i] > 0', taken: false, node: 'n10' }] };
  assert.ok(block(toMermaid(inside), 's3').some((l) => l.trim().startsWith('b0{{')), 'in the pass');
});

test('the "for this input" note names only conditions on traced values: `if False` and a counter test are the same for every input', () => {
  const text = 'def f(x):\n    if False:\n        return x\n    n = 2\n    if n > 1:\n        return x * x\n    return x\n\nx = 3.0\ny = f(x)\n';
  const plain = analyze(text, { lang: 'python', symbolic: false, gradCheck: false });
  assert.ok(plain.ok, plain.ok ? '' : plain.error.message);
  assert.equal(branchNote(plain.value.graph), undefined);
  const traced = analyze(text.replace('if n > 1', 'if x > 1'), { lang: 'python', symbolic: false, gradCheck: false });
  assert.ok(traced.ok, traced.ok ? '' : traced.error.message);
  assert.match(branchNote(traced.value.graph) ?? '', /^This graph is for this input: x > 1 was true\./);
});
