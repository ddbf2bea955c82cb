/**
 * The extension's tracing path for a sympy cell with no values (stub `vscode`): a lens or hover-free trace
 * draws the graph in formulas; the input box starts empty, an empty answer means formulas, numbers mean numbers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { log, memento, stubDoc, stubState } from './vscode-stub';

const tracer = import('../../src/vscode/tracer');
const deps = () => ({ log: log as never, state: memento() as never });
const CELL = "from sympy import symbols, sin, diff\n\nx = symbols('x')\nf = sin(x ** 2 +1)\n\ndfdx = diff(f, x)\n";

test('a sympy cell without values: formulas when not interactive; the input box may stay empty (formulas) or give numbers', async () => {
  const { traceTarget } = await tracer;
  const doc = stubDoc(CELL, 'python', '/virtual/sympy.py');
  stubState.docs.set(doc.uri.toString(), doc);
  const target = { uri: doc.uri as never, start: 0, end: CELL.length };

  const quiet = await traceTarget(target, { interactive: false }, deps());
  assert.ok(quiet.ok, JSON.stringify(quiet));
  assert.equal(quiet.payload.graph.symbolic, true);
  assert.doesNotMatch(quiet.payload.mermaid, /NaN/);
  assert.match(quiet.payload.mermaid, /grad 2x·cos#40;x² \+ 1#41;/);

  stubState.inputBoxAnswers.push('');
  const empty = await traceTarget(target, { interactive: true }, deps());
  const prompt = stubState.inputBoxPrompts.at(-1);
  assert.equal(prompt?.value, '');
  assert.match(prompt?.prompt ?? '', /symbol x.*leave this empty to see the graph in formulas/);
  assert.ok(empty.ok, JSON.stringify(empty));
  assert.equal(empty.payload.graph.symbolic, true);

  stubState.inputBoxAnswers.push('x=2');
  const numbers = await traceTarget(target, { interactive: true }, deps());
  assert.ok(numbers.ok, JSON.stringify(numbers));
  assert.equal(numbers.payload.graph.symbolic, undefined);
  assert.equal(numbers.payload.inputs[0].grad.toFixed(4), '1.1346');
  assert.equal(numbers.payload.inputs[0].source, 'input box');
});
