/** The Mermaid emitter's labels and what it draws: constants folded or as nodes, their gradients, edge text. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { analyze } from '../../src/host/engine';
import {
  drawnGraph, edgeLabelText, isDrawn, nodeLabelLines, nodeTitle, showsGradient, toMermaid, type GraphModel, type LabelOptions,
} from '../../src/engine/index';
import { summarize } from '../../src/engine/graph/summarize';
import { assertGraphInvariants } from './helpers';

function graphOf(text: string, values: Record<string, number>): GraphModel {
  const r = analyze(text, { values, symbolic: false, gradCheck: false });
  if (!r.ok) assert.fail(r.error.format());
  assertGraphInvariants(r.value.graph);
  return r.value.graph;
}

/** Node lines of the Mermaid source: id → label text with the entity codes the escaping made decoded. */
function drawnNodes(mermaid: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of mermaid.matchAll(/^ {2}(n\d+)(?:\(\[|\[|\()"([^"]*)"/gm)) {
    out.set(m[1], m[2].replace(/#(\d+);/g, (_, code) => String.fromCodePoint(Number(code))).split('<br/>').join(' | '));
  }
  return out;
}

function drawnEdges(mermaid: string): string[] {
  return [...mermaid.matchAll(/^ {2}(n\d+) -->(?:\|"([^"]*)"\|)? (n\d+)$/gm)].map((m) => `${m[1]}→${m[3]} ${m[2] ?? ''}`.trim());
}

describe('constants folded into their op (the default)', () => {
  it('draws day 40 as the lesson does: x → u = x² → v = u + 1 → f = v³, locals 4, 1, 75', () => {
    const g = graphOf('u = x^2; v = u + 1; f = v^3', { x: 2 });
    const m = toMermaid(g);
    assert.deepEqual([...drawnNodes(m).values()], [
      'x | value 2 | grad 300', 'u = x² | value 4 | grad 75', 'v = u + 1 | value 5 | grad 75', 'f = v³ | value 125 | grad 1',
    ]);
    assert.deepEqual(drawnEdges(m).map((e) => e.split(' ').slice(1).join(' ')), ['2x = 4', '1', '3v² = 75']);
    assert.deepEqual(drawnEdges(toMermaid(g, { edgeLabels: 'number' })).map((e) => e.split(' ')[1]), ['4', '1', '75']);
    // The model still has the three literals, as constants.
    assert.equal(g.nodes.filter((n) => n.kind === 'const').length, 3);
    assert.equal(g.nodes.length, 7);
  });

  it('draws (x^2+1)^3 as 4 nodes with readable titles; nodes mode as 7', () => {
    const g = graphOf('(x^2+1)^3', { x: 2 });
    assert.deepEqual([...drawnNodes(toMermaid(g)).values()].map((l) => l.split(' | ')[0]), ['x', 'x²', 'x² + 1', '(x² + 1)³']);
    const nodes = drawnNodes(toMermaid(g, { constants: 'nodes' }));
    assert.equal(nodes.size, 7);
    // Constants as nodes: no gradient shown unless asked; never for a literal exponent.
    assert.deepEqual([...nodes.values()].filter((l) => /^\d/.test(l)), ['2 | value 2', '1 | value 1', '3 | value 3']);
    const withGrads = [...drawnNodes(toMermaid(g, { constants: 'nodes', constantGrads: true })).values()].filter((l) => /^\d/.test(l));
    assert.deepEqual(withGrads, ['2 | value 2', '1 | value 1 | grad 75', '3 | value 3']);
  });

  it('titles folded ops by operand names, a placeholder for long unnamed ones, functions and named constants', () => {
    const title = (text: string, values: Record<string, number>) => {
      const g = graphOf(text, values);
      return nodeTitle(g.nodes.find((n) => n.id === g.output)!, { graph: g });
    };
    assert.equal(title('L = 0.5 * (y - target)^2', { y: -0.6, target: 0.5 }), 'L = 0.5·(y − target)²');
    assert.equal(title('(y - target)^2', { y: -0.6, target: 0.5 }), '(y − target)²');
    assert.equal(title('2 * pi * r', { r: 1 }), '×', 'no literal operand of its own: the symbol, as before');
    assert.equal(title('2 * pi', {}), '2·π');
    assert.equal(title('e^x', { x: 1 }), 'e^x');
    assert.equal(title('sin(x) + 1', { x: 1 }), 'sin(x) + 1');
    assert.equal(title('sin(x * y + 3)', { x: 1, y: 2 }), 'sin', 'no literal: the symbol');
    assert.equal(title('x * y + 3', { x: 1, y: 2 }), 'x·y + 3');
    assert.equal(title('max(x, 0)', { x: 1 }), 'max(x, 0)');
    assert.equal(title('x - (y - 1)', { x: 1, y: 2 }), '−', 'x − (y − 1): the outer op has no literal');
    assert.equal(title('1 - (x - y)', { x: 1, y: 2 }), '1 − (x − y)');
    assert.equal(title('2 / (x * y)', { x: 1, y: 2 }), '2/(x·y)');
    assert.equal(title('x^0.5', { x: 4 }), 'x^0.5');
    assert.equal(title('x * -3', { x: 4 }), 'x·(−3)');
    assert.equal(title('(sin(x) * cos(y) + 2)^2', { x: 1, y: 2 }), '□²');
  });

  it('folds a literal with several consumers into each of them, and draws a constant output', () => {
    const g = graphOf('3', {});
    assert.equal(drawnNodes(toMermaid(g)).size, 1);
    assert.ok(isDrawn(g.nodes[0], g));
  });

  it('drawnGraph lists the drawn nodes and edges in emission order, with their model edge indices', () => {
    const g = graphOf('0.5 * (y - target)^2', { y: 1, target: 0.5 });
    const d = drawnGraph(g);
    const m = toMermaid(g);
    assert.deepEqual(d.nodes.map((n) => n.id), [...drawnNodes(m).keys()]);
    assert.deepEqual(d.edges.map((e) => `${e.from}→${e.to}`), drawnEdges(m).map((e) => e.split(' ')[0]));
    d.edgeIndex.forEach((k, i) => assert.equal(g.edges[k], d.edges[i]));
    assert.equal(d.nodes.some((n) => n.kind === 'const'), false);
    const all = drawnGraph(g, { constants: 'nodes' });
    assert.equal(all.nodes.length, g.nodes.length);
    assert.equal(all.edges.length, g.edges.length);
  });

  it('keeps the summary of a big graph exact and folded', () => {
    const text = Array.from({ length: 60 }, (_, i) => `${i + 2} * x^2`).join(' + ');
    const g = graphOf(text, { x: 1.5 });
    const s = summarize(g, 20);
    const m = toMermaid(s.graph);
    assert.ok(drawnNodes(m).size <= 20);
    assert.doesNotMatch(m, /"\d+<br/, 'no constant is drawn as a node');
  });
});

describe('labels', () => {
  it('nodeLabelLines gives plain text lines: title, value, grad; constants without grad unless asked', () => {
    const g = graphOf('x^2 + 1', { x: 3 });
    const out = g.nodes.find((n) => n.id === g.output)!;
    assert.deepEqual(nodeLabelLines(out, { graph: g }), ['x² + 1', 'value 10', 'grad 1']);
    assert.deepEqual(nodeLabelLines(out, { graph: g, constants: 'nodes' }), ['+', 'value 10', 'grad 1']);
    const one = g.nodes.find((n) => n.kind === 'const' && n.value === 1)!;
    assert.deepEqual(nodeLabelLines(one, { graph: g, constants: 'nodes' }), ['1', 'value 1']);
    assert.deepEqual(nodeLabelLines(one, { graph: g, constants: 'nodes', constantGrads: true }), ['1', 'value 1', 'grad 1']);
    assert.equal(showsGradient(one), false);
    assert.equal(showsGradient(one, { constantGrads: true }), true);
    const two = g.nodes.find((n) => n.kind === 'const' && n.value === 2)!;
    assert.equal(showsGradient(two, { constantGrads: true }), false, 'a literal exponent never');
  });

  it('user text stays text: names reach labels only through escapeLabel', () => {
    const g = graphOf('x^2', { x: 1 });
    const hostile = { ...g, nodes: g.nodes.map((n) => (n.kind === 'input' ? { ...n, name: '"]; click n0 call alert(1) %%' } : n)) };
    const m = toMermaid(hostile);
    assert.match(m, /#34;#93;#59; click n0 call alert#40;1#41; #37;#37;/);
    for (const line of m.trimEnd().split('\n').slice(1)) assert.doesNotMatch(line, /^\s*click/);
    assert.equal(nodeTitle(hostile.nodes.find((n) => n.id === hostile.output)!, { graph: hostile }), '"]; click n0 call alert(1) %%²');
  });

  it('edgeLabelText: formula = number when short and different, the number otherwise, nothing from a constant', () => {
    const g = graphOf('v = x^2 + 1; f = v^3', { x: 2 });
    const edge = (from: string) => g.edges.find((e) => g.nodes.find((n) => n.id === e.from)!.name === from || e.from === from)!;
    const opts: LabelOptions = { graph: g };
    const withFormula = (e: (typeof g.edges)[number], localFormula: string) => ({ ...e, localFormula });
    assert.equal(edgeLabelText(edge('v'), opts), '3v² = 75', "the symbolic engine's formula");
    assert.equal(edgeLabelText({ ...edge('v'), localFormula: undefined }, opts), '75');
    assert.equal(edgeLabelText(withFormula(edge('v'), '3v²'), opts), '3v² = 75');
    assert.equal(edgeLabelText(withFormula(edge('v'), '3v²'), { ...opts, edgeLabels: 'number' }), '75');
    assert.equal(edgeLabelText(withFormula(edge('v'), '3·(x² + 1)²·stuff'), opts), '75', 'too long: the number alone');
    assert.equal(edgeLabelText(withFormula(edge('v'), '−75'), opts).startsWith('−75 ='), true, 'differs: shown');
    const minus = graphOf('x - y', { x: 1, y: 2 });
    assert.deepEqual(minus.edges.map((e) => edgeLabelText(e, { graph: minus })), ['1', '-1'], 'the formula −1 is the number');
    const day40 = graphOf('u = x^2; v = u + 1; f = v^3', { x: 2 });
    assert.deepEqual(drawnGraph(day40).edges.map((e) => edgeLabelText(e, { graph: day40 })), ['2x = 4', '1', '3v² = 75']);
    const sumEdge = g.edges.find((e) => e.local === 1)!;
    assert.equal(edgeLabelText(withFormula(sumEdge, '1'), opts), '1');
    const fromConst = g.edges.find((e) => g.nodes.find((n) => n.id === e.from)!.kind === 'const')!;
    assert.equal(edgeLabelText(fromConst, opts), '');
    assert.equal(edgeLabelText(fromConst, { ...opts, constantGrads: true }), fromConst.local === 0 ? '' : String(fromConst.local));
  });
});

describe('no NaN or ∞ on screen without the warning on the same node', () => {
  const cases: [string, Record<string, number>][] = [
    ['log(x)', { x: -1 }], ['sqrt(x)', { x: 0 }], ['sqrt(x^2)', { x: 0 }], ['1/x + 2', { x: 0 }],
    ['(x - 3)^0.5 * 2', { x: 1 }], ['x / 0', { x: 1 }], ['sin(log(x)) * 3', { x: 0 }], ['acos(x)^2', { x: 2 }],
  ];
  for (const [text, at] of cases) {
    it(`${text} at ${JSON.stringify(at)}`, () => {
      const g = graphOf(text, at);
      for (const options of [{}, { constants: 'nodes' }, { constants: 'nodes', constantGrads: true }] as LabelOptions[]) {
        for (const [, label] of drawnNodes(toMermaid(g, options))) {
          if (/NaN|∞/.test(label)) assert.match(label, / \| ⚠ \S/, `${text} ${JSON.stringify(options)}: ${label}`);
        }
        for (const edge of drawnGraph(g, options).edges) {
          const text2 = edgeLabelText(edge, { ...options, graph: g });
          if (!/NaN|∞/.test(text2)) continue;
          const to = g.nodes.find((n) => n.id === edge.to)!;
          assert.match(nodeLabelLines(to, { ...options, graph: g }).at(-1)!, /^⚠ /, `${text}: edge into ${to.id} shows ${text2}`);
        }
      }
    });
  }

  it('holds on random expressions with NaN-prone ops', () => {
    const leaf = fc.oneof(fc.constantFrom('x', 'y'), fc.integer({ min: -3, max: 3 }).map(String), fc.constantFrom('0', '0.5', 'pi'));
    const e = fc.letrec<{ e: string }>((tie) => ({
      e: fc.oneof({ depthSize: 'small' }, leaf,
        fc.tuple(fc.constantFrom('+', '-', '*', '/', '^'), tie('e'), tie('e')).map(([op, a, b]) => `(${a} ${op} ${b})`),
        fc.tuple(fc.constantFrom('log', 'sqrt', 'asin', 'exp', 'tanh'), tie('e')).map(([f, a]) => `${f}(${a})`)),
    })).e;
    fc.assert(fc.property(e, fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true }), (text, x, y) => {
      const r = analyze(text, { values: { x, y }, symbolic: false, gradCheck: false, lang: 'math' });
      if (!r.ok) return;
      const g = r.value.graph;
      for (const options of [{}, { constants: 'nodes', constantGrads: true }] as LabelOptions[]) {
        for (const [id, label] of drawnNodes(toMermaid(g, options))) {
          if (/NaN|∞/.test(label)) assert.match(label, / \| ⚠ \S/, `${text} at x=${x}, y=${y}: ${id} ${label}`);
        }
        for (const edge of drawnGraph(g, options).edges) {
          if (!/NaN|∞/.test(edgeLabelText(edge, { ...options, graph: g }))) continue;
          const to = g.nodes.find((n) => n.id === edge.to)!;
          assert.match(nodeLabelLines(to, { ...options, graph: g }).at(-1)!, /^⚠ /, `${text}: edge into ${to.id}`);
        }
      }
    }), { numRuns: 300, seed: Number(process.env.FC_SEED ?? Date.now() % 2 ** 31) });
  });
});

describe('payload', () => {
  it('carries constants, constantGrads and edgeLabels, and its mermaid follows them', async () => {
    const engine = await import('../../src/host/engine');
    const { buildPayload } = await import('../../src/host/payload');
    const r = engine.analyze('(x^2+1)^3', { values: { x: 2 } });
    if (!r.ok) assert.fail(r.error.format());
    const base = { title: 't', digits: 4, direction: 'LR' } as const;
    const folded = buildPayload(engine, r.value, base);
    assert.deepEqual([folded.constants, folded.constantGrads, folded.edgeLabels], ['fold', false, 'formula']);
    assert.equal(drawnNodes(folded.mermaid).size, 4);
    assert.equal(folded.graph.nodes.length, 7, 'the model keeps the constants');
    const nodes = buildPayload(engine, r.value, { ...base, constants: 'nodes', constantGrads: true, edgeLabels: 'number' });
    assert.deepEqual([nodes.constants, nodes.constantGrads, nodes.edgeLabels], ['nodes', true, 'number']);
    assert.equal(drawnNodes(nodes.mermaid).size, 7);
    // What the webview re-emits for a summary from the payload's fields is what the host emitted.
    assert.equal(toMermaid(nodes.graph, { direction: nodes.direction === 'auto' ? 'LR' : nodes.direction, digits: nodes.digits, constants: nodes.constants, constantGrads: nodes.constantGrads, edgeLabels: nodes.edgeLabels }), nodes.mermaid);
  });
});
