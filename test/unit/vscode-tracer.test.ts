/**
 * The extension's tracing path (document → composed program → values with sources → payload), on the shipped
 * lessons, with a stub `vscode` module (documents, settings, input box, Memento). No VS Code needed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { lessonDoc, log, memento, stubDoc, stubState } from './vscode-stub';

const tracer = import('../../src/vscode/tracer');
const scan = import('../../src/vscode/text/scan');
const deps = () => ({ log: log as never, state: memento() as never });

async function traceBlockContaining(path: string, languageId: string, needle: string, interactive = false, d = deps()) {
  const { traceTarget } = await tracer;
  const { expressionAt } = await scan;
  const doc = lessonDoc(path, languageId);
  const at = doc.getText().indexOf(needle);
  assert.ok(at >= 0, `${needle} not in ${path}`);
  const t = expressionAt(doc.getText(), at, languageId);
  assert.ok(t, `no expression at ${needle}`);
  return { doc, outcome: await traceTarget({ uri: doc.uri as never, start: t.start, end: t.end, lang: t.lang }, { interactive }, d) };
}

test('day40 lesson: (x^2 + 1)^3 with x = 2 from the page gives 125 and 300, and says where x came from', async () => {
  const { outcome } = await traceBlockContaining('lessons/day40-chain-rule.md', 'markdown', '(x^2 + 1)^3');
  assert.ok(outcome.ok, JSON.stringify(outcome));
  assert.equal(outcome.payload.value, 125);
  assert.deepEqual(outcome.payload.inputs.map((i) => [i.name, i.value, i.grad]), [['x', 2, 300]]);
  assert.match(outcome.payload.inputs[0].source, /^line \d+: x = 2$/);
  assert.ok(outcome.payload.check?.every((r) => r.ok));
});

test('day05 lesson: the three-line network reproduces the seed gradients with values declared above', async () => {
  const { outcome } = await traceBlockContaining('lessons/day05-backprop-intuition.md', 'markdown', 'const y = w2 * h');
  assert.ok(outcome.ok, JSON.stringify(outcome));
  const g = Object.fromEntries(outcome.payload.inputs.map((i) => [i.name, i.grad]));
  // The seed notebook's printout: (dL/dw1, dL/dw2, dL/dx).
  assert.ok(Math.abs(g.w1 - 0.2847480465272111) < 1e-12, String(g.w1));
  assert.ok(Math.abs(g.w2 - -0.9728113065401505) < 1e-12, String(g.w2));
  assert.ok(Math.abs(g.x - 0.3416976558326533) < 1e-12, String(g.x));
  const src = Object.fromEntries(outcome.payload.inputs.map((i) => [i.name, i.source]));
  assert.match(src.w1, /^line \d+: const w1 = 1\.2$/);
});

test('a lesson-file lens on `const L = …` pulls in the statements L depends on', async () => {
  const { traceTarget } = await tracer;
  const { lensSpots } = await scan;
  const doc = lessonDoc('lessons/day05-network.lesson.ts', 'typescript');
  const spot = lensSpots(doc.getText(), 'typescript').find((s) => s.label === 'L');
  assert.ok(spot);
  const o = await traceTarget({ uri: doc.uri as never, start: spot.start, end: spot.end, lang: spot.lang }, { interactive: false }, deps());
  assert.ok(o.ok, JSON.stringify(o));
  assert.ok(Math.abs(o.payload.value - 0.6808554440184913) < 1e-12);
  assert.ok(o.payload.graph.nodes.some((n) => n.name === 'h'), 'h is drawn as a node of its own');
});

test('safety lesson: the fence with require(...).execSync is refused at its line:col and nothing runs', async () => {
  const marker = '/tmp/backprop-graph-safety-marker';
  const before = existsSync(marker);
  const { doc, outcome } = await traceBlockContaining('lessons/safety.lesson.md', 'markdown', 'execSync');
  assert.equal(outcome.ok, false);
  if (outcome.ok) return;
  assert.match(outcome.message, /require/);
  const p = doc.positionAt(doc.getText().indexOf('require('));
  assert.equal(outcome.where, `${p.line + 1}:${p.character + 1}`);
  assert.equal(existsSync(marker), before, 'the marker file appeared');
});

test('missing values: an error when not interactive; one input box, remembered afterwards, when interactive', async () => {
  const { traceTarget } = await tracer;
  const doc = stubDoc('y = sin(a) * b\n', 'plaintext', '/virtual/missing.txt');
  stubState.docs.set(doc.uri.toString(), doc);
  const d = deps();
  const target = { uri: doc.uri as never, start: 0, end: 14 };
  const quiet = await traceTarget(target, { interactive: false }, d);
  assert.equal(quiet.ok, false);
  if (!quiet.ok) assert.match(quiet.message, /a, b/);

  stubState.inputBoxAnswers.push('a=0, b=3');
  const asked = await traceTarget(target, { interactive: true }, d);
  assert.equal(stubState.inputBoxPrompts.at(-1)?.value, 'a=1, b=1');
  assert.ok(asked.ok, JSON.stringify(asked));
  assert.deepEqual(asked.payload.inputs.map((i) => [i.name, i.grad, i.source]), [['a', 3, 'input box'], ['b', 0, 'input box']]);

  const again = await traceTarget(target, { interactive: false }, d);
  assert.ok(again.ok);
  assert.deepEqual(again.payload.inputs.map((i) => i.source), ['remembered, entered earlier', 'remembered, entered earlier']);

  stubState.inputBoxAnswers.push(undefined);
  const cancelled = await traceTarget({ ...target, uri: doc.uri as never }, { interactive: true }, deps());
  assert.equal(cancelled.ok, false);
  if (!cancelled.ok) assert.equal(cancelled.cancelled, true);
});

test('LaTeX in a $$ block is read as math, and errors map to the document line', async () => {
  const { traceTarget } = await tracer;
  const text = 'Let $x = 2$.\n\n$$\n\\sin(x^2 + 1) \\cdot x\n$$\n\n$$\n(x + \n$$\n';
  const doc = stubDoc(text, 'markdown', '/virtual/latex.md');
  stubState.docs.set(doc.uri.toString(), doc);
  const { scanMarkdown } = await scan;
  const [ok, bad] = scanMarkdown(text).filter((b) => b.kind === 'display');
  const o = await traceTarget({ uri: doc.uri as never, start: ok.start, end: ok.end }, { interactive: false }, deps());
  assert.ok(o.ok, JSON.stringify(o));
  assert.ok(Math.abs(o.payload.value - Math.sin(5) * 2) < 1e-12);
  const e = await traceTarget({ uri: doc.uri as never, start: bad.start, end: bad.end }, { interactive: false }, deps());
  assert.equal(e.ok, false);
  if (!e.ok) assert.match(e.where ?? '', /^8:/);
});

test('matrix values declared in an earlier block are composed in, and each entry names its line', async () => {
  const { traceTarget } = await tracer;
  const text = '```math\nW1 = [[0.1, 0.2], [0.3, 0.4]]\nx = [1, 2]\n```\n\n```math\nh = relu(W1 * x)\nsum(h)\n```\n';
  const doc = stubDoc(text, 'markdown', '/virtual/lessons/matrix.md');
  stubState.docs.set(doc.uri.toString(), doc);
  const start = text.indexOf('h = relu');
  const o = await traceTarget({ uri: doc.uri as never, start, end: text.indexOf('\n```', start), lang: 'math' }, { interactive: false }, deps());
  assert.ok(o.ok, JSON.stringify(o));
  // relu(W1·x) = [0.5, 1.1], summed.
  assert.ok(Math.abs(o.payload.value - 1.6) < 1e-12, String(o.payload.value));
  const w = o.payload.inputs.find((i) => i.name === 'W1[1,0]');
  assert.ok(w, o.payload.inputs.map((i) => i.name).join(', '));
  assert.equal(w.grad, 1);
  assert.equal(w.source, 'line 2: W1 = [[0.1, 0.2], [0.3, 0.4]]');
});
