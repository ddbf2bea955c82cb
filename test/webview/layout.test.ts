/** Direction choice (media/layout.ts) on real emitter output. Pure: no browser. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseDirection, estimateSize, ranks } from '../../media/layout';
import { SPACING } from '../../media/render';
import { readSource, withDirection } from '../../media/source';
import { payloadFor } from './harness';

const seed = readSource(payloadFor('(x^2+1)^3', { x: 2 }).mermaid);
const wide = payloadFor(Array.from({ length: 8 }, (_, i) => `w${i}*x${i}`).join(' + '), Object.fromEntries(Array.from({ length: 8 }, (_, i) => [[`w${i}`, 1], [`x${i}`, 2]]).flat()));

test('ranks are longest paths from the inputs', () => {
  const r = ranks(seed);
  const output = payloadFor('(x^2+1)^3', { x: 2 }).graph.output;
  // x → x² → x² + 1 → (x² + 1)³ (literals folded or not, the output is last and x first).
  assert.equal(r.get(output), Math.max(...r.values()));
  assert.equal(r.get('n0'), 0);
  assert.equal(Math.max(...r.values()), 3);
});

test('a chain is taller than wide drawn TB, wider than tall drawn LR', () => {
  const tb = estimateSize(seed, true, SPACING);
  const lr = estimateSize(seed, false, SPACING);
  assert.ok(tb.height > lr.height && lr.width > tb.width, JSON.stringify({ tb, lr }));
});

test('direction follows the panel: TB in a tall narrow area, LR in a wide one', () => {
  assert.equal(chooseDirection(seed, { width: 400, height: 700 }, SPACING, 1.75), 'TB');
  assert.equal(chooseDirection(seed, { width: 1400, height: 500 }, SPACING, 1.75), 'LR');
  const sum = readSource(wide.mermaid);
  assert.equal(chooseDirection(sum, { width: 1200, height: 500 }, SPACING, 1.75), 'LR');
  assert.equal(chooseDirection(sum, { width: 420, height: 800 }, SPACING, 1.75), 'TB');
});

test('withDirection rewrites only the header', () => {
  const source = payloadFor('x*x', { x: 3 }).mermaid;
  const tb = withDirection(source, 'TB');
  assert.match(tb, /^flowchart TB\n/);
  assert.equal(tb.split('\n').slice(1).join('\n'), source.split('\n').slice(1).join('\n'));
});
